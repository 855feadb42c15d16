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
        "account_summaries": report["account_summaries"],
        "regions": report["regions"],
        "score": report["score"],
        "coverage": report["coverage"],
        "counts": report["counts"],
        "sections": sections,
        "first_finding": report["findings"][0],
    }));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(Format::Markdown.render(&demo_report()));
}

/// The demo report with a finding whose values are hostile in every format at once.
fn hostile_report() -> Report {
    let mut report = demo_report();
    let mut f = report.findings[0].clone();
    f.resource = "=HYPERLINK(\"http://evil\",\"x\")|<img src=x onerror=alert(1)>\n# heading".into();
    f.message = "-2+3 | `code` *bold* [link](http://evil)\r\nsecond line\u{1b}[31m".into();
    f.evidence = serde_json::json!({ "tag": "@SUM(A1)", "nested": { "pipe": "a|b" } });
    f.status = tomscan::check::Status::Fail;
    report.findings.insert(0, f);
    report
}

/// Read back by a real CSV parser: one record per finding, every field where it belongs,
/// formula cells neutralised, evidence as compact JSON.
#[test]
fn csv_reads_back_with_formulas_neutralised() {
    let report = hostile_report();
    let text = Format::Csv.render(&report);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "account",
            "region",
            "check",
            "measures",
            "severity",
            "status",
            "resource",
            "message",
            "evidence",
            "remediation"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), report.findings.len());
    let hostile = &rows[0];
    assert!(hostile[6].starts_with("'=HYPERLINK"), "{:?}", &hostile[6]);
    assert!(hostile[7].starts_with("'-2+3"), "{:?}", &hostile[7]);
    assert_eq!(hostile[5].to_string(), "fail");
    let evidence: serde_json::Value = serde_json::from_str(&hostile[8]).unwrap();
    assert_eq!(
        evidence["tag"], "@SUM(A1)",
        "inside JSON it is not a cell start"
    );
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
}

/// Pipes and line breaks in values cannot add table columns or lines; markup in prose
/// is escaped, and raw text sits in code spans it cannot close.
#[test]
fn markdown_values_cannot_break_out() {
    let text = Format::Markdown.render(&hostile_report());
    let section_rows = text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| TOM"))
        .count();
    assert_eq!(section_rows, demo_report().sections.len());
    assert!(!text.contains("\n# heading"), "a value started a heading");
    assert!(!text.contains('\u{1b}'));
    let resource = text
        .lines()
        .find(|l| l.starts_with("- **Resource:**") && l.contains("HYPERLINK"))
        .expect("the hostile finding");
    assert!(
        resource.ends_with("# heading`"),
        "one line, one code span: {resource}"
    );
    assert_eq!(resource.matches('`').count(), 2, "{resource}");
    let message = text
        .lines()
        .find(|l| l.starts_with("- **Finding:** -2+3"))
        .expect("the hostile message, on one line");
    assert!(
        message.contains("\\| \\`code\\` \\*bold\\* \\[link\\](http://evil)  second line\\[31m"),
        "{message}"
    );
}

/// Read back by a real XML parser (quick-xml): one suite per top-level TOM section, each
/// case a check and resource, `fail` a failure, `error` an error, unjudged skipped; the
/// counts in the attributes agree with the elements; hostile text stays text.
#[test]
fn junit_reads_back_as_ci_would() {
    use quick_xml::events::Event;
    let report = hostile_report();
    let xml = Format::Junit.render(&report);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures, mut errors, mut skipped) = (0, 0, 0, 0, 0);
    let mut declared_tests = 0;
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                };
                match e.name().as_ref() {
                    b"testsuite" => {
                        suites += 1;
                        declared_tests += attr("tests").unwrap().parse::<usize>().unwrap();
                    }
                    b"testcase" => {
                        cases += 1;
                        names.push(attr("name").unwrap());
                    }
                    b"failure" => failures += 1,
                    b"error" => errors += 1,
                    b"skipped" => skipped += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let top = report
        .sections
        .iter()
        .filter(|s| s.parent.is_none())
        .count();
    assert_eq!(suites, top, "a suite per TOM section");
    assert_eq!(
        cases, declared_tests,
        "the tests attributes count the cases"
    );
    let in_cases = |status: tomscan::check::Status| {
        report
            .findings
            .iter()
            .filter(|f| f.status == status)
            .map(|f| {
                f.sections
                    .iter()
                    .map(|m| m.split('.').next().unwrap())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
            })
            .sum::<usize>()
    };
    use tomscan::check::Status;
    assert_eq!(failures, in_cases(Status::Fail));
    assert_eq!(errors, in_cases(Status::Error));
    assert_eq!(
        skipped,
        in_cases(Status::Manual) + in_cases(Status::NotApplicable) + in_cases(Status::Waived)
    );
    assert!(
        names
            .iter()
            .any(|n| n.contains("<img src=x onerror=alert(1)>")),
        "the hostile resource is a name, as text"
    );
}

/// An organization of three: the demo account, a copy of it under another id with its
/// passes turned to failures, and one whose role could not be assumed.
fn org_report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/mocks/inventories/demo.json");
    let inv: Inventory = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut worse = inv.clone();
    worse.account_id = "210987654321".into();
    let framework = Framework::builtin();
    let selection = Selection::default();
    let checks = selection.checks(&framework).unwrap();
    let now: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
    let judge = |inv: &Inventory| {
        evaluate(
            inv,
            &checks,
            &framework,
            &selection,
            &Settings::default(),
            &Attestations::default(),
            now,
        )
    };
    let mut findings = judge(&inv);
    findings.extend(judge(&worse).into_iter().map(|mut f| {
        if f.status == tomscan::check::Status::Pass {
            f.status = tomscan::check::Status::Fail;
        }
        f
    }));
    let refused = tomscan::inventory::Unavailable {
        action: "sts:AssumeRole on arn:aws:iam::333344445555:role/OrganizationAccountAccessRole"
            .into(),
        code: "AccessDenied".into(),
        message: "not authorized | <b>".into(),
    };
    findings.extend(tomscan::scan::unreadable_findings(
        "333344445555",
        &refused,
        &checks,
        &framework,
        &selection,
        &Attestations::default(),
        now,
    ));
    let mut accounts = vec![
        tomscan::scan::AccountMeta::of(&inv),
        tomscan::scan::AccountMeta::of(&worse),
        tomscan::scan::AccountMeta {
            id: "333344445555".into(),
            name: Some("sandbox".into()),
            error: Some("sts:AssumeRole failed with AccessDenied".into()),
            ..Default::default()
        },
    ];
    accounts[0].name = Some("demo".into());
    tomscan::scan::build_report_for(
        accounts,
        &checks,
        &framework,
        findings,
        now,
        Stats::default(),
    )
}

#[test]
fn an_org_report_sums_up_each_account_by_the_one_formula() {
    let r = org_report();
    let by_id = |id: &str| r.account_summaries.iter().find(|a| a.id == id).unwrap();
    let demo = by_id(&r.accounts[0]);
    // The demo account's own figures are those of its single-account report.
    let single = demo_report();
    assert_eq!(demo.score, single.score);
    assert_eq!(demo.counts, single.counts);
    assert_eq!(demo.coverage, Some(single.coverage));
    assert_eq!(by_id("210987654321").score, Some(0.0));
    let refused = by_id("333344445555");
    assert_eq!(refused.score, None);
    assert_eq!(
        refused.counts.error as usize,
        r.checks.len(),
        "every check error"
    );
    assert_eq!(refused.counts.pass + refused.counts.fail, 0);
    // The organization's score is the formula over every finding, not a mean of accounts.
    let all: Vec<&tomscan::report::Finding> = r.findings.iter().collect();
    let figures = tomscan::scan::Figures::of(&Framework::builtin(), &all);
    assert_eq!(r.score, figures.tally.score());
    let sum: u32 = r.account_summaries.iter().map(|a| a.counts.fail).sum();
    assert_eq!(r.counts.fail, sum);
    // Per-section counts of an account add up to that account's section findings.
    let s4 = demo.sections.iter().find(|s| s.id == "4").unwrap();
    let single_s4 = single.sections.iter().find(|s| s.id == "4").unwrap();
    assert_eq!(s4.counts, single_s4.counts);
}

#[test]
fn the_org_table_and_markdown_list_accounts_worst_first_with_an_account_column() {
    let r = org_report();
    let table = Format::Table.render(&r);
    assert!(table.contains("Organization · 3 accounts"), "{table}");
    let at = |needle: &str| {
        table
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}:\n{table}"))
    };
    // Unreadable first, then the lowest score.
    assert!(at("333344445555") < at("210987654321"));
    assert!(at("210987654321") < at(&format!("{} ┆ demo", r.accounts[0])));
    let attention = &table[at("Findings that need attention")..];
    assert!(attention.contains("┆ Account"), "{attention}");
    assert!(table.contains("not read: sts:AssumeRole"), "{table}");

    let md = Format::Markdown.render(&r);
    assert!(md.contains("Organization of 3 accounts"), "{md}");
    let accounts = &md[md.find("## Accounts").expect("an accounts table")..];
    let rows: Vec<&str> = accounts
        .lines()
        .filter(|l| l.starts_with("| 2") || l.starts_with("| 3") || l.starts_with("| 1"))
        .collect();
    assert!(
        rows[0].starts_with("| 333344445555 | sandbox |"),
        "{rows:?}"
    );
    assert!(rows[1].starts_with("| 210987654321 |"), "{rows:?}");
    // The message from the refused account is escaped in the findings.
    assert!(md.contains("not authorized \\| \\<b\\>"), "{md}");

    // One account: no account column, the header names the account.
    let single = Format::Table.render(&demo_report());
    assert!(!single.contains("┆ Account"));
    assert!(!single.contains("Organization ·"));
}
