//! The notifications function: the caller's inbox (seed 001 §7). Handlers parse, call one
//! domain function, and render; the rules live in `teamsync::notifications`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{AppContext, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    List,
    Read,
    ReadAll,
    Delete,
}

pub type Notifications = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::GET, "/api/notifications", Route::List),
            (Method::PATCH, "/api/notifications/{id}/read", Route::Read),
            (Method::PATCH, "/api/notifications/read-all", Route::ReadAll),
            (Method::DELETE, "/api/notifications/{id}", Route::Delete),
        ])
    }

    fn handle(
        self,
        ctx: &AppContext,
        params: PathParams,
        req: Request,
        meta: RequestMeta,
    ) -> impl Future<Output = Result<Reply, Error>> + Send {
        handlers::dispatch(ctx, self, params, req, meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_all_is_not_an_id() {
        let router = Route::routes();
        assert_eq!(router.at(&Method::PATCH, "/api/notifications/read-all/").unwrap().0, Route::ReadAll);
        assert_eq!(router.at(&Method::PATCH, "/api/notifications/7/read/").unwrap().0, Route::Read);
    }
}
