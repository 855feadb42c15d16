//! The benchmark's synthetic AWS (bench/fakeaws.py) answers as moto does: a scan recorded
//! through it against a seeded moto, then answered from the recording alone, gives the
//! same findings; and every member of an organization it serves is that account under
//! its own id, with the same findings.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use support::{Moto, load_scenario, scenario_path, seed};

/// fakeaws.py in `args`' mode; its URL once it listens.
struct Fake {
    child: Child,
    url: String,
}

impl Fake {
    fn start(args: &[&str]) -> Fake {
        let mut child = Command::new(support::python())
            .arg(support::project_dir().join("bench/fakeaws.py"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("fakeaws.py did not start: {line:?}"))
            .trim()
            .to_string();
        Fake { child, url }
    }

    /// Stops it (SIGTERM: `record` writes its cassette then); what it said on stderr.
    fn stop(self) -> String {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let out = self.child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

fn scan(endpoint: &str, regions: &[String], extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    for r in regions {
        args.extend(["--region", r.as_str()]);
    }
    args.extend(extra);
    let run = support::run::tomscan(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", support::SECRET_KEY)
        .run();
    assert!([0, 1, 3].contains(&run.code), "{}", run.stderr);
    run.json()
}

/// `account`'s findings as (check, resource, status, message), its id written as moto's.
fn verdicts(report: &Value, account: &str) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account"].as_str().is_none_or(|a| a == account))
        .map(|f| {
            serde_json::json!([f["check_id"], f["resource"], f["status"], f["message"]])
                .to_string()
                .replace(account, support::ACCOUNT_ID)
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn the_synthetic_endpoint_answers_as_moto_did() {
    let scenario = load_scenario(&scenario_path("demo"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    seed::seed(&moto, &scenario).await;
    let regions = scenario.region_names();
    let dir = tempfile::tempdir().unwrap();
    let cassette = dir.path().join("cassette.json");
    let cassette = cassette.to_str().unwrap();

    let recorder = Fake::start(&["record", "--upstream", &moto.url, "--cassette", cassette]);
    let recorded = scan(&recorder.url, &regions, &[]);
    recorder.stop();
    drop(moto);

    let server = Fake::start(&["serve", "--cassette", cassette, "--accounts", "3"]);
    let replayed = scan(&server.url, &regions, &[]);
    let org = scan(&server.url, &regions, &["--org"]);
    let said = server.stop();
    assert!(said.contains(" 0 not in the cassette"), "{said}");

    let moto_said = verdicts(&recorded, support::ACCOUNT_ID);
    assert!(moto_said.len() > 100, "{}", moto_said.len());
    assert_eq!(verdicts(&replayed, support::ACCOUNT_ID), moto_said);
    let members: Vec<&str> = org["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(members, ["100000000001", "100000000002", "100000000003"]);
    for member in members {
        assert_eq!(verdicts(&org, member), moto_said, "member {member}");
    }

    // Every account with a Resource Explorer aggregator index (`serve
    // --resource-explorer`), which holds only the default VPC outside the scanned
    // regions: the same verdicts, said to come from the index, for eight listings fewer
    // in each region the scan was not pointed at. The index's answers pass through the
    // SDK's own REST-JSON reader here, not a mock.
    let indexed = Fake::start(&["serve", "--cassette", cassette, "--resource-explorer"]);
    let with_index = scan(&indexed.url, &regions, &[]);
    let said = indexed.stop();
    assert!(said.contains(" 0 not in the cassette"), "{said}");
    assert_eq!(verdicts(&with_index, support::ACCOUNT_ID), moto_said);
    let calls = |r: &Value, op: &str| r["stats"]["operations"][op].as_u64().unwrap_or(0);
    // One listing of the index per region not scanned; moto's account has 18.
    let unscanned = calls(&with_index, "Resource Explorer 2:ListResources");
    assert_eq!(unscanned, 18, "{}", with_index["stats"]);
    for op in support::INDEXED_OPERATIONS {
        assert_eq!(
            calls(&with_index, op) + unscanned,
            calls(&recorded, op),
            "{op}: not listed where the index holds nothing"
        );
    }
    for op in [
        "EC2:DescribeVpcs",
        "Resource Groups Tagging API:GetResources",
    ] {
        assert_eq!(calls(&with_index, op), calls(&recorded, op), "{op}");
    }
    let residency = with_index["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check_id"] == "ACCT-01")
        .unwrap();
    assert_eq!(
        residency["evidence"]["resource_explorer"]["status"], "used",
        "{residency}"
    );

    // Six accounts at once, each asking a hundred things at a time, answered slowly:
    // the requests awaiting an answer stay at the bound (aws.rs REQUESTS_IN_FLIGHT), as
    // do the connections that carry them. Unbounded, 484 were open at once.
    let slow = Fake::start(&[
        "serve",
        "--cassette",
        cassette,
        "--accounts",
        "6",
        "--latency-ms",
        "300",
    ]);
    let org = scan(
        &slow.url,
        &regions,
        &["--org", "--account-concurrency", "6"],
    );
    let said = slow.stop();
    assert_eq!(org["accounts"].as_array().unwrap().len(), 6);
    let most: usize = said
        .split("at most ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(
        (128..=256).contains(&most),
        "{most} requests in flight at once: {said}"
    );
}
