//! The command line without AWS: the catalogue commands, offline evaluation of a saved
//! inventory, attestations, custom frameworks, and what bad input gets.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::run::{Run, Tomscan};

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn tomscan(args: &[&str]) -> Run {
    support::run::tomscan(args)
        .dir(env!("CARGO_MANIFEST_DIR"))
        .run()
}

/// `tomscan evaluate` of the saved demo inventory, as JSON.
fn evaluate(extra: &[&str]) -> (Run, Value) {
    let inv = project("mocks/inventories/demo.json");
    let mut args = vec!["evaluate", inv.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let out = tomscan(&args);
    let report = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}

fn finding<'a>(r: &'a Value, check: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == check)
        .unwrap_or_else(|| panic!("no {check} finding"))
}

#[test]
fn examples_are_valid_and_current() {
    let config = tomscan::config::Config::load(Some(&project("examples/tomscan.toml"))).unwrap();
    assert_eq!(
        config,
        tomscan::config::Config::default(),
        "the example shows the defaults"
    );
    let fw = tomscan::framework::Framework::builtin();
    let att =
        tomscan::attest::Attestations::load(&project("examples/attestations.toml"), &fw).unwrap();
    assert_eq!(att.len(), 3);
    let waivers = tomscan::waiver::Waivers::load(
        &project("examples/waivers.toml"),
        chrono::Utc::now().date_naive(),
    )
    .unwrap();
    assert!(!waivers.is_empty());
    tomscan::framework::Framework::load(&project("examples/frameworks/iso27001-annex-a.toml"))
        .unwrap();
    // `tomscan permissions` prints what tests/generated.rs holds examples/iam-policy.json to.
    let policy = tomscan(&["permissions"]);
    assert_eq!(
        policy.stdout.clone(),
        std::fs::read_to_string(project("examples/iam-policy.json")).unwrap(),
    );
}

#[test]
fn the_published_schema_is_the_reports_own() {
    let printed: Value = serde_json::from_str(&tomscan(&["schema"]).stdout).unwrap();
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(project("schema/report.schema.json")).unwrap(),
    )
    .unwrap();
    // tests/generated.rs keeps the file current; this holds the command to it.
    assert_eq!(printed, published);
    // Every key of a real report is declared, and every required key is present.
    let (_, report) = evaluate(&[]);
    let props = published["properties"].as_object().unwrap();
    for key in report.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "{key} is not in the schema");
    }
    for key in published["required"].as_array().unwrap() {
        assert!(
            report.get(key.as_str().unwrap()).is_some(),
            "{key} missing from the report"
        );
    }
    let finding = &published["$defs"]["Finding"]["properties"];
    for key in report["findings"][0].as_object().unwrap().keys() {
        assert!(
            finding.get(key).is_some(),
            "finding.{key} is not in the schema"
        );
    }
}

#[test]
fn catalogue_commands_print_the_checks_own_metadata() {
    let list = tomscan(&["checks", "--format", "json"]);
    let checks: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(checks.as_array().unwrap().len(), tomscan::checks::ALL.len());
    let explain = tomscan(&["explain", "iam-03"]).stdout.clone();
    for needle in [
        "IAM-03",
        "Root account has MFA enabled",
        "4.d",
        "iam:GetAccountSummary",
        "CIS AWS 1.5",
    ] {
        assert!(explain.contains(needle), "{needle}: {explain}");
    }
    let unknown = tomscan(&["explain", "IAM-99"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.clone().contains("IAM-99"));
    // Least privilege follows the selection.
    let policy: Value =
        serde_json::from_str(&tomscan(&["permissions", "--checks", "S3-01"]).stdout).unwrap();
    let actions = &policy["Statement"][0]["Action"];
    assert_eq!(
        actions,
        &serde_json::json!([
            "ec2:DescribeRegions",
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListAliases",
            "kms:ListKeys",
            "s3:GetBucketLocation",
            "s3:GetEncryptionConfiguration",
            "s3:ListAllMyBuckets",
            "sts:GetCallerIdentity"
        ])
    );
}

#[test]
fn a_saved_inventory_is_judged_again_offline() {
    let (out, r) = evaluate(&[]);
    assert_eq!(out.code, 3, "{}", out.stderr.clone());
    assert!(r["findings"].as_array().unwrap().len() > 100);
    let failing_console_users: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "IAM-06" && f["status"] == "fail")
        .collect();
    assert_eq!(failing_console_users.len(), 1);
    assert_eq!(
        failing_console_users[0]["resource"],
        "arn:aws:iam::123456789012:user/tom.baker"
    );
    assert_eq!(r["stats"]["requests"], 0, "no AWS request offline");
    // Another threshold, another verdict, same facts.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("tomscan.toml");
    std::fs::write(&conf, "[thresholds]\npassword_min_length = 12\n").unwrap();
    let (_, r) = evaluate(&["--config", conf.to_str().unwrap()]);
    assert_eq!(finding(&r, "IAM-07")["status"], "pass");
}

#[test]
fn attestations_turn_manual_into_attested_until_they_expire() {
    let (_, r) = evaluate(&["--attestations", "examples/attestations.toml"]);
    let attested = finding(&r, "ORG-1.c");
    assert_eq!(attested["status"], "attested");
    assert_eq!(attested["evidence"]["attested_by"], "Jane Roe, CISO");
    assert!(
        attested["message"]
            .as_str()
            .unwrap()
            .contains("ISMS-POL-001")
    );
    assert_eq!(finding(&r, "ORG-1.a")["status"], "manual");
    let section = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "1")
        .unwrap();
    assert_eq!(section["counts"]["attested"], 2);

    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.toml");
    std::fs::write(
        &old,
        "[[attestation]]\nmeasure = \"1.c\"\nattested_by = \"A. Former\"\ndate = 2024-01-01\nreference = \"POL-1\"\nexpires = 2025-01-01\n",
    )
    .unwrap();
    let (out, r) = evaluate(&["--attestations", old.to_str().unwrap()]);
    let expired = finding(&r, "ORG-1.c");
    assert_eq!(expired["status"], "manual");
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2025-01-01")
    );
    assert!(
        out.stderr.clone().contains("expired"),
        "a warning on stderr"
    );
}

#[test]
fn a_custom_framework_keys_the_report_to_its_own_numbering() {
    let (out, r) = evaluate(&["--framework", "examples/frameworks/iso27001-annex-a.toml"]);
    assert!(r.is_object(), "{}", out.stderr.clone());
    assert_eq!(r["framework"]["id"], "iso27001-2022-annex-a");
    assert_eq!(
        finding(&r, "IAM-06")["sections"],
        serde_json::json!(["A.8.5"])
    );
    let ids: Vec<&str> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"A.8") && ids.contains(&"A.8.24") && !ids.contains(&"4.c"),
        "{ids:?}"
    );
    // Only the mapped checks ran.
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check_id"] != "GD-01")
    );
}

#[test]
fn bad_input_is_a_usage_error_naming_file_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let bad = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let conf = bad(
        "tomscan.toml",
        "regions = [\"eu-west-1\"]\n[thresholds]\npasword_min_length = 10\n",
    );
    let (out, _) = evaluate(&["--config", &conf]);
    let err = out.stderr.clone();
    assert_eq!(out.code, 2);
    assert!(
        err.contains(&conf) && err.contains("line 3") && err.contains("pasword_min_length"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing written half-way");

    let fw = bad(
        "fw.toml",
        "id = \"x\"\ntitle = \"x\"\n[[section]]\nid = \"1\"\ntitle = \"t\"\nchecks = [\"NOPE-01\"]\n",
    );
    let (out, _) = evaluate(&["--framework", &fw]);
    let err = out.stderr.clone();
    assert_eq!(out.code, 2);
    assert!(
        err.contains(&format!("{fw}:6:")) && err.contains("NOPE-01"),
        "{err}"
    );

    let att = bad(
        "att.toml",
        "[[attestation]]\nmeasure = \"4.c\"\nattested_by = \"x\"\ndate = 2026-01-01\nreference = \"r\"\nexpires = 2027-01-01\n",
    );
    let (out, _) = evaluate(&["--attestations", &att]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.clone().contains(&format!("{att}:2:")),
        "{}",
        out.stderr.clone()
    );

    let out = tomscan(&["scan", "--fail-under", "120"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.clone().contains("outside 0-100"));
    let out = tomscan(&[
        "scan",
        "--checks",
        "IAM-99",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.clone().contains("IAM-99"));

    // An output file that cannot be written leaves nothing behind.
    let target = dir.path().join("missing-dir/report.json");
    let (out, _) = evaluate(&["--output", target.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(!target.exists());
}

/// A file that is not there is named once, with the system's reason said once (the
/// reason is both the message's tail and its cause; it was printed twice).
#[test]
fn a_missing_input_is_named_with_its_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    let gone = gone.to_str().unwrap();
    let demo = project("mocks/inventories/demo.json");
    let demo = demo.to_str().unwrap();
    for args in [
        vec!["diff", gone, gone],
        vec!["merge", gone],
        vec!["evaluate", gone],
        vec!["evaluate", demo, "--waivers", gone],
        vec!["evaluate", demo, "--config", gone],
    ] {
        let out = tomscan(&args);
        let err = out.stderr.clone();
        assert_eq!(out.code, 2, "{args:?}: {err}");
        assert!(err.contains(gone), "{args:?}: {err}");
        assert_eq!(
            err.matches("No such file or directory").count(),
            1,
            "{args:?}: {err}"
        );
    }
}

/// A report given as a pipe (`diff <(cat old.json) new.json`) cannot be read twice as a
/// file is streamed: it is read whole, within the limit, and compared as the file.
#[test]
fn a_report_given_as_a_pipe_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let (out, _) = evaluate(&["--output", report.to_str().unwrap()]);
    assert!(report.exists(), "{}", out.stderr);
    let pipe = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status();
    assert!(made.is_ok_and(|s| s.success()));
    let (to, from) = (pipe.clone(), report.clone());
    // Blocks until tomscan opens the pipe; left behind if it never does (the test fails).
    let writer = std::thread::spawn(move || std::fs::write(to, std::fs::read(from).unwrap()));
    let out = tomscan(&["diff", pipe.to_str().unwrap(), report.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("0 new failure(s), 0 resolved"),
        "{}",
        out.stdout
    );
    writer.join().unwrap().unwrap();
}

#[test]
fn hostile_names_cannot_reach_the_terminal() {
    let mut inv: Value = serde_json::from_str(
        &std::fs::read_to_string(project("mocks/inventories/demo.json")).unwrap(),
    )
    .unwrap();
    let users = inv["iam"]["credential_report"]["ok"]["users"]
        .as_array_mut()
        .unwrap();
    users[0]["user"] = "evil\u{1b}]0;owned\u{7}\u{1b}[2J".into();
    users[0]["arn"] = "arn:aws:iam::123456789012:user/evil\u{1b}[31m\u{202e}txt.exe".into();
    users[0]["password_enabled"] = true.into();
    users[0]["mfa_active"] = false.into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inv.json");
    std::fs::write(&path, inv.to_string()).unwrap();
    let out = tomscan(&["evaluate", path.to_str().unwrap(), "--format", "table"]);
    let table = out.stdout.clone();
    assert!(
        table.contains("user/evil[31m"),
        "the finding is shown, defanged:\n{table}"
    );
    assert!(!table.contains('\u{1b}') && !table.contains('\u{202e}') && !table.contains('\u{7}'));
}

/// A minimal inventory (current format) with `body` merged in, written to a temp file.
fn inventory_file(dir: &Path, body: Value) -> PathBuf {
    let mut inv = serde_json::json!({
        "format_version": tomscan::inventory::INVENTORY_FORMAT_VERSION,
        "account_id": "123456789012",
        "regions": ["eu-west-1"],
    });
    for (k, v) in body.as_object().unwrap() {
        inv[k] = v.clone();
    }
    let path = dir.join("inventory.json");
    std::fs::write(&path, inv.to_string()).unwrap();
    path
}

#[test]
fn evaluate_refuses_an_inventory_format_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    for (version, says) in [(1, "older tomscan"), (99, "newer tomscan")] {
        let path = inventory_file(dir.path(), serde_json::json!({ "format_version": version }));
        let out = tomscan(&["evaluate", path.to_str().unwrap()]);
        let err = out.stderr.clone();
        assert_eq!(out.code, 2, "format {version}: {err}");
        assert!(
            err.contains(&format!("inventory format {version}")) && err.contains(says),
            "format {version}: {err}"
        );
        assert!(out.stdout.is_empty(), "nothing is reported from it");
    }
}

/// An inventory collected in January 2020 is judged as of then: a key rotated nine
/// days before the collection is young, however old it is today.
#[test]
fn evaluate_judges_ages_as_of_the_collection() {
    let dir = tempfile::tempdir().unwrap();
    let path = inventory_file(
        dir.path(),
        serde_json::json!({
            "collected_at": "2020-01-10T00:00:00Z",
            "iam": { "credential_report": { "ok": { "users": [{
                "user": "ci", "arn": "arn:aws:iam::123456789012:user/ci",
                "created": "2019-01-01T00:00:00Z",
                "access_keys": [{ "active": true, "last_rotated": "2020-01-01T00:00:00Z",
                                  "last_used": "2020-01-09T00:00:00Z" }]
            }] } } }
        }),
    );
    let out = tomscan(&[
        "evaluate",
        path.to_str().unwrap(),
        "--checks",
        "IAM-15",
        "--format",
        "json",
    ]);
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(finding(&r, "IAM-15")["status"], "pass", "{r:#}");
    assert_eq!(r["scanned_at"], "2020-01-10T00:00:00Z");
}

/// EC2-05 over an inventory of no region judged nothing at all: that is an `error`
/// finding (exit 3), never a report that silently lacks the check.
#[test]
fn a_selected_check_with_nothing_to_judge_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = inventory_file(
        dir.path(),
        serde_json::json!({ "collected_at": "2026-11-27T00:00:00Z", "regions": [] }),
    );
    let out = tomscan(&[
        "evaluate",
        path.to_str().unwrap(),
        "--checks",
        "EC2-05",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr.clone());
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = finding(&r, "EC2-05");
    assert_eq!(f["status"], "error");
    assert!(f["message"].as_str().unwrap().contains("nothing to judge"));
}

/// An endpoint that knows the caller but lists no region: nothing could be scanned, so
/// it is a run that could not happen (exit 2), not a clean report of nothing.
#[test]
fn an_account_that_lists_no_region_is_a_usage_error() {
    let endpoint = fake_aws(|body| {
        if body.contains("Action=GetCallerIdentity") {
            (200, CALLER)
        } else {
            (
                200,
                r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><regionInfo/></DescribeRegionsResponse>"#,
            )
        }
    });
    let out = scan_against(&endpoint)
        .envs(TEST_CREDENTIALS)
        .env("AWS_REGION", "us-east-1")
        .args(["--checks", "EC2-05", "--max-attempts", "1"])
        .run();
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(err.contains("no enabled region"), "{err}");
    assert!(out.stdout.is_empty());
}

const CALLER: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/audit</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;

/// An emulator's "not implemented" (moto's HTML 500) is not retried: the operation is
/// called once, even with five attempts allowed, and the check says `error`.
#[test]
fn an_api_the_emulator_lacks_fails_fast() {
    let endpoint = fake_aws(|body| {
        if body.contains("Action=GetCallerIdentity") {
            (200, CALLER)
        } else {
            (
                500,
                "<!doctype html><title>500 Internal Server Error</title>",
            )
        }
    });
    let out = scan_against(&endpoint)
        .envs(TEST_CREDENTIALS)
        .args(["--checks", "EC2-05", "--region", "eu-west-1"])
        .args(["--max-attempts", "5", "--format", "json"])
        .run();
    assert_eq!(out.code, 3, "{}", out.stderr.clone());
    let r: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(finding(&r, "EC2-05")["status"], "error");
    assert_eq!(
        r["stats"]["operations"]["EC2:GetEbsEncryptionByDefault"], 1,
        "{:#}",
        r["stats"]
    );
    assert_eq!(r["stats"]["retries"], 0);
}

const TEST_CREDENTIALS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// `tomscan scan` against `endpoint`, with no credentials from anywhere (add them with
/// `.envs(TEST_CREDENTIALS)`) and the developer's own AWS setup kept out.
fn scan_against(endpoint: &str) -> Tomscan {
    let mut cmd = support::run::tomscan(["scan"]).env("AWS_ENDPOINT_URL", endpoint);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        cmd = cmd.env_remove(var);
    }
    cmd
}

/// A one-purpose AWS endpoint on 127.0.0.1: answers each request with the status and
/// body of `answer(request body)` (XML for 200, HTML otherwise, as moto does).
fn fake_aws(answer: fn(&str) -> (u16, &'static str)) -> String {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let (status, payload) = answer(&String::from_utf8_lossy(&body));
            let kind = if status == 200 {
                "text/xml"
            } else {
                "text/html; charset=utf-8"
            };
            let mut stream = reader.into_inner();
            let _ = std::io::Write::write_all(
                &mut stream,
                format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
                    payload.len()
                )
                .as_bytes(),
            );
        }
    });
    url
}

/// Flags that cannot be right stop the run before any request, with the fix.
#[test]
fn impossible_flags_are_refused_before_scanning() {
    for attempts in ["0", "21"] {
        let out = tomscan(&["scan", "--max-attempts", attempts]);
        let err = out.stderr.clone();
        assert_eq!(out.code, 2, "{err}");
        assert!(err.contains("1..=20") || err.contains("1..21"), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("out.json");
    let same = dir.path().join(".").join("out.json");
    let out = tomscan(&[
        "scan",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
        "--save-inventory",
        same.to_str().unwrap(),
    ]);
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(err.contains("both name"), "{err}");
    assert!(!report.exists(), "nothing is written");
}

/// Error messages from outside (an endpoint, a file) reach stderr without escapes.
#[test]
fn errors_on_stderr_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("x\u{1b}[2J\u{202e}.json");
    std::fs::write(&evil, "{ not json").unwrap();
    let out = tomscan(&["evaluate", evil.to_str().unwrap()]);
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(err.contains("x[2J.json"), "{err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
}

/// No credentials anywhere is said as such, not as a connection failure.
#[test]
fn missing_credentials_are_named() {
    let endpoint = fake_aws(|_| (200, CALLER));
    let out = scan_against(&endpoint)
        .args(["--region", "eu-west-1", "--max-attempts", "1"])
        .run();
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(err.contains("no credentials found"), "{err}");
    assert!(!err.contains("ConnectionFailed"), "{err}");
}

/// One run, several formats, one file each in --output-dir, named by account and time;
/// several formats without a directory are refused before anything is written.
#[test]
fn several_formats_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("reports");
    let inv = project("mocks/inventories/demo.json");
    let out = tomscan(&[
        "evaluate",
        inv.to_str().unwrap(),
        "--format",
        "json,markdown,csv,junit,table,json",
        "--output-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr.clone());
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    for (name, ext) in names.iter().zip(["csv", "json", "junit.xml", "md", "txt"]) {
        assert!(
            name.starts_with("tomscan-123456789012-") && name.ends_with(&format!("Z.{ext}")),
            "{name}"
        );
    }
    let json = out_dir.join(&names[1]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(report["schema_version"], "2");

    let out = tomscan(&["evaluate", inv.to_str().unwrap(), "--format", "json,csv"]);
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(err.contains("--output-dir"), "{err}");
    assert!(out.stdout.is_empty());
}

/// The files of one run are written all or none: when one cannot be (here the Markdown
/// report's name is taken by a directory, then the metrics file's directory is missing),
/// the others are not written either, and the error names the file.
#[test]
fn the_files_of_one_run_are_written_all_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let inv = project("mocks/inventories/demo.json");
    let run = |out_dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            inv.to_str().unwrap(),
            "--format",
            "json,markdown",
            "--output-dir",
            out_dir.to_str().unwrap(),
        ];
        args.extend(extra);
        tomscan(&args)
    };
    let names = |d: &Path| -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    // The names a run gives (they follow the inventory's collection time).
    let first = dir.path().join("first");
    assert_eq!(run(&first, &[]).code, 3);
    let written = names(&first);
    let markdown = written.iter().find(|n| n.ends_with(".md")).unwrap();

    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join(markdown)).unwrap();
    let out = run(&blocked, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(markdown.as_str()) && out.stderr.contains("no output of this run"),
        "{}",
        out.stderr
    );
    assert_eq!(
        names(&blocked).join(","),
        *markdown,
        "no JSON report beside it"
    );

    let fresh = dir.path().join("fresh");
    let metrics = dir.path().join("missing/metrics.prom");
    let out = run(&fresh, &["--metrics", metrics.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("metrics.prom"), "{}", out.stderr);
    // Found out before the run: not even the output directory is made.
    assert!(!fresh.exists(), "{:?}", names(&fresh));
}

/// The terminal side: exit codes in --help, completions, a manual page, details on
/// demand, and no colour codes when stdout is not a terminal.
#[test]
fn help_completions_man_and_details() {
    for args in [&["--help"][..], &["scan", "--help"]] {
        let help = tomscan(args).stdout.clone();
        assert!(
            help.contains("Exit codes:") && help.contains("--fail-under SCORE"),
            "{help}"
        );
    }
    let bash = tomscan(&["completions", "bash"]);
    assert_eq!(bash.code, 0);
    assert!(bash.stdout.clone().contains("_tomscan()"));
    let man = tomscan(&["man"]);
    assert!(
        man.stdout.clone().starts_with(".ie"),
        "{}",
        man.stdout.clone()
    );
    assert!(man.stdout.clone().contains(".TH tomscan"));

    let inv = project("mocks/inventories/demo.json");
    let plain = tomscan(&["evaluate", inv.to_str().unwrap()]);
    let table = plain.stdout.clone();
    assert!(!table.contains('\u{1b}'), "no ANSI codes into a pipe");
    assert!(!table.contains("fix: "));
    let detailed = tomscan(&["evaluate", inv.to_str().unwrap(), "--details"]).stdout;
    assert!(detailed.contains("evidence: ") && detailed.contains("fix: "));
}

/// `--metrics` writes the Prometheus file beside any report format (here OCSF files in
/// --output-dir), from `tomscan evaluate` too; it may not name the report's own file.
#[test]
fn metrics_are_written_beside_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("tomscan.prom");
    let inv = project("mocks/inventories/demo.json");
    let out = tomscan(&[
        "evaluate",
        inv.to_str().unwrap(),
        "--format",
        "ocsf,json",
        "--output-dir",
        dir.path().to_str().unwrap(),
        "--metrics",
        metrics.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr.clone());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let ocsf = names
        .iter()
        .find(|n| n.ends_with(".ocsf.json"))
        .unwrap_or_else(|| panic!("no OCSF file in {names:?}"));
    let json = names
        .iter()
        .find(|n| n.ends_with(".json") && !n.ends_with(".ocsf.json"))
        .unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(json)).unwrap()).unwrap();
    let events: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(ocsf)).unwrap()).unwrap();
    assert_eq!(
        events.as_array().unwrap().len(),
        report["findings"].as_array().unwrap().len()
    );
    let prom = std::fs::read_to_string(&metrics).unwrap();
    let overall = format!(
        "tomscan_score{{framework=\"collab-tom\",section=\"\"}} {}\n",
        report["score"]
    );
    assert!(prom.contains(&overall), "{overall} not in\n{prom}");

    let same = dir.path().join(".").join("tomscan.prom");
    let out = tomscan(&[
        "evaluate",
        inv.to_str().unwrap(),
        "-o",
        metrics.to_str().unwrap(),
        "--metrics",
        same.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr.clone());
    assert!(out.stderr.clone().contains("both name"));
}

/// The release profile compiles every AWS SDK service crate at opt-level 0, and the fleet
/// profile at 3 (Cargo.toml, README "Build time"): a service crate added without its
/// entries would quietly cost minutes of every cold release build, or leave the fleet
/// build's scans at the slower code.
#[test]
fn every_sdk_service_crate_has_its_release_and_fleet_opt_levels() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(project("Cargo.toml")).unwrap()).unwrap();
    let services: Vec<&String> = manifest["dependencies"]
        .as_table()
        .unwrap()
        .keys()
        .filter(|name| name.starts_with("aws-sdk-"))
        .collect();
    assert!(services.len() > 10, "{services:?}");
    assert_eq!(
        manifest["profile"]["fleet"]["inherits"].as_str(),
        Some("release"),
        "Cargo.toml: [profile.fleet] inherits = \"release\""
    );
    for (profile, level) in [("release", 0), ("fleet", 3)] {
        let packages = manifest["profile"][profile]["package"].as_table().unwrap();
        for name in &services {
            assert_eq!(
                packages
                    .get(name.as_str())
                    .and_then(|p| p.get("opt-level"))
                    .and_then(toml::Value::as_integer),
                Some(level),
                "Cargo.toml: add [profile.{profile}.package.{name}] with opt-level = {level}"
            );
        }
        for name in packages.keys() {
            assert!(
                services.contains(&name),
                "Cargo.toml: [profile.{profile}.package.{name}] names no AWS SDK dependency"
            );
        }
    }
}

/// Inputs no one would write: nested past any real document, or larger than any real
/// file (sparse, so the test writes nothing), or endless (`/dev/zero`). Each gets a clear
/// error naming the file, exit 2, at once and in little memory; never a stack overflow,
/// a terminal filled with the input, or a read of gigabytes.
#[test]
fn hostile_inputs_at_scale_get_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let sparse = |name: &str, len: u64| {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        p.to_str().unwrap().to_string()
    };
    let depth = 200_000;
    let deep_toml = file(
        "deep.toml",
        &format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    let deep_table = file(
        "deep-table.toml",
        &format!("x = {}1{}\n", "{a=".repeat(depth), "}".repeat(depth)),
    );
    let deep_json = file(
        "deep.json",
        &format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
    );
    let huge_toml = sparse("huge.toml", 100 << 20);
    let huge_json = sparse("huge.json", (1 << 30) + 1);
    let demo = project("mocks/inventories/demo.json");
    let demo = demo.to_str().unwrap();
    let inventory = |flag: &str, path: &str| {
        vec![
            "evaluate".to_string(),
            demo.to_string(),
            flag.to_string(),
            path.to_string(),
        ]
    };
    let mut cases: Vec<(Vec<String>, String, &str)> = Vec::new();
    for flag in ["--waivers", "--attestations", "--framework", "--config"] {
        for deep in [&deep_toml, &deep_table] {
            cases.push((inventory(flag, deep), deep.clone(), "recursion"));
        }
        cases.push((
            inventory(flag, &huge_toml),
            huge_toml.clone(),
            "larger than 16 MiB",
        ));
        cases.push((
            inventory(flag, "/dev/zero"),
            "/dev/zero".into(),
            "larger than 16 MiB",
        ));
    }
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    cases.push((
        words(&["evaluate", &huge_json]),
        huge_json.clone(),
        "larger than 1 GiB",
    ));
    cases.push((
        words(&["evaluate", &deep_json]),
        deep_json.clone(),
        "recursion limit",
    ));
    // A report is streamed, never held whole, so its size is no reason to refuse it: a
    // gigabyte of zeros is refused at its first byte, a deep array as no object at its
    // first, and a report whose findings nest deep at the findings.
    let deep_findings = file(
        "deep-findings.json",
        &format!(
            r#"{{"schema_version": "2", "findings": {}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    for (path, why) in [
        (
            &huge_json,
            "not a tomscan JSON report: expected value at line 1 column 1",
        ),
        (
            &deep_json,
            "not a tomscan JSON report: it is no JSON object",
        ),
        (&deep_findings, "not a tomscan JSON report: invalid type"),
    ] {
        cases.push((words(&["diff", path, path]), path.clone(), why));
        cases.push((words(&["merge", path]), path.clone(), why));
    }
    for (args, path, why) in cases {
        let out = tomscan(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = out.stderr.clone();
        assert_eq!(out.code, 2, "{args:?}: {err}");
        assert!(err.contains(&path) && err.contains(why), "{args:?}: {err}");
        assert!(
            err.len() < 1_000,
            "{args:?}: the input is not quoted whole: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// A tmpfs at `dir` with `options` (root only, and where the machine allows mounts);
/// unmounted when dropped. `None` where it cannot be mounted.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, options: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// An output directory or file that cannot take the reports is refused before the run
/// (a dangling symlink, a directory nobody can write), or, when the disk fills while
/// writing, with nothing of the run left behind. A symlink to a directory is followed.
#[test]
fn output_paths_that_cannot_take_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], expect: &[&str]| {
        let (out, _) = evaluate(args);
        let err = out.stderr.clone();
        assert_eq!(out.code, 2, "{args:?}: {err}");
        for e in expect {
            assert!(err.contains(e), "{args:?}: {e:?} not in {err}");
        }
        assert!(out.stdout.is_empty());
    };
    let formats = ["--format", "json", "--format", "html"];

    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let d = dangling.to_str().unwrap();
    refused(
        &[&formats[..], &["--output-dir", d]].concat(),
        &[d, "is a symlink to", "nowhere", "does not exist"],
    );
    assert!(!dir.path().join("nowhere").exists(), "nothing is created");

    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (out, _) = evaluate(&[&formats[..], &["--output-dir", link.to_str().unwrap()]].concat());
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(
        std::fs::read_dir(&real).unwrap().count(),
        2,
        "written where the link points"
    );

    // Not writable by anyone, root included.
    refused(
        &[&formats[..], &["--output-dir", "/proc"]].concat(),
        &["--output-dir /proc: cannot write into /proc"],
    );
    refused(
        &["--output", "/proc/tomscan.json"],
        &["--output /proc/tomscan.json: cannot write into /proc"],
    );
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let under_file = file.join("reports");
    refused(
        &["--output-dir", under_file.to_str().unwrap()],
        &["is not a directory"],
    );

    // A full device: the error says so, and says nothing was written.
    refused(
        &["--output", "/dev/full"],
        &[
            "cannot write /dev/full",
            "no output of this run was written",
            "No space left",
        ],
    );

    let read_only = dir.path().join("read-only");
    if let Some(_mounted) = Tmpfs::mount(&read_only, "ro,size=1m") {
        let r = read_only.to_str().unwrap();
        refused(
            &[&formats[..], &["--output-dir", r]].concat(),
            &["cannot write into", r, "Read-only file system"],
        );
    } else {
        eprintln!(
            "no tmpfs (not root, or mounts not allowed): the read-only case is covered by /proc"
        );
    }
    let full = dir.path().join("full");
    if let Some(_mounted) = Tmpfs::mount(&full, "size=64k") {
        let f = full.to_str().unwrap();
        let metrics = full.join("tomscan.prom");
        refused(
            &[
                &formats[..],
                &["--output-dir", f, "--metrics", metrics.to_str().unwrap()],
            ]
            .concat(),
            &["no output of this run was written", "No space left"],
        );
        assert_eq!(
            std::fs::read_dir(&full).unwrap().count(),
            0,
            "no report, no metrics and no temporary file on the full disk"
        );
    } else {
        eprintln!(
            "no tmpfs (not root, or mounts not allowed): the full-disk case is covered by /dev/full"
        );
    }
}

/// Two runs writing the same paths at once: each file is one run's whole, never an
/// interleaving of both.
#[test]
fn two_runs_writing_the_same_paths_leave_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let demo = project("mocks/inventories/demo.json");
    let demo = demo.to_str().unwrap().to_string();
    // Two runs whose reports differ, under the same names: the whole catalogue, and one check.
    let selections: [&[&str]; 2] = [&[], &["--checks", "IAM-01"]];
    let run = move |k: usize, report: &Path, out_dir: &Path| {
        let both = ["--format", "json", "--format", "markdown", "--output-dir"];
        let a = tomscan(
            &[
                &["evaluate", &demo],
                selections[k],
                &both,
                &[out_dir.to_str().unwrap()],
            ]
            .concat(),
        );
        let one = ["--format", "json", "--output", report.to_str().unwrap()];
        let b = tomscan(&[&["evaluate", &demo], selections[k], &one].concat());
        assert!(a.code == 3 || a.code == 0, "{}", a.stderr);
        assert_eq!(a.code, b.code, "{}", b.stderr);
    };
    let mut expected: Vec<Vec<(String, Vec<u8>)>> = Vec::new();
    for k in 0..2 {
        let alone = dir.path().join(format!("alone-{k}"));
        run(k, &alone.join("report.json"), &alone);
        let files = support::dir_contents(&alone);
        assert_eq!(files.len(), 3, "{files:?}");
        expected.push(files);
    }
    assert_ne!(expected[0], expected[1]);
    let shared = dir.path().join("shared");
    for round in 0..6 {
        let runs: Vec<_> = (0..2)
            .map(|k| {
                let shared = shared.clone();
                let run = run.clone();
                std::thread::spawn(move || run(k, &shared.join("report.json"), &shared))
            })
            .collect();
        for r in runs {
            r.join().unwrap();
        }
        let written = support::dir_contents(&shared);
        for file in &written {
            assert!(
                expected.iter().any(|files| files.contains(file)),
                "round {round}: {} is not one run's whole file",
                file.0
            );
        }
        let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
            files.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(
            names(&written),
            names(&expected[0]),
            "round {round}: no temporary file is left"
        );
    }
}

/// A region name that is not a region stops the run before the account is read: a typo
/// in the shape of a name (`eu-west1`) before any request, one in the shape of a region
/// (`xx-fake-1`) once AWS's list of regions says so. Neither is scanned as an empty region.
#[test]
fn a_region_that_does_not_exist_is_refused() {
    let endpoint = fake_aws(|body| {
        if body.contains("Action=GetCallerIdentity") {
            (200, CALLER)
        } else if body.contains("Action=DescribeRegions") && body.contains("AllRegions=true") {
            (
                200,
                r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId><regionInfo><item><regionName>eu-west-1</regionName></item><item><regionName>us-east-1</regionName></item><item><regionName>cn-north-1</regionName></item></regionInfo></DescribeRegionsResponse>"#,
            )
        } else {
            (500, "<title>500 Internal Server Error</title>")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = scan_against(&endpoint)
        .envs(TEST_CREDENTIALS)
        .args(["--region", "xx-fake-1", "--region", "eu-west-1"])
        .args(["--format", "json", "--output", report.to_str().unwrap()])
        .run();
    let err = out.stderr.clone();
    assert_eq!(out.code, 2, "{err}");
    assert!(
        err.contains("xx-fake-1 is not an AWS region")
            && err.contains("knows eu-west-1, us-east-1 ("),
        "{err}"
    );
    assert!(!report.exists(), "nothing is written");
    // Another partition's region, though the endpoint names it, is none of this account's.
    let out = scan_against(&endpoint)
        .envs(TEST_CREDENTIALS)
        .args(["--region", "cn-north-1"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "cn-north-1 is a region of the aws-cn partition, and these credentials are of aws"
        ),
        "{}",
        out.stderr
    );

    let out = scan_against("http://127.0.0.1:9")
        .envs(TEST_CREDENTIALS)
        .args(["--region", "eu-west1"])
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("'eu-west1'") && out.stderr.contains("such as eu-central-1"),
        "{}",
        out.stderr
    );
}

/// Issue #17: an organization's findings spilled to disk (`TOMSCAN_SPILL_AFTER=0`: every
/// finding as it comes, then the waived report's again) make reports
/// byte-equal, in every format, to those of findings held in memory; the waivers
/// (one in force in several accounts as of the inventories' collection, one expired)
/// act the same across the spill.
#[test]
fn findings_spilled_to_disk_make_the_same_reports() {
    let inventories = support::demo_inventories(12);
    let config = tempfile::tempdir().unwrap();
    let waivers = config.path().join("waivers.toml");
    std::fs::write(
        &waivers,
        r#"
[[waiver]]
check = "BAK-01"
reason = "backups planned"
approved_by = "Security lead"
expires = 2027-06-30

[[waiver]]
check = "EC2-13"
account = "100000000003"
reason = "gone"
approved_by = "Security lead"
expires = 2020-01-01
"#,
    )
    .unwrap();
    let run = |spill_after: &str| {
        let out = tempfile::tempdir().unwrap();
        let mut run = support::run::tomscan(["evaluate", inventories.path().to_str().unwrap()])
            .args(["--waivers", waivers.to_str().unwrap()])
            .args(["--output-dir", out.path().to_str().unwrap()])
            .args([
                "--metrics",
                out.path().join("tomscan.prom").to_str().unwrap(),
            ])
            .env("TOMSCAN_SPILL_AFTER", spill_after)
            .args(["-v"]);
        for format in [
            "json", "csv", "ocsf", "junit", "html", "markdown", "table", "oscal",
        ] {
            run = run.args(["--format", format]);
        }
        let done = run.run();
        assert_eq!(done.code, 3, "{}", done.stderr);
        assert!(
            done.stderr.contains("waiver expired"),
            "the expired waiver warns: {}",
            done.stderr
        );
        let spilled = done
            .stderr
            .contains("findings spilled to the temporary directory");
        assert_eq!(spilled, spill_after == "0", "{}", done.stderr);
        support::dir_contents(out.path())
    };
    let in_memory = run("1000000");
    let on_disk = run("0");
    assert_eq!(in_memory.len(), 9, "eight formats and the metrics");
    let json = in_memory
        .iter()
        .find(|(name, _)| {
            name.ends_with(".json") && !name.contains("ocsf") && !name.contains("oscal")
        })
        .map(|(_, bytes)| serde_json::from_slice::<Value>(bytes).unwrap())
        .unwrap();
    let statuses = |check: &str| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check_id"] == check)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect()
    };
    let bak = statuses("BAK-01");
    assert_eq!(
        bak.iter().filter(|s| *s == "waived").count(),
        12 * 7,
        "waived in every account"
    );
    assert!(!bak.iter().any(|s| s == "fail"));
    assert!(
        statuses("EC2-13").iter().all(|s| s == "fail"),
        "expired: fails"
    );
    assert_eq!(json["accounts"].as_array().unwrap().len(), 12);
    for ((name, memory), (same, disk)) in in_memory.iter().zip(&on_disk) {
        assert_eq!(name, same);
        assert!(
            memory == disk,
            "{name} differs when the findings are spilled"
        );
    }

    // `diff` reads both reports into the spill and pairs them in one merged pass: the
    // same changes either way, one failure resolved and one new.
    let old = config.path().join("old.json");
    std::fs::write(&old, serde_json::to_vec(&json).unwrap()).unwrap();
    let mut newer = json.clone();
    let findings = newer["findings"].as_array_mut().unwrap();
    let fixed = findings.iter().position(|f| f["status"] == "fail").unwrap();
    findings[fixed]["status"] = "pass".into();
    let broken = findings
        .iter()
        .rposition(|f| f["status"] == "pass")
        .unwrap();
    findings[broken]["status"] = "fail".into();
    let new = config.path().join("new.json");
    std::fs::write(&new, serde_json::to_vec(&newer).unwrap()).unwrap();
    let diff = |spill_after: &str| {
        let run = support::run::tomscan(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
            .args(["--format", "json"])
            .env("TOMSCAN_SPILL_AFTER", spill_after)
            .run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    };
    let held = diff("1000000");
    assert_eq!(held["new_failures"].as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held["resolved"].as_array().unwrap().len(), 1, "{held}");
    assert_eq!(diff("0"), held);
}
