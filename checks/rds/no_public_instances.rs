use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "RDS-03",
    slug: "no-public-instances",
    title: "No RDS instance is publicly accessible",
    severity: Severity::High,
    sources: &[Source::RdsInstances],
    rationale: "The TOM promises that only authorised people reach customer data, and remote access only through the VPN. A publicly accessible instance has an endpoint that resolves to a public address: its security group is then all that stands between the internet and the database's login, and one rule too wide exposes it.",
    remediation: "aws rds modify-db-instance --db-instance-identifier DB --no-publicly-accessible --apply-immediately, and reach the database from inside the VPC (VPN, bastion or Session Manager port forwarding). For an Aurora cluster, change every instance of it.",
    references: &["CIS AWS 2.3.3", "Security Hub RDS.2"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    for (region, db) in cx.regional_items(
        |f| &f.db_instances,
        "no RDS instances in the scanned regions",
    ) {
        let arn = super::db_arn(inv, region, db);
        let evidence = json!({ "db_instance": db.id, "engine": db.engine, "cluster": db.cluster_id, "publicly_accessible": db.publicly_accessible });
        match db.publicly_accessible {
            Some(public) => cx.verdict(
                !public,
                region,
                &arn,
                (
                    "the instance is not publicly accessible",
                    "the instance is publicly accessible: its endpoint resolves to a public address, and only its security group keeps the internet out",
                ),
                evidence,
            ),
            None => cx.error(
                region,
                &arn,
                "could not be evaluated: RDS did not say whether the instance is publicly accessible",
                evidence,
            ),
        }
    }
}
