//! The WebSocket function: API Gateway's `$connect`, `$disconnect` and `$default` routes
//! (seed 001 §9). The rules live in `teamsync::realtime::connections`.
//!
//! - `$connect` needs `?token=<access token>`, checked as on HTTP (signature, then the
//!   session); otherwise 401, and API Gateway refuses the handshake.
//! - `$default` takes `{"action": "subscribe" | "unsubscribe", "channel": "project_<id>"}` and
//!   `{"action": "ping"}`; the answer goes back to the client as the route's response.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use teamsync::auth::authenticate_token;
use teamsync::error::TokenProblem;
use teamsync::messages::{Lang, Msg};
use teamsync::realtime::connections::{self, Channel};
use teamsync::{AppContext, Error};

use crate::api::describe;
use crate::present::{lang_of, render};
use crate::{EventHandler, typed};

pub struct Ws {
    ctx: AppContext,
}

impl Ws {
    pub fn new(ctx: AppContext) -> Ws {
        Ws { ctx }
    }

    pub async fn handle(&self, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        let now = Timestamp::now();
        let connection_id = event.request_context.connection_id.clone().unwrap_or_default();
        let result = match event.request_context.route_key.as_deref() {
            Some("$connect") => self.connect(&event, &connection_id, now).await,
            Some("$disconnect") => connections::forget(&self.ctx, &connection_id).await.map(|()| None),
            _ => Ok(Some(self.message(event.body.as_deref(), &connection_id, now).await)),
        };
        match result {
            Ok(body) => answer(200, body),
            Err(error) => {
                if error.is_internal() {
                    tracing::error!(error = %teamsync::error::chain(&error), connection_id, "websocket route failed");
                }
                let status = describe(&error).status.as_u16();
                answer(i64::from(status), Some(error_message(&error, Lang::En, None)))
            }
        }
    }

    async fn connect(
        &self,
        event: &ApiGatewayWebsocketProxyRequest,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<Option<Value>, Error> {
        let token = event
            .query_string_parameters
            .first("token")
            .filter(|t| !t.is_empty())
            .ok_or(Error::Unauthenticated(TokenProblem::Missing))?;
        let caller = authenticate_token(&self.ctx, token, now).await?;
        let lang = event.headers.get("accept-language").and_then(|v| v.to_str().ok());
        connections::connect(&self.ctx, connection_id, &caller, lang_of(lang), now).await?;
        Ok(None)
    }

    /// A client message, answered with a message of its own: errors too, since the
    /// connection stays open.
    async fn message(&self, body: Option<&str>, connection_id: &str, now: Timestamp) -> Value {
        #[derive(Deserialize)]
        struct ClientMessage {
            action: Option<String>,
            channel: Option<String>,
        }
        let lang = Lang::En;
        let message: ClientMessage = match serde_json::from_str(body.unwrap_or("")) {
            Ok(message) => message,
            Err(_) => return error_message(&Error::field("body", Msg::MalformedJson), lang, None),
        };
        let channel = message.channel.as_deref().map(Channel::parse);
        let result = match (message.action.as_deref(), channel) {
            (Some("ping"), _) => return json!({"type": "pong"}),
            (Some("subscribe"), Some(Ok(channel))) => {
                connections::subscribe(&self.ctx, connection_id, channel, now).await.map(|()| ("subscribed", channel))
            }
            (Some("unsubscribe"), Some(Ok(channel))) => {
                connections::unsubscribe(&self.ctx, connection_id, channel).await.map(|()| ("unsubscribed", channel))
            }
            (Some("subscribe" | "unsubscribe"), Some(Err(msg))) => Err(Error::field("channel", msg)),
            (Some("subscribe" | "unsubscribe"), None) => Err(Error::field("channel", Msg::Required)),
            _ => Err(Error::field("action", Msg::UnknownAction)),
        };
        match result {
            Ok((kind, channel)) => json!({"type": kind, "channel": channel.name()}),
            Err(error) => error_message(&error, lang, message.channel.as_deref()),
        }
    }
}

/// `{"type":"error", "code", "message", "errors"?, "error_code"?, "channel"?}`: the HTTP error
/// envelope's fields, as a message.
fn error_message(error: &Error, lang: Lang, channel: Option<&str>) -> Value {
    let described = describe(error);
    let mut message = json!({
        "type": "error",
        "code": described.status.as_u16(),
        "message": render(&described.message, lang),
    });
    if let Some(fields) = described.fields.filter(|f| !f.is_empty()) {
        let errors: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(field, msgs)| (field.clone(), msgs.iter().map(|m| render(m, lang)).collect()))
            .collect();
        message["errors"] = Value::Object(errors);
    }
    if let Some(code) = described.code {
        message["error_code"] = json!(code as u16);
    }
    if let Some(channel) = channel {
        message["channel"] = json!(channel);
    }
    message
}

fn answer(status_code: i64, body: Option<Value>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status_code;
    response.body = body.map(|body| aws_lambda_events::encodings::Body::Text(body.to_string()));
    response
}

/// The WebSocket function as its runtime calls it: every outcome is an answer to API
/// Gateway (a refused connect included).
pub fn handler(ctx: AppContext) -> EventHandler {
    let ws = std::sync::Arc::new(Ws::new(ctx));
    typed(move |event: ApiGatewayWebsocketProxyRequest| {
        let ws = ws.clone();
        async move { Ok(ws.handle(event).await) }
    })
}

/// The AWS clients this function calls. Connections are items of the table; the notifier pushes.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk)
}
