//! The member and admin dashboards: "today" and "this week" in the team's time zone, and
//! counts kept as tasks change that always equal a recount of the tasks themselves.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};
use teamsync_tests::world::{World, invite};
use teamsync_tests::{PASSWORD, Stack};

fn ids(items: &Value) -> BTreeSet<u64> {
    items.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

fn today_in(zone: &str) -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(zone).unwrap()).date()
}

async fn task_due(stack: &Stack, admin: &str, project: u64, assignee: u64, title: &str, due: Date) -> u64 {
    let body = json!({"title": title, "assignee_id": assignee, "end_date": due.to_string()});
    let answer = stack.post(&format!("/api/projects/{project}/tasks/"), Some(admin), body).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    answer.data()["id"].as_u64().unwrap()
}

/// A team in `zone` with an admin and one member on a project; answers (admin token,
/// member token, member id, project).
async fn team_in(stack: &Stack, prefix: &str, zone: &str) -> (String, String, u64, u64) {
    let (_, _) = stack.register_team_admin(&format!("{prefix}admin"), &format!("{prefix} team")).await;
    let admin = stack.login(&format!("{prefix}admin"), PASSWORD).await.access;
    assert_eq!(stack.patch("/api/team/", Some(&admin), json!({"timezone": zone})).await.status, 200);
    let member = format!("{prefix}member");
    let id = stack.register(&member, json!({})).await["id"].as_u64().unwrap();
    invite(stack, &admin, &member, "member").await;
    let token = stack.login(&member, PASSWORD).await.access;
    let project = stack.post("/api/projects/", Some(&admin), json!({"title": "Plan", "member_ids": [id]})).await;
    assert_eq!(project.status, 201, "{:?}", project.body);
    (admin, token, id, project.data()["id"].as_u64().unwrap())
}

#[tokio::test]
async fn the_member_dashboard_sorts_ones_open_tasks_by_the_teams_today_and_week() {
    let stack = Stack::start().await;
    // Auckland and Los Angeles are 21 hours apart: most of the day their "today" differ.
    for (prefix, zone) in [("nz", "Pacific/Auckland"), ("la", "America/Los_Angeles")] {
        let (admin, token, member, project) = team_in(&stack, prefix, zone).await;
        let today = today_in(zone);
        let monday =
            if today.weekday() == Weekday::Monday { today } else { today.nth_weekday(-1, Weekday::Monday).unwrap() };
        let sunday = monday.checked_add(6.days()).unwrap();
        let yesterday = today.yesterday().unwrap();
        let due_today = task_due(&stack, &admin, project, member, "Today", today).await;
        let late = task_due(&stack, &admin, project, member, "Late", yesterday).await;
        let on_sunday = task_due(&stack, &admin, project, member, "Sunday", sunday).await;
        let next_week = task_due(&stack, &admin, project, member, "Next week", sunday.tomorrow().unwrap()).await;
        let done = task_due(&stack, &admin, project, member, "Done late", yesterday).await;
        let completed =
            stack.patch(&format!("/api/tasks/{done}/status/"), Some(&token), json!({"status": "completed"})).await;
        assert_eq!(completed.status, 200);

        let dashboard = stack.get("/api/dashboard/member/", Some(&token)).await;
        assert_eq!(dashboard.status, 200, "{:?}", dashboard.body);
        let data = dashboard.data();
        assert_eq!(ids(&data["today"]["tasks"]), BTreeSet::from([due_today]), "{zone}: {data}");
        assert_eq!(data["today"]["total"], 1);
        assert_eq!(ids(&data["overdue"]["tasks"]), BTreeSet::from([late]), "{zone}");
        let mut week = BTreeSet::from([due_today, on_sunday]);
        if yesterday >= monday {
            week.insert(late);
        }
        assert_eq!(ids(&data["this_week"]["tasks"]), week, "{zone}: Monday {monday} to Sunday {sunday}");
        assert!(!ids(&data["this_week"]["tasks"]).contains(&next_week));
        let item = &data["overdue"]["tasks"][0];
        assert_eq!((item["project"].as_str(), item["is_overdue"].as_bool()), (Some("Plan"), Some(true)));
        assert_eq!(item["end_date"], yesterday.to_string());
        // The admin's own dashboard holds none of the member's tasks.
        let admins = stack.get("/api/dashboard/member/", Some(&admin)).await;
        assert_eq!(admins.data()["this_week"]["total"], 0);
    }
}

/// What the admin sees of each project in its list, recounted from the tasks themselves.
async fn recount(stack: &Stack, admin: &str, projects: &[u64]) -> (BTreeMap<u64, Value>, BTreeMap<u64, (i64, i64)>) {
    let mut per_project = BTreeMap::new();
    let mut per_user: BTreeMap<u64, (i64, i64)> = BTreeMap::new();
    for project in projects {
        let list = stack.get(&format!("/api/projects/{project}/tasks/?view=flat"), Some(admin)).await;
        let tasks = list.data()["items"].as_array().unwrap().clone();
        let completed = tasks.iter().filter(|t| t["status"] == "completed").count();
        let overdue = tasks.iter().filter(|t| t["is_overdue"] == true).count();
        let mains: Vec<f64> =
            tasks.iter().filter(|t| t["level"] == 1).map(|t| t["progress"].as_f64().unwrap()).collect();
        let progress =
            if mains.is_empty() { 0.0 } else { (mains.iter().sum::<f64>() / mains.len() as f64 * 10.0).round() / 10.0 };
        per_project.insert(
            *project,
            json!({"total": tasks.len(), "completed": completed, "overdue": overdue, "progress": progress}),
        );
        for task in &tasks {
            if let Some(assignee) = task["assignee_id"].as_u64() {
                let counts = per_user.entry(assignee).or_default();
                counts.0 += 1;
                counts.1 += i64::from(task["status"] == "completed");
            }
        }
    }
    (per_project, per_user)
}

/// The dashboard, the project list and the team list agree with a recount of the tasks.
async fn check_counts(stack: &Stack, world: &World, projects: &[u64], step: &str) {
    let admin = world.alice.token.as_str();
    let (per_project, per_user) = recount(stack, admin, projects).await;
    let dashboard = stack.get("/api/dashboard/admin/", Some(admin)).await;
    assert_eq!(dashboard.status, 200, "{step}: {:?}", dashboard.body);
    let data = dashboard.data();
    let listed = stack.get("/api/projects/?page_size=100", Some(admin)).await;
    for (project, counted) in &per_project {
        let line = data["projects"].as_array().unwrap().iter().find(|p| p["id"] == *project).unwrap();
        let item = listed.data()["items"].as_array().unwrap().iter().find(|p| p["id"] == *project).unwrap();
        let shown = json!({
            "total": line["total_tasks"], "completed": line["completed_tasks"],
            "overdue": line["overdue_task_count"], "progress": line["progress"],
        });
        assert_eq!(&shown, counted, "{step}: project {project} on the dashboard");
        let in_list = json!({
            "total": item["total_tasks"], "completed": item["completed_tasks"],
            "overdue": item["overdue_task_count"], "progress": item["progress"],
        });
        assert_eq!(&in_list, counted, "{step}: project {project} in the list");
    }
    let total: u64 = per_project.values().map(|c| c["total"].as_u64().unwrap()).sum();
    assert_eq!(data["total_tasks"], total, "{step}");
    let members = stack.get("/api/team/members/?page_size=100", Some(admin)).await;
    for line in data["member_workload"].as_array().unwrap() {
        let user = line["user_id"].as_u64().unwrap();
        let (assigned, completed) = per_user.get(&user).copied().unwrap_or_default();
        assert_eq!(
            (line["assigned_tasks"].as_i64(), line["completed_tasks"].as_i64()),
            (Some(assigned), Some(completed)),
            "{step}: user {user}"
        );
        let member = members.data()["items"].as_array().unwrap().iter().find(|m| m["id"] == user).unwrap();
        assert_eq!(member["task_count"].as_i64(), Some(assigned - completed), "{step}: open tasks of user {user}");
    }
}

#[tokio::test]
async fn the_admin_dashboard_and_lists_count_what_a_recount_of_the_tasks_finds() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let other = world.create_project(&stack, "Second").await;
    let projects = [world.project, other];
    let (alice, bob, carol) = (world.alice.token.as_str(), world.bob.token.as_str(), world.carol.token.as_str());
    check_counts(&stack, &world, &projects, "at the start").await;

    // Created: main tasks, subtasks, one overdue, one unassigned.
    let sub = world.create_subtask(&stack, bob, world.task, "Sub").await["id"].as_u64().unwrap();
    let subsub = world.create_subtask(&stack, bob, sub, "Sub-sub").await["id"].as_u64().unwrap();
    let carols = world.create_task(&stack, other, "Carol's", world.carol.id).await;
    let yesterday = today_in("UTC").yesterday().unwrap();
    let late = task_due(&stack, alice, other, world.bob.id, "Late", yesterday).await;
    let open =
        stack.post("/api/tasks/create-unassigned/", Some(alice), json!({"project_id": other, "title": "Free"})).await;
    assert_eq!(open.status, 201);
    check_counts(&stack, &world, &projects, "after creating").await;

    // Status changes, deep in a tree and at its top.
    assert_eq!(
        stack.patch(&format!("/api/tasks/{subsub}/status/"), Some(bob), json!({"status": "completed"})).await.status,
        200
    );
    assert_eq!(
        stack.patch(&format!("/api/tasks/{carols}/"), Some(carol), json!({"status": "completed"})).await.status,
        200
    );
    check_counts(&stack, &world, &projects, "after completing").await;
    assert_eq!(
        stack.patch(&format!("/api/tasks/{carols}/"), Some(alice), json!({"status": "in_progress"})).await.status,
        200
    );

    // Reassignment, and a claim.
    let moved = stack.patch(&format!("/api/tasks/{late}/"), Some(alice), json!({"assignee_id": world.carol.id})).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let claimed = stack.post(&format!("/api/tasks/{}/claim/", open.data()["id"]), Some(bob), json!({})).await;
    assert_eq!(claimed.status, 200, "{:?}", claimed.body);
    check_counts(&stack, &world, &projects, "after reassigning").await;

    // Deletes: a leaf of a tree, then a whole main task.
    assert_eq!(stack.delete(&format!("/api/tasks/{subsub}/"), Some(&world.root.token)).await.status, 200);
    assert_eq!(stack.delete(&format!("/api/tasks/{carols}/"), Some(&world.root.token)).await.status, 200);
    check_counts(&stack, &world, &projects, "after deleting").await;

    // Carol leaves the team: her open tasks are unassigned and she leaves the workload.
    assert_eq!(stack.delete(&format!("/api/team/members/{}/", world.carol.id), Some(alice)).await.status, 200);
    check_counts(&stack, &world, &projects, "after removing carol").await;
    let dashboard = stack.get("/api/dashboard/admin/", Some(alice)).await;
    let people: BTreeSet<u64> = dashboard.data()["member_workload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_u64().unwrap())
        .collect();
    assert!(!people.contains(&world.carol.id), "{people:?}");

    // The overview and the overdue detail.
    let data = dashboard.data();
    assert_eq!(
        (data["total_projects"].as_u64(), data["active_projects"].as_u64(), data["archived_projects"].as_u64()),
        (Some(2), Some(2), Some(0))
    );
    assert_eq!(data["project_overview"]["total"], 2);
    assert_eq!(data["overdue_tasks"], 1);
    let detail = &data["overdue_tasks_detail"][0];
    assert_eq!((detail["id"].as_u64(), detail["days_overdue"].as_i64()), (Some(late), Some(1)));
    assert_eq!(detail["project"], json!({"id": other, "title": "Second"}));
    assert_eq!(detail["assignee"], Value::Null, "carol's task was unassigned when she left");
}

#[tokio::test]
async fn only_a_teams_admins_see_its_dashboard() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    assert_eq!(stack.get("/api/dashboard/admin/", Some(&world.bob.token)).await.status, 403);
    assert_eq!(stack.get("/api/dashboard/admin/", None).await.status, 401);
    assert_eq!(stack.get("/api/dashboard/member/", None).await.status, 401);
    let other_team =
        stack.get(&format!("/api/dashboard/admin/?team_id={}", world.team_a), Some(&world.eve.token)).await;
    assert_eq!(other_team.status, 404, "{:?}", other_team.body);
    let unnamed = stack.get("/api/dashboard/admin/", Some(&world.root.token)).await;
    assert_eq!(unnamed.status, 400);
    assert!(unnamed.field_errors().contains_key("team_id"), "{:?}", unnamed.body);
    let named = stack.get(&format!("/api/dashboard/admin/?team_id={}", world.team_a), Some(&world.root.token)).await;
    assert_eq!(named.status, 200, "{:?}", named.body);
    assert_eq!(named.data()["team_id"], world.team_a);
    let eves = stack.get("/api/dashboard/admin/", Some(&world.eve.token)).await;
    assert_eq!(eves.data()["total_projects"], 0, "her own team has none");
}
