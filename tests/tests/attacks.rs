//! The classes of attack an outside review sent at a running stack, kept as tests: forged
//! and swapped tokens, malformed and oversized bodies, traversal in keys and paths, and
//! races on the guards. Each answer is a 4xx in the envelope (never a 5xx), and nothing is
//! written.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use teamsync_tests::files::{PNG, confirm, object_exists, put, upload_avatar, upload_url};
use teamsync_tests::world::World;
use teamsync_tests::{Answer, PASSWORD, Stack};

fn assert_refused(answer: &Answer, status: u16, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.body["code"], status, "{what}: the envelope");
    assert!(answer.body["message"].is_string(), "{what}: {}", answer.body);
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn forged_and_swapped_tokens_get_401() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bob = stack.login("bob", PASSWORD).await;
    let claims = claims_of(&bob.access);

    // The genuine claims, signed with HMAC instead (a verifier that took the algorithm from
    // the token would check it against any key it has), made as an attacker would.
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mac = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"teamsync"), signed.as_bytes());
    let hmac = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref()));
    // bob's header and signature over alice's identity.
    let parts: Vec<&str> = bob.access.split('.').collect();
    let mut as_alice = claims.clone();
    as_alice["sub"] = json!(world.alice.id.to_string());
    let swapped = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(as_alice.to_string()), parts[2]);
    // A key id that points elsewhere.
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": "../../../../etc/passwd"});
    let other_kid = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), parts[1], parts[2]);
    let huge = format!("{}.{}.{}", parts[0], "A".repeat(100_000), parts[2]);

    let cases = [
        ("HS256 over genuine claims", hmac.as_str()),
        ("another user's id under bob's signature", swapped.as_str()),
        ("a foreign key id", other_kid.as_str()),
        ("a refresh token as an access token", bob.refresh.as_str()),
        ("100 KB of token", huge.as_str()),
        ("two tokens", &format!("{} {}", bob.access, world.alice.token)),
    ];
    for (what, token) in cases {
        for path in ["/api/auth/me/", "/api/projects/", "/api/notifications/"] {
            let answer = stack.get(path, Some(token)).await;
            assert_refused(&answer, 401, &format!("{what} on {path}"));
        }
    }
    let lowercase_scheme = stack
        .send(
            stack.request(Method::GET, "/api/auth/me/", None).header("authorization", format!("bearer {}", bob.access)),
        )
        .await;
    assert_eq!(lowercase_scheme.status, 200, "the scheme is case-insensitive");
    let basic = stack
        .send(
            stack.request(Method::GET, "/api/auth/me/", None).header("authorization", format!("Basic {}", bob.access)),
        )
        .await;
    assert_refused(&basic, 401, "another scheme");
    // A refresh with an access token, or with another session's refresh token reshaped.
    let refresh = stack.post("/api/auth/refresh/", None, json!({"refresh_token": bob.access})).await;
    assert_refused(&refresh, 401, "an access token to refresh");
    assert_eq!(stack.get("/api/auth/me/", Some(&bob.access)).await.status, 200, "nothing disturbed the session");
}

#[tokio::test]
async fn malformed_deep_and_oversized_bodies_get_400_and_write_nothing() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (alice, p, t) = (&world.alice.token, world.project, world.task);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{{\"title\": {}{}}}", "{\"a\":".repeat(10_000), "1".to_owned() + &"}".repeat(10_000));
    let megabyte = "x".repeat(1 << 20);
    let raw = |method: Method, path: String, body: String| {
        stack.request(method, &path, Some(alice)).header("content-type", "application/json").body(body)
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, &str)> = vec![
        ("10,000-deep array", raw(Method::POST, format!("/api/projects/{p}/tasks/"), deep.clone()), "body"),
        ("10,000-deep object", raw(Method::PATCH, format!("/api/tasks/{t}/"), deep_object), "body"),
        ("a lone surrogate", raw(Method::PATCH, format!("/api/tasks/{t}/"), r#"{"title": "\ud800"}"#.into()), "body"),
        ("a string body", raw(Method::POST, "/api/projects/".into(), "\"a project\"".into()), "body"),
        ("trailing garbage", raw(Method::PATCH, format!("/api/projects/{p}/"), r#"{"title": "x"} {"#.into()), "body"),
        (
            "a megabyte of title",
            raw(Method::PATCH, format!("/api/tasks/{t}/"), json!({"title": megabyte}).to_string()),
            "title",
        ),
        (
            "an id past u64",
            raw(Method::PATCH, format!("/api/tasks/{t}/"), r#"{"assignee_id": 18446744073709551616}"#.into()),
            "assignee_id",
        ),
        (
            "a negative id",
            raw(Method::PATCH, format!("/api/tasks/{t}/"), r#"{"assignee_id": -3}"#.into()),
            "assignee_id",
        ),
        (
            "a fractional id",
            raw(Method::PUT, format!("/api/projects/{p}/members/"), r#"{"member_ids": [2.5]}"#.into()),
            "member_ids",
        ),
        (
            "an operator object",
            raw(Method::POST, "/api/auth/login/".into(), r#"{"username": {"$gt": ""}, "password": {"$ne": 1}}"#.into()),
            "username",
        ),
    ];
    let before = stack.get(&format!("/api/projects/{p}/"), Some(alice)).await.body;
    for (what, request, field) in cases {
        let answer = stack.send(request).await;
        assert_refused(&answer, 400, what);
        assert!(answer.field_errors().contains_key(field), "{what}: {}", answer.body);
    }
    for query in ["page=99999999999999999999999", "page_size=1e9", "page=-1", "page_size=0"] {
        let answer = stack.get(&format!("/api/projects/?{query}"), Some(alice)).await;
        assert_refused(&answer, 400, query);
    }
    let after = stack.get(&format!("/api/projects/{p}/"), Some(alice)).await.body;
    assert_eq!(before["data"], after["data"], "nothing was written");
}

#[tokio::test]
async fn traversal_in_keys_and_paths_reaches_nothing() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (bob, carol) = (&world.bob.token, &world.carol.token);

    // bob's avatar upload and an attachment upload of his task.
    let avatar_key = upload_avatar(&stack, bob, "me.png", "image/png", PNG).await;
    let ticket = upload_url(&stack, bob, world.task, "a.png", "image/png", PNG.len()).await;
    let task_key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert_eq!(put(ticket.data()["upload_url"].as_str().unwrap(), "image/png", PNG).await, 200);
    let uuid = task_key.split('/').nth(3).unwrap().to_owned();

    // carol, from her own scope, names bob's objects by climbing out of it.
    let climbs = [
        format!("uploads/avatars/{}/../{}/{}", world.carol.id, world.bob.id, avatar_key.rsplit('/').next().unwrap()),
        format!("uploads/avatars/{}/{uuid}/../../../{avatar_key}", world.carol.id),
        format!("uploads/avatars/{}/{uuid}/%2e%2e%2f%2e%2e%2f{}", world.carol.id, world.bob.id),
        avatar_key.replace(&format!("avatars/{}/", world.bob.id), &format!("avatars/{}/", world.carol.id)),
        "/etc/passwd".into(),
    ];
    for key in &climbs {
        let answer = stack.post("/api/auth/me/avatar/", Some(carol), json!({"file_key": key})).await;
        assert_refused(&answer, 400, key);
    }
    // An attachment confirm of another task's key, or of an avatar's, through this task.
    let other = world.create_task(&stack, world.project, "Other", world.bob.id).await;
    for key in [
        task_key.replace(&format!("tasks/{}/", world.task), &format!("tasks/{other}/../{}/", world.task)),
        avatar_key.clone(),
    ] {
        let answer = confirm(&stack, bob, other, &key, "a.png", "image/png", PNG.len()).await;
        assert_refused(&answer, 400, &key);
    }
    assert!(object_exists(&stack, &avatar_key).await && object_exists(&stack, &task_key).await, "nothing was moved");

    // Avatar links that climb out of `avatars/`.
    for path in [
        format!("/api/files/avatars/{}/../../{task_key}", world.bob.id),
        format!("/api/files/avatars/%2e%2e/{task_key}"),
        format!("/api/files/{task_key}"),
        "/api/files/avatars/1/not-a-uuid/x.png".into(),
    ] {
        let answer = stack.get(&path, None).await;
        assert!(answer.status == 404 || answer.status == 400, "{path}: {} {}", answer.status, answer.body);
    }
    // Ids that are not ids.
    for path in [
        "/api/tasks/1%2F..%2F2/",
        "/api/tasks/-1/",
        "/api/tasks/1e3/",
        "/api/projects/0x1/",
        "/api/attachments/..%2F1/download-url/",
    ] {
        let answer = stack.get(path, Some(&world.alice.token)).await;
        assert_refused(&answer, 404, path);
    }
}

#[tokio::test]
async fn racing_requests_on_a_guard_have_exactly_one_winner() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;

    // One user invited into two teams at once: one team gets them.
    stack.register("zed", json!({})).await;
    let (a_token, e_token) = (world.alice.token.clone(), world.eve.token.clone());
    let body = json!({"username": "zed", "role": "member"});
    let invites = futures_util::future::join_all(
        [&a_token, &e_token, &a_token, &e_token]
            .map(|token| stack.post("/api/team/invite/", Some(token), body.clone())),
    )
    .await;
    let won: Vec<u16> = invites.iter().map(|a| a.status).filter(|s| *s == 200).collect();
    assert_eq!(won.len(), 1, "{:?}", invites.iter().map(|a| (a.status, &a.body)).collect::<Vec<_>>());
    assert!(
        invites.iter().all(|a| a.status == 200 || a.status == 409),
        "{:?}",
        invites.iter().map(|a| a.status).collect::<Vec<_>>()
    );

    // Five claims of one unassigned task: one member holds it.
    let body = json!({"project_id": world.project, "title": "Up for grabs"});
    let created = stack.post("/api/tasks/create-unassigned/", Some(&world.alice.token), body).await;
    let task = created.data()["id"].as_u64().unwrap();
    let claimers = [&world.bob.token, &world.carol.token, &world.bob.token, &world.carol.token, &world.carol.token];
    let path = format!("/api/tasks/{task}/claim/");
    let claims = futures_util::future::join_all(claimers.map(|token| stack.post(&path, Some(token), json!({})))).await;
    let statuses: Vec<u16> = claims.iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [200, 409, 422].contains(s)), "{statuses:?}");

    // Ten registrations of one email under different names: one account has it.
    let registrations = futures_util::future::join_all((0..10).map(|i| {
        stack.post(
            "/api/auth/register/",
            None,
            json!({"username": format!("twin{i}"), "password": PASSWORD, "email": "twin@example.com"}),
        )
    }))
    .await;
    let statuses: Vec<u16> = registrations.iter().map(|a| a.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| [201, 409].contains(s)), "{statuses:?}");
}
