//! What a function binary talks to when it runs as Lambda would, on this machine: a Lambda
//! Runtime API that hands it events one at a time, and a recorder standing in for every AWS
//! endpoint (its `AWS_ENDPOINT_URL`), which notes each request it gets with the time it came.
//! The cold-start benchmark starts one of each per process, so what each saw is that
//! process's alone.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

type Reply = Response<Full<Bytes>>;

/// What Lambda gives an invocation to finish in (the template's Timeout).
const DEADLINE: Duration = Duration::from_secs(10);

/// An event handed to the function, and where its answer goes.
type Invocation = (String, oneshot::Sender<Result<Value, String>>);

/// The Lambda Runtime API of one function process, on a free loopback port, until dropped.
pub struct RuntimeApi {
    /// `127.0.0.1:<port>`: the function's `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    invocations: mpsc::UnboundedSender<Invocation>,
    state: Arc<RuntimeState>,
    server: JoinHandle<()>,
}

struct RuntimeState {
    function_arn: String,
    waiting: tokio::sync::Mutex<mpsc::UnboundedReceiver<Invocation>>,
    /// Answers owed, by request id.
    owed: Mutex<HashMap<String, oneshot::Sender<Result<Value, String>>>>,
    next_request: AtomicU64,
    /// When the function first asked for an event: its init had ended.
    first_poll: OnceLock<Instant>,
    init_error: watch::Sender<Option<String>>,
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> std::io::Result<RuntimeApi> {
        let (invocations, waiting) = mpsc::unbounded_channel();
        let state = Arc::new(RuntimeState {
            function_arn: format!("arn:aws:lambda:us-east-1:000000000000:function:{function_name}"),
            waiting: tokio::sync::Mutex::new(waiting),
            owed: Mutex::default(),
            next_request: AtomicU64::new(1),
            first_poll: OnceLock::new(),
            init_error: watch::Sender::new(None),
        });
        let served = state.clone();
        let (address, server) = serve(move |req| served.clone().answer(req)).await?;
        Ok(RuntimeApi { address: address.to_string(), invocations, state, server })
    }

    /// When the function first polled for an event, if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        self.state.first_poll.get().copied()
    }

    /// Hands `event` to the function and waits for its answer: the response it posted, or
    /// the error it reported (for the invocation, or for its init).
    pub async fn invoke(&self, event: &Value) -> Result<Value, String> {
        let (answer, answered) = oneshot::channel();
        self.invocations.send((event.to_string(), answer)).map_err(|_| "the runtime API has stopped".to_owned())?;
        let mut init_error = self.state.init_error.subscribe();
        tokio::select! {
            outcome = answered => outcome.map_err(|_| "the runtime API has stopped".to_owned())?,
            failed = init_error.wait_for(Option::is_some) => {
                let report = failed.map(|error| error.clone().unwrap_or_default()).unwrap_or_default();
                Err(format!("the function's init failed: {report}"))
            }
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeState {
    async fn answer(self: Arc<Self>, req: Request<Incoming>) -> Reply {
        let path = req.uri().path().to_owned();
        let Some(route) = path.strip_prefix("/2018-06-01/runtime/") else {
            return reply(StatusCode::NOT_FOUND, "");
        };
        if route == "invocation/next" {
            return self.next_invocation().await;
        }
        let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let text = String::from_utf8_lossy(&body).into_owned();
        if route == "init/error" {
            self.init_error.send_replace(Some(text));
            return reply(StatusCode::ACCEPTED, "");
        }
        let Some((request_id, kind)) = route.strip_prefix("invocation/").and_then(|rest| rest.rsplit_once('/')) else {
            return reply(StatusCode::NOT_FOUND, "");
        };
        let outcome = match kind {
            "response" => Ok(serde_json::from_str(&text).unwrap_or(Value::String(text))),
            "error" => Err(text),
            _ => return reply(StatusCode::NOT_FOUND, ""),
        };
        let owed = self.owed.lock().unwrap_or_else(|e| e.into_inner()).remove(request_id);
        match owed {
            Some(answer) => {
                let _ = answer.send(outcome);
                reply(StatusCode::ACCEPTED, "")
            }
            None => reply(StatusCode::BAD_REQUEST, "no such invocation"),
        }
    }

    /// The next event, once there is one: Lambda keeps the poll open until then.
    async fn next_invocation(&self) -> Reply {
        self.first_poll.get_or_init(Instant::now);
        let next = self.waiting.lock().await.recv().await;
        let Some((event, answer)) = next else {
            return reply(StatusCode::GONE, "the runtime API has stopped");
        };
        let request_id = format!("bench-{}", self.next_request.fetch_add(1, Ordering::Relaxed));
        self.owed.lock().unwrap_or_else(|e| e.into_inner()).insert(request_id.clone(), answer);
        let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default() + DEADLINE;
        Response::builder()
            .header("Lambda-Runtime-Aws-Request-Id", &request_id)
            .header("Lambda-Runtime-Deadline-Ms", deadline.as_millis().to_string())
            .header("Lambda-Runtime-Invoked-Function-Arn", &self.function_arn)
            .header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(event)))
            .unwrap_or_else(|_| reply(StatusCode::INTERNAL_SERVER_ERROR, ""))
    }
}

/// A request an AWS client made, as `service.Operation`.
#[derive(Debug, Clone)]
pub struct AwsCall {
    /// `X-Amz-Target` (`DynamoDB_20120810.GetItem`), or for a REST service its signing name,
    /// method and path (`s3.GET /bucket/key`).
    pub operation: String,
    pub at: Instant,
}

/// The AWS endpoint of one function process, on a free loopback port, until dropped. It
/// answers Secrets Manager's GetSecretValue with the secrets it was given and EventBridge's
/// PutEvents as accepted, sends DynamoDB's requests on to a DynamoDB (the local emulator)
/// unchanged, and refuses anything else.
pub struct AwsRecorder {
    /// `http://127.0.0.1:<port>`: the function's `AWS_ENDPOINT_URL`.
    pub url: String,
    state: Arc<RecorderState>,
    server: JoinHandle<()>,
}

struct RecorderState {
    dynamodb_url: String,
    http: reqwest::Client,
    /// Secret values by ARN.
    secrets: HashMap<String, String>,
    calls: Mutex<Vec<AwsCall>>,
}

/// The content type of the JSON protocols of Secrets Manager, EventBridge and DynamoDB.
const AMZ_JSON: &str = "application/x-amz-json-1.1";

impl AwsRecorder {
    /// `secrets` maps each secret's ARN to its value; its name is the ARN's last part.
    pub async fn start(dynamodb_url: &str, secrets: HashMap<String, String>) -> std::io::Result<AwsRecorder> {
        let state = Arc::new(RecorderState {
            dynamodb_url: dynamodb_url.to_owned(),
            http: reqwest::Client::new(),
            secrets,
            calls: Mutex::default(),
        });
        let served = state.clone();
        let (address, server) = serve(move |req| served.clone().answer(req)).await?;
        Ok(AwsRecorder { url: format!("http://{address}"), state, server })
    }

    /// The requests that came before `instant` (all of them when `None`), in order.
    pub fn calls_before(&self, instant: Option<Instant>) -> Vec<AwsCall> {
        let calls = self.state.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.iter().filter(|call| instant.is_none_or(|end| call.at < end)).cloned().collect()
    }
}

impl Drop for AwsRecorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RecorderState {
    async fn answer(self: Arc<Self>, req: Request<Incoming>) -> Reply {
        let at = Instant::now();
        let (parts, body) = req.into_parts();
        let operation = operation_of(&parts);
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push(AwsCall { operation: operation.clone(), at });
        let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        match operation.as_str() {
            "secretsmanager.GetSecretValue" => self.secret_value(&body),
            "AWSEvents.PutEvents" => put_events(&body),
            dynamodb if dynamodb.starts_with("DynamoDB_20120810.") => self.forward(parts.headers, body).await,
            other => {
                aws_error(StatusCode::BAD_REQUEST, "UnknownOperationException", &format!("{other}: not served here"))
            }
        }
    }

    fn secret_value(&self, body: &[u8]) -> Reply {
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let arn = request["SecretId"].as_str().unwrap_or_default();
        let Some(value) = self.secrets.get(arn) else {
            return aws_error(StatusCode::BAD_REQUEST, "ResourceNotFoundException", &format!("no secret {arn}"));
        };
        let name = arn.rsplit(':').next().unwrap_or(arn);
        amz_json(StatusCode::OK, &json!({"ARN": arn, "Name": name, "SecretString": value}))
    }

    /// Sends a DynamoDB request on as it came, and its answer back as it came.
    async fn forward(&self, headers: hyper::HeaderMap, body: Bytes) -> Reply {
        let sent = self.http.post(&self.dynamodb_url).headers(headers).body(body).send().await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(error) => return aws_error(StatusCode::BAD_GATEWAY, "InternalServerError", &error.to_string()),
        };
        let mut relayed = Response::builder().status(answer.status());
        for (name, value) in answer.headers() {
            // The relayed body is whole: hyper frames it itself.
            if !matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
                relayed = relayed.header(name, value);
            }
        }
        let body = answer.bytes().await.unwrap_or_default();
        relayed.body(Full::new(body)).unwrap_or_else(|_| reply(StatusCode::BAD_GATEWAY, "unreadable answer"))
    }
}

/// `X-Amz-Target`, else the signing name of the request's SigV4 credential scope
/// (`Credential=<key>/<date>/<region>/<service>/aws4_request`) with the method and path.
fn operation_of(parts: &hyper::http::request::Parts) -> String {
    let header = |name: &str| parts.headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(target) = header("x-amz-target") {
        return target.to_owned();
    }
    let service = header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|scope| scope.split('/').nth(3))
        .unwrap_or("unsigned");
    format!("{service}.{} {}", parts.method, parts.uri.path())
}

/// EventBridge's answer when it took every entry.
fn put_events(body: &[u8]) -> Reply {
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let entries = request["Entries"].as_array().map_or(0, Vec::len);
    let ids: Vec<Value> = (1..=entries).map(|n| json!({"EventId": n.to_string()})).collect();
    amz_json(StatusCode::OK, &json!({"FailedEntryCount": 0, "Entries": ids}))
}

fn aws_error(status: StatusCode, kind: &str, message: &str) -> Reply {
    amz_json(status, &json!({"__type": kind, "message": message}))
}

fn amz_json(status: StatusCode, body: &Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
    reply
}

fn reply(status: StatusCode, text: &str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(text.to_owned())));
    *reply.status_mut() = status;
    reply
}

/// Serves `answer` on a free loopback port until the returned task is aborted.
async fn serve<F, Fut>(answer: F) -> std::io::Result<(SocketAddr, JoinHandle<()>)>
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let answer = answer.clone();
                    async move { Ok::<_, Infallible>(answer(req).await) }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok((address, server))
}
