//! Benchmark (not a test: it asserts nothing): each function's release binary started as
//! Lambda starts it, under a local Lambda Runtime API on 127.0.0.1, with the environment
//! template.yaml gives it. For each function it prints
//! - the time from spawning the process to its first answer (the median of
//!   `COLD_START_SPAWNS` spawns, default 3),
//! - its peak memory (the largest "Maximum resident set size" of `/usr/bin/time -v` over its
//!   spawns; the last spawn also serves the warm requests),
//! - the AWS requests its init made, before it first polled for an event,
//! - for the HTTP functions, its CPU time (utime + stime of /proc/<pid>/stat) per warm
//!   request over `COLD_START_WARM_REQUESTS` requests (default 500) of one read route,
//! - the size of its binary (MiB), and of its arm64 Lambda bootstrap when `make build` has
//!   left one in target/lambda (what is deployed), in MB: the unit of the size goal, 6 MB.
//!
//! Every AWS endpoint of a function is a recorder of ours (`AWS_ENDPOINT_URL`): it answers
//! Secrets Manager and EventBridge itself and relays DynamoDB's requests to a local emulator
//! in this process. Run after a release build, as `make bench` does:
//! `cargo build --release --locked -p teamsync-functions --bins && cargo run --quiet --locked
//! -p teamsync-tests --bin cold-start`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use teamsync_local::dynamodb::{DynamoDbEmulator, Storage};
use teamsync_local::template::{EnvValue, FunctionSpec, Template};
use teamsync_local::{project_root, stack, table};
use teamsync_tests::PASSWORD;
use teamsync_tests::runtime_api::{AwsCall, AwsRecorder, RuntimeApi};

/// What the functions are told their table (in the local DynamoDB), event bus (whose
/// PutEvents the recorder accepts) and bucket (only presigned for: nothing reaches it) are.
const TABLE: &str = "teamsync-bench";
const EVENT_BUS: &str = "teamsync-bench";
const BUCKET: &str = "teamsync-bench-attachments";
/// The secrets' values, by the logical id of their `AWS::SecretsManager::Secret`.
const JWT_SEED: &str = "5eed0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
const ADMIN_PASSWORD: &str = "Bench-Passw0rd!x";
const SECRETS: [(&str, &str); 2] = [("JwtSeedSecret", JWT_SEED), ("AdminPasswordSecret", ADMIN_PASSWORD)];
/// A function that has not answered in this long will not.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
const MIB: f64 = 1024.0 * 1024.0;
const MB: f64 = 1e6;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cold-start: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let root = project_root();
    let template = Template::load(&root.join("template.yaml"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let release = target.join("release");
    let functions: Vec<&FunctionSpec> = template
        .functions
        .iter()
        .filter(|function| function.binary != "setup" && release.join(&function.binary).exists())
        .collect();
    if functions.is_empty() {
        return Err(format!(
            "no function binary in {}: `cargo build --release --locked -p teamsync-functions --bins` first",
            release.display()
        ));
    }
    let emulator = DynamoDbEmulator::start(&Storage::Memory, 0)?;
    let sdk = stack::sdk_config(&emulator.url).await;
    table::ensure(&aws_sdk_dynamodb::Client::new(&sdk), TABLE, &template.table).await?;
    let reports = target.join("cold-start");
    std::fs::create_dir_all(&reports).map_err(|e| format!("cannot create {}: {e}", reports.display()))?;
    let bench = Bench {
        template: &template,
        release,
        bootstraps: target.join("lambda"),
        reports,
        dynamodb_url: emulator.url.clone(),
        spawns: setting("COLD_START_SPAWNS", 3)?,
        warm_requests: setting("COLD_START_WARM_REQUESTS", 500)?,
    };
    let data = bench.seed().await?;
    let mut rows = Vec::new();
    for function in functions {
        rows.push(bench.measure(function, &data).await?);
    }
    bench.print(&rows);
    Ok(())
}

/// A file's size in `unit`s, if it is there.
fn size(path: &Path, unit: f64) -> Option<f64> {
    std::fs::metadata(path).ok().map(|metadata| metadata.len() as f64 / unit)
}

/// A positive count from the environment, or `default`.
fn setting(name: &str, default: usize) -> Result<usize, String> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => {
            text.parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("{name} {text:?} is not a positive count"))
        }
    }
}

struct Bench<'a> {
    template: &'a Template,
    release: PathBuf,
    /// Where `cargo lambda build` leaves each function's arm64 bootstrap.
    bootstraps: PathBuf,
    /// Where `/usr/bin/time -v` writes its reports.
    reports: PathBuf,
    dynamodb_url: String,
    spawns: usize,
    warm_requests: usize,
}

/// What the reads read: a team admin's session, their project and a task in it.
struct BenchData {
    token: String,
    user_id: u64,
    team_id: u64,
    project_id: u64,
    task_id: u64,
}

/// What a function is given: the event of its first answer, and for an HTTP function the
/// routes whose warm requests are timed (by a label).
struct Probe {
    first: Value,
    warm: Vec<(String, Value)>,
}

struct Row {
    binary: String,
    binary_mib: Option<f64>,
    bootstrap_mb: Option<f64>,
    first_answer_ms: Option<f64>,
    peak_mib: Option<f64>,
    init_calls: Vec<AwsCall>,
    warm: Vec<WarmRoute>,
    problem: Option<String>,
}

struct WarmRoute {
    label: String,
    cpu_ms_per_request: f64,
    /// What it answered, to show the requests did what they should.
    statuses: BTreeSet<u16>,
}

impl Bench<'_> {
    fn function(&self, binary: &str) -> Result<&FunctionSpec, String> {
        let function = self.template.functions.iter().find(|f| f.binary == binary);
        function
            .filter(|f| self.release.join(&f.binary).exists())
            .ok_or_else(|| format!("the benchmark's data needs the {binary} function's release binary"))
    }

    /// Registers a team admin, signs them in and makes a project with a task, through the
    /// identity, projects and tasks binaries.
    async fn seed(&self) -> Result<BenchData, String> {
        let mut identity = Run::start(self, self.function("identity")?, "seed").await?;
        let register = json!({
            "username": "bench", "password": PASSWORD, "email": "bench@example.com",
            "join_type": "create", "team_name": "Bench",
        });
        let user = identity.data(&http_event("POST", "/api/auth/register/", None, Some(register)), 201).await?;
        let login = json!({"username": "bench", "password": PASSWORD});
        let signed_in = identity.data(&http_event("POST", "/api/auth/login/", None, Some(login)), 200).await?;
        identity.stop().await?;
        let token = text(&signed_in["access_token"])?;
        let (user_id, team_id) = (number(&user["id"])?, number(&user["team_id"])?);

        let mut projects = Run::start(self, self.function("projects")?, "seed").await?;
        let project = json!({"title": "Bench", "member_ids": [user_id]});
        let project = projects.data(&http_event("POST", "/api/projects/", Some(&token), Some(project)), 201).await?;
        projects.stop().await?;
        let project_id = number(&project["id"])?;

        let mut tasks = Run::start(self, self.function("tasks")?, "seed").await?;
        let task = json!({"title": "t", "assignee_id": user_id});
        let path = format!("/api/projects/{project_id}/tasks/");
        let task = tasks.data(&http_event("POST", &path, Some(&token), Some(task)), 201).await?;
        tasks.stop().await?;
        Ok(BenchData { token, user_id, team_id, project_id, task_id: number(&task["id"])? })
    }

    /// Spawns `function` `spawns` times, each until its first answer; the last also serves
    /// the warm requests.
    async fn measure(&self, function: &FunctionSpec, data: &BenchData) -> Result<Row, String> {
        let mut row = Row {
            binary: function.binary.clone(),
            binary_mib: size(&self.release.join(&function.binary), MIB),
            bootstrap_mb: size(&self.bootstraps.join(&function.binary).join("bootstrap"), MB),
            first_answer_ms: None,
            peak_mib: None,
            init_calls: Vec::new(),
            warm: Vec::new(),
            problem: None,
        };
        let Some(probe) = probe(&function.binary, data) else {
            row.problem = Some(format!("the benchmark has no event for {}", function.binary));
            return Ok(row);
        };
        let mut first_answers = Vec::new();
        for spawn in 1..=self.spawns {
            let mut run = Run::start(self, function, &spawn.to_string()).await?;
            let answered = run.invoke(&probe.first).await;
            let elapsed_ms = run.started.elapsed().as_secs_f64() * 1000.0;
            if spawn == 1 {
                row.init_calls = run.init_calls();
            }
            let outcome = match answered {
                Err(error) => Err(format!("first answer: {error}")),
                Ok(_) => {
                    first_answers.push(elapsed_ms);
                    if spawn == self.spawns { self.warm(&mut run, &probe.warm).await } else { Ok(Vec::new()) }
                }
            };
            let peak = run.stop().await?;
            row.peak_mib = Some(row.peak_mib.map_or(peak, |p| p.max(peak)));
            match outcome {
                Ok(warm) => row.warm.extend(warm),
                Err(problem) => {
                    row.problem = Some(problem);
                    break;
                }
            }
        }
        row.first_answer_ms = median(&mut first_answers);
        Ok(row)
    }

    /// CPU per request of each warm route, over `warm_requests` requests each.
    async fn warm(&self, run: &mut Run, routes: &[(String, Value)]) -> Result<Vec<WarmRoute>, String> {
        let mut measured = Vec::new();
        for (label, event) in routes {
            let before = run.process.cpu_time()?;
            let mut statuses = BTreeSet::new();
            for _ in 0..self.warm_requests {
                let answer = run.invoke(event).await.map_err(|e| format!("{label}: {e}"))?;
                statuses.insert(answer["statusCode"].as_u64().unwrap_or_default() as u16);
            }
            let cpu = run.process.cpu_time()? - before;
            let cpu_ms_per_request = cpu.as_secs_f64() * 1000.0 / self.warm_requests as f64;
            measured.push(WarmRoute { label: label.clone(), cpu_ms_per_request, statuses });
        }
        Ok(measured)
    }

    fn print(&self, rows: &[Row]) {
        println!(
            "Cold starts: each function's release binary (target/release, built for this machine's {}, not Lambda's \
             arm64) under a local Lambda Runtime API, {} spawns each, {} warm requests per route; AWS is a local \
             recorder, DynamoDB an in-memory emulator.",
            std::env::consts::ARCH,
            self.spawns,
            self.warm_requests
        );
        println!(
            "first answer: ms from spawn to the first answer (median); peak: largest max RSS of /usr/bin/time -v over \
             the spawns, MiB; binary: MiB; arm64: the Lambda bootstrap of `make build`, MB (10^6 bytes); CPU/req: utime+stime \
             of /proc/<pid>/stat over the warm requests / their number, ms (in {} ms ticks); init calls: AWS \
             requests made before the first poll of /invocation/next",
            1000 / clock_ticks_per_second()
        );
        println!(
            "{:<14} {:>7} {:>7} {:>13} {:>9} {:>8}  {:<44} init calls",
            "function", "binary", "arm64", "first answer", "peak", "CPU/req", "warm request (statuses)"
        );
        let figure = |value: Option<f64>, width: usize, decimals: usize| {
            value.map_or(format!("{:>width$}", "-"), |v| format!("{v:>width$.decimals$}"))
        };
        for row in rows {
            let mut warm = row.warm.iter().map(|route| {
                let statuses: Vec<String> = route.statuses.iter().map(u16::to_string).collect();
                (format!("{:>8.3}", route.cpu_ms_per_request), format!("{} ({})", route.label, statuses.join(", ")))
            });
            let (cpu, route) = warm.next().unwrap_or_else(|| (format!("{:>8}", "-"), "-".to_owned()));
            println!(
                "{:<14} {} {} {} {} {cpu}  {route:<44} {}",
                row.binary,
                figure(row.binary_mib, 7, 1),
                figure(row.bootstrap_mb, 7, 2),
                figure(row.first_answer_ms, 13, 1),
                figure(row.peak_mib, 9, 1),
                listed(&row.init_calls)
            );
            for (cpu, route) in warm {
                println!("{:<14} {:>7} {:>7} {:>13} {:>9} {cpu}  {route}", "", "", "", "", "");
            }
            if let Some(problem) = &row.problem {
                println!("{:<14} ! {problem}", "");
            }
        }
    }
}

/// The events each function is given; `None` for a function the benchmark does not know.
fn probe(binary: &str, data: &BenchData) -> Option<Probe> {
    let signed_read = |path: String| {
        let event = http_event("GET", &path, Some(&data.token), None);
        Probe { first: event.clone(), warm: vec![(format!("GET {path}"), event)] }
    };
    let event = |first: Value| Probe { first, warm: Vec::new() };
    Some(match binary {
        "identity" => {
            let health = http_event("GET", "/api/health/", None, None);
            let me = http_event("GET", "/api/auth/me/", Some(&data.token), None);
            let warm = vec![("GET /api/health/".to_owned(), health.clone()), ("GET /api/auth/me/".to_owned(), me)];
            Probe { first: health, warm }
        }
        "projects" => signed_read("/api/projects/".into()),
        "tasks" => signed_read(format!("/api/projects/{}/tasks/", data.project_id)),
        "team" => signed_read("/api/team/members/".into()),
        "notifications" => signed_read("/api/notifications/".into()),
        "views" => signed_read("/api/dashboard/member/".into()),
        "files" => signed_read(format!("/api/files/tasks/{}/attachments/", data.task_id)),
        "ws" => event(json!({
            "requestContext": {
                "routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": "bench",
                "requestId": "bench-disconnect", "stage": "ws", "apiId": "bench",
                "domainName": "bench.execute-api.us-east-1.amazonaws.com", "connectedAt": 1795089600000_u64,
                "requestTimeEpoch": 1795089600000_u64, "messageDirection": "IN",
                "disconnectStatusCode": 1000, "disconnectReason": "bench",
            },
            "headers": {"Host": "bench.execute-api.us-east-1.amazonaws.com"},
            "isBase64Encoded": false,
        })),
        "notifier" => event(json!({
            "version": "0", "id": "1", "detail-type": "TaskUpdated", "source": "teamsync",
            "account": "000000000000", "time": "2026-12-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {
                "actor_id": data.user_id, "team_id": data.team_id,
                "project_id": data.project_id, "task_id": data.task_id,
            },
        })),
        "scheduler" => event(json!({
            "version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": "2026-12-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {},
        })),
        _ => return None,
    })
}

/// An API Gateway HTTP API (payload 2.0) request through the `$default` stage.
fn http_event(method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let mut headers = json!({"accept": "application/json", "host": "api.example.com", "user-agent": "cold-start"});
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    if body.is_some() {
        headers["content-type"] = json!("application/json");
    }
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "api.example.com", "domainPrefix": "api",
            "http": {
                "method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                "userAgent": "cold-start",
            },
            "requestId": "bench", "routeKey": "$default", "stage": "$default",
            "time": "01/Dec/2026:00:00:00 +0000", "timeEpoch": 1795910400000_u64,
        },
        "isBase64Encoded": false,
    });
    if let Some(body) = body {
        event["body"] = json!(body.to_string());
    }
    event
}

/// One process of a function, with its own Runtime API and AWS recorder.
struct Run {
    runtime: RuntimeApi,
    recorder: AwsRecorder,
    process: FunctionProcess,
    started: Instant,
}

impl Run {
    /// Spawns `function`; `label` names its `/usr/bin/time` report.
    async fn start(bench: &Bench<'_>, function: &FunctionSpec, label: &str) -> Result<Run, String> {
        let runtime = RuntimeApi::start(&function.binary).await.map_err(|e| format!("runtime API: {e}"))?;
        let secrets = SECRETS.iter().map(|(id, value)| (secret_arn(id), (*value).to_owned())).collect();
        let recorder = AwsRecorder::start(&bench.dynamodb_url, secrets).await.map_err(|e| format!("recorder: {e}"))?;
        let mut environment = environment(bench.template, function);
        environment.extend(
            [
                ("RUST_LOG", "warn"),
                ("AWS_ACCESS_KEY_ID", "local"),
                ("AWS_SECRET_ACCESS_KEY", "local"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL", &recorder.url),
                ("AWS_LAMBDA_RUNTIME_API", &runtime.address),
                ("AWS_LAMBDA_FUNCTION_NAME", &function.binary),
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
                ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                ("AWS_LAMBDA_LOG_GROUP_NAME", &format!("/aws/lambda/{}", function.binary)),
                ("AWS_LAMBDA_LOG_STREAM_NAME", "cold-start"),
            ]
            .map(|(name, value)| (name.to_owned(), value.to_owned())),
        );
        let report = bench.reports.join(format!("{}-{label}.time", function.binary));
        let started = Instant::now();
        let process = FunctionProcess::spawn(&bench.release.join(&function.binary), &environment, report)?;
        Ok(Run { runtime, recorder, process, started })
    }

    /// The function's answer to `event`; an error if it reported one, failed its init, exited
    /// or did not answer in time.
    async fn invoke(&mut self, event: &Value) -> Result<Value, String> {
        tokio::select! {
            answer = self.runtime.invoke(event) => answer,
            exited = self.process.exited() => Err(format!("the function exited ({exited}) without answering")),
            () = tokio::time::sleep(ANSWER_TIMEOUT) => Err(format!("no answer in {ANSWER_TIMEOUT:?}")),
        }
    }

    /// The envelope's `data` of an HTTP answer, which must have `status`.
    async fn data(&mut self, event: &Value, status: u64) -> Result<Value, String> {
        let answer = self.invoke(event).await?;
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap_or_default()).unwrap_or_default();
        if answer["statusCode"].as_u64() != Some(status) {
            let path = &event["rawPath"];
            return Err(format!("{path} answered {} (not {status}): {body}", answer["statusCode"]));
        }
        Ok(body["data"].clone())
    }

    /// The AWS requests made before the function first polled for an event.
    fn init_calls(&self) -> Vec<AwsCall> {
        self.recorder.calls_before(self.runtime.first_poll())
    }

    /// Stops the process and answers its peak memory, in MiB.
    async fn stop(self) -> Result<f64, String> {
        self.process.stop().await
    }
}

/// The function's environment from template.yaml, its references resolved to what the
/// benchmark stands in for them; a reference to anything else is left out.
fn environment(template: &Template, function: &FunctionSpec) -> BTreeMap<String, String> {
    let resolved = |name: &str, value: &EnvValue| match (name, value) {
        (_, EnvValue::Literal(text)) => Some(text.clone()),
        (name, EnvValue::Ref(secret)) if name.ends_with("_SECRET_ARN") => Some(secret_arn(secret)),
        ("TEAMSYNC_TABLE", _) => Some(TABLE.to_owned()),
        ("TEAMSYNC_EVENT_BUS", _) => Some(EVENT_BUS.to_owned()),
        ("TEAMSYNC_BUCKET", _) => Some(BUCKET.to_owned()),
        ("TEAMSYNC_JWT_PUBLIC_KEY", _) => jwt_public_key(),
        // A parameter as a stack deployed with its defaults has it.
        (_, EnvValue::Ref(parameter)) => template.parameter_defaults.get(parameter).cloned(),
        _ => None,
    };
    function.environment.iter().filter_map(|(name, value)| Some((name.clone(), resolved(name, value)?))).collect()
}

/// TEAMSYNC_JWT_PUBLIC_KEY, which the setup function publishes (`!GetAtt Setup.PublicKey`):
/// the public key of the signing seed.
fn jwt_public_key() -> Option<String> {
    teamsync::auth::tokens::public_key_of_seed(JWT_SEED.as_bytes()).ok()
}

fn secret_arn(logical_id: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:000000000000:secret:{logical_id}")
}

/// `/usr/bin/time -v` running a function binary, whose report it writes to a file. Dropped,
/// it kills both processes.
struct FunctionProcess {
    time: tokio::process::Child,
    report: PathBuf,
}

impl FunctionProcess {
    fn spawn(binary: &Path, environment: &BTreeMap<String, String>, report: PathBuf) -> Result<Self, String> {
        let time = tokio::process::Command::new("/usr/bin/time")
            .arg("-v")
            .arg("-o")
            .arg(&report)
            .arg(binary)
            .env_clear()
            .envs(environment)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run /usr/bin/time -v {}: {e}", binary.display()))?;
        Ok(FunctionProcess { time, report })
    }

    /// The function's own process: the child of `/usr/bin/time`.
    fn function_pid(&self) -> Option<i32> {
        let time = self.time.id()?;
        let children = std::fs::read_to_string(format!("/proc/{time}/task/{time}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// The function's CPU time so far, user and system.
    fn cpu_time(&self) -> Result<Duration, String> {
        let pid = self.function_pid().ok_or("the function's process is gone")?;
        let stat =
            std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
        // After the command name, in parentheses, come the fields from the third on: utime
        // and stime are the 14th and 15th.
        let fields: Vec<&str> =
            stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        let ticks = |index: usize| fields.get(index).and_then(|field| field.parse::<u64>().ok());
        let (user, system) = ticks(11).zip(ticks(12)).ok_or_else(|| format!("/proc/{pid}/stat unreadable: {stat}"))?;
        Ok(Duration::from_secs_f64((user + system) as f64 / clock_ticks_per_second() as f64))
    }

    async fn exited(&mut self) -> String {
        match self.time.wait().await {
            Ok(status) => status.to_string(),
            Err(error) => error.to_string(),
        }
    }

    /// Kills the function, lets `/usr/bin/time` report, and answers the maximum resident set
    /// size it reported, in MiB.
    async fn stop(mut self) -> Result<f64, String> {
        self.kill_function();
        self.time.wait().await.map_err(|e| format!("waiting for /usr/bin/time: {e}"))?;
        let report = std::fs::read_to_string(&self.report).map_err(|e| format!("{}: {e}", self.report.display()))?;
        let kib = report
            .lines()
            .find_map(|line| line.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|kib| kib.trim().parse::<f64>().ok())
            .ok_or_else(|| format!("{} has no maximum resident set size", self.report.display()))?;
        Ok(kib / 1024.0)
    }

    fn kill_function(&self) {
        if let Some(pid) = self.function_pid() {
            // SAFETY: kill(2) only sends a signal, to the process we started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for FunctionProcess {
    /// The function first: killing `/usr/bin/time` first would leave it an orphan.
    fn drop(&mut self) {
        self.kill_function();
        let _ = self.time.start_kill();
    }
}

fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a setting.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|t| *t > 0).unwrap_or(100)
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

/// Calls by operation, in the order of their first, with how many times each came.
fn listed(calls: &[AwsCall]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for call in calls {
        match counts.iter_mut().find(|(operation, _)| *operation == call.operation) {
            Some((_, count)) => *count += 1,
            None => counts.push((&call.operation, 1)),
        }
    }
    if counts.is_empty() {
        return "none".to_owned();
    }
    let listed: Vec<String> = counts
        .iter()
        .map(|(operation, n)| if *n == 1 { (*operation).to_owned() } else { format!("{operation} ×{n}") })
        .collect();
    listed.join(", ")
}

fn text(value: &Value) -> Result<String, String> {
    value.as_str().map(str::to_owned).ok_or_else(|| format!("{value} is not a text"))
}

fn number(value: &Value) -> Result<u64, String> {
    value.as_u64().ok_or_else(|| format!("{value} is not a number"))
}
