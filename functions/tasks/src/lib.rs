//! The tasks function: three-level task trees (seed 001 §4, the supplement 4.8–4.11 and the
//! client's claim flow), including a project's task list. Handlers parse and authorize, call
//! one domain function, and render; the rules live in `teamsync::projects`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{AppContext, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    List,
    CreateMain,
    CreateUnassigned,
    CreateSubtask,
    Get,
    Update,
    Status,
    Delete,
    History,
    Claim,
}

pub type Tasks = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::GET, "/api/projects/{id}/tasks", Route::List),
            (Method::GET, "/api/tasks/project/{id}", Route::List),
            (Method::POST, "/api/projects/{id}/tasks", Route::CreateMain),
            (Method::POST, "/api/tasks/project/{id}/create", Route::CreateMain),
            (Method::POST, "/api/tasks/create-unassigned", Route::CreateUnassigned),
            (Method::POST, "/api/tasks/{id}/subtasks", Route::CreateSubtask),
            (Method::GET, "/api/tasks/{id}", Route::Get),
            (Method::PATCH, "/api/tasks/{id}", Route::Update),
            (Method::PATCH, "/api/tasks/{id}/update", Route::Update),
            (Method::PATCH, "/api/tasks/{id}/status", Route::Status),
            (Method::DELETE, "/api/tasks/{id}", Route::Delete),
            (Method::DELETE, "/api/tasks/{id}/delete", Route::Delete),
            (Method::GET, "/api/tasks/{id}/history", Route::History),
            (Method::POST, "/api/tasks/{id}/claim", Route::Claim),
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
        assert!(router.at(&http::Method::POST, "/api/tasks/create-unassigned/").is_ok());
        assert!(router.at(&http::Method::GET, "/api/tasks/project/3/").is_ok());
    }
}
