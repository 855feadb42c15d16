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
    if let Some(found) = on_path() {
        return found;
    }
    // Test binaries run at once: one installs, the others wait and then find it.
    let lock_path = super::project_dir().join("target/chromium-install.lock");
    let _ = std::fs::create_dir_all(lock_path.parent().unwrap());
    let lock = std::fs::File::create(&lock_path).expect("lock file");
    lock.lock().expect("lock the Chromium install");
    if let Some(found) = on_path() {
        return found;
    }
    install();
    on_path().unwrap_or_else(|| {
        panic!(
            "no headless Chromium found (tried {NAMES:?} on PATH; CHROME=path overrides): \
             apt-get install -y chromium-headless-shell"
        )
    })
}

fn on_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    NAMES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// `apt-get install chromium-headless-shell`, as root or through password-less sudo; a
/// machine without either is left alone (the caller then says what to install).
fn install() {
    let apt = |args: &[&str]| {
        let mut cmd = if running_as_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    eprintln!("no headless Chromium: installing chromium-headless-shell with apt-get (once) ...");
    if !apt(&["install", "-y", "chromium-headless-shell"]) {
        // A fresh machine may have no package lists yet.
        let _ = apt(&["update"]) && apt(&["install", "-y", "chromium-headless-shell"]);
    }
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// What Chromium printed: the page (`--dump-dom`) and its log with console messages.
pub struct Run {
    pub dom: String,
    pub log: String,
}

/// Chromium on `url` with a fresh profile, killed after 60 s.
pub fn run_chrome(url: &str, extra: &[String]) -> Run {
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
    if running_as_root() {
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
    assert!(status.success(), "Chromium failed ({status}):\n{}", run.log);
    run
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
