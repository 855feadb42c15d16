//! Layer 3: the built binary against a seeded `moto_server`, judged by its JSON report.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{Moto, load_scenario, scenario_path, seed, seeded, tomscan};

fn region_args(regions: &[String]) -> Vec<&str> {
    regions
        .iter()
        .flat_map(|r| ["--region", r.as_str()])
        .collect()
}

fn findings<'a>(report: &'a Value, check: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == check)
        .collect()
}

/// The resources of `check` with `status`.
fn resources(report: &Value, check: &str, status: &str) -> BTreeSet<String> {
    findings(report, check)
        .into_iter()
        .filter(|f| f["status"] == status)
        .map(|f| f["resource"].as_str().unwrap().to_string())
        .collect()
}

fn section<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no section {id} in the report"))
}

#[tokio::test(flavor = "multi_thread")]
async fn noncompliant_account_fails_in_the_right_measures() {
    let (moto, regions) = seeded("noncompliant").await;
    let scan = tomscan(&moto, &region_args(&regions));
    let r = &scan.report;
    assert!(r.is_object(), "no report; stderr:\n{}", scan.stderr);
    let acct = "123456789012";
    let user = |n: &str| format!("arn:aws:iam::{acct}:user/{n}");
    let expect = |check: &str, want: &[String]| {
        let got = resources(r, check, "fail");
        let want: BTreeSet<String> = want.iter().cloned().collect();
        assert_eq!(got, want, "{check} failing resources");
    };
    // 4.b, 4.a
    expect("IAM-04", &[user("bob")]);
    expect("IAM-05", &[user("carol"), user("dave")]);
    // 4.c: a policy exists but is weak on every count
    for id in ["IAM-07", "IAM-08", "IAM-09", "IAM-10"] {
        expect(
            id,
            &[format!("arn:aws:iam::{acct}:account-password-policy")],
        );
    }
    // 4.d: root MFA from the account summary (moto has no root row), console MFA, ports
    expect("IAM-03", &[format!("arn:aws:iam::{acct}:root")]);
    expect("IAM-06", &[user("alice")]);
    let open = resources(r, "EC2-03", "fail");
    assert_eq!(open.len(), 2, "ssh-open and rdp-open-v6: {open:?}");
    assert!(
        resources(r, "EC2-03", "pass").len() >= 2,
        "web and the default group pass"
    );
    // 4.f
    expect("CT-01", &[format!("arn:aws:iam::{acct}:root")]);
    assert_eq!(resources(r, "CT-02", "fail").len(), 1);
    // 6
    expect("S3-01", &["arn:aws:s3:::noncompliant-plain".to_string()]);
    assert_eq!(
        resources(r, "S3-01", "pass"),
        BTreeSet::from(["arn:aws:s3:::noncompliant-encrypted".to_string()])
    );
    expect(
        "EC2-05",
        &[format!(
            "arn:aws:ec2:eu-west-1:{acct}:ebs-encryption-by-default"
        )],
    );
    // 8: both instances in one zone, one subnet
    assert_eq!(resources(r, "EC2-01", "fail").len(), 1);
    assert_eq!(resources(r, "EC2-02", "fail").len(), 1);

    // The wider catalogue: public data (5.b), TLS (6.a), storage (6), keys (7.g), 8.
    expect("S3-04", &["arn:aws:s3:::noncompliant-plain".to_string()]);
    expect("S3-02", &[format!("arn:aws:iam::{acct}:root")]);
    assert_eq!(
        resources(r, "EC2-09", "fail").len(),
        1,
        "the public snapshot"
    );
    assert_eq!(
        resources(r, "ELB-01", "fail").len(),
        1,
        "the plain HTTP listener"
    );
    let db = format!("arn:aws:rds:eu-west-1:{acct}:db:orders");
    expect("RDS-01", std::slice::from_ref(&db));
    expect("RDS-02", &[db]);
    assert!(!resources(r, "KMS-01", "fail").is_empty());
    assert_eq!(
        resources(r, "GD-01", "fail").len(),
        1,
        "no detector in eu-west-1"
    );

    // Findings carry their TOM measures, evidence and remediation.
    for f in r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
    {
        assert!(!f["sections"].as_array().unwrap().is_empty(), "{f}");
        assert!(f["evidence"].is_object(), "fail without evidence: {f}");
        assert!(!f["remediation"].as_str().unwrap().is_empty());
    }
    for (id, check) in [
        ("4.a", "IAM-05"),
        ("4.b", "IAM-04"),
        ("4.c", "IAM-07"),
        ("4.d", "IAM-06"),
        ("4.f", "CT-01"),
        ("6", "S3-01"),
        ("8", "EC2-01"),
    ] {
        let s = section(r, id);
        assert!(
            s["counts"]["fail"].as_u64().unwrap() > 0,
            "section {id} shows no failure: {s}"
        );
        let f = findings(r, check)[0];
        assert!(
            f["sections"].as_array().unwrap().iter().any(|x| x == id),
            "{check} not keyed to {id}"
        );
    }
    // Unevaluable, never passed: moto's report has no root row; moto lacks Client VPN.
    let root_used = findings(r, "IAM-02");
    assert!(
        root_used.iter().all(|f| f["status"] == "error"),
        "{root_used:?}"
    );
    let vpn = findings(r, "EC2-04");
    assert!(
        !vpn.is_empty() && vpn.iter().all(|f| f["status"] == "error"),
        "{vpn:?}"
    );
    assert!(
        vpn[0]["message"]
            .as_str()
            .unwrap()
            .contains("ec2:DescribeClientVpnEndpoints")
    );
    assert!(r["score"].as_f64().unwrap() < 50.0, "score {}", r["score"]);
    // No --fail-on: errors present, so "finished but incomplete".
    assert_eq!(scan.code, 3, "stderr: {}", scan.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn compliant_account_scores_at_least_90_with_no_fail() {
    let (moto, regions) = seeded("compliant").await;
    let mut args = region_args(&regions);
    // The flag, not the environment, this time.
    args.extend(["--endpoint-url", moto.url.as_str()]);
    let scan = tomscan(&moto, &args);
    let r = &scan.report;
    assert!(r.is_object(), "no report; stderr:\n{}", scan.stderr);
    let fails: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert!(
        fails.is_empty(),
        "fails in the compliant account: {fails:#?}"
    );
    let score = r["score"].as_f64().unwrap();
    assert!(score >= 90.0, "score {score}");
    // Root facts came from the real-AWS shape (the <root_account> row).
    for id in ["IAM-01", "IAM-02", "IAM-03"] {
        let f = findings(r, id);
        assert_eq!(f.len(), 1, "{id}: {f:?}");
        assert_eq!(f[0]["status"], "pass", "{id}: {}", f[0]);
    }
    assert_eq!(
        findings(r, "IAM-03")[0]["evidence"]["source"],
        "credential report <root_account> row"
    );
    // Every check of the core catalogue said something, and the passes are real.
    for check in tomscan::checks::ALL.iter() {
        assert!(
            !findings(r, check.id).is_empty(),
            "{} produced no finding",
            check.id
        );
    }
    assert_eq!(resources(r, "S3-01", "pass").len(), 4);
    // TLS enforced in two statements, each spelled its own way, is TLS enforced.
    assert!(
        resources(r, "S3-06", "pass")
            .iter()
            .any(|b| b.ends_with("compliant-tls-spelled-otherwise")),
        "{:?}",
        findings(r, "S3-06")
    );
    assert_eq!(resources(r, "EC2-01", "pass").len(), 1);
    assert_eq!(r["schema_version"], "2");
    assert_eq!(r["accounts"][0], "123456789012");
    // Sections 1 to 11 are all accounted for: evidenced, or manual for the organisational.
    let top: Vec<&str> = r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["parent"].is_null())
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        top,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]
    );
    for id in ["1.a", "2.b", "5.a", "7.c", "11.d"] {
        assert_eq!(section(r, id)["counts"]["manual"], 1, "{id} is manual");
    }
    // Hardened account: the wider catalogue passes where moto can show it.
    for id in [
        "S3-02", "S3-03", "S3-05", "S3-06", "S3-08", "EC2-06", "EC2-07", "EC2-11", "RDS-01",
        "RDS-02", "GD-01", "SH-01", "CFG-01", "CT-03", "CT-04", "CT-05", "KMS-01", "ASG-01",
        "ACCT-02", "IAM-12",
    ] {
        let f = findings(r, id);
        assert!(
            !f.is_empty() && f.iter().all(|f| f["status"] == "pass"),
            "{id}: {f:#?}"
        );
    }
    assert!(r["stats"]["requests"].as_u64().unwrap() > 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn global_findings_are_reported_once_across_regions_and_exit_codes_follow_policy() {
    let (moto, _) = seeded("noncompliant").await;
    let regions = ["eu-west-1", "us-east-1"];
    let mut args: Vec<&str> = regions.iter().flat_map(|r| ["--region", *r]).collect();
    args.extend(["--checks", "IAM-04,IAM-06,EC2-05"]);
    let scan = tomscan(&moto, &args);
    let r = &scan.report;
    assert_eq!(r["regions"], serde_json::json!(regions));
    for id in ["IAM-04", "IAM-06"] {
        let f = findings(r, id);
        assert!(f.iter().all(|f| f["region"] == "global"), "{id} {f:?}");
        let res: Vec<_> = f.iter().map(|f| f["resource"].as_str().unwrap()).collect();
        let unique: BTreeSet<_> = res.iter().collect();
        assert_eq!(res.len(), unique.len(), "{id} reported twice: {res:?}");
    }
    // EBS default encryption is regional: one finding per region.
    let ebs: BTreeSet<_> = findings(r, "EC2-05")
        .iter()
        .map(|f| f["region"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ebs,
        BTreeSet::from(["eu-west-1".to_string(), "us-east-1".to_string()])
    );
    assert_eq!(
        scan.code, 0,
        "all evaluated, no policy flags: {}",
        scan.stderr
    );

    args.extend(["--fail-on", "high"]);
    assert_eq!(tomscan(&moto, &args).code, 1, "IAM-06 (high) fails");
    let mut args_low: Vec<&str> = args[..args.len() - 2].to_vec();
    args_low.extend(["--fail-on", "critical"]);
    assert_eq!(
        tomscan(&moto, &args_low).code,
        0,
        "no critical check selected"
    );
    let mut args_score = args_low.clone();
    args_score.extend(["--fail-under", "99"]);
    assert_eq!(tomscan(&moto, &args_score).code, 1, "score is under 99");
}

#[tokio::test(flavor = "multi_thread")]
async fn table_output_shows_sections_failures_and_score() {
    let (moto, regions) = seeded("noncompliant").await;
    let mut args = region_args(&regions);
    args.extend(["--format", "table"]);
    let scan = tomscan(&moto, &args);
    let out = &scan.stdout;
    for needle in [
        "4.c",
        "System Access",
        "Findings that need attention",
        "IAM-06",
        "user/alice",
        "Score ",
        "coverage",
    ] {
        assert!(out.contains(needle), "table lacks {needle:?}:\n{out}");
    }
    assert!(
        !out.contains('\u{1b}'),
        "no escape sequences when stdout is not a terminal"
    );
}

#[test]
fn unreachable_endpoint_is_a_clear_usage_error() {
    let out = support::run::tomscan([
        "scan",
        "--region",
        "eu-west-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ])
    .env("AWS_ACCESS_KEY_ID", "x")
    .env("AWS_SECRET_ACCESS_KEY", "x")
    .env("AWS_MAX_ATTEMPTS", "1")
    .run();
    assert_eq!(out.code, 2);
    let err = &out.stderr;
    assert!(
        err.contains("sts:GetCallerIdentity") && err.contains("credentials"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

/// Every fragment of `mocks/scenarios/traps/`, seeded into one account: resources that
/// look fine to a shallow check and are not. Each must `fail` in its TOM measure.
/// The scan covers eu-central-1 and eu-west-1 only, with both allowed (measure 3), so a
/// fragment can also hide a resource in a region the scan was not pointed at.
#[tokio::test(flavor = "multi_thread")]
async fn every_trap_fails_in_its_measure() {
    let dir = support::project_dir().join("mocks/scenarios/traps");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no trap fragments in {}", dir.display());
    let moto = Moto::start();
    let mut traps = Vec::new();
    for path in &paths {
        let mut fragment = load_scenario(path);
        seed::seed(&moto, &fragment).await;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        traps.extend(fragment.expect_fail.drain(..).map(|t| (name.clone(), t)));
    }
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        "allowed_regions = [\"eu-central-1\", \"eu-west-1\"]\n",
    )
    .unwrap();
    let config_path = config.path().to_string_lossy().into_owned();
    let scan = tomscan(
        &moto,
        &[
            "--config",
            &config_path,
            "--region",
            "eu-central-1",
            "--region",
            "eu-west-1",
        ],
    );
    assert!(scan.report.is_object(), "no report: {}", scan.stderr);
    let mut missed = Vec::new();
    for (fragment, trap) in &traps {
        let caught = findings(&scan.report, &trap.check).into_iter().any(|f| {
            f["status"] == "fail"
                && f["resource"]
                    .as_str()
                    .is_some_and(|r| r.contains(&trap.resource))
                && f["sections"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|m| m == trap.measure.as_str()))
                && trap
                    .evidence
                    .as_ref()
                    .is_none_or(|e| f["evidence"].to_string().contains(e.as_str()))
        });
        if !caught {
            let seen: Vec<String> = findings(&scan.report, &trap.check)
                .into_iter()
                .map(|f| format!("    {} {} {}", f["status"], f["resource"], f["message"]))
                .collect();
            missed.push(format!(
                "{fragment}: {} should fail {:?} in {} ({}); it said\n{}",
                trap.check,
                trap.resource,
                trap.measure,
                trap.why,
                seen.join("\n")
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "traps not caught:\n{}",
        missed.join("\n")
    );
}

/// Read-only, proven: moto records every request of a full scan (all checks, the demo
/// account as the management account of an organization with one member, `--org`), and
/// each one is a read: a GET or HEAD, or an operation named Describe*, Get*, List*,
/// GenerateCredentialReport (which builds a report and changes nothing) or AssumeRole.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_scan_only_reads() {
    let scenario = load_scenario(&scenario_path("demo"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    let orgs = aws_sdk_organizations::Client::new(&moto.sdk_config("us-east-1").await);
    orgs.create_organization()
        .send()
        .await
        .expect("organization");
    orgs.create_account()
        .account_name("member")
        .email("member@example.test")
        .send()
        .await
        .expect("member account");
    moto.record_requests();
    let regions = scenario.region_names();
    let mut args = region_args(&regions);
    args.push("--org");
    let scan = tomscan(&moto, &args);
    assert!(scan.report.is_object(), "no report: {}", scan.stderr);
    let recorded = moto.recorded_requests();
    assert!(
        recorded.len() as u64 >= scan.report["stats"]["requests"].as_u64().unwrap() / 2,
        "moto recorded {} requests of the scan's {}",
        recorded.len(),
        scan.report["stats"]["requests"]
    );
    // The log is read right: query (IAM, EC2) and JSON (KMS) operations are recognised.
    let operations: BTreeSet<String> = recorded.iter().filter_map(operation_of).collect();
    for op in [
        "GenerateCredentialReport",
        "DescribeInstances",
        "ListKeys",
        "ListAccounts",
        "AssumeRole",
    ] {
        assert!(operations.contains(op), "{op} not in {operations:?}");
    }
    let mut writes = BTreeSet::new();
    for request in &recorded {
        let method = request["method"].as_str().unwrap_or_default();
        let operation = operation_of(request);
        let read = match &operation {
            // AssumeRole changes nothing in either account: it issues short-lived
            // credentials for the member role (--org), which is how the scan gets in.
            Some(op) if op == "AssumeRole" => true,
            Some(op) => ["Describe", "Get", "List", "GenerateCredentialReport"]
                .iter()
                .any(|p| op.starts_with(p)),
            None => matches!(method, "GET" | "HEAD") || rest_read(request),
        };
        if !read {
            writes.insert(format!(
                "{method} {} {}",
                request["url"].as_str().unwrap_or_default(),
                operation.unwrap_or_default()
            ));
        }
    }
    assert!(
        writes.is_empty(),
        "the scan made calls that are not reads:\n{writes:#?}"
    );
}

/// The operation of a query (`Action=`) or JSON (`X-Amz-Target`) protocol request.
fn operation_of(request: &Value) -> Option<String> {
    let headers = request["headers"].as_object()?;
    if let Some(target) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
        .and_then(|(_, v)| v.as_str())
    {
        return target.rsplit('.').next().map(str::to_string);
    }
    let body = request["body"].as_str().unwrap_or_default();
    let body = if request["body_encoded"] == true {
        String::from_utf8_lossy(&aws_smithy_types::base64::decode(body).unwrap_or_default())
            .into_owned()
    } else {
        body.to_string()
    };
    let url = request["url"].as_str().unwrap_or_default();
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    body.split('&')
        .chain(query.split('&'))
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
}

/// REST-JSON reads sent as POST: the Account API's GetAlternateContact, Security Hub's
/// GetEnabledStandards and Resource Explorer's reads (moto lacks the service, and
/// answers the first of them, ListIndexes, with an error).
fn rest_read(request: &Value) -> bool {
    let url = request["url"].as_str().unwrap_or_default();
    let path = url.split('?').next().unwrap_or_default();
    [
        "/getAlternateContact",
        "/standards/get",
        "/ListIndexes",
        "/GetIndex",
        "/GetDefaultView",
        "/GetView",
        "/ListResources",
    ]
    .iter()
    .any(|p| path.ends_with(p))
}

/// Measure 3 takes a scanned region's listings from the regional collectors instead of
/// listing them again: the footprint, and ACCT-01's verdicts, are those the footprint
/// finds listing everything itself (ACCT-01 alone selects no regional source), for one
/// listing per region instead of two in the scanned ones.
#[tokio::test(flavor = "multi_thread")]
async fn the_footprint_of_a_scanned_region_is_not_listed_twice() {
    let (moto, regions) = seeded("noncompliant").await;
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("tomscan.toml");
    // Allowed: a region the scenario does not use, so its resources each fail.
    assert!(!regions.contains(&"sa-east-1".to_string()));
    std::fs::write(&conf, "allowed_regions = [\"sa-east-1\"]\n").unwrap();
    let scan = |name: &str, checks: &[&str]| {
        let inv = dir.path().join(name);
        let mut args = vec!["--config", conf.to_str().unwrap()];
        args.extend(["--save-inventory", inv.to_str().unwrap()]);
        args.extend(checks);
        args.extend(region_args(&regions));
        let scan = tomscan(&moto, &args);
        let inv: Value = serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
        (scan, inv)
    };
    let (alone, listed) = scan("alone.json", &["--checks", "ACCT-01"]);
    let (whole, reused) = scan("whole.json", &[]);
    assert_eq!(listed["footprint"], reused["footprint"]);
    let swept: Vec<&str> = reused["footprint"]["enabled_regions"]["ok"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    // moto answers every region of every partition, opted into or not (38); the account's
    // are those of its own partition that need no opt-in or were opted into, as AWS
    // itself would answer.
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config("us-east-1").await);
    let answered = ec2.describe_regions().send().await.unwrap();
    let mut expected: Vec<&str> = answered
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name())
        .filter(|r| !r.starts_with("cn-") && !r.starts_with("us-gov-"))
        .collect();
    expected.sort();
    assert!(
        expected.len() < answered.regions().len() && expected.len() > regions.len(),
        "{expected:?}"
    );
    assert_eq!(swept, expected);
    let enabled = swept.len();
    let verdicts = |r: &Value| -> Vec<(String, String, String)> {
        findings(r, "ACCT-01")
            .into_iter()
            .map(|f| {
                (
                    f["status"].to_string(),
                    f["resource"].to_string(),
                    f["message"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&alone.report), verdicts(&whole.report));
    let failed = findings(&whole.report, "ACCT-01")
        .into_iter()
        .find(|f| f["status"] == "fail")
        .unwrap_or_else(|| panic!("{:#?}", verdicts(&whole.report)));
    let message = failed["message"].as_str().unwrap();
    for kind in [
        "ec2:instance",
        "ec2:volume",
        "ec2:snapshot",
        "ec2:vpc",
        "rds:db",
    ] {
        assert!(message.contains(kind), "{message}");
    }
    for op in [
        "EC2:DescribeVolumes",
        "EC2:DescribeSnapshots",
        "EC2:DescribeImages",
        "EC2:DescribeVpcs",
        "RDS:DescribeDBInstances",
    ] {
        assert_eq!(
            whole.report["stats"]["operations"][op].as_u64(),
            Some(enabled as u64),
            "{op}: once per enabled region"
        );
    }
}
