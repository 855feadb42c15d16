use std::collections::BTreeSet;

use aws_sdk_s3::error::ProvideErrorMetadata;
use futures_util::{StreamExt, stream};

use super::{BUCKET_CONCURRENCY, action, when, word};
use crate::aws::{Aws, unavailable};
use crate::inventory::policy::PolicyDocument;
use crate::inventory::{
    AclGrant, Bucket, BucketEncryption, BucketVersioning, PublicAccessBlock, S3, Source, Tags,
    Unavailable,
};

pub async fn collect(aws: &Aws, account_id: &str, sources: &BTreeSet<Source>) -> S3 {
    let (buckets, account_public_access_block) = tokio::join!(
        when(sources, Source::S3Buckets, buckets(aws, sources)),
        when(
            sources,
            Source::S3AccountPublicAccessBlock,
            aws.in_turn(|| account_public_access_block(aws, account_id))
        ),
    );
    S3 {
        buckets,
        account_public_access_block,
    }
}

/// The listing is a collection, and so is each bucket's settings, each in a turn of the
/// run's ([`Aws::in_turn`]).
async fn buckets(aws: &Aws, sources: &BTreeSet<Source>) -> Result<Vec<Bucket>, Unavailable> {
    let located = aws
        .in_turn(|| async { list_buckets(&aws.s3(aws.home_region())).await })
        .await?;
    let mut buckets: Vec<Bucket> = stream::iter(located)
        .map(|(name, located)| {
            aws.in_turn(move || async move {
                let (region, region_unavailable) = match located {
                    Ok(region) => (region, None),
                    Err(u) => (String::new(), Some(u)),
                };
                // An unknown region is asked from the home region: the answers say
                // whatever S3 says there (a redirect is `error`), never a guess.
                let client = aws.s3(if region.is_empty() {
                    aws.home_region()
                } else {
                    &region
                });
                let (c, n) = (&client, name.as_str());
                use Source::*;
                let (encryption, public_access_block, policy, acl_grants) = tokio::join!(
                    when(sources, S3BucketEncryption, encryption(c, n)),
                    when(
                        sources,
                        S3BucketPublicAccessBlock,
                        public_access_block(c, n)
                    ),
                    when(sources, S3BucketPolicy, policy(c, n)),
                    when(sources, S3BucketAcl, acl(c, n)),
                );
                let (logging_target, versioning, object_lock, tags, policy_status) = tokio::join!(
                    when(sources, S3BucketLogging, logging(c, n)),
                    when(sources, S3BucketVersioning, versioning(c, n)),
                    when(sources, S3BucketObjectLock, object_lock(c, n)),
                    when(sources, S3BucketTags, tags(c, n)),
                    when(sources, S3BucketPolicyStatus, policy_status(c, n)),
                );
                Bucket {
                    name,
                    region,
                    region_unavailable,
                    encryption,
                    public_access_block,
                    policy,
                    policy_status,
                    acl_grants,
                    logging_target,
                    versioning,
                    object_lock,
                    tags,
                }
            })
        })
        .buffer_unordered(BUCKET_CONCURRENCY)
        .collect()
        .await;
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(buckets)
}

/// Every bucket of the account with its region, or why the region is unknown.
///
/// `ListBuckets` names each bucket's region (`BucketRegion`), but only when the request
/// carries a parameter such as `MaxBuckets`; `GetBucketLocation` is asked only for buckets
/// it leaves out. A location that cannot be read stays unknown: counting the bucket in
/// some region would place customer data where it may not be.
pub async fn list_buckets(
    client: &aws_sdk_s3::Client,
) -> Result<Vec<(String, Result<String, Unavailable>)>, Unavailable> {
    let listed = client
        .list_buckets()
        .max_buckets(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(S3Buckets, ListAllMyBuckets), e))?;
    Ok(stream::iter(listed)
        .map(|b| async move {
            let name = b.name().unwrap_or_default().to_string();
            let region = match b.bucket_region() {
                Some(r) if !r.is_empty() => Ok(r.to_string()),
                _ => location(client, &name).await,
            };
            (name, region)
        })
        .buffered(BUCKET_CONCURRENCY)
        .collect()
        .await)
}

async fn location(client: &aws_sdk_s3::Client, bucket: &str) -> Result<String, Unavailable> {
    let out = client
        .get_bucket_location()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| unavailable(action!(S3Buckets, GetBucketLocation), e))?;
    Ok(match out.location_constraint().map(|c| c.as_str()) {
        // The API's two legacy spellings.
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    })
}

async fn encryption(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Option<BucketEncryption>, Unavailable> {
    match client.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => {
            let rule = out
                .server_side_encryption_configuration()
                .and_then(|c| c.rules().first());
            Ok(rule.and_then(|r| {
                r.apply_server_side_encryption_by_default()
                    .map(|d| BucketEncryption {
                        algorithm: d.sse_algorithm().as_str().to_string(),
                        kms_key_id: d.kms_master_key_id().map(str::to_string),
                        bucket_key_enabled: r.bucket_key_enabled().unwrap_or(false),
                    })
            }))
        }
        Err(e) if e.code() == Some("ServerSideEncryptionConfigurationNotFoundError") => Ok(None),
        Err(e) => Err(unavailable(
            action!(S3BucketEncryption, GetEncryptionConfiguration),
            e,
        )),
    }
}

fn pab(c: Option<&aws_sdk_s3::types::PublicAccessBlockConfiguration>) -> Option<PublicAccessBlock> {
    c.map(|c| PublicAccessBlock {
        block_public_acls: c.block_public_acls().unwrap_or(false),
        ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
        block_public_policy: c.block_public_policy().unwrap_or(false),
        restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
    })
}

async fn public_access_block(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Option<PublicAccessBlock>, Unavailable> {
    match client.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => Ok(pab(out.public_access_block_configuration())),
        Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => Ok(None),
        Err(e) => Err(unavailable(
            action!(S3BucketPublicAccessBlock, GetBucketPublicAccessBlock),
            e,
        )),
    }
}

async fn account_public_access_block(
    aws: &Aws,
    account_id: &str,
) -> Result<Option<PublicAccessBlock>, Unavailable> {
    match aws
        .s3control()
        .get_public_access_block()
        .account_id(account_id)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            })),
        Err(e) if e.code() == Some("NoSuchPublicAccessBlockConfiguration") => Ok(None),
        Err(e) => Err(unavailable(
            action!(S3AccountPublicAccessBlock, GetAccountPublicAccessBlock),
            e,
        )),
    }
}

/// The bucket policy, parsed: a policy that does not parse is `Unavailable` for this
/// bucket, never a bucket without statements.
async fn policy(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Option<PolicyDocument>, Unavailable> {
    match client.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => out
            .policy()
            .map(|text| {
                PolicyDocument::parse(text).map_err(|e| {
                    e.unavailable(
                        action!(S3BucketPolicy, GetBucketPolicy),
                        &format!("bucket policy of {bucket}"),
                    )
                })
            })
            .transpose(),
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => Ok(None),
        Err(e) => Err(unavailable(action!(S3BucketPolicy, GetBucketPolicy), e)),
    }
}

/// AWS's own judgement of the bucket policy, a second opinion beside ours.
async fn policy_status(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<Option<bool>, Unavailable> {
    match client
        .get_bucket_policy_status()
        .bucket(bucket)
        .send()
        .await
    {
        // Every real answer carries IsPublic. One without it is not a "no": moto 5.2.1
        // lacks the API and answers with a bucket listing that parses as an empty status.
        Ok(out) => match out.policy_status().and_then(|s| s.is_public()) {
            Some(public) => Ok(Some(public)),
            None => Err(Unavailable {
                action: action!(S3BucketPolicyStatus, GetBucketPolicyStatus).into(),
                code: "IncompleteResponse".into(),
                message: "the answer carries no PolicyStatus.IsPublic".into(),
            }),
        },
        Err(e) if e.code() == Some("NoSuchBucketPolicy") => Ok(None),
        Err(e) => Err(unavailable(
            action!(S3BucketPolicyStatus, GetBucketPolicyStatus),
            e,
        )),
    }
}

async fn acl(client: &aws_sdk_s3::Client, bucket: &str) -> Result<Vec<AclGrant>, Unavailable> {
    let out = client
        .get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| unavailable(action!(S3BucketAcl, GetBucketAcl), e))?;
    let owner = out.owner().and_then(|o| o.id());
    Ok(out
        .grants()
        .iter()
        .map(|g| AclGrant {
            grantee_type: g
                .grantee()
                .map(|t| t.r#type().as_str().to_string())
                .unwrap_or_default(),
            grantee_uri: g.grantee().and_then(|t| t.uri()).map(str::to_string),
            grantee_id: g
                .grantee()
                .and_then(|t| t.id().or(t.email_address()))
                .map(str::to_string),
            to_owner: owner.is_some() && g.grantee().and_then(|t| t.id()) == owner,
            permission: g
                .permission()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect())
}

async fn logging(client: &aws_sdk_s3::Client, bucket: &str) -> Result<Option<String>, Unavailable> {
    let out = client
        .get_bucket_logging()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| unavailable(action!(S3BucketLogging, GetBucketLogging), e))?;
    Ok(out.logging_enabled().map(|l| l.target_bucket().to_string()))
}

async fn versioning(
    client: &aws_sdk_s3::Client,
    bucket: &str,
) -> Result<BucketVersioning, Unavailable> {
    use aws_sdk_s3::error::SdkError;
    match client.get_bucket_versioning().bucket(bucket).send().await {
        Ok(out) => Ok(BucketVersioning {
            status: word(out.status().map(|s| s.as_str())),
            mfa_delete: out.mfa_delete().is_some_and(|m| m.as_str() == "Enabled"),
        }),
        Err(e) => {
            // moto answers 200 with a root element the SDK does not parse. The status is
            // in the raw body: read it there rather than report an emulator quirk as an
            // unreadable bucket. Real AWS responses parse and never reach this.
            let raw = match &e {
                SdkError::ServiceError(se) => Some(se.raw()),
                SdkError::ResponseError(re) => Some(re.raw()),
                _ => None,
            };
            let body = raw
                .filter(|r| r.status().is_success())
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .filter(|b| {
                    b.contains("VersioningConfiguration")
                        || b.contains("GetBucketVersioningResponse")
                });
            match body {
                Some(body) => Ok(BucketVersioning {
                    status: word(xml_text(&body, "Status").as_deref()),
                    mfa_delete: xml_text(&body, "MfaDelete").as_deref() == Some("Enabled"),
                }),
                None => Err(unavailable(
                    action!(S3BucketVersioning, GetBucketVersioning),
                    e,
                )),
            }
        }
    }
}

/// The text of the first `<tag>` element, for the one response read by hand.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..start + end].trim().to_string())
}

async fn object_lock(client: &aws_sdk_s3::Client, bucket: &str) -> Result<bool, Unavailable> {
    match client
        .get_object_lock_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .object_lock_configuration()
            .and_then(|c| c.object_lock_enabled())
            .is_some_and(|e| e.as_str() == "Enabled")),
        Err(e) if e.code() == Some("ObjectLockConfigurationNotFoundError") => Ok(false),
        Err(e) => Err(unavailable(
            action!(S3BucketObjectLock, GetBucketObjectLockConfiguration),
            e,
        )),
    }
}

async fn tags(client: &aws_sdk_s3::Client, bucket: &str) -> Result<Tags, Unavailable> {
    match client.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Ok(out
            .tag_set()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()),
        Err(e) if e.code() == Some("NoSuchTagSet") => Ok(Tags::new()),
        Err(e) => Err(unavailable(action!(S3BucketTags, GetBucketTagging), e)),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::operation::get_bucket_policy::{GetBucketPolicyError, GetBucketPolicyOutput};
    use aws_sdk_s3::operation::get_bucket_policy_status::{
        GetBucketPolicyStatusError, GetBucketPolicyStatusOutput,
    };
    use aws_sdk_s3::types::PolicyStatus;
    use aws_smithy_mocks::{mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;

    use super::{policy, policy_status};

    fn meta(code: &str) -> ErrorMetadata {
        ErrorMetadata::builder()
            .code(code)
            .message("from the test")
            .build()
    }

    #[tokio::test]
    async fn bucket_policy_is_parsed_and_an_unparseable_one_is_unavailable() {
        let good = mock!(aws_sdk_s3::Client::get_bucket_policy).then_output(|| {
            GetBucketPolicyOutput::builder()
                .policy(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}"#)
                .build()
        });
        let client = mock_client!(aws_sdk_s3, &[&good]);
        let doc = policy(&client, "b").await.unwrap().expect("a policy");
        assert!(
            doc.public_access().is_public(),
            "TLS restricts nothing about who"
        );

        let bad = mock!(aws_sdk_s3::Client::get_bucket_policy).then_output(|| {
            GetBucketPolicyOutput::builder()
                .policy("{\"Version\":")
                .build()
        });
        let client = mock_client!(aws_sdk_s3, &[&bad]);
        let u = policy(&client, "b").await.unwrap_err();
        assert_eq!(
            (u.action.as_str(), u.code.as_str()),
            ("s3:GetBucketPolicy", "InvalidPolicyDocument")
        );
        assert!(u.message.contains("bucket policy of b"), "{u:?}");

        let none = mock!(aws_sdk_s3::Client::get_bucket_policy)
            .then_error(|| GetBucketPolicyError::generic(meta("NoSuchBucketPolicy")));
        let client = mock_client!(aws_sdk_s3, &[&none]);
        assert_eq!(policy(&client, "b").await.unwrap(), None);
    }

    #[tokio::test]
    async fn policy_status_is_read_and_an_answer_without_is_public_is_unavailable() {
        let public = mock!(aws_sdk_s3::Client::get_bucket_policy_status).then_output(|| {
            GetBucketPolicyStatusOutput::builder()
                .policy_status(PolicyStatus::builder().is_public(true).build())
                .build()
        });
        let client = mock_client!(aws_sdk_s3, &[&public]);
        assert_eq!(policy_status(&client, "b").await.unwrap(), Some(true));

        // What moto 5.2.1 answers (a bucket listing) parses as an empty status.
        let empty = mock!(aws_sdk_s3::Client::get_bucket_policy_status).then_output(|| {
            GetBucketPolicyStatusOutput::builder()
                .policy_status(PolicyStatus::builder().build())
                .build()
        });
        let client = mock_client!(aws_sdk_s3, &[&empty]);
        let u = policy_status(&client, "b").await.unwrap_err();
        assert_eq!(
            (u.action.as_str(), u.code.as_str()),
            ("s3:GetBucketPolicyStatus", "IncompleteResponse")
        );

        let none = mock!(aws_sdk_s3::Client::get_bucket_policy_status)
            .then_error(|| GetBucketPolicyStatusError::generic(meta("NoSuchBucketPolicy")));
        let client = mock_client!(aws_sdk_s3, &[&none]);
        assert_eq!(policy_status(&client, "b").await.unwrap(), None);

        let denied = mock!(aws_sdk_s3::Client::get_bucket_policy_status)
            .then_error(|| GetBucketPolicyStatusError::generic(meta("AccessDenied")));
        let client = mock_client!(aws_sdk_s3, &[&denied]);
        let u = policy_status(&client, "b").await.unwrap_err();
        assert_eq!(
            (u.action.as_str(), u.code.as_str()),
            ("s3:GetBucketPolicyStatus", "AccessDenied")
        );
    }
}
