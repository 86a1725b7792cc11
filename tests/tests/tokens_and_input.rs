//! What the API does with bad tokens and bad input: 401 naming the token, 400 with field
//! errors, never a 500, and nothing half-written.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use teamsync::auth::tokens::{TokenKeys, TokenUse, public_key_of_seed};
use teamsync_tests::{PASSWORD, Stack};

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn tampered_none_expired_foreign_and_garbage_tokens_get_401_naming_the_token() {
    let stack = Stack::start().await;
    let user = stack.register("alice", json!({})).await;
    let tokens = stack.login("alice", PASSWORD).await;
    let parts: Vec<&str> = tokens.access.split('.').collect();

    // Claims changed to another user, signature kept.
    let mut claims = claims_of(&tokens.access);
    claims["sub"] = json!("1");
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    // The same claims, unsigned, with alg none.
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    // Signed by us, but long expired.
    let sid = claims_of(&tokens.access)["sid"].as_str().unwrap().to_owned();
    let user_id = user["id"].as_u64().unwrap();
    let then = Timestamp::now() - SignedDuration::from_hours(1);
    let expired_claims =
        stack.ctx.tokens.claims(user_id, &sid, TokenUse::Access, then, then + SignedDuration::from_mins(15));
    let expired = stack.ctx.tokens.sign(&expired_claims).unwrap();
    // Well formed, valid session, but signed with a key that is not ours.
    let foreign_public_key = public_key_of_seed(&[7u8; 40]).unwrap();
    let foreign_keys = TokenKeys::from_seed(&[7u8; 40], &foreign_public_key, "teamsync", "teamsync-api").unwrap();
    let now = Timestamp::now();
    let foreign = foreign_keys
        .sign(&foreign_keys.claims(user_id, &sid, TokenUse::Access, now, now + SignedDuration::from_mins(15)))
        .unwrap();

    let cases = [
        ("tampered", tampered.as_str(), 1003),
        ("alg none", none.as_str(), 1003),
        ("expired", expired.as_str(), 1002),
        ("foreign key", foreign.as_str(), 1003),
        ("garbage", "not-a-jwt", 1003),
    ];
    for (name, token, code) in cases {
        let answer = stack.get("/api/auth/me/", Some(token)).await;
        assert_eq!(answer.status, 401, "{name}");
        assert_eq!(answer.body["error_code"], code, "{name}: {:?}", answer.body);
        assert!(answer.body["message"].as_str().unwrap().to_lowercase().contains("token"), "{name}");
    }
    let missing = stack.get("/api/auth/me/", None).await;
    assert_eq!(missing.status, 401);
    assert!(missing.body["message"].as_str().unwrap().contains("token"));
    // The genuine token still works: nothing above disturbed the session.
    assert_eq!(stack.get("/api/auth/me/", Some(&tokens.access)).await.status, 200);
}

#[tokio::test]
async fn malformed_missing_and_mistyped_input_gets_400_with_field_errors() {
    let stack = Stack::start().await;
    let raw = |path: &str, content_type: &str, body: &str| {
        stack.request(reqwest::Method::POST, path, None).header("content-type", content_type).body(body.to_owned())
    };
    let malformed = stack.send(raw("/api/auth/register/", "application/json", "{\"username\": ")).await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.field_errors().contains_key("body"));

    let not_an_object = stack.send(raw("/api/auth/login/", "application/json", "[1, 2]")).await;
    assert_eq!(not_an_object.status, 400);
    assert!(not_an_object.field_errors().contains_key("body"));

    let unsupported = stack.send(raw("/api/auth/login/", "application/xml", "<a/>")).await;
    assert_eq!(unsupported.status, 400);

    let missing = stack.post("/api/auth/register/", None, json!({})).await;
    assert_eq!(missing.status, 400);
    let errors = missing.field_errors();
    assert!(errors.contains_key("username") && errors.contains_key("password"), "{errors:?}");

    let mistyped = stack
        .post(
            "/api/auth/register/",
            None,
            json!({"username": 42, "password": ["x"], "email": "not-an-email", "join_type": "invade", "phone": "call me", "password_confirm": true}),
        )
        .await;
    assert_eq!(mistyped.status, 400);
    let errors = mistyped.field_errors();
    for field in ["username", "password", "email", "join_type", "phone", "password_confirm"] {
        assert!(errors.contains_key(field), "{field} missing from {errors:?}");
    }
    assert_eq!(mistyped.body["code"], 400);
    assert!(mistyped.body["request_id"].is_string());

    let mismatch = stack
        .post(
            "/api/auth/register/",
            None,
            json!({"username": "eve", "password": PASSWORD, "password_confirm": "something-else"}),
        )
        .await;
    assert!(mismatch.field_errors().contains_key("password_confirm"));
    let no_team_name = stack
        .post("/api/auth/register/", None, json!({"username": "eve", "password": PASSWORD, "join_type": "create"}))
        .await;
    assert!(no_team_name.field_errors().contains_key("team_name"));

    let login_mistyped = stack.post("/api/auth/login/", None, json!({"username": {"$ne": 1}, "password": 5})).await;
    assert_eq!(login_mistyped.status, 400);
    let refresh_missing = stack.post("/api/auth/refresh/", None, json!({})).await;
    assert_eq!(refresh_missing.status, 400);
    assert!(refresh_missing.field_errors().contains_key("refresh_token"));
    let bad_paging = stack.get("/api/users/?page=0&page_size=lots", None).await;
    assert_eq!(bad_paging.status, 401, "authentication comes before reading the query");

    // None of the refused registrations left anything behind: the name is still free.
    stack.register("eve", json!({})).await;
}

#[tokio::test]
async fn of_two_concurrent_registrations_of_one_name_exactly_one_succeeds() {
    let stack = Stack::start().await;
    for round in 0..3 {
        let name = format!("racer{round}");
        let body = |email: &str| json!({"username": name, "password": PASSWORD, "email": email});
        let (a, b) = tokio::join!(
            stack.post("/api/auth/register/", None, body(&format!("a{round}@example.com"))),
            stack.post("/api/auth/register/", None, body(&format!("b{round}@example.com")))
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "round {round}: {:?} {:?}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        assert!(loser.field_errors().contains_key("username"));
        // The loser's email was not claimed half-way: it can register under another name.
        let loser_email =
            if a.status == 409 { format!("a{round}@example.com") } else { format!("b{round}@example.com") };
        stack.register(&format!("other{round}"), json!({"email": loser_email})).await;
    }
    // Case does not make a name new.
    let shouted = stack.post("/api/auth/register/", None, json!({"username": "RACER0", "password": PASSWORD})).await;
    assert_eq!(shouted.status, 409);
    let same_email = stack
        .post(
            "/api/auth/register/",
            None,
            json!({"username": "fresh", "password": PASSWORD, "email": "A0@EXAMPLE.COM"}),
        )
        .await;
    assert_eq!(same_email.status, 409);
    assert!(same_email.field_errors().contains_key("email"));
}
