//! Attachments and avatars through presigned S3 URLs (seed 001 §8, the client's upload
//! flow): real bytes through the local S3, which checks signatures as S3 does.

use serde_json::json;
use teamsync_tests::Stack;
use teamsync_tests::files::{
    PDF, PNG, attach, confirm, multipart_avatar, object_exists, put, upload_avatar, upload_url,
};
use teamsync_tests::world::World;

#[tokio::test]
async fn an_attachment_goes_up_and_comes_back_byte_for_byte_under_its_name() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let name = "设计 报告.pdf";
    let ticket = upload_url(&stack, &world.bob.token, world.task, name, "application/pdf", PDF.len()).await;
    assert_eq!((ticket.status, ticket.body["code"].as_u64()), (200, Some(200)), "{:?}", ticket.body);
    let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!("uploads/tasks/{}/", world.task)) && key.ends_with(".pdf"), "{key}");
    assert_eq!(ticket.data()["expires_in"], 300);
    let url = ticket.data()["upload_url"].as_str().unwrap();
    assert!(url.contains("content-length") && url.contains("content-type"), "type and size are signed: {url}");
    assert_eq!(put(url, "application/pdf", PDF).await, 200);

    let confirmed = confirm(&stack, &world.bob.token, world.task, &key, name, "application/pdf", PDF.len()).await;
    assert_eq!((confirmed.status, confirmed.body["code"].as_u64()), (201, Some(201)), "{:?}", confirmed.body);
    let attachment = confirmed.data().clone();
    assert_eq!(attachment["task_id"], world.task);
    assert_eq!(attachment["file_name"], name);
    assert_eq!(attachment["file_size"], PDF.len());
    assert_eq!(attachment["uploaded_by"], world.bob.id);
    assert_eq!(attachment["uploaded_by_name"], "bob");
    assert!(attachment["url"].as_str().unwrap().starts_with("http"));
    let again = confirm(&stack, &world.bob.token, world.task, &key, name, "application/pdf", PDF.len()).await;
    assert_eq!((again.status, again.data()["id"].clone()), (200, attachment["id"].clone()), "the same attachment");

    let detail = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token)).await;
    assert_eq!(detail.data()["attachments"][0]["id"], attachment["id"]);
    let id = attachment["id"].as_u64().unwrap();
    let link = stack.get(&format!("/api/files/attachments/{id}/download-url/"), Some(&world.bob.token)).await;
    assert_eq!((link.status, link.body["code"].as_u64()), (200, Some(200)));
    let download = reqwest::get(link.data()["download_url"].as_str().unwrap()).await.unwrap();
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename*=UTF-8''%E8%AE%BE%E8%AE%A1%20%E6%8A%A5%E5%91%8A.pdf"), "{disposition}");
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    assert!(!object_exists(&stack, &key).await, "the upload moved to its permanent key");

    let deleted = stack.delete(&format!("/api/files/attachments/{id}/"), Some(&world.bob.token)).await;
    assert_eq!((deleted.status, deleted.body["code"].as_u64()), (200, Some(204)));
    assert!(!object_exists(&stack, attachment["file_key"].as_str().unwrap()).await);
    let detail = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.bob.token)).await;
    assert_eq!(detail.data()["attachments"], json!([]));
}

#[tokio::test]
async fn the_local_s3_refuses_what_the_signature_does_not_allow() {
    let stack = Stack::with_settings(&[("TEAMSYNC_UPLOAD_URL_TTL_S", "1")]).await;
    let world = World::build(&stack).await;
    let fresh = upload_url(&stack, &world.bob.token, world.task, "a.pdf", "application/pdf", PDF.len()).await;
    let url = fresh.data()["upload_url"].as_str().unwrap().to_owned();
    assert_eq!(put(&url, "text/plain", PDF).await, 403, "another content type");
    assert_eq!(put(&url, "application/pdf", &PDF[1..]).await, 403, "another length");
    let signature_at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let mut tampered = url.clone();
    let flipped = if &url[signature_at..=signature_at] == "0" { "1" } else { "0" };
    tampered.replace_range(signature_at..=signature_at, flipped);
    assert_eq!(put(&tampered, "application/pdf", PDF).await, 403, "a tampered signature");
    let longer = url.replace("X-Amz-Expires=1", "X-Amz-Expires=3600");
    assert_ne!(longer, url);
    assert_eq!(put(&longer, "application/pdf", PDF).await, 403, "a tampered expiry");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(put(&url, "application/pdf", PDF).await, 403, "an expired URL");
    let key = fresh.data()["file_key"].as_str().unwrap();
    assert!(!object_exists(&stack, key).await, "nothing was stored");
}

#[tokio::test]
async fn a_confirm_checks_the_object_it_names() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = &world.bob.token;
    let pdf = "application/pdf";

    let never_uploaded = upload_url(&stack, bob, world.task, "a.pdf", pdf, PDF.len()).await;
    let missing_key = never_uploaded.data()["file_key"].as_str().unwrap();
    let missing = confirm(&stack, bob, world.task, missing_key, "a.pdf", pdf, PDF.len()).await;
    assert_eq!(missing.status, 400);
    assert!(missing.field_errors().contains_key("file_key"));

    let ticket = upload_url(&stack, bob, world.task, "b.pdf", pdf, PDF.len()).await;
    let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), pdf, PDF).await, 200);
    let other_task = world.create_task(&stack, world.project, "Other", world.bob.id).await;
    let elsewhere = confirm(&stack, bob, other_task, &key, "b.pdf", pdf, PDF.len()).await;
    assert_eq!(elsewhere.status, 400, "a key issued for another task");
    assert!(object_exists(&stack, &key).await, "another task's upload is not touched");
    let wrong_size = confirm(&stack, bob, world.task, &key, "b.pdf", pdf, PDF.len() + 1).await;
    assert_eq!(wrong_size.status, 400);
    assert!(!object_exists(&stack, &key).await, "a mismatching upload is removed");
    let invented = format!("uploads/tasks/{}/not-a-uuid/b.pdf", world.task);
    assert_eq!(confirm(&stack, bob, world.task, &invented, "b.pdf", pdf, PDF.len()).await.status, 400);

    let exe = upload_url(&stack, bob, world.task, "run.exe", "application/x-msdownload", 10).await;
    assert_eq!((exe.status, exe.body["error_code"].as_u64()), (400, Some(5002)));
    let huge = upload_url(&stack, bob, world.task, "big.pdf", pdf, 20 * 1024 * 1024 + 1).await;
    assert_eq!((huge.status, huge.body["error_code"].as_u64()), (400, Some(5003)));
    let empty = upload_url(&stack, bob, world.task, "", "", 0).await;
    assert_eq!(empty.status, 400);
}

#[tokio::test]
async fn every_file_route_refuses_the_wrong_user() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let attachment = attach(&stack, &world.bob.token, world.task, "spec.pdf").await;
    let id = attachment["id"].as_u64().unwrap();
    let pdf = "application/pdf";

    // Upload: the assignee and admins; carol sees the project but not the task; dave and
    // eve do not see the project.
    for (token, status) in [(&world.carol.token, 403), (&world.dave.token, 404), (&world.eve.token, 404)] {
        assert_eq!(upload_url(&stack, token, world.task, "x.pdf", pdf, 10).await.status, status);
        assert_eq!(confirm(&stack, token, world.task, "uploads/x", "x.pdf", pdf, 10).await.status, status);
    }
    assert_eq!(upload_url(&stack, &world.alice.token, world.task, "x.pdf", pdf, 10).await.status, 200);
    let anonymous = stack.post(&format!("/api/tasks/{}/attachments/upload-url/", world.task), None, json!({})).await;
    assert_eq!(anonymous.status, 401);

    // Download: whoever sees the task in full.
    let download = |token: Option<String>| {
        let stack = &stack;
        async move { stack.get(&format!("/api/attachments/{id}/download-url/"), token.as_deref()).await.status }
    };
    assert_eq!(download(Some(world.carol.token.clone())).await, 403);
    assert_eq!(download(Some(world.dave.token.clone())).await, 404);
    assert_eq!(download(Some(world.eve.token.clone())).await, 404);
    assert_eq!(download(None).await, 401);
    assert_eq!(download(Some(world.alice.token.clone())).await, 200);
    assert_eq!(download(Some(world.root.token.clone())).await, 200);

    // Delete: the uploader or an admin.
    for (token, status) in [(&world.carol.token, 403), (&world.dave.token, 404), (&world.eve.token, 404)] {
        assert_eq!(stack.delete(&format!("/api/attachments/{id}/"), Some(token)).await.status, status);
    }
    assert!(object_exists(&stack, attachment["file_key"].as_str().unwrap()).await);
    assert_eq!(stack.delete(&format!("/api/attachments/{id}/"), Some(&world.alice.token)).await.status, 200);
    assert_eq!(stack.delete(&format!("/api/attachments/{id}/"), Some(&world.alice.token)).await.status, 404);
}

#[tokio::test]
async fn deleting_a_task_or_a_project_leaves_no_object() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let leaf = world.create_task(&stack, world.project, "Leaf", world.bob.id).await;
    let on_leaf = attach(&stack, &world.bob.token, leaf, "leaf.pdf").await;
    let on_task = attach(&stack, &world.bob.token, world.task, "task.pdf").await;

    assert_eq!(stack.delete(&format!("/api/tasks/{leaf}/"), Some(&world.root.token)).await.status, 200);
    assert!(!object_exists(&stack, on_leaf["file_key"].as_str().unwrap()).await);
    assert!(object_exists(&stack, on_task["file_key"].as_str().unwrap()).await, "other tasks keep theirs");
    let gone = stack.get(&format!("/api/attachments/{}/download-url/", on_leaf["id"]), Some(&world.root.token)).await;
    assert_eq!(gone.status, 404);

    let project = format!("/api/projects/{}/", world.project);
    stack.patch(&format!("{project}archive/"), Some(&world.alice.token), json!(null)).await;
    assert_eq!(stack.delete(&project, Some(&world.root.token)).await.status, 200);
    assert!(!object_exists(&stack, on_task["file_key"].as_str().unwrap()).await);
    let listed = stack.s3_client().list_objects_v2().bucket(stack.bucket()).send().await.unwrap();
    assert_eq!(listed.key_count(), Some(0), "{:?}", listed.contents());
}

#[tokio::test]
async fn an_avatar_is_set_by_presigned_upload_or_multipart() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = &world.bob.token;
    let key = upload_avatar(&stack, bob, "me.png", "image/png", PNG).await;
    let set = stack.post("/api/auth/me/avatar/", Some(bob), json!({"file_key": key})).await;
    assert_eq!((set.status, set.body["code"].as_u64()), (200, Some(200)), "{:?}", set.body);
    let link = set.data()["avatar"].as_str().unwrap().to_owned();
    assert_eq!(set.data()["user"]["avatar"], link.as_str());
    assert!(link.starts_with(&stack.url), "{link}");
    let image = reqwest::get(&link).await.unwrap();
    assert_eq!((image.status().as_u16(), image.bytes().await.unwrap().as_ref()), (200, PNG));
    let project = stack.get(&format!("/api/projects/{}/", world.project), Some(bob)).await;
    let me = project.data()["members"].as_array().unwrap().iter().find(|m| m["id"] == world.bob.id).unwrap().clone();
    assert_eq!(me["avatar"], link.as_str(), "projects show the new avatar");

    // The client's multipart call.
    let uploaded = multipart_avatar(&stack, bob, "头像.png", "image/png", PNG).await;
    assert_eq!((uploaded.status, uploaded.body["code"].as_u64()), (200, Some(200)), "{:?}", uploaded.body);
    let second = uploaded.data()["avatar"].as_str().unwrap().to_owned();
    assert_ne!(second, link);
    assert_eq!(reqwest::get(&second).await.unwrap().bytes().await.unwrap().as_ref(), PNG);
    // The link itself answers a redirect to a presigned URL of the object.
    let redirect = stack.get(second.strip_prefix(&stack.url).unwrap_or(&second), None).await;
    assert_eq!(redirect.status, 302, "{:?}", redirect.body);
    assert!(redirect.headers["location"].to_str().unwrap().contains("X-Amz-Signature="));
    assert_eq!(stack.get("/api/auth/me/", Some(bob)).await.data()["avatar"], second.as_str());

    // Images only, 5 MiB at most, and only one's own.
    let pdf = json!({"file_name": "x.pdf", "file_type": "application/pdf", "file_size": 10});
    assert_eq!(stack.post("/api/auth/me/avatar/upload-url/", Some(bob), pdf).await.status, 400);
    let big = json!({"file_name": "x.png", "file_type": "image/png", "file_size": 5 * 1024 * 1024 + 1});
    assert_eq!(stack.post("/api/auth/me/avatar/upload-url/", Some(bob), big).await.status, 400);
    let carol = &world.carol.token;
    let not_hers = stack.post("/api/auth/me/avatar/", Some(carol), json!({"file_key": &key})).await;
    assert_eq!(not_hers.status, 400, "an upload key of someone else's is not an upload of hers");
    let refused = multipart_avatar(&stack, bob, "a.txt", "text/plain", b"hello").await;
    assert_eq!(refused.status, 400);
    assert_eq!(stack.post("/api/auth/me/avatar/upload-url/", None, json!({})).await.status, 401);
}
