//! `tomscan permissions` is the least privilege the scan needs, proven against moto
//! with IAM enforcement on: a scanner holding exactly that policy meets no AccessDenied,
//! and one missing a single action gets `error` findings naming exactly that action,
//! with the rest of the report intact.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::run::Run;
use support::{Moto, load_scenario, scenario_path, seed};

/// The checks whose APIs moto both implements and authorizes as AWS does. Left out:
/// - APIs moto lacks, which fail for any caller: Client VPN (EC2-04, EC2-08), Access
///   Analyzer (AA-01), CloudWatch's CBOR protocol (CW-01, CW-02), Security Hub standards
///   (SH-02), Backup selections (BAK-01);
/// - moto authorizing with other action names than AWS: it asks `s3:ListBucket` for
///   GetBucketEncryption and GetPublicAccessBlock (S3-01, S3-03, S3-07), where AWS asks
///   `s3:GetEncryptionConfiguration` and `s3:GetBucketPublicAccessBlock`;
/// - moto answering 403 without an error code under enforcement for the REST-JSON APIs
///   of GuardDuty, Security Hub and S3 Control (GD-01, SH-01, S3-02).
const CHECKS: &str = "ACCT-02,ASG-01,CFG-01,CT-01,CT-02,CT-03,CT-04,CT-05,EC2-01,EC2-02,EC2-03,EC2-05,\
EC2-06,EC2-07,EC2-09,EC2-10,EC2-11,EC2-12,EC2-13,EC2-14,EC2-15,ELB-01,ELB-02,ELB-03,\
IAM-01,IAM-02,IAM-03,IAM-04,IAM-05,IAM-06,IAM-07,IAM-08,IAM-09,IAM-10,IAM-11,IAM-12,IAM-13,IAM-14,\
IAM-15,IAM-16,KMS-01,RDS-01,RDS-02,S3-04,S3-05,S3-06,S3-08,S3-09";

fn tomscan(args: &[&str], env: &[(&str, &str)]) -> Run {
    support::run::tomscan(args)
        .env("AWS_MAX_ATTEMPTS", "1")
        .envs(env.iter().copied())
        .run()
}

async fn scanner(moto: &Moto, name: &str, policy: &str) -> (String, String) {
    let iam = aws_sdk_iam::Client::new(&moto.sdk_config("us-east-1").await);
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("tomscan")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    (
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    )
}

/// moto with the compliant scenario seeded, enforcing IAM once `gate` exists.
async fn enforcing(gate: &std::path::Path) -> (Moto, Vec<String>) {
    let scenario = load_scenario(&scenario_path("compliant"));
    let moto = Moto::start_with(
        scenario.root.as_ref(),
        &[("TOMSCAN_MOTO_ENFORCE_WHEN", gate.to_str().unwrap())],
    );
    seed::seed(&moto, &scenario).await;
    (moto, scenario.region_names())
}

/// A scan of `checks` (every check: `None`) with `key`'s credentials.
fn scan_as(
    moto: &Moto,
    key: &(String, String),
    checks: Option<&str>,
    regions: &[String],
    out: &std::path::Path,
) -> (i32, Value) {
    let mut args = vec![
        "scan",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ];
    if let Some(checks) = checks {
        args.extend(["--checks", checks]);
    }
    for r in regions {
        args.extend(["--region", r.as_str()]);
    }
    let Run { code, stderr, .. } = tomscan(
        &args,
        &[
            ("AWS_ACCESS_KEY_ID", &key.0),
            ("AWS_SECRET_ACCESS_KEY", &key.1),
            ("AWS_ENDPOINT_URL", &moto.url),
        ],
    );
    let report =
        std::fs::read_to_string(out).unwrap_or_else(|_| panic!("no report; stderr:\n{stderr}"));
    (code, serde_json::from_str(&report).unwrap())
}

fn errors(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "error")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_printed_policy_is_enough_and_every_action_in_it_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let gate = dir.path().join("enforce");
    let (moto, regions) = enforcing(&gate).await;

    let Run {
        code,
        stdout: policy,
        stderr,
    } = tomscan(&["permissions", "--checks", CHECKS], &[]);
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&policy).unwrap();
    let actions: Vec<String> = doc["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.iter().all(|a| {
            let verb = a.split(':').nth(1).unwrap();
            ["Describe", "Get", "List", "GenerateCredentialReport"]
                .iter()
                .any(|p| verb.starts_with(p))
        }),
        "only read actions: {actions:?}"
    );

    let full = scanner(&moto, "tomscan-scanner", &policy).await;
    let dropped = "iam:GetAccountPasswordPolicy";
    let partial_policy = policy.replace(&format!("\"{dropped}\","), "");
    assert_ne!(partial_policy, policy);
    let partial = scanner(&moto, "tomscan-scanner-partial", &partial_policy).await;
    std::fs::write(&gate, "").unwrap();

    let (_, report) = scan_as(
        &moto,
        &full,
        Some(CHECKS),
        &regions,
        &dir.path().join("full.json"),
    );
    assert!(
        errors(&report).is_empty(),
        "errors with the full policy: {:#?}",
        errors(&report)
    );
    let judged =
        report["counts"]["pass"].as_u64().unwrap() + report["counts"]["fail"].as_u64().unwrap();
    assert!(
        judged > 40,
        "the scan judged resources: {}",
        report["counts"]
    );

    let (code, cut) = scan_as(
        &moto,
        &partial,
        Some(CHECKS),
        &regions,
        &dir.path().join("partial.json"),
    );
    assert_eq!(code, 3, "unevaluated checks exit 3");
    let errs = errors(&cut);
    let named: BTreeSet<&str> = errs
        .iter()
        .map(|f| f["evidence"]["missing_action"].as_str().unwrap())
        .collect();
    assert_eq!(named, BTreeSet::from([dropped]), "{errs:#?}");
    let failed_checks: BTreeSet<&str> = errs
        .iter()
        .map(|f| f["check_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed_checks,
        BTreeSet::from(["IAM-07", "IAM-08", "IAM-09", "IAM-10"])
    );
    // Everything else is exactly as with the full policy.
    let verdicts = |r: &Value| -> BTreeSet<(String, String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                !["IAM-07", "IAM-08", "IAM-09", "IAM-10"].contains(&f["check_id"].as_str().unwrap())
            })
            .map(|f| {
                (
                    f["check_id"].to_string(),
                    f["resource"].to_string(),
                    f["status"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&report), verdicts(&cut));
}

/// Credentials STS accepts but every other call refuses (a principal whose policy denies
/// everything, moto enforcing IAM): the scan finishes, exit 3, and not one check passes;
/// every check that needs AWS says `error`, naming the action it was refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_principal_refused_everything_passes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gate = dir.path().join("enforce");
    let (moto, regions) = enforcing(&gate).await;
    let nothing =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    let key = scanner(&moto, "tomscan-refused", nothing).await;
    std::fs::write(&gate, "").unwrap();

    let (code, report) = scan_as(
        &moto,
        &key,
        None,
        &regions,
        &dir.path().join("refused.json"),
    );
    assert_eq!(code, 3);
    let findings = report["findings"].as_array().unwrap();
    let passed: Vec<&Value> = findings.iter().filter(|f| f["status"] == "pass").collect();
    assert!(passed.is_empty(), "nothing can pass: {passed:#?}");
    assert_eq!(report["counts"]["pass"], 0);
    assert!(
        report["score"].is_null() || report["score"] == 0.0,
        "{}",
        report["score"]
    );
    let refused: Vec<&Value> = errors(&report)
        .into_iter()
        .filter(|f| f["evidence"]["missing_action"].is_string())
        .collect();
    assert!(
        refused.len() > 40,
        "the errors name the refused actions: {}",
        report["counts"]
    );
    for f in findings {
        assert!(
            // Not even `not_applicable`: that nothing exists to judge is itself unknown.
            ["error", "manual"].contains(&f["status"].as_str().unwrap()),
            "{f:#}"
        );
    }
}
