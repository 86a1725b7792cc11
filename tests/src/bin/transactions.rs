//! Benchmark (not a test): what one write costs the local DynamoDB as its table grows. A
//! transaction shaped like a task's status change (the task under its version condition,
//! a history entry and a notice, each a conditional write) is timed on template.yaml's
//! table holding 100, 10,000 and 100,000 task-like items, in a SQLite file (as `make run`
//! keeps it) and in memory (as the tests' stacks do). Prints the median and the slowest of
//! 50, and this process's resident memory: the emulator's, as nothing else runs here.
//! Run with `make bench`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, PutRequest, TransactWriteItem, Update, WriteRequest};
use futures_util::StreamExt;
use teamsync_local::dynamodb::{DynamoDbEmulator, Storage};
use teamsync_local::template::Template;
use teamsync_local::{project_root, stack, table};
use teamsync_tests::resident_mib;

const TABLE: &str = "teamsync";
const SIZES: [u64; 3] = [100, 10_000, 100_000];
const SAMPLES: u64 = 50;
/// Steps through the tasks so that samples land all over the table; prime, so that the
/// samples at one size are distinct tasks.
const STRIDE: u64 = 7_919;

#[tokio::main]
async fn main() {
    let scratch = std::env::temp_dir().join(format!("teamsync-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).unwrap();
    println!("one TransactWriteItems (3 conditional writes: task update, history entry, notice) by table size");
    println!(
        "rss_mib: this process, which is the local DynamoDB and the SDK client (before any: {:.0})",
        resident_mib()
    );
    println!(
        "{:<8} {:>8} {:>12} {:>10} {:>10} {:>8} {:>8}",
        "storage", "items", "load_items/s", "median_ms", "max_ms", "rss_mib", "db_mib"
    );
    let storages = [("file", Storage::File(scratch.join("dynamodb.sqlite"))), ("memory", Storage::Memory)];
    for (name, storage) in storages {
        let emulator = DynamoDbEmulator::start(&storage, 0).unwrap();
        let client = Client::new(&stack::sdk_config(&emulator.url).await);
        let template = Template::load(&project_root().join("template.yaml")).unwrap();
        table::create(&client, TABLE, &template.table).await.unwrap();
        let mut versions = HashMap::new();
        let mut loaded = 0;
        for size in SIZES {
            let started = Instant::now();
            load(&client, loaded..size).await;
            let load_rate = (size - loaded) as f64 / started.elapsed().as_secs_f64();
            loaded = size;
            let mut times = Vec::new();
            for sample in 0..SAMPLES {
                let task = sample * STRIDE % size;
                let version = versions.entry(task).or_insert(1);
                let started = Instant::now();
                status_change(&client, task, *version, size * SAMPLES + sample).await;
                times.push(started.elapsed());
                *version += 1;
            }
            times.sort();
            let holdings = emulator.holdings().unwrap();
            println!(
                "{:<8} {:>8} {:>12.0} {:>10.2} {:>10.2} {:>8.0} {:>8.1}",
                name,
                size,
                load_rate,
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1]),
                resident_mib(),
                holdings.bytes as f64 / (1024.0 * 1024.0)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: u64) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn task_key(task: u64) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), s(format!("PROJECT#{}", task / 100))),
        ("sk".to_owned(), s(format!("TASK#{task:08}"))),
    ])
}

/// A task as the store writes one: its keys, the assignee's and the reminders' index keys,
/// and its fields.
fn task_item(task: u64) -> HashMap<String, AttributeValue> {
    let mut item = task_key(task);
    item.extend([
        ("gsi1pk".to_owned(), s(format!("ASSIGNEE#{}", task % 50))),
        ("gsi1sk".to_owned(), s(format!("TASK#{task:08}"))),
        ("gsi3pk".to_owned(), s("REMINDERS")),
        ("gsi3sk".to_owned(), s(format!("2026-{:02}-{:02}#{task:08}", 1 + task % 12, 1 + task % 28))),
        ("id".to_owned(), n(task)),
        ("project_id".to_owned(), n(task / 100)),
        ("title".to_owned(), s(format!("Task {task}"))),
        ("description".to_owned(), s("A task of the benchmark, about as long as one people write. ".repeat(3))),
        ("status".to_owned(), s("in_progress")),
        ("priority".to_owned(), s("medium")),
        ("assignee_id".to_owned(), n(task % 50)),
        ("end_date".to_owned(), s("2026-12-01")),
        ("created_at".to_owned(), s("2026-01-01T00:00:00Z")),
        ("updated_at".to_owned(), s("2026-01-01T00:00:00Z")),
        ("version".to_owned(), n(1)),
    ]);
    item
}

/// Writes the tasks `range` in batches of 25, four batches in flight.
async fn load(client: &Client, range: std::ops::Range<u64>) {
    let tasks: Vec<u64> = range.collect();
    let batches = tasks.chunks(25).map(|chunk| {
        let requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|&task| {
                let put = PutRequest::builder().set_item(Some(task_item(task))).build().unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        client.batch_write_item().request_items(TABLE, requests).send()
    });
    let mut written = futures_util::stream::iter(batches).buffer_unordered(4);
    while let Some(result) = written.next().await {
        let output = result.unwrap();
        assert!(output.unprocessed_items().is_none_or(HashMap::is_empty), "the emulator handed back items");
    }
}

/// The task's status changes under its version condition, with a history entry and a notice.
async fn status_change(client: &Client, task: u64, version: u64, entry: u64) {
    let update = Update::builder()
        .table_name(TABLE)
        .set_key(Some(task_key(task)))
        .update_expression("SET #status = :status, #updated = :now ADD #version :one")
        .condition_expression("#version = :version")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#updated", "updated_at")
        .expression_attribute_names("#version", "version")
        .expression_attribute_values(":status", s("completed"))
        .expression_attribute_values(":now", s("2026-02-01T00:00:00Z"))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":version", n(version))
        .build()
        .unwrap();
    let created = |pk: String, sk: String, what: &str| {
        let item = HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk)), ("what".to_owned(), s(what))]);
        let put = Put::builder()
            .table_name(TABLE)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .unwrap();
        TransactWriteItem::builder().put(put).build()
    };
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().update(update).build())
        .transact_items(created(format!("TASK#{task}"), format!("HISTORY#{entry:012}"), "status"))
        .transact_items(created(format!("INBOX#{}", task % 50), format!("NOTIFICATION#{entry:012}"), "status_changed"))
        .send()
        .await
        .unwrap();
}
