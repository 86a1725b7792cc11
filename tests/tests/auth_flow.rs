//! Sign-up, sign-in, refresh, sign-out, and what happens to tokens afterwards.

use serde_json::json;
use teamsync::auth::SessionRecord;
use teamsync::keys::{self, Key};
use teamsync::store::{Ride, WriteGate};
use teamsync_local::calls::CallRecorder;
use teamsync_tests::{ADMIN, ADMIN_PASSWORD, PASSWORD, Stack};

#[tokio::test]
async fn register_login_me_refresh_logout_then_the_old_tokens_fail() {
    let stack = Stack::start().await;
    let registered = stack
        .register(
            "zhangsan",
            json!({"password_confirm": PASSWORD, "nickname": "张三", "telephone": "13425636267", "join_type": "join"}),
        )
        .await;
    assert_eq!(registered["username"], "zhangsan");
    assert_eq!(registered["role"], "visitor", "in no team yet");
    assert_eq!(registered["join_type"], "join");
    assert_eq!(registered["phone"], "13425636267");
    assert!(registered["id"].is_u64(), "ids are JSON integers");
    assert!(registered.get("password_hash").is_none());

    let login = stack.post("/api/auth/login/", None, json!({"username": "zhangsan", "password": PASSWORD})).await;
    assert_eq!((login.status, login.body["code"].as_u64()), (200, Some(200)));
    let data = login.data();
    for field in ["access_token", "refresh_token", "expires_at"] {
        assert!(data[field].is_string(), "login returns {field}");
    }
    for field in ["id", "username", "email", "role", "avatar", "team_id", "team_name"] {
        assert!(data["user"].get(field).is_some(), "login user has {field}");
    }
    let access = data["access_token"].as_str().unwrap().to_owned();
    let refresh = data["refresh_token"].as_str().unwrap().to_owned();

    let me = stack.get("/api/auth/me/", Some(&access)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.data()["nickname"], "张三");
    assert_eq!(me.data()["role_display"], "Visitor");
    assert_eq!(me.data()["permissions"], json!([]), "nothing to do in a team yet");

    // The client sends {"refresh": ...}; a second refresh with the token the first returned works too.
    let first = stack.post("/api/auth/refresh/", None, json!({"refresh": refresh})).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let second_refresh = first.data()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, refresh, "refresh tokens rotate");
    let second = stack.post("/api/auth/refresh/", None, json!({"refresh_token": second_refresh})).await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    let new_access = second.data()["access_token"].as_str().unwrap().to_owned();
    let newest_refresh = second.data()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(stack.get("/api/auth/me/", Some(&new_access)).await.status, 200);

    let logout = stack.post("/api/auth/logout/", Some(&new_access), json!(null)).await;
    assert_eq!(logout.status, 200);
    for token in [&access, &new_access] {
        let after = stack.get("/api/auth/me/", Some(token)).await;
        assert_eq!(after.status, 401, "an access token of an ended session fails");
        assert!(after.body["message"].as_str().unwrap().to_lowercase().contains("token"));
    }
    let refresh_after = stack.post("/api/auth/refresh/", None, json!({"refresh": newest_refresh})).await;
    assert_eq!(refresh_after.status, 401, "the refresh token of an ended session fails");
}

/// The session check costs no DynamoDB request of its own: `GET /api/auth/me` reads the
/// session together with the profile, in one BatchGetItem, and that read still ends a
/// logged-out token. A route whose first read is a query reads the session beside it.
#[tokio::test]
async fn the_session_rides_with_the_first_read_and_still_ends_a_logged_out_token() {
    let recorder = CallRecorder::default();
    let stack = Stack::recorded(recorder.clone()).await;
    stack.register("lisi", json!({})).await;
    let phone = stack.login("lisi", PASSWORD).await;
    let laptop = stack.login("lisi", PASSWORD).await;
    let operations = || recorder.take().into_iter().map(|call| call.operation).collect::<Vec<_>>();

    operations();
    let me = stack.get("/api/auth/me/", Some(&phone.access)).await;
    assert_eq!((me.status, me.data()["username"].as_str()), (200, Some("lisi")));
    assert_eq!(operations(), ["BatchGetItem"], "the session and the profile in one request");

    assert_eq!(stack.post("/api/auth/logout/", Some(&phone.access), json!(null)).await.status, 200);
    operations();
    assert_eq!(stack.get("/api/auth/me/", Some(&phone.access)).await.status, 401);
    assert_eq!(operations(), ["BatchGetItem"]);
    assert_eq!(
        stack.get("/api/notifications/", Some(&phone.access)).await.status,
        401,
        "the session read beside a query"
    );
    assert_eq!(stack.get("/api/notifications/", Some(&laptop.access)).await.status, 200, "the other session lives on");
    assert_eq!(stack.get("/api/auth/me/", Some(&laptop.access)).await.status, 200);
}

/// The session's key rides with a read that fails: the check reads it again alone, so the
/// caller is still confirmed or refused by their session, never waved through.
#[tokio::test]
async fn a_session_whose_ride_failed_is_read_again() {
    let stack = Stack::start().await;
    stack.register("wangwu", json!({})).await;
    let tokens = stack.login("wangwu", PASSWORD).await;
    let caller = teamsync::auth::claimed_caller(&stack.ctx, &tokens.access).unwrap();
    let (_keeper, gate) = WriteGate::pending();
    let (seat, ride) = Ride::offer(keys::session(caller.user_id, &caller.session_id));
    let request_db = stack.ctx.db.for_request(gate, seat);
    // DynamoDB refuses an empty key attribute: the request carrying the session's key fails.
    let refused = request_db.get_many(&[Key { pk: String::new(), sk: String::new() }]).await;
    assert!(refused.is_err(), "{refused:?}");
    let session: Option<SessionRecord> = ride.get(&stack.ctx.db).await.unwrap();
    assert_eq!(session.map(|s| s.session_id), Some(caller.session_id));
}

#[tokio::test]
async fn login_accepts_a_form_encoded_body_and_an_email() {
    let stack = Stack::start().await;
    stack.register("32088", json!({"gender": "男"})).await;
    let form = stack
        .send(
            stack
                .request(reqwest::Method::POST, "/api/auth/login", None)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("username=32088&password={PASSWORD}")),
        )
        .await;
    assert_eq!(form.status, 200, "{:?}", form.body);
    assert_eq!(form.data()["user"]["username"], "32088");

    let by_email =
        stack.post("/api/auth/login/", None, json!({"email": "32088@EXAMPLE.com", "password": PASSWORD})).await;
    assert_eq!(by_email.status, 200, "{:?}", by_email.body);
}

#[tokio::test]
async fn a_wrong_name_and_a_wrong_password_look_the_same() {
    let stack = Stack::start().await;
    stack.register("lisi", json!({})).await;
    let wrong_password =
        stack.post("/api/auth/login/", None, json!({"username": "lisi", "password": "not-the-one"})).await;
    let wrong_name = stack.post("/api/auth/login/", None, json!({"username": "nobody", "password": PASSWORD})).await;
    for answer in [&wrong_password, &wrong_name] {
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body["error_code"], 1001);
    }
    assert_eq!(wrong_password.body["message"], wrong_name.body["message"]);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_until_the_window_passes() {
    let stack = Stack::with_settings(&[("TEAMSYNC_LOGIN_WINDOW_S", "3")]).await;
    stack.register("wangwu", json!({})).await;
    for attempt in 1..=5 {
        let answer =
            stack.post("/api/auth/login/", None, json!({"username": "wangwu", "password": "wrong-password"})).await;
        assert_eq!(answer.status, 401, "failure {attempt} is an ordinary 401");
    }
    // Further attempts are refused, even with the right password, and by email too.
    for body in [
        json!({"username": "wangwu", "password": PASSWORD}),
        json!({"email": "wangwu@example.com", "password": PASSWORD}),
    ] {
        let locked = stack.post("/api/auth/login/", None, body).await;
        assert_eq!(locked.status, 429, "{:?}", locked.body);
        let retry_after: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3).contains(&retry_after), "Retry-After {retry_after}");
    }
    // Another account is not affected.
    stack.register("zhaoliu", json!({})).await;
    stack.login("zhaoliu", PASSWORD).await;

    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    stack.login("wangwu", PASSWORD).await;
}

#[tokio::test]
async fn a_refresh_token_reused_after_the_grace_window_ends_the_session() {
    let stack = Stack::with_settings(&[("TEAMSYNC_REFRESH_REUSE_GRACE_S", "0")]).await;
    stack.register("alice", json!({})).await;
    let tokens = stack.login("alice", PASSWORD).await;
    let rotated = stack.post("/api/auth/refresh/", None, json!({"refresh_token": tokens.refresh})).await;
    assert_eq!(rotated.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let replay = stack.post("/api/auth/refresh/", None, json!({"refresh_token": tokens.refresh})).await;
    assert_eq!(replay.status, 401);
    assert!(replay.body["message"].as_str().unwrap().contains("token"));
    // The whole session is gone: the legitimate holder's newer tokens stop working too.
    let newer = rotated.data()["refresh_token"].as_str().unwrap();
    assert_eq!(stack.post("/api/auth/refresh/", None, json!({"refresh_token": newer})).await.status, 401);
    let newer_access = rotated.data()["access_token"].as_str().unwrap();
    assert_eq!(stack.get("/api/auth/me/", Some(newer_access)).await.status, 401);
}

#[tokio::test]
async fn concurrent_refreshes_within_the_grace_window_all_get_working_tokens() {
    let stack = Stack::start().await;
    stack.register("bob", json!({})).await;
    let tokens = stack.login("bob", PASSWORD).await;
    let body = json!({"refresh": tokens.refresh});
    let (a, b) = tokio::join!(
        stack.post("/api/auth/refresh/", None, body.clone()),
        stack.post("/api/auth/refresh/", None, body)
    );
    assert_eq!((a.status, b.status), (200, 200), "{:?} {:?}", a.body, b.body);
    for answer in [&a, &b] {
        let access = answer.data()["access_token"].as_str().unwrap();
        assert_eq!(stack.get("/api/auth/me/", Some(access)).await.status, 200);
    }
    // Both answers carry the session's current rotation, which goes on working.
    let rotation = |answer: &teamsync_tests::Answer| {
        let token = answer.data()["refresh_token"].as_str().unwrap();
        let payload =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, token.split('.').nth(1).unwrap())
                .unwrap();
        serde_json::from_slice::<serde_json::Value>(&payload).unwrap()["jti"].clone()
    };
    assert_eq!(rotation(&a), rotation(&b));
    let next = stack.post("/api/auth/refresh/", None, json!({"refresh": a.data()["refresh_token"]})).await;
    assert_eq!(next.status, 200, "{:?}", next.body);
}

#[tokio::test]
async fn an_access_token_is_not_a_refresh_token_and_vice_versa() {
    let stack = Stack::start().await;
    stack.register("carol", json!({})).await;
    let tokens = stack.login("carol", PASSWORD).await;
    assert_eq!(stack.post("/api/auth/refresh/", None, json!({"refresh": tokens.access})).await.status, 401);
    assert_eq!(stack.get("/api/auth/me/", Some(&tokens.refresh)).await.status, 401);
}

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions() {
    let stack = Stack::start().await;
    stack.register("dave", json!({})).await;
    let here = stack.login("dave", PASSWORD).await;
    let elsewhere = stack.login("dave", PASSWORD).await;

    let wrong_old = stack
        .post("/api/auth/me/password/", Some(&here.access), json!({"old_password": "not-it-at-all", "new_password": "brand-new-pass", "new_password_confirm": "brand-new-pass"}))
        .await;
    assert_eq!(wrong_old.status, 400);
    assert!(wrong_old.field_errors().contains_key("old_password"));
    let mismatch = stack
        .post("/api/auth/me/password/", Some(&here.access), json!({"old_password": PASSWORD, "new_password": "brand-new-pass", "new_password_confirm": "other-new-pass"}))
        .await;
    assert!(mismatch.field_errors().contains_key("new_password_confirm"));

    let changed = stack
        .post("/api/auth/me/password/", Some(&here.access), json!({"old_password": PASSWORD, "new_password": "brand-new-pass", "new_password_confirm": "brand-new-pass"}))
        .await;
    assert_eq!((changed.status, changed.body["code"].as_u64()), (200, Some(200)), "{:?}", changed.body);
    assert_eq!(stack.get("/api/auth/me/", Some(&here.access)).await.status, 200, "this session goes on");
    assert_eq!(stack.get("/api/auth/me/", Some(&elsewhere.access)).await.status, 401, "other sessions end");
    assert_eq!(stack.post("/api/auth/refresh/", None, json!({"refresh": elsewhere.refresh})).await.status, 401);
    let old = stack.post("/api/auth/login/", None, json!({"username": "dave", "password": PASSWORD})).await;
    assert_eq!(old.status, 401);
    stack.login("dave", "brand-new-pass").await;
}

#[tokio::test]
async fn the_bootstrap_admin_exists_once_and_keeps_its_password() {
    let stack = Stack::start().await;
    let admin = stack.login(ADMIN, ADMIN_PASSWORD).await;
    let me = stack.get("/api/auth/me/", Some(&admin.access)).await;
    assert_eq!(me.data()["role"], "super_admin");
    let again = functions::identity::bootstrap_admin(&stack.ctx, ADMIN, "another-password").await.unwrap();
    assert_eq!(again, teamsync::identity::accounts::Bootstrap::AlreadyThere(me.data()["id"].as_u64().unwrap()));
    stack.login(ADMIN, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn a_login_and_a_profile_change_at_once_both_stick() {
    let stack = Stack::start().await;
    stack.register("alice", json!({})).await;
    let token = stack.login("alice", PASSWORD).await.access;
    for round in 0..5 {
        let nickname = format!("Alice {round}");
        let body = json!({"username": "alice", "password": PASSWORD});
        let (login, profile) = tokio::join!(
            stack.post("/api/auth/login/", None, body),
            stack.patch("/api/auth/me/", Some(&token), json!({"nickname": nickname}))
        );
        assert_eq!((login.status, profile.status), (200, 200), "round {round}: {} / {}", login.body, profile.body);
        let logged_in_at = login.data()["user"]["last_login"].as_str().unwrap().to_owned();
        let me = stack.get("/api/auth/me/", Some(&token)).await;
        assert_eq!(me.data()["nickname"], nickname.as_str(), "round {round}: the profile change is kept");
        assert_eq!(me.data()["last_login"], logged_in_at.as_str(), "round {round}: the login time is kept");
    }
}
