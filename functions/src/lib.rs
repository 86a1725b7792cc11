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

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use teamsync::AppContext;

use crate::api::Routes;

/// A function of template.yaml.
pub struct Function {
    /// Its logical id in template.yaml (`ProjectsFunction`).
    pub logical_id: &'static str,
    /// Its binary (`BuildProperties.Binary`, a file in `src/bin/`).
    pub binary: &'static str,
    pub kind: Kind,
}

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
    Function { logical_id: "IdentityFunction", binary: "identity", kind: Kind::Http(identity::routes) },
    Function { logical_id: "ProjectsFunction", binary: "projects", kind: Kind::Http(projects::routes) },
    Function { logical_id: "TasksFunction", binary: "tasks", kind: Kind::Http(tasks::routes) },
    Function { logical_id: "TeamFunction", binary: "team", kind: Kind::Http(team::routes) },
    Function { logical_id: "NotificationsFunction", binary: "notifications", kind: Kind::Http(notifications::routes) },
    Function { logical_id: "FilesFunction", binary: "files", kind: Kind::Http(files::routes) },
    Function { logical_id: "ViewsFunction", binary: "views", kind: Kind::Http(views::routes) },
    Function { logical_id: "WsFunction", binary: "ws", kind: Kind::Event(ws::handler) },
    Function { logical_id: "NotifierFunction", binary: "notifier", kind: Kind::Event(notifier::handler) },
    Function { logical_id: "SchedulerFunction", binary: "scheduler", kind: Kind::Event(scheduler::handler) },
    Function { logical_id: "SetupFunction", binary: "setup", kind: Kind::Event(setup::handler) },
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

/// The production wiring of any function: JSON logs, the configuration and the AWS clients,
/// built once.
pub async fn context() -> Result<AppContext, teamsync::config::ConfigError> {
    teamsync::context::init_tracing();
    let sdk = aws_config::load_from_env().await;
    AppContext::from_env(&sdk).await
}

/// Serves an event function under the Lambda runtime.
pub async fn run_events(handler: fn(AppContext) -> EventHandler) -> Result<(), lambda_runtime::Error> {
    let handle = handler(context().await?);
    let service = lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<Value>| {
        let handle = handle.clone();
        async move { handle(event.payload).await.map_err(lambda_runtime::Error::from) }
    });
    lambda_runtime::run(service).await
}
