//! The views across the caller's projects (the client's `tasks/list`, `tasks/kanban`,
//! `tasks/gantt`, `tasks/calendar`): every active project the caller is on, each task with
//! its project, and nothing a member would not see in full in a view that groups.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

fn ids(items: &Value) -> BTreeSet<u64> {
    items.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

fn kanban_ids(data: &Value) -> BTreeSet<u64> {
    data["columns"].as_array().unwrap().iter().flat_map(|c| ids(&c["tasks"])).collect()
}

/// World, plus a second project with a task of bob's and an unassigned one, carol's task in
/// the first, and an archived project with a task of bob's.
struct Across {
    world: World,
    other: u64,
    bobs_other: u64,
    open_other: u64,
    carols: u64,
    archived_task: u64,
}

async fn across(stack: &Stack) -> Across {
    let world = World::build(stack).await;
    let other = world.create_project(stack, "Mobile app").await;
    let bobs_other = world.create_task(stack, other, "Bob's screens", world.bob.id).await;
    let open = stack
        .post(
            "/api/tasks/create-unassigned/",
            Some(&world.alice.token),
            json!({"project_id": other, "title": "Free one"}),
        )
        .await;
    assert_eq!(open.status, 201, "{:?}", open.body);
    let carols = world.create_task(stack, world.project, "Carol's secret", world.carol.id).await;
    let dates = json!({"status": "in_progress", "start_date": "2026-12-02", "end_date": "2026-12-09"});
    assert_eq!(stack.patch(&format!("/api/tasks/{carols}/"), Some(&world.alice.token), dates).await.status, 200);
    let old = world.create_project(stack, "Old").await;
    let archived_task = world.create_task(stack, old, "Long done", world.bob.id).await;
    assert_eq!(
        stack.patch(&format!("/api/projects/{old}/archive/"), Some(&world.alice.token), json!(null)).await.status,
        200
    );
    Across { other, bobs_other, open_other: open.data()["id"].as_u64().unwrap(), carols, archived_task, world }
}

#[tokio::test]
async fn the_kanban_across_projects_shows_a_member_their_own_and_the_open_tasks_with_their_project() {
    let stack = Stack::start().await;
    let a = across(&stack).await;
    let w = &a.world;

    let bobs = stack.get("/api/tasks/kanban/", Some(&w.bob.token)).await;
    assert_eq!(bobs.status, 200, "{:?}", bobs.body);
    assert_eq!(kanban_ids(bobs.data()), BTreeSet::from([w.task, a.bobs_other, a.open_other]));
    let columns: Vec<&str> =
        bobs.data()["columns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(columns, ["planning", "pending", "in_progress", "completed"]);
    let card = bobs.data()["columns"][0]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == a.bobs_other)
        .unwrap()
        .clone();
    assert_eq!(card["project"], json!({"id": a.other, "title": "Mobile app"}));
    assert_eq!(card["assignee"], json!({"id": w.bob.id, "username": "bob"}));
    let text = bobs.body.to_string();
    assert!(!text.contains("secret") && !text.contains("Long done"), "{text}");

    let admins = stack.get("/api/tasks/kanban/", Some(&w.alice.token)).await;
    assert_eq!(kanban_ids(admins.data()), BTreeSet::from([w.task, a.bobs_other, a.open_other, a.carols]));

    // Filters narrow what the caller may see, never more.
    let carols_for_bob =
        stack.get(&format!("/api/tasks/kanban/?current_user_id={}", w.carol.id), Some(&w.bob.token)).await;
    assert_eq!(kanban_ids(carols_for_bob.data()), BTreeSet::new());
    let carols_for_alice =
        stack.get(&format!("/api/tasks/kanban/?current_user_id={}", w.carol.id), Some(&w.alice.token)).await;
    assert_eq!(kanban_ids(carols_for_alice.data()), BTreeSet::from([a.carols]));
    let in_progress = stack.get("/api/tasks/kanban/?status=in_progress", Some(&w.bob.token)).await;
    assert_eq!(kanban_ids(in_progress.data()), BTreeSet::new(), "carol's in-progress task stays hidden");
    let searched = stack.get("/api/tasks/kanban/?search=SCREENS", Some(&w.bob.token)).await;
    assert_eq!(kanban_ids(searched.data()), BTreeSet::from([a.bobs_other]));
    let one_project = stack.get(&format!("/api/tasks/kanban/?project_id={}", a.other), Some(&w.bob.token)).await;
    assert_eq!(kanban_ids(one_project.data()), BTreeSet::from([a.bobs_other, a.open_other]));

    // Someone on no project sees nothing; another team's admin sees none of this; a project
    // the caller is not on is a 404; a bad filter a 400.
    assert_eq!(kanban_ids(stack.get("/api/tasks/kanban/", Some(&w.dave.token)).await.data()), BTreeSet::new());
    assert_eq!(kanban_ids(stack.get("/api/tasks/kanban/", Some(&w.eve.token)).await.data()), BTreeSet::new());
    let not_on = stack.get(&format!("/api/tasks/kanban/?project_id={}", a.other), Some(&w.dave.token)).await;
    assert_eq!(not_on.status, 404, "{:?}", not_on.body);
    let bad = stack.get("/api/tasks/kanban/?status=done", Some(&w.bob.token)).await;
    assert_eq!(bad.status, 400);
    assert!(bad.field_errors().contains_key("status"), "{:?}", bad.body);
    assert_eq!(stack.get("/api/tasks/kanban/", None).await.status, 401);
}

#[tokio::test]
async fn the_gantt_calendar_and_list_across_projects_show_the_same_tasks_as_one_projects_would() {
    let stack = Stack::start().await;
    let a = across(&stack).await;
    let w = &a.world;
    let due = json!({"start_date": "2026-12-01", "end_date": "2026-12-20"});
    assert_eq!(stack.patch(&format!("/api/tasks/{}/", a.bobs_other), Some(&w.alice.token), due).await.status, 200);

    let gantt = stack.get("/api/tasks/gantt/", Some(&w.bob.token)).await;
    assert_eq!(gantt.status, 200, "{:?}", gantt.body);
    let data = gantt.data();
    assert_eq!(data["tasks"], data["items"]);
    assert_eq!(ids(&data["tasks"]), BTreeSet::from([w.task, a.bobs_other, a.open_other]));
    assert_eq!(data["view_mode"], "day");
    assert_eq!(data["date_range"], json!({"start": "2026-12-01", "end": "2026-12-20"}));
    let bar = data["tasks"].as_array().unwrap().iter().find(|t| t["id"] == a.bobs_other).unwrap();
    assert_eq!(bar["project"]["id"], a.other);
    assert_eq!(ids(&data["members"]), BTreeSet::from([w.bob.id]), "only the people drawn");
    let admin_gantt = stack.get("/api/tasks/gantt/", Some(&w.alice.token)).await;
    assert!(ids(&admin_gantt.data()["tasks"]).contains(&a.carols));

    // The client sends no month: this month (the team's zone is UTC by default).
    let calendar = stack.get("/api/tasks/calendar/", Some(&w.bob.token)).await;
    assert_eq!(calendar.status, 200, "{:?}", calendar.body);
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    assert_eq!(
        (calendar.data()["year"].as_i64(), calendar.data()["month"].as_i64()),
        (Some(i64::from(today.year())), Some(i64::from(today.month())))
    );
    let december = stack.get("/api/tasks/calendar/?year=2026&month=12", Some(&w.bob.token)).await;
    let days: Vec<&str> =
        december.data()["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(days, ["2026-12-01", "2026-12-20"], "bob's task only: carol's days stay hidden");
    assert_eq!(december.data()["days"][1]["tasks"][0]["project"]["title"], "Mobile app");
    assert_eq!(ids(&december.data()["items"]), BTreeSet::from([a.bobs_other]));

    // The list shows every task of bob's projects as their lists do: carol's redacted.
    let list = stack.get("/api/tasks/list/?view=flat", Some(&w.bob.token)).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let items = list.data()["items"].as_array().unwrap();
    assert_eq!(ids(&list.data()["items"]), BTreeSet::from([w.task, a.bobs_other, a.open_other, a.carols]));
    let hidden = items.iter().find(|t| t["id"] == a.carols).unwrap();
    assert_eq!((hidden["status"].as_str(), hidden["can_view"].as_bool()), (Some("private"), Some(false)));
    assert_eq!(hidden["project"], json!({"id": w.project, "title": "Website"}));
    assert!(!list.body.to_string().contains("2026-12-09"), "carol's dates stay hidden");
    assert!(!ids(&list.data()["items"]).contains(&a.archived_task), "archived projects are left out");
    let sub = w.create_subtask(&stack, &w.bob.token, w.task, "Wireframes").await["id"].as_u64().unwrap();
    let tree = stack.get("/api/tasks/list/?view=tree", Some(&w.bob.token)).await;
    let design = tree.data()["items"].as_array().unwrap().iter().find(|t| t["id"] == w.task).unwrap();
    assert_eq!(ids(&design["children"]), BTreeSet::from([sub]));
    let narrowed = stack.get(&format!("/api/tasks/list/?project_id={}&search=free", a.other), Some(&w.bob.token)).await;
    assert_eq!(ids(&narrowed.data()["items"]), BTreeSet::from([a.open_other]));
}
