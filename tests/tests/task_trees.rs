//! Task trees: depth, redaction, versions, idempotent creates, history, claims.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn trees_stop_at_three_levels() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let level2 = world.create_subtask(&stack, &world.bob.token, world.task, "Level 2").await;
    assert_eq!((level2["level"].as_u64(), level2["parent_id"].as_u64()), (Some(2), Some(world.task)));
    assert_eq!(level2["path"], format!("/{}", world.task));
    assert_eq!(level2["assignee_id"], world.bob.id, "a subtask inherits its parent's assignee");
    let level3 = world.create_subtask(&stack, &world.bob.token, level2["id"].as_u64().unwrap(), "Level 3").await;
    assert_eq!(level3["level"], 3);
    assert_eq!(level3["path"], format!("/{}/{}", world.task, level2["id"]));
    assert_eq!(level3["can_have_subtasks"], false);

    let too_deep = stack
        .post(&format!("/api/tasks/{}/subtasks/", level3["id"]), Some(&world.bob.token), json!({"title": "Level 4"}))
        .await;
    assert_eq!(too_deep.status, 422);
    assert_eq!(too_deep.body["error_code"], 3002);
    assert!(too_deep.field_errors().contains_key("level"));
    let not_assignee = stack
        .post(&format!("/api/tasks/{}/subtasks/", world.task), Some(&world.carol.token), json!({"title": "x"}))
        .await;
    assert_eq!((not_assignee.status, not_assignee.body["error_code"].as_u64()), (403, Some(3003)));

    let tree = stack.get(&format!("/api/tasks/project/{}/?view=tree", world.project), Some(&world.bob.token)).await;
    let root = &tree.data()["items"][0];
    assert_eq!(root["subtask_count"], 1);
    assert_eq!(root["children"][0]["children"][0]["title"], "Level 3");
    let flat = stack.get(&format!("/api/projects/{}/tasks/?view=flat", world.project), Some(&world.bob.token)).await;
    assert_eq!(flat.data()["items"].as_array().unwrap().len(), 3);
    assert!(flat.data()["items"][0].get("children").is_none());
}

#[tokio::test]
async fn the_redacted_view_leaks_no_hidden_field() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let secret = json!({"description": "the secret plan", "end_date": "2026-12-24", "start_date": "2026-12-01", "status": "in_progress", "priority": "urgent"});
    assert_eq!(stack.patch(&format!("/api/tasks/{}/", world.task), Some(&world.alice.token), secret).await.status, 200);
    world.create_subtask(&stack, &world.bob.token, world.task, "Hidden child").await;

    let allowed: BTreeSet<String> =
        ["id", "project_id", "parent_id", "level", "title", "status", "assignee", "can_view", "message"]
            .into_iter()
            .map(String::from)
            .collect();
    let detail = stack.get(&format!("/api/tasks/{}/", world.task), Some(&world.carol.token)).await;
    assert_eq!(detail.status, 200);
    assert_eq!(keys(detail.data()), allowed);
    assert_eq!(detail.data()["status"], "private");
    assert_eq!(detail.data()["assignee"], Value::Null);
    assert!(detail.headers.get("etag").is_none(), "no version of a hidden task either");
    let text = detail.body.to_string();
    for hidden in ["secret plan", "2026-12-24", "in_progress", "urgent", "bob"] {
        assert!(!text.contains(hidden), "the redacted task shows {hidden}: {text}");
    }

    let tree = stack.get(&format!("/api/projects/{}/tasks/", world.project), Some(&world.carol.token)).await;
    let item = &tree.data()["items"][0];
    let mut with_children = allowed.clone();
    with_children.extend(["children".into(), "subtasks".into()]);
    assert_eq!(keys(item), with_children);
    assert_eq!(keys(&item["children"][0]), with_children);
    let text = tree.body.to_string();
    assert!(!text.contains("secret plan") && !text.contains("bob"), "{text}");

    // Filters cannot be used to probe hidden fields.
    for query in ["status=in_progress", &format!("assignee={}", world.bob.id)] {
        let filtered =
            stack.get(&format!("/api/projects/{}/tasks/?{query}", world.project), Some(&world.carol.token)).await;
        assert!(filtered.data()["items"].as_array().unwrap().is_empty(), "{query} reveals the task: {}", filtered.body);
    }
    let history = stack.get(&format!("/api/tasks/{}/history/", world.task), Some(&world.carol.token)).await;
    assert_eq!((history.status, history.body["error_code"].as_u64()), (403, Some(3004)));
}

#[tokio::test]
async fn of_two_patches_with_one_if_match_one_wins_and_the_other_changes_nothing() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let path = format!("/api/tasks/{}/", world.task);
    let etag = stack.get(&path, Some(&world.bob.token)).await.headers["etag"].to_str().unwrap().to_owned();
    let patch = |title: &str, token: &str| {
        stack.request(Method::PATCH, &path, Some(token)).header("if-match", etag.clone()).json(&json!({"title": title}))
    };
    let (a, b) = tokio::join!(
        stack.send(patch("From alice", &world.alice.token)),
        stack.send(patch("From bob", &world.bob.token))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{:?} / {:?}", a.body, b.body);
    let winner = if a.status == 200 { "From alice" } else { "From bob" };
    let now = stack.get(&path, Some(&world.bob.token)).await;
    assert_eq!(now.data()["title"], winner);
    assert_ne!(now.headers["etag"].to_str().unwrap(), etag, "the version moved");
    let history = stack.get(&format!("{path}history/"), Some(&world.bob.token)).await;
    assert_eq!(history.data()["histories"].as_array().unwrap().len(), 1, "the loser wrote no history");

    // The same for projects, and a stale tag keeps failing.
    let project = format!("/api/projects/{}/", world.project);
    let tag = stack.get(&project, Some(&world.alice.token)).await.headers["etag"].to_str().unwrap().to_owned();
    let change = |title: &str| {
        stack
            .request(Method::PATCH, &project, Some(&world.alice.token))
            .header("if-match", tag.clone())
            .json(&json!({"title": title}))
    };
    assert_eq!(stack.send(change("First")).await.status, 200);
    let stale = stack.send(change("Second")).await;
    assert_eq!(stale.status, 412);
    assert_eq!(stack.get(&project, Some(&world.alice.token)).await.data()["title"], "First");
}

#[tokio::test]
async fn a_retried_create_with_an_idempotency_key_creates_once() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let path = format!("/api/projects/{}/tasks/", world.project);
    let body = json!({"title": "Only once", "assignee_id": world.bob.id});
    let send = |key: &str, body: &Value| {
        stack.request(Method::POST, &path, Some(&world.alice.token)).header("idempotency-key", key).json(body)
    };
    let first = stack.send(send("key-1", &body)).await;
    let retry = stack.send(send("key-1", &body)).await;
    assert_eq!((first.status, retry.status), (201, 201));
    assert_eq!(first.data()["id"], retry.data()["id"], "the retry answers the first task");
    let other_body = stack.send(send("key-1", &json!({"title": "Something else", "assignee_id": world.bob.id}))).await;
    assert_eq!(other_body.status, 422);
    // Concurrent first attempts with one key: one task.
    let (a, b) = tokio::join!(stack.send(send("key-2", &body)), stack.send(send("key-2", &body)));
    assert_eq!((a.status, b.status), (201, 201), "{:?} {:?}", a.body, b.body);
    assert_eq!(a.data()["id"], b.data()["id"]);
    // Another caller's key is their own.
    let root = stack
        .send(
            stack.request(Method::POST, &path, Some(&world.root.token)).header("idempotency-key", "key-1").json(&body),
        )
        .await;
    assert_ne!(root.data()["id"], first.data()["id"]);

    let list = stack.get(&format!("{path}?view=flat&search=only once"), Some(&world.alice.token)).await;
    assert_eq!(list.data()["items"].as_array().unwrap().len(), 3, "key-1, key-2 and root's: {}", list.body);
}

#[tokio::test]
async fn history_records_each_change_newest_first() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let path = format!("/api/tasks/{}/", world.task);
    let changes =
        json!({"title": "Design v2", "priority": "urgent", "end_date": "2026-12-01T18:00:00", "description": ""});
    let updated = stack.patch(&format!("{path}update/"), Some(&world.alice.token), changes).await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.data()["end_date"], "2026-12-01");
    let status = stack.patch(&format!("{path}status/"), Some(&world.bob.token), json!({"status": "completed"})).await;
    assert_eq!(
        (status.status, status.data()["status"].as_str()),
        (200, Some("completed")),
        "the status route answers the full task"
    );
    let reassigned = stack.patch(&path, Some(&world.alice.token), json!({"assignee_id": world.carol.id})).await;
    assert_eq!(reassigned.data()["assignee"]["username"], "carol");

    let history = stack.get(&format!("{path}history/"), Some(&world.alice.token)).await;
    let entries: Vec<(String, Value, Value, String)> = history.data()["histories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["field_name"].as_str().unwrap().to_owned(),
                h["old_value"].clone(),
                h["new_value"].clone(),
                h["changed_by"]["username"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            ("assignee_id".into(), json!(world.bob.id.to_string()), json!(world.carol.id.to_string()), "alice".into()),
            ("status".into(), json!("planning"), json!("completed"), "bob".into()),
            ("end_date".into(), Value::Null, json!("2026-12-01"), "alice".into()),
            ("priority".into(), json!("medium"), json!("urgent"), "alice".into()),
            ("title".into(), json!("Design"), json!("Design v2"), "alice".into()),
        ],
        "unchanged fields (the empty description) leave no entry"
    );
    // A member may not reassign, even their own task.
    let bob_reassigns = stack.patch(&path, Some(&world.carol.token), json!({"assignee_id": world.bob.id})).await;
    assert_eq!(bob_reassigns.status, 403);
}

#[tokio::test]
async fn the_claim_flow_gives_an_unassigned_main_task_to_one_member() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let created = stack
        .post(
            "/api/tasks/create-unassigned/",
            Some(&world.alice.token),
            json!({"project_id": world.project, "title": "Up for grabs", "priority": "low"}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.data()["assignee"], Value::Null);
    let id = created.data()["id"].as_u64().unwrap();
    // Everyone on the project reads what they would be claiming.
    let seen = stack.get(&format!("/api/tasks/{id}/"), Some(&world.carol.token)).await;
    assert_eq!((seen.data()["can_view"].as_bool(), seen.data()["priority"].as_str()), (Some(true), Some("low")));
    let path = format!("/api/tasks/{id}/claim/");
    let body = json!({"status": "in_progress", "end_date": "2026-12-20"});
    let (a, b) = tokio::join!(
        stack.post(&path, Some(&world.bob.token), body.clone()),
        stack.post(&path, Some(&world.carol.token), body.clone())
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    // The loser read the task either before the winner's claim committed (409: taken
    // meanwhile) or after (422: no longer one it may claim); never two winners.
    assert!(matches!(statuses, [200, 409] | [200, 422]), "{:?} {:?}", a.body, b.body);
    let (winner, id_of_winner) = if a.status == 200 { (&a, world.bob.id) } else { (&b, world.carol.id) };
    assert_eq!(winner.data()["assignee"]["id"], id_of_winner);
    assert_eq!(winner.data()["status"], "in_progress");
    assert_eq!(winner.data()["end_date"], "2026-12-20");
    // Once claimed, it is the claimer's: the other member sees it redacted.
    let loser = if a.status == 200 { &world.carol.token } else { &world.bob.token };
    assert_eq!(stack.get(&format!("/api/tasks/{id}/"), Some(loser)).await.data()["can_view"], false);
}
