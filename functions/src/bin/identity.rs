//! The identity function's Lambda binary: it also makes sure the super admin exists.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::identity::run().await
}
