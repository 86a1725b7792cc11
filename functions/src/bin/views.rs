//! The views function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::api::run(functions::views::routes).await
}
