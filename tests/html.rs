//! The HTML report in a real browser: headless Chromium loads the file, runs its script
//! under the page's Content-Security-Policy, and its DOM is read back with an HTML parser.
//! Needs `chromium-headless-shell` (or `chromium`, `google-chrome`; `CHROME=path`
//! overrides); `.ci/run` installs it.

mod support;

use std::path::Path;
use std::time::Instant;

use scraper::{Html, Selector};
use tomscan::check::Status;
use tomscan::render::Format;
use tomscan::report::Report;

use support::browser::{page_problems, run_chrome};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

/// The demo report with a finding whose resource, message and evidence carry markup.
fn hostile_report() -> Report {
    let mut report = support::demo::attested_report();
    let mut f = report.findings.to_mut()[0].clone();
    f.resource = format!("=HYPERLINK(\"http://evil\",\"x\")|{HOSTILE}\n# heading");
    f.message = format!("-2+3 | {HOSTILE} </script><script>alert(2)</script>");
    f.evidence = serde_json::json!({ "tag": HOSTILE, "nested": { "pipe": "a|b" } });
    f.status = Status::Fail;
    report.findings.to_mut().insert(0, f);
    report
}

fn write_page(dir: &Path, name: &str, html: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    format!("file://{}", path.display())
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(el: &scraper::ElementRef<'_>) -> String {
    el.text().collect()
}

/// The log scanner catches what it is there to catch: a thrown error and a blocked
/// inline script, on pages made to fail. Without this a silent scanner would pass all.
#[test]
fn the_log_scanner_catches_a_thrown_error_and_a_csp_violation() {
    let dir = tempfile::tempdir().unwrap();
    let thrown = write_page(
        dir.path(),
        "thrown.html",
        "<!DOCTYPE html><title>t</title><p>x</p><script>throw new Error('deliberate')</script>",
    );
    let run = run_chrome(&thrown, &["--dump-dom".into()]);
    let problems = page_problems(&run.log);
    assert!(
        problems
            .iter()
            .any(|l| l.contains("Uncaught Error: deliberate")),
        "the thrown error was not seen in:\n{}",
        run.log
    );
    let blocked = write_page(
        dir.path(),
        "blocked.html",
        "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">\
         <title>b</title><script>document.title = 'ran'</script>",
    );
    let run = run_chrome(&blocked, &["--dump-dom".into()]);
    assert!(
        page_problems(&run.log)
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "the blocked script was not seen in:\n{}",
        run.log
    );
    assert!(
        run.dom.contains("<title>b</title>"),
        "the script did not run"
    );
}

/// The demo report loads with no console message, error or CSP violation; the DOM
/// shows the score, coverage, every section and measure, and the header facts; a
/// screenshot is kept at target/html-report.png.
#[test]
fn demo_report_loads_cleanly_and_shows_every_section() {
    let report = support::demo::attested_report();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let html = Format::Html.render(&report);
    eprintln!(
        "HTML report of the demo: {} bytes, rendered in {:?}",
        html.len(),
        started.elapsed()
    );
    let url = write_page(dir.path(), "report.html", &html);
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-report.png");
    let run = run_chrome(
        &url,
        &[
            "--dump-dom".into(),
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
        ],
    );
    assert_eq!(page_problems(&run.log), Vec::<&str>::new(), "{}", run.log);
    assert!(shot.is_file(), "no screenshot at {}", shot.display());

    let doc = Html::parse_document(&run.dom);
    let score = format!("{:.1}", report.score.unwrap());
    assert_eq!(text(&select(&doc, "#score")[0]), score);
    assert_eq!(
        text(&select(&doc, "#coverage")[0]),
        format!("{:.1}", report.coverage)
    );
    for s in &report.sections {
        let el = select(&doc, &format!("[id=\"tom-{}\"]", s.id));
        assert_eq!(el.len(), 1, "section or measure {} once", s.id);
        let shown = text(&el[0]);
        assert!(shown.contains(&s.id) && shown.contains(&s.title), "{shown}");
    }
    let facts = text(&select(&doc, ".facts")[0]);
    for fact in [
        report.framework.title.as_str(),
        report.framework.id.as_str(),
        &report.accounts[0],
        &report.regions.join(", "),
        "2026-11-27 12:00:00 UTC",
        &report.tool.version,
        "1.8 s",
        "36 requests",
        "2 retries",
    ] {
        assert!(facts.contains(fact), "{fact:?} missing from {facts}");
    }
    assert!(text(&select(&doc, "#scoring")[0]).contains(&report.scoring.formula));

    let rows = select(&doc, "details.finding");
    assert_eq!(rows.len(), report.findings.len(), "one element per finding");
    assert!(
        rows.iter().all(|r| r.attr("hidden").is_none()),
        "none hidden unfiltered"
    );
    // The page's data is its markup: its one script holds no value of the report.
    let scripts = select(&doc, "script");
    assert_eq!(scripts.len(), 1);
    let script = text(&scripts[0]);
    for f in &report.findings {
        assert!(
            !script.contains(&f.check_id),
            "{} inside the script",
            f.check_id
        );
    }
    assert!(!script.contains(&report.accounts[0]));

    // An attested measure shows its attestation; a check's finding its references; an
    // organisational measure has none.
    let attested = rows
        .iter()
        .find(|r| r.attr("data-status") == Some("attested"))
        .expect("the demo attests some measures");
    let body = text(attested);
    assert!(
        body.contains("Attestation") && body.contains("attested_by"),
        "{body}"
    );
    assert!(select(&doc, "details[data-check^=\"ORG-\"] .refs").is_empty());
    let ec2_01 = rows
        .iter()
        .find(|r| r.attr("data-check") == Some("EC2-01"))
        .unwrap();
    let check = tomscan::checks::find("EC2-01").unwrap();
    assert!(!check.references.is_empty());
    for reference in check.references {
        assert!(text(ec2_01).contains(reference), "{reference}");
    }
}

/// A waived finding shows its waiver, under that name, from its evidence.
#[test]
fn a_waived_finding_shows_its_waiver() {
    let mut report = support::demo::attested_report();
    let f = report
        .findings
        .to_mut()
        .iter_mut()
        .find(|f| f.status == Status::Fail)
        .unwrap();
    f.status = Status::Waived;
    f.evidence = serde_json::json!({ "waiver": { "reason": "accepted risk until Q3", "approved_by": "ciso@example.com" } });
    let doc = Html::parse_document(&Format::Html.render(&report));
    let waived = select(&doc, "details.finding[data-status=\"waived\"]");
    assert_eq!(waived.len(), 1);
    let body = text(&waived[0]);
    assert!(body.contains("Waiver"), "{body}");
    assert!(body.contains("accepted risk until Q3") && body.contains("ciso@example.com"));
}

/// Markup in the resource, the message and the evidence stays text: the browser's DOM
/// has no element it could run, and the text reads as written.
#[test]
fn hostile_values_stay_text_in_the_browser() {
    let report = hostile_report();
    let dir = tempfile::tempdir().unwrap();
    let url = write_page(dir.path(), "hostile.html", &Format::Html.render(&report));
    let run = run_chrome(&url, &["--dump-dom".into()]);
    assert_eq!(page_problems(&run.log), Vec::<&str>::new(), "{}", run.log);
    assert!(
        !run.dom.contains("<img src=\"x\""),
        "an img element was made"
    );
    assert!(run.dom.contains("&lt;img src=x onerror=alert(1)&gt;"));

    let doc = Html::parse_document(&run.dom);
    assert!(select(&doc, "img").is_empty(), "no image at all");
    let scripts = select(&doc, "script");
    assert_eq!(scripts.len(), 1, "only the page's own script");
    assert!(!text(&scripts[0]).contains("alert"));
    let hostile: Vec<_> = select(&doc, "details.finding")
        .into_iter()
        .filter(|r| text(r).contains(HOSTILE))
        .collect();
    assert_eq!(hostile.len(), 1, "the hostile finding, once");
    let part = |css: &str| {
        text(
            &hostile[0]
                .select(&Selector::parse(css).unwrap())
                .next()
                .unwrap(),
        )
    };
    let resource = part(".resource");
    assert!(
        resource.contains(HOSTILE) && resource.contains("# heading"),
        "{resource}"
    );
    let message = part(".message");
    assert!(
        message.contains("</script><script>alert(2)</script>"),
        "{message}"
    );
    let evidence = part("pre.evidence");
    let parsed: serde_json::Value = serde_json::from_str(&evidence).expect("pretty JSON");
    assert_eq!(parsed["tag"], HOSTILE);
    assert!(
        evidence.contains("\n  \"nested\": {"),
        "pretty-printed: {evidence}"
    );
    assert_eq!(hostile[0].attr("data-status"), Some("fail"));
}

/// A URL hash filters the list: only failed high findings stay visible; a measure
/// filter keeps that measure's findings; the search matches text inside the evidence.
#[test]
fn a_url_hash_opens_the_report_filtered() {
    let report = hostile_report();
    let dir = tempfile::tempdir().unwrap();
    let url = write_page(dir.path(), "filtered.html", &Format::Html.render(&report));

    let visible = |hash: &str| {
        let run = run_chrome(&format!("{url}#{hash}"), &["--dump-dom".into()]);
        assert_eq!(page_problems(&run.log), Vec::<&str>::new(), "{}", run.log);
        let doc = Html::parse_document(&run.dom);
        let rows = select(&doc, "details.finding");
        assert_eq!(rows.len(), report.findings.len());
        let shown: Vec<(String, String, String, String)> = rows
            .iter()
            .filter(|r| r.attr("hidden").is_none())
            .map(|r| {
                (
                    r.attr("data-status").unwrap().to_string(),
                    r.attr("data-severity").unwrap().to_string(),
                    r.attr("data-measures").unwrap().to_string(),
                    text(r),
                )
            })
            .collect();
        let summary = text(&select(&doc, "#shown")[0]);
        (shown, summary)
    };

    let (shown, summary) = visible("status=fail&severity=high");
    let expected = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.severity.as_str() == "high")
        .count();
    assert!(expected > 0 && expected < report.findings.len());
    assert_eq!(shown.len(), expected, "{summary}");
    assert!(
        shown
            .iter()
            .all(|(st, sev, ..)| st == "fail" && sev == "high")
    );
    assert!(
        summary.contains(&format!("Showing {expected} of {}", report.findings.len())),
        "{summary}"
    );

    let (shown, _) = visible("measure=4");
    let expected = report
        .findings
        .iter()
        .filter(|f| f.sections.iter().any(|m| m == "4" || m.starts_with("4.")))
        .count();
    assert_eq!(shown.len(), expected);
    assert!(
        shown
            .iter()
            .all(|(_, _, m, _)| m.split(' ').any(|m| m == "4" || m.starts_with("4.")))
    );

    // Only the hostile finding has "a|b" (in its evidence); the search is case-blind.
    let (shown, _) = visible("q=A%7CB&status=fail,error");
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].3.contains(HOSTILE));

    let (shown, summary) = visible("status=pass&q=no-such-text-anywhere");
    assert!(shown.is_empty());
    assert!(summary.contains("Showing 0 of"), "{summary}");
}
