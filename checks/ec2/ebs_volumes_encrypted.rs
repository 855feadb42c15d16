use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::checks::references::{Protected, judge_key};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-11",
    slug: "ebs-volumes-encrypted",
    title: "Every EBS volume is encrypted",
    severity: Severity::High,
    sources: &[Source::Ec2Volumes, Source::KmsKeys, Source::KmsAliases],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage. An unencrypted volume, and every snapshot taken of it, holds the data in the clear for anyone who gets hold of the disk or a copy. The KMS key it is encrypted with must exist and be enabled: a key that is disabled or pending deletion leaves the data unreadable once the key is gone.",
    remediation: "Volumes cannot be encrypted in place: aws ec2 create-snapshot --volume-id VOLUME, aws ec2 copy-snapshot --source-snapshot-id SNAPSHOT --source-region REGION --encrypted --kms-key-id KEY, create a volume from the encrypted copy and swap it in; turn on EBS encryption by default so no new volume is created unencrypted.",
    references: &["Security Hub EC2.3"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, vol) in cx.regional_items(|f| &f.volumes, "no EBS volumes in the scanned regions")
    {
        let arn = super::ec2_arn(cx.inv, region, "volume", &vol.id);
        if let (true, Some(key)) = (vol.encrypted, &vol.kms_key_id) {
            judge_key(
                cx,
                region,
                &arn,
                key,
                Protected {
                    encrypted_with: "the volume is encrypted with",
                    data: "the volume's data",
                },
                json!({ "volume_id": vol.id, "encrypted": true, "state": vol.state, "attached_instances": vol.attached_instances }),
            );
            continue;
        }
        cx.verdict(
            vol.encrypted,
            region,
            &arn,
            ("the volume is encrypted", "the volume is not encrypted"),
            json!({ "volume_id": vol.id, "encrypted": vol.encrypted, "kms_key_id": vol.kms_key_id, "state": vol.state, "attached_instances": vol.attached_instances }),
        );
    }
}
