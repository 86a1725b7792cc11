//! The local WebSocket API: what API Gateway does for template.yaml's WebSocket routes, and
//! the `@connections` management API through which the functions push to a connection.
//!
//! As in AWS: `$connect` runs before the handshake completes, and any answer but 2xx refuses
//! the upgrade with that status; each text message goes to the route its body selects
//! (`$default` when none), and the function's answer goes back to the client when the route
//! has a RouteResponse; a binary frame closes the connection (1003); `$disconnect` follows
//! every connection's end, after the connection is gone (a push from it answers 410).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderValue, Method, StatusCode, header};
use hyper::body::{Bytes, Incoming};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use crate::gateway::{EventHandler, Reply, decode, gateway_message, invoke_event, json_reply, plain, request_time};
use crate::template::WebSocketSpec;

/// Where clients connect: the local stand-in for the WebSocket stage's URL
/// (`wss://<api>.execute-api.<region>.amazonaws.com/ws`).
pub const ENDPOINT_PATH: &str = "/ws/notifications/";
/// The management API, under the URL the functions are given as TEAMSYNC_WS_ENDPOINT.
const CONNECTIONS_PATH: &str = "/@connections/";
/// The WebSocket stage of template.yaml, as events name it.
const STAGE: &str = "ws";
/// API Gateway's limit on a PostToConnection payload.
const MAX_PUSH: usize = 128 * 1024;
/// How long a close from the server's side waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// One `POST @connections/{id}` and the status it was answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    pub connection_id: String,
    pub status: u16,
}

pub struct WebSocketApi {
    routes: HashMap<String, Route>,
    /// The body field that `$request.body.<field>` (the route selection expression) reads.
    selection_path: Option<Vec<String>>,
    connections: Mutex<HashMap<String, Connection>>,
    pushes: Mutex<Vec<PushRecord>>,
}

struct Route {
    handler: EventHandler,
    responds: bool,
}

/// A connected client, as events and the management API describe it.
#[derive(Clone)]
struct Client {
    connection_id: String,
    connected_at: Timestamp,
    source_ip: String,
    user_agent: String,
    domain_name: String,
}

struct Connection {
    client: Client,
    last_active_at: Timestamp,
    outbox: mpsc::UnboundedSender<Outgoing>,
}

/// What the management API asks of a connection's task.
enum Outgoing {
    Message(Message),
    Close,
}

/// How a connection ended, as `$disconnect` reports it.
struct Ending {
    status_code: u16,
    reason: String,
}

impl WebSocketApi {
    /// Fails when a route targets a function the local stack has no handler for.
    pub fn new(spec: &WebSocketSpec, handlers: &HashMap<String, EventHandler>) -> Result<WebSocketApi, String> {
        let routes = spec
            .routes
            .iter()
            .map(|route| {
                let handler = handlers.get(&route.function).ok_or_else(|| {
                    format!(
                        "template.yaml routes WebSocket route {} to {}, which the local stack does not know",
                        route.route_key, route.function
                    )
                })?;
                Ok((route.route_key.clone(), Route { handler: handler.clone(), responds: route.responds }))
            })
            .collect::<Result<_, String>>()?;
        let selection_path = spec
            .route_selection_expression
            .strip_prefix("$request.body.")
            .map(|path| path.split('.').map(str::to_owned).collect());
        Ok(WebSocketApi { routes, selection_path, connections: Mutex::default(), pushes: Mutex::default() })
    }

    pub fn pushes(&self) -> Vec<PushRecord> {
        self.pushes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The opening handshake: `$connect` decides, then the connection is registered (so it
    /// can be pushed to at once) and served on its own task.
    pub async fn upgrade(self: Arc<Self>, mut req: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
        let Some(accept) = accept_key(&req) else {
            return gateway_message(StatusCode::UPGRADE_REQUIRED, "Upgrade Required");
        };
        let client = Client::new(&req, peer);
        if let Err(refusal) = self.connect(&client, &req).await {
            return refusal;
        }
        let on_upgrade = hyper::upgrade::on(&mut req);
        let (outbox, inbox) = mpsc::unbounded_channel();
        let connection = Connection { client: client.clone(), last_active_at: client.connected_at, outbox };
        self.connections().insert(client.connection_id.clone(), connection);
        tokio::spawn(self.run(client, on_upgrade, inbox));
        let mut response = plain(StatusCode::SWITCHING_PROTOCOLS, Bytes::new());
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        response
    }

    /// The `@connections/{id}` management API: POST sends, DELETE closes, GET describes.
    pub fn manage(&self, method: &Method, connection_id: &str, body: Bytes) -> Reply {
        match *method {
            Method::POST => {
                let reply = self.post(connection_id, body);
                let record = PushRecord { connection_id: connection_id.to_owned(), status: reply.status().as_u16() };
                self.pushes.lock().unwrap_or_else(|e| e.into_inner()).push(record);
                reply
            }
            Method::DELETE => match self.connections().remove(connection_id) {
                Some(connection) => {
                    let _ = connection.outbox.send(Outgoing::Close);
                    plain(StatusCode::NO_CONTENT, Bytes::new())
                }
                None => gone(connection_id),
            },
            Method::GET => match self.connections().get(connection_id) {
                Some(connection) => json_reply(StatusCode::OK, "application/json", &connection.describe()),
                None => gone(connection_id),
            },
            _ => gateway_message(StatusCode::NOT_FOUND, "Not Found"),
        }
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<String, Connection>> {
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `$connect`; Err is the answer that refuses the handshake.
    async fn connect(&self, client: &Client, req: &hyper::Request<Incoming>) -> Result<(), Reply> {
        let Some(route) = self.routes.get("$connect") else {
            return Ok(());
        };
        let answer = match invoke_event(&route.handler, connect_event(client, req)).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::error!(connection_id = client.connection_id, %error, "$connect failed");
                return Err(gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"));
            }
        };
        let status = answer
            .get("statusCode")
            .and_then(Value::as_u64)
            .and_then(|code| u16::try_from(code).ok())
            .and_then(|code| StatusCode::from_u16(code).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_success() { Ok(()) } else { Err(plain(status, Bytes::new())) }
    }

    async fn run(self: Arc<Self>, client: Client, on_upgrade: OnUpgrade, inbox: mpsc::UnboundedReceiver<Outgoing>) {
        let ending = match on_upgrade.await {
            Ok(upgraded) => {
                let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
                self.converse(&client, socket, inbox).await
            }
            Err(_) => Ending::abnormal(),
        };
        // As in API Gateway, the connection is gone before `$disconnect` runs.
        self.connections().remove(&client.connection_id);
        self.disconnect(&client, ending).await;
    }

    /// Serves a connection's frames and the management API's requests until it ends.
    async fn converse(
        &self,
        client: &Client,
        mut socket: Socket,
        mut inbox: mpsc::UnboundedReceiver<Outgoing>,
    ) -> Ending {
        loop {
            tokio::select! {
                frame = socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.touch(&client.connection_id);
                        if let Some(reply) = self.message(client, text.as_str()).await
                            && socket.send(Message::text(reply)).await.is_err()
                        {
                            return Ending::abnormal();
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        return close(&mut socket, CloseCode::Unsupported, "Binary frames are not supported").await;
                    }
                    Some(Ok(Message::Close(frame))) => {
                        finish(&mut socket).await;
                        return Ending::by_client(frame);
                    }
                    // Pings: tungstenite answers them itself.
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return Ending::abnormal(),
                },
                outgoing = inbox.recv() => match outgoing {
                    Some(Outgoing::Message(message)) => {
                        if socket.send(message).await.is_err() {
                            return Ending::abnormal();
                        }
                    }
                    Some(Outgoing::Close) | None => return close(&mut socket, CloseCode::Normal, "Connection deleted").await,
                },
            }
        }
    }

    fn touch(&self, connection_id: &str) {
        if let Some(connection) = self.connections().get_mut(connection_id) {
            connection.last_active_at = now();
        }
    }

    /// Routes a message as API Gateway does; what goes back to the client, if anything.
    async fn message(&self, client: &Client, body: &str) -> Option<String> {
        let route_key = self.select_route(body);
        let mut context = client.request_context(&route_key, "MESSAGE");
        context["messageId"] = json!(new_id());
        let request_id = context["requestId"].clone();
        let event = json!({"requestContext": context, "body": body, "isBase64Encoded": false});
        // API Gateway's own words to the client when it cannot deliver a message.
        let error = |message: &str| {
            Some(json!({"message": message, "connectionId": client.connection_id, "requestId": request_id}).to_string())
        };
        let Some(route) = self.routes.get(&route_key) else {
            return error("Forbidden");
        };
        match invoke_event(&route.handler, event).await {
            Ok(answer) if route.responds => {
                answer.get("body").and_then(Value::as_str).filter(|body| !body.is_empty()).map(str::to_owned)
            }
            Ok(_) => None,
            Err(failure) => {
                tracing::error!(connection_id = client.connection_id, route_key, error = %failure, "WebSocket route failed");
                error("Internal server error")
            }
        }
    }

    /// The route whose key the selection expression reads from the body; `$default` when
    /// the body names none (or is not JSON).
    fn select_route(&self, body: &str) -> String {
        let selected = self.selection_path.as_ref().and_then(|path| {
            let json: Value = serde_json::from_str(body).ok()?;
            path.iter().try_fold(&json, |value, key| value.get(key))?.as_str().map(str::to_owned)
        });
        selected
            .filter(|key| !key.starts_with('$') && self.routes.contains_key(key))
            .unwrap_or_else(|| "$default".into())
    }

    async fn disconnect(&self, client: &Client, ending: Ending) {
        let Some(route) = self.routes.get("$disconnect") else {
            return;
        };
        let mut context = client.request_context("$disconnect", "DISCONNECT");
        context["disconnectStatusCode"] = json!(ending.status_code);
        context["disconnectReason"] = json!(ending.reason);
        let event = json!({
            "headers": {"host": client.domain_name},
            "multiValueHeaders": {"host": [client.domain_name]},
            "requestContext": context,
            "isBase64Encoded": false,
        });
        if let Err(error) = invoke_event(&route.handler, event).await {
            tracing::warn!(connection_id = client.connection_id, %error, "$disconnect failed");
        }
    }

    fn post(&self, connection_id: &str, body: Bytes) -> Reply {
        if body.len() > MAX_PUSH {
            return rest_error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException", "Payload too large");
        }
        let message = match String::from_utf8(body.to_vec()) {
            Ok(text) => Message::text(text),
            Err(binary) => Message::binary(binary.into_bytes()),
        };
        let sent =
            self.connections().get(connection_id).is_some_and(|c| c.outbox.send(Outgoing::Message(message)).is_ok());
        if sent { plain(StatusCode::OK, Bytes::new()) } else { gone(connection_id) }
    }
}

impl Client {
    fn new(req: &hyper::Request<Incoming>, peer: SocketAddr) -> Client {
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Client {
            connection_id: new_id(),
            connected_at: now(),
            source_ip: peer.ip().to_string(),
            user_agent: header(header::USER_AGENT),
            domain_name: header(header::HOST),
        }
    }

    /// The `requestContext` of an event about this connection.
    fn request_context(&self, route_key: &str, event_type: &str) -> Value {
        let time = now();
        let request_id = new_id();
        json!({
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": request_id,
            "requestTime": request_time(time),
            "messageDirection": "IN",
            "stage": STAGE,
            "connectedAt": self.connected_at.as_millisecond(),
            "requestTimeEpoch": time.as_millisecond(),
            "identity": {"sourceIp": self.source_ip, "userAgent": self.user_agent},
            "requestId": request_id,
            "domainName": self.domain_name,
            "connectionId": self.connection_id,
            "apiId": "local",
        })
    }
}

impl Connection {
    /// GetConnection's answer, in the management API's wire format.
    fn describe(&self) -> Value {
        json!({
            "connectedAt": iso_millis(self.client.connected_at),
            "identity": {"sourceIp": self.client.source_ip, "userAgent": self.client.user_agent},
            "lastActiveAt": iso_millis(self.last_active_at),
        })
    }
}

impl Ending {
    fn by_client(frame: Option<CloseFrame>) -> Ending {
        match frame {
            Some(frame) => Ending { status_code: frame.code.into(), reason: frame.reason.to_string() },
            None => Ending { status_code: 1005, reason: "Client-side close frame status not set".into() },
        }
    }

    /// The socket broke or went away without a close handshake.
    fn abnormal() -> Ending {
        Ending { status_code: 1006, reason: "Going away".into() }
    }
}

/// Whether `path` is the WebSocket endpoint (with or without its trailing slash).
pub fn is_endpoint(path: &str) -> bool {
    path == ENDPOINT_PATH || path == ENDPOINT_PATH.trim_end_matches('/')
}

/// The connection id a management API path names.
pub fn management_target(path: &str) -> Option<String> {
    path.strip_prefix(CONNECTIONS_PATH).filter(|id| !id.is_empty() && !id.contains('/')).map(decode)
}

/// The `Sec-WebSocket-Accept` answering a valid opening handshake.
fn accept_key(req: &hyper::Request<Incoming>) -> Option<HeaderValue> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let upgrading = req.method() == Method::GET
        && header(header::UPGRADE).eq_ignore_ascii_case("websocket")
        && header(header::SEC_WEBSOCKET_VERSION) == "13";
    let key = req.headers().get(header::SEC_WEBSOCKET_KEY).filter(|_| upgrading)?;
    HeaderValue::from_str(&derive_accept_key(key.as_bytes())).ok()
}

/// The `$connect` event: the handshake request's headers and query string.
fn connect_event(client: &Client, req: &hyper::Request<Incoming>) -> Value {
    let mut multi_value_headers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in req.headers() {
        multi_value_headers.entry(name.as_str()).or_default().push(String::from_utf8_lossy(value.as_bytes()).into());
    }
    let headers: BTreeMap<&str, String> = multi_value_headers.iter().map(|(k, v)| (*k, v.join(","))).collect();
    let mut multi_value_query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()) {
        multi_value_query.entry(key.into_owned()).or_default().push(value.into_owned());
    }
    // Where a parameter repeats, API Gateway's single-value map keeps the last.
    let query: BTreeMap<&String, &String> =
        multi_value_query.iter().filter_map(|(k, v)| Some((k, v.last()?))).collect();
    let mut event = json!({
        "headers": headers,
        "multiValueHeaders": multi_value_headers,
        "requestContext": client.request_context("$connect", "CONNECT"),
        "isBase64Encoded": false,
    });
    if !query.is_empty() {
        event["queryStringParameters"] = json!(query);
        event["multiValueQueryStringParameters"] = json!(multi_value_query);
    }
    event
}

/// Closes from the server's side: sends the close frame, waits for the client's.
async fn close(socket: &mut Socket, code: CloseCode, reason: &str) -> Ending {
    let _ = socket.close(Some(CloseFrame { code, reason: reason.into() })).await;
    let _ = tokio::time::timeout(CLOSE_WAIT, finish(socket)).await;
    Ending { status_code: code.into(), reason: reason.to_owned() }
}

/// Reads until the socket ends; reading also sends the close reply tungstenite queued.
async fn finish(socket: &mut Socket) {
    while let Some(Ok(_)) = socket.next().await {}
}

/// A 4xx of the management API: the SDK reads the error's type from `x-amzn-errortype`.
fn rest_error(status: StatusCode, error_type: &'static str, message: &str) -> Reply {
    let mut reply = json_reply(status, "application/json", &json!({"message": message}));
    reply.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(error_type));
    reply
}

fn gone(connection_id: &str) -> Reply {
    rest_error(StatusCode::GONE, "GoneException", &format!("Connection {connection_id} is gone"))
}

/// An id in API Gateway's style: 16 base64url characters.
fn new_id() -> String {
    URL_SAFE_NO_PAD.encode(&uuid::Uuid::new_v4().as_bytes()[..12])
}

/// Now, to the millisecond that events and the management API carry.
fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now)
}

fn iso_millis(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
