//! The views function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ctx = functions::context(functions::views::clients).await?;
    functions::api::run(ctx, functions::views::routes).await
}
