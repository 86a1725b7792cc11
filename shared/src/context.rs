//! What a function builds once at init and hands to every request.

use std::sync::Arc;

use crate::auth::tokens::TokenKeys;
use crate::bucket::FileStore;
use crate::config::{self, ConfigError, Settings};
use crate::events::EventBus;
use crate::realtime::push::Pusher;
use crate::store::{Db, WriteGate};

#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    /// Where committed changes are announced.
    pub events: EventBus,
    /// Pushes to WebSocket connections (the notifier's job).
    pub pusher: Pusher,
    /// The attachments bucket: presigned URLs and object checks.
    pub files: FileStore,
    pub tokens: Arc<TokenKeys>,
    pub settings: Arc<Settings>,
}

/// The AWS clients of a function, built once.
pub struct AwsClients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub eventbridge: aws_sdk_eventbridge::Client,
    /// The WebSocket API's `@connections` endpoint, when `TEAMSYNC_WS_ENDPOINT` names one.
    pub connections: Option<aws_sdk_apigatewaymanagement::Client>,
    pub s3: aws_sdk_s3::Client,
}

impl AwsClients {
    /// Every client from one SDK configuration; the management API's endpoint is the
    /// WebSocket stage's URL, which only configuration knows.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, settings: &Settings) -> AwsClients {
        AwsClients {
            dynamodb: aws_sdk_dynamodb::Client::new(sdk),
            eventbridge: aws_sdk_eventbridge::Client::new(sdk),
            connections: settings.ws_endpoint.as_ref().map(|url| {
                let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(url).build();
                aws_sdk_apigatewaymanagement::Client::from_conf(config)
            }),
            s3: aws_sdk_s3::Client::new(sdk),
        }
    }
}

impl AppContext {
    pub fn new(clients: AwsClients, settings: Settings, tokens: TokenKeys) -> Self {
        AppContext {
            db: Db::new(clients.dynamodb, settings.table.clone()),
            events: EventBus::new(clients.eventbridge, settings.event_bus.clone()),
            pusher: Pusher::new(clients.connections),
            files: FileStore::new(clients.s3, settings.bucket.clone()),
            tokens: Arc::new(tokens),
            settings: Arc::new(settings),
        }
    }

    /// This context for one request of a caller not confirmed yet: its writes to the table
    /// and the bucket wait for `gate` (see [`crate::store::WriteGate`]).
    pub fn gated(&self, gate: WriteGate) -> AppContext {
        AppContext { db: self.db.gated(gate.clone()), files: self.files.gated(gate), ..self.clone() }
    }

    /// Production wiring: settings from the environment; the token keys from the signing
    /// seed where one is configured (`TEAMSYNC_JWT_SEED`, or in AWS the Secrets Manager
    /// secret in `TEAMSYNC_JWT_SEED_SECRET_ARN`: identity, which signs), else from the public
    /// key in `TEAMSYNC_JWT_PUBLIC_KEY` (every other function: no secret, no call at init).
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let lookup = |name: &str| std::env::var(name).ok();
        let settings = Settings::from_lookup(lookup)?;
        let (issuer, audience) = (&settings.issuer, &settings.audience);
        let tokens = match (config::secret(sdk, lookup, "TEAMSYNC_JWT_SEED").await?, lookup("TEAMSYNC_JWT_PUBLIC_KEY"))
        {
            (Some(seed), _) => TokenKeys::from_seed(seed.as_bytes(), issuer, audience)?,
            (None, Some(public_key)) => TokenKeys::from_public_key(&public_key, issuer, audience)?,
            (None, None) => {
                return Err(ConfigError(
                    "set TEAMSYNC_JWT_PUBLIC_KEY (or, where tokens are signed, TEAMSYNC_JWT_SEED_SECRET_ARN)".into(),
                ));
            }
        };
        Ok(AppContext::new(AwsClients::from_sdk(sdk, &settings), settings, tokens))
    }
}

/// Installs the JSON log format Lambda's log pipeline expects; `RUST_LOG` filters it.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .init();
}
