use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::checks::references::{Protected, judge_key};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "RDS-01",
    slug: "storage-encrypted",
    title: "Every RDS instance encrypts its storage",
    severity: Severity::High,
    sources: &[Source::RdsInstances, Source::KmsKeys, Source::KmsAliases],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage; an unencrypted database volume, its snapshots and its read replicas hold that data in the clear. The KMS key it is encrypted with must exist and be enabled: a key that is disabled or pending deletion leaves the data unreadable once the key is gone.",
    remediation: "Encryption cannot be switched on for an existing instance: aws rds create-db-snapshot, then aws rds copy-db-snapshot --kms-key-id KEY to an encrypted copy, restore a new instance from it (aws rds restore-db-instance-from-db-snapshot), cut over and delete the old one. Create new instances with --storage-encrypted.",
    references: &["CIS AWS 2.3.1", "Security Hub RDS.3"],
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
        if let (true, Some(key)) = (db.storage_encrypted, &db.kms_key_id) {
            judge_key(
                cx,
                region,
                &arn,
                key,
                Protected {
                    encrypted_with: "the instance's storage is encrypted with",
                    data: "the database's storage",
                },
                json!({ "db_instance": db.id, "engine": db.engine, "storage_encrypted": true }),
            );
            continue;
        }
        cx.verdict(
            db.storage_encrypted,
            region,
            &arn,
            (
                "the instance's storage is encrypted",
                "the instance's storage is not encrypted",
            ),
            json!({ "db_instance": db.id, "engine": db.engine, "storage_encrypted": db.storage_encrypted }),
        );
    }
}
