//! Reports for people and schedulers, end to end against a seeded `moto_server`:
//! waivers (owner, expiry, stale ones surfacing) and the diff between two scans.

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::run::{self, Run};
use support::{Moto, load_scenario, scenario_path, seed, tomscan};

async fn noncompliant() -> Moto {
    let scenario = load_scenario(&scenario_path("noncompliant"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    moto
}

const CHECKS: &[&str] = &["--region", "eu-west-1", "--checks", "IAM-06,S3-04"];

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    CHECKS
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

fn finding<'a>(report: &'a Value, check: &str, resource_ends: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["check_id"] == check && f["resource"].as_str().unwrap().ends_with(resource_ends)
        })
        .unwrap_or_else(|| panic!("no {check} finding for {resource_ends}"))
}

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn waivers_waive_fails_in_force_and_surface_expired_and_stale_ones() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        format!(
            r#"[[waiver]]
check = "IAM-06"
resource = "arn:aws:iam::*:user/ali*"
reason = "hardware token on order"
approved_by = "Security lead"
ticket = "SEC-1234"
expires = {in_force}

[[waiver]]
check = "S3-04"
resource = "arn:aws:s3:::noncompliant-plain"
reason = "public website, moved to CloudFront next sprint"
approved_by = "Security lead"
expires = {expired}

[[waiver]]
check = "IAM-06"
resource = "arn:aws:iam::*:user/nobody"
reason = "left the company"
approved_by = "IT"
expires = {in_force}
"#,
            in_force = day(60),
            expired = day(-1),
        ),
    )
    .unwrap();
    let plain = tomscan(&moto, CHECKS);
    let waived = tomscan(&moto, &with(&["--waivers", waivers.to_str().unwrap()]));
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert_eq!(waived.code, 0, "{}", waived.stderr);

    let alice = finding(&waived.report, "IAM-06", "user/alice");
    assert_eq!(alice["status"], "waived");
    assert_eq!(alice["evidence"]["waiver"]["approved_by"], "Security lead");
    assert_eq!(alice["evidence"]["waiver"]["ticket"], "SEC-1234");
    assert!(
        alice["evidence"]["waiver"]["source"]
            .as_str()
            .unwrap()
            .ends_with("waivers.toml:2")
    );
    assert_eq!(
        finding(&plain.report, "IAM-06", "user/alice")["status"],
        "fail",
        "the same finding without waivers"
    );
    // The expired waiver waives nothing, and says so.
    assert_eq!(
        finding(&waived.report, "S3-04", "noncompliant-plain")["status"],
        "fail"
    );
    assert!(
        waived.stderr.contains("waiver expired")
            && waived.stderr.contains("waivers.toml:10")
            && waived.stderr.contains("would_match=1"),
        "{}",
        waived.stderr
    );
    assert!(
        waived.stderr.contains("matches no failure") && waived.stderr.contains("waivers.toml:17"),
        "{}",
        waived.stderr
    );
    // A waived failure leaves the score (README "How the score is computed") but still
    // counts as judged: the score rises, the coverage does not move.
    assert_eq!(waived.report["counts"]["waived"], 1);
    assert_eq!(
        waived.report["counts"]["fail"].as_u64().unwrap() + 1,
        plain.report["counts"]["fail"].as_u64().unwrap()
    );
    assert!(waived.report["score"].as_f64() > plain.report["score"].as_f64());
    assert_eq!(waived.report["coverage"], plain.report["coverage"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_waiver_file_stops_the_scan_before_anything_is_written() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        "[[waiver]]\ncheck = \"IAM-99\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2027-01-01\n",
    )
    .unwrap();
    let out = dir.path().join("report.json");
    let scan = tomscan(
        &moto,
        &with(&[
            "--waivers",
            waivers.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ]),
    );
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr
            .contains("waivers.toml:2: check: unknown check id \"IAM-99\""),
        "{}",
        scan.stderr
    );
    assert!(!out.exists(), "nothing is written half-way");
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> Run {
    run::tomscan(["diff"]).args([old, new]).args(extra).run()
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_shows_what_changed_between_two_scans_and_gates_on_new_failures() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    let before = tomscan(&moto, CHECKS);
    std::fs::write(&old, before.report.to_string()).unwrap();

    // Overnight: someone adds a console user without MFA, someone else makes the public
    // bucket private.
    let conf = moto.sdk_config("eu-west-1").await;
    let iam = aws_sdk_iam::Client::new(&conf);
    iam.create_user().user_name("mallory").send().await.unwrap();
    iam.create_login_profile()
        .user_name("mallory")
        .password("Initial-Password-1!")
        .send()
        .await
        .unwrap();
    aws_sdk_s3::Client::new(&conf)
        .delete_bucket_policy()
        .bucket("noncompliant-plain")
        .send()
        .await
        .unwrap();
    let after = tomscan(&moto, CHECKS);
    std::fs::write(&new, after.report.to_string()).unwrap();

    let Run {
        code,
        stdout: json,
        stderr: err,
    } = diff(&old, &new, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&json).unwrap();
    let list = |key: &str| -> Vec<(String, String, Value, Value)> {
        d[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["check_id"].as_str().unwrap().to_string(),
                    c["resource"]
                        .as_str()
                        .unwrap()
                        .rsplit(['/', ':'])
                        .next()
                        .unwrap()
                        .to_string(),
                    c["from"].clone(),
                    c["to"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        list("new_failures"),
        [(
            "IAM-06".into(),
            "mallory".into(),
            Value::Null,
            "fail".into()
        )]
    );
    assert_eq!(
        list("resolved"),
        [(
            "S3-04".into(),
            "noncompliant-plain".into(),
            "fail".into(),
            "pass".into()
        )]
    );
    assert!(list("changed").is_empty(), "{json}");
    let overall = &d["sections"][0];
    assert_eq!(overall["id"], Value::Null);
    assert_eq!(overall["old_score"], before.report["score"]);
    assert_eq!(overall["new_score"], after.report["score"]);

    // The gate: IAM-06 is high, so a new high failure breaches and a critical bar does not.
    assert_eq!(diff(&old, &new, &["--fail-on-new", "high"]).code, 1);
    let Run {
        code,
        stdout: table,
        ..
    } = diff(&old, &new, &["--fail-on-new", "critical"]);
    assert_eq!(code, 0);
    assert!(table.contains("New failures (1)"), "{table}");
    assert!(table.contains("Resolved failures (1)"), "{table}");
    assert!(table.contains("absent -> fail"), "{table}");
    let Run {
        stdout: markdown, ..
    } = diff(&old, &new, &["--format", "markdown"]);
    assert!(markdown.contains("## New failures (1)"), "{markdown}");
    assert!(
        markdown.contains("| absent -> fail | IAM\\-06 |")
            || markdown.contains("| absent -> fail | IAM-06 |"),
        "{markdown}"
    );
}

#[test]
fn diff_refuses_reports_it_cannot_compare() {
    let dir = tempfile::tempdir().unwrap();
    let report = concat!(env!("CARGO_MANIFEST_DIR"), "/mocks/inventories/demo.json");
    let Run {
        code, stderr: err, ..
    } = diff(Path::new(report), Path::new(report), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("not a tomscan JSON report"), "{err}");

    // Two reports of the same account, one from another schema version.
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let evaluate = run::tomscan(["evaluate", report, "--format", "json", "--output"])
        .args([&new])
        .run();
    assert!(evaluate.code == 0 || evaluate.code == 3);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&new).unwrap()).unwrap();
    v["schema_version"] = "0".into();
    std::fs::write(&old, v.to_string()).unwrap();
    let Run {
        code, stderr: err, ..
    } = diff(&old, &new, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("old.json")
            && err.contains("schema_version \"0\"")
            && err.contains("older tomscan"),
        "{err}"
    );
    v["schema_version"] = tomscan::report::SCHEMA_VERSION.into();
    v["framework"]["id"] = "iso27001".into();
    std::fs::write(&old, v.to_string()).unwrap();
    let Run {
        code, stderr: err, ..
    } = diff(&old, &new, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("different frameworks"), "{err}");
}

/// The progress line is for a person at a terminal: `script` gives the scan one, and the
/// line shows; `--quiet` takes it away; with stderr a pipe (every other test) it never
/// appears.
#[tokio::test(flavor = "multi_thread")]
async fn progress_shows_on_a_terminal_only_and_quiet_silences_it() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let on_terminal = |extra: &str| {
        let command = format!(
            "{} scan --region eu-west-1 --checks IAM-06 --format json -o {} {extra}",
            env!("CARGO_BIN_EXE_tomscan"),
            out.display()
        );
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"]);
        for (k, v) in moto.scan_env() {
            cmd.env(k, v);
        }
        let run = cmd
            .output()
            .expect("`script` (util-linux/bsdutils) gives the scan a terminal");
        assert!(run.status.success(), "{run:?}");
        String::from_utf8_lossy(&run.stdout).into_owned()
    };
    let shown = on_terminal("");
    assert!(
        shown.contains("scanning · regions") && shown.contains("requests"),
        "{shown}"
    );
    let quiet = on_terminal("--quiet");
    assert!(!quiet.contains("scanning"), "{quiet}");
    let piped = tomscan(&moto, &["--region", "eu-west-1", "--checks", "IAM-06"]);
    assert!(!piped.stderr.contains("scanning"), "{}", piped.stderr);
}

/// What an account can name its resources: markup, a spreadsheet formula, table pipes,
/// a bidi override and a C1 control (CSI) in IAM user names, and line breaks and more
/// markup in a bucket tag. moto keeps them as given, like AWS keeps most of them.
const HOSTILE_USERS: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "=HYPERLINK(\"http://evil\")",
    "pipe|user\u{202e}gnp.exe",
    "csi\u{9b}31mred",
];
const HOSTILE_TAG: &str = "<img src=x onerror=alert(1)>\n| cell | # heading\r\n@SUM(A1)";

async fn hostile_account() -> Moto {
    let moto = noncompliant().await;
    let conf = moto.sdk_config("eu-west-1").await;
    let iam = aws_sdk_iam::Client::new(&conf);
    for name in HOSTILE_USERS {
        iam.create_user().user_name(*name).send().await.unwrap();
        iam.create_login_profile()
            .user_name(*name)
            .password("Initial-Password-1!")
            .send()
            .await
            .unwrap();
    }
    let tag = aws_sdk_s3::types::Tag::builder()
        .key("tenant")
        .value(HOSTILE_TAG)
        .build()
        .unwrap();
    aws_sdk_s3::Client::new(&conf)
        .put_bucket_tagging()
        .bucket("noncompliant-encrypted")
        .tagging(
            aws_sdk_s3::types::Tagging::builder()
                .tag_set(tag)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    moto
}

fn only_file(dir: &Path, suffix: &str) -> std::path::PathBuf {
    let found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {suffix} in {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

/// One scan of an account full of hostile names writes every format at once, and each
/// file is read back by a real reader of its format, with the hostile values inert.
#[tokio::test(flavor = "multi_thread")]
async fn one_scan_writes_every_format_and_hostile_values_are_inert_in_each() {
    let moto = hostile_account().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tomscan.toml");
    std::fs::write(&config, "tenant_tag = \"tenant\"\n").unwrap();
    let reports = dir.path().join("reports");
    let metrics = dir.path().join("tomscan.prom");
    let scan = tomscan(
        &moto,
        &[
            "--region",
            "eu-west-1",
            "--checks",
            "IAM-06,S3-04,ACCT-03",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json,html,markdown,csv,junit,ocsf,oscal",
            "--output-dir",
            reports.to_str().unwrap(),
            "--metrics",
            metrics.to_str().unwrap(),
        ],
    );
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    assert_eq!(
        std::fs::read_dir(&reports).unwrap().count(),
        7,
        "one file per format, nothing else (no temporary file left)"
    );

    // JSON keeps every value whole: it is the record.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(only_file(&reports, "Z.json")).unwrap())
            .unwrap_or_else(|e| panic!("the JSON report: {e}"));
    for user in HOSTILE_USERS {
        let f = finding(&json, "IAM-06", &format!("user/{user}"));
        assert_eq!(f["status"], "fail", "{user}");
    }
    let tagged = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["evidence"]["tags"]["tenant"] == HOSTILE_TAG)
        .expect("the tag reaches the evidence whole");
    assert_eq!(tagged["check_id"], "ACCT-03");

    // HTML, in headless Chromium: the page runs clean and the markup stays text.
    let html = only_file(&reports, ".html");
    let page = support::browser::run_chrome(
        &format!("file://{}", html.display()),
        &["--dump-dom".into()],
    );
    assert!(
        support::browser::page_problems(&page.log).is_empty(),
        "{}",
        page.log
    );
    assert!(
        !page.dom.contains("<img src=\"x\""),
        "an img element was made"
    );
    assert!(page.dom.contains("&lt;img src=x onerror=alert(1)&gt;"));

    // Markdown: markup escaped, a value stays in its cell and on its line.
    let md = std::fs::read_to_string(only_file(&reports, ".md")).unwrap();
    // Markup is either escaped (`\<img`) or inside a code span, where GitHub shows it as
    // text; never bare.
    for line in md.lines() {
        for (i, part) in line.split('`').enumerate() {
            let in_code = i % 2 == 1;
            assert!(
                in_code || !part.replace("\\<", "").contains('<'),
                "bare markup in Markdown: {line}"
            );
        }
    }
    for line in md.lines().filter(|l| l.contains("user/")) {
        assert!(!line.contains("pipe|user"), "an unescaped pipe: {line}");
    }
    assert!(!md.contains('\u{202e}') && !md.contains('\u{9b}'));

    // CSV, by the csv crate: no cell a spreadsheet would run.
    let mut reader = csv::Reader::from_path(only_file(&reports, ".csv")).unwrap();
    let mut rows = 0;
    for row in reader.records() {
        let row = row.expect("a well-formed CSV row");
        rows += 1;
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?}"
            );
        }
    }
    assert_eq!(rows, json["findings"].as_array().unwrap().len());

    // JUnit, by quick-xml: well-formed, the hostile name is text in an attribute.
    let junit = std::fs::read_to_string(only_file(&reports, ".junit.xml")).unwrap();
    let mut xml = quick_xml::Reader::from_str(&junit);
    let mut names = Vec::new();
    loop {
        match xml.read_event().expect("well-formed JUnit XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                for a in e.attributes() {
                    let a = a.unwrap();
                    if a.key.as_ref() == b"name" {
                        names.push(
                            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        names
            .iter()
            .any(|n| n.contains("<img src=x onerror=alert(1)>"))
    );

    // OCSF, by py-ocsf-models (strict): every event a valid Compliance Finding.
    let ocsf = std::fs::read_to_string(only_file(&reports, ".ocsf.json")).unwrap();
    let (verdicts, ok) = support::run_reader("ocsf_validate.py", &ocsf);
    assert!(ok && verdicts.lines().all(|l| l == "ok"), "{verdicts}");

    // OSCAL, by compliance-trestle's models: valid, and each hostile name a JSON string
    // read back whole in its observation.
    let oscal = std::fs::read_to_string(only_file(&reports, ".oscal.json")).unwrap();
    let (said, ok) = support::validate_oscal(&oscal);
    assert!(ok, "OSCAL: {said}");
    let oscal: Value = serde_json::from_str(&oscal).unwrap();
    let titles: Vec<&str> = oscal["assessment-results"]["results"][0]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    for user in HOSTILE_USERS {
        assert!(
            titles.iter().any(|t| t.ends_with(&format!("user/{user}"))),
            "{user} is not whole in {titles:?}"
        );
    }

    // Metrics, by prometheus_client's parser.
    let prom = std::fs::read_to_string(&metrics).unwrap();
    let (families, ok) = support::run_reader("prom_parse.py", &prom);
    assert!(ok, "prometheus_client refused:\n{prom}");
    assert!(families.contains("tomscan_score"));

    // The terminal: the table, with evidence, carries no control or bidi character.
    let table = tomscan(
        &moto,
        &[
            "--region",
            "eu-west-1",
            "--checks",
            "IAM-06,ACCT-03",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "table",
            "--details",
        ],
    );
    assert!(table.stdout.contains("pipe|user"), "{}", table.stdout);
    for c in table.stdout.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{c:?} reached the terminal"
        );
    }
}

/// Trace logs go to CI output and log stores: they name calls, never carry what AWS
/// answered (the credential report, policy documents, the account's resources).
#[tokio::test(flavor = "multi_thread")]
async fn trace_logs_do_not_carry_response_bodies() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let out = run::tomscan(["scan", "--region", "eu-west-1", "--checks", "IAM-06,IAM-05"])
        .args([
            "--output".as_ref(),
            dir.path().join("report.txt").as_os_str(),
        ])
        .env("RUST_LOG", "trace")
        .against(&moto)
        .run();
    let log = &out.stderr;
    assert!(log.contains("GetCredentialReport"), "trace logging is on");
    // "user,arn," base64-encoded: the credential report's header; and an IAM answer.
    for body in [
        "dXNlcixhcm4s",
        "<ListUsersResponse",
        "<GetCredentialReportResponse",
    ] {
        assert!(!log.contains(body), "a response body in the log: {body}");
    }
}
