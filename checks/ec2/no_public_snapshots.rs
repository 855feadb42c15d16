use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-09",
    slug: "no-public-snapshots",
    title: "No EBS snapshot is public",
    severity: Severity::Critical,
    sources: &[Source::Ec2Snapshots],
    rationale: "The TOM promises that only authorised people can read customer data. A public snapshot lets any AWS account in the world create a volume from it and read every byte of the disk it was taken from.",
    remediation: "aws ec2 modify-snapshot-attribute --snapshot-id SNAPSHOT --attribute createVolumePermission --operation-type remove --group-names all; then turn on aws ec2 enable-snapshot-block-public-access --state block-all-sharing in every region.",
    references: &["Security Hub EC2.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, snap) in
        cx.regional_items(|f| &f.snapshots, "no EBS snapshots in the scanned regions")
    {
        let arn = super::ec2_arn(cx.inv, region, "snapshot", &snap.id);
        cx.verdict(
            !snap.public,
            region,
            &arn,
            (
                "the snapshot is not public",
                "the snapshot is public: any AWS account can create a volume from it",
            ),
            json!({ "snapshot_id": snap.id, "volume_id": snap.volume_id, "public": snap.public }),
        );
    }
}
