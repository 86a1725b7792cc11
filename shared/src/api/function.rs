//! One Lambda's endpoint group: a route table and a handler per route. Every function is a
//! [`Function`] over its own route enum, so the request path — route lookup, handling,
//! rendering the envelope — is written once.

use std::future::Future;

use lambda_http::{Body, Request, Response};

use super::{PathParams, Reply, RequestMeta, Router, serve};
use crate::context::AppContext;
use crate::error::Error;

/// The routes of one function and how each is handled.
pub trait Endpoints: Copy + Send + Sync + 'static {
    fn routes() -> Router<Self>;

    fn handle(
        self,
        ctx: &AppContext,
        params: PathParams,
        req: Request,
        meta: RequestMeta,
    ) -> impl Future<Output = Result<Reply, Error>> + Send;
}

pub struct Function<E: Endpoints> {
    ctx: AppContext,
    router: Router<E>,
}

impl<E: Endpoints> Function<E> {
    pub fn new(ctx: AppContext) -> Self {
        Function { ctx, router: E::routes() }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        serve(req, |req, meta| async move {
            let (route, params) = self.router.at(req.method(), req.uri().path())?;
            route.handle(&self.ctx, params, req, meta).await
        })
        .await
    }
}
