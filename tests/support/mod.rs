//! Test support shared by the end-to-end tests, the collector tests and the demo:
//! a `moto_server` on a free 127.0.0.1 port, and account scenarios
//! (`mocks/scenarios/*.json`) seeded into it through the real AWS APIs.
//!
//! This is the only code in the project that calls mutating AWS APIs, and it only ever
//! talks to the emulator it started itself.
#![allow(dead_code)]

pub mod browser;
pub mod demo;
pub mod deny_proxy;
pub mod run;
pub mod seed;
pub mod tools;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "testing";
pub const SECRET_KEY: &str = "testing";
pub const ACCOUNT_ID: &str = "123456789012";

/// The eight listings of measure 3's sweep that Resource Explorer's index stands in
/// for, as the report's request counts name their operations.
pub const INDEXED_OPERATIONS: [&str; 8] = [
    "EC2:DescribeInstances",
    "EC2:DescribeVolumes",
    "EC2:DescribeSnapshots",
    "EC2:DescribeImages",
    "RDS:DescribeDBInstances",
    "RDS:DescribeDBClusters",
    "RDS:DescribeDBSnapshots",
    "RDS:DescribeDBClusterSnapshots",
];

/// A moto with the scenario `name` (`mocks/scenarios/NAME.json`) seeded into it, and the
/// scenario's regions.
pub async fn seeded(name: &str) -> (Moto, Vec<String>) {
    let scenario = load_scenario(&scenario_path(name));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    (moto, scenario.region_names())
}

/// Runs a whole collection as a scan does: on a worker of the scan's runtime, with its
/// stack (a collection's futures nest deep), a panic in it going on here.
pub fn on_a_scan_worker<F>(collection: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = tomscan::scan::runtime().unwrap();
    match runtime.block_on(async { tokio::spawn(collection).await }) {
        Ok(done) => done,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Every entry of `dir`, sorted by name, with the bytes of the regular files (a FIFO is
/// not opened).
pub fn dir_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.file_type().unwrap().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// An organization offline: `count` copies of the demo inventory, accounts
/// 100000000000 and up, as `a00.json`, `a01.json`, ... in a new directory for
/// `tomscan evaluate DIR`.
pub fn demo_inventories(count: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project_dir().join("mocks/inventories/demo.json")).unwrap(),
    )
    .unwrap();
    for i in 0..count {
        let mut inv = demo.clone();
        inv["account_id"] = format!("{}", 100_000_000_000u64 + i).into();
        std::fs::write(dir.path().join(format!("a{i:02}.json")), inv.to_string()).unwrap();
    }
    dir
}

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A moto server for one test (or the demo); killed when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
    pub port: u16,
    /// Where moto writes the requests it records (`record_requests`).
    recording: PathBuf,
}

impl Moto {
    /// Plain moto: its credential report has no root row, root has no MFA.
    pub fn start() -> Moto {
        Moto::start_with(None, &[])
    }

    /// `root`: the root-account facts of a real AWS account (see moto_server.py);
    /// `env`: extra variables, e.g. `INITIAL_NO_AUTH_ACTION_COUNT` for IAM enforcement.
    pub fn start_with(root: Option<&serde_json::Value>, env: &[(&str, &str)]) -> Moto {
        let port = free_port();
        let recording = std::env::temp_dir().join(format!("tomscan-moto-{port}.jsonl"));
        let _ = std::fs::remove_file(&recording);
        let launcher = project_dir().join("tests/support/moto_server.py");
        let mut cmd = Command::new(python());
        cmd.arg(&launcher)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env(
                "MOTO_AMIS_PATH",
                project_dir().join("tests/support/amis.json"),
            )
            .env("MOTO_RECORDER_FILEPATH", &recording)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(root) = root {
            cmd.env("TOMSCAN_MOTO_ROOT", root.to_string());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}): install moto with `pip install 'moto[server]'`",
                python()
            )
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                panic!(
                    "moto_server exited with {status}: {err}\nInstall it with `pip install 'moto[server]'`"
                );
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // Its request log is noise; stop buffering it so the pipe never fills up.
        drop(child.stderr.take());
        Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            recording,
        }
    }

    /// From now on, moto records every request it receives (after seeding, say).
    pub fn record_requests(&self) {
        use std::io::{Read, Write};
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        write!(
            stream,
            "POST /moto-api/recorder/start-recording HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "start-recording: {answer}"
        );
    }

    /// The requests recorded since `record_requests`: method, url, headers, body.
    pub fn recorded_requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.recording)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a recorded request"))
            .collect()
    }

    /// An SDK configuration for this server, for seeding.
    pub async fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                ACCESS_KEY,
                SECRET_KEY,
                None,
                None,
                "tomscan-tests",
            ))
            .load()
            .await
    }

    /// Environment for a `tomscan` child process scanning this server.
    pub fn scan_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_MAX_ATTEMPTS", "2".into()),
            // Keep the developer's own AWS setup out of the tests.
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.recording);
    }
}

/// The moto release the tests and the demo are written against.
pub const MOTO_REQUIREMENT: &str = "moto[server]==5.2.1";

/// A Python package set the tests need, pinned, and a module import that proves it is there.
struct PythonEnv {
    /// Directory under `target/` for its private virtual environment.
    venv: &'static str,
    requirements: &'static [&'static str],
    /// `python -c` source that fails unless the packages import.
    probe: &'static str,
}

const MOTO: PythonEnv = PythonEnv {
    venv: "moto-venv",
    requirements: &[MOTO_REQUIREMENT],
    probe: "import moto.server, flask",
};

/// The readers the OCSF and metrics renderers are checked with: Prowler's pydantic models
/// of the OCSF schema (OCSF 1.5.0 in this release) and Prometheus' own exposition parser.
/// pydantic is pinned too, since strictness is its behaviour, not py-ocsf-models'.
pub const READER_REQUIREMENTS: &[&str] = &[
    "py-ocsf-models==0.10.0",
    "pydantic==2.14.4",
    "prometheus_client==0.26.0",
];

const READERS: PythonEnv = PythonEnv {
    venv: "readers-venv",
    requirements: READER_REQUIREMENTS,
    probe: "import py_ocsf_models.events.findings.compliance_finding, prometheus_client.parser",
};

/// The reader the OSCAL documents are checked with: compliance-trestle's OSCAL models,
/// the last release for OSCAL 1.1 (4.0 moved to 1.2), whose pydantic v1 API is pinned.
pub const OSCAL_REQUIREMENTS: &[&str] = &["compliance-trestle==3.12.4", "pydantic==2.14.4"];

const OSCAL: PythonEnv = PythonEnv {
    venv: "oscal-venv",
    requirements: OSCAL_REQUIREMENTS,
    probe: "import trestle.oscal.assessment_results, trestle.oscal.catalog",
};

/// A Python with compliance-trestle ([`OSCAL_REQUIREMENTS`]), found or installed like
/// [`python`]'s moto, in `target/oscal-venv`.
pub fn oscal_python() -> String {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| find_or_install(&OSCAL)).clone()
}

/// `oscal_validate.py` over one OSCAL document: what it printed, and whether it passed.
pub fn validate_oscal(document: &str) -> (String, bool) {
    run_script(&oscal_python(), "oscal_validate.py", document)
}

/// A Python that has moto: `$PYTHON` (default `python3`) when it has it, else a private
/// virtual environment under `target/moto-venv`, made and filled once (pip, from PyPI),
/// so the README's two commands work on a machine with only Rust and Python.
pub fn python() -> String {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| find_or_install(&MOTO)).clone()
}

/// A Python with py-ocsf-models and prometheus_client ([`READER_REQUIREMENTS`]), found or
/// installed like [`python`]'s moto, in `target/readers-venv`.
pub fn readers_python() -> String {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| find_or_install(&READERS)).clone()
}

fn has(python: &str, env: &PythonEnv) -> bool {
    Command::new(python)
        .args(["-c", env.probe])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn find_or_install(env: &PythonEnv) -> String {
    let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if has(&system, env) {
        return system;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_dir().join("target"));
    let venv = target.join(env.venv);
    let venv_python = venv.join("bin/python").to_string_lossy().into_owned();
    std::fs::create_dir_all(&target).expect("create the target directory");
    // Test binaries and the demo may start at once: one installs, the others wait.
    let lock = std::fs::File::create(target.join(format!("{}.lock", env.venv))).expect("lock file");
    lock.lock()
        .unwrap_or_else(|e| panic!("lock the {} environment: {e}", env.venv));
    let requirements = env.requirements.join(" ");
    if !has(&venv_python, env) {
        eprintln!(
            "{requirements} not installed for {system}: installing into {} (once) ...",
            venv.display()
        );
        let run = |cmd: &mut Command| {
            let status = cmd
                .status()
                .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
            assert!(
                status.success(),
                "{cmd:?} failed ({status}): install them yourself with `pip install {requirements}`"
            );
        };
        run(Command::new(&system).args(["-m", "venv"]).arg(&venv));
        run(Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(env.requirements));
    }
    venv_python
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

pub fn scenario_path(name: &str) -> PathBuf {
    project_dir()
        .join("mocks/scenarios")
        .join(format!("{name}.json"))
}

pub fn load_scenario(path: &Path) -> seed::Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `tomscan scan` did: its exit code, the JSON report (unless `args` ask for
/// another format), and what it printed.
pub struct Scan {
    pub code: i32,
    pub report: serde_json::Value,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tomscan scan` against `moto`, endpoint from AWS_ENDPOINT_URL unless
/// `args` pass --endpoint-url themselves.
pub fn tomscan(moto: &Moto, args: &[&str]) -> Scan {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let mut cmd = run::tomscan(["scan"])
        .args(args)
        .dir(dir.path())
        .against(moto);
    if args.contains(&"--endpoint-url") {
        cmd = cmd.env_remove("AWS_ENDPOINT_URL");
    }
    let json_wanted = !args.contains(&"--format");
    if json_wanted {
        cmd = cmd.args(["--format", "json", "--output"]).args([&out]);
    }
    let run = cmd.run();
    let report = if json_wanted && out.exists() {
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
    } else {
        serde_json::Value::Null
    };
    Scan {
        code: run.code,
        report,
        stdout: run.stdout,
        stderr: run.stderr,
    }
}

/// Runs a script of tests/support with the readers' Python; its stdout and success.
pub fn run_reader(script: &str, input: &str) -> (String, bool) {
    run_script(&readers_python(), script, input)
}

fn run_script(python: &str, script: &str, input: &str) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input");
    std::fs::write(&file, input).unwrap();
    let out = std::process::Command::new(python)
        .arg(project_dir().join("tests/support").join(script))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Traceback") || !out.status.success(),
        "{script}: {stderr}"
    );
    (String::from_utf8(out.stdout).unwrap(), out.status.success())
}
