//! What a function builds once at init and hands to every request.

use std::sync::Arc;

use crate::auth::tokens::TokenKeys;
use crate::config::{self, ConfigError, Settings};
use crate::store::Db;

#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    pub tokens: Arc<TokenKeys>,
    pub settings: Arc<Settings>,
}

impl AppContext {
    pub fn new(sdk: &aws_config::SdkConfig, settings: Settings, tokens: TokenKeys) -> Self {
        Self::with_dynamodb(aws_sdk_dynamodb::Client::new(sdk), settings, tokens)
    }

    /// With a DynamoDB client of the caller's making (the local stack's benchmark adds an
    /// interceptor that counts calls).
    pub fn with_dynamodb(client: aws_sdk_dynamodb::Client, settings: Settings, tokens: TokenKeys) -> Self {
        let db = Db::new(client, settings.table.clone());
        AppContext { db, tokens: Arc::new(tokens), settings: Arc::new(settings) }
    }

    /// Production wiring: settings from the environment, the signing seed from
    /// `TEAMSYNC_JWT_SEED` or the Secrets Manager secret in `TEAMSYNC_JWT_SEED_SECRET_ARN`.
    pub async fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let lookup = |name: &str| std::env::var(name).ok();
        let settings = Settings::from_lookup(lookup)?;
        let seed = config::secret(sdk, lookup, "TEAMSYNC_JWT_SEED")
            .await?
            .ok_or_else(|| ConfigError("set TEAMSYNC_JWT_SEED or TEAMSYNC_JWT_SEED_SECRET_ARN".into()))?;
        let tokens = TokenKeys::from_seed(seed.as_bytes(), &settings.issuer, &settings.audience)?;
        Ok(AppContext::new(sdk, settings, tokens))
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
