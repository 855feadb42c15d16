use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{KeyManager, KeyMetadata, KeyOrigin, KeySpec, KeyState, Source};

pub static CHECK: Check = Check {
    id: "KMS-01",
    slug: "key-rotation",
    title: "Customer-managed keys rotate automatically",
    severity: Severity::Medium,
    sources: &[Source::KmsKeys],
    rationale: "The TOM promises industry-standard cryptography; regular key rotation, as NIST SP 800-57 recommends, limits how much data one key protects and how long a leaked key stays useful.",
    remediation: "aws kms enable-key-rotation --key-id KEY_ID (optionally --rotation-period-in-days 90..2560; the default is 365). Old key material is kept, so existing ciphertext still decrypts.",
    references: &["CIS AWS 3.6", "CIS AWS 3.8 (v1.4)", "Security Hub KMS.4"],
    run,
    module: module_path!(),
};

/// Whether automatic rotation applies to this key: AWS rotates its own keys, and only
/// enabled symmetric keys with KMS-generated material can rotate.
fn rotatable(key: &KeyMetadata) -> bool {
    key.manager == KeyManager::Customer
        && key.state == KeyState::Enabled
        && key.spec == KeySpec::SymmetricDefault
        && key.origin == KeyOrigin::AwsKms
}

fn run(cx: &mut Cx<'_>) {
    let mut judged = 0;
    let mut skipped = 0;
    for (region, facts) in cx.regions() {
        let Some(keys) = cx.get(&facts.kms_keys, region) else {
            continue;
        };
        for key in keys {
            // Per key: a key policy that denies DescribeKey hides this key alone, and
            // whether it should rotate cannot be told without its metadata.
            let Some(meta) = cx.get_for(&key.metadata, region, &key.arn) else {
                judged += 1;
                continue;
            };
            if !rotatable(meta) {
                skipped += 1;
                continue;
            }
            judged += 1;
            let Some(rotation) = cx.get_for(&key.rotation_enabled, region, &key.arn) else {
                continue;
            };
            cx.verdict(
                *rotation,
                region,
                &key.arn,
                (
                    "automatic key rotation is enabled",
                    "automatic key rotation is disabled",
                ),
                json!({ "key_id": key.id, "manager": meta.manager, "state": meta.state, "spec": meta.spec, "origin": meta.origin, "rotation_enabled": rotation }),
            );
        }
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            format!(
                "no enabled customer-managed symmetric KMS keys in the scanned regions ({skipped} other key(s) cannot rotate automatically or are rotated by AWS)"
            ),
        );
    }
}
