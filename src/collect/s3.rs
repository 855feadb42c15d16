use std::collections::BTreeSet;

use aws_sdk_s3::error::ProvideErrorMetadata;
use futures_util::{StreamExt, stream};

use super::{BUCKET_CONCURRENCY, when};
use crate::aws::{Aws, unavailable};
use crate::inventory::{Bucket, BucketEncryption, S3, Source, Unavailable};

pub async fn collect(aws: &Aws, sources: &BTreeSet<Source>) -> S3 {
    S3 {
        buckets: when(sources, Source::S3Buckets, buckets(aws, sources)).await,
        ..Default::default()
    }
}

async fn buckets(aws: &Aws, sources: &BTreeSet<Source>) -> Result<Vec<Bucket>, Unavailable> {
    let home = aws.s3(aws.home_region());
    let listed = home
        .list_buckets()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("s3:ListAllMyBuckets", e))?;
    let mut buckets: Vec<Bucket> = stream::iter(listed)
        .map(|b| {
            let home = &home;
            async move {
                let name = b.name().unwrap_or_default().to_string();
                // ListBuckets names the region on current AWS; ask the bucket otherwise.
                let region = match b.bucket_region() {
                    Some(r) if !r.is_empty() => r.to_string(),
                    _ => location(home, &name)
                        .await
                        .unwrap_or_else(|_| aws.home_region().to_string()),
                };
                let client = aws.s3(&region);
                let encryption = when(
                    sources,
                    Source::S3BucketEncryption,
                    encryption(&client, &name),
                )
                .await;
                Bucket {
                    name,
                    region,
                    encryption,
                    ..Default::default()
                }
            }
        })
        .buffer_unordered(BUCKET_CONCURRENCY)
        .collect()
        .await;
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(buckets)
}

async fn location(client: &aws_sdk_s3::Client, bucket: &str) -> Result<String, Unavailable> {
    let out = client
        .get_bucket_location()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| unavailable("s3:GetBucketLocation", e))?;
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
        Err(e) => Err(unavailable("s3:GetEncryptionConfiguration", e)),
    }
}
