//! TeamSync's Lambda functions: the edges between AWS and the domain crate `teamsync`.
//!
//! - `api`: reading a request, the routes of a function, the one place a planned change
//!   is committed and published (`api::commit`), the envelope; `present`: what answers
//!   and pushes look like, in the caller's language.
//! - One module per function. An HTTP function declares its routes (`routes()`); an event
//!   function (WebSocket, event rule, schedule) answers a JSON event (`handler()`).
//! - [`FUNCTIONS`] lists them all by their logical id in template.yaml: the local stack
//!   serves them from it, and a test holds it against template.yaml. Each also has a binary
//!   in `src/bin/` of a few lines, which links only what that function uses.
//! - The binaries run tokio on one thread: Lambda gives a process one event at a time, so
//!   worker threads would only hand each request's wake-ups across threads (a third of a
//!   warm request's CPU, measured by the cold-start benchmark).

pub mod api;
pub mod present;

pub mod files;
pub mod identity;
pub mod notifications;
pub mod notifier;
pub mod projects;
pub mod scheduler;
pub mod setup;
pub mod tasks;
pub mod team;
pub mod views;
pub mod ws;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use teamsync::AppContext;
use teamsync::auth::tokens::TokenKeys;
use teamsync::config::{self, ConfigError, Settings};
use teamsync::context::AwsClients;

use crate::api::Routes;

/// A function of template.yaml.
pub struct Function {
    /// Its logical id in template.yaml (`ProjectsFunction`).
    pub logical_id: &'static str,
    /// Its binary (`BuildProperties.Binary`, a file in `src/bin/`).
    pub binary: &'static str,
    pub kind: Kind,
    /// The AWS clients it calls (its binary builds and links only these; template.yaml
    /// grants it what they call, and a test holds the two together).
    pub clients: Clients,
}

/// Builds a function's AWS clients from the SDK configuration and its settings.
pub type Clients = fn(&SdkConfig, &Settings) -> AwsClients;

pub enum Kind {
    /// An HTTP API function: its routes.
    Http(fn() -> Routes),
    /// A function that takes one event from the runtime: given its context, how it answers
    /// an event, as JSON.
    Event(fn(AppContext) -> EventHandler),
}

pub type EventFuture = Pin<Box<dyn Future<Output = Result<Value, String>> + Send>>;
/// A function's answer to a JSON event, or its failure (which the runtime retries).
pub type EventHandler = Arc<dyn Fn(Value) -> EventFuture + Send + Sync>;

/// Every function, as template.yaml names them.
pub const FUNCTIONS: &[Function] = &[
    Function {
        logical_id: "IdentityFunction",
        binary: "identity",
        kind: Kind::Http(identity::routes),
        clients: identity::clients,
    },
    Function {
        logical_id: "ProjectsFunction",
        binary: "projects",
        kind: Kind::Http(projects::routes),
        clients: projects::clients,
    },
    Function { logical_id: "TasksFunction", binary: "tasks", kind: Kind::Http(tasks::routes), clients: tasks::clients },
    Function { logical_id: "TeamFunction", binary: "team", kind: Kind::Http(team::routes), clients: team::clients },
    Function {
        logical_id: "NotificationsFunction",
        binary: "notifications",
        kind: Kind::Http(notifications::routes),
        clients: notifications::clients,
    },
    Function { logical_id: "FilesFunction", binary: "files", kind: Kind::Http(files::routes), clients: files::clients },
    Function { logical_id: "ViewsFunction", binary: "views", kind: Kind::Http(views::routes), clients: views::clients },
    Function { logical_id: "WsFunction", binary: "ws", kind: Kind::Event(ws::handler), clients: ws::clients },
    Function {
        logical_id: "NotifierFunction",
        binary: "notifier",
        kind: Kind::Event(notifier::handler),
        clients: notifier::clients,
    },
    Function {
        logical_id: "SchedulerFunction",
        binary: "scheduler",
        kind: Kind::Event(scheduler::handler),
        clients: scheduler::clients,
    },
    Function {
        logical_id: "SetupFunction",
        binary: "setup",
        kind: Kind::Event(setup::handler),
        clients: setup::clients,
    },
];

/// A handler of typed events as a JSON one: what the Lambda runtime does for a binary.
pub fn typed<E, A, F, Fut>(handle: F) -> EventHandler
where
    E: DeserializeOwned + Send + 'static,
    A: Serialize,
    F: Fn(E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<A, String>> + Send + 'static,
{
    let handle = Arc::new(handle);
    Arc::new(move |event| {
        let handle = handle.clone();
        Box::pin(async move {
            let event: E = serde_json::from_value(event).map_err(|e| format!("an event of another shape: {e}"))?;
            let answer = handle(event).await?;
            serde_json::to_value(answer).map_err(|e| format!("the answer is not JSON: {e}"))
        })
    })
}

/// An event function's outcome for its runtime: a failure that trying again may mend is
/// handed back, so Lambda and EventBridge retry the event and, at last, dead-letter it; a
/// permanent one is logged with its causes and the event dropped, as retrying would fail
/// the same way.
pub fn retry_if_transient<A: Serialize>(outcome: Result<A, teamsync::Error>) -> Result<Option<A>, String> {
    match outcome {
        Ok(answer) => Ok(Some(answer)),
        Err(error) if error.is_transient() => {
            tracing::warn!(error = %teamsync::error::chain(&error), "failed for now; the event is retried");
            Err(teamsync::error::chain(&error))
        }
        Err(error) => {
            tracing::error!(error = %teamsync::error::chain(&error), "failed for good; the event is dropped");
            Ok(None)
        }
    }
}

/// The production wiring of a function that verifies tokens: JSON logs, the configuration,
/// its AWS clients, and the public key (`TEAMSYNC_JWT_PUBLIC_KEY`): no secret, no network
/// call at init.
pub async fn context(clients: Clients) -> Result<AppContext, ConfigError> {
    let (sdk, settings) = configuration()?;
    let tokens = TokenKeys::from_public_key(&public_key()?, &settings.issuer, &settings.audience)?;
    Ok(AppContext::new(clients(&sdk, &settings), settings, tokens))
}

/// The same for the function that signs tokens (identity): also the signing seed,
/// `TEAMSYNC_JWT_SEED` or in AWS the Secrets Manager secret in
/// `TEAMSYNC_JWT_SEED_SECRET_ARN`, read once at init and checked against the public key.
pub async fn signing_context(clients: Clients) -> Result<AppContext, ConfigError> {
    let (sdk, settings) = configuration()?;
    let seed = signing_seed(&sdk).await?;
    let tokens = TokenKeys::from_seed(seed.as_bytes(), &public_key()?, &settings.issuer, &settings.audience)?;
    Ok(AppContext::new(clients(&sdk, &settings), settings, tokens))
}

/// The same for the function that derives the public key from the seed (setup), and so
/// verifies with the key it derives.
pub async fn deriving_context(clients: Clients) -> Result<AppContext, ConfigError> {
    let (sdk, settings) = configuration()?;
    let public_key = teamsync::auth::tokens::public_key_of_seed(signing_seed(&sdk).await?.as_bytes())?;
    let tokens = TokenKeys::from_public_key(&public_key, &settings.issuer, &settings.audience)?;
    Ok(AppContext::new(clients(&sdk, &settings), settings, tokens))
}

fn public_key() -> Result<String, ConfigError> {
    std::env::var("TEAMSYNC_JWT_PUBLIC_KEY")
        .map_err(|_| ConfigError("TEAMSYNC_JWT_PUBLIC_KEY is not set (template.yaml: Setup.PublicKey)".into()))
}

async fn signing_seed(sdk: &SdkConfig) -> Result<String, ConfigError> {
    config::secret(sdk, |name| std::env::var(name).ok(), "TEAMSYNC_JWT_SEED")
        .await?
        .ok_or_else(|| ConfigError("set TEAMSYNC_JWT_SEED or TEAMSYNC_JWT_SEED_SECRET_ARN".into()))
}

fn configuration() -> Result<(SdkConfig, Settings), ConfigError> {
    teamsync::context::init_tracing();
    let settings = Settings::from_lookup(|name| std::env::var(name).ok())?;
    Ok((lambda_sdk_config()?, settings))
}

/// The AWS SDK configuration of a Lambda: its region and its role's credentials, from the
/// variables the runtime sets. Not the SDK's default chain, which would also link and
/// consult profile files, the instance metadata service and STS, none of which a Lambda
/// uses. `AWS_ENDPOINT_URL` points every client elsewhere (the local emulators).
pub fn lambda_sdk_config() -> Result<SdkConfig, ConfigError> {
    let http_client = teamsync::transport::https_client().map_err(|e| ConfigError(e.to_string()))?;
    let credentials = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(std::env::var("AWS_REGION").ok().map(Region::new))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(http_client);
    config.set_endpoint_url(std::env::var("AWS_ENDPOINT_URL").ok());
    Ok(config.build())
}

/// Serves an event function under the Lambda runtime.
pub async fn run_events(ctx: AppContext, handler: fn(AppContext) -> EventHandler) -> Result<(), lambda_runtime::Error> {
    let handle = handler(ctx);
    let service = lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let handle = handle.clone();
        async move { handle(event.payload).await.map_err(lambda_runtime::Error::from) }
    });
    lambda_runtime::run(service).await
}
