//! The team function: the caller's team, its members, invitations and roles (seed 001 §6,
//! DESIGN §2b). Handlers parse and authorize, call one domain function, and render; the
//! rules live in `teamsync::team`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{AppContext, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Get,
    Update,
    Members,
    Invite,
    ChangeRole,
    Remove,
    CheckUser,
}

pub type Team = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::GET, "/api/team", Route::Get),
            (Method::PATCH, "/api/team", Route::Update),
            (Method::GET, "/api/team/members", Route::Members),
            (Method::POST, "/api/team/invite", Route::Invite),
            (Method::PATCH, "/api/team/members/{id}/role", Route::ChangeRole),
            (Method::DELETE, "/api/team/members/{id}", Route::Remove),
            (Method::GET, "/api/team/check-user", Route::CheckUser),
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
    fn the_route_table_builds() {
        let router = Route::routes();
        assert!(router.at(&Method::PATCH, "/api/team/members/7/role/").is_ok());
        assert!(router.at(&Method::GET, "/api/team/check-user/").is_ok());
    }
}
