//! Due reminders and overdue notices on the schedule (seed 001 §9.3): fired through the
//! local gateway's `/_local/schedules/` route with chosen event times, as EventBridge would
//! deliver them (late, early, twice at once).

use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

const SCHEDULER: &str = "SchedulerFunction";

/// Fires the schedule as of `time` and returns the run's report.
async fn run_at(stack: &Stack, time: &str) -> Value {
    let answer = stack.run_schedule(SCHEDULER, Some(time)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["result"].clone()
}

async fn task_due(stack: &Stack, project: u64, token: &str, assignee: u64, due: &str) -> u64 {
    let body = json!({"title": format!("Due {due}"), "assignee_id": assignee, "end_date": due});
    let answer = stack.post(&format!("/api/projects/{project}/tasks/"), Some(token), body).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.data()["id"].as_u64().unwrap()
}

/// The task ids of one kind of notification in a user's inbox.
async fn told(stack: &Stack, token: &str, kind: &str) -> Vec<u64> {
    let inbox = stack.get("/api/notifications/?page_size=100", Some(token)).await;
    inbox.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == kind)
        .map(|n| n["task_id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_overdue_task_is_told_once_however_the_runs_come() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let alice = &world.alice.token;
    let late = task_due(&stack, world.project, alice, world.bob.id, "2026-11-20").await;

    let first = run_at(&stack, "2026-11-21T12:00:00Z").await;
    assert_eq!((first["overdue"].as_u64(), first["notifications_written"].as_u64()), (Some(1), Some(1)), "{first}");
    assert_eq!(told(&stack, &world.bob.token, "overdue").await, [late]);
    let notice = stack.get("/api/notifications/", Some(&world.bob.token)).await.data()["items"][0].clone();
    assert_eq!(notice["content"], "Task \"Due 2026-11-20\" is overdue");
    let detail = stack.get(&format!("/api/tasks/{late}/"), Some(&world.bob.token)).await;
    assert_eq!(
        (detail.data()["normal_flag"].as_str(), detail.data()["is_overdue_notified"].as_bool()),
        (Some("overdue"), Some(true))
    );

    let second = run_at(&stack, "2026-11-21T12:15:00Z").await;
    assert_eq!(
        (second["tasks_read"].as_u64(), second["overdue"].as_u64()),
        (Some(0), Some(0)),
        "it left the index: {second}"
    );
    assert_eq!(told(&stack, &world.bob.token, "overdue").await, [late]);

    // Two runs at once: one notice.
    let raced = task_due(&stack, world.project, alice, world.carol.id, "2026-11-19").await;
    let (a, b) = tokio::join!(run_at(&stack, "2026-11-21T12:30:00Z"), run_at(&stack, "2026-11-21T12:30:00Z"));
    assert_eq!(a["overdue"].as_u64().unwrap() + b["overdue"].as_u64().unwrap(), 1, "{a} {b}");
    assert_eq!(told(&stack, &world.carol.token, "overdue").await, [raced]);

    // Rescheduling re-arms it; completing it instead takes it out for good.
    let path = format!("/api/tasks/{late}/");
    stack.patch(&path, Some(alice), json!({"end_date": "2026-11-22"})).await;
    assert_eq!(run_at(&stack, "2026-11-23T12:00:00Z").await["overdue"], 1);
    assert_eq!(told(&stack, &world.bob.token, "overdue").await, [late, late], "a second notice for the new date");
    stack.patch(&path, Some(alice), json!({"end_date": "2026-11-24"})).await;
    stack.patch(&format!("{path}status/"), Some(&world.bob.token), json!({"status": "completed"})).await;
    assert_eq!(run_at(&stack, "2026-11-26T12:00:00Z").await["tasks_read"], 0);
    assert_eq!(told(&stack, &world.bob.token, "overdue").await.len(), 2);
}

#[tokio::test]
async fn a_task_due_tomorrow_is_reminded_once_and_a_late_run_catches_up() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let alice = &world.alice.token;
    let tomorrow = task_due(&stack, world.project, alice, world.bob.id, "2026-11-22").await;
    let later = task_due(&stack, world.project, alice, world.bob.id, "2026-11-23").await;
    let far = task_due(&stack, world.project, alice, world.bob.id, "2026-12-31").await;

    let run = run_at(&stack, "2026-11-21T09:00:00Z").await;
    assert_eq!((run["due_reminders"].as_u64(), run["overdue"].as_u64()), (Some(1), Some(0)), "{run}");
    assert_eq!(told(&stack, &world.bob.token, "due_reminder").await, [tomorrow]);
    assert_eq!(run_at(&stack, "2026-11-21T09:15:00Z").await["due_reminders"], 0);
    assert_eq!(told(&stack, &world.bob.token, "due_reminder").await, [tomorrow], "once");

    // Nothing runs for three days; the next run catches up: both tasks are overdue now, and
    // the one whose reminder day was missed is not reminded after its due date.
    let caught_up = run_at(&stack, "2026-11-24T09:00:00Z").await;
    assert_eq!((caught_up["overdue"].as_u64(), caught_up["due_reminders"].as_u64()), (Some(2), Some(0)), "{caught_up}");
    let mut overdue = told(&stack, &world.bob.token, "overdue").await;
    overdue.sort();
    assert_eq!(overdue, [tomorrow, later]);
    assert_eq!(told(&stack, &world.bob.token, "due_reminder").await, [tomorrow]);
    let detail = stack.get(&format!("/api/tasks/{far}/"), Some(&world.bob.token)).await;
    assert_eq!(detail.data()["is_overdue_notified"], false, "a task due next month is untouched");
}

#[tokio::test]
async fn today_is_judged_in_each_team_time_zone() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let zone = |token: String, zone: &'static str| {
        let stack = &stack;
        async move { stack.patch("/api/team/", Some(&token), json!({"timezone": zone})).await.status }
    };
    assert_eq!(zone(world.alice.token.clone(), "Pacific/Auckland").await, 200);
    assert_eq!(zone(world.eve.token.clone(), "America/Los_Angeles").await, 200);
    let eve_project = {
        let body = json!({"title": "West coast", "member_ids": [world.eve.id]});
        stack.post("/api/projects/", Some(&world.eve.token), body).await.data()["id"].as_u64().unwrap()
    };
    // Both due on 21 November, each in its own team's calendar.
    let auckland = task_due(&stack, world.project, &world.alice.token, world.bob.id, "2026-11-21").await;
    let los_angeles = task_due(&stack, eve_project, &world.eve.token, world.eve.id, "2026-11-21").await;
    let auckland_next = task_due(&stack, world.project, &world.alice.token, world.bob.id, "2026-11-23").await;

    // 10:59 UTC is 23:59 on the 21st in Auckland (UTC+13): nothing is overdue yet.
    assert_eq!(run_at(&stack, "2026-11-21T10:59:00Z").await["overdue"], 0);
    // 11:01 UTC is past midnight there: the 21st is yesterday in Auckland, and the 23rd is
    // tomorrow; in Los Angeles it is 03:01 on the 21st.
    let after = run_at(&stack, "2026-11-21T11:01:00Z").await;
    assert_eq!((after["overdue"].as_u64(), after["due_reminders"].as_u64()), (Some(1), Some(1)), "{after}");
    assert_eq!(told(&stack, &world.bob.token, "overdue").await, [auckland]);
    assert_eq!(told(&stack, &world.bob.token, "due_reminder").await, [auckland_next]);
    assert!(told(&stack, &world.eve.token, "overdue").await.is_empty());

    // Los Angeles (UTC-8) reaches the 22nd at 08:00 UTC.
    assert_eq!(run_at(&stack, "2026-11-22T07:59:00Z").await["overdue"], 0);
    assert_eq!(run_at(&stack, "2026-11-22T08:01:00Z").await["overdue"], 1);
    assert_eq!(told(&stack, &world.eve.token, "overdue").await, [los_angeles]);
}
