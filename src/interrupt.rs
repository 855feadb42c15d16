//! Ctrl-C and SIGTERM. The first stops the run where it stands and writes nothing: every
//! output is staged whole beside its target and only renamed into place once all of
//! them are, so a run stopped before that point leaves every target as it was. The
//! second exits at once, removing what was being staged (the first may be waiting on a
//! long render or a slow disk; a person pressing Ctrl-C twice wants the prompt back).
//!
//! Files being staged are created through [`create_staged`], under the same lock the
//! second signal takes to remove them, so none is created between that removal and the
//! exit.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code of a run stopped by a signal: 128 + SIGINT, as shells report it.
pub const EXIT: u8 = 130;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static STAGED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// A run stopped by a signal before its outputs were written.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: stopped; nothing of this run was written")]
pub struct Interrupted;

/// `Err` once a stop was asked for: checked just before the outputs take their place,
/// as the render before that point cannot be stopped half-way.
pub fn check() -> Result<(), Interrupted> {
    if REQUESTED.load(Ordering::SeqCst) {
        Err(Interrupted)
    } else {
        Ok(())
    }
}

/// Installs the handlers (inside the runtime, before the run starts: a run may not
/// yield for seconds); resolves at the first SIGINT or SIGTERM. The handlers run on the
/// runtime's workers, so the next signal exits at once even while the run is busy.
/// Without signal handling (it cannot be installed), never resolves.
pub fn install() -> impl std::future::Future<Output = ()> {
    let (first, heard) = tokio::sync::oneshot::channel();
    if let Some(mut signals) = Signals::install() {
        tokio::spawn(async move {
            signals.next().await;
            REQUESTED.store(true, Ordering::SeqCst);
            let _ = first.send(());
            signals.next().await;
            abandon();
        });
    }
    async move {
        if heard.await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Removes every staged file and directory and exits with [`EXIT`]. The lock is held to
/// the end: a writer waiting to stage another file never gets to.
fn abandon() -> ! {
    let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    remove(&staged);
    eprintln!("interrupted again: stopped at once; nothing of this run was written");
    std::process::exit(i32::from(EXIT))
}

/// Removes what is being staged, for a run that ends without unwinding: a release build
/// aborts on a panic (Cargo.toml), and no destructor runs. The lock is only tried: a
/// panic while a file was being created holds it already, and that file is then left.
pub fn remove_staged() {
    if let Ok(staged) = STAGED.try_lock() {
        remove(&staged);
    }
}

fn remove(staged: &BTreeSet<PathBuf>) {
    for path in staged {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(path);
        } else {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Creates a file or directory that is being staged (`create` must make `path` anew),
/// so that a second signal removes it.
pub fn create_staged<T>(
    path: &Path,
    create: impl FnOnce(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    let made = create(path)?;
    staged.insert(path.to_path_buf());
    Ok(made)
}

/// Held beside a staged path: once dropped (the path took its place, or is gone), a
/// second signal leaves the path alone.
pub struct Unstage(pub PathBuf);

impl Drop for Unstage {
    fn drop(&mut self) {
        STAGED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.0);
    }
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            interrupt: signal(SignalKind::interrupt()).ok()?,
            terminate: signal(SignalKind::terminate()).ok()?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Option<Signals> {
        Some(Signals)
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staged_file_is_tracked_until_it_is_unstaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.tmp");
        create_staged(&path, |p| std::fs::File::create_new(p)).unwrap();
        assert!(STAGED.lock().unwrap().contains(&path));
        drop(Unstage(path.clone()));
        assert!(!STAGED.lock().unwrap().contains(&path));
        let err = create_staged(&path, |p| std::fs::File::create_new(p)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert!(
            !STAGED.lock().unwrap().contains(&path),
            "what was not created is not tracked"
        );
    }

    #[test]
    fn what_was_staged_is_removed_files_and_directories_alike() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.json.tmp");
        let tree = dir.path().join("bundle.tmp");
        std::fs::write(&file, "{").unwrap();
        std::fs::create_dir_all(tree.join("inventories")).unwrap();
        std::fs::write(tree.join("inventories/1.json"), "{").unwrap();
        let kept = dir.path().join("report.json");
        std::fs::write(&kept, "{}").unwrap();
        remove(&BTreeSet::from([file.clone(), tree.clone()]));
        assert!(!file.exists() && !tree.exists());
        assert!(kept.exists(), "only what was staged is removed");
    }
}
