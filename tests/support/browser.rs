//! Headless Chromium for the tests that read the HTML report in a real browser:
//! `chromium-headless-shell` (or `chromium`, `google-chrome`; `CHROME=path` overrides).
//! When none is there, the tests install the Debian package once, as moto is installed
//! once, where they may (root, or password-less sudo); otherwise they fail saying how.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NAMES: [&str; 3] = ["chromium-headless-shell", "chromium", "google-chrome"];

/// `CHROME`, else the first of the usual names on `PATH`, installed first if need be.
pub fn chrome() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROME") {
        return PathBuf::from(path);
    }
    super::tools::command(&NAMES, "chromium-headless-shell")
}

/// What Chromium printed: the page (`--dump-dom`) and its log with console messages.
pub struct Run {
    pub dom: String,
    pub log: String,
}

/// Chromium on `url` with a fresh profile, killed after 60 s.
///
/// A browser that dies of a signal (CI saw a rare SIGSEGV in `chromium-headless-shell`
/// with the log empty, so before it read the page) is started again, twice at most: the
/// crash is the browser's, and the next run judges the same page. Debian's
/// `chromium-headless-shell` is a `sh` wrapper, so the death shows as exit code 128 + the
/// signal. A page problem, any other exit code or a timeout is never retried.
pub fn run_chrome(url: &str, extra: &[String]) -> Run {
    use std::os::unix::process::ExitStatusExt;
    const ATTEMPTS: usize = 3;
    for attempt in 1..=ATTEMPTS {
        let (status, run) = run_chrome_once(url, extra);
        let signal = status.signal().or_else(|| {
            status
                .code()
                .filter(|c| (129..160).contains(c))
                .map(|c| c - 128)
        });
        match signal {
            Some(signal) if attempt < ATTEMPTS => {
                eprintln!(
                    "Chromium died of signal {signal} on {url} (attempt {attempt}), starting it again:\n{}",
                    run.log
                );
            }
            _ => {
                assert!(status.success(), "Chromium failed ({status}):\n{}", run.log);
                return run;
            }
        }
    }
    unreachable!("the last attempt returns or panics")
}

fn run_chrome_once(url: &str, extra: &[String]) -> (std::process::ExitStatus, Run) {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(chrome());
    cmd.arg("--headless")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args([
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Chromium's sandbox refuses to start as root (as in CI); as a user it stays on.
    if super::tools::running_as_root() {
        cmd.arg("--no-sandbox");
    }
    let mut child = cmd.spawn().expect("start Chromium");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).unwrap();
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("Chromium did not finish within 60 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = Run {
        dom: out.join().unwrap(),
        log: err.join().unwrap(),
    };
    (status, run)
}

/// Lines of Chromium's log that tell of a problem in the page: any console message
/// (the report's script writes none), an uncaught exception, a CSP violation.
pub fn page_problems(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Content Security Policy")
                || l.contains("Refused to")
        })
        .collect()
}
