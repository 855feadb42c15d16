use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::engine::access::{Audience, Party};
use crate::inventory::{RdsSnapshotKind, Source};

pub static CHECK: Check = Check {
    id: "RDS-04",
    slug: "no-shared-snapshots",
    title: "No RDS snapshot is public or shared outside the organization",
    severity: Severity::Critical,
    sources: &[Source::RdsSnapshots],
    rationale: "The TOM promises that only authorised people can read customer data. A DB snapshot or DB cluster snapshot is the whole database: shared with `all`, any AWS account in the world can restore it and read every row; shared with an account that is neither this one, one of its organization, nor a partner listed in `trusted_accounts`, someone the customer does not know can. EBS snapshots and AMIs are judged by EC2-09 and EC2-10.",
    remediation: "aws rds modify-db-snapshot-attribute --db-snapshot-identifier SNAP --attribute-name restore --values-to-remove all ACCOUNT (for a cluster snapshot, aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier SNAP ...). A partner that must restore it goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org).",
    references: &["Security Hub RDS.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let audience = Audience::of(inv, cx.settings);
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
        let external = audience.external(snap.restorable_by.iter().map(String::as_str));
        let evidence = json!({
            "snapshot": snap.id,
            "kind": snap.kind,
            "source": snap.source,
            "snapshot_type": snap.snapshot_type,
            "encrypted": snap.encrypted,
            "restorable_by": snap.restorable_by,
            "external": external,
            "organization_accounts_known": audience.knows_organization(),
        });
        if external.is_empty() {
            let message = if snap.restorable_by.is_empty() {
                format!("the {kind} is shared with no other account")
            } else {
                format!("the {kind} is shared only with this organization's or trusted accounts")
            };
            cx.pass(region, &arn, message, evidence);
            continue;
        }
        let others: Vec<String> = external
            .iter()
            .filter(|p| **p != Party::Everyone)
            .map(ToString::to_string)
            .collect();
        let mut message = if external.contains(&Party::Everyone) {
            let mut m = format!(
                "the {kind} is public (restorable by all): any AWS account can restore the database from it"
            );
            if !others.is_empty() {
                m.push_str(&format!("; it is also shared with {}", others.join(", ")));
            }
            m
        } else {
            format!(
                "the {kind} is shared with {}: not this account, its organization's, nor in trusted_accounts{}",
                others.join(", "),
                if audience.knows_organization() {
                    ""
                } else {
                    " (a sister account is known only when the organization is scanned: scan --org)"
                }
            )
        };
        if !snap.encrypted {
            message.push_str(", and it is not encrypted");
        }
        cx.fail(region, &arn, message, evidence);
    }
}
