//! The local S3: s3s-fs over a directory, on a listener of its own. Unlike moto it checks
//! SigV4 signatures and the expiry of presigned URLs (DESIGN §4), so an upload URL the
//! functions sign refuses another type or length here as S3 would.
//!
//! s3s does not do CORS, so the emulator answers it in front of s3s as S3 does for the
//! bucket's CorsRules from template.yaml: browsers PUT and GET straight to the bucket.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_config::SdkConfig;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{Body, HttpError, HttpResponse};
use s3s_fs::FileSystem;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::stack::{ACCESS_KEY_ID, SECRET_ACCESS_KEY};
use crate::template::CorsRule;

/// A running local S3 serving one bucket, path-style: `<url>/<bucket>/<key>`.
pub struct S3Emulator {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    server: JoinHandle<()>,
}

impl S3Emulator {
    /// Serves the objects under `root` on 127.0.0.1:`port` (0 picks a free port), with
    /// `bucket` created if missing. Only the local SDK configuration's credentials sign.
    pub async fn start(root: &Path, port: u16, bucket: &str, cors_rules: Vec<CorsRule>) -> Result<S3Emulator, String> {
        // s3s-fs keeps a bucket as a directory of the root.
        let bucket_dir = root.join(bucket);
        std::fs::create_dir_all(&bucket_dir).map_err(|e| format!("cannot create {}: {e}", bucket_dir.display()))?;
        let file_system =
            FileSystem::new(root).map_err(|e| format!("cannot serve S3 from {}: {e:?}", root.display()))?;
        let mut builder = S3ServiceBuilder::new(file_system);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY_ID, SECRET_ACCESS_KEY));
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let cors = BucketCors { bucket: bucket.to_owned(), rules: cors_rules };
        let server = tokio::spawn(serve(listener, builder.build(), cors));
        Ok(S3Emulator { url: format!("http://{address}"), server })
    }
}

impl Drop for S3Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An S3 client of the emulator: path-style, as its URLs are, so that presigned URLs point
/// at it too.
pub fn client(sdk: &SdkConfig, url: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(sdk).endpoint_url(url).force_path_style(true).build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A directory of its own under the system's temporary directory, removed when dropped:
/// the objects of a stack that lives as long as a test.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn create() -> Result<ScratchDir, String> {
        let path = std::env::temp_dir().join(format!("teamsync-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(ScratchDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Serves until the task is dropped. Connections belong to the task, so keep-alive
/// connections end with it too.
async fn serve(listener: TcpListener, s3: S3Service, cors: BucketCors) {
    let cors = Arc::new(cors);
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        let (s3, cors) = (s3.clone(), cors.clone());
        let service = service_fn(move |req| {
            let (s3, cors) = (s3.clone(), cors.clone());
            async move { cors.answer(req, &s3).await }
        });
        connections.spawn(async move {
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// The CORS configuration of the emulator's bucket.
struct BucketCors {
    bucket: String,
    rules: Vec<CorsRule>,
}

impl BucketCors {
    async fn answer(&self, req: hyper::Request<Incoming>, s3: &S3Service) -> Result<HttpResponse, HttpError> {
        let origin = header(req.headers(), http::header::ORIGIN).map(str::to_owned);
        if req.method() == Method::OPTIONS
            && let Some(origin) = &origin
            && let Some(method) = header(req.headers(), http::header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return Ok(self.preflight(req.uri().path(), origin, method, req.headers()));
        }
        let method = req.method().clone();
        let in_bucket = self.is_in_bucket(req.uri().path());
        let mut response = s3.call(req.map(Body::from)).await?;
        if let Some(origin) = origin
            && in_bucket
            && let Some(rule) = self.rules.iter().find(|rule| allows(rule, &origin, method.as_str()))
        {
            let headers = response.headers_mut();
            allow_origin(headers, rule, &origin);
            insert_list(headers, http::header::ACCESS_CONTROL_EXPOSE_HEADERS, &rule.exposed_headers);
        }
        Ok(response)
    }

    /// S3's answer to a preflight: the first rule that allows the origin, the method and
    /// every requested header, or 403.
    fn preflight(&self, path: &str, origin: &str, method: &str, headers: &HeaderMap) -> HttpResponse {
        if !self.is_in_bucket(path) || self.rules.is_empty() {
            return forbidden("CORSResponse: CORS is not enabled for this bucket.");
        }
        let requested_headers: Vec<&str> = header(headers, http::header::ACCESS_CONTROL_REQUEST_HEADERS)
            .map(|value| value.split(',').map(str::trim).filter(|h| !h.is_empty()).collect())
            .unwrap_or_default();
        let Some(rule) = self.rules.iter().find(|rule| {
            allows(rule, origin, method)
                && requested_headers.iter().all(|header| {
                    rule.allowed_headers
                        .iter()
                        .any(|allowed| wildcard_match(&allowed.to_ascii_lowercase(), &header.to_ascii_lowercase()))
                })
        }) else {
            return forbidden(
                "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, \
                 request method / Access-Control-Request-Method or Access-Control-Request-Headers are not \
                 whitelisted by the resource's CORS spec.",
            );
        };
        let mut response = HttpResponse::new(Body::empty());
        let headers = response.headers_mut();
        allow_origin(headers, rule, origin);
        insert_list(headers, http::header::ACCESS_CONTROL_ALLOW_METHODS, &rule.allowed_methods);
        insert_list(headers, http::header::ACCESS_CONTROL_ALLOW_HEADERS, &requested_headers);
        insert_list(headers, http::header::ACCESS_CONTROL_EXPOSE_HEADERS, &rule.exposed_headers);
        if let Some(age) = rule.max_age {
            headers.insert(http::header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(age));
        }
        response
    }

    /// Whether a path-style request addresses the bucket (or an object in it).
    fn is_in_bucket(&self, path: &str) -> bool {
        path.split('/').nth(1) == Some(self.bucket.as_str())
    }
}

fn header(headers: &HeaderMap, name: http::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn allows(rule: &CorsRule, origin: &str, method: &str) -> bool {
    rule.allowed_origins.iter().any(|allowed| wildcard_match(allowed, origin))
        && rule.allowed_methods.iter().any(|allowed| allowed == method)
}

/// S3 answers `*` for a rule that allows any origin, else the origin itself, which may then
/// send credentials; either way the answer depends on the origin, so caches must vary on it.
fn allow_origin(headers: &mut HeaderMap, rule: &CorsRule, origin: &str) {
    let any_origin = rule.allowed_origins.iter().any(|allowed| allowed == "*");
    if any_origin {
        headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    } else if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    headers.insert(
        http::header::VARY,
        HeaderValue::from_static("Origin, Access-Control-Request-Headers, Access-Control-Request-Method"),
    );
}

fn insert_list<S: AsRef<str>>(headers: &mut HeaderMap, name: http::header::HeaderName, values: &[S]) {
    let joined = values.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ");
    if !joined.is_empty()
        && let Ok(value) = HeaderValue::from_str(&joined)
    {
        headers.insert(name, value);
    }
}

/// A CORS rule's pattern, which may hold one `*` standing for any text.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            text.len() >= prefix.len() + suffix.len() && text.starts_with(prefix) && text.ends_with(suffix)
        }
        None => pattern == text,
    }
}

/// S3's refusal of a CORS request, in its XML error format.
fn forbidden(message: &str) -> HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessForbidden</Code><Message>{message}</Message></Error>"
    );
    let mut response = HttpResponse::new(Body::from(body));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response.headers_mut().insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_stands_for_any_text_between_its_prefix_and_suffix() {
        assert!(wildcard_match("*", "https://app.example.com"));
        assert!(wildcard_match("http://localhost:*", "http://localhost:5173"));
        assert!(wildcard_match("https://*.example.com", "https://app.example.com"));
        assert!(!wildcard_match("https://*.example.com", "https://example.org"));
        assert!(!wildcard_match("ab*ba", "aba"));
        assert!(wildcard_match("content-type", "content-type"));
        assert!(!wildcard_match("content-type", "content-length"));
    }
}
