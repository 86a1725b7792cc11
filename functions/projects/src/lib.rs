//! The projects function: projects, their members and progress (seed 001 §3, supplement
//! 4.12). Handlers parse and authorize, call one domain function, and render; the rules live
//! in `teamsync::projects`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{AppContext, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    List,
    Create,
    Get,
    Update,
    Archive,
    Delete,
    Progress,
    TaskCounts,
    Members,
}

pub type Projects = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::GET, "/api/projects", Route::List),
            (Method::POST, "/api/projects", Route::Create),
            (Method::GET, "/api/projects/{id}", Route::Get),
            (Method::PATCH, "/api/projects/{id}", Route::Update),
            (Method::PATCH, "/api/projects/{id}/update", Route::Update),
            (Method::PATCH, "/api/projects/{id}/archive", Route::Archive),
            (Method::DELETE, "/api/projects/{id}", Route::Delete),
            (Method::DELETE, "/api/projects/{id}/delete", Route::Delete),
            (Method::GET, "/api/projects/{id}/progress", Route::Progress),
            (Method::GET, "/api/projects/{id}/tasks/progress", Route::TaskCounts),
            (Method::PUT, "/api/projects/{id}/members", Route::Members),
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
        assert!(router.at(&http::Method::GET, "/api/projects/7/tasks/progress/").is_ok());
    }
}
