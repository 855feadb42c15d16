//! Layer 1: every check, evaluated purely over inventory fixtures in `mocks/checks/`,
//! and the catalogue's meta-tests.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tomscan::check::{Check, Cx, Outcome, Status};
use tomscan::checks::ALL;
use tomscan::config::Settings;
use tomscan::framework::Framework;
use tomscan::inventory::Inventory;

/// A fixture: an inventory, the instant it is judged at, and what must come out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    #[allow(dead_code)]
    description: String,
    #[serde(default = "default_now")]
    now: DateTime<Utc>,
    #[serde(default)]
    settings: Settings,
    /// Resources that must fail (fail fixtures) — exactly these, no more.
    #[serde(default)]
    expect_fail: Option<BTreeSet<String>>,
    /// IAM actions that must be named by `error` findings (error fixtures).
    #[serde(default)]
    expect_missing_action: Option<String>,
    inventory: Inventory,
}

fn default_now() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

fn fixture_dir(check: &Check) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("mocks/checks")
        .join(check.service())
        .join(check.slug)
}

fn fixtures(check: &Check, prefix: &str) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(fixture_dir(check)) else {
        return Vec::new();
    };
    let mut list: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name().unwrap().to_string_lossy().starts_with(prefix)
        })
        .collect();
    list.sort();
    list
}

fn run(check: &Check, path: &Path) -> (Fixture, Vec<Outcome>) {
    let text = std::fs::read_to_string(path).unwrap();
    let fixture: Fixture =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cx = Cx::new(&fixture.inventory, &fixture.settings, fixture.now);
    (check.run)(&mut cx);
    let outcomes = cx.into_outcomes();
    (fixture, outcomes)
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

#[test]
fn pass_fixtures_pass() {
    for check in ALL.iter() {
        for path in fixtures(check, "pass_") {
            let (_, outcomes) = run(check, &path);
            let ok = outcomes.iter().any(|o| o.status == Status::Pass)
                && outcomes
                    .iter()
                    .all(|o| matches!(o.status, Status::Pass | Status::NotApplicable));
            assert!(
                ok,
                "{} {}: expected only passes, got\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
        }
    }
}

#[test]
fn fail_fixtures_fail_on_exactly_the_expected_resources() {
    for check in ALL.iter() {
        for path in fixtures(check, "fail_") {
            let (fixture, outcomes) = run(check, &path);
            let failed: BTreeSet<String> = outcomes
                .iter()
                .filter(|o| o.status == Status::Fail)
                .map(|o| o.resource.clone())
                .collect();
            assert!(
                !failed.is_empty(),
                "{} {}: expected a failure, got\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
            assert!(
                outcomes.iter().all(|o| o.status != Status::Error),
                "{} {}: unexpected error\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
            if let Some(expected) = fixture.expect_fail {
                assert_eq!(
                    failed,
                    expected,
                    "{} {}: failing resources",
                    check.id,
                    path.display()
                );
            }
        }
    }
}

#[test]
fn error_fixtures_never_pass_and_name_the_missing_action() {
    for check in ALL.iter() {
        for path in fixtures(check, "error_") {
            let (fixture, outcomes) = run(check, &path);
            assert!(
                outcomes.iter().any(|o| o.status == Status::Error),
                "{} {}: expected an error, got\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
            assert!(
                outcomes.iter().all(|o| o.status != Status::Pass),
                "{} {}: a check that could not read its facts passed\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
            if let Some(action) = fixture.expect_missing_action {
                assert!(
                    outcomes.iter().any(|o| o.message.contains(&action)),
                    "{} {}: no error names {action}\n{}",
                    check.id,
                    path.display(),
                    describe(&outcomes)
                );
            }
        }
    }
}

#[test]
fn manual_fixtures_ask_for_judgement_and_never_pass() {
    for check in ALL.iter() {
        for path in fixtures(check, "manual_") {
            let (_, outcomes) = run(check, &path);
            assert!(
                !outcomes.is_empty() && outcomes.iter().all(|o| o.status == Status::Manual),
                "{} {}: expected only manual, got\n{}",
                check.id,
                path.display(),
                describe(&outcomes)
            );
        }
    }
}

/// Every check, whatever its sources, reports `error` (never `pass`, never "nothing
/// to check") on an inventory where every source was denied, and names the action.
#[test]
fn every_check_errors_when_its_sources_are_denied() {
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
    fn deny(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) if s == "not_collected" => {
                *v = serde_json::json!({ "unavailable": {
                    "action": "test:DeniedAction", "code": "AccessDenied", "message": "denied" } });
            }
            serde_json::Value::Object(map) => map.values_mut().for_each(deny),
            serde_json::Value::Array(list) => list.iter_mut().for_each(deny),
            _ => {}
        }
    }
    deny(&mut inv);
    let inv: Inventory = serde_json::from_value(inv).unwrap();
    let settings = Settings::default();
    for check in ALL.iter() {
        let mut cx = Cx::new(&inv, &settings, default_now());
        (check.run)(&mut cx);
        let outcomes = cx.into_outcomes();
        assert!(
            !outcomes.is_empty() && outcomes.iter().all(|o| o.status == Status::Error),
            "{}: with every source denied it said\n{}",
            check.id,
            describe(&outcomes)
        );
        assert!(
            outcomes
                .iter()
                .all(|o| o.message.contains("test:DeniedAction")),
            "{}: its errors must name the denied action\n{}",
            check.id,
            describe(&outcomes)
        );
    }
}

// ------------------------------------------------------------------ meta-tests

#[test]
fn every_check_has_pass_and_fail_fixtures() {
    for check in ALL.iter() {
        assert!(
            !fixtures(check, "pass_").is_empty(),
            "{}: no pass_*.json in {}",
            check.id,
            fixture_dir(check).display()
        );
        assert!(
            !fixtures(check, "fail_").is_empty(),
            "{}: no fail_*.json in {}",
            check.id,
            fixture_dir(check).display()
        );
    }
}

#[test]
fn ids_are_unique_stable_and_well_formed() {
    let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate check ids");
    for c in ALL.iter() {
        let (prefix, n) = c.id.split_once('-').expect("ID-NN");
        assert!(
            prefix
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()),
            "{}",
            c.id
        );
        assert!(
            n.len() == 2 && n.parse::<u32>().is_ok(),
            "{}: two-digit number",
            c.id
        );
        assert_eq!(
            c.slug.replace('-', "_"),
            c.file_stem(),
            "{}: slug must match its file name",
            c.id
        );
        // One prefix per service directory, so ids say where the check lives.
        for other in ALL.iter().filter(|o| o.service() == c.service()) {
            assert_eq!(
                other.id.split('-').next(),
                Some(prefix),
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
        assert_eq!(tomscan::checks::find(id).map(|c| c.slug), Some(slug));
    }
}

#[test]
fn metadata_is_complete_and_in_one_style() {
    for c in ALL.iter() {
        assert!(!c.sources.is_empty(), "{}: no sources", c.id);
        assert!(
            c.title.chars().next().unwrap().is_uppercase(),
            "{}: title starts upper-case",
            c.id
        );
        assert!(
            !c.title.ends_with('.'),
            "{}: title is a statement without a full stop",
            c.id
        );
        assert!(c.rationale.len() > 40, "{}: rationale too short", c.id);
        assert!(c.remediation.len() > 20, "{}: remediation too short", c.id);
        assert!(!c.references.is_empty(), "{}: no references", c.id);
    }
}

#[test]
fn builtin_framework_maps_every_check_and_every_measure() {
    let fw = Framework::builtin();
    let mapped = fw.controls_by_check();
    for c in ALL.iter() {
        assert!(
            mapped.contains_key(c.id),
            "{} is mapped to no TOM measure",
            c.id
        );
    }
    for (_, control) in fw.controls() {
        assert!(
            !control.checks.is_empty() || control.organisational,
            "measure {} has no check and is not declared organisational",
            control.id
        );
    }
}

#[test]
fn builtin_framework_has_the_35_measures_of_the_document() {
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
    assert_eq!(measures.len(), 35, "{measures:?}");
    assert_eq!(fw.sections.len(), 11);
}

#[test]
fn readme_check_table_is_current() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = tomscan::catalogue::render(tomscan::cli::CatalogueFormat::Markdown);
    assert!(
        readme.contains(&table),
        "README.md's check table is stale: replace it with the output of `cargo run -- checks --format markdown`"
    );
}
