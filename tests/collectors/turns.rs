//! Turns (`aws::Turns`): only leaves take one, so the bound cannot stop a run.

use std::time::Duration;

use serde_json::Value;
use tomscan::aws::{Aws, Turns};
use tomscan::collect::Target;

use super::*;

/// Nothing that holds a turn waits for another: with a single turn, a seeded account's
/// whole collection (every source, the footprint of every enabled region) completes, and
/// reads what it reads with a run's bound. A collection that took a turn inside another
/// would wait for itself here.
#[test]
fn one_turn_collects_what_a_runs_bound_collects() {
    support::on_a_scan_worker(one_turn());
}

async fn one_turn() {
    let (moto, regions) = support::seeded("noncompliant").await;
    let target = Target {
        account_id: support::ACCOUNT_ID,
        partition: "aws",
        regions: &regions,
    };
    let sources = collect::expand(Source::ALL.iter().copied());
    let aws = Aws::from_config(moto.sdk_config("us-east-1").await);
    let bounded = collect::collect(&aws, &target, &sources).await;
    let single = aws.with_own_metrics().with_turns(Turns::new(1));
    let one = tokio::time::timeout(
        Duration::from_secs(120),
        collect::collect(&single, &target, &sources),
    )
    .await
    .expect("a collection waited for a turn while it held one");
    let facts = |inventory: &Inventory| {
        let mut v = serde_json::to_value(inventory).unwrap();
        v["collected_at"] = Value::Null;
        v
    };
    let (bounded, one) = (facts(&bounded), facts(&one));
    assert!(
        bounded["footprint"]["regions"].as_object().unwrap().len() > regions.len(),
        "the footprint swept the regions not scanned"
    );
    for part in [
        "iam",
        "s3",
        "cloudtrail",
        "account",
        "regional",
        "footprint",
    ] {
        assert_eq!(bounded[part], one[part], "{part}");
    }
}
