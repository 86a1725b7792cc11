//! The projects function: projects, their members and progress (seed 001 §3, supplement
//! 4.12). Handlers parse and authorize, call one domain function, and render; the rules live
//! in `teamsync::projects`.

mod handlers;

use http::Method;
use lambda_http::{Body, Request, Response};
use teamsync::AppContext;
use teamsync::api::{self, Router};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
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

pub struct Projects {
    ctx: AppContext,
    router: Router<Route>,
}

impl Projects {
    pub fn new(ctx: AppContext) -> Self {
        Projects { ctx, router: routes() }
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
        assert!(router.at(&http::Method::GET, "/api/projects/7/tasks/progress/").is_ok());
    }
}
