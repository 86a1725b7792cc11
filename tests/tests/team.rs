//! The team (seed 001 §6, DESIGN §2b): listing, inviting, roles, removal, settings, each
//! refused to those who may not.

use serde_json::{Value, json};
use teamsync_tests::world::{World, invite};
use teamsync_tests::{PASSWORD, Stack};

fn usernames(answer: &teamsync_tests::Answer) -> Vec<String> {
    answer.data()["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_member_lists_the_team_with_roles_and_workloads() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    world.create_task(&stack, world.project, "Copy", world.bob.id).await;

    let listed = stack.get("/api/team/members/?ordering=username", Some(&world.carol.token)).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(usernames(&listed), ["alice", "bob", "carol", "dave"]);
    let bob = &listed.data()["items"][1];
    assert_eq!((bob["id"].as_u64(), bob["role"].as_str()), (Some(world.bob.id), Some("member")));
    assert_eq!(bob["role_display"], "Team member");
    assert_eq!(bob["task_count"], 2, "bob's open tasks");
    assert_eq!(bob["email"], "bob@example.com");
    assert!(bob["created_at"].is_string());
    assert_eq!(listed.data()["items"][0]["role_display"], "Team admin");

    let admins = stack.get("/api/team/members/?role=team_admin", Some(&world.bob.token)).await;
    assert_eq!(usernames(&admins), ["alice"]);
    let search = stack.get("/api/team/members/?search=CA&ordering=-username", Some(&world.bob.token)).await;
    assert_eq!(usernames(&search), ["carol"]);
    let paged = stack.get("/api/team/members/?ordering=-username&page=2&page_size=3", Some(&world.bob.token)).await;
    assert_eq!(usernames(&paged), ["alice"]);
    assert_eq!(paged.data()["pagination"]["total"], 4);
    let zh = stack
        .send(
            stack
                .request(reqwest::Method::GET, "/api/team/members/?role=team_admin", Some(&world.bob.token))
                .header("Accept-Language", "zh"),
        )
        .await;
    assert_eq!(zh.data()["items"][0]["role_display"], "团队管理员");

    let bad = stack.get("/api/team/members/?role=boss&ordering=salary", Some(&world.bob.token)).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.field_errors().len(), 2);
    // Another team's admin sees their own team; the super admin names one.
    assert_eq!(usernames(&stack.get("/api/team/members/", Some(&world.eve.token)).await), ["eve"]);
    let named = stack.get(&format!("/api/team/members/?team_id={}", world.team_a), Some(&world.root.token)).await;
    assert_eq!(named.data()["pagination"]["total"], 4);
    assert_eq!(stack.get("/api/team/members/", Some(&world.root.token)).await.status, 400);
    assert_eq!(stack.get("/api/team/members/", None).await.status, 401);
}

#[tokio::test]
async fn admins_invite_registered_users_without_a_team() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    stack.register("newbie", json!({})).await;

    let check = |token: String, name: &'static str| {
        let stack = &stack;
        async move { stack.get(&format!("/api/team/check-user/?username={name}"), Some(&token)).await }
    };
    let free = check(world.alice.token.clone(), "newbie").await;
    assert_eq!(free.data().clone(), json!({"exists": true, "available": true}));
    let taken = check(world.alice.token.clone(), "bob").await;
    assert_eq!(taken.data().clone(), json!({"exists": true, "available": false}));
    let nobody = check(world.alice.token.clone(), "nobody").await;
    assert_eq!(nobody.data().clone(), json!({"exists": false, "available": false}));
    assert_eq!(check(world.bob.token.clone(), "newbie").await.status, 403, "members do not probe names");

    let by_member = stack.post("/api/team/invite/", Some(&world.bob.token), json!({"username": "newbie"})).await;
    assert_eq!(by_member.status, 403);
    let unknown = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "nobody"})).await;
    assert_eq!((unknown.status, unknown.body["error_code"].as_u64()), (404, Some(4001)));
    assert!(unknown.field_errors()["username"].contains("register"));
    let member_already = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "bob"})).await;
    assert_eq!((member_already.status, member_already.body["error_code"].as_u64()), (409, Some(4002)));
    let elsewhere = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "eve"})).await;
    assert_eq!((elsewhere.status, elsewhere.body["error_code"].as_u64()), (409, Some(4002)));
    let bad_role =
        stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "newbie", "role": "owner"})).await;
    assert_eq!(bad_role.status, 400);

    let newbie = stack.login("newbie", PASSWORD).await;
    let invited = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "newbie"})).await;
    assert_eq!(invited.status, 200, "{:?}", invited.body);
    assert_eq!(invited.data()["username"], "newbie");
    assert_eq!(invited.data()["role"], "member");
    // The same token now belongs to the team, and the inbox says who added them.
    let me = stack.get("/api/auth/me/", Some(&newbie.access)).await;
    assert_eq!((me.data()["team_id"].as_u64(), me.data()["team_name"].as_str()), (Some(world.team_a), Some("Team A")));
    let inbox = stack.get("/api/notifications/", Some(&newbie.access)).await;
    assert_eq!(inbox.data()["items"][0]["type"], "member_invited");
    assert_eq!(inbox.data()["items"][0]["content"], "alice added you to the team Team A");
    let twice = stack.post("/api/team/invite/", Some(&world.alice.token), json!({"username": "newbie"})).await;
    assert_eq!(twice.status, 409);
}

#[tokio::test]
async fn a_team_keeps_at_least_one_admin() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let role = |id: u64, role: &str, token: String| {
        let stack = &stack;
        let body = json!({"role": role});
        async move { stack.patch(&format!("/api/team/members/{id}/role/"), Some(&token), body).await }
    };
    let alone = role(world.alice.id, "member", world.alice.token.clone()).await;
    assert_eq!(alone.status, 422, "{:?}", alone.body);
    assert!(alone.field_errors().contains_key("role"));
    let last = stack.delete(&format!("/api/team/members/{}/", world.alice.id), Some(&world.alice.token)).await;
    assert_eq!(last.status, 422);

    assert_eq!(role(world.bob.id, "team_admin", world.carol.token.clone()).await.status, 403, "members do not");
    assert_eq!(role(world.bob.id, "team_admin", world.eve.token.clone()).await.status, 404, "other teams do not");
    assert_eq!(role(world.bob.id, "boss", world.alice.token.clone()).await.status, 400);

    let promoted = role(world.bob.id, "team_admin", world.alice.token.clone()).await;
    assert_eq!(promoted.status, 200, "{:?}", promoted.body);
    assert_eq!(promoted.data()["role"], "team_admin");
    // Two admins demoting each other at once: at most one succeeds.
    let (a, b) = tokio::join!(
        role(world.alice.id, "member", world.bob.token.clone()),
        role(world.bob.id, "member", world.alice.token.clone())
    );
    let statuses = [a.status, b.status];
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    let admins = stack.get("/api/team/members/?role=team_admin", Some(&world.carol.token)).await;
    assert_eq!(admins.data()["pagination"]["total"], 1);
}

#[tokio::test]
async fn a_removed_member_leaves_their_open_tasks_unassigned_and_the_admins_told() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    stack
        .patch(
            &format!("/api/team/members/{}/role/", world.carol.id),
            Some(&world.alice.token),
            json!({"role": "team_admin"}),
        )
        .await;
    let done = world.create_task(&stack, world.project, "Done already", world.bob.id).await;
    stack.patch(&format!("/api/tasks/{done}/status/"), Some(&world.bob.token), json!({"status": "completed"})).await;

    let path = format!("/api/team/members/{}/", world.bob.id);
    assert_eq!(stack.delete(&path, Some(&world.dave.token)).await.status, 403);
    assert_eq!(stack.delete(&path, Some(&world.eve.token)).await.status, 404);
    let removed = stack.delete(&path, Some(&world.alice.token)).await;
    assert_eq!((removed.status, removed.body["code"].as_u64()), (200, Some(204)), "{:?}", removed.body);

    let task = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token)).await;
    assert_eq!(task.data()["assignee"], Value::Null, "the open task is unassigned");
    let history = stack.get(&format!("/api/tasks/{}/history/", world.task), Some(&world.alice.token)).await;
    assert_eq!(history.data()["histories"][0]["field_name"], "assignee_id");
    let finished = stack.get(&format!("/api/tasks/{done}/"), Some(&world.alice.token)).await;
    assert_eq!(finished.data()["assignee"]["id"], world.bob.id, "finished work still names who did it");

    let carol_inbox = stack.get("/api/notifications/", Some(&world.carol.token)).await;
    assert_eq!(carol_inbox.data()["items"][0]["type"], "member_removed");
    assert!(carol_inbox.data()["items"][0]["content"].as_str().unwrap().contains("1 open task"));
    // bob is out: of the team, of the project, and free to be invited again.
    let me = stack.get("/api/auth/me/", Some(&world.bob.token)).await;
    assert_eq!(me.data()["team_id"], Value::Null);
    assert_eq!(stack.get(&format!("/api/projects/{}/", world.project), Some(&world.bob.token)).await.status, 404);
    let project = stack.get(&format!("/api/projects/{}/", world.project), Some(&world.alice.token)).await;
    let member_ids: Vec<u64> =
        project.data()["members"].as_array().unwrap().iter().map(|m| m["id"].as_u64().unwrap()).collect();
    assert_eq!(member_ids, [world.carol.id]);
    invite(&stack, &world.alice.token, "bob", "member").await;

    // On no project now, bob is removed again: nothing to leave, and the admins told again.
    let again = stack.delete(&path, Some(&world.alice.token)).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(stack.get("/api/auth/me/", Some(&world.bob.token)).await.data()["team_id"], Value::Null);
    let carol_inbox = stack.get("/api/notifications/", Some(&world.carol.token)).await;
    let removals: Vec<&Value> =
        carol_inbox.data()["items"].as_array().unwrap().iter().filter(|n| n["type"] == "member_removed").collect();
    assert_eq!(removals.len(), 2, "{removals:?}");
    assert_ne!(removals[0]["id"], removals[1]["id"]);
}

#[tokio::test]
async fn team_admins_set_the_team_time_zone() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let team = stack.get("/api/team/", Some(&world.bob.token)).await;
    assert_eq!(team.status, 200);
    assert_eq!(team.data()["name"], "Team A");
    assert_eq!(team.data()["timezone"], "UTC", "the configured default");
    assert_eq!(team.data()["member_count"], 4);

    let by_member = stack.patch("/api/team/", Some(&world.bob.token), json!({"timezone": "Asia/Shanghai"})).await;
    assert_eq!(by_member.status, 403);
    let invalid = stack.patch("/api/team/", Some(&world.alice.token), json!({"timezone": "Mars/Olympus"})).await;
    assert_eq!(invalid.status, 400);
    assert!(invalid.field_errors().contains_key("timezone"));
    let moved = stack
        .patch("/api/team/", Some(&world.alice.token), json!({"timezone": "Pacific/Auckland", "name": "Team Aotearoa"}))
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(
        (moved.data()["timezone"].as_str(), moved.data()["name"].as_str()),
        (Some("Pacific/Auckland"), Some("Team Aotearoa"))
    );
    assert_eq!(stack.get("/api/team/", Some(&world.eve.token)).await.data()["name"], "Team B");
    let foreign = stack
        .patch(&format!("/api/team/?team_id={}", world.team_a), Some(&world.eve.token), json!({"name": "Mine"}))
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(stack.get("/api/team/", Some(&world.alice.token)).await.data()["name"], "Team Aotearoa");
}
