//! The setup function's Lambda binary: the deployment's custom resource.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let ctx = functions::deriving_context(functions::setup::clients).await?;
    functions::run_events(ctx, functions::setup::handler).await
}
