//! Soak benchmark (not a test; `make soak`): the black-box suites (tests/tests/) five times
//! in a row (`TEAMSYNC_SOAK_ROUNDS`) against one local DynamoDB kept in a SQLite file, as
//! `make run` keeps it, with the emulator's resident memory after each round. The emulator
//! runs inside this process, which does nothing else, so this process's memory is the
//! emulator's.
//!
//! The suites' stacks reach it through `TEAMSYNC_TEST_DYNAMODB_URL`, which the harness
//! honours: each creates a table of its own there. After each round their tables are
//! deleted, as their in-memory emulators would have gone with the test processes, so every
//! round ends holding the same data: what the memory does from round to round is what the
//! traffic does to it.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use aws_sdk_dynamodb::Client;
use teamsync_local::dynamodb::{DynamoDbEmulator, Storage};
use teamsync_local::{project_root, stack};
use teamsync_tests::resident_mib;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds: usize = std::env::var("TEAMSYNC_SOAK_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let root = project_root();
    let logs = root.join("target/soak");
    std::fs::create_dir_all(&logs).unwrap();
    let database = logs.join("dynamodb.sqlite");
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", database.display()));
    }
    let emulator = DynamoDbEmulator::start(&Storage::File(database.clone()), 0).unwrap();
    let client = Client::new(&stack::sdk_config(&emulator.url).await);
    println!("the black-box suites, {rounds} rounds against one local DynamoDB in {}", shown(&root, &database));
    println!("rss_mib: the emulator's resident memory after the round (at the start: {:.1})", resident_mib());
    println!(
        "{:<6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "round", "passed", "failed", "time_s", "tables", "items", "rss_mib"
    );
    for round in 1..=rounds {
        let started = Instant::now();
        let log = logs.join(format!("round-{round}.log"));
        let (passed, failed) = run_suites(&root, &emulator.url, &log);
        let holdings = emulator.holdings().unwrap();
        println!(
            "{:<6} {:>7} {:>7} {:>7.0} {:>7} {:>7} {:>8.1}",
            round,
            passed,
            failed,
            started.elapsed().as_secs_f64(),
            holdings.tables,
            holdings.items,
            resident_mib()
        );
        if failed > 0 || passed == 0 {
            println!("       see {}", shown(&root, &log));
        }
        delete_tables(&client).await;
    }
}

/// Runs `cargo test` on the black-box suites against `dynamodb_url`, its output into `log`,
/// and sums its results.
fn run_suites(root: &Path, dynamodb_url: &str, log: &Path) -> (u64, u64) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["test", "--locked", "--quiet", "-p", "teamsync-tests", "--tests"])
        .env("TEAMSYNC_TEST_DYNAMODB_URL", dynamodb_url)
        .output()
        .expect("cargo runs");
    let mut text = output.stdout;
    text.extend_from_slice(&output.stderr);
    std::fs::write(log, &text).unwrap();
    // "test result: ok. 12 passed; 0 failed; ...", as make test's sum reads it.
    String::from_utf8_lossy(&text)
        .lines()
        .filter(|line| line.starts_with("test result:"))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let count = |i: usize| fields.get(i).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            (count(3), count(5))
        })
        .fold((0, 0), |(p, f), (passed, failed)| (p + passed, f + failed))
}

async fn delete_tables(client: &Client) {
    let mut names = Vec::new();
    let mut start = None;
    loop {
        let page = client.list_tables().set_exclusive_start_table_name(start).send().await.unwrap();
        names.extend(page.table_names().iter().cloned());
        start = page.last_evaluated_table_name;
        if start.is_none() {
            break;
        }
    }
    for name in names {
        client.delete_table().table_name(name).send().await.unwrap();
    }
}

/// A path as seen from the repository's root.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
