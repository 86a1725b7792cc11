//! The local DynamoDB: dynoxide, a DynamoDB emulator on SQLite (DESIGN §4), serving the
//! DynamoDB HTTP API on a loopback port from inside this process. The functions, the SDK
//! and the tests speak to it as to DynamoDB; there is no Python and no process of its own.
//!
//! It serves from a thread with a Tokio runtime of its own. dynoxide does each operation
//! on the thread that received it, under the database's lock, so its work never occupies a
//! worker of the gateway's runtime; and the tests' shared emulator outlives the runtime of
//! whichever test started it.
//!
//! Every request runs whole under that one lock (a TransactWriteItems checks all its
//! conditions and writes in one hold), so conditional writes and transactions are atomic
//! with no serialising wrapper of ours: infra/local/tests/dynamodb_emulator.rs races them.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::Duration;

use dynoxide::Database;
use tokio::sync::oneshot;

/// Where the emulator keeps its tables.
pub enum Storage {
    /// In memory, gone with the emulator: the tests' stacks.
    Memory,
    /// A SQLite file, kept from one start to the next: `make run`.
    File(PathBuf),
}

/// How often expired items are deleted, as DynamoDB's TTL does (within a few days there;
/// sooner here). Only for a kept database, where sessions, idempotency records and old
/// notifications would otherwise pile up from one `make run` to the next.
const TTL_SWEEP_PERIOD: Duration = Duration::from_secs(15 * 60);

/// The emulator's worker threads: requests are parsed and answered in parallel while
/// their operations take the database's lock one at a time.
const WORKER_THREADS: usize = 2;

pub struct DynamoDbEmulator {
    /// `http://127.0.0.1:<port>`: the endpoint of the SDK configuration.
    pub url: String,
    database: Database,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// What the emulator holds, over all its tables.
#[derive(Debug, Clone, Copy)]
pub struct Holdings {
    pub tables: usize,
    pub items: u64,
    /// The SQLite database's size, in memory or on disk.
    pub bytes: u64,
}

impl DynamoDbEmulator {
    /// Opens the database and serves it on 127.0.0.1:`port` (0 picks a free port) until
    /// dropped.
    pub fn start(storage: &Storage, port: u16) -> Result<DynamoDbEmulator, String> {
        let failed = |e: dynoxide::DynoxideError| format!("cannot open the local DynamoDB: {e}");
        let (database, sweeps_ttl) = match storage {
            Storage::Memory => (Database::memory().map_err(failed)?, false),
            Storage::File(path) => {
                let database = Database::new(&path.to_string_lossy()).map_err(failed)?;
                // SQLite's default waits for the disk (fsync) at every commit, which makes
                // a batch of writes take tens of milliseconds here. dynoxide's normal
                // settings (which end a bulk load) commit to the write-ahead log without
                // waiting: a crash of TeamSync loses nothing, a power cut the last writes.
                database.disable_bulk_loading().map_err(failed)?;
                (database, true)
            }
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("dynamodb-emulator")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the local DynamoDB's runtime: {e}"))?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
            .map_err(|e| format!("the local DynamoDB cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let served = database.clone();
        let server = std::thread::Builder::new()
            .name("dynamodb-emulator".into())
            .spawn(move || {
                if sweeps_ttl {
                    runtime.spawn(sweep_expired_items(served.clone()));
                }
                let serving = dynoxide::server::serve_with_shutdown(listener, served, async {
                    let _ = stopped.await;
                });
                if let Err(error) = runtime.block_on(serving) {
                    eprintln!("the local DynamoDB stopped: {error}");
                }
            })
            .map_err(|e| format!("cannot start the local DynamoDB's thread: {e}"))?;
        Ok(DynamoDbEmulator { url: format!("http://{address}"), database, stop: Some(stop), server: Some(server) })
    }

    /// The endpoint of the DynamoDB the tests' stacks share, each with a table of its own:
    /// `TEAMSYNC_TEST_DYNAMODB_URL` when set (the soak benchmark's one emulator under every
    /// round of the suites), else an in-memory emulator started on first use, which serves
    /// until the test process exits.
    pub fn shared_url() -> Result<String, String> {
        if let Ok(url) = std::env::var("TEAMSYNC_TEST_DYNAMODB_URL") {
            return Ok(url);
        }
        static SHARED: OnceLock<Result<DynamoDbEmulator, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| DynamoDbEmulator::start(&Storage::Memory, 0))
            .as_ref()
            .map(|emulator| emulator.url.clone())
            .map_err(Clone::clone)
    }

    /// Its tables, items and size now.
    pub fn holdings(&self) -> Result<Holdings, String> {
        let info = self.database.database_info().map_err(|e| e.to_string())?;
        Ok(Holdings {
            tables: info.table_count,
            items: info.tables.iter().map(|t| t.stats.item_count.max(0) as u64).sum(),
            bytes: info.size_bytes,
        })
    }
}

impl Drop for DynamoDbEmulator {
    /// Stops serving once the requests under way have finished, and closes the database.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

/// Deletes expired items every [`TTL_SWEEP_PERIOD`], the first time at once. A sweep takes
/// the lock a page at a time, so requests wait for a page, not for the sweep.
async fn sweep_expired_items(database: Database) {
    let mut period = tokio::time::interval(TTL_SWEEP_PERIOD);
    loop {
        period.tick().await;
        let database = database.clone();
        match tokio::task::spawn_blocking(move || database.sweep_ttl()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the local DynamoDB's TTL sweep failed"),
            Err(_) => return,
        }
    }
}
