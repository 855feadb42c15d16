//! Records the git commit tomscan is built from (`TOMSCAN_GIT_COMMIT`), for the
//! evidence bundle's manifest: which code judged. A build outside a git checkout (a
//! crate tarball) records none, and the manifest says so.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    println!("cargo:rerun-if-changed=.git/packed-refs");
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(commit) = commit {
        println!("cargo:rustc-env=TOMSCAN_GIT_COMMIT={commit}");
    }
}
