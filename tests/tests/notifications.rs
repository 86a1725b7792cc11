//! The inbox (seed 001 §7): who is told of what, in the same write as the change, and
//! that each notification route serves its owner only.

use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

async fn inbox(stack: &Stack, token: &str) -> Value {
    let answer = stack.get("/api/notifications/", Some(token)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.data().clone()
}

fn kinds(inbox: &Value) -> Vec<String> {
    inbox["items"].as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn assignees_and_creators_are_told_of_what_others_do_to_their_tasks() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;

    // alice added bob to the team, then made his task: bob is told, alice (who did it) is not.
    let bob_inbox = inbox(&stack, &world.bob.token).await;
    assert_eq!(kinds(&bob_inbox), ["task_assigned", "member_invited"]);
    let assigned = &bob_inbox["items"][0];
    assert_eq!(assigned["task_id"], world.task);
    assert_eq!(assigned["project_id"], world.project);
    assert_eq!(assigned["is_read"], false);
    assert_eq!(assigned["type_display"], "Task assigned");
    assert_eq!(assigned["content"], "You were assigned a new task: Design");
    assert_eq!(bob_inbox["unread_count"], 2);
    assert_eq!(kinds(&inbox(&stack, &world.alice.token).await), Vec::<String>::new());

    // bob moves his own task: its creator hears of it, bob does not.
    let task_path = format!("/api/tasks/{}/status/", world.task);
    let moved = stack.patch(&task_path, Some(&world.bob.token), json!({"status": "in_progress"})).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let alice_inbox = inbox(&stack, &world.alice.token).await;
    assert_eq!(kinds(&alice_inbox), ["status_changed"]);
    assert_eq!(alice_inbox["items"][0]["content"], "Task \"Design\" is now in progress");
    assert_eq!(kinds(&inbox(&stack, &world.bob.token).await), ["task_assigned", "member_invited"]);

    // alice changes bob's task: bob hears of the status and of the edit, in Chinese if he asks.
    stack.patch(&task_path, Some(&world.alice.token), json!({"status": "completed"})).await;
    let edit = format!("/api/tasks/{}/", world.task);
    stack.patch(&edit, Some(&world.alice.token), json!({"title": "Design v2"})).await;
    let zh = stack
        .send(
            stack
                .request(reqwest::Method::GET, "/api/notifications/", Some(&world.bob.token))
                .header("Accept-Language", "zh-CN"),
        )
        .await;
    assert_eq!(kinds(zh.data()), ["task_updated", "status_changed", "task_assigned", "member_invited"], "newest first");
    assert_eq!(zh.data()["items"][1]["type_display"], "状态变更");
    assert_eq!(zh.data()["items"][1]["content"], "任务“Design”状态变为已完成");
    assert_eq!(zh.data()["unread_count"], 4);

    // Reassigning to carol tells carol.
    stack.patch(&edit, Some(&world.alice.token), json!({"assignee_id": world.carol.id})).await;
    assert_eq!(kinds(&inbox(&stack, &world.carol.token).await), ["task_assigned", "member_invited"]);
}

#[tokio::test]
async fn the_owner_reads_marks_and_deletes_their_notifications() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    for title in ["Copy", "Images", "Launch"] {
        world.create_task(&stack, world.project, title, world.bob.id).await;
    }
    let all = inbox(&stack, &world.bob.token).await;
    assert_eq!(all["unread_count"], 5, "four tasks and the invitation");
    let ids: Vec<u64> = all["items"].as_array().unwrap().iter().map(|n| n["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    let read = stack.patch(&format!("/api/notifications/{}/read/", ids[0]), Some(&world.bob.token), json!({})).await;
    assert_eq!((read.status, read.data().clone()), (200, json!({"id": ids[0], "is_read": true})));
    let unread = stack.get("/api/notifications/?is_read=false&page_size=2", Some(&world.bob.token)).await;
    assert_eq!(unread.data()["unread_count"], 4);
    assert_eq!(unread.data()["items"].as_array().unwrap().len(), 2);
    assert_eq!(unread.data()["pagination"]["total"], 4);
    assert_eq!(unread.data()["pagination"]["has_next"], true);
    let only_read = stack.get("/api/notifications/?is_read=true", Some(&world.bob.token)).await;
    assert_eq!(only_read.data()["items"][0]["id"], ids[0]);

    let all_read = stack.patch("/api/notifications/read-all/", Some(&world.bob.token), json!({})).await;
    assert_eq!(all_read.data()["marked_count"], 4);
    let again = stack.patch("/api/notifications/read-all/", Some(&world.bob.token), json!({})).await;
    assert_eq!(again.data()["marked_count"], 0);
    assert_eq!(inbox(&stack, &world.bob.token).await["unread_count"], 0);

    let deleted = stack.delete(&format!("/api/notifications/{}/", ids[1]), Some(&world.bob.token)).await;
    assert_eq!((deleted.status, deleted.body["code"].as_u64()), (200, Some(204)));
    assert_eq!(inbox(&stack, &world.bob.token).await["pagination"]["total"], 4);
    let gone = stack.delete(&format!("/api/notifications/{}/", ids[1]), Some(&world.bob.token)).await;
    assert_eq!(gone.status, 404);
    let bad = stack.get("/api/notifications/?is_read=maybe", Some(&world.bob.token)).await;
    assert_eq!(bad.status, 400);
    assert!(bad.field_errors().contains_key("is_read"));
}

#[tokio::test]
async fn nobody_but_the_owner_reaches_a_notification() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let bobs = inbox(&stack, &world.bob.token).await["items"][0]["id"].as_u64().unwrap();
    for token in [&world.root.token, &world.alice.token, &world.dave.token, &world.eve.token] {
        let read = stack.patch(&format!("/api/notifications/{bobs}/read/"), Some(token), json!({})).await;
        assert_eq!(read.status, 404, "{:?}", read.body);
        let deleted = stack.delete(&format!("/api/notifications/{bobs}/"), Some(token)).await;
        assert_eq!(deleted.status, 404);
        // Their own read-all marks their own items only (bob's stay unread, checked below).
        assert_eq!(stack.patch("/api/notifications/read-all/", Some(token), json!({})).await.status, 200);
        let ids: Vec<u64> =
            inbox(&stack, token).await["items"].as_array().unwrap().iter().map(|n| n["id"].as_u64().unwrap()).collect();
        assert!(!ids.contains(&bobs), "bob's notification is in nobody else's list");
    }
    for (method, path) in [
        (reqwest::Method::GET, "/api/notifications/".to_owned()),
        (reqwest::Method::PATCH, format!("/api/notifications/{bobs}/read/")),
        (reqwest::Method::PATCH, "/api/notifications/read-all/".to_owned()),
        (reqwest::Method::DELETE, format!("/api/notifications/{bobs}/")),
    ] {
        assert_eq!(stack.send(stack.request(method, &path, None)).await.status, 401, "{path}");
    }
    let still = inbox(&stack, &world.bob.token).await;
    assert_eq!((still["unread_count"].as_u64(), still["items"][0]["id"].as_u64()), (Some(2), Some(bobs)));
}
