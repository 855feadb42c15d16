//! Real readers the tests check outputs with (a browser, a signature verifier), taken
//! from `PATH`, or installed from Debian's packages once when missing, as moto is
//! installed once: as root or through password-less sudo; otherwise the caller fails
//! saying what to install.

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The first of `names` on `PATH`.
pub fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The first of `names` on `PATH`, after installing `package` if none is there. Test
/// binaries run at once: one installs while the others wait on a lock.
pub fn command(names: &[&str], package: &str) -> PathBuf {
    if let Some(found) = on_path(names) {
        return found;
    }
    let lock_path = super::project_dir().join(format!("target/{package}-install.lock"));
    let _ = std::fs::create_dir_all(lock_path.parent().unwrap());
    let lock = std::fs::File::create(&lock_path).expect("lock file");
    lock.lock()
        .unwrap_or_else(|e| panic!("lock the {package} install: {e}"));
    if let Some(found) = on_path(names) {
        return found;
    }
    apt_install(package);
    on_path(names).unwrap_or_else(|| {
        panic!("none of {names:?} on PATH, and installing it failed: apt-get install -y {package}")
    })
}

/// `apt-get install -y PACKAGE` (after `apt-get update` if the first try fails: a fresh
/// machine may have no package lists yet).
pub fn apt_install(package: &str) {
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
    eprintln!("installing {package} with apt-get (once) ...");
    if !apt(&["install", "-y", package]) {
        let _ = apt(&["update"]) && apt(&["install", "-y", package]);
    }
}

pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
