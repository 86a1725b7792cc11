//! schemathesis against a local stack: it reads openapi/teamsync.yaml (as the stack serves
//! it), sends requests generated from it as each role, follows what creates answer (their
//! `Location`, the links it infers) in its stateful phase, and checks every answer: no 5xx,
//! a status and a body the document gives for that route, JSON where it says JSON.
//! `make fuzz` runs it for minutes; a test runs a short pass with a fixed seed.

use std::process::Command;

use serde_json::json;

use crate::world::World;
use crate::{PASSWORD, Stack};

/// The checks that hold the document and the code to each other.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance,\
                      unsupported_method,ignored_auth,use_after_free,ensure_resource_availability";

/// What a fuzzing session must not run on itself: signing out ends the session the rest of
/// its requests are signed with.
const SPARED_PATH: &str = "/api/auth/logout/";

/// How long and how hard to fuzz.
pub struct Budget {
    /// Generated requests per operation and phase.
    pub max_examples: u32,
    /// Seconds per role, at most.
    pub max_seconds: u32,
    /// A fixed seed makes a run repeatable.
    pub seed: Option<u64>,
    pub phases: &'static str,
}

/// What one role's run found.
pub struct RoleRun {
    pub role: &'static str,
    pub passed: bool,
    /// What schemathesis printed: its summary, and each failure with a curl to reproduce it.
    pub output: String,
}

/// Signs in one user of each role on `stack` (the world's, and a visitor in no team) and
/// fuzzes the API as each in turn.
pub async fn fuzz_every_role(stack: &Stack, budget: &Budget) -> Vec<RoleRun> {
    let world = World::build(stack).await;
    stack.register("visitor", json!({})).await;
    let visitor = stack.login("visitor", PASSWORD).await.access;
    let roles = [
        ("super admin", world.root.token.clone()),
        ("team admin", world.alice.token.clone()),
        ("member", world.bob.token.clone()),
        ("visitor", visitor),
    ];
    let mut runs = Vec::new();
    for (role, token) in roles {
        let url = stack.url.clone();
        let args = arguments(&url, &token, budget);
        let output = tokio::task::spawn_blocking(move || {
            let root = teamsync_local::project_root();
            // It keeps a cache of what it found in its working directory: under target/.
            let workdir = root.join("target/fuzz");
            std::fs::create_dir_all(&workdir)?;
            Command::new(root.join(".venv/bin/schemathesis"))
                .current_dir(workdir)
                .args(&args)
                .env("SCHEMATHESIS_TELEMETRY", "false")
                .env("NO_COLOR", "1")
                .output()
        })
        .await
        .expect("the fuzzer's thread")
        .expect("schemathesis runs (make bootstrap installs it into .venv)");
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        runs.push(RoleRun { role, passed: output.status.success(), output: text });
    }
    runs
}

fn arguments(url: &str, token: &str, budget: &Budget) -> Vec<String> {
    let mut args = vec![
        "run".to_owned(),
        format!("{url}/api/openapi.json"),
        format!("--url={url}"),
        format!("--header=Authorization: Bearer {token}"),
        format!("--checks={CHECKS}"),
        format!("--phases={}", budget.phases),
        format!("--max-examples={}", budget.max_examples),
        format!("--max-time={}", budget.max_seconds),
        format!("--exclude-path={SPARED_PATH}"),
        "--mode=all".to_owned(),
        "--workers=1".to_owned(),
        "--max-redirects=0".to_owned(),
        "--suppress-health-check=all".to_owned(),
        "--output-truncate=true".to_owned(),
        "--generation-database=none".to_owned(),
    ];
    if let Some(seed) = budget.seed {
        args.push(format!("--seed={seed}"));
    }
    args
}
