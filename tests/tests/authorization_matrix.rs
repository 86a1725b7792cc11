//! Every projects and tasks route, called by each standing a caller can have toward a
//! project: who gets through, who is refused (403), who is not even told the thing exists
//! (404), and who must sign in (401).

use reqwest::Method;
use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::{EVERYONE, Standing, World};

/// A route, and the status each standing gets, in the order of [`EVERYONE`]:
/// super admin, team admin, assignee, other member, non-member, other team, anonymous.
struct Case {
    method: Method,
    path: String,
    body: Value,
    expected: [u16; 7],
}

fn case(method: Method, path: impl Into<String>, body: Value, expected: [u16; 7]) -> Case {
    Case { method, path: path.into(), body, expected }
}

async fn check(stack: &Stack, world: &World, cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        for (standing, expected) in EVERYONE.iter().zip(case.expected) {
            let request = stack.request(case.method.clone(), &case.path, world.token(*standing)).json(&case.body);
            let answer = stack.send(request).await;
            if answer.status != expected {
                failures.push(format!(
                    "{} {} as {standing:?}: {} (expected {expected}) {}",
                    case.method, case.path, answer.status, answer.body
                ));
            }
            assert_ne!(answer.status, 500, "{} {} as {standing:?}: {}", case.method, case.path, answer.body);
        }
    }
    assert!(failures.is_empty(), "authorization mismatches:\n{}", failures.join("\n"));
}

/// One target per standing, for routes that use their target up.
async fn per_standing<F, Fut>(make: F) -> Vec<u64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = u64>,
{
    let mut ids = Vec::new();
    for _ in EVERYONE {
        ids.push(make().await);
    }
    ids
}

#[tokio::test]
async fn every_project_route_admits_exactly_whom_it_should() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let p = world.project;
    let (bob, carol) = (world.bob.id, world.carol.id);
    let new_project = json!({"title": "Another", "member_ids": [bob, carol], "team_id": world.team_a});
    check(
        &stack,
        &world,
        &[
            case(Method::GET, "/api/projects/", json!(null), [200, 200, 200, 200, 200, 200, 401]),
            case(Method::POST, "/api/projects/", new_project, [201, 201, 403, 403, 403, 403, 401]),
            case(Method::GET, format!("/api/projects/{p}/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(
                Method::PATCH,
                format!("/api/projects/{p}/"),
                json!({"description": "d"}),
                [200, 200, 403, 403, 404, 404, 401],
            ),
            case(
                Method::PATCH,
                format!("/api/projects/{p}/update/"),
                json!({"status": "pending"}),
                [200, 200, 403, 403, 404, 404, 401],
            ),
            case(Method::GET, format!("/api/projects/{p}/progress/"), json!(null), [200, 200, 403, 403, 404, 404, 401]),
            case(
                Method::GET,
                format!("/api/projects/{p}/tasks/progress/"),
                json!(null),
                [200, 200, 200, 200, 404, 404, 401],
            ),
            case(Method::GET, format!("/api/projects/{p}/kanban/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(Method::GET, format!("/api/projects/{p}/gantt/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(Method::GET, format!("/api/projects/{p}/calendar/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(
                Method::PUT,
                format!("/api/projects/{p}/members/"),
                json!({"member_ids": [bob, carol]}),
                [200, 200, 403, 403, 404, 404, 401],
            ),
        ],
    )
    .await;

    // The list shows each caller only their projects.
    for standing in EVERYONE.into_iter().filter(|s| *s != Standing::Anonymous) {
        let list = stack.get("/api/projects/?page_size=100", world.token(standing)).await;
        let sees = list.data()["items"].as_array().unwrap().iter().any(|item| item["id"] == p);
        let should = !matches!(standing, Standing::NonMember | Standing::OtherTeam);
        assert_eq!(sees, should, "{standing:?} sees the project in the list: {sees}");
    }

    let archivable = per_standing(|| world.create_project(&stack, "To archive")).await;
    let deletable = per_standing(|| async {
        let id = world.create_project(&stack, "To delete").await;
        let archived =
            stack.patch(&format!("/api/projects/{id}/archive/"), Some(&world.alice.token), json!(null)).await;
        assert_eq!(archived.status, 200);
        id
    })
    .await;
    for (i, standing) in EVERYONE.iter().enumerate() {
        let token = world.token(*standing);
        let archive = stack.patch(&format!("/api/projects/{}/archive/", archivable[i]), token, json!(null)).await;
        assert_eq!(archive.status, [200, 200, 403, 403, 404, 404, 401][i], "archive as {standing:?}: {}", archive.body);
        let delete = stack.delete(&format!("/api/projects/{}/", deletable[i]), token).await;
        assert_eq!(delete.status, [200, 403, 403, 403, 404, 404, 401][i], "delete as {standing:?}: {}", delete.body);
    }
}

#[tokio::test]
async fn every_task_route_admits_exactly_whom_it_should() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let (p, t, bob) = (world.project, world.task, world.bob.id);
    check(
        &stack,
        &world,
        &[
            case(Method::GET, format!("/api/projects/{p}/tasks/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(Method::GET, format!("/api/tasks/project/{p}/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(
                Method::POST,
                format!("/api/projects/{p}/tasks/"),
                json!({"title": "x", "assignee_id": bob}),
                [201, 201, 403, 403, 404, 404, 401],
            ),
            case(
                Method::POST,
                format!("/api/tasks/project/{p}/create/"),
                json!({"title": "x", "assignee_id": bob}),
                [201, 201, 403, 403, 404, 404, 401],
            ),
            case(
                Method::POST,
                "/api/tasks/create-unassigned/",
                json!({"project_id": p, "title": "x"}),
                [201, 201, 403, 403, 404, 404, 401],
            ),
            case(
                Method::POST,
                format!("/api/tasks/{t}/subtasks/"),
                json!({"title": "x"}),
                [403, 403, 201, 403, 404, 404, 401],
            ),
            case(Method::GET, format!("/api/tasks/{t}/"), json!(null), [200, 200, 200, 200, 404, 404, 401]),
            case(
                Method::PATCH,
                format!("/api/tasks/{t}/"),
                json!({"description": "d"}),
                [200, 200, 200, 403, 404, 404, 401],
            ),
            case(
                Method::PATCH,
                format!("/api/tasks/{t}/update/"),
                json!({"priority": "high"}),
                [200, 200, 200, 403, 404, 404, 401],
            ),
            case(
                Method::PATCH,
                format!("/api/tasks/{t}/status/"),
                json!({"status": "in_progress"}),
                [200, 200, 200, 403, 404, 404, 401],
            ),
            case(Method::GET, format!("/api/tasks/{t}/history/"), json!(null), [200, 200, 200, 403, 404, 404, 401]),
        ],
    )
    .await;

    // Only the assignee and admins see the task in full; the other member sees it redacted.
    for standing in [Standing::SuperAdmin, Standing::TeamAdmin, Standing::Assignee, Standing::OtherMember] {
        let answer = stack.get(&format!("/api/tasks/{t}/"), world.token(standing)).await;
        assert_eq!(answer.data()["can_view"], standing != Standing::OtherMember, "{standing:?}");
    }

    let leaves = per_standing(|| world.create_task(&stack, p, "Leaf", bob)).await;
    let unassigned = per_standing(|| async {
        let body = json!({"project_id": p, "title": "Free"});
        let answer = stack.post("/api/tasks/create-unassigned/", Some(&world.alice.token), body).await;
        answer.data()["id"].as_u64().unwrap()
    })
    .await;
    for (i, standing) in EVERYONE.iter().enumerate() {
        let token = world.token(*standing);
        let delete = stack.delete(&format!("/api/tasks/{}/", leaves[i]), token).await;
        assert_eq!(delete.status, [200, 403, 403, 403, 404, 404, 401][i], "delete as {standing:?}: {}", delete.body);
        let claim = stack.post(&format!("/api/tasks/{}/claim/", unassigned[i]), token, json!({})).await;
        assert_eq!(claim.status, [403, 403, 200, 200, 404, 404, 401][i], "claim as {standing:?}: {}", claim.body);
    }
}
