use std::collections::BTreeSet;

use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "RDS-02",
    slug: "multi-az",
    title: "Every RDS DB instance and DB cluster is Multi-AZ",
    severity: Severity::Medium,
    sources: &[Source::RdsInstances, Source::RdsClusters],
    rationale: "The TOM promises that Availability Zones keep customer data available; a single-AZ database is down, and may lose recent writes, when its zone or host fails, while a Multi-AZ instance fails over to a synchronous standby. An instance of a cluster (Aurora, DocumentDB, Neptune, Multi-AZ DB cluster) is judged through its cluster: the cluster is Multi-AZ when its instances run in more than one zone, so a reader can take over.",
    remediation: "For an instance: aws rds modify-db-instance --db-instance-identifier DB --multi-az --apply-immediately (or in the next maintenance window); the conversion runs online but adds I/O load while the standby is seeded. For an Aurora, DocumentDB or Neptune cluster: add a reader in another Availability Zone (aws rds create-db-instance --db-cluster-identifier CLUSTER --availability-zone OTHER-AZ ...).",
    references: &["Security Hub RDS.5", "Security Hub RDS.15"],
    run,
    module: module_path!(),
};

/// Engines whose instances always belong to a cluster.
fn cluster_engine(engine: &str) -> bool {
    engine.starts_with("aurora") || matches!(engine, "docdb" | "neptune")
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut judged = 0;
    for (region, facts) in cx.regions() {
        // Read both, so each unreadable source is reported.
        let dbs = cx.get(&facts.db_instances, region);
        let clusters = cx.get(&facts.db_clusters, region);
        let listed: BTreeSet<&str> = clusters
            .into_iter()
            .flatten()
            .map(|c| c.id.as_str())
            .collect();
        for db in dbs.into_iter().flatten() {
            let arn = super::db_arn(inv, region, db);
            match &db.cluster_id {
                // Judged through its cluster below, when the clusters could be read.
                Some(cluster) if clusters.is_none() || listed.contains(cluster.as_str()) => {}
                Some(cluster) => {
                    judged += 1;
                    cx.error(
                        region,
                        &arn,
                        format!(
                            "could not be evaluated: the instance belongs to cluster {cluster}, which the cluster listing does not hold"
                        ),
                        json!({ "db_instance": db.id, "engine": db.engine, "cluster": cluster }),
                    );
                }
                None if cluster_engine(&db.engine) => {
                    judged += 1;
                    cx.error(
                        region,
                        &arn,
                        format!(
                            "could not be evaluated: a {} instance belongs to a cluster, and the inventory does not say which",
                            db.engine
                        ),
                        json!({ "db_instance": db.id, "engine": db.engine }),
                    );
                }
                None => {
                    judged += 1;
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
        }
        for c in clusters.into_iter().flatten() {
            judged += 1;
            let arn = if c.arn.is_empty() {
                inv.arn("rds", region, &format!("cluster:{}", c.id))
            } else {
                c.arn.clone()
            };
            cx.verdict(
                c.multi_az,
                region,
                &arn,
                (
                    "the cluster has instances in more than one Availability Zone",
                    "the cluster's instances all run in one Availability Zone: no reader in another zone can take over",
                ),
                json!({ "db_cluster": c.id, "engine": c.engine, "multi_az": c.multi_az, "members": c.members }),
            );
        }
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            "no RDS instances or clusters in the scanned regions",
        );
    }
}
