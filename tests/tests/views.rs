//! A project's kanban, gantt and calendar (seed 001 §5): their shapes, and what a member
//! who is not a task's assignee may see of it (nothing: a column or a day would tell).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use teamsync_tests::Stack;
use teamsync_tests::world::World;

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn ids(items: &Value) -> BTreeSet<u64> {
    items.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

/// Sets fields of a task as its project's admin (alice); asserts the 200.
async fn set(stack: &Stack, world: &World, task: u64, fields: Value) {
    let answer = stack.patch(&format!("/api/tasks/{task}/"), Some(&world.alice.token), fields).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
}

async fn unassigned(stack: &Stack, world: &World, title: &str) -> u64 {
    let body = json!({"project_id": world.project, "title": title});
    let answer = stack.post("/api/tasks/create-unassigned/", Some(&world.alice.token), body).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.data()["id"].as_u64().unwrap()
}

/// World's project with: bob's task (planning) and its subtask, carol's task (in progress,
/// due 2026-12-10, with a secret title), and an unassigned pending task.
struct Board {
    world: World,
    bobs_sub: u64,
    carols: u64,
    open: u64,
}

async fn board(stack: &Stack) -> Board {
    let world = World::build(stack).await;
    let bobs_sub =
        world.create_subtask(stack, &world.bob.token, world.task, "Wireframes").await["id"].as_u64().unwrap();
    let carols = world.create_task(stack, world.project, "Carol's secret", world.carol.id).await;
    set(stack, &world, carols, json!({"status": "in_progress", "start_date": "2026-12-01", "end_date": "2026-12-10"}))
        .await;
    let open = unassigned(stack, &world, "Up for grabs").await;
    set(stack, &world, open, json!({"status": "pending"})).await;
    Board { world, bobs_sub, carols, open }
}

#[tokio::test]
async fn the_kanban_has_the_seeds_columns_and_shows_a_member_only_what_they_see_in_full() {
    let stack = Stack::start().await;
    let b = board(&stack).await;
    let (world, p) = (&b.world, b.world.project);

    let admin = stack.get(&format!("/api/projects/{p}/kanban/"), Some(&world.alice.token)).await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    assert_eq!(admin.data()["project_id"], p);
    let columns = admin.data()["columns"].as_array().unwrap();
    let heads: Vec<(String, String, String)> = columns
        .iter()
        .map(|c| {
            (c["id"].as_str().unwrap().into(), c["title"].as_str().unwrap().into(), c["color"].as_str().unwrap().into())
        })
        .collect();
    let expected = [
        ("planning", "Planning", "#94A3B8"),
        ("pending", "Pending", "#F59E0B"),
        ("in_progress", "In progress", "#0D9488"),
        ("completed", "Completed", "#10B981"),
    ];
    assert_eq!(heads, expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned())));
    assert_eq!(ids(&columns[0]["tasks"]), BTreeSet::from([world.task, b.bobs_sub]));
    assert_eq!(ids(&columns[1]["tasks"]), BTreeSet::from([b.open]));
    assert_eq!(ids(&columns[2]["tasks"]), BTreeSet::from([b.carols]));
    let card = &columns[2]["tasks"][0];
    let card_keys = ["id", "title", "status", "priority", "assignee", "end_date", "normal_flag", "level", "parent_id"];
    assert_eq!(keys(card), card_keys.into_iter().map(String::from).collect());
    assert_eq!(card["assignee"], json!({"id": world.carol.id, "username": "carol"}));
    assert_eq!(card["end_date"], "2026-12-10");
    let sub = columns[0]["tasks"].as_array().unwrap().iter().find(|c| c["id"] == b.bobs_sub).unwrap();
    assert_eq!((sub["level"].as_u64(), sub["parent_id"].as_u64()), (Some(2), Some(world.task)));

    let chinese = stack
        .send(
            stack
                .request(Method::GET, &format!("/api/projects/{p}/kanban/"), Some(&world.bob.token))
                .header("Accept-Language", "zh"),
        )
        .await;
    let titles: Vec<&str> =
        chinese.data()["columns"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["规划中", "待处理", "进行中", "已完成"]);

    // Bob sees his own tasks and the open one; carol's is not on his board at all.
    let bobs = stack.get(&format!("/api/projects/{p}/kanban/?assignee=all"), Some(&world.bob.token)).await;
    let shown: BTreeSet<u64> =
        bobs.data()["columns"].as_array().unwrap().iter().flat_map(|c| ids(&c["tasks"])).collect();
    assert_eq!(shown, BTreeSet::from([world.task, b.bobs_sub, b.open]));
    assert!(!bobs.body.to_string().contains("secret"), "{}", bobs.body);
    let mine = stack.get(&format!("/api/projects/{p}/kanban/?assignee=me"), Some(&world.bob.token)).await;
    let shown: BTreeSet<u64> =
        mine.data()["columns"].as_array().unwrap().iter().flat_map(|c| ids(&c["tasks"])).collect();
    assert_eq!(shown, BTreeSet::from([world.task, b.bobs_sub]));

    let bad = stack.get(&format!("/api/projects/{p}/kanban/?assignee=everyone"), Some(&world.bob.token)).await;
    assert_eq!(bad.status, 400);
    assert!(bad.field_errors().contains_key("assignee"), "{:?}", bad.body);
}

#[tokio::test]
async fn the_gantt_draws_trees_with_dates_progress_and_a_colour_per_person() {
    let stack = Stack::start().await;
    let b = board(&stack).await;
    let (world, p) = (&b.world, b.world.project);
    set(&stack, world, world.task, json!({"start_date": "2026-11-20", "end_date": "2026-12-05"})).await;
    set(
        &stack,
        world,
        b.bobs_sub,
        json!({"start_date": "2026-11-22", "end_date": "2026-11-25", "status": "completed"}),
    )
    .await;
    // A subtask of bob's task handed to carol: bob must not see it on his gantt.
    let handed =
        world.create_subtask(&stack, &world.bob.token, world.task, "Handed over").await["id"].as_u64().unwrap();
    set(&stack, world, handed, json!({"assignee_id": world.carol.id, "end_date": "2026-12-31"})).await;

    let admin = stack.get(&format!("/api/projects/{p}/gantt/"), Some(&world.alice.token)).await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    let data = admin.data();
    assert_eq!((data["project_id"].as_u64(), data["view_mode"].as_str()), (Some(p), Some("day")));
    assert_eq!(data["tasks"], data["items"], "the client reads items, the seed tasks");
    assert_eq!(ids(&data["tasks"]), BTreeSet::from([world.task, b.carols, b.open]), "main tasks at the top");
    assert_eq!(data["date_range"], json!({"start": "2026-11-20", "end": "2026-12-31"}), "the span of the tasks");
    let design = data["tasks"].as_array().unwrap().iter().find(|t| t["id"] == world.task).unwrap();
    assert_eq!((design["start"].as_str(), design["end"].as_str()), (Some("2026-11-20"), Some("2026-12-05")));
    assert_eq!(design["progress"], 50.0, "one of its two leaves is completed");
    assert_eq!(design["level"], 1);
    assert_eq!(design["dependencies"], json!([]));
    assert_eq!(ids(&design["children"]), BTreeSet::from([b.bobs_sub, handed]));
    let bob_colour = design["assignee"]["color"].as_str().unwrap().to_owned();
    assert!(bob_colour.len() == 7 && bob_colour.starts_with('#'), "{bob_colour}");
    let members = data["members"].as_array().unwrap();
    let colour_of = |members: &[Value], id: u64| members.iter().find(|m| m["id"] == id).unwrap()["color"].clone();
    assert_eq!(colour_of(members, world.bob.id), bob_colour);
    assert_ne!(colour_of(members, world.bob.id), colour_of(members, world.carol.id));

    // The same colour in another project and another request.
    let other = world.create_project(&stack, "Another").await;
    world.create_task(&stack, other, "Elsewhere", world.bob.id).await;
    let elsewhere = stack.get(&format!("/api/projects/{other}/gantt/"), Some(&world.bob.token)).await;
    assert_eq!(elsewhere.data()["tasks"][0]["assignee"]["color"], bob_colour);
    assert_eq!(colour_of(elsewhere.data()["members"].as_array().unwrap(), world.bob.id), bob_colour);

    // Bob: his tree without the subtask he no longer holds, and the open task; not carol's.
    let bobs = stack.get(&format!("/api/projects/{p}/gantt/?view_mode=week"), Some(&world.bob.token)).await;
    assert_eq!(bobs.data()["view_mode"], "week");
    assert_eq!(ids(&bobs.data()["tasks"]), BTreeSet::from([world.task, b.open]));
    let his = bobs.data()["tasks"].as_array().unwrap().iter().find(|t| t["id"] == world.task).unwrap();
    assert_eq!(ids(&his["children"]), BTreeSet::from([b.bobs_sub]));
    assert_eq!(bobs.data()["date_range"], json!({"start": "2026-11-20", "end": "2026-12-05"}));
    let text = bobs.body.to_string();
    assert!(!text.contains("secret") && !text.contains("Handed over") && !text.contains("2026-12-31"), "{text}");
    // Carol sees the subtask she holds, as a tree of its own.
    let carols = stack.get(&format!("/api/projects/{p}/gantt/"), Some(&world.carol.token)).await;
    assert_eq!(ids(&carols.data()["tasks"]), BTreeSet::from([b.carols, b.open, handed]));

    // A window keeps the trees whose root meets it, and is answered as asked.
    let window = stack
        .get(&format!("/api/projects/{p}/gantt/?start_date=2026-12-06&end_date=2026-12-31"), Some(&world.alice.token))
        .await;
    assert_eq!(ids(&window.data()["tasks"]), BTreeSet::from([b.carols]));
    assert_eq!(window.data()["date_range"], json!({"start": "2026-12-06", "end": "2026-12-31"}));

    let backwards = stack
        .get(&format!("/api/projects/{p}/gantt/?start_date=2026-12-31&end_date=2026-12-01"), Some(&world.alice.token))
        .await;
    assert_eq!(backwards.status, 400);
    assert!(backwards.field_errors().contains_key("end_date"), "{:?}", backwards.body);
    let mode = stack.get(&format!("/api/projects/{p}/gantt/?view_mode=year"), Some(&world.alice.token)).await;
    assert_eq!(mode.status, 400);
    assert!(mode.field_errors().contains_key("view_mode"), "{:?}", mode.body);
}

#[tokio::test]
async fn the_calendar_puts_a_task_on_its_start_day_and_its_due_day() {
    let stack = Stack::start().await;
    let b = board(&stack).await;
    let (world, p) = (&b.world, b.world.project);
    set(&stack, world, world.task, json!({"start_date": "2026-12-03", "end_date": "2027-01-15"})).await;
    set(&stack, world, b.open, json!({"start_date": "2026-12-10", "end_date": "2026-12-10"})).await;

    let admin = stack.get(&format!("/api/projects/{p}/calendar/?year=2026&month=12"), Some(&world.alice.token)).await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    let data = admin.data();
    assert_eq!(
        (data["project_id"].as_u64(), data["year"].as_u64(), data["month"].as_u64()),
        (Some(p), Some(2026), Some(12))
    );
    let days: Vec<(String, Vec<(u64, bool)>)> = data["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let tasks = d["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["id"].as_u64().unwrap(), t["is_due"].as_bool().unwrap()));
            (d["date"].as_str().unwrap().to_owned(), tasks.collect())
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2026-12-01".to_owned(), vec![(b.carols, false)]),
            ("2026-12-03".to_owned(), vec![(world.task, false)]),
            ("2026-12-10".to_owned(), vec![(b.carols, true), (b.open, true)]),
        ],
        "a start day, a start day whose due day is next year, two due days (one task starts and ends that day)"
    );
    assert_eq!(ids(&data["items"]), BTreeSet::from([world.task, b.carols, b.open]));
    let entry = &data["days"][0]["tasks"][0];
    assert_eq!(entry["assignee"], json!({"id": world.carol.id, "username": "carol"}));
    assert_eq!(entry["status"], "in_progress");

    let january = stack.get(&format!("/api/projects/{p}/calendar/?year=2027&month=1"), Some(&world.alice.token)).await;
    assert_eq!(
        january.data()["days"],
        json!([{"date": "2027-01-15", "tasks": [january.data()["days"][0]["tasks"][0].clone()]}])
    );
    assert_eq!(january.data()["days"][0]["tasks"][0]["is_due"], true);

    // Bob: no day of carol's task.
    let bobs = stack.get(&format!("/api/projects/{p}/calendar/?year=2026&month=12"), Some(&world.bob.token)).await;
    let dates: Vec<&str> =
        bobs.data()["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-12-03", "2026-12-10"]);
    assert_eq!(ids(&bobs.data()["items"]), BTreeSet::from([world.task, b.open]));
    assert!(!bobs.body.to_string().contains("secret"), "{}", bobs.body);

    // Without a month: this month in the team's time zone.
    assert_eq!(
        stack.patch("/api/team/", Some(&world.alice.token), json!({"timezone": "Pacific/Kiritimati"})).await.status,
        200
    );
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Pacific/Kiritimati").unwrap()).date();
    let this_month = stack.get(&format!("/api/projects/{p}/calendar/"), Some(&world.alice.token)).await;
    assert_eq!(
        (this_month.data()["year"].as_i64(), this_month.data()["month"].as_i64()),
        (Some(i64::from(today.year())), Some(i64::from(today.month())))
    );

    let half = stack.get(&format!("/api/projects/{p}/calendar/?year=2026"), Some(&world.alice.token)).await;
    assert_eq!(half.status, 400);
    assert!(half.field_errors().contains_key("month"), "{:?}", half.body);
    let thirteenth =
        stack.get(&format!("/api/projects/{p}/calendar/?year=2026&month=13"), Some(&world.alice.token)).await;
    assert_eq!(thirteenth.status, 400);
    assert!(thirteenth.field_errors().contains_key("month"), "{:?}", thirteenth.body);
}
