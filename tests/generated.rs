//! The files generated from the code: README's check table and its count per section,
//! `examples/iam-policy.json` and `schema/report.schema.json`. Each test compares a file
//! with what the code generates now; with `TOMSCAN_UPDATE=1` it writes the file instead
//! (as `INSTA_UPDATE` does for snapshots), so the one command
//!
//! ```text
//! TOMSCAN_UPDATE=1 cargo test --test generated
//! ```
//!
//! regenerates them all, and the check and the regenerator are the same code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use tomscan::catalogue::CatalogueFormat;
use tomscan::checks::ALL;
use tomscan::evaluate::Selection;
use tomscan::framework::Framework;

const UPDATE: &str = "TOMSCAN_UPDATE";

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Holds `rel` to `generated`: equal, or (with `TOMSCAN_UPDATE=1`) written anew.
fn generated(rel: &str, generated: &str) {
    let file = path(rel);
    let current = std::fs::read_to_string(&file).unwrap_or_default();
    if current == generated {
        return;
    }
    if std::env::var_os(UPDATE).is_some_and(|v| v == "1") {
        std::fs::write(&file, generated).unwrap_or_else(|e| panic!("{rel}: {e}"));
        eprintln!("{rel}: regenerated");
        return;
    }
    panic!("{rel} is stale: regenerate it with `{UPDATE}=1 cargo test --test generated`");
}

/// `text` with what stands between the lines `begin…` and `end…` replaced by `body`.
fn between(text: &str, begin: &str, end: &str, body: &str) -> String {
    let start = text
        .find(begin)
        .unwrap_or_else(|| panic!("no {begin:?} marker"));
    let after_begin = start + text[start..].find('\n').expect("marker line") + 1;
    let stop = text[after_begin..]
        .find(end)
        .map(|i| after_begin + i)
        .unwrap_or_else(|| panic!("no {end:?} marker"));
    format!("{}{body}{}", &text[..after_begin], &text[stop..])
}

/// "Checks per section: 3: 1, 4: 33, … (71 checks;": how many checks evidence each
/// top-level section, and in all.
fn per_section_line() -> String {
    let fw = Framework::builtin();
    let by_check = fw.controls_by_check();
    let mut per_section = BTreeMap::<u32, usize>::new();
    for c in ALL.iter() {
        let sections: BTreeSet<u32> = by_check[c.id]
            .iter()
            .filter_map(|m| m.split('.').next()?.parse().ok())
            .collect();
        for s in sections {
            *per_section.entry(s).or_default() += 1;
        }
    }
    let counts: Vec<String> = per_section
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    format!(
        "Checks per section: {} ({} checks; a check may evidence more than one measure).",
        counts.join(", "),
        ALL.len()
    )
}

#[test]
fn readme_check_table_and_counts() {
    let readme = std::fs::read_to_string(path("README.md")).unwrap();
    let table = tomscan::catalogue::render(CatalogueFormat::Markdown);
    let mut text = between(&readme, "<!-- checks:begin", "<!-- checks:end", &table);
    text = between(
        &text,
        "<!-- checks-per-section:begin",
        "<!-- checks-per-section:end",
        &format!("{}\n", per_section_line()),
    );
    generated("README.md", &text);
}

#[test]
fn iam_policy_example() {
    let framework = Framework::builtin();
    let checks = Selection::default().checks(&framework).unwrap();
    generated(
        "examples/iam-policy.json",
        &tomscan::catalogue::policy_for(&checks, None),
    );
}

#[test]
fn report_schema() {
    generated("schema/report.schema.json", &tomscan::report::json_schema());
}
