//! Every function binary serves its event fixtures (tests/events/<function>-*.json) through
//! the Lambda Runtime API, as `cargo lambda invoke --data-file` or Lambda itself would drive
//! it. This proves each `main.rs`: configuration from the environment as template.yaml
//! gives it (the public key to all but setup, the signing seed to identity and setup), clients
//! built at init, and the handler behind the runtime; and the setup binary as the
//! deployment's custom resource, answering CloudFormation at its URL.

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
use teamsync::AppContext;
use teamsync::auth::Caller;
use teamsync::auth::tokens::{TokenKeys, public_key_of_seed};
use teamsync::config::Settings;
use teamsync::context::AwsClients;
use teamsync::identity::accounts::{self, JoinPlan, ProfileFields, Registration};
use teamsync::identity::model::{Password, Role, Username};
use teamsync::identity::sessions::{self, LoginInput};
use teamsync::projects::manage::{self, NewProject};
use teamsync::projects::model::Status;
use teamsync_local::dynamodb::DynamoDbEmulator;
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
    let queue = Arc::new(Mutex::new(events.into_iter().enumerate().collect::<std::collections::VecDeque<_>>()));
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
                            let next = { queue.lock().unwrap().pop_front() };
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
                        Ok(hyper::Response::builder().status(202).body(Full::new(Bytes::new())).unwrap())
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
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| project_root().join("target"));
    let binary = target.join("debug").join(name);
    assert!(
        binary.exists(),
        "{} is missing: build it first (`cargo build --workspace --bins`; make test does)",
        binary.display()
    );
    binary
}

/// A fresh table in the shared local DynamoDB.
async fn fresh_table() -> (aws_config::SdkConfig, String, String) {
    let root = project_root();
    let dynamodb_url = DynamoDbEmulator::shared_url().unwrap();
    let table_name = format!("fixture-{}", uuid::Uuid::new_v4().simple());
    let sdk = stack::sdk_config(&dynamodb_url).await;
    let template = Template::load(&root.join("template.yaml")).unwrap();
    table::create(&aws_sdk_dynamodb::Client::new(&sdk), &table_name, &template.table).await.unwrap();
    (sdk, dynamodb_url, table_name)
}

/// Runs a function binary as Lambda would, against `table`, hands it `events` in order
/// through the Runtime API, and returns its answers in order.
async fn invoke(function: &str, dynamodb_url: &str, table: &str, events: Vec<Value>) -> Vec<Value> {
    let count = events.len();
    let (runtime, mut reports) = runtime_api(events).await;
    let mut command = function_command(function, &runtime, dynamodb_url, table);
    if function == "setup" {
        command.env("TEAMSYNC_ADMIN_USERNAME", "admin").env("TEAMSYNC_ADMIN_PASSWORD", ADMIN_PASSWORD);
    }
    let mut process = command.spawn().unwrap();
    let mut answers = Vec::new();
    for _ in 0..count {
        answers.push(next_answer(&mut reports).await);
    }
    process.kill().await.unwrap();
    answers
}

/// A function binary as Lambda starts it, against `table` and the Runtime API at `runtime`,
/// with the environment template.yaml gives it: every function but setup gets the public
/// key, and the ones that sign tokens or derive the key the seed. Its output is discarded.
fn function_command(function: &str, runtime: &str, dynamodb_url: &str, table: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(function_binary(function));
    command.env_clear();
    if function != "setup" {
        command.env("TEAMSYNC_JWT_PUBLIC_KEY", public_key_of_seed(TEST_SEED.as_bytes()).unwrap());
    }
    if matches!(function, "identity" | "setup") {
        command.env("TEAMSYNC_JWT_SEED", TEST_SEED);
    }
    command
        .env("AWS_LAMBDA_RUNTIME_API", runtime)
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_ENDPOINT_URL", dynamodb_url)
        .env("TEAMSYNC_TABLE", table)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Signing keys of the test seed, as identity has them.
fn signing_keys(settings: &Settings) -> TokenKeys {
    let public_key = public_key_of_seed(TEST_SEED.as_bytes()).unwrap();
    TokenKeys::from_seed(TEST_SEED.as_bytes(), &public_key, &settings.issuer, &settings.audience).unwrap()
}

/// A fixture, with `${ACCESS_TOKEN}` (in a header or a query parameter) replaced by a
/// live token.
fn with_token(event: Value, token: &str) -> Value {
    serde_json::from_str(&event.to_string().replace("${ACCESS_TOKEN}", token)).unwrap()
}

/// The same of an HTTP API function, which says what its body is.
fn http_body_of(answer: &Value) -> Value {
    let content_type = answer["headers"]["content-type"].as_str();
    assert!(content_type.is_some_and(|t| t.starts_with("application/json")), "{answer}");
    body_of(answer)
}

/// The JSON body of an API Gateway response (HTTP or WebSocket API), as it reads it.
fn body_of(answer: &Value) -> Value {
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(answer["isBase64Encoded"], false, "{answer}");
    serde_json::from_str(answer["body"].as_str().unwrap()).unwrap()
}

const ADMIN_PASSWORD: &str = "fixture-admin-password";

/// A URL CloudFormation would have presigned for a custom resource's answer: what is PUT
/// there comes out of the receiver.
async fn cloudformation_url() -> (String, mpsc::UnboundedReceiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cloudformation-response?X-Amz-Signature=fixture", listener.local_addr().unwrap());
    let (answer, answers) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let answer = answer.clone();
            tokio::spawn(http1::Builder::new().serve_connection(
                TokioIo::new(stream),
                service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let answer = answer.clone();
                    async move {
                        assert_eq!(req.method(), hyper::Method::PUT);
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let _ = answer.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::new())))
                    }
                }),
            ));
        }
    });
    (url, answers)
}

/// A custom resource request as CloudFormation sends it.
fn setup_request(request_type: &str, response_url: &str) -> Value {
    serde_json::json!({
        "RequestType": request_type,
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/teamsync/1",
        "RequestId": format!("request-{request_type}"),
        "ResourceType": "Custom::TeamSyncSetup",
        "LogicalResourceId": "Setup",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:setup", "AdminUsername": "admin"},
    })
}

#[tokio::test]
async fn the_setup_binary_hands_cloudformation_the_public_key_and_makes_the_super_admin() {
    let (_, dynamodb_url, table) = fresh_table().await;
    let (url, mut cloudformation) = cloudformation_url().await;
    let events = vec![setup_request("Create", &url), setup_request("Update", &url), setup_request("Delete", &url)];
    let answers = invoke("setup", &dynamodb_url, &table, events).await;
    for (answer, request_type) in answers.iter().zip(["Create", "Update", "Delete"]) {
        assert_eq!(answer["Status"], "SUCCESS", "{request_type}: {answer}");
        let told = cloudformation.recv().await.unwrap();
        assert_eq!(told["Status"], "SUCCESS", "{told}");
        assert_eq!(told["RequestId"], format!("request-{request_type}"));
        assert_eq!(told["LogicalResourceId"], "Setup");
        assert_eq!(told["PhysicalResourceId"], "teamsync-setup");
        let expected = match request_type {
            "Delete" => Value::Null,
            _ => Value::String(public_key_of_seed(TEST_SEED.as_bytes()).unwrap()),
        };
        assert_eq!(told["Data"]["PublicKey"], expected, "{request_type}: {told}");
    }
    // The admin it made signs in; the functions that verify with the key it gave accept them.
    let login = invoke("identity", &dynamodb_url, &table, vec![fixture("identity-login.json")]).await;
    let login = http_body_of(&login[0]);
    assert_eq!(login["data"]["user"]["role"], "super_admin", "{login}");
    let token = login["data"]["access_token"].as_str().unwrap();
    let projects =
        invoke("projects", &dynamodb_url, &table, vec![with_token(fixture("projects-list.json"), token)]).await;
    assert_eq!(projects[0]["statusCode"], 200, "{}", projects[0]);
}

#[tokio::test]
async fn a_setup_that_fails_still_answers_cloudformation_with_the_reason() {
    let (_, dynamodb_url, table) = fresh_table().await;
    let (url, mut cloudformation) = cloudformation_url().await;
    let mut request = setup_request("Create", &url);
    // An admin password the product's rules refuse: nothing can be set up.
    request["RequestId"] = Value::from("request-bad");
    let (runtime, mut reports) = runtime_api(vec![request]).await;
    let mut process = function_command("setup", &runtime, &dynamodb_url, &table)
        .env("TEAMSYNC_ADMIN_USERNAME", "admin")
        .env("TEAMSYNC_ADMIN_PASSWORD", "short")
        .spawn()
        .unwrap();
    let answer = next_answer(&mut reports).await;
    process.kill().await.unwrap();
    assert_eq!(answer["Status"], "FAILED", "{answer}");
    let told = cloudformation.recv().await.unwrap();
    assert_eq!(told["Status"], "FAILED", "{told}");
    assert_eq!(told["RequestId"], "request-bad");
    assert!(told["Reason"].as_str().is_some_and(|r| r.contains("password")), "the reason is told: {told}");
}

#[tokio::test]
async fn the_identity_binary_serves_its_fixtures_through_the_runtime_api() {
    let (sdk, dynamodb_url, table) = fresh_table().await;
    // The super admin exists from deployment (the setup function): made here as it makes it.
    let settings = Settings::from_lookup(|name| (name == "TEAMSYNC_TABLE").then(|| table.clone())).unwrap();
    let keys = signing_keys(&settings);
    let ctx = AppContext::new(AwsClients::table(&sdk), settings, keys);
    functions::identity::bootstrap_admin(&ctx, "admin", ADMIN_PASSWORD).await.unwrap();
    let answers = invoke(
        "identity",
        &dynamodb_url,
        &table,
        vec![fixture("identity-health.json"), fixture("identity-login.json")],
    )
    .await;
    assert_eq!(http_body_of(&answers[0])["data"]["status"], "ok");
    let login = http_body_of(&answers[1]);
    assert_eq!(login["message"], "登录成功", "Accept-Language of the fixture is honoured");
    assert_eq!(login["data"]["user"]["role"], "super_admin");
}

/// A deployment whose identity has a seed and a public key that are not one pair would sign
/// tokens no other function accepts: identity refuses to start, and says why.
#[tokio::test]
async fn identity_refuses_to_start_with_another_seeds_public_key() {
    let (_sdk, dynamodb_url, table) = fresh_table().await;
    let (runtime, _reports) = runtime_api(Vec::new()).await;
    let run = function_command("identity", &runtime, &dynamodb_url, &table)
        .env("TEAMSYNC_JWT_PUBLIC_KEY", public_key_of_seed(&[7u8; 40]).unwrap())
        .stderr(Stdio::piped())
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), run).await.expect("identity exits").unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("not the public key of the signing seed"), "{said}");
}

#[tokio::test]
async fn the_domain_binaries_serve_their_fixtures_through_the_runtime_api() {
    let (sdk, dynamodb_url, table) = fresh_table().await;
    // A signed-in super admin and a project of a team, made through the domain as the
    // identity and projects functions would.
    let settings = Settings::from_lookup(|name| (name == "TEAMSYNC_TABLE").then(|| table.clone())).unwrap();
    let keys = signing_keys(&settings);
    let ctx = AppContext::new(AwsClients::table(&sdk), settings, keys);
    let now = jiff::Timestamp::now();
    functions::identity::bootstrap_admin(&ctx, "admin", ADMIN_PASSWORD).await.unwrap();
    let founder = accounts::register(
        &ctx,
        Registration {
            username: Username::parse("founder").unwrap(),
            email: None,
            password: Password::parse("founder-password").unwrap(),
            profile: ProfileFields::default(),
            join: JoinPlan::CreateTeam { name: "Fixture team".into() },
        },
        now,
    )
    .await
    .unwrap();
    let signed_in = sessions::login(
        &ctx,
        LoginInput { login_name: "admin".into(), password: Password::parse(ADMIN_PASSWORD).unwrap() },
        now,
    )
    .await
    .unwrap();
    let token = signed_in.tokens.access_token;
    let admin = ctx.tokens.verify(&token, teamsync::auth::tokens::TokenUse::Access).unwrap();
    let caller =
        Caller { user_id: admin.sub.parse().unwrap(), session_id: admin.sid, role: Role::SuperAdmin, team_id: None };
    let project = NewProject {
        team_id: founder.user.team_id,
        title: "Fixture project".into(),
        description: String::new(),
        status: Status::Planning,
        start_date: None,
        end_date: None,
        member_ids: vec![founder.user.id],
    };
    let plan = manage::create_project(&ctx, &caller, project, now).await.unwrap();
    let created = functions::api::commit(&ctx, plan).await.unwrap();
    assert_eq!(created.data.project.id, 1, "the fixtures name project 1");

    let projects =
        invoke("projects", &dynamodb_url, &table, vec![with_token(fixture("projects-list.json"), &token)]).await;
    assert_eq!(http_body_of(&projects[0])["data"]["items"][0]["title"], "Fixture project");
    let tasks = invoke("tasks", &dynamodb_url, &table, vec![with_token(fixture("tasks-tree.json"), &token)]).await;
    assert_eq!(http_body_of(&tasks[0])["data"]["items"], serde_json::json!([]));
    let views = invoke("views", &dynamodb_url, &table, vec![with_token(fixture("views-kanban.json"), &token)]).await;
    let columns = &http_body_of(&views[0])["data"]["columns"];
    assert_eq!(columns.as_array().map(Vec::len), Some(4), "{}", views[0]);
    assert_eq!(columns[0]["id"], "planning");
    let team = invoke("team", &dynamodb_url, &table, vec![with_token(fixture("team-members.json"), &token)]).await;
    assert_eq!(http_body_of(&team[0])["data"]["items"][0]["username"], "founder");
    let inbox =
        invoke("notifications", &dynamodb_url, &table, vec![with_token(fixture("notifications-list.json"), &token)])
            .await;
    assert_eq!(http_body_of(&inbox[0])["data"]["unread_count"], 0);

    // An attachment that does not exist: the files function authenticates, then answers 404.
    let files =
        invoke("files", &dynamodb_url, &table, vec![with_token(fixture("files-download-url.json"), &token)]).await;
    assert_eq!(files[0]["statusCode"], 404, "{}", files[0]);

    // The WebSocket routes: connect with the token, subscribe to project 1, disconnect.
    let ws_events = ["ws-connect.json", "ws-subscribe.json", "ws-disconnect.json"];
    let ws =
        invoke("ws", &dynamodb_url, &table, ws_events.iter().map(|f| with_token(fixture(f), &token)).collect()).await;
    assert_eq!(ws[0]["statusCode"], 200, "{}", ws[0]);
    assert_eq!(body_of(&ws[1]), serde_json::json!({"type": "subscribed", "channel": "project_1"}));
    assert_eq!(ws[2]["statusCode"], 200, "{}", ws[2]);
    let refused =
        invoke("ws", &dynamodb_url, &table, vec![with_token(fixture("ws-connect.json"), "not-a-token")]).await;
    assert_eq!(refused[0]["statusCode"], 401, "{}", refused[0]);
    // The notifier reads an EventBridge event (no connection is left to push to).
    let notifier = invoke("notifier", &dynamodb_url, &table, vec![fixture("notifier-task-updated.json")]).await;
    assert_eq!(notifier[0], Value::Null);
    // The scheduler takes "now" from the scheduled event and reports what it did.
    let scheduler = invoke("scheduler", &dynamodb_url, &table, vec![fixture("scheduler-scheduled.json")]).await;
    assert_eq!(scheduler[0]["time"], "2026-11-21T12:00:00Z", "{}", scheduler[0]);
    assert_eq!(scheduler[0]["tasks_read"], 0);
}

async fn next_answer(reports: &mut mpsc::UnboundedReceiver<Result<Value, String>>) -> Value {
    let report =
        tokio::time::timeout(Duration::from_secs(30), reports.recv()).await.expect("the function answers within 30 s");
    report.expect("the runtime API is up").unwrap_or_else(|error| panic!("the function reported an error: {error}"))
}
