//! `tomscan` run as a user runs it: the built binary, with the developer's own AWS setup
//! (config and credential files, instance metadata) kept out, so a test sees only what it
//! gives. One builder for every test that runs the binary.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use super::Moto;

/// What a run did: its exit code and what it printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as JSON (a report, a policy), or a panic that shows stderr.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {}, stderr:\n{}",
                self.code, self.stderr
            )
        })
    }
}

/// A `tomscan` command line being put together.
pub struct Tomscan(Command);

/// `tomscan ARGS…`, isolated from the developer's AWS setup; more with the builder.
pub fn tomscan<I, S>(args: I) -> Tomscan
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    // Set for integration tests only; the examples that share this module never run it.
    let Some(exe) = option_env!("CARGO_BIN_EXE_tomscan") else {
        panic!("support::run runs the binary, which only integration tests build");
    };
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        // Never ask an instance metadata service: this machine is not one.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("TOMSCAN_SHARD");
    Tomscan(cmd)
}

impl Tomscan {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.0.args(args);
        self
    }

    /// Credentials and endpoint of `moto`'s account.
    pub fn against(mut self, moto: &Moto) -> Self {
        for (k, v) in moto.scan_env() {
            self.0.env(k, v);
        }
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.0.env(key, value);
        self
    }

    pub fn envs<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.0.envs(vars);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.0.env_remove(key);
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.0.current_dir(dir);
        self
    }

    /// The command, for what the builder does not cover (stdin, spawning).
    pub fn command(self) -> Command {
        self.0
    }

    pub fn run(mut self) -> Run {
        let out = self.0.output().expect("run tomscan");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
