//! The tasks function: three-level task trees (seed 001 §4, the supplement 4.8–4.11 and the
//! client's claim flow), including a project's task list. Handlers parse and authorize, call
//! one domain function, and render; the rules live in `teamsync::projects`.

mod handlers;

use http::Method;
use lambda_http::{Body, Request, Response};
use teamsync::AppContext;
use teamsync::api::{self, Router};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
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

pub struct Tasks {
    ctx: AppContext,
    router: Router<Route>,
}

impl Tasks {
    pub fn new(ctx: AppContext) -> Self {
        Tasks { ctx, router: routes() }
    }

    pub async fn handle(&self, req: Request) -> Response<Body> {
        api::serve(req, |req, meta| async move {
            let (route, params) = self.router.at(req.method(), req.uri().path())?;
            handlers::dispatch(&self.ctx, route, params, req, meta).await
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_route_table_builds() {
        let router = super::routes();
        assert!(router.at(&http::Method::POST, "/api/tasks/create-unassigned/").is_ok());
        assert!(router.at(&http::Method::GET, "/api/tasks/project/3/").is_ok());
    }
}
