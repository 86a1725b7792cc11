//! A short fuzzing pass with a fixed seed (`make fuzz` runs the long one): schemathesis sends
//! requests generated from openapi/teamsync.yaml as each role, and every answer must be
//! JSON, not a 5xx, and one the document gives for its route.

use teamsync_tests::Stack;
use teamsync_tests::fuzz::{Budget, fuzz_every_role};

#[tokio::test(flavor = "multi_thread")]
async fn generated_requests_of_every_role_get_answers_the_document_describes() {
    let stack = Stack::start().await;
    let budget = Budget { max_examples: 3, max_seconds: 30, seed: Some(14), phases: "examples,fuzzing" };
    let runs = fuzz_every_role(&stack, &budget).await;
    let failed: Vec<String> =
        runs.iter().filter(|run| !run.passed).map(|run| format!("===== as {}:\n{}", run.role, run.output)).collect();
    assert!(failed.is_empty(), "the fuzzer found problems:\n{}", failed.join("\n"));
}
