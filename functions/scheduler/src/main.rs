//! Lambda entry point: wires tracing, configuration and AWS clients once, then serves.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use scheduler::Scheduler;
use teamsync::AppContext;

#[tokio::main]
async fn main() -> Result<(), Error> {
    teamsync::context::init_tracing();
    let sdk = aws_config::load_from_env().await;
    let scheduler = &Scheduler::new(AppContext::from_env(&sdk).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| async move {
        scheduler.handle(event.payload).await.map_err(|error| Error::from(error.to_string()))
    }))
    .await
}
