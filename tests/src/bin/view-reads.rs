//! Benchmark (not a test): what the views and dashboards read for a team of 20 projects of
//! 500 tasks each. For each request: its DynamoDB calls, sequential round trips, the items
//! they read, and how many tasks the answer shows. A view reads what it shows and the counts
//! kept for it, so items read follow tasks shown (and projects and members), not the
//! 10,000 tasks. Run with `make bench`.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;
use reqwest::Method;
use serde_json::Value;
use teamsync::keys;
use teamsync::projects::model::{Priority, ProjectRecord, Status, TaskPointer, TaskRecord, WorkloadRecord};
use teamsync::projects::tally;
use teamsync::store::item_of;
use teamsync_local::calls::CallRecorder;
use teamsync_tests::Stack;
use teamsync_tests::world::World;

const PROJECTS: u64 = 20;
const MAINS_PER_PROJECT: u64 = 100;
const SUBTASKS_PER_MAIN: u64 = 4;

#[tokio::main]
async fn main() {
    let recorder = CallRecorder::default();
    let stack = Stack::recorded(recorder.clone()).await;
    let world = World::build(&stack).await;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut projects = Vec::new();
    for n in 0..PROJECTS {
        projects.push(world.create_project(&stack, &format!("Project {n}")).await);
    }
    let overdue = seed(&stack, &world, &projects, today).await;
    let first = projects[0];

    let (alice, bob) = (world.alice.token.as_str(), world.bob.token.as_str());
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("/api/projects/{first}/kanban/"), "member", bob),
        (format!("/api/projects/{first}/gantt/"), "member", bob),
        (format!("/api/projects/{first}/calendar/"), "member", bob),
        ("/api/tasks/kanban/".into(), "member", bob),
        ("/api/tasks/gantt/".into(), "member", bob),
        ("/api/tasks/calendar/".into(), "member", bob),
        ("/api/tasks/kanban/".into(), "team admin", alice),
        ("/api/tasks/list/?view=flat".into(), "member", bob),
        ("/api/dashboard/member/".into(), "member", bob),
        ("/api/dashboard/admin/".into(), "team admin", alice),
        ("/api/projects/?page_size=20".into(), "team admin", alice),
        ("/api/projects/?page_size=20".into(), "member", bob),
        ("/api/team/members/".into(), "team admin", alice),
    ];
    println!(
        "a team of {PROJECTS} projects of {} tasks each ({} tasks, {overdue} of them overdue); bob and carol are on \
         every project, each holds a third of the main tasks with their subtasks, the rest are unassigned",
        MAINS_PER_PROJECT * (1 + SUBTASKS_PER_MAIN),
        PROJECTS * MAINS_PER_PROJECT * (1 + SUBTASKS_PER_MAIN)
    );
    println!("items read: what the request's DynamoDB calls returned, the session check included");
    println!(
        "{:<38} {:<11} {:>6} {:>5} {:>11} {:>10} {:>11}",
        "route", "caller", "status", "calls", "round trips", "items read", "tasks shown"
    );
    for (path, caller, token) in cases {
        recorder.take();
        let answer = stack.send(stack.request(Method::GET, &path, Some(token))).await;
        let calls = recorder.take();
        println!(
            "{:<38} {:<11} {:>6} {:>5} {:>11} {:>10} {:>11}",
            path,
            caller,
            answer.status,
            calls.len(),
            CallRecorder::round_trips(&calls),
            calls.iter().map(|c| c.items_read).sum::<usize>(),
            tasks_shown(answer.data())
        );
    }
}

/// Tasks an answer shows, wherever it lists them (trees counted whole).
fn tasks_shown(data: &Value) -> usize {
    fn count(items: &Value) -> usize {
        items.as_array().map_or(0, |items| items.iter().map(|t| 1 + count(&t["children"])).sum())
    }
    if let Some(columns) = data["columns"].as_array() {
        return columns.iter().map(|c| count(&c["tasks"])).sum();
    }
    if let Some(days) = data["days"].as_array() {
        return count(&data["items"]).max(days.len());
    }
    if data["today"].is_object() {
        return ["today", "this_week", "overdue"].iter().map(|b| count(&data[*b]["tasks"])).sum();
    }
    if data["overdue_tasks_detail"].is_array() {
        return count(&data["overdue_tasks_detail"]);
    }
    if data["items"].as_array().is_some_and(|items| items.first().is_some_and(|i| i.get("total_tasks").is_some())) {
        return 0; // a page of projects
    }
    count(&data["items"])
}

/// Writes the projects' tasks straight into the table (the API would take minutes for
/// 10,000 creates): the same items the API writes, index attributes included, with each
/// project's counts and the users' workloads as the API would have kept them.
/// Answers how many of the tasks are overdue.
async fn seed(stack: &Stack, world: &World, projects: &[u64], today: Date) -> usize {
    let db = &stack.ctx.db;
    let people = [Some(world.bob.id), Some(world.carol.id), None];
    let mut next_id = 100_000;
    let mut added: HashMap<u64, (i64, i64)> = HashMap::new();
    let mut items = Vec::new();
    let mut overdue = 0;
    for (p, project_id) in projects.iter().enumerate() {
        let mut tasks = Vec::new();
        for m in 0..MAINS_PER_PROJECT {
            let n = p as u64 * MAINS_PER_PROJECT + m;
            let assignee = people[(n % 3) as usize];
            let main = task(&mut next_id, *project_id, None, assignee, n, today, world.alice.id);
            for s in 0..SUBTASKS_PER_MAIN {
                // A main task nobody has yet has no subtasks: only an assignee adds them.
                if assignee.is_some() {
                    let creator = assignee.unwrap_or(world.alice.id);
                    tasks.push(task(&mut next_id, *project_id, Some(&main), assignee, n * 7 + s, today, creator));
                }
            }
            tasks.push(main);
        }
        while tasks.len() < (MAINS_PER_PROJECT * (1 + SUBTASKS_PER_MAIN)) as usize {
            let n = next_id;
            tasks.push(task(&mut next_id, *project_id, None, None, n, today, world.alice.id));
        }
        overdue += tasks.iter().filter(|t| t.status != Status::Completed && t.end_date < Some(today)).count();
        for task in &tasks {
            if let Some(user) = task.assignee_id {
                let counts = added.entry(user).or_default();
                counts.0 += 1;
                counts.1 += i64::from(task.status == Status::Completed);
            }
            let pointer = TaskPointer {
                task_id: task.id,
                project_id: *project_id,
                team_id: Some(world.team_a),
                created_by: Some(task.created_by),
            };
            items.push(item_of(task).unwrap());
            items.push(item_of(&pointer).unwrap());
        }
        let mut project: ProjectRecord = db.get(&keys::project(*project_id)).await.unwrap().unwrap();
        project.tally = tally::recount(&tasks);
        items.push(item_of(&project).unwrap());
    }
    for (user, (assigned, completed)) in added {
        let kept: Option<WorkloadRecord> = db.get(&keys::workload(user)).await.unwrap();
        let kept = kept.unwrap_or_default();
        let workload = WorkloadRecord {
            user_id: user,
            assigned_tasks: kept.assigned_tasks + assigned,
            completed_tasks: kept.completed_tasks + completed,
        };
        items.push(item_of(&workload).unwrap());
    }
    db.put_all(items).await.unwrap();
    overdue
}

/// The `n`th seeded task, made by `creator`: statuses in turn, due days from 60 days ago
/// to 60 ahead.
fn task(
    next_id: &mut u64,
    project_id: u64,
    parent: Option<&TaskRecord>,
    assignee: Option<u64>,
    n: u64,
    today: Date,
    creator: u64,
) -> TaskRecord {
    *next_id += 1;
    let statuses = [Status::Planning, Status::Pending, Status::InProgress, Status::Completed];
    let due = today.checked_add(((n % 121) as i64 - 60).days()).unwrap();
    TaskRecord {
        id: *next_id,
        project_id,
        parent_id: parent.map(|p| p.id),
        level: parent.map_or(1, |p| p.level + 1),
        path: parent.map_or_else(String::new, |p| format!("/{}", p.id)),
        title: format!("Seeded {n}"),
        status: statuses[(n % 4) as usize],
        priority: Priority::Medium,
        assignee_id: assignee,
        start_date: Some(due.checked_sub(5.days()).unwrap()),
        end_date: Some(due),
        created_at: jiff::Timestamp::now(),
        updated_at: jiff::Timestamp::now(),
        created_by: creator,
        version: 1,
        ..TaskRecord::default()
    }
}
