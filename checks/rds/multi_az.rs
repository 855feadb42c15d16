use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "RDS-02",
    slug: "multi-az",
    title: "Every RDS instance is Multi-AZ",
    severity: Severity::Medium,
    sources: &[Source::RdsInstances],
    rationale: "The TOM promises that Availability Zones keep customer data available; a single-AZ database is down, and may lose recent writes, when its zone or host fails, while a Multi-AZ instance fails over to a synchronous standby.",
    remediation: "aws rds modify-db-instance --db-instance-identifier DB --multi-az --apply-immediately (or in the next maintenance window); the conversion runs online but adds I/O load while the standby is seeded.",
    references: &["Security Hub RDS.5"],
    run,
    module: module_path!(),
};

/// Engines whose instances belong to a cluster: availability is the cluster's (its
/// storage spans three zones, its replicas fail over), and the instance's `MultiAZ`
/// flag is always false, so judging it would fail every such database.
fn cluster_engine(engine: &str) -> bool {
    engine.starts_with("aurora") || matches!(engine, "docdb" | "neptune")
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut instances = 0;
    let mut cluster_members = Vec::new();
    for (region, facts) in cx.regions() {
        let Some(dbs) = cx.get(&facts.db_instances, region) else {
            continue;
        };
        for db in dbs {
            if cluster_engine(&db.engine) {
                cluster_members.push(db.id.as_str());
                continue;
            }
            instances += 1;
            let arn = super::db_arn(inv, region, db);
            cx.verdict(
                db.multi_az,
                region,
                &arn,
                (
                    "the instance is Multi-AZ",
                    "the instance runs in a single Availability Zone",
                ),
                json!({ "db_instance": db.id, "engine": db.engine, "multi_az": db.multi_az }),
            );
        }
    }
    if instances == 0 {
        let message = if cluster_members.is_empty() {
            "no RDS instances in the scanned regions".to_string()
        } else {
            format!(
                "only cluster member instances (Aurora, DocumentDB, Neptune), whose availability is the cluster's: {}",
                cluster_members.join(", ")
            )
        };
        cx.not_applicable(GLOBAL, message);
    }
}
