//! The identity function's Lambda binary.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let ctx = functions::signing_context(functions::identity::clients).await?;
    functions::api::run(ctx, functions::identity::routes).await
}
