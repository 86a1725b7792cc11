//! Every function binary serves its event fixtures (tests/events/<function>-*.json) through
//! the Lambda Runtime API, as `cargo lambda invoke --data-file` or Lambda itself would drive
//! it. This proves each `main.rs`: configuration from the environment, clients built at
//! init, the admin bootstrap, and the handler behind the runtime.

use std::convert::Infallible;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use teamsync_local::emulator::Emulator;
use teamsync_local::template::Template;
use teamsync_local::{project_root, stack, table};
use teamsync_tests::TEST_SEED;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A Lambda Runtime API that hands out the given events one by one and reports what the
/// function answered (`Ok` response or `Err` error report).
async fn runtime_api(events: Vec<Value>) -> (String, mpsc::UnboundedReceiver<Result<Value, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (report, reports) = mpsc::unbounded_channel();
    let queue = Arc::new(Mutex::new(events.into_iter().enumerate().collect::<Vec<_>>()));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (queue, report) = (queue.clone(), report.clone());
            tokio::spawn(http1::Builder::new().serve_connection(
                TokioIo::new(stream),
                service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (queue, report) = (queue.clone(), report.clone());
                    async move {
                        let path = req.uri().path().to_owned();
                        if path.ends_with("/invocation/next") {
                            let next = { queue.lock().unwrap().pop() };
                            let Some((index, event)) = next else {
                                // Nothing left to invoke: keep the function waiting, as Lambda does.
                                std::future::pending::<()>().await;
                                unreachable!()
                            };
                            let response = hyper::Response::builder()
                                .header("lambda-runtime-aws-request-id", format!("fixture-{index}"))
                                .header(
                                    "lambda-runtime-deadline-ms",
                                    (jiff::Timestamp::now().as_millisecond() + 30_000).to_string(),
                                )
                                .header(
                                    "lambda-runtime-invoked-function-arn",
                                    "arn:aws:lambda:us-east-1:123456789012:function:fixture",
                                )
                                .header("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000")
                                .body(Full::new(Bytes::from(event.to_string())))
                                .unwrap();
                            return Ok::<_, Infallible>(response);
                        }
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let text = String::from_utf8_lossy(&body).into_owned();
                        let outcome = if path.ends_with("/response") {
                            serde_json::from_str(&text).map_err(|e| e.to_string())
                        } else {
                            Err(text)
                        };
                        let _ = report.send(outcome);
                        Ok(hyper::Response::builder()
                            .status(202)
                            .body(Full::new(Bytes::new()))
                            .unwrap())
                    }
                }),
            ));
        }
    });
    (address, reports)
}

fn fixture(name: &str) -> Value {
    let path = project_root().join("tests/events").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn function_binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"));
    let binary = target.join("debug").join(name);
    assert!(
        binary.exists(),
        "{} is missing: build it first (`cargo build --workspace --bins`; make test does)",
        binary.display()
    );
    binary
}

#[tokio::test]
async fn the_identity_binary_serves_its_fixtures_through_the_runtime_api() {
    let root = project_root();
    let emulator = Emulator::shared(&root).unwrap();
    let table_name = format!("fixture-{}", uuid::Uuid::new_v4().simple());
    let sdk = stack::sdk_config(&emulator.url).await;
    let template = Template::load(&root.join("template.yaml")).unwrap();
    table::create(&aws_sdk_dynamodb::Client::new(&sdk), &table_name, &template.table)
        .await
        .unwrap();

    let (runtime, mut reports) =
        runtime_api(vec![fixture("identity-login.json"), fixture("identity-health.json")]).await;
    let mut function = tokio::process::Command::new(function_binary("identity"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &runtime)
        .env("AWS_LAMBDA_FUNCTION_NAME", "identity")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_ENDPOINT_URL", &emulator.url)
        .env("TEAMSYNC_TABLE", &table_name)
        .env("TEAMSYNC_JWT_SEED", TEST_SEED)
        .env("TEAMSYNC_ADMIN_USERNAME", "admin")
        .env("TEAMSYNC_ADMIN_PASSWORD", "fixture-admin-password")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    // Events are handed out last first: the health check, then the login.
    let health = next_answer(&mut reports).await;
    assert_eq!(health["statusCode"], 200, "{health}");
    let body: Value = serde_json::from_str(health["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["data"]["status"], "ok");

    let login = next_answer(&mut reports).await;
    assert_eq!(login["statusCode"], 200, "{login}");
    let body: Value = serde_json::from_str(login["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body["message"], "登录成功",
        "Accept-Language of the fixture is honoured"
    );
    assert_eq!(
        body["data"]["user"]["role"], "super_admin",
        "main.rs bootstrapped the admin"
    );
    function.kill().await.unwrap();
}

async fn next_answer(reports: &mut mpsc::UnboundedReceiver<Result<Value, String>>) -> Value {
    let report = tokio::time::timeout(Duration::from_secs(30), reports.recv())
        .await
        .expect("the function answers within 30 s");
    report
        .expect("the runtime API is up")
        .unwrap_or_else(|error| panic!("the function reported an error: {error}"))
}
