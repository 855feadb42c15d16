//! Layer 4: the renderers, as snapshots of the saved demo inventory judged at a fixed
//! instant. A change to the table or the JSON contract shows up as a reviewed diff.

mod support;

use chrono::{DateTime, Utc};
use tomscan::framework::Framework;
use tomscan::render::Format;
use tomscan::report::Report;

#[test]
fn table() {
    insta::assert_snapshot!(Format::Table.render(&support::demo::report()));
}

#[test]
fn json_report_contract() {
    let report: serde_json::Value =
        serde_json::from_str(&Format::Json.render(&support::demo::report())).unwrap();
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
    insta::assert_snapshot!(Format::Markdown.render(&support::demo::report()));
}

/// The demo report with a finding whose values are hostile in every format at once.
fn hostile_report() -> Report {
    let mut report = support::demo::report();
    let mut f = report.findings.to_mut()[0].clone();
    f.resource = "=HYPERLINK(\"http://evil\",\"x\")|<img src=x onerror=alert(1)>\n# heading".into();
    f.message = "-2+3 | `code` *bold* [link](http://evil)\r\nsecond line\u{1b}[31m".into();
    f.evidence = serde_json::json!({ "tag": "@SUM(A1)", "nested": { "pipe": "a|b" } });
    f.status = tomscan::check::Status::Fail;
    report.findings.to_mut().insert(0, f);
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
    assert_eq!(section_rows, support::demo::report().sections.len());
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

/// The hostile report with one finding of every status, so each OCSF mapping is validated.
fn every_status_report() -> Report {
    let mut report = hostile_report();
    for status in tomscan::check::Status::ALL {
        let mut f = report.findings.to_mut()[0].clone();
        f.status = status;
        f.resource = format!("arn:aws:s3:::bucket-\"{}\"\n\\", status.as_str());
        report.findings.to_mut().push(f);
    }
    report
}

/// Every event passes py-ocsf-models' ComplianceFinding, tightened by the script to the
/// schema (strict types, no unknown attributes, the cloud profile, compliance.standards).
#[test]
fn ocsf_events_validate_as_compliance_findings() {
    let report = every_status_report();
    let text = Format::Ocsf.render(&report);
    let (verdicts, ok) = support::run_reader("ocsf_validate.py", &text);
    let lines: Vec<&str> = verdicts.lines().collect();
    assert_eq!(lines.len(), report.findings.len(), "one event per finding");
    assert!(
        ok && lines.iter().all(|l| *l == "ok"),
        "invalid events: {verdicts}"
    );
}

/// OSCAL, by compliance-trestle's models (tightened by the script: OSCAL names only,
/// no coercion, zoned date-times, no null or empty array): the assessment results of
/// the demo account and of a report holding every status (a waiver becomes a risk, an
/// attestation an interview), and the catalog they point at. What the models do not
/// check, this does: every reference resolves.
#[test]
fn oscal_assessment_results_and_catalog_validate_and_every_reference_resolves() {
    let now: DateTime<Utc> = "2026-11-27T12:00:00Z".parse().unwrap();
    let catalog = tomscan::render::oscal::catalog(&Framework::builtin(), now);
    let (said, ok) = support::validate_oscal(&catalog);
    assert!(ok, "the catalog: {said}");
    let catalog: serde_json::Value = serde_json::from_str(&catalog).unwrap();
    let control_ids: std::collections::BTreeSet<String> = catalog["catalog"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["controls"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert!(control_ids.contains("tom-4.a") && control_ids.contains("tom-3"));
    let mut waived = support::demo::report();
    let fail = waived
        .findings
        .to_mut()
        .iter_mut()
        .find(|f| f.status == tomscan::check::Status::Fail)
        .unwrap();
    fail.status = tomscan::check::Status::Waived;
    fail.evidence = serde_json::json!({ "waiver": { "check": fail.check_id, "reason": "accepted until the migration", "approved_by": "Jane Roe, CISO", "expires": "2027-03-31", "ticket": "SEC-42" }, "finding": {} });
    for report in [support::demo::report(), every_status_report(), waived] {
        let text = Format::Oscal.render(&report);
        let (said, ok) = support::validate_oscal(&text);
        assert!(ok, "assessment results: {said}");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let result = &doc["assessment-results"]["results"][0];
        let ids = |key: &str| -> std::collections::BTreeSet<String> {
            result[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|o| o["uuid"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        let (observations, risks) = (ids("observations"), ids("risks"));
        assert_eq!(
            observations.len(),
            report.findings.len(),
            "an observation per finding"
        );
        let reviewed: Vec<&str> =
            result["reviewed-controls"]["control-selections"][0]["include-controls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["control-id"].as_str().unwrap())
                .collect();
        for id in &reviewed {
            assert!(control_ids.contains(*id), "{id} is in no catalog control");
        }
        for finding in result["findings"].as_array().into_iter().flatten() {
            let target = finding["target"]["target-id"].as_str().unwrap();
            assert!(reviewed.contains(&target), "{target} was not reviewed");
            for r in finding["related-observations"].as_array().unwrap() {
                assert!(observations.contains(r["observation-uuid"].as_str().unwrap()));
            }
            for r in finding["related-risks"].as_array().into_iter().flatten() {
                assert!(risks.contains(r["risk-uuid"].as_str().unwrap()));
            }
        }
        let waivers = report
            .findings
            .iter()
            .filter(|f| f.status == tomscan::check::Status::Waived)
            .count();
        assert_eq!(risks.len(), waivers, "a risk per waived finding");
    }
    // The waiver's owner and expiry are the risk's.
    let text = Format::Oscal.render(&{
        let mut r = support::demo::report();
        let f = r
            .findings
            .to_mut()
            .iter_mut()
            .find(|f| f.status == tomscan::check::Status::Fail)
            .unwrap();
        f.status = tomscan::check::Status::Waived;
        f.evidence = serde_json::json!({ "waiver": { "reason": "accepted", "approved_by": "Jane Roe, CISO", "expires": "2027-03-31" } });
        r
    });
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let risk = &doc["assessment-results"]["results"][0]["risks"][0];
    assert_eq!(risk["status"], "deviation-approved");
    assert_eq!(risk["deadline"], "2027-03-31T00:00:00Z");
    assert!(
        risk["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "owner" && p["value"] == "Jane Roe, CISO")
    );
    // Hostile values are JSON strings, escaped by serde_json and read back whole.
    let hostile = every_status_report();
    let doc: serde_json::Value = serde_json::from_str(&Format::Oscal.render(&hostile)).unwrap();
    let titles: Vec<&str> = doc["assessment-results"]["results"][0]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("bucket-\"fail\"\n\\")),
        "{titles:?}"
    );
}

/// The OSCAL validator is not a rubber stamp: a control id that is no token, an unknown
/// field, a bad UUID and a value of the wrong type each fail.
#[test]
fn the_oscal_validator_rejects_broken_documents() {
    let text = Format::Oscal.render(&support::demo::report());
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    type Break = fn(&mut serde_json::Value);
    let broken: [(&str, Break); 4] = [
        ("a control id starting with a digit", |d| {
            d["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"]
                [0]["control-id"] = "4.a".into();
        }),
        ("an unknown field", |d| {
            d["assessment-results"]["results"][0]["colour"] = "red".into();
        }),
        ("a bad UUID", |d| {
            d["assessment-results"]["uuid"] = "not-a-uuid".into();
        }),
        ("a number for a string", |d| {
            d["assessment-results"]["metadata"]["title"] = 5.into();
        }),
    ];
    for (what, change) in broken {
        let mut d = doc.clone();
        change(&mut d);
        let (said, ok) = support::validate_oscal(&serde_json::to_string(&d).unwrap());
        assert!(!ok, "{what} passed: {said}");
    }
}

/// The validation is not a rubber stamp: a wrong type, a missing required attribute, a
/// misspelt attribute, a missing cloud profile and the wrong class each fail.
#[test]
fn the_ocsf_validator_rejects_broken_events() {
    let text = Format::Ocsf.render(&support::demo::report());
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let good = &events[0];
    // Each breakage and the error the validator must name for it.
    type Break = fn(&mut serde_json::Value);
    let breakages: [(&str, Break); 5] = [
        ("severity_id: Input should be", |e| {
            e["severity_id"] = "4".into()
        }),
        ("finding_info.uid: Field required", |e| {
            e["finding_info"].as_object_mut().unwrap().remove("uid");
        }),
        ("finding_info.titel: Extra inputs are not permitted", |e| {
            e["finding_info"]["titel"] = "x".into()
        }),
        ("cloud: Field required", |e| {
            e.as_object_mut().unwrap().remove("cloud");
        }),
        ("class_uid 2001 is not Compliance Finding", |e| {
            e["class_uid"] = 2001.into()
        }),
    ];
    let broken: Vec<serde_json::Value> = breakages
        .iter()
        .map(|(_, brk)| {
            let mut e = good.clone();
            brk(&mut e);
            e
        })
        .collect();
    let (verdicts, ok) =
        support::run_reader("ocsf_validate.py", &serde_json::to_string(&broken).unwrap());
    assert!(!ok, "broken events passed: {verdicts}");
    let lines: Vec<&str> = verdicts.lines().collect();
    assert_eq!(lines.len(), breakages.len());
    for ((what, _), line) in breakages.iter().zip(lines) {
        assert!(
            line.starts_with("invalid: ") && line.contains(what),
            "{what}: {line}"
        );
    }
}

/// The mapping itself: statuses, severity, the measures, the uid, hostile text intact.
#[test]
fn ocsf_events_carry_the_findings() {
    use tomscan::check::Status;
    let report = every_status_report();
    let events: Vec<serde_json::Value> =
        serde_json::from_str(&Format::Ocsf.render(&report)).unwrap();
    for (f, e) in report.findings.iter().zip(&events) {
        assert_eq!(e["status_code"], f.status.as_str());
        assert_eq!(
            e["compliance"]["requirements"],
            serde_json::json!(f.sections)
        );
        assert_eq!(
            e["compliance"]["standards"][0],
            report.framework.title.as_str()
        );
        assert_eq!(e["metadata"]["event_code"], f.check_id.as_str());
        assert_eq!(e["cloud"]["account"]["uid"], f.account.as_str());
        assert_eq!(e["time"], report.scanned_at.timestamp_millis());
        assert_eq!(e["unmapped"]["evidence"], f.evidence);
        let expected = match f.status {
            Status::Pass | Status::Attested => (1, 4),
            Status::Fail => (3, 1),
            Status::Waived => (3, 3),
            Status::Error | Status::Manual => (2, 1),
            Status::NotApplicable => (99, 4),
        };
        assert_eq!(
            (e["compliance"]["status_id"].clone(), e["status_id"].clone()),
            (expected.0.into(), expected.1.into()),
            "{:?}",
            f.status
        );
        let severity = ["low", "medium", "high", "critical"]
            .iter()
            .position(|s| *s == f.severity.as_str())
            .unwrap()
            + 2;
        assert_eq!(e["severity_id"], severity);
        if !f.resource.is_empty() {
            assert_eq!(e["resources"][0]["uid"], f.resource.as_str(), "verbatim");
        }
    }
    // The same finding keeps its uid in a later scan; different findings differ.
    let mut later = report.clone();
    later.scanned_at += chrono::Duration::days(1);
    let again: Vec<serde_json::Value> = serde_json::from_str(&Format::Ocsf.render(&later)).unwrap();
    let uids = |es: &[serde_json::Value]| -> Vec<String> {
        es.iter()
            .map(|e| e["finding_info"]["uid"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(uids(&events), uids(&again));
    let all = report.findings.to_vec();
    let distinct: std::collections::BTreeSet<_> = all
        .iter()
        .map(|f| (&f.check_id, &f.account, &f.region, &f.resource))
        .collect();
    let unique: std::collections::BTreeSet<_> = uids(&events).into_iter().collect();
    assert_eq!(unique.len(), distinct.len());
}

/// Read back by Prometheus' own Python parser: the scores are the report's, a missing
/// score is no sample, the finding counts add up, and hostile label values round-trip.
#[test]
fn metrics_read_back_with_prometheus_client() {
    let mut report = every_status_report();
    let hostile_account = "acct\"} 1\nfake_metric 2 \\";
    report.accounts.push(hostile_account.into());
    report.findings.to_mut()[0].account = hostile_account.into();
    report.framework.id = "tom \"v2\"\nline\\".into();
    report.stats.duration_ms = 1500;
    report.stats.requests = 36;
    report.stats.retries = 2;
    let text = tomscan::render::metrics::render(&report);
    let (json, ok) = support::run_reader("prom_parse.py", &text);
    assert!(ok, "prometheus_client refused the file:\n{text}");
    let families: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = families
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"fake_metric"),
        "a label value made a metric"
    );
    let samples = |name: &str| -> Vec<serde_json::Value> {
        families
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing from {names:?}"))["samples"]
            .as_array()
            .unwrap()
            .clone()
    };
    let fw = report.framework.id.as_str();
    let value_of = |name: &str, section: &str| {
        samples(name)
            .iter()
            .find(|s| s["labels"]["section"] == section && s["labels"]["framework"] == fw)
            .map(|s| s["value"].as_f64().unwrap())
    };
    assert_eq!(value_of("tomscan_score", ""), report.score);
    assert_eq!(value_of("tomscan_coverage", ""), Some(report.coverage));
    for s in &report.sections {
        assert_eq!(
            value_of("tomscan_score", &s.id),
            s.score,
            "section {}",
            s.id
        );
        assert_eq!(value_of("tomscan_coverage", &s.id), s.coverage, "{}", s.id);
    }
    assert!(
        report.sections.iter().any(|s| s.score.is_none()),
        "the demo has an unscored section, so omission is tested"
    );
    assert!(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .all(|l| !l.ends_with(" NaN")),
        "a NaN sample"
    );

    let findings = samples("tomscan_findings");
    let total: f64 = findings.iter().map(|s| s["value"].as_f64().unwrap()).sum();
    assert_eq!(total as usize, report.findings.len());
    for status in tomscan::check::Status::ALL {
        let n: f64 = findings
            .iter()
            .filter(|s| s["labels"]["status"] == status.as_str())
            .map(|s| s["value"].as_f64().unwrap())
            .sum();
        let expected = report
            .findings
            .iter()
            .filter(|f| f.status == status)
            .count();
        assert_eq!(n as usize, expected, "{status:?}");
    }
    assert!(
        findings
            .iter()
            .any(|s| s["labels"]["account"] == hostile_account && s["value"] == 1.0),
        "the hostile account label round-trips"
    );
    let one = |name: &str| samples(name)[0]["value"].as_f64().unwrap();
    assert_eq!(one("tomscan_scan_duration_seconds"), 1.5);
    assert_eq!(one("tomscan_scan_requests"), 36.0);
    assert_eq!(one("tomscan_scan_retries"), 2.0);
    let last = samples("tomscan_last_success_timestamp_seconds");
    assert_eq!(last.len(), report.accounts.len());
    assert!(
        last.iter()
            .all(|s| s["value"].as_f64().unwrap() == report.scanned_at.timestamp() as f64)
    );
    let info = &samples("tomscan_info")[0];
    assert_eq!(info["labels"]["framework"], fw);
    assert_eq!(
        info["labels"]["schema_version"],
        report.schema_version.as_str()
    );
    assert_eq!(info["labels"]["version"], report.tool.version.as_str());
    for family in &families {
        assert_eq!(family["type"], "gauge", "{}", family["name"]);
        assert!(!family["help"].as_str().unwrap().is_empty());
    }
}

#[test]
fn an_org_report_sums_up_each_account_by_the_one_formula() {
    let r = support::demo::org_report();
    let by_id = |id: &str| r.account_summaries.iter().find(|a| a.id == id).unwrap();
    let demo = by_id(&r.accounts[0]);
    // The demo account's own figures are those of its single-account report.
    let single = support::demo::report();
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
    let all = r.findings.to_vec();
    let figures = tomscan::assemble::Figures::of(&Framework::builtin(), &all.iter().collect());
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
    let r = support::demo::org_report();
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
    let single = Format::Table.render(&support::demo::report());
    assert!(!single.contains("┆ Account"));
    assert!(!single.contains("Organization ·"));
}
