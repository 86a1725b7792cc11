//! `make run`: TeamSync on this machine. Starts the local DynamoDB and the local S3 on the
//! data kept in .local/ (or on fresh data: `make reset`, `TEAMSYNC_RESET=1`), creates the
//! table from template.yaml if it is not there, bootstraps the super admin and demo data,
//! and serves the HTTP and WebSocket APIs on 127.0.0.1 and runs template.yaml's schedules
//! until Ctrl-C or SIGTERM, then stops everything it started.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use teamsync_local::dynamodb::{DynamoDbEmulator, Storage};
use teamsync_local::stack::{LocalStack, StackOptions};
use teamsync_local::table::TableState;
use teamsync_local::{demo, project_root, random_secret};
use tokio::signal::unix::{SignalKind, signal};

/// The table's name in the local DynamoDB (in AWS, the stack names it).
const TABLE: &str = "teamsync";

#[tokio::main]
async fn main() -> ExitCode {
    stop_with_parent();
    // dynoxide warns of every error it answers, a lost race's ConditionalCheckFailed too.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,dynoxide=error,teamsync=info,functions=info")
            }),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("teamsync-local: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let root = project_root();
    let state = root.join(".local");
    std::fs::create_dir_all(&state).map_err(|e| format!("cannot create {}: {e}", state.display()))?;
    let env: HashMap<String, String> = std::env::vars().filter(|(k, _)| k.starts_with("TEAMSYNC_")).collect();
    let port = port_setting(&env, "TEAMSYNC_PORT", 8000)?;
    let jwt_seed = kept_secret(&state.join("jwt-seed"), 32)?;
    let admin_username = env.get("TEAMSYNC_ADMIN_USERNAME").cloned().unwrap_or_else(|| "admin".into());
    let admin_password = match env.get("TEAMSYNC_ADMIN_PASSWORD") {
        Some(password) => password.clone(),
        None => kept_secret(&state.join("admin-password"), 9)?,
    };

    let data = KeptData { database: state.join("dynamodb.sqlite"), objects: state.join("s3") };
    let reset = env.get("TEAMSYNC_RESET").is_some_and(|v| v == "1");
    if reset {
        data.delete()?;
    }
    let dynamodb_port = port_setting(&env, "TEAMSYNC_DYNAMODB_PORT", 8002)?;
    let emulator = DynamoDbEmulator::start(&Storage::File(data.database.clone()), dynamodb_port)?;
    let admin = (admin_username.as_str(), admin_password.as_str());
    let result = serve(&root, &emulator.url, &data, env, port, &jwt_seed, admin).await;
    // Stops serving and closes the database before the process ends.
    drop(emulator);
    result
}

/// What `make run` keeps from one run to the next: the table and the objects it refers to.
struct KeptData {
    /// The local DynamoDB's SQLite file.
    database: PathBuf,
    /// The local S3's directory.
    objects: PathBuf,
}

impl KeptData {
    fn delete(&self) -> Result<(), String> {
        // SQLite keeps a write-ahead log and its index beside the database.
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", self.database.display()));
            removed(&file, std::fs::remove_file(&file))?;
        }
        removed(&self.objects, std::fs::remove_dir_all(&self.objects))
    }
}

/// A removal's outcome, where a path that was not there counts as removed.
fn removed(path: &Path, outcome: std::io::Result<()>) -> Result<(), String> {
    match outcome {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot delete {}: {e}", path.display())),
        _ => Ok(()),
    }
}

async fn serve(
    root: &Path,
    dynamodb_url: &str,
    data: &KeptData,
    env: HashMap<String, String>,
    port: u16,
    jwt_seed: &str,
    (admin_username, admin_password): (&str, &str),
) -> Result<(), String> {
    let demo_enabled = env.get("TEAMSYNC_DEMO").map(String::as_str) != Some("0");
    let s3_port = port_setting(&env, "TEAMSYNC_S3_PORT", 8001)?;
    let stack = LocalStack::start(StackOptions {
        root,
        dynamodb_url,
        table: TABLE,
        port,
        env,
        jwt_seed,
        admin: Some((admin_username, admin_password)),
        recorder: None,
        s3_root: Some(&data.objects),
        s3_port,
        run_schedules: true,
    })
    .await?;

    println!("TeamSync is running at {}/api/", stack.url);
    println!("  reference:   {}/api/docs/  (the document: {}/api/openapi.yaml)", stack.url, stack.url);
    println!("  realtime:    {}?token=<access token>", stack.ws_url);
    println!("  files (S3):  {}/{}/", stack.s3_url, stack.bucket);
    println!("  dynamodb:    {dynamodb_url} (table {TABLE})");
    if let Some(first) = stack.schedules.first() {
        let listed: Vec<String> = stack.schedules.iter().map(|s| format!("{} {}", s.function, s.expression)).collect();
        println!(
            "  schedules:   {}; fire now: curl -X POST {}/_local/schedules/{}",
            listed.join(", "),
            stack.url,
            first.function
        );
    }
    println!("  super admin: {admin_username} / {admin_password}");
    if demo_enabled {
        let demo_password = kept_secret(&root.join(".local/demo-password"), 6)?;
        for account in demo::seed(&stack.ctx, &demo_password).await? {
            println!("  demo user:   {} / {demo_password}  ({})", account.username, account.standing);
        }
    }
    println!("Try: curl -s {}/api/auth/login/ -H 'Content-Type: application/json' \\", stack.url);
    println!("       -d '{{\"username\":\"{admin_username}\",\"password\":\"{admin_password}\"}}'");
    match stack.table_state {
        TableState::Kept { items } => println!(
            "Data kept in {} ({items} items) and {}; `make reset` starts with fresh data.",
            shown(root, &data.database),
            shown(root, &data.objects)
        ),
        TableState::Created => println!(
            "Fresh data, kept in {} and {} for the next run.",
            shown(root, &data.database),
            shown(root, &data.objects)
        ),
    }

    let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate.recv() => {},
    }
    println!("Stopping.");
    Ok(())
}

/// A port from the `TEAMSYNC_*` settings, or `default`.
fn port_setting(env: &HashMap<String, String>, name: &str, default: u16) -> Result<u16, String> {
    env.get(name)
        .map(|p| p.parse().map_err(|_| format!("{name} {p:?} is not a port")))
        .transpose()
        .map(|port| port.unwrap_or(default))
}

/// A secret generated once and kept in the state directory, so tokens and passwords stay
/// the same from one `make run` to the next.
fn kept_secret(path: &Path, bytes: usize) -> Result<String, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(existing.to_owned());
        }
    }
    let secret = random_secret(bytes)?;
    std::fs::write(path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}

/// Asks the kernel for SIGTERM when our parent (`make`) goes, so that however `make run` is
/// stopped, we stop too, and close the kept database as on Ctrl-C.
fn stop_with_parent() {
    // SAFETY: prctl with PR_SET_PDEATHSIG only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
    }
}

/// A path as the user would type it from the repository's root.
fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
