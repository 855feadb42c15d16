use super::no_customer_admin_policy::judge_customer_policies;
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-18",
    slug: "no-unattached-admin-policy",
    title: "No unattached customer policy grants administrator access or a way to take it",
    severity: Severity::Low,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. An unattached customer-managed policy that allows every action on every resource, or a privilege-escalation path (judged as IAM-11 judges attached ones), grants nothing today, but it is one attach-user-policy away from a new administrator, and its harmless name hides that from whoever attaches it.",
    remediation: "Delete the policy if nobody needs it (aws iam delete-policy --policy-arn POLICY_ARN, after deleting its non-default versions), or replace the statements the evidence names with least-privilege actions before anyone attaches it.",
    references: &["CIS AWS 1.16", "Security Hub IAM.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    judge_customer_policies(
        cx,
        false,
        (
            "the unattached policy grants neither administrator access nor a known way to it",
            "the unattached policy grants",
        ),
        "the account has no unattached customer-managed policies",
    );
}
