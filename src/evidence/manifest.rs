//! `manifest.json`: what the bundle holds, each file with its SHA-256 and size, and what
//! judging its inventories again needs. It is the one file that is signed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Bumped when a bundle's layout changes in a way an older `tomscan verify` would read
/// wrongly; a newer bundle is refused rather than half-checked.
pub const BUNDLE_FORMAT: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
/// The SSH signature of `manifest.json` (namespace `tomscan`).
pub const SIGNATURE: &str = "manifest.json.sig";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub bundle_format: u32,
    pub tool: ToolRecord,
    pub catalogue: Catalogue,
    /// When the bundle was sealed.
    pub created_at: DateTime<Utc>,
    /// When the scan began (absent for `tomscan evaluate`, which scans nothing).
    pub scan_started_at: Option<DateTime<Utc>>,
    /// Who scanned: the account and ARN the credentials belonged to. Never credentials.
    pub caller: Option<Caller>,
    /// The checks and sections asked for, as given (empty: all).
    pub selection: SelectionRecord,
    /// The bundled inventories, and the instant each was judged at.
    pub inventories: Vec<InventoryEntry>,
    /// The part of the work a shard's bundle covers (`scan --shard K/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::Shard>,
    /// A merged bundle: the shards' own bundles, each whole below it, by path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<String>,
    /// A merged bundle made from fewer than all N shards (`merge --allow-partial`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_partial: bool,
    /// The day waivers were weighed on (a waiver expires by the day).
    pub waivers_applied_on: NaiveDate,
    /// The bundled report and inputs, by their path in the bundle.
    pub report: String,
    pub framework: Input,
    pub settings: String,
    pub waivers: Option<Input>,
    pub attestations: Option<Input>,
    /// The fingerprint (`SHA256:...`) of the key that signs this manifest; `None`: the
    /// bundle is unsigned, and says so.
    pub signed_by: Option<String>,
    /// Every file of the bundle but the manifest and its signature, by path.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// A bundle's manifest, as `tomscan verify` reads it.
    pub fn read(bundle: &std::path::Path) -> Result<Manifest, super::EvidenceError> {
        let path = bundle.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(super::EvidenceError::io(&path))?;
        super::verify::read_manifest(&bytes)
    }

    /// A bundled input, under the name it was first read as.
    pub fn source(
        &self,
        bundle: &std::path::Path,
        input: &Input,
    ) -> Result<super::Source, super::EvidenceError> {
        let path = bundle.join(&input.path);
        Ok(super::Source {
            text: std::fs::read_to_string(&path).map_err(super::EvidenceError::io(&path))?,
            read_as: input.read_as.clone(),
        })
    }

    /// The bundled framework, parsed as the scan parsed it.
    pub fn framework(
        &self,
        bundle: &std::path::Path,
    ) -> Result<crate::framework::Framework, super::EvidenceError> {
        let source = self.source(bundle, &self.framework)?;
        crate::framework::Framework::parse(
            &source.text,
            &source.read_as,
            &crate::framework::known_check_ids(),
        )
        .map_err(|e| super::EvidenceError::mismatch(&self.framework.path, e.to_string()))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolRecord {
    pub name: String,
    pub version: String,
    /// The git commit tomscan was built from, when the build knew it.
    pub commit: Option<String>,
}

impl ToolRecord {
    pub fn this() -> ToolRecord {
        ToolRecord {
            name: "tomscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            commit: option_env!("TOMSCAN_GIT_COMMIT").map(str::to_string),
        }
    }
}

/// Which check catalogue judged: how many checks, and the SHA-256 of its metadata (the
/// output of `tomscan checks --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub checks: usize,
    pub sha256: String,
}

impl Catalogue {
    pub fn this() -> Catalogue {
        let json = crate::catalogue::render(crate::catalogue::CatalogueFormat::Json);
        Catalogue {
            checks: crate::checks::ALL.len(),
            sha256: super::sha256_hex(json.as_bytes()),
        }
    }
}

/// An input file as read: where the bundle holds it, and the name it was read under
/// (which findings quote, as a waiver's `source`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub path: String,
    pub read_as: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    pub account: String,
    pub arn: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectionRecord {
    pub checks: Vec<String>,
    pub sections: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryEntry {
    pub path: String,
    pub account: String,
    /// Ages (unused keys, old passwords) are judged as of this instant.
    pub judged_at: DateTime<Utc>,
    /// The checks judged over it, when a shard judged a part of the selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<String>>,
    /// Whether its organisational measures were judged (a shard leaves them to one).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub organisational: bool,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Relative to the bundle, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}
