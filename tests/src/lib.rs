//! The black-box test harness. Each test starts its own TeamSync — a fresh table in the
//! test process's shared local DynamoDB (in memory; `TEAMSYNC_TEST_DYNAMODB_URL` names
//! another), a local S3 of its own, the gateway on a free loopback port —
//! and talks to it over HTTP exactly as a client does. Nothing is faked: the functions'
//! handlers, the SDK and the emulators are the real ones.

pub mod contract;
pub mod files;
pub mod fuzz;
pub mod runtime_api;
pub mod world;
pub mod ws;

use std::collections::HashMap;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use teamsync::AppContext;
use teamsync_local::calls::CallRecorder;
use teamsync_local::dynamodb::DynamoDbEmulator;
use teamsync_local::project_root;
use teamsync_local::stack::{LocalStack, StackOptions};
use teamsync_local::websocket::PushRecord;

pub const ADMIN: &str = "root";
pub const ADMIN_PASSWORD: &str = "root-password-1";
pub const PASSWORD: &str = "password-123";
/// The local signing seed of test stacks. Not a secret: it signs tokens for a throwaway
/// table on loopback.
pub const TEST_SEED: &str = "test-seed-0123456789abcdef0123456789abcdef";

pub struct Stack {
    pub url: String,
    pub ctx: AppContext,
    http: reqwest::Client,
    local: LocalStack,
}

/// An HTTP answer: status, headers and the JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The envelope's `data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The field errors of an error envelope, as field → first message.
    pub fn field_errors(&self) -> HashMap<String, String> {
        self.body["errors"]
            .as_object()
            .map(|fields| {
                fields.iter().map(|(k, v)| (k.clone(), v[0].as_str().unwrap_or_default().to_owned())).collect()
            })
            .unwrap_or_default()
    }
}

/// The tokens of a login.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

/// This process's resident memory (VmRSS of /proc/self/status), in MiB. The local DynamoDB
/// runs inside the process that starts it, so for the benchmarks this is its memory, with
/// the gateway's and the functions' beside it.
pub fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

impl Stack {
    pub async fn start() -> Stack {
        Stack::with_settings(&[]).await
    }

    /// A stack whose functions see these `TEAMSYNC_*` settings.
    pub async fn with_settings(settings: &[(&str, &str)]) -> Stack {
        Stack::start_with(settings, None).await
    }

    /// A stack whose DynamoDB calls `recorder` sees (for the benchmark).
    pub async fn recorded(recorder: CallRecorder) -> Stack {
        Stack::start_with(&[], Some(recorder)).await
    }

    async fn start_with(settings: &[(&str, &str)], recorder: Option<CallRecorder>) -> Stack {
        let root = project_root();
        let dynamodb_url = DynamoDbEmulator::shared_url().unwrap_or_else(|e| panic!("{e}"));
        let table = format!("test-{}", uuid::Uuid::new_v4().simple());
        let env = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let stack = LocalStack::start(StackOptions {
            root: &root,
            dynamodb_url: &dynamodb_url,
            table: &table,
            port: 0,
            env,
            jwt_seed: TEST_SEED,
            admin: Some((ADMIN, ADMIN_PASSWORD)),
            recorder,
            s3_root: None,
            s3_port: 0,
            // A test fires a schedule when it means to (`run_schedule`), never on the clock.
            run_schedules: false,
        })
        .await
        .unwrap_or_else(|e| panic!("local stack did not start: {e}"));
        // Redirects are answers too (an avatar's 302): the client shows them, as the contract
        // check must see them.
        let http =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
        Stack { url: stack.url.clone(), ctx: stack.ctx.clone(), http, local: stack }
    }

    /// Every push the functions made to WebSocket connections so far, with its status.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.local.pushes()
    }

    /// The failure records of domain events the notifier kept failing on.
    pub fn dead_letters(&self) -> Vec<Value> {
        self.local.dead_letters()
    }

    /// A client of the stack's own S3 (it lives and goes with the stack), signing as the
    /// functions do.
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        self.local.s3_client()
    }

    /// The functions' attachments bucket in the stack's S3.
    pub fn bucket(&self) -> &str {
        &self.local.bucket
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
    }

    /// Sends a request and checks its answer against the API's document (see [`contract`]):
    /// an answer the document does not describe fails the test that received it.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let request = request.build().expect("a well-formed request");
        let (method, path) = (request.method().to_string(), request.url().path().to_owned());
        let response = self.http.execute(request).await.expect("the gateway answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        if let Err(problem) = contract::check(&method, &path, status, &headers, &bytes) {
            panic!("the answer to {method} {path} breaks the API's document: {problem}");
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(self.request(Method::POST, path, token).json(&body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(self.request(Method::PATCH, path, token).json(&body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.send(self.request(Method::PUT, path, token).json(&body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(self.request(Method::DELETE, path, token)).await
    }

    /// Fires `function`'s schedule now, as EventBridge would at `time` (RFC 3339; `None`:
    /// now), and answers once the run has finished: `{"function", "schedule", "time",
    /// "result"}`, or the function's error with 502.
    pub async fn run_schedule(&self, function: &str, time: Option<&str>) -> Answer {
        let body = time.map_or_else(|| json!({}), |time| json!({"time": time}));
        self.post(&format!("/_local/schedules/{function}"), None, body).await
    }

    /// Registers `username` (password [`PASSWORD`]) with extra fields; asserts the 201.
    pub async fn register(&self, username: &str, extra: Value) -> Value {
        let mut body = json!({"username": username, "password": PASSWORD, "email": format!("{username}@example.com")});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let answer = self.post("/api/auth/register/", None, body).await;
        assert_eq!(answer.status, 201, "register {username}: {:?}", answer.body);
        answer.data().clone()
    }

    /// Registers a user who founds team `team`, and returns their id and team id.
    pub async fn register_team_admin(&self, username: &str, team: &str) -> (u64, u64) {
        let user = self.register(username, json!({"join_type": "create", "team_name": team})).await;
        (user["id"].as_u64().unwrap(), user["team_id"].as_u64().unwrap())
    }

    pub async fn login(&self, username: &str, password: &str) -> Tokens {
        let answer = self.post("/api/auth/login/", None, json!({"username": username, "password": password})).await;
        assert_eq!(answer.status, 200, "login {username}: {:?}", answer.body);
        Tokens {
            access: answer.data()["access_token"].as_str().unwrap().to_owned(),
            refresh: answer.data()["refresh_token"].as_str().unwrap().to_owned(),
        }
    }
}
