//! Ctrl-C and SIGTERM: the first stops the run and writes nothing (exit 130), an
//! existing report at the same path stays whole, and a second exits at once, removing
//! what was being staged. Signals are sent with kill(1) to the real binary.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn project(path: &str) -> PathBuf {
    support::project_dir().join(path)
}

fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

/// Waits for the child, killing it (and failing) if it outlives `limit`: a run that
/// ignores a stop must not hang the suite. A run the signal killed fails the test.
fn finish(child: Child, limit: Duration) -> (i32, String) {
    let (code, stderr) = ended(child, limit);
    let code = code.unwrap_or_else(|| {
        panic!("killed by a signal: the signal was not handled; stderr:\n{stderr}")
    });
    (code, stderr)
}

/// The exit code (`None`: killed by a signal) and stderr.
fn ended(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code(), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An endpoint that accepts connections and never answers: the scan waits on its
/// first call until it is stopped. Says when the first connection arrives.
fn silent_endpoint() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            let _ = tx.send(());
        }
    });
    (url, rx)
}

#[test]
fn a_signal_during_a_scan_writes_nothing_and_the_old_report_stays_whole() {
    for name in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.json");
        std::fs::write(&report, "{\"the\": \"last scan's report\"}\n").unwrap();
        let before = support::dir_contents(dir.path());
        let (url, connected) = silent_endpoint();
        let child = support::run::tomscan(["scan", "--format", "json", "--region", "eu-west-1"])
            .args(["--output", report.to_str().unwrap()])
            .args(["--evidence", dir.path().join("bundle").to_str().unwrap()])
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        connected
            .recv_timeout(Duration::from_secs(60))
            .expect("the scan never called the endpoint");
        signal(&child, name);
        let (code, stderr) = finish(child, Duration::from_secs(30));
        assert_eq!(code, 130, "SIG{name}: {stderr}");
        assert!(stderr.contains("interrupted"), "SIG{name}: {stderr}");
        assert_eq!(
            support::dir_contents(dir.path()),
            before,
            "SIG{name}: the old report is untouched, and no bundle or temporary file is left"
        );
    }
}

/// Every file of the run is either as it was before or as a run that was not stopped
/// writes it, whenever the signal comes: while judging, rendering, staging or renaming.
#[test]
fn signals_at_any_moment_leave_every_output_whole() {
    let inventories = support::demo_inventories(12);
    let run = |out: &Path| {
        support::run::tomscan(["evaluate", inventories.path().to_str().unwrap()])
            .args([
                "--format", "json", "--format", "html", "--format", "markdown",
            ])
            .args(["--format", "csv", "--output-dir", out.to_str().unwrap()])
            .args(["--metrics", out.join("tomscan.prom").to_str().unwrap()])
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let reference = tempfile::tempdir().unwrap();
    let (code, stderr) = finish(run(reference.path()), Duration::from_secs(300));
    assert_eq!(code, 3, "{stderr}");
    let new = support::dir_contents(reference.path());
    assert_eq!(new.len(), 5, "{new:?}");

    let mut stopped = 0;
    for (k, delay) in [0, 100, 250, 400, 600, 800, 1000, 1300, 1700, 2200]
        .into_iter()
        .enumerate()
    {
        let out = tempfile::tempdir().unwrap();
        // The last run's files, under the same names.
        for (name, _) in &new {
            std::fs::write(out.path().join(name), format!("old {name}\n")).unwrap();
        }
        let old = support::dir_contents(out.path());
        let child = run(out.path());
        std::thread::sleep(Duration::from_millis(delay));
        signal(&child, if k % 2 == 0 { "INT" } else { "TERM" });
        if k % 3 == 0 {
            std::thread::sleep(Duration::from_millis(5));
            signal(&child, "INT");
        }
        let (code, stderr) = ended(child, Duration::from_secs(300));
        let now = support::dir_contents(out.path());
        // A signal in the first milliseconds, before main has installed the handlers,
        // ends the process as it would any other: nothing had been staged yet.
        let Some(code) = code else {
            assert!(now == old, "killed after {delay} ms: every file as it was");
            continue;
        };
        if code == 130 {
            stopped += 1;
            assert!(stderr.contains("interrupted"), "{stderr}");
            assert!(now == old, "stopped after {delay} ms: every file as it was");
        } else {
            assert_eq!(code, 3, "{stderr}");
            assert!(
                now == new,
                "finished despite a signal at {delay} ms: every file whole"
            );
        }
    }
    assert!(stopped > 0, "no signal came before the run ended");
}

/// The first signal cannot stop a write that does not return (here, into a FIFO nobody
/// reads); the second exits at once and removes the file staged beside it.
#[test]
fn a_second_signal_exits_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let child = support::run::tomscan([
        "evaluate",
        project("mocks/inventories/demo.json").to_str().unwrap(),
    ])
    .args(["--format", "json", "--output", fifo.to_str().unwrap()])
    .args([
        "--metrics",
        dir.path().join("tomscan.prom").to_str().unwrap(),
    ])
    .command()
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Read one byte, then no more: the report (far more than a pipe holds) blocks.
    let (tx, rx) = mpsc::channel();
    let reader_fifo = fifo.clone();
    std::thread::spawn(move || {
        let mut reader = std::fs::File::open(&reader_fifo).unwrap();
        let mut byte = [0u8; 1];
        reader.read_exact(&mut byte).unwrap();
        tx.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(600));
        drop(reader);
    });
    rx.recv_timeout(Duration::from_secs(120))
        .expect("the report was never written into the FIFO");
    let mut child = child;
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the write cannot return, so the first signal cannot stop the run"
    );
    signal(&child, "INT");
    let (code, stderr) = finish(child, Duration::from_secs(10));
    assert_eq!(code, 130, "{stderr}");
    assert!(stderr.contains("interrupted again"), "{stderr}");
    let left: Vec<String> = support::dir_contents(dir.path())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        left,
        ["report.fifo"],
        "the metrics file staged beside it is removed, and never renamed into place"
    );
}
