//! Lambda entry point: wires tracing, configuration and AWS clients once, then serves.

use files::Files;
use lambda_http::{Error, service_fn};
use teamsync::AppContext;

#[tokio::main]
async fn main() -> Result<(), Error> {
    teamsync::context::init_tracing();
    let sdk = aws_config::load_from_env().await;
    let app = &Files::new(AppContext::from_env(&sdk).await?);
    lambda_http::run(service_fn(move |req| async move { Ok::<_, Error>(app.handle(req).await) })).await
}
