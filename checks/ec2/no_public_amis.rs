use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-10",
    slug: "no-public-amis",
    title: "No AMI owned by the account is public",
    severity: Severity::High,
    sources: &[Source::Ec2Images],
    rationale: "The TOM promises that only authorised people can read customer data. A public AMI lets any AWS account launch a copy of the machine, with whatever data, keys and configuration were baked into its disks.",
    remediation: "aws ec2 modify-image-attribute --image-id AMI --launch-permission \"Remove=[{Group=all}]\"; then aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing in every region.",
    references: &["Security Hub EC2 (AMI public)"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, image) in cx.regional_items(
        |f| &f.images,
        "the account owns no AMIs in the scanned regions",
    ) {
        let arn = super::ec2_arn(cx.inv, region, "image", &image.id);
        cx.verdict(
            !image.public,
            region,
            &arn,
            (
                "the AMI is not public",
                "the AMI is public: any AWS account can launch it",
            ),
            json!({ "image_id": image.id, "name": image.name, "public": image.public }),
        );
    }
}
