//! The setup function's Lambda binary: the deployment's custom resource.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::run_events(functions::setup::handler).await
}
