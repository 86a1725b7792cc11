//! One local TeamSync: a table created from template.yaml in the DynamoDB emulator, the
//! functions' handlers built as their Lambda `main`s build them, and the gateway in front.
//! `make run` starts one; every black-box test starts its own on a table of its own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use teamsync::AppContext;
use teamsync::context::AwsClients;
use teamsync::api::{Endpoints, Function};
use teamsync::auth::tokens::TokenKeys;
use teamsync::config::Settings;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::calls::CallRecorder;
use crate::gateway::{Gateway, Handler};
use crate::{table, template::Template};

pub struct StackOptions<'a> {
    pub root: &'a Path,
    pub dynamodb_url: &'a str,
    pub table: &'a str,
    /// 0 picks a free port.
    pub port: u16,
    /// `TEAMSYNC_*` settings, as the functions would read them from their environment.
    pub env: HashMap<String, String>,
    pub jwt_seed: &'a str,
    pub admin: Option<(&'a str, &'a str)>,
    /// Records every DynamoDB call of the functions (for the benchmark).
    pub recorder: Option<CallRecorder>,
}

pub struct LocalStack {
    pub url: String,
    pub ctx: AppContext,
    server: JoinHandle<()>,
}

impl LocalStack {
    pub async fn start(options: StackOptions<'_>) -> Result<LocalStack, String> {
        let template = Template::load(&options.root.join("template.yaml"))?;
        let sdk = sdk_config(options.dynamodb_url).await;
        table::create(&aws_sdk_dynamodb::Client::new(&sdk), options.table, &template.table).await?;

        let mut env = options.env;
        env.insert("TEAMSYNC_TABLE".into(), options.table.into());
        let settings = Settings::from_lookup(|name| env.get(name).cloned()).map_err(|e| e.to_string())?;
        let tokens = TokenKeys::from_seed(options.jwt_seed.as_bytes(), &settings.issuer, &settings.audience)
            .map_err(|e| e.to_string())?;
        let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(&sdk);
        if let Some(recorder) = options.recorder {
            dynamodb = dynamodb.interceptor(recorder);
        }
        let clients = AwsClients {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb.build()),
            eventbridge: aws_sdk_eventbridge::Client::new(&sdk),
            connections: None,
        };
        let ctx = AppContext::new(clients, settings, tokens);
        if let Some((username, password)) = options.admin {
            identity::bootstrap_admin(&ctx, username, password).await.map_err(|e| e.to_string())?;
        }

        let gateway = Arc::new(Gateway::new(&template, handlers(&ctx))?);
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
        let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
        let server = tokio::spawn(gateway.serve(listener));
        Ok(LocalStack { url, ctx, server })
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The AWS SDK configuration of the local stack: the emulator's endpoint, a fixed region
/// and dummy credentials (the emulator checks no signatures).
pub async fn sdk_config(dynamodb_url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(dynamodb_url)
        .credentials_provider(Credentials::new("local", "local", None, None, "teamsync-local"))
        .load()
        .await
}

/// A function's library handler as the gateway calls it.
fn handler<E: Endpoints>(ctx: &AppContext) -> Handler {
    let function = Arc::new(Function::<E>::new(ctx.clone()));
    Arc::new(move |req| {
        let function = function.clone();
        Box::pin(async move { function.handle(req).await })
    })
}

/// Each function of template.yaml, by logical id, built from the same library code as its
/// Lambda binary.
fn handlers(ctx: &AppContext) -> HashMap<String, Handler> {
    HashMap::from([
        ("IdentityFunction".to_owned(), handler::<identity::Route>(ctx)),
        ("ProjectsFunction".to_owned(), handler::<projects::Route>(ctx)),
        ("TasksFunction".to_owned(), handler::<tasks::Route>(ctx)),
    ])
}
