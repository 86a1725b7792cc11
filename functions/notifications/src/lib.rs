use std::future::Future;

use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{ApiError, AppContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {}

pub type Handler = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[])
    }

    fn handle(
        self,
        _ctx: &AppContext,
        _params: PathParams,
        _req: Request,
        _meta: RequestMeta,
    ) -> impl Future<Output = Result<Reply, ApiError>> + Send {
        async move { match self {} }
    }
}
