//! The ws function's Lambda binary.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ctx = functions::context(functions::ws::clients).await?;
    functions::run_events(ctx, functions::ws::handler).await
}
