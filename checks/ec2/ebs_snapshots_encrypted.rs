use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-12",
    slug: "ebs-snapshots-encrypted",
    title: "Every EBS snapshot is encrypted",
    severity: Severity::Medium,
    sources: &[Source::Ec2Snapshots],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage. Snapshots are full copies of disks that outlive them and get shared and copied across regions; unencrypted, the data travels in the clear with them.",
    remediation: "aws ec2 copy-snapshot --source-snapshot-id SNAPSHOT --source-region REGION --encrypted --kms-key-id KEY, then delete the unencrypted original (aws ec2 delete-snapshot --snapshot-id SNAPSHOT); encrypt the source volume so future snapshots are encrypted.",
    references: &["AWS Well-Architected SEC08-BP02"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, snap) in
        cx.regional_items(|f| &f.snapshots, "no EBS snapshots in the scanned regions")
    {
        let arn = super::ec2_arn(cx.inv, region, "snapshot", &snap.id);
        cx.verdict(
            snap.encrypted,
            region,
            &arn,
            ("the snapshot is encrypted", "the snapshot is not encrypted"),
            json!({ "snapshot_id": snap.id, "volume_id": snap.volume_id, "encrypted": snap.encrypted }),
        );
    }
}
