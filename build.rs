//! Records the git commit tomscan is built from (`TOMSCAN_GIT_COMMIT`), for the
//! evidence bundle's manifest: which code judged. A build outside a git checkout (a
//! crate tarball) records none, and the manifest says so.

use std::process::Command;

fn main() {
    packed_relocations();
    // Without a rerun-if-changed line Cargo reruns the script whenever any file of the
    // package changes; with one naming a path that does not exist, on every build (a
    // clone may have no `packed-refs`, a worktree has no `.git` directory), and tomscan
    // is compiled again each time. So: what moves when the commit does, where it is.
    println!("cargo:rerun-if-changed=build.rs");
    for name in ["HEAD", "refs", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", name])
            && std::path::Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = git(&["rev-parse", "HEAD"])
        .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(commit) = commit {
        println!("cargo:rustc-env=TOMSCAN_GIT_COMMIT={commit}");
    }
}

/// What `git args` prints, trimmed; none outside a git checkout or without git.
fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
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
