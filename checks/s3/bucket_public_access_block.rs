use serde_json::json;

use super::{bucket_arn, settings_off};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{PublicAccessBlock, Source};

pub static CHECK: Check = Check {
    id: "S3-03",
    slug: "bucket-public-access-block",
    title: "Every bucket blocks public access",
    severity: Severity::Medium,
    sources: &[
        Source::S3BucketPublicAccessBlock,
        Source::S3AccountPublicAccessBlock,
    ],
    rationale: "The TOM promises customer data is reachable only by the people entitled to it. With Block Public Access on (on the bucket, or for the whole account) a mistaken policy or ACL cannot expose the bucket's objects to the internet.",
    remediation: "Turn it on for the whole account (see S3-02), or per bucket: aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
    references: &["Security Hub S3.8"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        return;
    };
    if buckets.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no S3 buckets");
    }
    // Read past `cx.get`: an unreadable account setting is S3-02's error, and must not
    // turn every bucket into one here. It only ever adds protection.
    let account = inv.s3.account_public_access_block.ok();
    let account_setting = setting(account);
    let account_pab = account.and_then(Option::as_ref);
    let account_covers = account_pab.is_some_and(PublicAccessBlock::all_on);
    for bucket in buckets {
        let arn = bucket_arn(inv, &bucket.name);
        if let Some(Some(p)) = bucket.public_access_block.ok()
            && p.all_on()
        {
            cx.pass(
                &bucket.region,
                &arn,
                "the bucket blocks all public access",
                json!({ "bucket": bucket.name, "bucket_public_access_block": p, "account_public_access_block": account_setting }),
            );
            continue;
        }
        if account_covers {
            cx.pass(
                &bucket.region,
                &arn,
                "public access is blocked: covered by the account setting",
                json!({ "bucket": bucket.name, "bucket_public_access_block": setting(bucket.public_access_block.ok()), "account_public_access_block": account_setting }),
            );
            continue;
        }
        let Some(own) = cx.get_for(&bucket.public_access_block, &bucket.region, &arn) else {
            continue;
        };
        // S3 enforces the most restrictive combination of bucket and account settings.
        let on = |f: fn(&PublicAccessBlock) -> bool| {
            own.as_ref().is_some_and(f) || account_pab.is_some_and(f)
        };
        let effective = PublicAccessBlock {
            block_public_acls: on(|p| p.block_public_acls),
            ignore_public_acls: on(|p| p.ignore_public_acls),
            block_public_policy: on(|p| p.block_public_policy),
            restrict_public_buckets: on(|p| p.restrict_public_buckets),
        };
        let evidence = json!({
            "bucket": bucket.name,
            "bucket_public_access_block": setting(Some(own)),
            "account_public_access_block": account_setting,
            "effective": effective,
        });
        if effective.all_on() {
            cx.pass(
                &bucket.region,
                &arn,
                "public access is blocked by the bucket and account settings together",
                evidence,
            );
            continue;
        }
        let off = settings_off(&effective);
        let mut message = format!("public access is not fully blocked: {} off", off.join(", "));
        if own.is_none() {
            message.push_str("; the bucket has no Block Public Access setting of its own");
        }
        if account.is_none() {
            message.push_str(" (the account-level setting could not be read)");
        }
        cx.fail(&bucket.region, &arn, message, evidence);
    }
}

/// A Block Public Access setting as evidence: its flags, or why there are none.
fn setting(s: Option<&Option<PublicAccessBlock>>) -> serde_json::Value {
    match s {
        Some(Some(p)) => json!(p),
        Some(None) => json!("not configured"),
        None => json!("could not be read"),
    }
}
