//! Who sees whom, profile changes, and roles that take effect at once.

use serde_json::json;
use teamsync_tests::world::invite;
use teamsync_tests::{ADMIN, ADMIN_PASSWORD, PASSWORD, Stack};

fn usernames(answer: &teamsync_tests::Answer) -> Vec<String> {
    answer.data()["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_directory_shows_each_caller_only_whom_they_may_see() {
    let stack = Stack::start().await;
    stack.register_team_admin("alice", "Team A").await;
    stack.register("bob", json!({"phone": "+86 134 2563 6267"})).await;
    let alice = stack.login("alice", PASSWORD).await;
    invite(&stack, &alice.access, "bob", "member").await;
    stack.register_team_admin("eve", "Team B").await;
    stack.register("loner", json!({})).await;

    let seen = stack.get("/api/users/", Some(&alice.access)).await;
    assert_eq!(seen.status, 200);
    assert_eq!(usernames(&seen), ["alice", "bob"]);
    let bob_seen = &seen.data()["items"][1];
    assert_eq!(bob_seen["team_name"], "Team A");
    assert!(bob_seen.get("phone").is_none(), "teammates do not see each other's phone");
    assert_eq!(seen.data()["pagination"]["total"], 2);

    let eve = stack.login("eve", PASSWORD).await;
    assert_eq!(usernames(&stack.get("/api/users", Some(&eve.access)).await), ["eve"]);
    let hidden = stack.get("/api/users/bob/", Some(&eve.access)).await;
    assert_eq!((hidden.status, hidden.body["error_code"].as_u64()), (404, Some(4001)));
    let loner = stack.login("loner", PASSWORD).await;
    assert_eq!(usernames(&stack.get("/api/users/", Some(&loner.access)).await), ["loner"]);

    let admin = stack.login(ADMIN, ADMIN_PASSWORD).await;
    let everyone = stack.get("/api/users/?page_size=2&page=2", Some(&admin.access)).await;
    assert_eq!(everyone.data()["pagination"]["total"], 5);
    assert_eq!(everyone.data()["items"].as_array().unwrap().len(), 2);
    assert_eq!(everyone.data()["pagination"]["has_previous"], true);
    let found = stack.get("/api/users/bob", Some(&admin.access)).await;
    assert_eq!(found.data()["phone"], "+86 134 2563 6267");
    let searched = stack.get("/api/users/?search=TEAM", Some(&admin.access)).await;
    assert!(usernames(&searched).is_empty(), "search looks at people, not teams");
    assert_eq!(usernames(&stack.get("/api/users/?search=Ev", Some(&admin.access)).await), ["eve"]);

    assert_eq!(stack.get("/api/users/", None).await.status, 401);
    assert_eq!(stack.get("/api/users/alice/", None).await.status, 401);
}

#[tokio::test]
async fn profile_changes_keep_names_unique_and_free_the_old_ones() {
    let stack = Stack::start().await;
    stack.register("alice", json!({})).await;
    stack.register("bob", json!({})).await;
    let alice = stack.login("alice", PASSWORD).await;

    let taken = stack.patch("/api/auth/me/", Some(&alice.access), json!({"username": "BOB"})).await;
    assert_eq!(taken.status, 409);
    assert!(taken.field_errors().contains_key("username"));
    let taken_email =
        stack.patch("/api/auth/me/update/", Some(&alice.access), json!({"email": "bob@example.com"})).await;
    assert_eq!(taken_email.status, 409);
    let invalid = stack.patch("/api/auth/me/", Some(&alice.access), json!({"email": "nope", "nickname": 3})).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.field_errors().len(), 2);

    let renamed = stack
        .patch("/api/auth/me/update/", Some(&alice.access), json!({"username": "alicia", "email": "alicia@example.com", "about": "Writes the specs", "telephone": "13800000000"}))
        .await;
    assert_eq!((renamed.status, renamed.body["code"].as_u64()), (200, Some(200)), "{:?}", renamed.body);
    assert_eq!(renamed.data()["username"], "alicia");
    assert_eq!(renamed.data()["phone"], "13800000000");
    assert_eq!(stack.get("/api/auth/me/", Some(&alice.access)).await.data()["about"], "Writes the specs");

    // The old name and email are free again; the new name logs in.
    stack.register("alice", json!({"email": "alice@example.com"})).await;
    stack.login("alicia", PASSWORD).await;
    assert_eq!(stack.patch("/api/auth/me/", None, json!({"nickname": "x"})).await.status, 401);
}

#[tokio::test]
async fn founding_a_team_makes_a_team_admin() {
    let stack = Stack::start().await;
    let founder = stack.register("founder", json!({"join_type": "create", "team_name": "Rocket"})).await;
    assert_eq!(founder["role"], "team_admin");
    assert_eq!(founder["team_name"], "Rocket");
    assert_eq!(founder["join_type"], "create");
    let tokens = stack.login("founder", PASSWORD).await;
    let me = stack.get("/api/auth/me/", Some(&tokens.access)).await;
    assert_eq!(me.data()["team_id"], founder["team_id"]);
    assert!(me.data()["permissions"].as_array().unwrap().iter().any(|p| p == "create_project"));
}

#[tokio::test]
async fn a_demoted_admin_loses_admin_rights_on_the_next_request() {
    let stack = Stack::start().await;
    let (alice_id, _) = stack.register_team_admin("alice", "Team A").await;
    stack.register("ann", json!({})).await;
    let alice = stack.login("alice", PASSWORD).await;
    invite(&stack, &alice.access, "ann", "team_admin").await;
    let ann = stack.login("ann", PASSWORD).await;
    let permissions = |answer: &teamsync_tests::Answer| answer.data()["permissions"].as_array().unwrap().clone();
    let before = stack.get("/api/auth/me/", Some(&alice.access)).await;
    assert!(permissions(&before).iter().any(|p| p == "create_project"));

    let demote = json!({"role": "member"});
    let demoted = stack.patch(&format!("/api/team/members/{alice_id}/role/"), Some(&ann.access), demote).await;
    assert_eq!(demoted.status, 200, "{:?}", demoted.body);
    let after = stack.get("/api/auth/me/", Some(&alice.access)).await;
    assert_eq!(after.data()["role"], "member", "the same token now carries the new role");
    assert!(!permissions(&after).iter().any(|p| p == "create_project"));
    let refused =
        stack.post("/api/projects/", Some(&alice.access), json!({"title": "x", "member_ids": [alice_id]})).await;
    assert_eq!(refused.status, 403);

    // The super admin sees every user; team admins only their team.
    let admin = stack.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(stack.get("/api/users/", Some(&admin.access)).await.data()["pagination"]["total"], 3);
    assert_eq!(stack.get("/api/users/", Some(&ann.access)).await.data()["pagination"]["total"], 2);
}
