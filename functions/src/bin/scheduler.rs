//! The scheduler function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::run_events(functions::scheduler::handler).await
}
