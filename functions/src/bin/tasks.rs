//! The tasks function's Lambda binary.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let ctx = functions::context(functions::tasks::clients).await?;
    functions::api::run(ctx, functions::tasks::routes).await
}
