//! The API's reference, served by the local gateway beside the API: the document at
//! `/api/openapi.yaml` and `/api/openapi.json`, and at `/api/docs/` a page to read it and
//! try requests against this stack (Swagger UI, installed by `infra/scripts/reference.sh`
//! from the npm registry into `infra/reference/node_modules`; nothing comes from a CDN).
//! Local only: template.yaml deploys the API, not its reference.

use std::path::{Path, PathBuf};

use http::{HeaderValue, Method, StatusCode};
use hyper::body::Bytes;

use crate::gateway::{Reply, gateway_message, plain};
use crate::openapi;

pub struct Reference {
    root: PathBuf,
}

/// The page's own files, and the viewer's that it loads.
const PAGE: &str = "infra/reference/index.html";
const VIEWER: &str = "infra/reference/node_modules/swagger-ui-dist";
const VIEWER_FILES: [(&str, &str); 4] = [
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
    ("favicon-16x16.png", "image/png"),
];

impl Reference {
    pub fn new(root: &Path) -> Reference {
        Reference { root: root.to_owned() }
    }

    /// The reference's answer to a request, or None when the path is not the reference's.
    /// Files are read at each request, so an edit of the document shows on a reload.
    pub fn answer(&self, method: &Method, path: &str) -> Option<Reply> {
        let served = Served::of(path)?;
        if method != Method::GET && method != Method::HEAD {
            return Some(gateway_message(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed"));
        }
        let read = match served {
            Served::Yaml => std::fs::read(openapi::document_path(&self.root)),
            Served::Json => openapi::load(&self.root)
                .map(|document| document.to_string().into_bytes())
                .map_err(std::io::Error::other),
            Served::Page => std::fs::read(self.root.join(PAGE)),
            Served::Viewer(name, _) => std::fs::read(self.root.join(VIEWER).join(name)),
        };
        Some(match read {
            Ok(bytes) => {
                let mut reply = plain(StatusCode::OK, Bytes::from(bytes));
                let headers = reply.headers_mut();
                headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(served.content_type()));
                headers.insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                reply
            }
            Err(error) => {
                tracing::warn!(%error, path, "the API reference is not installed (infra/scripts/reference.sh)");
                gateway_message(StatusCode::NOT_FOUND, "The API reference is not installed: run make run")
            }
        })
    }
}

/// What a path of the reference serves.
#[derive(Clone, Copy)]
enum Served {
    Yaml,
    Json,
    Page,
    Viewer(&'static str, &'static str),
}

impl Served {
    fn of(path: &str) -> Option<Served> {
        Some(match path {
            "/api/openapi.yaml" => Served::Yaml,
            "/api/openapi.json" => Served::Json,
            "/api/docs" | "/api/docs/" => Served::Page,
            _ => {
                let name = path.strip_prefix("/api/docs/")?;
                let (name, kind) = VIEWER_FILES.iter().find(|(file, _)| *file == name)?;
                Served::Viewer(name, kind)
            }
        })
    }

    fn content_type(self) -> &'static str {
        match self {
            Served::Yaml => "application/yaml; charset=utf-8",
            Served::Json => "application/json; charset=utf-8",
            Served::Page => "text/html; charset=utf-8",
            Served::Viewer(_, kind) => kind,
        }
    }
}
