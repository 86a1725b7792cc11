//! Benchmark (not a test): for each route, the DynamoDB calls one request makes, how many
//! sequential round trips they take and how many items they read, the session check
//! included. Run with
//! `make bench`. Counts come from an SDK interceptor on the functions' own client, against
//! the local emulator; they are what production would make, as the code is the same.

use reqwest::Method;
use serde_json::{Value, json};
use teamsync_local::calls::CallRecorder;
use teamsync_tests::Stack;
use teamsync_tests::world::World;

struct Row {
    route: String,
    caller: &'static str,
    status: u16,
    calls: usize,
    round_trips: usize,
    items_read: usize,
    operations: String,
}

#[tokio::main]
async fn main() {
    let recorder = CallRecorder::default();
    let stack = Stack::recorded(recorder.clone()).await;
    let world = World::build(&stack).await;
    let sub = world.create_subtask(&stack, &world.bob.token, world.task, "Sub").await["id"].as_u64().unwrap();
    let unassigned = stack
        .post(
            "/api/tasks/create-unassigned/",
            Some(&world.alice.token),
            json!({"project_id": world.project, "title": "Free"}),
        )
        .await;
    let free = unassigned.data()["id"].as_u64().unwrap();
    let leaf = world.create_task(&stack, world.project, "Leaf", world.bob.id).await;
    let archived = world.create_project(&stack, "Old").await;
    stack.patch(&format!("/api/projects/{archived}/archive/"), Some(&world.alice.token), json!(null)).await;
    let to_archive = world.create_project(&stack, "Archive me").await;
    stack.register("newbie", json!({})).await;

    let (p, t) = (world.project, world.task);
    let (bob, carol) = (world.bob.id, world.carol.id);
    let alice = world.alice.token.as_str();
    let cases: Vec<(Method, String, Value, &'static str, &str)> = vec![
        (Method::GET, "/api/projects/".into(), json!(null), "team admin", alice),
        (Method::GET, "/api/projects/".into(), json!(null), "member", &world.bob.token),
        (Method::GET, "/api/projects/".into(), json!(null), "super admin", &world.root.token),
        (
            Method::POST,
            "/api/projects/".into(),
            json!({"title": "New", "member_ids": [bob, carol]}),
            "team admin",
            alice,
        ),
        (Method::GET, format!("/api/projects/{p}/"), json!(null), "team admin", alice),
        (Method::PATCH, format!("/api/projects/{p}/"), json!({"description": "x"}), "team admin", alice),
        (Method::PATCH, format!("/api/projects/{to_archive}/archive/"), json!(null), "team admin", alice),
        (Method::GET, format!("/api/projects/{p}/progress/"), json!(null), "team admin", alice),
        (Method::GET, format!("/api/projects/{p}/tasks/progress/"), json!(null), "member", &world.bob.token),
        (Method::PUT, format!("/api/projects/{p}/members/"), json!({"member_ids": [bob, carol]}), "team admin", alice),
        (Method::DELETE, format!("/api/projects/{archived}/"), json!(null), "super admin", &world.root.token),
        (Method::GET, format!("/api/projects/{p}/tasks/"), json!(null), "member", &world.carol.token),
        (
            Method::POST,
            format!("/api/projects/{p}/tasks/"),
            json!({"title": "x", "assignee_id": bob}),
            "team admin",
            alice,
        ),
        (
            Method::POST,
            "/api/tasks/create-unassigned/".into(),
            json!({"project_id": p, "title": "y"}),
            "team admin",
            alice,
        ),
        (Method::POST, format!("/api/tasks/{t}/subtasks/"), json!({"title": "z"}), "assignee", &world.bob.token),
        (Method::GET, format!("/api/tasks/{sub}/"), json!(null), "assignee", &world.bob.token),
        (Method::GET, format!("/api/tasks/{sub}/"), json!(null), "super admin", &world.root.token),
        (Method::PATCH, format!("/api/tasks/{t}/"), json!({"title": "Design v2"}), "assignee", &world.bob.token),
        (
            Method::PATCH,
            format!("/api/tasks/{t}/status/"),
            json!({"status": "in_progress"}),
            "assignee",
            &world.bob.token,
        ),
        (Method::GET, format!("/api/tasks/{t}/history/"), json!(null), "team admin", alice),
        (Method::POST, format!("/api/tasks/{free}/claim/"), json!({}), "member", &world.carol.token),
        (Method::DELETE, format!("/api/tasks/{leaf}/"), json!(null), "super admin", &world.root.token),
        (Method::GET, format!("/api/projects/{p}/kanban/"), json!(null), "member", &world.bob.token),
        (Method::GET, format!("/api/projects/{p}/gantt/"), json!(null), "team admin", alice),
        (Method::GET, format!("/api/projects/{p}/calendar/"), json!(null), "member", &world.bob.token),
        (Method::GET, "/api/auth/me/".into(), json!(null), "member", &world.bob.token),
        (Method::GET, "/api/users/".into(), json!(null), "member", &world.bob.token),
        (Method::GET, "/api/team/members/".into(), json!(null), "member", &world.bob.token),
        (Method::POST, "/api/team/invite/".into(), json!({"username": "newbie"}), "team admin", alice),
        (Method::PATCH, format!("/api/team/members/{carol}/role/"), json!({"role": "team_admin"}), "team admin", alice),
        (Method::GET, "/api/notifications/".into(), json!(null), "member", &world.bob.token),
        (Method::PATCH, "/api/notifications/read-all/".into(), json!(null), "member", &world.bob.token),
    ];
    let mut rows = Vec::new();
    for (method, path, body, caller, token) in cases {
        recorder.take();
        let request = stack.request(method.clone(), &path, Some(token));
        let request = if body.is_null() { request } else { request.json(&body) };
        let answer = stack.send(request).await;
        let calls = recorder.take();
        rows.push(Row {
            route: format!("{method} {path}"),
            caller,
            status: answer.status,
            calls: calls.len(),
            round_trips: CallRecorder::round_trips(&calls),
            items_read: calls.iter().map(|c| c.items_read).sum(),
            operations: calls.iter().map(|c| c.operation.as_str()).collect::<Vec<_>>().join(" "),
        });
    }
    println!("DynamoDB calls per request (the session check is the first GetItem; round trips count sequential waits;");
    println!("writes also publish one event to the bus; the notifier's own calls that follow are not counted)");
    println!(
        "{:<40} {:<12} {:>6} {:>5} {:>11} {:>5}  operations",
        "route", "caller", "status", "calls", "round trips", "items"
    );
    for row in &rows {
        println!(
            "{:<40} {:<12} {:>6} {:>5} {:>11} {:>5}  {}",
            row.route, row.caller, row.status, row.calls, row.round_trips, row.items_read, row.operations
        );
    }
}
