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
    hex(&Sha256::digest(bytes))
}

/// [`sha256_hex`] of what `reader` holds, and how many bytes that is, read in pieces: a
/// bundled report can be a gigabyte.
pub fn sha256_hex_of(mut reader: impl std::io::Read) -> std::io::Result<(u64, String)> {
    let mut digesting = Digesting::new(std::io::sink());
    std::io::copy(&mut reader, &mut digesting)?;
    let (_, bytes, digest) = digesting.finish();
    Ok((bytes, digest))
}

/// Writes through to `inner`, taking the SHA-256 and the length of what passes, so that a
/// file is digested as it is written, never held to be.
pub struct Digesting<W> {
    inner: W,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<W> Digesting<W> {
    pub fn new(inner: W) -> Digesting<W> {
        use sha2::Digest;
        Digesting {
            inner,
            hasher: sha2::Sha256::new(),
            bytes: 0,
        }
    }

    /// The writer back, with the length and the [`sha256_hex`] of what it was given.
    pub fn finish(self) -> (W, u64, String) {
        use sha2::Digest;
        (self.inner, self.bytes, hex(&self.hasher.finalize()))
    }
}

impl<W: std::io::Write> std::io::Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::{Digesting, sha256_hex, sha256_hex_of};

    /// FIPS 180-2's example: what the manifest says of a file must be its real SHA-256,
    /// whether the file was digested whole, while written, or read back in pieces.
    #[test]
    fn a_digest_is_the_same_however_the_bytes_pass() {
        const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), ABC);
        let mut writing = Digesting::new(Vec::new());
        for piece in [&b"a"[..], b"", b"bc"] {
            writing.write_all(piece).unwrap();
        }
        let (written, bytes, digest) = writing.finish();
        assert_eq!(
            (written.as_slice(), bytes, digest.as_str()),
            (&b"abc"[..], 3, ABC)
        );
        let long = vec![7u8; 200_000];
        assert_eq!(
            sha256_hex_of(long.as_slice()).unwrap(),
            (200_000, sha256_hex(&long))
        );
    }
}
