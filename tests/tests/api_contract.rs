//! The contract every route keeps: the envelope, both path spellings, languages, health,
//! the published keys, CORS.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use teamsync_tests::{PASSWORD, Stack};

#[tokio::test]
async fn routes_answer_with_and_without_the_trailing_slash() {
    let stack = Stack::start().await;
    stack.register("alice", json!({})).await;
    let tokens = stack.login("alice", PASSWORD).await;
    for path in [
        "/api/auth/me",
        "/api/auth/me/",
        "/api/users",
        "/api/users/",
        "/api/users/alice",
        "/api/users/alice/",
        "/api/health",
        "/api/health/",
    ] {
        let answer = stack.get(path, Some(&tokens.access)).await;
        assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
        assert_eq!(answer.body["code"], 200, "{path}");
    }
    let unknown = stack.get("/api/auth/nothing-here/", Some(&tokens.access)).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["code"], 404, "the function's own 404 is an envelope");
    let wrong_method = stack.send(stack.request(reqwest::Method::DELETE, "/api/auth/login/", None)).await;
    assert_eq!(wrong_method.status, 405);
}

#[tokio::test]
async fn a_method_a_path_does_not_take_answers_405_with_the_methods_it_does() {
    let stack = Stack::start().await;
    stack.register_team_admin("alice", "Team A").await;
    let token = stack.login("alice", PASSWORD).await.access;
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/api/auth/login/", "POST"),
        (reqwest::Method::PUT, "/api/auth/me/", "GET, PATCH"),
        (reqwest::Method::POST, "/api/projects/1/", "GET, PATCH, DELETE"),
        (reqwest::Method::TRACE, "/.well-known/jwks.json", "GET"),
        // Paths of one function under a broader path of another: still their own function's.
        (reqwest::Method::PATCH, "/api/tasks/list/", "GET"),
        (reqwest::Method::DELETE, "/api/projects/1/kanban/", "GET"),
        (reqwest::Method::GET, "/api/tasks/1/attachments/", "POST"),
        (reqwest::Method::POST, "/api/dashboard/member/", "GET"),
    ] {
        let answer = stack.send(stack.request(method.clone(), path, Some(&token))).await;
        assert_eq!(answer.status, 405, "{method} {path}: {:?}", answer.body);
        let header = answer.headers.get("allow").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header.as_deref(), Some(allow), "{method} {path}");
    }
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let stack = Stack::start().await;
    let ask = |lang: &'static str| {
        stack
            .request(reqwest::Method::POST, "/api/auth/login/", None)
            .header("accept-language", lang)
            .json(&json!({"username": "nobody", "password": "whatever1"}))
    };
    let chinese = stack.send(ask("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert_eq!(chinese.body["message"], "用户名或密码错误");
    let english = stack.send(ask("en-GB,en;q=0.9")).await;
    assert_eq!(english.body["message"], "Wrong username or password");
    let registered = stack
        .send(
            stack
                .request(reqwest::Method::POST, "/api/auth/register/", None)
                .header("accept-language", "zh")
                .json(&json!({"username": "x"})),
        )
        .await;
    assert_eq!(registered.field_errors()["password"], "该字段为必填项");
}

#[tokio::test]
async fn health_and_the_key_set_need_no_token_and_the_keys_verify_our_tokens() {
    let stack = Stack::start().await;
    let health = stack.get("/api/health/", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.data()["version"], env!("CARGO_PKG_VERSION"));

    let jwks = stack.get("/.well-known/jwks.json", None).await;
    assert_eq!(jwks.status, 200);
    let key = &jwks.body["keys"][0];
    assert_eq!((key["kty"].as_str(), key["alg"].as_str()), (Some("EC"), Some("ES256")));

    stack.register("alice", json!({})).await;
    let tokens = stack.login("alice", PASSWORD).await;
    let decoding = DecodingKey::from_ec_components(key["x"].as_str().unwrap(), key["y"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["teamsync-api"]);
    let verified = jsonwebtoken::decode::<Value>(&tokens.access, &decoding, &validation)
        .expect("the published key verifies our token");
    assert_eq!(verified.header.kid.as_deref(), key["kid"].as_str());
    for claim in ["sub", "sid", "iss", "aud", "exp"] {
        assert!(verified.claims.get(claim).is_some(), "claim {claim}");
    }
    let lifetime = verified.claims["exp"].as_i64().unwrap() - verified.claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 15 * 60, "access tokens live 15 minutes");
}

#[tokio::test]
async fn browsers_get_cors_answers_as_template_yaml_configures() {
    let stack = Stack::start().await;
    let preflight = stack
        .send(
            stack
                .request(reqwest::Method::OPTIONS, "/api/auth/login/", None)
                .header("origin", "http://localhost:3000")
                .header("access-control-request-method", "POST"),
        )
        .await;
    assert_eq!(preflight.status, 204);
    let allowed = preflight.headers["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    let answer = stack
        .send(stack.request(reqwest::Method::GET, "/api/health/", None).header("origin", "http://localhost:3000"))
        .await;
    assert_eq!(answer.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn a_path_no_route_takes_answers_the_404_envelope() {
    let stack = Stack::start().await;
    let token = stack.login(teamsync_tests::ADMIN, teamsync_tests::ADMIN_PASSWORD).await.access;
    for (path, token) in
        [("/", None), ("/favicon.ico", None), ("/api/nowhere/", Some(token.as_str())), ("/api/v2/projects/", None)]
    {
        let answer = stack.get(path, token).await;
        assert_eq!(answer.status, 404, "{path}: {:?}", answer.body);
        assert_eq!(answer.body["code"], 404, "{path}: {:?}", answer.body);
        assert_eq!(answer.body["message"], "No such endpoint", "{path}");
        assert!(answer.body["request_id"].is_string(), "{path}: {:?}", answer.body);
    }
    let posted = stack.post("/api/nowhere/", None, json!({"x": 1})).await;
    assert_eq!((posted.status, posted.body["code"].as_u64()), (404, Some(404)), "{:?}", posted.body);
}

#[tokio::test]
async fn a_create_answers_where_to_read_what_it_made() {
    let stack = Stack::start().await;
    let world = teamsync_tests::world::World::build(&stack).await;
    let alice = world.alice.token.as_str();
    let location = |answer: &teamsync_tests::Answer| {
        assert_eq!(answer.status, 201, "{:?}", answer.body);
        answer.headers["location"].to_str().unwrap().to_owned()
    };
    let follow = |path: String, token: &str| {
        let token = token.to_owned();
        let stack = &stack;
        async move { stack.get(&path, Some(&token)).await }
    };

    let project =
        stack.post("/api/projects/", Some(alice), json!({"title": "Followed", "member_ids": [world.bob.id]})).await;
    let read = follow(location(&project), alice).await;
    assert_eq!((read.status, &read.data()["id"]), (200, &project.data()["id"]));

    let task = stack
        .post(
            &format!("/api/projects/{}/tasks/", world.project),
            Some(alice),
            json!({"title": "Followed", "assignee_id": world.bob.id}),
        )
        .await;
    let read = follow(location(&task), alice).await;
    assert_eq!((read.status, &read.data()["title"]), (200, &json!("Followed")));

    let link = stack
        .post(
            &format!("/api/tasks/{}/dependencies/", task.data()["id"]),
            Some(alice),
            json!({"depends_on": world.task}),
        )
        .await;
    let read = follow(location(&link), alice).await;
    assert_eq!(read.data()["dependencies"], json!([world.task]));

    let registered = stack
        .send(
            stack
                .request(reqwest::Method::POST, "/api/auth/register/", None)
                .json(&json!({"username": "newcomer", "password": PASSWORD})),
        )
        .await;
    let read = follow(location(&registered), &world.root.token).await;
    assert_eq!((read.status, &read.data()["username"]), (200, &json!("newcomer")));

    let bob = world.bob.token.as_str();
    let pdf = teamsync_tests::files::PDF;
    let ticket =
        teamsync_tests::files::upload_url(&stack, bob, world.task, "plan.pdf", "application/pdf", pdf.len()).await;
    let key = ticket.data()["file_key"].as_str().unwrap().to_owned();
    assert_eq!(
        teamsync_tests::files::put(ticket.data()["upload_url"].as_str().unwrap(), "application/pdf", pdf).await,
        200
    );
    let confirmed =
        teamsync_tests::files::confirm(&stack, bob, world.task, &key, "plan.pdf", "application/pdf", pdf.len()).await;
    let read = follow(location(&confirmed), bob).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert!(read.data()["download_url"].is_string());
}
