//! The HTTP edge every function shares: reading a request, and answering in the envelope of
//! DESIGN §2. Handlers return `Result<Reply, Error>`; [`serve`] renders either side, logs
//! the request once, and is the only place an error becomes a response.

mod commit;
mod describe;
pub mod input;
mod router;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use futures_util::FutureExt;
use http::header::{
    ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER, X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderMap, StatusCode};
use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{Body, LambdaEvent, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::{Map, Value, json};

pub use commit::{commit, create_once};
pub use describe::{BusinessCode, Described, describe};
pub use router::{Call, PathParams, Routes};
use teamsync::AppContext;
use teamsync::auth::Caller;
use teamsync::error::{Error, TokenProblem};
use teamsync::idempotency::IdempotencyKey;
use teamsync::messages::{Lang, Msg};

use crate::present::{lang_of, render};

/// One HTTP Lambda: its routes, each request run through [`serve`].
pub struct HttpFunction {
    ctx: AppContext,
    router: router::Router,
}

impl HttpFunction {
    pub fn new(ctx: AppContext, routes: Routes) -> HttpFunction {
        HttpFunction { ctx, router: router::Router::new(routes) }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        serve(req, |req, meta| self.router.run(&self.ctx, req, meta)).await
    }
}

/// Serves an HTTP function under the Lambda runtime: API Gateway's event made a request as
/// `lambda_http` makes it, and the response handed back as it is. Not `lambda_http::run`,
/// which re-reads every body and decodes text bodies by their charset: our bodies are UTF-8
/// already, and its decoder's tables were a seventh of a MiB of each bootstrap.
pub async fn run(ctx: AppContext, routes: fn() -> Routes) -> Result<(), lambda_http::Error> {
    let function = &HttpFunction::new(ctx, routes());
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<LambdaRequest>| async move {
        let request = Request::from(event.payload).with_lambda_context(event.context);
        // Boxed, as lambda_http boxes it: a route's future nested in the runtime's unboxed
        // is deeper than the compiler lays out.
        let response = Box::pin(function.handle(request)).await;
        Ok::<_, lambda_http::Error>(http_api_response(response))
    }))
    .await
}

/// An HTTP API (payload 2.0) response. No route sets a cookie (API Gateway would want them
/// in `cookies`, not the headers); a binary body goes base64.
fn http_api_response(response: Response<Body>) -> ApiGatewayV2httpResponse {
    let (parts, body) = response.into_parts();
    let mut answer = ApiGatewayV2httpResponse::default();
    answer.status_code = i64::from(parts.status.as_u16());
    answer.headers = parts.headers;
    answer.is_base64_encoded = matches!(body, Body::Binary(_));
    answer.body = (!matches!(body, Body::Empty)).then_some(body);
    answer
}

/// What every handler knows about the request besides its content.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub lang: Lang,
    /// API Gateway's request id: it is in the access log, so a user quoting it finds the line.
    pub request_id: String,
}

impl RequestMeta {
    pub fn of(req: &Request) -> Self {
        let lang = lang_of(header_str(req.headers(), ACCEPT_LANGUAGE.as_str()));
        let request_id = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
            _ => None,
        }
        .or_else(|| req.lambda_context_ref().map(|ctx| ctx.request_id.clone()))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        RequestMeta { lang, request_id }
    }
}

/// A successful answer: the envelope `{"code", "message", "data"}`, or a standard document
/// that must go out as it is.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    body: ReplyBody,
    headers: HeaderMap,
}

#[derive(Debug)]
enum ReplyBody {
    Envelope {
        code: u16,
        message: Msg,
        data: Value,
        /// `data`'s keys repeated beside `code` and `message` (see [`Reply::ok_flat`]).
        flat: bool,
    },
    /// A document with a format of its own (a JWKS), sent without the envelope.
    Document(Value),
}

impl Reply {
    pub fn ok(message: Msg, data: impl Serialize) -> Result<Reply, Error> {
        Self::envelope(StatusCode::OK, message, data)
    }

    /// An `ok` whose `data` keys also stand at the top of the body, beside `code` and
    /// `message`, for a client that reads them there (its visitor status call).
    pub fn ok_flat(message: Msg, data: impl Serialize) -> Result<Reply, Error> {
        let mut reply = Self::envelope(StatusCode::OK, message, data)?;
        if let ReplyBody::Envelope { flat, .. } = &mut reply.body {
            *flat = true;
        }
        Ok(reply)
    }

    /// A 201 for a created resource, with its `Location`: where a GET reads it (a path of
    /// this API), so that a client can follow it.
    pub fn created(message: Msg, data: impl Serialize, location: &str) -> Result<Reply, Error> {
        let location = HeaderValue::from_str(location).map_err(Error::caused)?;
        Ok(Self::envelope(StatusCode::CREATED, message, data)?.header(http::header::LOCATION, location))
    }

    /// A 201 for a created resource whose `data` carries its `id` and `version`: the
    /// `Location` is `collection` and the id, the `ETag` the version.
    pub fn created_versioned(message: Msg, data: Value, collection: &str) -> Result<Reply, Error> {
        let version = data["version"].as_u64();
        let location = format!("{collection}{}/", data["id"]);
        let reply = Reply::created(message, data, &location)?;
        Ok(match version {
            Some(version) => reply.etag(version),
            None => reply,
        })
    }

    /// A deletion: HTTP 200 whose body says 204, as the seed shows and the client reads.
    pub fn deleted(message: Msg) -> Reply {
        let body =
            ReplyBody::Envelope { code: StatusCode::NO_CONTENT.as_u16(), message, data: Value::Null, flat: false };
        Reply { status: StatusCode::OK, body, headers: HeaderMap::new() }
    }

    pub fn document(document: Value) -> Reply {
        Reply { status: StatusCode::OK, body: ReplyBody::Document(document), headers: HeaderMap::new() }
    }

    /// A 302 to `location` (an avatar link to its presigned URL), with the envelope as body.
    pub fn redirect(location: &str) -> Result<Reply, Error> {
        let value = HeaderValue::from_str(location).map_err(Error::caused)?;
        let body = ReplyBody::Envelope {
            code: StatusCode::FOUND.as_u16(),
            message: Msg::Success,
            data: Value::Null,
            flat: false,
        };
        Ok(Reply { status: StatusCode::FOUND, body, headers: HeaderMap::new() }.header(http::header::LOCATION, value))
    }

    fn envelope(status: StatusCode, message: Msg, data: impl Serialize) -> Result<Reply, Error> {
        let data = serde_json::to_value(data).map_err(Error::caused)?;
        let body = ReplyBody::Envelope { code: status.as_u16(), message, data, flat: false };
        Ok(Reply { status, body, headers: HeaderMap::new() })
    }

    /// Marks the answer with the version of the resource it shows; the client sends it back
    /// in `If-Match` to update only that version.
    pub fn etag(self, version: u64) -> Reply {
        match HeaderValue::from_str(&format!("\"{version}\"")) {
            Ok(value) => self.header(http::header::ETAG, value),
            Err(_) => self,
        }
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Reply {
        self.headers.insert(name, value);
        self
    }

    fn into_response(self, lang: Lang) -> Response<Body> {
        let body = match self.body {
            ReplyBody::Envelope { code, message, data, flat } => {
                let mut body = json!({"code": code, "message": render(&message, lang)});
                if let (true, Value::Object(fields), Value::Object(top)) = (flat, &data, &mut body) {
                    for (name, value) in fields {
                        top.entry(name.clone()).or_insert_with(|| value.clone());
                    }
                }
                body["data"] = data;
                body
            }
            ReplyBody::Document(document) => document,
        };
        let mut response = json_response(self.status, &body);
        response.headers_mut().extend(self.headers);
        response
    }
}

/// Runs one request through `handler` and renders the outcome. Never fails: an error is an
/// envelope too, and an internal one — a panic included — is logged with the request id and
/// shown without detail.
pub async fn serve<F, Fut>(req: Request, handler: F) -> Response<Body>
where
    F: FnOnce(Request, RequestMeta) -> Fut,
    Fut: Future<Output = Result<Reply, Error>>,
{
    let started = Instant::now();
    let meta = RequestMeta::of(&req);
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let outcome = AssertUnwindSafe(handler(req, meta.clone()))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(Error::bug("the handler panicked")));
    let response = match outcome {
        Ok(reply) => reply.into_response(meta.lang),
        Err(error) => {
            if error.is_internal() {
                tracing::error!(request_id = %meta.request_id, error = %teamsync::error::chain(&error), "request failed");
            }
            error_response(&error, &meta)
        }
    };
    tracing::info!(
        request_id = %meta.request_id,
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// The error envelope: `{"code", "message", "errors", "error_code"?, "request_id"}`.
pub fn error_response(error: &Error, meta: &RequestMeta) -> Response<Body> {
    let described = describe(error);
    let status = described.status;
    let mut errors = Map::new();
    if let Some(fields) = described.fields {
        for (field, msgs) in fields.iter() {
            let texts = msgs.iter().map(|m| Value::String(render(m, meta.lang))).collect();
            errors.insert(field.clone(), Value::Array(texts));
        }
    }
    let mut body = json!({
        "code": status.as_u16(),
        "message": render(&described.message, meta.lang),
        "errors": errors,
        "request_id": meta.request_id,
    });
    if let Some(code) = described.code {
        body["error_code"] = json!(code as u16);
    }
    let mut response = json_response(status, &body);
    match error {
        Error::TooManyAttempts { retry_after_secs, .. } => {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        Error::MethodNotAllowed { allow } => {
            if let Ok(value) = HeaderValue::from_str(allow) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
        }
        _ => {}
    }
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"teamsync\""));
    }
    response
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::Text(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    // Every answer is what its Content-Type says: no browser may guess otherwise.
    response.headers_mut().insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The caller a request's bearer token claims, its signature checked (see
/// [`teamsync::auth::claimed_caller`]); the router reads the session.
pub fn claimed_caller(ctx: &AppContext, req: &Request) -> Result<Caller, Error> {
    let token = bearer_token(req).ok_or(Error::Unauthenticated(TokenProblem::Missing))?;
    teamsync::auth::claimed_caller(ctx, token)
}

/// The bearer token of the `Authorization` header, if any.
pub fn bearer_token(req: &Request) -> Option<&str> {
    let value = header_str(req.headers(), AUTHORIZATION.as_str())?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The request body as a JSON value. JSON and form-encoded bodies are accepted (seed 002
/// logs in with a form); an empty body reads as `{}` so that missing fields are reported
/// field by field.
pub fn body_json(req: &Request) -> Result<Value, Error> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => b"",
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => b"",
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let content_type = header_str(req.headers(), CONTENT_TYPE.as_str()).unwrap_or("").to_ascii_lowercase();
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if mime == "application/x-www-form-urlencoded" {
        let object =
            form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
        return Ok(Value::Object(object));
    }
    if !(mime.is_empty() || mime == "application/json" || mime.ends_with("+json") || mime == "text/plain") {
        return Err(Error::field("body", Msg::UnsupportedContentType));
    }
    serde_json::from_slice(bytes).map_err(|_| Error::field("body", Msg::MalformedJson))
}

/// The request's `Idempotency-Key`, if it sent one: scoped to the caller, and bound to the
/// method, path and body it came with.
pub fn idempotency_key(req: &Request, caller: &Caller, body: &Value) -> Result<Option<IdempotencyKey>, Error> {
    let Some(header) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let value = header.to_str().unwrap_or("");
    IdempotencyKey::new(caller, value, req.method().as_str(), req.uri().path(), body).map(Some)
}

/// The version an `If-Match` header names: `"3"` (as our ETags are) or `3`; `*` names any.
/// A value that cannot name one of our versions matches none: 412.
pub fn if_match(req: &Request) -> Result<Option<u64>, Error> {
    let Some(value) = header_str(req.headers(), http::header::IF_MATCH.as_str()) else {
        return Ok(None);
    };
    match value.trim() {
        "*" => Ok(None),
        tag => tag.trim_matches('"').parse().map(Some).map_err(|_| Error::Stale),
    }
}

/// The query string as a JSON object of strings, to be read with [`input::Fields`]
/// like a body.
pub fn query_object(req: &Request) -> Value {
    let mut object = Map::new();
    if let Some(query) = req.query_string_parameters_ref() {
        for (name, value) in query.iter() {
            object.entry(name.to_owned()).or_insert_with(|| Value::String(value.to_owned()));
        }
    }
    Value::Object(object)
}

/// One query-string parameter (the first, if repeated).
/// The API's own origin as the client reached it (`https://<domain>` behind API Gateway,
/// which sets `X-Forwarded-Proto`; `http://127.0.0.1:<port>` locally), for links the API
/// hands out.
pub fn public_base(req: &Request) -> String {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let scheme = header("x-forwarded-proto").unwrap_or("http");
    format!("{scheme}://{}", header("host").unwrap_or("localhost"))
}

pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters_ref().and_then(|q| q.first(name))
}
