//! KMS keys: who manages them, their state, and whether they rotate.

use super::{action, paged, regional};
use crate::aws::unavailable;
use futures_util::future::join_all;

use crate::inventory::{Collected, KeyMetadata, KmsKey, Unavailable};

regional! {
    KmsKeys => kms_keys: kms, kms_keys;
}

pub async fn kms_keys(client: &aws_sdk_kms::Client) -> Result<Vec<KmsKey>, Unavailable> {
    let list = paged(
        action!(KmsKeys, ListKeys),
        client.list_keys().into_paginator().items().send(),
    )
    .await?;
    // Per key: a key policy can deny DescribeKey on one key and leave the others
    // readable, so one denial is that key's fact, not the region's.
    Ok(join_all(list.iter().map(|k| async move {
        let id = k.key_id().unwrap_or_default().to_string();
        let metadata: Collected<KeyMetadata> = client
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .map(|out| {
                let meta = out.key_metadata();
                KeyMetadata {
                    manager: meta
                        .and_then(|m| m.key_manager())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    state: meta
                        .and_then(|m| m.key_state())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    spec: meta
                        .and_then(|m| m.key_spec())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    origin: meta
                        .and_then(|m| m.origin())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                }
            })
            .map_err(|e| unavailable(action!(KmsKeys, DescribeKey), e))
            .into();
        // AWS-managed keys rotate on AWS's schedule, and asking about them is denied.
        let rotatable = metadata.ok().is_some_and(|m| {
            m.manager == "CUSTOMER" && m.state == "Enabled" && m.spec == "SYMMETRIC_DEFAULT"
        });
        let rotation_enabled = if rotatable {
            client
                .get_key_rotation_status()
                .key_id(&id)
                .send()
                .await
                .map(|r| r.key_rotation_enabled())
                .map_err(|e| unavailable(action!(KmsKeys, GetKeyRotationStatus), e))
                .into()
        } else {
            Collected::NotCollected
        };
        KmsKey {
            arn: k.key_arn().unwrap_or_default().to_string(),
            id,
            metadata,
            rotation_enabled,
        }
    }))
    .await)
}
