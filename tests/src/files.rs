//! Files through the local S3 as the client moves them: upload tickets, presigned PUTs,
//! confirms, and a look at what the bucket holds.

use serde_json::{Value, json};

use crate::{Answer, Stack};

pub const PDF: &[u8] = b"%PDF-1.4\n% a small but real file\n%%EOF\n";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n an avatar's bytes";
/// A page that calls itself a picture: what a declared type must not be taken on trust for.
pub const HTML: &[u8] = b"<!doctype html><script>alert(document.domain)</script>";

pub async fn upload_url(stack: &Stack, token: &str, task: u64, name: &str, kind: &str, size: usize) -> Answer {
    let body = json!({"file_name": name, "file_type": kind, "file_size": size});
    stack.post(&format!("/api/files/tasks/{task}/upload-url/"), Some(token), body).await
}

/// A PUT to a presigned URL, as the client makes it: no auth, only type and length.
pub async fn put(url: &str, content_type: &str, bytes: &[u8]) -> u16 {
    let response = reqwest::Client::new()
        .put(url)
        .header("Content-Type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .expect("the local S3 answers");
    response.status().as_u16()
}

pub async fn confirm(stack: &Stack, token: &str, task: u64, key: &str, name: &str, kind: &str, size: usize) -> Answer {
    let body = json!({"file_key": key, "file_name": name, "file_type": kind, "file_size": size});
    stack.post(&format!("/api/tasks/{task}/attachments/"), Some(token), body).await
}

/// Uploads and confirms a PDF as `token`; returns the attachment.
pub async fn attach(stack: &Stack, token: &str, task: u64, name: &str) -> Value {
    let ticket = upload_url(stack, token, task, name, "application/pdf", PDF.len()).await;
    assert_eq!(ticket.status, 200, "{:?}", ticket.body);
    let key = ticket.data()["file_key"].as_str().unwrap();
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), "application/pdf", PDF).await, 200);
    let confirmed = confirm(stack, token, task, key, name, "application/pdf", PDF.len()).await;
    assert_eq!(confirmed.status, 201, "{:?}", confirmed.body);
    confirmed.data().clone()
}

pub async fn object_exists(stack: &Stack, key: &str) -> bool {
    stack.s3_client().head_object().bucket(stack.bucket()).key(key).send().await.is_ok()
}

/// Asks for an avatar upload ticket and PUTs `bytes` to it as `kind`; returns the key.
pub async fn upload_avatar(stack: &Stack, token: &str, name: &str, kind: &str, bytes: &[u8]) -> String {
    let body = json!({"file_name": name, "file_type": kind, "file_size": bytes.len()});
    let ticket = stack.post("/api/auth/me/avatar/upload-url/", Some(token), body).await;
    assert_eq!(ticket.status, 200, "{:?}", ticket.body);
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), kind, bytes).await, 200);
    ticket.data()["file_key"].as_str().unwrap().to_owned()
}

/// The client's multipart avatar call.
pub async fn multipart_avatar(stack: &Stack, token: &str, name: &str, kind: &str, bytes: &[u8]) -> Answer {
    let form = reqwest::multipart::Form::new().part(
        "avatar",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()).mime_str(kind).unwrap(),
    );
    stack.send(stack.request(reqwest::Method::POST, "/api/auth/me/avatar/upload/", Some(token)).multipart(form)).await
}
