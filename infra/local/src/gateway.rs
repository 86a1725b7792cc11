//! The local API Gateway: matches a request against template.yaml's HttpApi routes, turns
//! it into the payload 2.0 event Lambda would receive, and calls that function's handler —
//! the same library code the Lambda binary runs.
//!
//! What API Gateway itself answers, it answers here in its own words: `{"message":"Not
//! Found"}` for no route, 413 past the 10 MB payload limit, and CORS preflights.
//!
//! The same listener serves what no emulator does: the WebSocket API and its `@connections`
//! management API ([`crate::websocket`]), EventBridge's PutEvents with delivery to the
//! functions' rules ([`crate::eventbus`]), and the functions' schedules, which `/_local/`
//! routes list and fire ([`crate::schedules`]).

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::eventbus::EventBridge;
use crate::reference::Reference;
use crate::schedules::{self, Schedules};
use crate::template::{Cors, HttpRoute, Template};
use crate::websocket::{self, PushRecord, WebSocketApi};

/// API Gateway's payload limit.
const MAX_BODY: usize = 10 * 1024 * 1024;

/// What the gateway answers on its listener.
pub type Reply = hyper::Response<Full<Bytes>>;

pub type HandlerFuture = Pin<Box<dyn Future<Output = lambda_http::Response<lambda_http::Body>> + Send>>;
/// A function's request handler, as the gateway calls it.
pub type Handler = Arc<dyn Fn(lambda_http::Request) -> HandlerFuture + Send + Sync>;

pub type EventHandlerFuture = Pin<Box<dyn Future<Output = Result<Value, String>> + Send>>;
/// A non-HTTP function (WebSocket routes, event rules, schedules): the JSON event in, the
/// JSON answer or the function's error out, as Lambda's runtime API carries them.
pub type EventHandler = Arc<dyn Fn(Value) -> EventHandlerFuture + Send + Sync>;

/// The functions of template.yaml by logical id: HTTP API functions, and the rest.
#[derive(Default)]
pub struct Handlers {
    pub http: HashMap<String, Handler>,
    pub events: HashMap<String, EventHandler>,
}

pub struct Gateway {
    routes: Vec<HttpRoute>,
    handlers: HashMap<String, Handler>,
    cors: Cors,
    websocket: Arc<WebSocketApi>,
    event_bridge: EventBridge,
    schedules: Schedules,
    reference: Reference,
}

impl Gateway {
    /// Fails when template.yaml routes to a function the local stack has no handler for,
    /// so a new function cannot be forgotten here.
    pub fn new(template: &Template, handlers: Handlers, root: &Path) -> Result<Gateway, String> {
        if let Some(route) = template.routes.iter().find(|r| !handlers.http.contains_key(&r.function)) {
            return Err(format!(
                "template.yaml routes {} to {}, which the local stack does not know",
                route.route_key(),
                route.function
            ));
        }
        Ok(Gateway {
            routes: template.routes.clone(),
            cors: template.cors.clone(),
            websocket: Arc::new(WebSocketApi::new(&template.websocket, &handlers.events)?),
            event_bridge: EventBridge::new(&template.event_rules, &handlers.events)?,
            schedules: Schedules::new(&template.schedules, &handlers.events)?,
            handlers: handlers.http,
            reference: Reference::new(root),
        })
    }

    /// Whether [`Gateway::serve`] also runs the schedules on their periods; without, they
    /// run only when `/_local/schedules/<function>` fires them.
    pub fn with_periodic_schedules(self, enabled: bool) -> Gateway {
        Gateway { schedules: self.schedules.periodic(enabled), ..self }
    }

    /// Every `POST @connections/{id}` so far, in order.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.websocket.pushes()
    }

    /// The failure records of events whose function kept failing, as Lambda sends them to
    /// an on-failure destination.
    pub fn dead_letters(&self) -> Vec<Value> {
        self.event_bridge.dead_letters()
    }

    /// Serves, and runs the schedules if asked to, until the task is dropped.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        tokio::join!(self.schedules.run_periodically(), self.clone().accept(listener));
    }

    async fn accept(self: Arc<Self>, listener: TcpListener) {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let gateway = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let gateway = gateway.clone();
                    async move { Ok::<_, Infallible>(gateway.answer(req, peer).await) }
                });
                let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                let _ = connection.with_upgrades().await;
            });
        }
    }

    async fn answer(&self, req: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
        if let Some(target) = schedules::target(req.uri().path()) {
            let method = req.method().clone();
            return match read_body(req.into_body()).await {
                Ok(body) => self.schedules.answer(&method, &target, &body).await,
                Err(too_large) => too_large,
            };
        }
        if let Some(connection_id) = websocket::management_target(req.uri().path()) {
            let method = req.method().clone();
            return match read_body(req.into_body()).await {
                Ok(body) => self.websocket.manage(&method, &connection_id, body),
                Err(too_large) => too_large,
            };
        }
        if let Some(operation) = aws_json_operation(&req) {
            return match read_body(req.into_body()).await {
                Ok(body) => self.event_bridge.answer(&operation, &body),
                Err(too_large) => too_large,
            };
        }
        if let Some(reply) = self.reference.answer(req.method(), req.uri().path()) {
            return reply;
        }
        if websocket::is_endpoint(req.uri().path()) {
            return self.websocket.clone().upgrade(req, peer).await;
        }
        self.http_api(req, peer).await
    }

    async fn http_api(&self, req: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
        let origin = req.headers().get(http::header::ORIGIN).cloned();
        let mut response =
            if req.method() == Method::OPTIONS && req.headers().contains_key("access-control-request-method") {
                self.preflight()
            } else {
                self.invoke(req, peer).await
            };
        if origin.is_some() {
            let headers = response.headers_mut();
            headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
            if !self.cors.expose_headers.is_empty()
                && let Ok(value) = HeaderValue::from_str(&self.cors.expose_headers.join(","))
            {
                headers.insert("access-control-expose-headers", value);
            }
        }
        response
    }

    fn preflight(&self) -> Reply {
        let mut response = plain(StatusCode::NO_CONTENT, Bytes::new());
        let headers = response.headers_mut();
        for (name, values) in [
            ("access-control-allow-methods", &self.cors.allow_methods),
            ("access-control-allow-headers", &self.cors.allow_headers),
        ] {
            if let Ok(value) = HeaderValue::from_str(&values.join(",")) {
                headers.insert(name, value);
            }
        }
        if let Some(age) = self.cors.max_age {
            headers.insert("access-control-max-age", HeaderValue::from(age));
        }
        response
    }

    async fn invoke(&self, req: hyper::Request<Incoming>, peer: SocketAddr) -> Reply {
        let (parts, body) = req.into_parts();
        let body = match read_body(body).await {
            Ok(body) => body,
            Err(too_large) => return too_large,
        };
        let path = parts.uri.path();
        let Some(RouteMatch { route, params, .. }) = match_route(&self.routes, &parts.method, path) else {
            return gateway_message(StatusCode::NOT_FOUND, "Not Found");
        };
        let Some(handler) = self.handlers.get(&route.function) else {
            return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        };
        let event = payload_v2_event(&parts, &body, route, params, peer);
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(request) => request,
            Err(error) => {
                tracing::error!(%error, "could not build the Lambda event");
                return gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
        };
        let response = handler(request).await;
        let (parts, body) = response.into_parts();
        let bytes = match body {
            lambda_http::Body::Text(text) => Bytes::from(text),
            lambda_http::Body::Binary(bytes) => Bytes::from(bytes),
            _ => Bytes::new(),
        };
        hyper::Response::from_parts(parts, Full::new(bytes))
    }
}

/// Calls a non-HTTP function as Lambda would: a panic is the function's error, not the
/// gateway's.
pub(crate) async fn invoke_event(handler: &EventHandler, event: Value) -> Result<Value, String> {
    tokio::spawn(handler(event)).await.unwrap_or_else(|panic| Err(format!("the function panicked: {panic}")))
}

/// The operation of an AWS JSON protocol call (`X-Amz-Target: AWSEvents.PutEvents`).
fn aws_json_operation(req: &hyper::Request<Incoming>) -> Option<String> {
    let target = req.headers().get("x-amz-target")?.to_str().ok()?;
    (req.method() == Method::POST && req.uri().path() == "/").then(|| target.to_owned())
}

async fn read_body(body: Incoming) -> Result<Bytes, Reply> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(gateway_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")),
    }
}

pub(crate) fn plain(status: StatusCode, body: Bytes) -> Reply {
    let mut response = hyper::Response::new(Full::new(body));
    *response.status_mut() = status;
    response
}

pub(crate) fn json_reply(status: StatusCode, content_type: &'static str, body: &Value) -> Reply {
    let mut response = plain(status, Bytes::from(body.to_string()));
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(crate) fn gateway_message(status: StatusCode, message: &str) -> Reply {
    json_reply(status, "application/json", &json!({"message": message}))
}

/// A route that matched a request, with its path parameters.
pub struct RouteMatch<'a> {
    pub route: &'a HttpRoute,
    pub params: BTreeMap<String, String>,
    /// How specific the match is; API Gateway picks the highest.
    specificity: Specificity,
}

/// Ordered as API Gateway ranks routes: no greedy `{proxy+}` first, then more literal
/// segments, then a route's own method over `ANY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Specificity {
    not_greedy: bool,
    literal_segments: usize,
    own_method: bool,
}

/// API Gateway's route selection: the most specific matching route wins. A trailing slash
/// is ignored for matching.
pub fn match_route<'a>(routes: &'a [HttpRoute], method: &Method, path: &str) -> Option<RouteMatch<'a>> {
    let trimmed = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    let matched = routes
        .iter()
        .filter(|route| !route.is_default() && (route.method == "ANY" || route.method == method.as_str()))
        .filter_map(|route| match_path(route, &segments))
        .max_by_key(|found| found.specificity);
    // What no route takes goes to `$default`, when the API has one.
    matched.or_else(|| {
        let route = routes.iter().find(|route| route.is_default())?;
        let specificity = Specificity { not_greedy: false, literal_segments: 0, own_method: false };
        Some(RouteMatch { route, params: BTreeMap::new(), specificity })
    })
}

fn match_path<'a>(route: &'a HttpRoute, segments: &[&str]) -> Option<RouteMatch<'a>> {
    let pattern: Vec<&str> = route.path.split('/').skip(1).collect();
    let mut params = BTreeMap::new();
    let mut literal_segments = 0;
    let own_method = route.method != "ANY";
    for (i, part) in pattern.iter().enumerate() {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
            let rest = segments.get(i..).filter(|rest| !rest.is_empty() && !rest[0].is_empty())?;
            params.insert(name.to_owned(), rest.join("/"));
            let specificity = Specificity { not_greedy: false, literal_segments, own_method };
            return Some(RouteMatch { route, params, specificity });
        }
        let segment = segments.get(i)?;
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if segment.is_empty() {
                return None;
            }
            params.insert(name.to_owned(), decode(segment));
        } else if part == segment {
            literal_segments += 1;
        } else {
            return None;
        }
    }
    let specificity = Specificity { not_greedy: true, literal_segments, own_method };
    (pattern.len() == segments.len()).then_some(RouteMatch { route, params, specificity })
}

pub(crate) fn decode(segment: &str) -> String {
    form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A request's time as API Gateway writes it in events (`07/Jan/2019:09:20:57 +0000`).
pub(crate) fn request_time(time: jiff::Timestamp) -> String {
    time.strftime("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// The event API Gateway sends for an HTTP API route (payload format 2.0).
fn payload_v2_event(
    parts: &http::request::Parts,
    body: &Bytes,
    route: &HttpRoute,
    path_parameters: BTreeMap<String, String>,
    peer: SocketAddr,
) -> Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(value.split(';').map(|c| c.trim().to_owned()));
            continue;
        }
        headers.entry(name.as_str().to_owned()).and_modify(|v| *v = format!("{v},{value}")).or_insert(value);
    }
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        query.entry(key.into_owned()).and_modify(|v| *v = format!("{v},{value}")).or_insert_with(|| value.into_owned());
    }
    let content_type = headers.get("content-type").map(|c| c.to_ascii_lowercase()).unwrap_or_default();
    let textual = content_type.is_empty()
        || content_type.starts_with("text/")
        || content_type.contains("json")
        || content_type.contains("x-www-form-urlencoded")
        || content_type.contains("xml");
    let (body, is_base64) = match (body.is_empty(), textual && std::str::from_utf8(body).is_ok()) {
        (true, _) => (Value::Null, false),
        (false, true) => (Value::String(String::from_utf8_lossy(body).into_owned()), false),
        (false, false) => (Value::String(STANDARD.encode(body)), true),
    };
    let now = jiff::Timestamp::now();
    let host = headers.get("host").cloned().unwrap_or_else(|| "127.0.0.1".into());
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.route_key(),
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or("local"),
            "http": {
                "method": parts.method.as_str(),
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": peer.ip().to_string(),
                "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route.route_key(),
            "stage": "$default",
            "time": request_time(now),
            "timeEpoch": now.as_millisecond(),
        },
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = json!(query);
    }
    if !path_parameters.is_empty() {
        event["pathParameters"] = json!(path_parameters);
    }
    if !body.is_null() {
        event["body"] = body;
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> HttpRoute {
        HttpRoute { function: format!("{method} {path}"), method: method.into(), path: path.into() }
    }

    #[test]
    fn the_most_specific_route_wins() {
        let routes = vec![
            route("ANY", "/api/auth/{proxy+}"),
            route("GET", "/api/users"),
            route("GET", "/api/users/{proxy+}"),
            route("GET", "/api/users/{id}/tasks"),
            route("POST", "/api/auth/login"),
        ];
        let pick =
            |m: Method, p: &str| match_route(&routes, &m, p).map(|found| (found.route.function.clone(), found.params));
        assert_eq!(pick(Method::GET, "/api/users/").unwrap().0, "GET /api/users");
        let (name, params) = pick(Method::GET, "/api/users/alice/").unwrap();
        assert_eq!((name.as_str(), params["proxy"].as_str()), ("GET /api/users/{proxy+}", "alice"));
        assert_eq!(pick(Method::GET, "/api/users/7/tasks").unwrap().0, "GET /api/users/{id}/tasks");
        assert_eq!(pick(Method::POST, "/api/auth/login/").unwrap().0, "POST /api/auth/login");
        assert_eq!(pick(Method::GET, "/api/auth/me").unwrap().0, "ANY /api/auth/{proxy+}");
        assert!(pick(Method::POST, "/api/users").is_none());
        assert!(pick(Method::GET, "/api/auth").is_none());
    }
}
