//! Lambda entry point: wires tracing, configuration and AWS clients once, then serves.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use teamsync::AppContext;
use ws::Ws;

#[tokio::main]
async fn main() -> Result<(), Error> {
    teamsync::context::init_tracing();
    let sdk = aws_config::load_from_env().await;
    let ws = &Ws::new(AppContext::from_env(&sdk).await?);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| async move {
        Ok::<_, Error>(ws.handle(event.payload).await)
    }))
    .await
}
