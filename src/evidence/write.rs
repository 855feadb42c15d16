//! Writing a bundle whole or not at all: every file goes into a hidden directory beside
//! the destination, the manifest and its signature last, and one rename makes it the
//! bundle. A scan that fails, or is stopped, leaves no half bundle.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::sign::Signer;
use super::{
    BUNDLE_FORMAT, Caller, Catalogue, Digesting, EvidenceError, FileEntry, Input, InventoryEntry,
    MANIFEST, Manifest, SIGNATURE, SelectionRecord, ToolRecord, sha256_hex, sha256_hex_of,
};
use crate::config::Settings;
use crate::report::Report;

/// An input file as the judgement read it: its text and the name it was read under.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub read_as: String,
}

/// Everything a bundle holds besides the inventories, which are added as they are
/// written (`inventory/inventory-ACCOUNT.json`) and listed here with when each was judged.
pub struct Contents<'a> {
    pub report: &'a Report,
    pub framework: &'a Source,
    pub settings: &'a Settings,
    pub waivers: Option<&'a Source>,
    pub attestations: Option<&'a Source>,
    pub selection: SelectionRecord,
    pub caller: Option<Caller>,
    pub scan_started_at: Option<DateTime<Utc>>,
    pub inventories: Vec<InventoryEntry>,
    /// A shard's part (`scan --shard K/N`).
    pub shard: Option<crate::shard::Shard>,
    /// A merge's shard bundles, already added below the bundle, by path.
    pub shards: Vec<String>,
    pub allow_partial: bool,
}

/// Where a bundle keeps an account's inventory.
pub fn inventory_path(account: &str) -> String {
    format!("inventory/inventory-{account}.json")
}

pub struct BundleWriter {
    dest: PathBuf,
    staging: StagingDir,
    files: Vec<FileEntry>,
}

/// The hidden directory a bundle is written in: removed when dropped (after the seal's
/// rename there is nothing left to remove), and by a second Ctrl-C.
struct StagingDir {
    path: PathBuf,
    _unstage: crate::interrupt::Unstage,
}

impl StagingDir {
    fn create_in(parent: &Path) -> std::io::Result<StagingDir> {
        let (_, path) = tempfile::Builder::new()
            .prefix(".tomscan-evidence-")
            .make_in(parent, |p| {
                crate::interrupt::create_staged(p, |p| std::fs::create_dir(p))
            })?
            .keep()
            .map_err(|e| e.error)?;
        Ok(StagingDir {
            _unstage: crate::interrupt::Unstage(path.clone()),
            path,
        })
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// What a sealed bundle is known by: its manifest's digest and, when signed, the key.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sealed {
    pub path: PathBuf,
    pub manifest_sha256: String,
    pub signed_by: Option<String>,
}

impl BundleWriter {
    /// Starts a bundle that will become `dest`, which must not exist.
    pub fn create(dest: &Path) -> Result<BundleWriter, EvidenceError> {
        if dest.exists() || dest.is_symlink() {
            return Err(EvidenceError::Exists(dest.to_path_buf()));
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(parent).map_err(EvidenceError::io(parent))?;
        let staging = StagingDir::create_in(parent).map_err(EvidenceError::io(parent))?;
        Ok(BundleWriter {
            dest: dest.to_path_buf(),
            staging,
            files: Vec::new(),
        })
    }

    /// Where a file of the bundle is written before sealing (for writers that stream
    /// into it, such as an organization scan's inventories); [`Self::record`] it after.
    pub fn staged(&self, rel: &str) -> PathBuf {
        self.staging.path.join(rel)
    }

    /// Adds one file.
    pub fn add(&mut self, rel: &str, bytes: &[u8]) -> Result<(), EvidenceError> {
        self.add_written(rel, |out| out.write_all(bytes))
    }

    /// Adds one file, written by `write` straight into it and digested on the way: the
    /// report of a large organization is never held whole to be bundled.
    pub fn add_written(
        &mut self,
        rel: &str,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), EvidenceError> {
        let path = self.staged(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(EvidenceError::io(dir))?;
        }
        let file = std::fs::File::create(&path).map_err(EvidenceError::io(&path))?;
        let mut out = Digesting::new(std::io::BufWriter::new(file));
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(EvidenceError::io(&path))?;
        let (file, bytes, sha256) = out.finish();
        file.get_ref()
            .sync_all()
            .map_err(EvidenceError::io(&path))?;
        self.push(rel, bytes, sha256);
        Ok(())
    }

    /// Records a file already written at [`Self::staged`]`(rel)`.
    pub fn record(&mut self, rel: &str) -> Result<(), EvidenceError> {
        let path = self.staged(rel);
        let file = std::fs::File::open(&path).map_err(EvidenceError::io(&path))?;
        let (bytes, sha256) = sha256_hex_of(file).map_err(EvidenceError::io(&path))?;
        self.push(rel, bytes, sha256);
        Ok(())
    }

    fn push(&mut self, rel: &str, bytes: u64, sha256: String) {
        self.files.retain(|f| f.path != rel);
        self.files.push(FileEntry {
            path: rel.to_string(),
            sha256,
            bytes,
        });
    }

    /// Adds the report and the inputs, writes the manifest, signs it, and moves the
    /// bundle into place.
    pub fn finish(
        mut self,
        contents: Contents<'_>,
        signer: Option<&Signer>,
    ) -> Result<Sealed, EvidenceError> {
        self.add_written("report.json", |out| {
            serde_json::to_writer_pretty(&mut *out, contents.report)
                .map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })?;
        let mut input = |rel: &str, source: &Source| -> Result<Input, EvidenceError> {
            self.add(rel, source.text.as_bytes())?;
            Ok(Input {
                path: rel.to_string(),
                read_as: source.read_as.clone(),
            })
        };
        let framework = input("inputs/framework.toml", contents.framework)?;
        let waivers = contents
            .waivers
            .map(|w| input("inputs/waivers.toml", w))
            .transpose()?;
        let attestations = contents
            .attestations
            .map(|a| input("inputs/attestations.toml", a))
            .transpose()?;
        let settings = serde_json::to_vec_pretty(contents.settings).expect("plain data");
        self.add("inputs/settings.json", &settings)?;
        let manifest = Manifest {
            bundle_format: BUNDLE_FORMAT,
            tool: ToolRecord::this(),
            catalogue: Catalogue::this(),
            created_at: Utc::now(),
            scan_started_at: contents.scan_started_at,
            caller: contents.caller,
            selection: contents.selection,
            inventories: contents.inventories,
            shard: contents.shard,
            shards: contents.shards,
            allow_partial: contents.allow_partial,
            waivers_applied_on: contents.report.scanned_at.date_naive(),
            report: "report.json".into(),
            framework,
            settings: "inputs/settings.json".into(),
            waivers,
            attestations,
            signed_by: None,
            files: Vec::new(),
        };
        self.seal(manifest, signer)
    }

    /// Writes the manifest (its `files` filled in here, `signed_by` from the signer),
    /// signs it, and moves the bundle into place.
    fn seal(
        mut self,
        mut manifest: Manifest,
        signer: Option<&Signer>,
    ) -> Result<Sealed, EvidenceError> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        manifest.files = std::mem::take(&mut self.files);
        manifest.signed_by = signer.map(Signer::fingerprint);
        let mut json = serde_json::to_vec_pretty(&manifest).expect("plain data");
        json.push(b'\n');
        let manifest_path = self.staged(MANIFEST);
        std::fs::write(&manifest_path, &json).map_err(EvidenceError::io(&manifest_path))?;
        if let Some(signer) = signer {
            let sig = signer.sign(&json).map_err(|problem| EvidenceError::Key {
                path: manifest_path.clone(),
                problem: format!("cannot sign: {problem}"),
            })?;
            let sig_path = self.staged(SIGNATURE);
            std::fs::write(&sig_path, sig).map_err(EvidenceError::io(&sig_path))?;
        }
        if self.dest.exists() || self.dest.is_symlink() {
            return Err(EvidenceError::Exists(self.dest));
        }
        if let Err(source) = std::fs::rename(&self.staging.path, &self.dest) {
            return Err(EvidenceError::Io {
                path: self.dest,
                source,
            });
        }
        Ok(Sealed {
            path: self.dest,
            manifest_sha256: sha256_hex(&json),
            signed_by: manifest.signed_by,
        })
    }
}
