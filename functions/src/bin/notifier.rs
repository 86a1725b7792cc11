//! The notifier function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    functions::run_events(functions::notifier::handler).await
}
