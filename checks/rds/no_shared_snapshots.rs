use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::checks::external::{Copy, judge_copy};
use crate::inventory::{RdsSnapshotKind, Source};

pub static CHECK: Check = Check {
    id: "RDS-04",
    slug: "no-shared-snapshots",
    title: "No RDS snapshot is public or shared outside the organization",
    severity: Severity::Critical,
    sources: &[Source::RdsSnapshots, Source::AccessAnalyzers],
    rationale: "The TOM promises that only authorised people can read customer data. A DB snapshot or DB cluster snapshot is the whole database: shared with `all`, any AWS account in the world can restore it and read every row; shared with an account that is neither this one, one of its organization, nor a partner listed in `trusted_accounts`, someone the customer does not know can. EBS snapshots and AMIs are judged by EC2-09 and EC2-10, the same way. An active IAM Access Analyzer finding on the snapshot is a second opinion that a pass never overrules.",
    remediation: "aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP --attribute-name restore --values-to-remove all ACCOUNT (for a cluster snapshot, aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier SNAP ...). A partner that must restore it goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org).",
    references: &["Security Hub RDS.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    for (region, snap) in cx.regional_items(
        |f| &f.rds_snapshots,
        "no RDS snapshots in the scanned regions",
    ) {
        let kind = match snap.kind {
            RdsSnapshotKind::Db => "DB snapshot",
            RdsSnapshotKind::Cluster => "DB cluster snapshot",
        };
        let arn = if snap.arn.is_empty() {
            let prefix = match snap.kind {
                RdsSnapshotKind::Db => "snapshot",
                RdsSnapshotKind::Cluster => "cluster-snapshot",
            };
            inv.arn("rds", region, &format!("{prefix}:{}", snap.id))
        } else {
            snap.arn.clone()
        };
        let copy = Copy {
            what: kind,
            anyone_can: "restore the database from it",
            shared_with: &snap.restorable_by,
            encrypted: Some(snap.encrypted),
            analyzed: true,
        };
        let evidence = json!({
            "snapshot": snap.id,
            "kind": snap.kind,
            "source": snap.source,
            "snapshot_type": snap.snapshot_type,
            "encrypted": snap.encrypted,
        });
        judge_copy(cx, region, &arn, copy, evidence);
    }
}
