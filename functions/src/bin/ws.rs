//! The ws function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::run_events(functions::ws::handler).await
}
