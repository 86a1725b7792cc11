//! What a function builds once at init and hands to every request.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::auth::tokens::TokenKeys;
use crate::bucket::FileStore;
use crate::config::Settings;
use crate::events::EventBus;
use crate::realtime::push::Pusher;
use crate::store::{Db, Seat, WriteGate};

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

/// The AWS clients of a function, built once: DynamoDB for every function, and only the
/// others it calls, so that its binary links no client it does not use.
pub struct AwsClients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// Where committed changes are announced.
    pub eventbridge: Option<aws_sdk_eventbridge::Client>,
    /// The WebSocket API's `@connections` endpoint, when `TEAMSYNC_WS_ENDPOINT` names one.
    pub connections: Option<aws_sdk_apigatewaymanagement::Client>,
    /// The attachments bucket.
    pub s3: Option<aws_sdk_s3::Client>,
}

impl AwsClients {
    /// The table's client: what every function needs.
    pub fn table(sdk: &SdkConfig) -> AwsClients {
        AwsClients { dynamodb: aws_sdk_dynamodb::Client::new(sdk), eventbridge: None, connections: None, s3: None }
    }

    /// With the event bus's client: a function whose changes are announced.
    pub fn events(self, sdk: &SdkConfig) -> AwsClients {
        AwsClients { eventbridge: Some(aws_sdk_eventbridge::Client::new(sdk)), ..self }
    }

    /// With the bucket's client: a function that keeps or hands out files.
    pub fn files(self, sdk: &SdkConfig) -> AwsClients {
        AwsClients { s3: Some(aws_sdk_s3::Client::new(sdk)), ..self }
    }

    /// With the WebSocket management API's client, whose endpoint is the WebSocket stage's
    /// URL, which only configuration knows: the function that pushes.
    pub fn push(self, sdk: &SdkConfig, settings: &Settings) -> AwsClients {
        let connections = settings.ws_endpoint.as_ref().map(|url| {
            let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(url).build();
            aws_sdk_apigatewaymanagement::Client::from_conf(config)
        });
        AwsClients { connections, ..self }
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
    /// and the bucket wait for `gate` (see [`crate::store::WriteGate`]), and its first point
    /// read takes along the key waiting in `seat` (see [`crate::store::Ride`]).
    pub fn for_request(&self, gate: WriteGate, seat: Seat) -> AppContext {
        AppContext { db: self.db.for_request(gate.clone(), seat), files: self.files.gated(gate), ..self.clone() }
    }
}

/// Installs the JSON log format Lambda's log pipeline expects. `RUST_LOG` names the level
/// (`info` when unset or not a level): a level, not `EnvFilter`'s per-module directives,
/// whose regex engine would be a third of a megabyte in every binary.
pub fn init_tracing() {
    let level = std::env::var("RUST_LOG")
        .ok()
        .and_then(|level| level.parse::<tracing_subscriber::filter::LevelFilter>().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .init();
}
