//! The files function: task attachments through presigned S3 URLs (seed 001 §8, with the
//! client's `/api/files/...` paths), and the links avatars are served through. Handlers
//! parse, call one domain function and render; the rules live in `teamsync::files`.

mod handlers;

use std::future::Future;

use http::Method;
use lambda_http::Request;
use teamsync::api::{Endpoints, Function, PathParams, Reply, RequestMeta, Router};
use teamsync::{AppContext, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    UploadUrl,
    Confirm,
    DownloadUrl,
    Delete,
    Avatar,
}

pub type Files = Function<Route>;

impl Endpoints for Route {
    fn routes() -> Router<Route> {
        Router::new(&[
            (Method::POST, "/api/tasks/{id}/attachments/upload-url", Route::UploadUrl),
            (Method::POST, "/api/files/tasks/{id}/upload-url", Route::UploadUrl),
            (Method::POST, "/api/tasks/{id}/attachments", Route::Confirm),
            (Method::POST, "/api/files/tasks/{id}/attachments", Route::Confirm),
            (Method::GET, "/api/attachments/{id}/download-url", Route::DownloadUrl),
            (Method::GET, "/api/files/attachments/{id}/download-url", Route::DownloadUrl),
            (Method::DELETE, "/api/attachments/{id}", Route::Delete),
            (Method::DELETE, "/api/files/attachments/{id}", Route::Delete),
            (Method::GET, "/api/files/avatars/{user}/{file}/{name}", Route::Avatar),
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
        assert_eq!(router.at(&Method::POST, "/api/files/tasks/3/upload-url/").unwrap().0, Route::UploadUrl);
        assert_eq!(router.at(&Method::DELETE, "/api/files/attachments/9/").unwrap().0, Route::Delete);
    }
}
