use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-05",
    slug: "ebs-default-encryption",
    title: "EBS encryption by default is on in every scanned region",
    severity: Severity::High,
    sources: &[Source::Ec2EbsEncryptionByDefault],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage. With encryption by default, no new volume or snapshot can be created unencrypted by mistake. Every scanned region is judged, used or not: the setting is a guard for the volume nobody planned, which can be created in any enabled region, and CIS 2.2.1 asks for it in every region.",
    remediation: "aws ec2 enable-ebs-encryption-by-default --region REGION (per region; optionally set a customer-managed key with modify-ebs-default-kms-key-id). Existing unencrypted volumes need a snapshot-copy-restore.",
    references: &["CIS AWS 2.2.1", "Security Hub EC2.7"],
    run,
    module: module_path!(),
};

// Every scanned region, not only the regions in use: the setting guards the volume that
// nobody planned (a test in another region, a restore, an attacker's copy), and such a
// volume makes a region "in use" only once it is already unencrypted. CIS 2.2.1 and
// Security Hub EC2.7 ask for every region too. To leave a region out, leave it out of
// the scan (`regions`), where the decision is visible.
fn run(cx: &mut Cx<'_>) {
    for (region, facts) in cx.regions() {
        let Some(&enabled) = cx.get(&facts.ebs_encryption_by_default, region) else {
            continue;
        };
        let resource = cx.inv.arn("ec2", region, "ebs-encryption-by-default");
        cx.verdict(
            enabled,
            region,
            &resource,
            (
                "EBS encryption by default is on",
                "EBS encryption by default is off",
            ),
            json!({ "ebs_encryption_by_default": enabled }),
        );
    }
}
