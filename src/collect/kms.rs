//! KMS keys: who manages them, their state, whether they rotate, and who their key
//! policy lets in.

use super::{action, paged, per_resource, regional, word};
use crate::aws::unavailable;
use crate::inventory::policy::PolicyDocument;
use crate::inventory::{
    Collected, KeyManager, KeyMetadata, KeySpec, KeyState, KmsAlias, KmsKey, Unavailable,
};

regional! {
    KmsKeys => kms_keys: kms, kms_keys;
    KmsAliases => kms_aliases: kms, kms_aliases;
}

pub async fn kms_aliases(client: &aws_sdk_kms::Client) -> Result<Vec<KmsAlias>, Unavailable> {
    let list = paged(
        action!(KmsAliases, ListAliases),
        client.list_aliases().into_paginator().items().send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|a| KmsAlias {
            name: a.alias_name().unwrap_or_default().to_string(),
            target_key_id: a.target_key_id().map(str::to_string),
        })
        .collect())
}

pub async fn kms_keys(client: &aws_sdk_kms::Client) -> Result<Vec<KmsKey>, Unavailable> {
    let list = paged(
        action!(KmsKeys, ListKeys),
        client.list_keys().into_paginator().items().send(),
    )
    .await?;
    // Per key: a key policy can deny DescribeKey on one key and leave the others
    // readable, so one denial is that key's fact, not the region's.
    Ok(per_resource(list, |k| async move {
        let id = k.key_id().unwrap_or_default().to_string();
        let metadata: Collected<KeyMetadata> = client
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .map(|out| {
                let meta = out.key_metadata();
                KeyMetadata {
                    manager: word(meta.and_then(|m| m.key_manager()).map(|v| v.as_str())),
                    state: word(meta.and_then(|m| m.key_state()).map(|v| v.as_str())),
                    spec: word(meta.and_then(|m| m.key_spec()).map(|v| v.as_str())),
                    origin: word(meta.and_then(|m| m.origin()).map(|v| v.as_str())),
                }
            })
            .map_err(|e| unavailable(action!(KmsKeys, DescribeKey), e))
            .into();
        let customer = metadata
            .ok()
            .is_some_and(|m| m.manager == KeyManager::Customer);
        // AWS-managed keys rotate on AWS's schedule, and asking about them is denied.
        let rotatable = metadata.ok().is_some_and(|m| {
            m.manager == KeyManager::Customer
                && m.state == KeyState::Enabled
                && m.spec == KeySpec::SymmetricDefault
        });
        let (rotation_enabled, policy) = tokio::join!(
            async {
                if !rotatable {
                    return Collected::NotCollected;
                }
                client
                    .get_key_rotation_status()
                    .key_id(&id)
                    .send()
                    .await
                    .map(|r| r.key_rotation_enabled())
                    .map_err(|e| unavailable(action!(KmsKeys, GetKeyRotationStatus), e))
                    .into()
            },
            async {
                if !customer {
                    return Collected::NotCollected;
                }
                key_policy(client, &id).await.into()
            },
        );
        KmsKey {
            arn: k.key_arn().unwrap_or_default().to_string(),
            id,
            metadata,
            rotation_enabled,
            policy,
        }
    })
    .await)
}

/// The key's policy. Every key has exactly one, named `default`; the name is sent
/// because some emulators (moto) do not assume it.
async fn key_policy(client: &aws_sdk_kms::Client, id: &str) -> Result<PolicyDocument, Unavailable> {
    let action = action!(KmsKeys, GetKeyPolicy);
    let out = client
        .get_key_policy()
        .key_id(id)
        .policy_name("default")
        .send()
        .await
        .map_err(|e| unavailable(action, e))?;
    PolicyDocument::parse(out.policy().unwrap_or_default())
        .map_err(|e| e.unavailable(action, "the key policy"))
}
