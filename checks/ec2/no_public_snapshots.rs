use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::checks::external::{Copy, judge_copy};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-09",
    slug: "no-public-snapshots",
    title: "No EBS snapshot is public or shared outside the organization",
    severity: Severity::Critical,
    sources: &[Source::Ec2Snapshots, Source::AccessAnalyzers],
    rationale: "The TOM promises that only authorised people can read customer data. A snapshot is the whole disk it was taken from: shared with `all`, any AWS account in the world can create a volume from it and read every byte; shared with an account that is neither this one, one of its organization, nor a partner listed in `trusted_accounts`, someone the customer does not know can. An active IAM Access Analyzer finding on the snapshot is a second opinion that a pass never overrules.",
    remediation: "aws ec2 modify-snapshot-attribute --snapshot-id SNAPSHOT --attribute createVolumePermission --operation-type remove --group-names all (or --user-ids ACCOUNT); then turn on aws ec2 enable-snapshot-block-public-access --state block-all-sharing in every region. A partner that must read it goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org).",
    references: &["Security Hub EC2.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, snap) in
        cx.regional_items(|f| &f.snapshots, "no EBS snapshots in the scanned regions")
    {
        let arn = super::ec2_arn(cx.inv, region, "snapshot", &snap.id);
        let Some(shared_with) = cx.get_for(&snap.shared_with, region, &arn) else {
            continue;
        };
        let copy = Copy {
            what: "EBS snapshot",
            anyone_can: "create a volume from it",
            shared_with,
            encrypted: Some(snap.encrypted),
            analyzed: true,
        };
        let evidence = json!({ "snapshot_id": snap.id, "volume_id": snap.volume_id, "encrypted": snap.encrypted });
        judge_copy(cx, region, &arn, copy, evidence);
    }
}
