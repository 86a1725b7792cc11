//! The notifier function's Lambda binary.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ctx = functions::context(functions::notifier::clients).await?;
    functions::run_events(ctx, functions::notifier::handler).await
}
