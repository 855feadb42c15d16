use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::checks::external::{Copy, judge_copy};
use crate::inventory::{Collected, Source};

pub static CHECK: Check = Check {
    id: "EC2-10",
    slug: "no-public-amis",
    title: "No AMI owned by the account is public or shared outside the organization",
    severity: Severity::High,
    sources: &[Source::Ec2Images],
    rationale: "The TOM promises that only authorised people can read customer data. An AMI is a copy of the machine, with whatever data, keys and configuration were baked into its disks: public, any AWS account can launch it; shared with an account, an organization or an organizational unit whose account is neither this one, one of its organization, nor in `trusted_accounts`, someone the customer does not know can.",
    remediation: "aws ec2 modify-image-attribute --image-id AMI --launch-permission \"Remove=[{Group=all}]\" (or Remove=[{UserId=ACCOUNT}]); then aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing in every region. A partner that must launch it goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org).",
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
        let evidence = json!({ "image_id": image.id, "name": image.name, "public": image.public });
        // DescribeImages says whether it is public even where the launch permission
        // cannot be read: that much is a verdict. Either answer saying public is enough.
        let mut shared_with = match &image.shared_with {
            Collected::Ok(list) => list.clone(),
            _ if image.public => Vec::new(),
            unread => {
                cx.get_for(unread, region, &arn);
                continue;
            }
        };
        if image.public && !shared_with.iter().any(|g| g == "all") {
            shared_with.insert(0, "all".into());
        }
        let copy = Copy {
            what: "AMI",
            anyone_can: "launch it",
            shared_with: &shared_with,
            encrypted: None,
            analyzed: false,
        };
        judge_copy(cx, region, &arn, copy, evidence);
    }
}
