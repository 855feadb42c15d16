//! What a scan writes besides its reports, end to end against a seeded `moto_server`:
//! a default scan is quiet, and no credential reaches any log line, report or saved
//! inventory at any log level.

mod support;

use std::path::Path;

use support::run::{Run, tomscan};
use support::{Moto, load_scenario, scenario_path, seed};

async fn noncompliant() -> Moto {
    let scenario = load_scenario(&scenario_path("noncompliant"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    moto
}

/// Distinctive credentials, each part findable in any text: an access key id of AWS's
/// shape, a secret and a session token. moto accepts any.
const KEY_ID: &str = "AKIATOMSCANFAKEKEY01";
const SECRET: &str = "tomscanFakeSecretKey/0123456789abcdefghij";
const TOKEN: &str = "TomscanFakeSessionToken//AQoDYXdzEJrFAKE";
/// What may remain of each: at most four characters.
const FRAGMENTS: &[&str] = &["TOMSCANFAKEKEY", "tomscanFakeSecret", "TomscanFakeSession"];

/// A log level as a user asks for it: its name, flags and environment.
type Level<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

fn scan(moto: &Moto, args: &[&str], env: &[(&str, &str)], dir: &Path) -> Run {
    tomscan(["scan"])
        .args(args)
        .dir(dir)
        .against(moto)
        .envs(env.iter().copied())
        .run()
}

/// Lines of a log below WARN, as the formatter prints their level.
fn below_warn(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(1)
                .is_some_and(|level| matches!(level, "INFO" | "DEBUG" | "TRACE"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_default_scan_writes_nothing_below_warn_and_quiet_writes_nothing() {
    let moto = noncompliant().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let out = out.to_str().unwrap();
    let args = ["--region", "eu-west-1", "--format", "json", "--output", out];
    // Every check: the whole collector fan-out, the SDK included.
    let default = scan(&moto, &args, &[], dir.path());
    assert!(matches!(default.code, 1 | 3), "{}", default.stderr);
    assert!(
        below_warn(&default.stderr).is_empty(),
        "a default scan logged below WARN:\n{}",
        below_warn(&default.stderr).join("\n")
    );
    // The 824 KB of the SDK's debug lines this replaced; a few warnings fit in 4 KiB.
    assert!(
        default.stderr.len() < 4096,
        "{} bytes on stderr:\n{}",
        default.stderr.len(),
        default.stderr
    );
    let quiet = scan(&moto, &[&args[..], &["-q"]].concat(), &[], dir.path());
    assert!(matches!(quiet.code, 1 | 3));
    assert_eq!(quiet.stderr, "", "-q prints errors only");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_credential_reaches_a_log_a_report_or_an_inventory_at_any_level() {
    let moto = noncompliant().await;
    let creds = [
        ("AWS_ACCESS_KEY_ID", KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
    ];
    let levels: [Level; 4] = [
        ("default", &[], &[]),
        ("-q", &["-q"], &[]),
        ("-vv", &["-vv"], &[]),
        ("TOMSCAN_LOG=trace", &[], &[("TOMSCAN_LOG", "trace")]),
    ];
    let mut masked_somewhere = false;
    for (name, flags, env) in levels {
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        let mut args = vec![
            "--region",
            "eu-west-1",
            // IAM, S3 and EC2 calls, and a check moto cannot answer (its error
            // message ends up in every report).
            "--checks",
            "IAM-05,IAM-06,S3-04,EC2-03,EC2-04",
            "--format",
            "json,html,markdown,csv,junit,ocsf,table",
            "--output-dir",
            reports.to_str().unwrap(),
            "--metrics",
            "metrics.prom",
            "--save-inventory",
            "inventory.json",
        ];
        args.extend_from_slice(flags);
        let env: Vec<(&str, &str)> = creds.iter().chain(env).copied().collect();
        let run = scan(&moto, &args, &env, dir.path());
        assert!(matches!(run.code, 1 | 3), "{name}: {}", run.stderr);
        let mut texts = vec![
            ("stdout".to_string(), run.stdout),
            ("stderr".to_string(), run.stderr.clone()),
        ];
        for entry in walk(dir.path()) {
            let text = std::fs::read_to_string(&entry).unwrap();
            texts.push((entry.display().to_string(), text));
        }
        assert!(
            texts.len() >= 10,
            "{name}: every format, metrics and the inventory"
        );
        for (file, text) in &texts {
            for secret in FRAGMENTS {
                assert!(!text.contains(secret), "{name}: {secret} in {file}");
            }
            assert!(
                !text.contains("Signature="),
                "{name}: a request signature in {file}"
            );
        }
        if name == "TOMSCAN_LOG=trace" {
            // The SDK names the credentials in its trace lines: they were there, masked.
            assert!(run.stderr.contains("AKIA…(redacted)"), "{name}");
            masked_somewhere = true;
        }
    }
    assert!(masked_somewhere);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
