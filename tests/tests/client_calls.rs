//! The real client's calls that a reading of its source found failing (the client doc's
//! "Second reading"), served as it makes them, and refused to those who may not.

use reqwest::Method;
use serde_json::json;
use teamsync_tests::world::invite;
use teamsync_tests::{ADMIN, ADMIN_PASSWORD, Answer, PASSWORD, Stack};

async fn in_chinese(stack: &Stack, path: &str, token: &str) -> Answer {
    stack.send(stack.request(Method::GET, path, Some(token)).header("Accept-Language", "zh")).await
}

#[tokio::test]
async fn a_user_in_no_team_is_a_visitor_until_invited() {
    let stack = Stack::start().await;
    let registered = stack.register("newbie", json!({"join_type": "join"})).await;
    assert_eq!((registered["role"].as_str(), registered["role_display"].as_str()), (Some("visitor"), Some("Visitor")));
    let login = stack.post("/api/auth/login/", None, json!({"username": "newbie", "password": PASSWORD})).await;
    assert_eq!(login.data()["user"]["role"], "visitor");
    let token = login.data()["access_token"].as_str().unwrap().to_owned();
    let me = stack.get("/api/auth/me/", Some(&token)).await;
    assert_eq!(me.data()["role"], "visitor");
    assert_eq!(me.data()["permissions"], json!([]), "a visitor may do nothing in a team yet");
    assert_eq!(in_chinese(&stack, "/api/auth/me/", &token).await.data()["role_display"], "访客");

    // The waiting page's call: the answer in `data`, and beside `code` where the client reads it.
    let status = stack.get("/api/auth/visitor/status/", Some(&token)).await;
    assert_eq!((status.status, status.body["code"].as_u64()), (200, Some(200)), "{:?}", status.body);
    assert_eq!(status.data().clone(), json!({"is_visitor": true, "status": "waiting"}));
    assert_eq!((status.body["is_visitor"].as_bool(), status.body["status"].as_str()), (Some(true), Some("waiting")));
    assert_eq!(stack.get("/api/auth/visitor/status/", None).await.status, 401);

    // The super admin's directory shows the visitor as one; the super admin is none.
    let root = stack.login(ADMIN, ADMIN_PASSWORD).await.access;
    let users = stack.get("/api/users/?search=newbie", Some(&root)).await;
    assert_eq!(users.data()["items"][0]["role"], "visitor");
    let root_status = stack.get("/api/auth/visitor/status/", Some(&root)).await;
    assert_eq!(root_status.data().clone(), json!({"is_visitor": false, "status": "active"}));
    assert_eq!(stack.get("/api/auth/me/", Some(&root)).await.data()["role"], "super_admin");

    // Invited, the same token is a member's at once; removed, a visitor again.
    let (_, _) = stack.register_team_admin("alice", "Team A").await;
    let alice = stack.login("alice", PASSWORD).await.access;
    assert_eq!(stack.get("/api/auth/visitor/status/", Some(&alice)).await.data()["is_visitor"], false);
    invite(&stack, &alice, "newbie", "member").await;
    let joined = stack.get("/api/auth/visitor/status/", Some(&token)).await;
    assert_eq!(joined.data().clone(), json!({"is_visitor": false, "status": "active"}));
    let me = stack.get("/api/auth/me/", Some(&token)).await;
    assert_eq!((me.data()["role"].as_str(), me.data()["role_display"].as_str()), (Some("member"), Some("Team member")));
    let newbie_id = registered["id"].as_u64().unwrap();
    assert_eq!(stack.delete(&format!("/api/team/members/{newbie_id}/"), Some(&alice)).await.status, 200);
    assert_eq!(stack.get("/api/auth/me/", Some(&token)).await.data()["role"], "visitor");
    assert_eq!(stack.get("/api/auth/visitor/status/", Some(&token)).await.data()["status"], "waiting");
}
