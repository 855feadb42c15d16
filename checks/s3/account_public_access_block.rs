use serde_json::json;

use super::settings_off;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-02",
    slug: "account-public-access-block",
    title: "S3 Block Public Access is on for the account",
    severity: Severity::High,
    sources: &[Source::S3AccountPublicAccessBlock],
    rationale: "The TOM promises customer data is reachable only by the people entitled to it. Account-level Block Public Access overrides every bucket policy and ACL that would make data public, including those on buckets someone creates tomorrow.",
    remediation: "aws s3control put-public-access-block --account-id ACCOUNT_ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true (console: S3 > Block Public Access settings for this account > Edit > Block all public access).",
    references: &["CIS AWS 2.1.4", "Security Hub S3.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let account = inv.account_arn();
    let Some(setting) = cx.get(&inv.s3.account_public_access_block, GLOBAL) else {
        return;
    };
    match setting {
        Some(p) if p.all_on() => cx.pass(
            GLOBAL,
            &account,
            "all four Block Public Access settings are on for the account",
            json!({ "account_public_access_block": p }),
        ),
        Some(p) => {
            let off = settings_off(p);
            cx.fail(
                GLOBAL,
                &account,
                format!(
                    "account-level Block Public Access is only partly on: {} off",
                    off.join(", ")
                ),
                json!({ "account_public_access_block": p, "settings_off": off }),
            );
        }
        None => cx.fail(
            GLOBAL,
            &account,
            "account-level Block Public Access is not configured",
            json!({ "account_public_access_block": null }),
        ),
    }
}
