//! Benchmark (not a test): a reminders run over 10,000 open tasks of which 100 are due.
//! Prints what the run read and wrote, how long it took here (the wall time of the run
//! through the local gateway, most of it the local DynamoDB's), and this process's resident
//! memory before and after loading the tasks, for `make bench`. The run reads the reminders
//! index only up to today, so its reads follow the due tasks, not all tasks.

use std::time::Instant;

use jiff::civil::Date;
use teamsync::projects::model::{Status, TaskRecord};
use teamsync::store::item_of;
use teamsync_tests::world::World;
use teamsync_tests::{Stack, resident_mib};

const OPEN_TASKS: u64 = 10_000;
const DUE: u64 = 100;
const RUN_AT: &str = "2026-11-21T12:00:00Z";

#[tokio::main]
async fn main() {
    let stack = Stack::start().await;
    let world = World::build(&stack).await;
    let before_loading = resident_mib();
    let today: Date = "2026-11-21".parse().unwrap();
    // Seeded straight into the table (the API would take minutes for 10,000 creates): the
    // same items the API writes, index attributes included.
    let items = (0..OPEN_TASKS)
        .map(|n| {
            let end_date = if n < DUE {
                today.yesterday().unwrap()
            } else {
                today + jiff::Span::new().days(30 + (n % 300) as i64)
            };
            let task = TaskRecord {
                id: 1_000 + n,
                project_id: world.project,
                level: 1,
                title: format!("Seeded {n}"),
                status: Status::InProgress,
                assignee_id: Some(world.bob.id),
                end_date: Some(end_date),
                created_by: world.alice.id,
                created_at: jiff::Timestamp::now(),
                updated_at: jiff::Timestamp::now(),
                version: 1,
                ..TaskRecord::default()
            };
            item_of(&task).unwrap()
        })
        .collect();
    stack.ctx.db.put_all(items).await.unwrap();
    let after_loading = resident_mib();

    println!("reminders run over {OPEN_TASKS} open tasks with end dates, {DUE} of them overdue, at {RUN_AT}");
    println!(
        "resident memory of this process (gateway, functions and the in-memory local DynamoDB): \
         {before_loading:.0} MiB before loading the tasks, {after_loading:.0} MiB after ({:+.0} MiB)",
        after_loading - before_loading
    );
    println!(
        "{:<8} {:>10} {:>10} {:>13} {:>13} {:>8} {:>8}",
        "run", "tasks_read", "items_read", "items_written", "notifications", "overdue", "time_ms"
    );
    for run in ["first", "second"] {
        let started = Instant::now();
        let answer = stack.run_schedule("SchedulerFunction", Some(RUN_AT)).await;
        let elapsed = started.elapsed().as_millis();
        let figure = |name: &str| answer.body["result"][name].as_u64().unwrap_or_default();
        println!(
            "{:<8} {:>10} {:>10} {:>13} {:>13} {:>8} {:>8}",
            run,
            figure("tasks_read"),
            figure("items_read"),
            figure("items_written"),
            figure("notifications_written"),
            figure("overdue"),
            elapsed
        );
    }
}
