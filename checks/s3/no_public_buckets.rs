use serde_json::{Value, json};

use super::{bucket_arn, not_in_inventory, unavailable_error};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, PublicAccessBlock, Source, Unavailable};

pub static CHECK: Check = Check {
    id: "S3-04",
    slug: "no-public-buckets",
    title: "No bucket policy or ACL grants public access",
    severity: Severity::Critical,
    sources: &[
        Source::S3BucketPolicy,
        Source::S3BucketPolicyStatus,
        Source::S3BucketAcl,
        Source::S3BucketPublicAccessBlock,
        Source::S3AccountPublicAccessBlock,
    ],
    rationale: "The TOM promises customer data is reachable only by the people entitled to it. A bucket policy that allows everyone (\"Principal\": \"*\") without a condition that really narrows who (a VPC endpoint, an organization, an account, a specific IP range; not aws:SecureTransport, aws:Referer or aws:UserAgent), or an ACL grant to AllUsers or AuthenticatedUsers, hands the bucket's data to anyone on the internet, unless Block Public Access (RestrictPublicBuckets, IgnorePublicAcls) neutralises it. AWS's own verdict (GetBucketPolicyStatus) is a second opinion: when it says public, the bucket is public; when it cannot be read, a policy that lets everyone in under a condition tomscan judges narrowing is `error`, not `pass` (a policy with no statement for everyone needs no second opinion). A public-looking grant whose Block Public Access setting cannot be read is `error` too.",
    remediation: "Remove the statements that allow \"Principal\": \"*\", or narrow them with a condition on who calls (aws:SourceVpce, aws:PrincipalOrgID, aws:PrincipalAccount): aws s3api put-bucket-policy / delete-bucket-policy --bucket BUCKET; drop public grants with aws s3api put-bucket-acl --bucket BUCKET --acl private; then turn on Block Public Access (S3-02, S3-03).",
    references: &["Security Hub S3.2", "Security Hub S3.3"],
    run,
    module: module_path!(),
};

const PUBLIC_GROUPS: [&str; 2] = ["/global/AllUsers", "/global/AuthenticatedUsers"];

/// Whether Block Public Access neutralises a kind of public grant for one bucket.
enum Neutralised {
    /// The setting is on at this level.
    By(&'static str),
    No,
    /// Off wherever it could be read, and unreadable somewhere.
    Unknown(Unavailable),
}

fn neutralised(
    levels: [(&'static str, &Collected<Option<PublicAccessBlock>>, &str); 2],
    setting: fn(&PublicAccessBlock) -> bool,
) -> Neutralised {
    let mut unknown = None;
    for (level, fact, action) in levels {
        match fact {
            Collected::Ok(Some(p)) if setting(p) => return Neutralised::By(level),
            Collected::Ok(_) => {}
            Collected::Unavailable(u) => {
                unknown.get_or_insert_with(|| u.clone());
            }
            Collected::NotCollected => {
                unknown.get_or_insert_with(|| not_in_inventory(action));
            }
        }
    }
    unknown.map_or(Neutralised::No, Neutralised::Unknown)
}

fn describe(n: &Neutralised, setting: &str) -> Value {
    match n {
        Neutralised::By(level) => json!(format!("{setting} on ({level} level)")),
        Neutralised::No => json!(format!("{setting} off")),
        Neutralised::Unknown(u) => json!(format!("{setting} unreadable: {} {}", u.action, u.code)),
    }
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        return;
    };
    if buckets.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no S3 buckets");
    }
    for bucket in buckets {
        let arn = bucket_arn(inv, &bucket.name);
        let policy = cx.get_for(&bucket.policy, &bucket.region, &arn);
        let acl = cx.get_for(&bucket.acl_grants, &bucket.region, &arn);
        let (Some(policy), Some(acl)) = (policy, acl) else {
            continue;
        };
        let access = policy
            .as_ref()
            .map(|d| d.public_access())
            .unwrap_or_default();
        // AWS's verdict on the policy; consulted only where ours could be disputed.
        let aws_status = match (policy, &bucket.policy_status) {
            (None, _) => Ok(None),
            (Some(_), Collected::Ok(status)) => Ok(*status),
            (Some(_), Collected::Unavailable(u)) => Err(u.clone()),
            (Some(_), Collected::NotCollected) => Err(not_in_inventory("s3:GetBucketPolicyStatus")),
        };
        let aws_says_public = matches!(aws_status, Ok(Some(true)));
        let policy_public = access.is_public() || aws_says_public;
        let grants: Vec<_> = acl
            .iter()
            .filter(|g| {
                g.grantee_uri
                    .as_deref()
                    .is_some_and(|uri| PUBLIC_GROUPS.iter().any(|s| uri.ends_with(s)))
            })
            .map(|g| json!({ "grantee_uri": g.grantee_uri, "permission": g.permission }))
            .collect();
        let levels = [
            (
                "bucket",
                &bucket.public_access_block,
                "s3:GetBucketPublicAccessBlock",
            ),
            (
                "account",
                &inv.s3.account_public_access_block,
                "s3:GetAccountPublicAccessBlock",
            ),
        ];
        let restrict = neutralised(levels, |p| p.restrict_public_buckets);
        let ignore = neutralised(levels, |p| p.ignore_public_acls);
        let evidence = json!({
            "bucket": bucket.name,
            "has_policy": policy.is_some(),
            "public_statements": access.public,
            "narrowed_statements": access.narrowed,
            "aws_policy_status": match &aws_status {
                Ok(None) => json!("no policy"),
                Ok(Some(true)) => json!("public"),
                Ok(Some(false)) => json!("not public"),
                Err(u) => json!(format!("unavailable: {} {}: {}", u.action, u.code, u.message)),
            },
            "public_acl_grants": grants,
            "block_public_access": {
                "restrict_public_buckets": describe(&restrict, "RestrictPublicBuckets"),
                "ignore_public_acls": describe(&ignore, "IgnorePublicAcls"),
            },
        });

        let mut public = Vec::new();
        let mut neutral = Vec::new();
        let mut unknown: Option<(Unavailable, String)> = None;
        let mut weigh = |looks_public: bool, what: String, n: &Neutralised, setting: &str| {
            if !looks_public {
                return;
            }
            match n {
                Neutralised::No => public.push(what),
                Neutralised::By(level) => {
                    neutral.push(format!("{what}, neutralised by {setting} ({level} level)"))
                }
                Neutralised::Unknown(u) => {
                    unknown.get_or_insert_with(|| {
                        (
                            u.clone(),
                            format!("{what}; whether {setting} neutralises it could not be read"),
                        )
                    });
                }
            }
        };
        let policy_why = if let Some(first) = access.public.first() {
            format!("the bucket policy {}", first.why)
        } else {
            "AWS's policy status (GetBucketPolicyStatus) says the bucket policy is public".into()
        };
        weigh(
            policy_public,
            policy_why,
            &restrict,
            "RestrictPublicBuckets",
        );
        weigh(
            !grants.is_empty(),
            "the bucket ACL grants access to AllUsers or AuthenticatedUsers".into(),
            &ignore,
            "IgnorePublicAcls",
        );

        if !public.is_empty() {
            cx.fail(&bucket.region, &arn, public.join("; "), evidence);
            continue;
        }
        if let Some((u, why)) = unknown {
            unavailable_error(cx, bucket, &arn, &u, &why, evidence);
            continue;
        }
        // Our evaluator judged a statement for everyone narrowed by its conditions. Unless
        // RestrictPublicBuckets makes the question moot, that judgement stands only with
        // AWS's agreement: without its verdict, `error`, not `pass`.
        if !access.narrowed.is_empty()
            && !matches!(restrict, Neutralised::By(_))
            && let Err(u) = &aws_status
        {
            unavailable_error(
                cx,
                bucket,
                &arn,
                u,
                "the bucket policy allows everyone under conditions tomscan judges narrowing; AWS's own verdict is needed to confirm it",
                evidence,
            );
            continue;
        }
        let mut message =
            String::from("neither the bucket policy nor the ACL grants public access");
        if !access.narrowed.is_empty() {
            let why: Vec<&str> = access.narrowed.iter().map(|j| j.why.as_str()).collect();
            message = format!(
                "{message}; statements for everyone are narrowed: {}",
                why.join("; ")
            );
        }
        if !neutral.is_empty() {
            message = format!("no public access takes effect: {}", neutral.join("; "));
        }
        cx.pass(&bucket.region, &arn, message, evidence);
    }
}
