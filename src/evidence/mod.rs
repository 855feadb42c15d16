//! Evidence an auditor can rely on without trusting tomscan: a bundle of the report, the
//! inventories it was judged from, and every input of the judgement (framework,
//! settings, waivers, attestations), with a manifest of each file's SHA-256, signed as
//! an SSH signature that `ssh-keygen -Y verify` checks. `tomscan verify` checks the
//! digests and the signature, then judges the bundled inventories again and requires
//! the bundled report's findings: the verdicts follow from the evidence.
//!
//! Why SSH signatures and not minisign: every auditor's machine already has
//! `ssh-keygen` (OpenSSH on Linux, macOS and Windows), its `allowed_signers` file names
//! who a key belongs to, and an organisation's existing SSH keys can sign.

mod manifest;
pub mod sign;
mod verify;
mod write;

pub use manifest::{
    BUNDLE_FORMAT, Caller, Catalogue, FileEntry, Input, InventoryEntry, MANIFEST, Manifest,
    SIGNATURE, SelectionRecord, ToolRecord,
};
pub use verify::{Verified, verify};
pub use write::{BundleWriter, Contents, Sealed, Source, inventory_path};

use std::path::PathBuf;

/// Why a bundle could not be written, signed or verified. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{0} already exists: an evidence bundle is never overwritten; give a new path (e.g. one named after the scan's date)"
    )]
    Exists(PathBuf),
    #[error("{path}: {problem}")]
    Key { path: PathBuf, problem: String },
    #[error("{file}: {problem}")]
    Mismatch { file: String, problem: String },
}

impl EvidenceError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> EvidenceError {
        let path = path.into();
        move |source| EvidenceError::Io { path, source }
    }

    pub(crate) fn mismatch(file: impl Into<String>, problem: impl Into<String>) -> EvidenceError {
        EvidenceError::Mismatch {
            file: file.into(),
            problem: problem.into(),
        }
    }
}

/// `sha256:` + hex: how the manifest and the reports name a digest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
