//! Shards end to end: one account scanned whole and as three shards against a seeded
//! moto, the shards merged by the built binary, and the two reports compared. Merge's
//! refusals (a gap, a shard twice, an overlap, a report that is no shard) are judged on
//! the same files.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::run::{Run, tomscan};
use support::{Moto, load_scenario, scenario_path, seed};

/// The demo scenario's two regions and two empty ones, so each regional shard has
/// resources in one region and nothing in another.
const REGIONS: &[&str] = &["eu-central-1", "eu-west-1", "us-east-1", "us-west-2"];

fn run(moto: &Moto, args: &[&str]) -> Run {
    tomscan(args).against(moto).run()
}

fn scan(moto: &Moto, out: &Path, shard: Option<&str>) -> Value {
    let mut args = vec![
        "scan",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ];
    for r in REGIONS {
        args.extend(["--region", r]);
    }
    if let Some(s) = shard {
        args.extend(["--shard", s]);
    }
    let r = run(moto, &args);
    assert!(
        out.exists(),
        "no report from scan {shard:?} (exit {}):\n{}",
        r.code,
        r.stderr
    );
    read(out)
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `text` with every RFC 3339 instant (`2026-11-28T09:18:29Z`) masked: moto stamps
/// some answers with its own clock (CT-03's last delivery), which moves between scans.
fn mask_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let b = text.as_bytes();
    let fits = |i: usize| {
        b.len() >= i + SHAPE.len()
            && SHAPE.iter().zip(&b[i..]).all(|(s, c)| match s {
                b'd' => c.is_ascii_digit(),
                other => other == c,
            })
    };
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if fits(i) {
            out.push_str("<time>");
            i += SHAPE.len();
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The findings as a sorted list of what they say (not when, nor what it cost).
fn findings(r: &Value) -> Vec<String> {
    let mut v: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {}",
                f["check_id"],
                f["account"],
                f["region"],
                f["resource"],
                f["status"],
                mask_times(f["message"].as_str().unwrap())
            )
        })
        .collect();
    v.sort();
    v
}

/// A report's figures without its costs and times.
fn figures(r: &Value) -> Value {
    let mut summaries = r["account_summaries"].clone();
    for s in summaries.as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("stats");
    }
    serde_json::json!({
        "accounts": r["accounts"], "regions": r["regions"], "score": r["score"],
        "coverage": r["coverage"], "counts": r["counts"], "sections": r["sections"],
        "checks": r["checks"], "account_summaries": summaries,
    })
}

fn merge(moto: &Moto, inputs: &[&PathBuf], extra: &[&str], out: &Path) -> Run {
    let mut args = vec![
        "merge",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(extra);
    run(moto, &args)
}

#[tokio::test(flavor = "multi_thread")]
async fn three_shards_of_one_account_merge_into_the_unsharded_report() {
    let scenario = load_scenario(&scenario_path("demo"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);

    let whole = scan(&moto, &path("whole.json"), None);
    assert!(whole.get("shard").is_none(), "a whole scan is no shard");
    let shards: Vec<Value> = (1..=3)
        .map(|k| {
            scan(
                &moto,
                &path(&format!("shard-{k}.json")),
                Some(&format!("{k}/3")),
            )
        })
        .collect();
    for (k, s) in shards.iter().enumerate() {
        assert_eq!(
            s["shard"],
            serde_json::json!({"index": k + 1, "count": 3}),
            "each report says which shard it is"
        );
    }
    // Shard 1: the account-wide checks and the organisational measures; 2 and 3 each
    // their dealt regions, never `global`.
    let regions_of = |r: &Value| -> std::collections::BTreeSet<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["region"].as_str().unwrap().to_string())
            .filter(|r| r != "global")
            .collect()
    };
    assert!(findings(&shards[0]).iter().any(|f| f.starts_with("\"IAM-")));
    assert!(findings(&shards[0]).iter().any(|f| f.starts_with("\"ORG-")));
    // A regional shard speaks of the account as a whole only to say it found nothing
    // in its regions (merge keeps that where every shard says it).
    let global: Vec<&Value> = shards[1..]
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .filter(|f| f["region"] == "global" && f["status"] != "not_applicable")
        .collect();
    assert!(global.is_empty(), "{global:#?}");
    assert_eq!(
        regions_of(&shards[1]),
        ["eu-central-1", "us-east-1"].map(String::from).into()
    );
    assert_eq!(
        regions_of(&shards[2]),
        ["eu-west-1", "us-west-2"].map(String::from).into()
    );
    // The account-wide sources were read by shard 1 alone.
    let iam_calls = |r: &Value| {
        r["stats"]["operations"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|op| op.starts_with("IAM:") || op.starts_with("S3:"))
            .count()
    };
    assert!(iam_calls(&shards[0]) > 0);
    assert_eq!(iam_calls(&shards[1]) + iam_calls(&shards[2]), 0);

    let files: Vec<PathBuf> = (1..=3).map(|k| path(&format!("shard-{k}.json"))).collect();
    // In any order.
    let merged_path = path("merged.json");
    let m = merge(&moto, &[&files[2], &files[0], &files[1]], &[], &merged_path);
    assert!(
        m.code == 0 || m.code == 1 || m.code == 3,
        "merge failed: {}",
        m.stderr
    );
    let merged = read(&merged_path);
    let (m, w) = (findings(&merged), findings(&whole));
    let only_merged: Vec<_> = m.iter().filter(|f| !w.contains(f)).collect();
    let only_whole: Vec<_> = w.iter().filter(|f| !m.contains(f)).collect();
    assert!(
        only_merged.is_empty() && only_whole.is_empty(),
        "merged only: {only_merged:#?}\nwhole only: {only_whole:#?}"
    );
    assert_eq!(m, w, "the same findings, as often");
    assert!(!findings(&whole).is_empty());
    assert_eq!(figures(&merged), figures(&whole));
    assert!(merged.get("shard").is_none(), "the merged report is whole");
    let requests = |r: &Value| r["stats"]["requests"].as_u64().unwrap();
    assert_eq!(
        requests(&merged),
        shards.iter().map(requests).sum::<u64>(),
        "costs are summed"
    );

    // A gap is an error, unless asked for, and then never a clean exit.
    let gap = merge(&moto, &[&files[0], &files[2]], &[], &path("gap.json"));
    assert_eq!(gap.code, 2, "{}", gap.stderr);
    assert!(
        gap.stderr.contains("shard(s) 2 of 3 missing"),
        "{}",
        gap.stderr
    );
    let partial = merge(
        &moto,
        &[&files[0], &files[2]],
        &["--allow-partial"],
        &path("partial.json"),
    );
    assert!(partial.code == 3 || partial.code == 1, "{}", partial.stderr);
    assert!(path("partial.json").exists());
    // The same shard twice.
    let twice = merge(
        &moto,
        &[&files[0], &files[1], &files[1]],
        &[],
        &path("twice.json"),
    );
    assert_eq!(twice.code, 2);
    assert!(
        twice.stderr.contains("are both shard 2/3"),
        "{}",
        twice.stderr
    );
    // A whole report is not a shard.
    let whole_file = path("whole.json");
    let mixed = merge(&moto, &[&files[0], &whole_file], &[], &path("mixed.json"));
    assert_eq!(mixed.code, 2);
    assert!(
        mixed.stderr.contains("is not a shard report"),
        "{}",
        mixed.stderr
    );
    // Two shards claiming the same finding: a shard 2 relabelled as shard 3.
    let mut forged = shards[1].clone();
    forged["shard"]["index"] = 3.into();
    let forged_file = path("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let overlap = merge(
        &moto,
        &[&files[0], &files[1], &forged_file],
        &[],
        &path("overlap.json"),
    );
    assert_eq!(overlap.code, 2);
    assert!(
        overlap.stderr.contains("the shards overlap"),
        "{}",
        overlap.stderr
    );
    assert!(
        !path("overlap.json").exists(),
        "nothing written on a refusal"
    );
}

#[test]
fn shard_zero_or_past_n_is_a_usage_error_from_the_flag_or_the_environment() {
    for (flag, env) in [(Some("0/3"), None), (None, Some("4/3")), (Some("x"), None)] {
        let mut cmd = tomscan(["scan"]);
        if let Some(f) = flag {
            cmd = cmd.args(["--shard", f]);
        }
        if let Some(e) = env {
            cmd = cmd.env("TOMSCAN_SHARD", e);
        }
        let Run { code, stderr, .. } = cmd.run();
        assert_eq!(code, 2, "{flag:?} {env:?}: {stderr}");
        assert!(stderr.contains("--shard"), "{stderr}");
    }
}

/// Each shard bundles its evidence; `merge --evidence` bundles the merge with the
/// shards' bundles whole inside, and `tomscan verify` checks it like a whole scan's: each
/// shard's part judged again from its inventory, then the merge done again. An edit
/// inside a shard's bundle is named with its path.
#[tokio::test(flavor = "multi_thread")]
async fn shard_bundles_merge_into_a_bundle_that_verifies_like_a_whole_scan() {
    let scenario = load_scenario(&scenario_path("demo"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let keygen = run(&moto, &["keygen", path("key").to_str().unwrap()]);
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    for k in 1..=3 {
        let bundle = path(&format!("shard-{k}"));
        let mut args = vec![
            "scan".to_string(),
            "--shard".into(),
            format!("{k}/3"),
            "--evidence".into(),
            bundle.display().to_string(),
            "--sign-key".into(),
            path("key").display().to_string(),
            "--format".into(),
            "json".into(),
            "--output".into(),
            path(&format!("shard-{k}.json")).display().to_string(),
        ];
        for r in REGIONS {
            args.extend(["--region".to_string(), r.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&moto, &args);
        assert!(
            bundle.join("manifest.json").is_file(),
            "shard {k}: {}",
            r.stderr
        );
        // A shard's bundle verifies alone: its part judged again.
        let v = run(
            &moto,
            &[
                "verify",
                bundle.to_str().unwrap(),
                "--key",
                path("key.pub").to_str().unwrap(),
            ],
        );
        assert_eq!(v.code, 0, "shard {k}: {}", v.stderr);
    }
    let merged_bundle = path("merged-evidence");
    let shards: Vec<String> = (1..=3)
        .map(|k| path(&format!("shard-{k}")).display().to_string())
        .collect();
    let (key, merged_json) = (path("key"), path("merged.json"));
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    args.extend([
        "--evidence",
        merged_bundle.to_str().unwrap(),
        "--sign-key",
        key.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        merged_json.to_str().unwrap(),
    ]);
    let m = run(&moto, &args);
    assert!(
        merged_bundle.join("manifest.json").is_file(),
        "{}",
        m.stderr
    );
    let manifest = read(&merged_bundle.join("manifest.json"));
    assert_eq!(manifest["shards"].as_array().unwrap().len(), 3);
    let verified = tomscan([
        "verify",
        merged_bundle.to_str().unwrap(),
        "--key",
        path("key.pub").to_str().unwrap(),
    ])
    .run();
    let said = verified.stdout + &verified.stderr;
    assert_eq!(verified.code, 0, "{said}");
    assert!(
        said.contains("exactly what merging the 3 verified shard(s) again gives"),
        "{said}"
    );
    // The merged report is the merge of the reports the shards wrote beside their bundles.
    let merged = read(&path("merged.json"));
    assert_eq!(merged["evidence"]["signed_by"], manifest["signed_by"]);
    let plain = merge(
        &moto,
        &[
            &path("shard-1.json"),
            &path("shard-2.json"),
            &path("shard-3.json"),
        ],
        &[],
        &path("plain.json"),
    );
    assert!(matches!(plain.code, 0 | 1 | 3), "{}", plain.stderr);
    assert_eq!(findings(&merged), findings(&read(&path("plain.json"))));
    // An edited fact inside a shard's bundle: the file is named, with its shard.
    let inventory = std::fs::read_dir(merged_bundle.join("shards/shard-2/inventory"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&inventory).unwrap();
    std::fs::write(
        &inventory,
        text.replacen("\"encrypted\": false", "\"encrypted\": true", 1),
    )
    .unwrap();
    let tampered = run(&moto, &["verify", merged_bundle.to_str().unwrap()]);
    assert_eq!(tampered.code, 1, "{}", tampered.stderr);
    assert!(
        tampered.stderr.contains("shards/shard-2/inventory/"),
        "{}",
        tampered.stderr
    );
    // Merging reports, not bundles, into a bundle is refused.
    let refused = run(
        &moto,
        &[
            "merge",
            path("shard-1.json").to_str().unwrap(),
            "--evidence",
            path("nope").to_str().unwrap(),
        ],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(!path("nope").exists());
}
