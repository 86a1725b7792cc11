//! One local TeamSync: a table created from template.yaml in the local DynamoDB, the
//! attachments bucket in the local S3, the functions' handlers built as their Lambda
//! `main`s build them, and the gateway in front, which is also the functions' event bus,
//! WebSocket management endpoint and scheduler.
//! `make run` starts one on the table and objects it kept from its last run; every
//! black-box test starts its own, on a new table and an S3 directory of its own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use functions::Kind;
use functions::api::HttpFunction;
use teamsync::AppContext;
use teamsync::auth::tokens::{TokenKeys, public_key_of_seed};
use teamsync::config::Settings;
use teamsync::context::AwsClients;
use teamsync::store::Db;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::calls::CallRecorder;
use crate::gateway::{Gateway, Handler, Handlers};
use crate::s3::{S3Emulator, ScratchDir};
use crate::table::TableState;
use crate::template::{CorsRule, ScheduleSpec, Template};
use crate::websocket::{ENDPOINT_PATH, PushRecord};
use crate::{s3, table};

/// The event bus the functions publish to, unless the settings name another.
const LOCAL_EVENT_BUS: &str = "teamsync-local";
/// The attachments bucket in the local S3, unless the settings name another.
const LOCAL_BUCKET: &str = "teamsync-attachments";

/// The credentials of the local SDK configuration, the only ones the local S3 accepts.
pub const ACCESS_KEY_ID: &str = "local";
pub const SECRET_ACCESS_KEY: &str = "local";

pub struct StackOptions<'a> {
    pub root: &'a Path,
    pub dynamodb_url: &'a str,
    /// Created if missing, else taken as it is (if it matches template.yaml).
    pub table: &'a str,
    /// 0 picks a free port.
    pub port: u16,
    /// `TEAMSYNC_*` settings, as the functions would read them from their environment.
    pub env: HashMap<String, String>,
    pub jwt_seed: &'a str,
    pub admin: Option<(&'a str, &'a str)>,
    /// Records every DynamoDB call of the functions (for the benchmark).
    pub recorder: Option<CallRecorder>,
    /// Where the local S3 keeps its objects; `None`: a fresh directory, removed with the stack.
    pub s3_root: Option<&'a Path>,
    /// The local S3's port; 0 picks a free port.
    pub s3_port: u16,
    /// Whether template.yaml's schedules run on their periods; either way,
    /// `POST /_local/schedules/<function>` fires one now.
    pub run_schedules: bool,
}

pub struct LocalStack {
    /// The HTTP API, the event bus and the WebSocket management API: `http://127.0.0.1:<port>`.
    pub url: String,
    /// The WebSocket API: `ws://127.0.0.1:<port>/ws/notifications/`.
    pub ws_url: String,
    pub ctx: AppContext,
    /// Whether the table was created or kept, as it was found before the super admin's bootstrap.
    pub table_state: TableState,
    /// The local S3: `http://127.0.0.1:<port>`, serving the bucket path-style.
    pub s3_url: String,
    /// The functions' attachments bucket (`TEAMSYNC_BUCKET`).
    pub bucket: String,
    /// template.yaml's schedules, which `/_local/schedules/<function>` fires.
    pub schedules: Vec<ScheduleSpec>,
    s3_client: aws_sdk_s3::Client,
    gateway: Arc<Gateway>,
    server: JoinHandle<()>,
    _s3: S3Emulator,
    /// Declared after the emulator, so that it stops before its objects go.
    _s3_scratch: Option<ScratchDir>,
}

impl LocalStack {
    pub async fn start(options: StackOptions<'_>) -> Result<LocalStack, String> {
        let template = Template::load(&options.root.join("template.yaml"))?;
        let sdk = sdk_config(options.dynamodb_url).await;
        let table_state = table::ensure(&aws_sdk_dynamodb::Client::new(&sdk), options.table, &template.table).await?;
        // The functions' settings name the gateway's URL, so it must be known first.
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let url = format!("http://{address}");

        let mut env = options.env;
        env.insert("TEAMSYNC_TABLE".into(), options.table.into());
        env.entry("TEAMSYNC_EVENT_BUS".into()).or_insert_with(|| LOCAL_EVENT_BUS.into());
        env.entry("TEAMSYNC_WS_ENDPOINT".into()).or_insert_with(|| url.clone());
        let bucket = env.entry("TEAMSYNC_BUCKET".into()).or_insert_with(|| LOCAL_BUCKET.into()).clone();
        let (s3_root, s3_scratch) = match options.s3_root {
            Some(root) => (root.to_path_buf(), None),
            None => {
                let scratch = ScratchDir::create()?;
                (scratch.path().to_path_buf(), Some(scratch))
            }
        };
        let s3 = S3Emulator::start(&s3_root, options.s3_port, &bucket, bucket_cors_rules(&template)?).await?;
        let s3_client = s3::client(&sdk, &s3.url);
        let settings = Settings::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())?;
        let seed = options.jwt_seed.as_bytes();
        let tokens = public_key_of_seed(seed)
            .and_then(|public_key| TokenKeys::from_seed(seed, &public_key, &settings.issuer, &settings.audience))
            .map_err(|e| e.to_string())?;
        let recorded = options.recorder.is_some();
        let clients = aws_clients(&sdk, &url, &settings, options.recorder, s3_client.clone());
        let ctx = AppContext::new(clients, settings, tokens);
        // The recorder measures the HTTP functions' requests; the functions that run beside
        // them (the notifier after every write, the scheduler on its clock) keep their calls
        // out of those figures.
        let background = match recorded {
            true => AppContext { db: Db::new(aws_sdk_dynamodb::Client::new(&sdk), options.table), ..ctx.clone() },
            false => ctx.clone(),
        };
        if let Some((username, password)) = options.admin {
            functions::identity::bootstrap_admin(&ctx, username, password).await.map_err(|e| e.to_string())?;
        }

        let handlers = handlers(&ctx, &background);
        let gateway =
            Arc::new(Gateway::new(&template, handlers, options.root)?.with_periodic_schedules(options.run_schedules));
        let server = tokio::spawn(gateway.clone().serve(listener));
        Ok(LocalStack {
            url,
            ws_url: format!("ws://{address}{ENDPOINT_PATH}"),
            ctx,
            table_state,
            s3_url: s3.url.clone(),
            bucket,
            schedules: template.schedules,
            s3_client,
            gateway,
            server,
            _s3: s3,
            _s3_scratch: s3_scratch,
        })
    }

    /// An S3 client of the local S3, signing as the functions do.
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        self.s3_client.clone()
    }

    /// Every push the functions made through the `@connections` API so far.
    pub fn pushes(&self) -> Vec<PushRecord> {
        self.gateway.pushes()
    }

    /// The failure records of events the functions kept failing on (see [`Gateway::dead_letters`]).
    pub fn dead_letters(&self) -> Vec<serde_json::Value> {
        self.gateway.dead_letters()
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The AWS SDK configuration of the local stack: the local DynamoDB's endpoint, a fixed
/// region and the local credentials (the local DynamoDB wants requests signed but checks
/// no signature; the local S3 does check them).
pub async fn sdk_config(dynamodb_url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(dynamodb_url)
        .credentials_provider(Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "teamsync-local"))
        .http_client(teamsync::transport::https_client().unwrap_or_else(|e| panic!("{e}")))
        .load()
        .await
}

/// The CORS rules of template.yaml's bucket, which the local S3 stands in for.
fn bucket_cors_rules(template: &Template) -> Result<Vec<CorsRule>, String> {
    match template.buckets.as_slice() {
        [] => Ok(Vec::new()),
        [bucket] => Ok(bucket.cors_rules.clone()),
        _ => Err("template.yaml declares more than one S3 bucket; the local stack serves one".into()),
    }
}

/// The functions' AWS clients, every one (the stack serves all functions from one context):
/// DynamoDB is the local DynamoDB; S3 is the local S3; EventBridge
/// and, unless the settings say otherwise, the WebSocket management API are the gateway itself.
fn aws_clients(
    sdk: &SdkConfig,
    gateway_url: &str,
    settings: &Settings,
    recorder: Option<CallRecorder>,
    s3: aws_sdk_s3::Client,
) -> AwsClients {
    let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(sdk);
    if let Some(recorder) = recorder {
        dynamodb = dynamodb.interceptor(recorder);
    }
    let eventbridge = aws_sdk_eventbridge::config::Builder::from(sdk).endpoint_url(gateway_url).build();
    let connections = settings.ws_endpoint.as_ref().map(|url| {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(url).build();
        aws_sdk_apigatewaymanagement::Client::from_conf(config)
    });
    AwsClients {
        dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
        eventbridge: Some(aws_sdk_eventbridge::Client::from_conf(eventbridge)),
        connections,
        s3: Some(s3),
    }
}

/// Every function of template.yaml, by logical id, built from the same library code as its
/// Lambda binary: the HTTP API functions answer requests; the others (WebSocket routes, the
/// event rule, the schedule) run on `background`.
fn handlers(ctx: &AppContext, background: &AppContext) -> Handlers {
    let mut handlers = Handlers::default();
    for function in functions::FUNCTIONS {
        let id = function.logical_id.to_owned();
        match function.kind {
            Kind::Http(routes) => {
                let function = Arc::new(HttpFunction::new(ctx.clone(), routes()));
                let handler: Handler = Arc::new(move |req| {
                    let function = function.clone();
                    Box::pin(async move { function.handle(req).await })
                });
                handlers.http.insert(id, handler);
            }
            Kind::Event(handler) => {
                handlers.events.insert(id, handler(background.clone()));
            }
        }
    }
    handlers
}
