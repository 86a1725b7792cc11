//! The local S3 with the bucket's CORS rules from the real template.yaml, called as the
//! functions and browsers call S3: the AWS SDK (object calls, presigning) and plain HTTP
//! (presigned URLs, CORS). It must refuse what S3 refuses, or uploads that would fail on AWS
//! pass locally.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, MetadataDirective, ObjectIdentifier};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use teamsync_local::project_root;
use teamsync_local::s3::{self, S3Emulator, ScratchDir};
use teamsync_local::stack::sdk_config;
use teamsync_local::template::Template;

const BUCKET: &str = "teamsync-attachments";
const PDF: &str = "application/pdf";

struct Local {
    emulator: S3Emulator,
    client: aws_sdk_s3::Client,
    http: reqwest::Client,
    /// Declared after the emulator, so that it stops before its objects go.
    _root: ScratchDir,
}

impl Local {
    async fn start() -> Local {
        let template = Template::load(&project_root().join("template.yaml")).unwrap();
        let rules = template.buckets[0].cors_rules.clone();
        let root = ScratchDir::create().unwrap();
        let emulator = S3Emulator::start(root.path(), 0, BUCKET, rules).await.unwrap();
        let client = s3::client(&sdk_config(&emulator.url).await, &emulator.url);
        Local { emulator, client, http: reqwest::Client::new(), _root: root }
    }

    /// A presigned upload URL as the functions make it: type and length signed.
    async fn upload_url(&self, key: &str, content_type: &str, length: usize, valid_for: Duration) -> String {
        let request = self
            .client
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .content_type(content_type)
            .content_length(i64::try_from(length).unwrap())
            .presigned(PresigningConfig::expires_in(valid_for).unwrap())
            .await
            .unwrap();
        request.uri().to_owned()
    }

    async fn download_url(&self, key: &str) -> String {
        let config = PresigningConfig::expires_in(Duration::from_secs(300)).unwrap();
        self.client.get_object().bucket(BUCKET).key(key).presigned(config).await.unwrap().uri().to_owned()
    }

    async fn put(&self, url: &str, content_type: &str, body: &'static [u8]) -> StatusCode {
        let response = self.http.put(url).header(CONTENT_TYPE, content_type).body(body).send().await.unwrap();
        response.status()
    }

    /// The error S3 answered a PUT with, which must be a 403.
    async fn refused_put(&self, url: &str, content_type: &str, body: &'static [u8]) -> String {
        let response = self.http.put(url).header(CONTENT_TYPE, content_type).body(body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        response.text().await.unwrap()
    }

    async fn put_object(&self, key: &str, body: &'static [u8]) {
        let body = ByteStream::from_static(body);
        self.client.put_object().bucket(BUCKET).key(key).content_type(PDF).body(body).send().await.unwrap();
    }

    async fn exists(&self, key: &str) -> bool {
        match self.client.head_object().bucket(BUCKET).key(key).send().await {
            Ok(_) => true,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => false,
            Err(error) => panic!("HeadObject {key}: {error:?}"),
        }
    }

    fn object_url(&self, key: &str) -> String {
        format!("{}/{BUCKET}/{key}", self.emulator.url)
    }

    async fn preflight(&self, key: &str, method: &str, headers: &str) -> reqwest::Response {
        self.http
            .request(Method::OPTIONS, self.object_url(key))
            .header("Origin", "http://localhost:5173")
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
            .await
            .unwrap()
    }
}

/// The URL with one query parameter's value replaced.
fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let mut url = Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name { value.to_owned() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

fn query_param(url: &str, name: &str) -> String {
    let url = Url::parse(url).unwrap();
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[tokio::test]
async fn a_presigned_upload_and_download_round_trip_the_bytes() {
    let local = Local::start().await;
    let body: &[u8] = b"%PDF-1.7 a small report";
    let url = local.upload_url("uploads/report.pdf", PDF, body.len(), Duration::from_secs(300)).await;
    let signed_headers = query_param(&url, "X-Amz-SignedHeaders");
    assert!(signed_headers.split(';').any(|h| h == "content-length"), "{signed_headers}");
    assert!(signed_headers.split(';').any(|h| h == "content-type"), "{signed_headers}");

    assert_eq!(local.put(&url, PDF, body).await, StatusCode::OK);
    let download = local.http.get(local.download_url("uploads/report.pdf").await).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap(), body);

    let head = local.client.head_object().bucket(BUCKET).key("uploads/report.pdf").send().await.unwrap();
    assert_eq!(head.content_length(), Some(i64::try_from(body.len()).unwrap()));
    assert_eq!(head.content_type(), Some(PDF));
}

#[tokio::test]
async fn uploads_s3_would_refuse_are_refused() {
    let local = Local::start().await;
    let body: &[u8] = b"0123456789";
    let key = "uploads/refused.pdf";
    let url = local.upload_url(key, PDF, body.len(), Duration::from_secs(300)).await;

    let signature = query_param(&url, "X-Amz-Signature");
    let flipped = if signature.ends_with('0') { "1" } else { "0" };
    let tampered_signature = with_query_param(&url, "X-Amz-Signature", &format!("{}{flipped}", &signature[..63]));
    let tampered_expiry = with_query_param(&url, "X-Amz-Expires", "604800");
    let mismatches = [
        ("tampered signature", local.refused_put(&tampered_signature, PDF, body).await),
        ("tampered expiry", local.refused_put(&tampered_expiry, PDF, body).await),
        ("another content type", local.refused_put(&url, "text/html", body).await),
        ("another length", local.refused_put(&url, PDF, b"0123456789 and more").await),
    ];
    for (case, error) in mismatches {
        assert!(error.contains("<Code>SignatureDoesNotMatch</Code>"), "{case}: {error}");
    }
    let unsigned = local.refused_put(&local.object_url(key), PDF, body).await;
    assert!(unsigned.contains("<Code>AccessDenied</Code>"), "{unsigned}");

    let short_lived = local.upload_url(key, PDF, body.len(), Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let expired = local.refused_put(&short_lived, PDF, body).await;
    assert!(expired.contains("Request has expired"), "{expired}");

    assert!(!local.exists(key).await);
    assert_eq!(local.put(&url, PDF, body).await, StatusCode::OK, "the untampered URL still works");
}

#[tokio::test]
async fn a_copy_replacing_metadata_sets_what_downloads_answer() {
    let local = Local::start().await;
    local.put_object("uploads/raw", b"%PDF-1.7").await;
    let disposition = "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf";
    local
        .client
        .copy_object()
        .bucket(BUCKET)
        .copy_source(format!("{BUCKET}/uploads/raw"))
        .key("files/1/report.pdf")
        .metadata_directive(MetadataDirective::Replace)
        .content_type(PDF)
        .content_disposition(disposition)
        .send()
        .await
        .unwrap();

    let download = local.http.get(local.download_url("files/1/report.pdf").await).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()[CONTENT_DISPOSITION], disposition);
    assert_eq!(download.headers()[CONTENT_TYPE], PDF);
    assert_eq!(download.bytes().await.unwrap(), &b"%PDF-1.7"[..]);
}

#[tokio::test]
async fn delete_objects_removes_them() {
    let local = Local::start().await;
    let keys = ["files/1/a.pdf", "files/1/b.pdf"];
    for key in keys {
        local.put_object(key, b"content").await;
    }
    assert!(local.exists(keys[0]).await);
    let objects = keys.iter().map(|key| ObjectIdentifier::builder().key(*key).build().unwrap()).collect();
    let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build().unwrap();
    let output = local.client.delete_objects().bucket(BUCKET).delete(delete).send().await.unwrap();
    assert!(output.errors().is_empty(), "{:?}", output.errors());
    for key in keys {
        assert!(!local.exists(key).await, "{key} is still there");
    }
}

#[tokio::test]
async fn cors_is_answered_as_the_buckets_rules_say() {
    let local = Local::start().await;
    let allowed = local.preflight("uploads/x.pdf", "PUT", "content-type").await;
    assert_eq!(allowed.status(), StatusCode::OK);
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(headers["access-control-allow-methods"], "PUT, GET, HEAD");
    assert_eq!(headers["access-control-allow-headers"], "content-type");
    assert_eq!(headers["access-control-max-age"], "3000");

    let other_method = local.preflight("uploads/x.pdf", "DELETE", "content-type").await;
    assert_eq!(other_method.status(), StatusCode::FORBIDDEN);
    let other_header = local.preflight("uploads/x.pdf", "PUT", "content-type, x-amz-acl").await;
    assert_eq!(other_header.status(), StatusCode::FORBIDDEN);

    local.put_object("files/1/a.pdf", b"content").await;
    let download_url = local.download_url("files/1/a.pdf").await;
    let download = local.http.get(download_url).header("Origin", "http://localhost:5173").send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["access-control-allow-origin"], "*");
    assert_eq!(download.headers()["access-control-expose-headers"], "ETag, Content-Disposition");
}
