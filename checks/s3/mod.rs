pub mod account_public_access_block;
pub mod bucket_default_encryption;
pub mod bucket_public_access_block;
pub mod bucket_versioning;
pub mod log_bucket_integrity;
pub mod no_public_buckets;
pub mod server_access_logging;
pub mod sse_kms;
pub mod tls_only_policy;

use serde_json::Value;

use crate::check::{Check, Cx, GLOBAL};
use crate::inventory::{Bucket, Collected, Inventory, PublicAccessBlock};

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

/// The statements of a policy document: `Statement` may be one object or a list, and a
/// document the collector could not parse arrives as its text.
pub(crate) fn statements(policy: &Value) -> Vec<Value> {
    let parsed;
    let doc = match policy {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return Vec::new(),
        },
        other => other,
    };
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// A policy element that is one string or a list of them (`Action`, `Principal.AWS`).
pub(crate) fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// `"Principal": "*"` or `"Principal": {"AWS": "*"}` (or a list holding `"*"`).
pub(crate) fn is_everyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(map)) => strings(map.get("AWS")).contains(&"*"),
        _ => false,
    }
}

/// The statement's `Effect`, if it is `effect`.
pub(crate) fn effect_is(statement: &Value, effect: &str) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some(effect)
}

/// The statement carries a non-empty `Condition`.
pub(crate) fn has_condition(statement: &Value) -> bool {
    match statement.get("Condition") {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}
