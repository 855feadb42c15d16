//! `tomscan verify`: everything an auditor needs to rely on a bundle, each step named
//! in what it prints, and the first failure naming the file.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::sign;
use super::{
    BUNDLE_FORMAT, Catalogue, EvidenceError, MANIFEST, Manifest, SIGNATURE, sha256_hex,
    sha256_hex_of,
};
use crate::attest::Attestations;
use crate::check::Status;
use crate::config::Settings;
use crate::evaluate::{Rules, Selection};
use crate::inventory::Inventory;
use crate::report::{Finding, Report};
use crate::waiver::Waivers;

/// What was checked, one line each, for the person running `tomscan verify`.
#[derive(Debug, Clone)]
pub struct Verified {
    pub manifest_sha256: String,
    /// The signer's fingerprint when the signature was checked against a key.
    pub signed_by: Option<String>,
    pub checked: Vec<String>,
}

/// Checks a bundle: the manifest's format, every file's digest and size, no file
/// missing or added, the signature (against `key` when given), and that judging the
/// bundled inventories again with the bundled inputs gives the bundled report's
/// findings.
pub fn verify(bundle: &Path, key: Option<&Path>) -> Result<Verified, EvidenceError> {
    let mut checked = Vec::new();
    let manifest_path = bundle.join(MANIFEST);
    let manifest_bytes = std::fs::read(&manifest_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => EvidenceError::mismatch(
            MANIFEST,
            format!(
                "missing: {} is no tomscan evidence bundle",
                bundle.display()
            ),
        ),
        _ => EvidenceError::io(&manifest_path)(e),
    })?;
    let manifest = read_manifest(&manifest_bytes)?;
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    checked.push(format!(
        "manifest.json: bundle format {}, made by {} {} on {}, sha256 {manifest_sha256}",
        manifest.bundle_format,
        manifest.tool.name,
        manifest.tool.version,
        manifest.created_at.to_rfc3339()
    ));

    // The files: exactly those listed, each as listed.
    let present = files_of(bundle)?;
    let mut listed: BTreeSet<String> = BTreeSet::new();
    for entry in &manifest.files {
        if !safe_relative(&entry.path) {
            return Err(EvidenceError::mismatch(
                &entry.path,
                "names a path outside the bundle",
            ));
        }
        listed.insert(entry.path.clone());
    }
    if let Some(extra) = present
        .iter()
        .find(|p| !listed.contains(*p) && *p != MANIFEST && *p != SIGNATURE)
    {
        return Err(EvidenceError::mismatch(
            extra,
            "is not in the manifest: it was added after the bundle was sealed",
        ));
    }
    for entry in &manifest.files {
        let path = bundle.join(&entry.path);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EvidenceError::mismatch(
                    &entry.path,
                    "is listed in the manifest but missing from the bundle",
                ));
            }
            Err(e) => return Err(EvidenceError::io(path)(e)),
        };
        let (bytes, digest) = sha256_hex_of(file).map_err(EvidenceError::io(&path))?;
        if bytes != entry.bytes || digest != entry.sha256 {
            return Err(EvidenceError::mismatch(
                &entry.path,
                format!(
                    "changed after the bundle was sealed: {bytes} bytes with sha256 {digest}, the manifest says {} bytes with sha256 {}",
                    entry.bytes, entry.sha256
                ),
            ));
        }
    }
    checked.push(format!(
        "{} files: every SHA-256 and size as the manifest lists, none missing, none added",
        manifest.files.len()
    ));

    // The signature.
    let signature = match std::fs::read_to_string(bundle.join(SIGNATURE)) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(EvidenceError::io(bundle.join(SIGNATURE))(e)),
    };
    let signed_by = match (key, &signature) {
        (Some(key_path), Some(sig)) => {
            let key = sign::load_public_key(key_path)?;
            let fingerprint = sign::fingerprint(&key);
            sign::verify(&key, &manifest_bytes, sig)
                .map_err(|problem| EvidenceError::mismatch(SIGNATURE, problem))?;
            if manifest.signed_by.as_deref() != Some(fingerprint.as_str()) {
                return Err(EvidenceError::mismatch(
                    MANIFEST,
                    format!(
                        "names signer {:?}, but the signature is by {fingerprint}",
                        manifest.signed_by
                    ),
                ));
            }
            checked.push(format!(
                "manifest.json.sig: a valid SSH signature (namespace {}) by {fingerprint}",
                sign::NAMESPACE
            ));
            Some(fingerprint)
        }
        (Some(_), None) => {
            return Err(EvidenceError::mismatch(
                SIGNATURE,
                "missing: the bundle is unsigned, but a key was given to check it against",
            ));
        }
        (None, Some(_)) => {
            checked.push(format!(
                "manifest.json.sig: present (the manifest names {}), not checked: give --key PUBLIC_KEY",
                manifest.signed_by.as_deref().unwrap_or("no signer")
            ));
            None
        }
        (None, None) => {
            if manifest.signed_by.is_some() {
                return Err(EvidenceError::mismatch(
                    SIGNATURE,
                    "missing, but the manifest says the bundle was signed",
                ));
            }
            checked.push("unsigned bundle: its digests prove it whole, not who made it".into());
            None
        }
    };

    // The verdicts follow from the evidence.
    if manifest.shards.is_empty() {
        checked.push(rejudge(bundle, &manifest)?);
    } else {
        checked.extend(remerge(bundle, &manifest, key)?);
    }
    Ok(Verified {
        manifest_sha256,
        signed_by,
        checked,
    })
}

pub(super) fn read_manifest(bytes: &[u8]) -> Result<Manifest, EvidenceError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| EvidenceError::mismatch(MANIFEST, format!("not JSON: {e}")))?;
    let format = value
        .get("bundle_format")
        .and_then(Value::as_u64)
        .ok_or_else(|| EvidenceError::mismatch(MANIFEST, "has no bundle_format"))?;
    if format > u64::from(BUNDLE_FORMAT) {
        return Err(EvidenceError::mismatch(
            MANIFEST,
            format!(
                "bundle format {format} is newer than this tomscan reads ({BUNDLE_FORMAT}): verify with a newer tomscan"
            ),
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| EvidenceError::mismatch(MANIFEST, format!("not a manifest: {e}")))
}

/// Every regular file below `dir`, relative and `/`-separated. A symlink is refused: it
/// would let a digest vouch for whatever it points at.
fn files_of(dir: &Path) -> Result<BTreeSet<String>, EvidenceError> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        for entry in std::fs::read_dir(&here).map_err(EvidenceError::io(&here))? {
            let entry = entry.map_err(EvidenceError::io(&here))?;
            let rel = rel.join(entry.file_name());
            let name = rel.to_string_lossy().replace('\\', "/");
            let kind = entry.file_type().map_err(EvidenceError::io(entry.path()))?;
            if kind.is_symlink() {
                return Err(EvidenceError::mismatch(
                    name,
                    "is a symbolic link, which a bundle never holds",
                ));
            } else if kind.is_dir() {
                stack.push(rel);
            } else {
                out.insert(name);
            }
        }
    }
    Ok(out)
}

fn safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

fn text(bundle: &Path, rel: &str) -> Result<String, EvidenceError> {
    std::fs::read_to_string(bundle.join(rel)).map_err(EvidenceError::io(bundle.join(rel)))
}

/// A bundled report, streamed from its file: its findings go to their (spilling) store,
/// so a report of a million findings is verified in the memory it was written in.
fn bundled_report(bundle: &Path, rel: &str) -> Result<Report, EvidenceError> {
    let path = bundle.join(rel);
    let file = std::fs::File::open(&path).map_err(EvidenceError::io(&path))?;
    Report::read(file).map_err(|e| EvidenceError::mismatch(rel, e.to_string()))
}

/// A merged bundle: each shard's bundle verified whole (digests, signature, its own
/// verdicts judged again), then the shards' reports merged again, which must give the
/// merged report's findings.
fn remerge(bundle: &Path, m: &Manifest, key: Option<&Path>) -> Result<Vec<String>, EvidenceError> {
    same_catalogue(m)?;
    let framework = m.framework(bundle)?;
    let mut lines = Vec::new();
    let mut reports = Vec::new();
    for shard in &m.shards {
        if !safe_relative(shard) {
            return Err(EvidenceError::mismatch(
                shard,
                "names a path outside the bundle",
            ));
        }
        let nested = verify(&bundle.join(shard), key).map_err(|e| match e {
            EvidenceError::Mismatch { file, problem } => {
                EvidenceError::mismatch(format!("{shard}/{file}"), problem)
            }
            other => other,
        })?;
        lines.push(format!(
            "{shard}: a shard's bundle, verified whole ({})",
            nested.checked.last().cloned().unwrap_or_default()
        ));
        let nested_manifest = Manifest::read(&bundle.join(shard))?;
        let rel = format!("{shard}/{}", nested_manifest.report);
        let report = bundled_report(bundle, &rel)?;
        reports.push((rel, report));
    }
    let merged = crate::merge::merge(reports, &framework, m.allow_partial)
        .map_err(|e| EvidenceError::mismatch(&m.report, format!("the shards do not merge: {e}")))?;
    let report = bundled_report(bundle, &m.report)?;
    compare(
        &m.report,
        &|each| {
            report.findings.iter().for_each(|f| each(&f));
            Ok(())
        },
        &|each| {
            merged.report.findings.iter().for_each(|f| each(&f));
            Ok(())
        },
        "merging the bundled shards' reports again gives",
    )?;
    lines.push(format!(
        "report.json: its {} finding(s) are exactly what merging the {} verified shard(s) again gives",
        report.findings.len(),
        m.shards.len()
    ));
    Ok(lines)
}

fn same_catalogue(m: &Manifest) -> Result<(), EvidenceError> {
    let here = Catalogue::this();
    if m.catalogue != here {
        return Err(EvidenceError::mismatch(
            MANIFEST,
            format!(
                "was judged by tomscan {} with a check catalogue of {} checks (sha256 {}); this tomscan {} has {} checks (sha256 {}): judge again with the same tomscan version",
                m.tool.version,
                m.catalogue.checks,
                m.catalogue.sha256,
                env!("CARGO_PKG_VERSION"),
                here.checks,
                here.sha256
            ),
        ));
    }
    Ok(())
}

/// Judges the bundled inventories again with the bundled inputs, as the scan did, and
/// compares the findings with the bundled report's.
fn rejudge(bundle: &Path, m: &Manifest) -> Result<String, EvidenceError> {
    same_catalogue(m)?;
    let framework = m.framework(bundle)?;
    let settings: Settings = serde_json::from_str(&text(bundle, &m.settings)?)
        .map_err(|e| EvidenceError::mismatch(&m.settings, e.to_string()))?;
    let waivers = match &m.waivers {
        Some(w) => {
            let s = m.source(bundle, w)?;
            Waivers::parse(&s.text, &s.read_as, m.waivers_applied_on)
                .map_err(|e| EvidenceError::mismatch(&w.path, e.to_string()))?
        }
        None => Waivers::default(),
    };
    let attestations = match &m.attestations {
        Some(a) => {
            let s = m.source(bundle, a)?;
            Attestations::parse(&s.text, &s.read_as, &framework)
                .map_err(|e| EvidenceError::mismatch(&a.path, e.to_string()))?
        }
        None => Attestations::default(),
    };
    let selection = Selection {
        checks: m.selection.checks.clone(),
        sections: m.selection.sections.clone(),
    };
    let checks = selection
        .checks(&framework)
        .map_err(|e| EvidenceError::mismatch(MANIFEST, e.to_string()))?;
    let rules = Rules {
        framework: &framework,
        selection: &selection,
        settings: &settings,
        attestations: &attestations,
    };
    // Judged again one inventory at a time and never all held: gone through once to
    // compare, and once more only to name a difference.
    let judge_again = |each: &mut dyn FnMut(&Finding)| -> Result<(), EvidenceError> {
        let mut applying = waivers.applying(m.waivers_applied_on);
        for entry in &m.inventories {
            let inventory = Inventory::from_json(&text(bundle, &entry.path)?)
                .map_err(|e| EvidenceError::mismatch(&entry.path, e.to_string()))?;
            if inventory.account_id != entry.account {
                return Err(EvidenceError::mismatch(
                    &entry.path,
                    format!(
                        "is account {}'s inventory, the manifest says {}",
                        inventory.account_id, entry.account
                    ),
                ));
            }
            // A shard judged the part of the selection the manifest names.
            let part: Vec<&crate::check::Check> = match &entry.checks {
                None => checks.clone(),
                Some(ids) => ids
                    .iter()
                    .map(|id| {
                        crate::checks::find(id).ok_or_else(|| {
                            EvidenceError::mismatch(
                                MANIFEST,
                                format!("names an unknown check {id:?}"),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            };
            for mut f in rules.judge(&inventory, &part, entry.organisational, entry.judged_at) {
                applying.apply(&mut f);
                each(&f);
            }
        }
        Ok(())
    };
    let judged_accounts: BTreeSet<&str> =
        m.inventories.iter().map(|e| e.account.as_str()).collect();

    let report = bundled_report(bundle, &m.report)?;
    // An account the scan could not read has no inventory: its findings can only say
    // so (`error`), never judge anything.
    let mut unread = 0;
    for f in report.findings.iter() {
        if judged_accounts.contains(f.account.as_str()) {
            continue;
        }
        if f.status != Status::Error {
            return Err(EvidenceError::mismatch(
                &m.report,
                format!(
                    "{} {} in account {} is {}, but the bundle holds no inventory of that account to judge it from",
                    f.check_id,
                    f.resource,
                    f.account,
                    f.status.as_str()
                ),
            ));
        }
        unread += 1;
    }
    compare(
        &m.report,
        &|each| {
            report
                .findings
                .iter()
                .filter(|f| judged_accounts.contains(f.account.as_str()))
                .for_each(|f| each(&f));
            Ok(())
        },
        &judge_again,
        "judging the bundled inventories again gives",
    )?;
    Ok(format!(
        "report.json: its {} finding(s) are exactly what judging the {} bundled inventor{} again gives ({} of an account that could not be read, all error)",
        report.findings.len(),
        m.inventories.len(),
        if m.inventories.len() == 1 { "y" } else { "ies" },
        unread
    ))
}

/// The findings of one side of a comparison, handed over one at a time.
type Side<'a> = &'a dyn Fn(&mut dyn FnMut(&Finding)) -> Result<(), EvidenceError>;

/// The same findings on both sides, as multisets of their whole JSON (evidence
/// included), counted by digest so that neither side is held; otherwise a mismatch of
/// `file` with the first difference each way (each side gone through again to find it).
fn compare(
    file: &str,
    in_report: Side<'_>,
    from_evidence: Side<'_>,
    how: &str,
) -> Result<(), EvidenceError> {
    let digest = |f: &Finding| -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut out = [0; 32];
        out.copy_from_slice(&Sha256::digest(serde_json::to_vec(f).expect("plain data")));
        out
    };
    // The report's count of each finding less the evidence's.
    let mut balance: HashMap<[u8; 32], i64> = HashMap::new();
    in_report(&mut |f| *balance.entry(digest(f)).or_default() += 1)?;
    from_evidence(&mut |f| *balance.entry(digest(f)).or_default() -= 1)?;
    balance.retain(|_, n| *n != 0);
    if balance.is_empty() {
        return Ok(());
    }
    let only_report: i64 = balance.values().filter(|n| **n > 0).sum();
    let only_evidence: i64 = -balance.values().filter(|n| **n < 0).sum::<i64>();
    let first = |side: Side<'_>, sign: i64| -> Result<String, EvidenceError> {
        let mut found = None;
        side(&mut |f| {
            if found.is_none() && balance.get(&digest(f)).is_some_and(|n| n.signum() == sign) {
                found = Some(format!(
                    "{} {} {} ({})",
                    f.check_id,
                    f.resource,
                    f.status.as_str(),
                    f.message
                ));
            }
        })?;
        Ok(found.unwrap_or_else(|| "nothing".into()))
    };
    Err(EvidenceError::mismatch(
        file,
        format!(
            "its findings do not follow from the evidence: {only_report} finding(s) of the report are not what {how}, and {only_evidence} of that are not in the report; e.g. the report has {}, the evidence gives {}",
            first(in_report, 1)?,
            first(from_evidence, -1)?
        ),
    ))
}
