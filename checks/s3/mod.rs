pub mod account_public_access_block;
pub mod bucket_default_encryption;
pub mod bucket_public_access_block;
pub mod bucket_versioning;
pub mod log_bucket_integrity;
pub mod no_external_access;
pub mod no_public_buckets;
pub mod server_access_logging;
pub mod sse_kms;
pub mod tls_only_policy;

use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL};
use crate::inventory::{Bucket, Collected, Inventory, PublicAccessBlock, Unavailable};

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &bucket_default_encryption::CHECK,
    &account_public_access_block::CHECK,
    &bucket_public_access_block::CHECK,
    &no_public_buckets::CHECK,
    &server_access_logging::CHECK,
    &tls_only_policy::CHECK,
    &sse_kms::CHECK,
    &bucket_versioning::CHECK,
    &log_bucket_integrity::CHECK,
    &no_external_access::CHECK,
];

/// Each bucket with its ARN and one of its per-bucket facts. Records `error` for a
/// bucket whose fact could not be read and `not_applicable` for an account without
/// buckets; empty when the bucket list itself could not be read (also recorded).
pub(crate) fn each_bucket<'a, T>(
    cx: &mut Cx<'a>,
    fact: impl Fn(&'a Bucket) -> &'a Collected<T>,
) -> Vec<(&'a Bucket, String, &'a T)> {
    let inv = cx.inv;
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        return Vec::new();
    };
    if buckets.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no S3 buckets");
    }
    buckets
        .iter()
        .filter_map(|b| {
            let arn = bucket_arn(inv, &b.name);
            let value = cx.get_for(fact(b), &b.region, &arn)?;
            Some((b, arn, value))
        })
        .collect()
}

/// `arn:aws:s3:::BUCKET`.
pub(crate) fn bucket_arn(inv: &Inventory, name: &str) -> String {
    format!("arn:{}:s3:::{name}", inv.partition_or_default())
}

/// The Block Public Access settings that are off, by their API names.
pub(crate) fn settings_off(p: &PublicAccessBlock) -> Vec<&'static str> {
    [
        (p.block_public_acls, "BlockPublicAcls"),
        (p.ignore_public_acls, "IgnorePublicAcls"),
        (p.block_public_policy, "BlockPublicPolicy"),
        (p.restrict_public_buckets, "RestrictPublicBuckets"),
    ]
    .into_iter()
    .filter(|(on, _)| !on)
    .map(|(_, name)| name)
    .collect()
}

/// An `error` for a bucket whose fact could not be read, in the words [`Cx::get_for`]
/// uses (naming the IAM action), with what it was needed for.
pub(crate) fn unavailable_error(
    cx: &mut Cx<'_>,
    bucket: &Bucket,
    arn: &str,
    u: &Unavailable,
    needed_for: &str,
    context: Value,
) {
    cx.error(
        &bucket.region,
        arn,
        format!(
            "could not be evaluated: {} failed with {}: {} ({needed_for})",
            u.action, u.code, u.message
        ),
        json!({ "missing_action": u.action, "code": u.code, "message": u.message, "context": context }),
    );
}

/// A fact the inventory does not hold, as an `Unavailable` naming the action to read it.
pub(crate) fn not_in_inventory(action: &str) -> Unavailable {
    Unavailable {
        action: action.to_string(),
        code: "NotCollected".into(),
        message: "the inventory does not hold this source".into(),
    }
}
