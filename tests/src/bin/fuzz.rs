//! `make fuzz` (not a test): schemathesis against a fresh local stack, as each role, for
//! `FUZZ_SECONDS` seconds per role (default 60) and `FUZZ_EXAMPLES` requests per operation
//! and phase (default 50), every phase including the stateful one. Prints what each role's
//! run found; exits non-zero when any found something.

use teamsync_tests::Stack;
use teamsync_tests::fuzz::{Budget, fuzz_every_role};

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let budget = Budget {
        max_examples: setting("FUZZ_EXAMPLES", 50),
        max_seconds: setting("FUZZ_SECONDS", 60),
        seed: std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()),
        phases: "examples,coverage,fuzzing,stateful",
    };
    let stack = Stack::start().await;
    println!("fuzzing {} as each role, {} s each at most", stack.url, budget.max_seconds);
    let runs = fuzz_every_role(&stack, &budget).await;
    for run in &runs {
        println!(
            "\n===== {}: {}\n{}",
            run.role,
            if run.passed { "nothing found" } else { "FOUND PROBLEMS" },
            run.output
        );
    }
    println!();
    for run in &runs {
        println!("{:<12} {}", run.role, if run.passed { "nothing found" } else { "found problems (above)" });
    }
    if runs.iter().any(|run| !run.passed) {
        std::process::exit(1);
    }
}
