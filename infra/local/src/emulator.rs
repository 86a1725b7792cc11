//! The DynamoDB emulator process (moto, through infra/emulators/dynamodb.py).
//!
//! The child is tied to us by `PR_SET_PDEATHSIG`: if we die, however we die, the kernel
//! stops it too, so no test run or crashed `make run` leaves an emulator behind. The
//! signal follows the *thread* that spawned the child, so the child is spawned from a
//! thread that lives exactly as long as the child.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Emulator {
    pub url: String,
    pub pid: u32,
}

impl Emulator {
    /// Starts the emulator on a free loopback port and waits until it answers. Its output
    /// goes to `log` (or nowhere).
    pub fn start(root: &Path, log: Option<PathBuf>) -> Result<Emulator, String> {
        let python = root.join(".venv/bin/python");
        if !python.exists() {
            return Err(format!(
                "{} is missing: run `make bootstrap` (make run and make test do it)",
                python.display()
            ));
        }
        let script = root.join("infra/emulators/dynamodb.py");
        let port = free_port()?;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("dynamodb-emulator".into())
            .spawn(move || {
                let output = |log: &Option<PathBuf>| match log {
                    Some(path) => std::fs::File::create(path).map(Stdio::from).unwrap_or_else(|_| Stdio::null()),
                    None => Stdio::null(),
                };
                let mut command = Command::new(python);
                command.arg(script).arg("--port").arg(port.to_string());
                command.stdin(Stdio::null()).stdout(output(&log)).stderr(output(&log));
                // SAFETY: prctl is async-signal-safe and touches no memory of ours.
                unsafe {
                    std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                        Ok(())
                    });
                }
                match command.spawn() {
                    Ok(mut child) => {
                        let _ = sender.send(Ok(child.id()));
                        let _ = child.wait();
                    }
                    Err(error) => {
                        let _ = sender.send(Err(format!("cannot start the DynamoDB emulator: {error}")));
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        let pid = receiver.recv().map_err(|e| e.to_string())??;
        let url = format!("http://127.0.0.1:{port}");
        wait_until_listening(port, Duration::from_secs(60))?;
        Ok(Emulator { url, pid })
    }

    /// One emulator per process, started on first use: tests isolate themselves with a
    /// table each, not with an emulator each.
    pub fn shared(root: &Path) -> Result<&'static Emulator, String> {
        static SHARED: OnceLock<Result<Emulator, String>> = OnceLock::new();
        SHARED.get_or_init(|| Emulator::start(root, None)).as_ref().map_err(Clone::clone)
    }

    /// Stops the emulator and waits (briefly) for it to go.
    pub fn stop(&self) {
        // SAFETY: sending a signal to a process id we started.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        // SAFETY: signal 0 only probes whether the process still exists.
        while Instant::now() < deadline && unsafe { libc::kill(self.pid as libc::pid_t, 0) } == 0 {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn wait_until_listening(port: u16, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the DynamoDB emulator did not listen on port {port} within {limit:?}"))
}
