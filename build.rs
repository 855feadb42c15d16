//! Records the git commit tomscan is built from (`TOMSCAN_GIT_COMMIT`), for the
//! evidence bundle's manifest: which code judged. A build outside a git checkout (a
//! crate tarball) records none, and the manifest says so.

use std::process::Command;

fn main() {
    packed_relocations();
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

/// Relative relocations packed (DT_RELR): the dynamic loader reads every relocation at
/// start-up, and unpacked the SDK's vtables make 4.9 MB of them, all of it resident for
/// the whole run. Packed they take a few kilobytes. GNU ld 2.38 and glibc 2.36 know the
/// format; an older ld warns and ignores the option.
fn packed_relocations() {
    let var = |name| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
