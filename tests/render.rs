//! Layer 4: the renderers, as snapshots of the saved demo inventory judged at a fixed
//! instant. A change to the table or the JSON contract shows up as a reviewed diff.

use chrono::{DateTime, Utc};
use tomscan::attest::Attestations;
use tomscan::config::Settings;
use tomscan::framework::Framework;
use tomscan::inventory::Inventory;
use tomscan::render::Format;
use tomscan::report::{Report, Stats};
use tomscan::scan::{Selection, build_report, evaluate};

fn demo_report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/mocks/inventories/demo.json");
    let inv: Inventory = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let framework = Framework::builtin();
    let selection = Selection::default();
    let checks = selection.checks(&framework).unwrap();
    let now: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
    let findings = evaluate(
        &inv,
        &checks,
        &framework,
        &selection,
        &Settings::default(),
        &Attestations::default(),
        now,
    );
    build_report(
        &[&inv],
        &checks,
        &framework,
        findings,
        now,
        Stats::default(),
    )
}

#[test]
fn table() {
    insta::assert_snapshot!(Format::Table.render(&demo_report()));
}

#[test]
fn json_report_contract() {
    let report: serde_json::Value =
        serde_json::from_str(&Format::Json.render(&demo_report())).unwrap();
    // The contract's shape, not every finding: the findings are covered by the table.
    let sections: Vec<_> = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!({ "id": s["id"], "parent": s["parent"], "score": s["score"], "counts": s["counts"] }))
        .collect();
    insta::assert_json_snapshot!(serde_json::json!({
        "schema_version": report["schema_version"],
        "framework": report["framework"],
        "accounts": report["accounts"],
        "regions": report["regions"],
        "score": report["score"],
        "coverage": report["coverage"],
        "counts": report["counts"],
        "sections": sections,
        "first_finding": report["findings"][0],
    }));
}
