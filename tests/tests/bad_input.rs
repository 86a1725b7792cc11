//! Bad input to the projects and tasks routes: always a 4xx in the envelope, with field
//! errors where a field is at fault, never a 500, and nothing written.

use reqwest::Method;
use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (p, t) = (world.project, world.task);
    let many_ids: Vec<u64> = (1000..1150).collect();
    let cases: Vec<(Method, String, Value, u16, Option<&str>)> = vec![
        (Method::GET, "/api/projects/abc/".into(), json!(null), 404, None),
        (Method::GET, "/api/projects/0/".into(), json!(null), 404, None),
        (Method::GET, "/api/projects/99999/".into(), json!(null), 404, None),
        (Method::GET, "/api/tasks/99999/".into(), json!(null), 404, None),
        (Method::POST, "/api/tasks/99999/subtasks/".into(), json!({"title": "x"}), 404, None),
        (Method::POST, "/api/projects/".into(), json!({"title": "", "member_ids": 5}), 400, Some("member_ids")),
        (
            Method::POST,
            "/api/projects/".into(),
            json!({"title": "Big", "member_ids": many_ids}),
            400,
            Some("member_ids"),
        ),
        (
            Method::POST,
            "/api/projects/".into(),
            json!({"title": "T", "member_ids": [world.bob.id], "team_id": "1"}),
            400,
            Some("team_id"),
        ),
        (
            Method::PATCH,
            format!("/api/projects/{p}/"),
            json!({"start_date": "2026-02-30", "status": 3}),
            400,
            Some("start_date"),
        ),
        (Method::PUT, format!("/api/projects/{p}/members/"), json!({"member_ids": [1.5]}), 400, Some("member_ids")),
        (Method::POST, format!("/api/projects/{p}/tasks/"), json!({"title": "x"}), 400, Some("assignee_id")),
        (
            Method::POST,
            format!("/api/projects/{p}/tasks/"),
            json!({"title": "x", "assignee_id": world.dave.id}),
            400,
            Some("assignee_id"),
        ),
        (
            Method::POST,
            format!("/api/projects/{p}/tasks/"),
            json!({"title": "x".repeat(201), "assignee_id": world.bob.id, "priority": "asap"}),
            400,
            Some("priority"),
        ),
        (
            Method::POST,
            format!("/api/projects/{p}/tasks/"),
            json!({"title": "x", "assignee_id": world.bob.id, "start_date": "2026-05-02", "end_date": "2026-05-01"}),
            400,
            Some("end_date"),
        ),
        (Method::POST, "/api/tasks/create-unassigned/".into(), json!({"title": "x"}), 400, Some("project_id")),
        (
            Method::PATCH,
            format!("/api/tasks/{t}/"),
            json!({"assignee_id": "bob", "end_date": "soon"}),
            400,
            Some("assignee_id"),
        ),
        (Method::PATCH, format!("/api/tasks/{t}/status/"), json!({}), 400, Some("status")),
        (Method::PATCH, format!("/api/tasks/{t}/status/"), json!({"status": "private"}), 400, Some("status")),
        (
            Method::GET,
            format!("/api/projects/{p}/tasks/?view=graph&level=4&assignee=x"),
            json!(null),
            400,
            Some("view"),
        ),
        (Method::GET, "/api/projects/?page=-1".into(), json!(null), 400, Some("page")),
    ];
    let before = stack.get(&format!("/api/projects/{p}/"), Some(&world.alice.token)).await;
    for (method, path, body, status, field) in cases {
        let request = stack.request(method.clone(), &path, Some(&world.alice.token));
        let answer = stack.send(if body.is_null() { request } else { request.json(&body) }).await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
        assert_eq!(answer.body["code"], status, "{method} {path}: the envelope");
        assert!(answer.body["message"].is_string());
        if let Some(field) = field {
            assert!(answer.field_errors().contains_key(field), "{method} {path}: {field} in {}", answer.body);
        }
    }
    let stale = stack
        .send(
            stack
                .request(Method::PATCH, &format!("/api/tasks/{t}/"), Some(&world.alice.token))
                .header("if-match", "garbage")
                .json(&json!({"title": "x"})),
        )
        .await;
    assert_eq!(stale.status, 412);
    let long_key = stack
        .send(
            stack
                .request(Method::POST, &format!("/api/projects/{p}/tasks/"), Some(&world.alice.token))
                .header("idempotency-key", "k".repeat(300))
                .json(&json!({"title": "x", "assignee_id": world.bob.id})),
        )
        .await;
    assert_eq!(long_key.status, 400);

    let after = stack.get(&format!("/api/projects/{p}/"), Some(&world.alice.token)).await;
    assert_eq!(before.body, after.body, "nothing was written");
    let projects = stack.get("/api/projects/", Some(&world.alice.token)).await;
    assert_eq!(projects.data()["pagination"]["total"], 1, "no project was created");
}
