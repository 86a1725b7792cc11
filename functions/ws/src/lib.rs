//! The WebSocket function: API Gateway's `$connect`, `$disconnect` and `$default` routes.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use teamsync::AppContext;

pub struct Ws {
    ctx: AppContext,
}

impl Ws {
    pub fn new(ctx: AppContext) -> Ws {
        Ws { ctx }
    }

    pub async fn handle(&self, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
        let _ = (&self.ctx, event);
        let mut response = ApiGatewayProxyResponse::default();
        response.status_code = 200;
        response
    }
}
