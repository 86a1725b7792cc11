//! The identity function's Lambda binary.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::api::run(functions::identity::routes).await
}
