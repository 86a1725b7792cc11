//! The scheduler function's Lambda binary.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ctx = functions::context(functions::scheduler::clients).await?;
    functions::run_events(ctx, functions::scheduler::handler).await
}
