//! Layer 1: every check, evaluated purely over inventory fixtures in `mocks/checks/`,
//! and the catalogue's meta-tests.
//!
//! One named test case per fixture file (`IAM-13::fail_login_profile_added_after_user`),
//! as ruff does with `test_case`, so a failure names its check and fixture; each
//! fixture's outcomes, evidence included, are an insta snapshot under
//! `tests/snapshots/checks/`, reviewed like code (`INSTA_UPDATE=always cargo test --test
//! checks`, then read the diff).
//!
//! The fixture's file name says what must come out: `pass_*` only passes (and
//! not-applicable), `fail_*` failures on exactly `expect_fail` and no error, `error_*`
//! an error naming `expect_missing_action` and no pass, `manual_*` only manual.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use serde_json::{Value, json};
use tomscan::check::{Check, Cx, Outcome, Status};
use tomscan::checks::ALL;
use tomscan::config::Settings;
use tomscan::framework::Framework;
use tomscan::inventory::{Inventory, Scope, Source};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for &check in ALL.iter() {
        for path in fixtures(check) {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            trials.push(Trial::test(format!("{}::{stem}", check.id), move || {
                fixture_case(check, &path)
            }));
        }
        trials.push(Trial::test(
            format!("{}::all_sources_denied", check.id),
            move || all_sources_denied(check),
        ));
    }
    let meta: [(&str, MetaTest); 11] = [
        (
            "meta::every_regional_source_has_one_collector_filling_its_field",
            every_regional_source_has_one_collector_filling_its_field,
        ),
        (
            "meta::every_action_named_is_in_the_iam_catalogue",
            every_action_named_is_in_the_iam_catalogue,
        ),
        (
            "meta::no_check_compares_cidrs_or_action_strings",
            no_check_compares_cidrs_or_action_strings,
        ),
        (
            "meta::every_check_has_pass_and_fail_fixtures",
            every_check_has_pass_and_fail_fixtures,
        ),
        (
            "meta::every_fixture_belongs_to_a_check",
            every_fixture_belongs_to_a_check,
        ),
        (
            "meta::every_snapshot_has_its_fixture",
            every_snapshot_has_its_fixture,
        ),
        (
            "meta::ids_are_unique_stable_and_well_formed",
            ids_are_unique_stable_and_well_formed,
        ),
        (
            "meta::metadata_is_complete_and_in_one_style",
            metadata_is_complete_and_in_one_style,
        ),
        (
            "meta::every_source_declares_a_place_in_the_inventory",
            every_source_declares_a_place_in_the_inventory,
        ),
        (
            "meta::builtin_framework_maps_every_check_and_every_measure",
            builtin_framework_maps_every_check_and_every_measure,
        ),
        (
            "meta::builtin_framework_has_the_35_measures_of_the_document",
            builtin_framework_has_the_35_measures_of_the_document,
        ),
    ];
    trials.extend(meta.into_iter().map(|(name, f)| Trial::test(name, f)));
    libtest_mimic::run(&args, trials).exit();
}

type MetaTest = fn() -> Result<(), Failed>;

/// A fixture: an inventory, the instant it is judged at, and what must come out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    description: String,
    #[serde(default = "default_now")]
    now: DateTime<Utc>,
    #[serde(default)]
    settings: Settings,
    /// Resources that must fail (fail fixtures): exactly these, no more.
    #[serde(default)]
    expect_fail: Option<BTreeSet<String>>,
    /// The IAM action that `error` findings must name (error fixtures).
    #[serde(default)]
    expect_missing_action: Option<String>,
    inventory: Inventory,
}

fn default_now() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dir(check: &Check) -> PathBuf {
    manifest_dir()
        .join("mocks/checks")
        .join(check.service())
        .join(check.slug)
}

fn snapshot_dir() -> PathBuf {
    manifest_dir().join("tests/snapshots/checks")
}

/// The snapshot of one fixture: `iam__initial-passwords-changed__fail_x`.
fn snapshot_name(check: &Check, stem: &str) -> String {
    format!("{}__{}__{stem}", check.service(), check.slug)
}

const KINDS: [&str; 4] = ["pass_", "fail_", "error_", "manual_"];

fn fixtures(check: &Check) -> Vec<PathBuf> {
    json_files(&fixture_dir(check))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut list: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    list.sort();
    list
}

fn run(check: &Check, inventory: &Inventory, fixture: &Fixture) -> Vec<Outcome> {
    let mut cx = Cx::new(inventory, &fixture.settings, fixture.now);
    (check.run)(&mut cx);
    cx.into_outcomes()
}

fn describe(outcomes: &[Outcome]) -> String {
    outcomes
        .iter()
        .map(|o| {
            format!(
                "  {:?} {} {}: {}",
                o.status, o.region, o.resource, o.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

fn fixture_case(check: &'static Check, path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path)?;
    let fixture: Fixture =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let outcomes = run(check, &fixture.inventory, &fixture);
    let said = describe(&outcomes);
    let kind = KINDS
        .iter()
        .find(|k| stem.starts_with(**k))
        .ok_or_else(|| format!("{stem}: a fixture's name starts with one of {KINDS:?}"))?;
    match *kind {
        "pass_" => ensure!(
            outcomes.iter().any(|o| o.status == Status::Pass)
                && outcomes
                    .iter()
                    .all(|o| matches!(o.status, Status::Pass | Status::NotApplicable)),
            "expected only passes, got\n{said}"
        ),
        "fail_" => {
            let failed: BTreeSet<String> = outcomes
                .iter()
                .filter(|o| o.status == Status::Fail)
                .map(|o| o.resource.clone())
                .collect();
            ensure!(!failed.is_empty(), "expected a failure, got\n{said}");
            ensure!(
                outcomes.iter().all(|o| o.status != Status::Error),
                "unexpected error\n{said}"
            );
            if let Some(expected) = &fixture.expect_fail {
                ensure!(
                    &failed == expected,
                    "failing resources: expected {expected:?}, got {failed:?}\n{said}"
                );
            }
        }
        "error_" => {
            ensure!(
                outcomes.iter().any(|o| o.status == Status::Error),
                "expected an error, got\n{said}"
            );
            ensure!(
                outcomes.iter().all(|o| o.status != Status::Pass),
                "a check that could not read its facts passed\n{said}"
            );
            if let Some(action) = &fixture.expect_missing_action {
                ensure!(
                    outcomes
                        .iter()
                        .any(|o| o.status == Status::Error && o.message.contains(action)),
                    "no error names {action}\n{said}"
                );
            }
        }
        _ => ensure!(
            !outcomes.is_empty() && outcomes.iter().all(|o| o.status == Status::Manual),
            "expected only manual, got\n{said}"
        ),
    }

    // The check reads only the sources it declares: with every other source denied,
    // it says exactly the same. A check reading an undeclared source would be collected
    // without it (a scan of only that check) and its IAM action left out of the policy.
    let narrowed = deny_undeclared(check, &fixture.inventory);
    let again = run(check, &narrowed, &fixture);
    ensure!(
        again == outcomes,
        "{} reads a source it does not declare: with undeclared sources denied it said\n{}\ninstead of\n{said}",
        check.id,
        describe(&again)
    );

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(fixture.description.clone());
    settings.set_input_file(path);
    settings.bind(|| {
        insta::assert_json_snapshot!(snapshot_name(check, &stem), outcomes);
    });
    Ok(())
}

fn denied(action: &str) -> Value {
    json!({ "unavailable": { "action": action, "code": "AccessDenied", "message": "denied" } })
}

/// `inventory` with every source `check` does not declare (nor need first) made
/// unavailable, wherever that source's facts live.
fn deny_undeclared(check: &Check, inventory: &Inventory) -> Inventory {
    let declared = tomscan::collect::expand(check.sources.iter().copied());
    let mut v = serde_json::to_value(inventory).unwrap();
    let deny = denied("test:Undeclared");
    for source in Source::ALL.iter().filter(|s| !declared.contains(s)) {
        match source.scope() {
            Scope::Account(path) => {
                let node = path.split('.').fold(&mut v, |node, part| &mut node[part]);
                *node = deny.clone();
            }
            Scope::Regional(field) => {
                for facts in v["regional"].as_object_mut().into_iter().flatten() {
                    facts.1[field] = deny.clone();
                }
            }
            Scope::Bucket(field) => {
                let buckets = v
                    .pointer_mut("/s3/buckets/ok")
                    .and_then(Value::as_array_mut);
                for bucket in buckets.into_iter().flatten() {
                    bucket[field] = deny.clone();
                }
            }
        }
    }
    serde_json::from_value(v).expect("a narrowed inventory is still an inventory")
}

/// With every source denied, a check reports `error` (never `pass`, never "nothing to
/// check") and names the action.
fn all_sources_denied(check: &'static Check) -> Result<(), Failed> {
    // Every `not_collected` of an empty two-region inventory becomes `unavailable`.
    let mut inv = serde_json::to_value(Inventory {
        account_id: "123456789012".into(),
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        regional: ["eu-west-1", "us-east-1"]
            .map(|r| (r.to_string(), Default::default()))
            .into(),
        ..Default::default()
    })
    .unwrap();
    fn deny_all(v: &mut Value) {
        match v {
            Value::String(s) if s == "not_collected" => *v = denied("test:DeniedAction"),
            Value::Object(map) => map.values_mut().for_each(deny_all),
            Value::Array(list) => list.iter_mut().for_each(deny_all),
            _ => {}
        }
    }
    deny_all(&mut inv);
    let inv: Inventory = serde_json::from_value(inv).unwrap();
    let settings = Settings::default();
    let mut cx = Cx::new(&inv, &settings, default_now());
    (check.run)(&mut cx);
    let outcomes = cx.into_outcomes();
    ensure!(
        !outcomes.is_empty() && outcomes.iter().all(|o| o.status == Status::Error),
        "with every source denied it said\n{}",
        describe(&outcomes)
    );
    ensure!(
        outcomes
            .iter()
            .all(|o| o.message.contains("test:DeniedAction")),
        "its errors must name the denied action\n{}",
        describe(&outcomes)
    );
    Ok(())
}

// ------------------------------------------------------------------ meta-tests

fn every_check_has_pass_and_fail_fixtures() -> Result<(), Failed> {
    for check in ALL.iter() {
        for kind in ["pass_", "fail_"] {
            ensure!(
                fixtures(check).iter().any(|p| p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(kind)),
                "{}: no {kind}*.json in {}",
                check.id,
                fixture_dir(check).display()
            );
        }
    }
    Ok(())
}

/// A fixture directory no check owns, or a file no prefix classifies, would never run.
fn every_fixture_belongs_to_a_check() -> Result<(), Failed> {
    let owned: HashSet<PathBuf> = ALL.iter().map(|c| fixture_dir(c)).collect();
    let root = manifest_dir().join("mocks/checks");
    for service in std::fs::read_dir(&root)? {
        for dir in std::fs::read_dir(service?.path())? {
            let dir = dir?.path();
            ensure!(
                owned.contains(&dir),
                "{} belongs to no check (a renamed slug?)",
                dir.display()
            );
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                ensure!(
                    name.ends_with(".json") && KINDS.iter().any(|k| name.starts_with(k)),
                    "{}: a fixture is `<{}>*.json`",
                    path.display(),
                    KINDS.join("|")
                );
            }
        }
    }
    Ok(())
}

fn every_snapshot_has_its_fixture() -> Result<(), Failed> {
    let expected: HashSet<String> = ALL
        .iter()
        .flat_map(|c| {
            fixtures(c).into_iter().map(|p| {
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                format!("{}.snap", snapshot_name(c, &stem))
            })
        })
        .collect();
    let Ok(entries) = std::fs::read_dir(snapshot_dir()) else {
        return Ok(());
    };
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        ensure!(
            !name.ends_with(".snap") || expected.contains(&name),
            "tests/snapshots/checks/{name} has no fixture any more: delete it"
        );
    }
    Ok(())
}

fn ids_are_unique_stable_and_well_formed() -> Result<(), Failed> {
    let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    ensure!(unique.len() == ids.len(), "duplicate check ids");
    for c in ALL.iter() {
        let (prefix, n) = c.id.split_once('-').ok_or(format!("{}: ID-NN", c.id))?;
        ensure!(
            prefix
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()),
            "{}",
            c.id
        );
        ensure!(
            n.len() == 2 && n.parse::<u32>().is_ok(),
            "{}: two-digit number",
            c.id
        );
        ensure!(
            c.slug.replace('-', "_") == c.file_stem(),
            "{}: slug must match its file name",
            c.id
        );
        // One prefix per service directory, so ids say where the check lives.
        for other in ALL.iter().filter(|o| o.service() == c.service()) {
            ensure!(
                other.id.split('-').next() == Some(prefix),
                "{} and {} share checks/{}",
                c.id,
                other.id,
                c.service()
            );
        }
    }
    // The first checks keep their ids forever: reports and waivers refer to them.
    for (id, slug) in [
        ("IAM-03", "root-mfa-enabled"),
        ("CT-01", "multi-region-trail-logging"),
        ("S3-01", "bucket-default-encryption"),
        ("EC2-01", "instances-multi-az"),
    ] {
        ensure!(
            tomscan::checks::find(id).map(|c| c.slug) == Some(slug),
            "{id} must stay {slug}"
        );
    }
    Ok(())
}

fn metadata_is_complete_and_in_one_style() -> Result<(), Failed> {
    for c in ALL.iter() {
        ensure!(!c.sources.is_empty(), "{}: no sources", c.id);
        ensure!(
            c.title.chars().next().unwrap().is_uppercase(),
            "{}: title starts upper-case",
            c.id
        );
        ensure!(
            !c.title.ends_with('.'),
            "{}: title is a statement without a full stop",
            c.id
        );
        ensure!(c.rationale.len() > 40, "{}: rationale too short", c.id);
        ensure!(c.remediation.len() > 20, "{}: remediation too short", c.id);
        ensure!(!c.references.is_empty(), "{}: no references", c.id);
    }
    Ok(())
}

/// Each source's declared place exists in the inventory model, so denying it (above)
/// and collecting it land on the same field.
fn every_source_declares_a_place_in_the_inventory() -> Result<(), Failed> {
    let account = serde_json::to_value(Inventory::default())?;
    let regional = serde_json::to_value(tomscan::inventory::Regional::default())?;
    let bucket = serde_json::to_value(tomscan::inventory::Bucket::default())?;
    for source in Source::ALL {
        let found = match source.scope() {
            Scope::Account(path) => path
                .split('.')
                .try_fold(&account, |node, part| node.get(part))
                .is_some(),
            Scope::Regional(field) => regional.get(field).is_some(),
            Scope::Bucket(field) => bucket.get(field).is_some(),
        };
        ensure!(
            found,
            "{source:?} declares {:?}, which the inventory model does not have",
            source.scope()
        );
        ensure!(
            !source.actions().is_empty(),
            "{source:?} declares no action"
        );
    }
    Ok(())
}

fn every_regional_source_has_one_collector_filling_its_field() -> Result<(), Failed> {
    let collectors: Vec<_> = tomscan::collect::regional_collectors().collect();
    for source in Source::ALL {
        let mine: Vec<_> = collectors.iter().filter(|c| c.source == *source).collect();
        match source.scope() {
            Scope::Regional(field) => {
                ensure!(
                    mine.len() == 1,
                    "{source:?} is regional and has {} collectors (one `regional!` entry expected)",
                    mine.len()
                );
                ensure!(
                    mine[0].field == field,
                    "{source:?}'s collector fills Regional::{}, its spec names Regional::{field}",
                    mine[0].field
                );
            }
            _ => ensure!(
                mine.is_empty(),
                "{source:?} is not regional but has a regional collector"
            ),
        }
    }
    Ok(())
}

/// Every IAM action tomscan declares (sources, the scan's own calls, organization
/// scans) or names in a check or collector exists in the vendored catalogue: a typo
/// would otherwise reach the least-privilege policy and every error message.
fn every_action_named_is_in_the_iam_catalogue() -> Result<(), Failed> {
    use tomscan::engine::perms::CATALOGUE;
    let mut named: BTreeSet<String> = Source::ALL
        .iter()
        .flat_map(|s| s.actions().iter().map(|a| a.to_string()))
        .chain(
            tomscan::inventory::source::SCAN_ACTIONS
                .iter()
                .map(|a| a.to_string()),
        )
        .chain(
            tomscan::catalogue::ORG_ACTIONS
                .iter()
                .map(|a| a.to_string()),
        )
        .collect();
    for dir in ["checks", "src/collect"] {
        for file in rust_files(&manifest_dir().join(dir)) {
            let text = std::fs::read_to_string(&file)?;
            named.extend(action_literals(&text));
        }
    }
    ensure!(named.len() > 60, "found only {} actions", named.len());
    let unknown: Vec<&String> = named
        .iter()
        .filter(|a| CATALOGUE.find(a).is_none())
        .collect();
    ensure!(
        unknown.is_empty(),
        "actions the IAM catalogue (data/iam-actions.txt) does not know: {unknown:?}"
    );
    Ok(())
}

/// `"service:Action"` string literals in Rust source.
fn action_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split('"').skip(1).step_by(2) {
        let Some((service, name)) = piece.split_once(':') else {
            continue;
        };
        let service_ok = !service.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let name_ok = name.len() > 2
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if service_ok && name_ok {
            out.push(piece.to_string());
        }
    }
    out
}

/// The engines answer "is this the internet" and "what does this policy allow"; a
/// check that matched CIDRs or action patterns itself would be a second, weaker answer.
fn no_check_compares_cidrs_or_action_strings() -> Result<(), Failed> {
    // `Patterns::includes` is the policy parser's string matcher; `is_world` was the
    // CIDR spelling test the network engine replaced.
    let forbidden_calls = [".includes(", "is_world("];
    for file in rust_files(&manifest_dir().join("checks")) {
        let text = std::fs::read_to_string(&file)?;
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//")
                || code.starts_with("rationale:")
                || code.starts_with("remediation:")
                || code.starts_with('"')
            {
                continue;
            }
            for call in forbidden_calls {
                ensure!(
                    !code.contains(call),
                    "{}:{}: {call} matches policies or CIDRs by hand; ask crate::engine",
                    file.display(),
                    n + 1
                );
            }
            for piece in code.split('"').skip(1).step_by(2) {
                let cidr = piece.contains('/')
                    && piece
                        .split('/')
                        .next()
                        .is_some_and(|a| a.parse::<std::net::IpAddr>().is_ok());
                ensure!(
                    !cidr,
                    "{}:{}: the CIDR {piece:?} in code; ask crate::engine::net",
                    file.display(),
                    n + 1
                );
                let compared = action_literals(&format!("\"{piece}\""));
                ensure!(
                    compared.is_empty()
                        || !(code.contains("==")
                            || code.contains("eq_ignore_ascii_case")
                            || code.contains("starts_with")),
                    "{}:{}: compares the action {piece:?}; ask crate::engine::perms",
                    file.display(),
                    n + 1
                );
            }
        }
    }
    Ok(())
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn builtin_framework_maps_every_check_and_every_measure() -> Result<(), Failed> {
    let fw = Framework::builtin();
    let mapped = fw.controls_by_check();
    for c in ALL.iter() {
        ensure!(
            mapped.contains_key(c.id),
            "{} is mapped to no TOM measure",
            c.id
        );
    }
    for (_, control) in fw.controls() {
        ensure!(
            !control.checks.is_empty() || control.organisational,
            "measure {} has no check and is not declared organisational",
            control.id
        );
    }
    Ok(())
}

fn builtin_framework_has_the_35_measures_of_the_document() -> Result<(), Failed> {
    let fw = Framework::builtin();
    let measures: Vec<String> = fw
        .sections
        .iter()
        .flat_map(|s| {
            if s.measures.is_empty() {
                vec![s.id.clone()]
            } else {
                s.measures.iter().map(|m| m.id.clone()).collect()
            }
        })
        .collect();
    ensure!(measures.len() == 35, "{measures:?}");
    ensure!(fw.sections.len() == 11, "11 sections");
    Ok(())
}
