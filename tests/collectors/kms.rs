//! KMS: keys, one of which cannot be described.

use super::*;

#[tokio::test]
async fn kms_describe_key_denied_for_one_key_leaves_the_other_keys_judged() {
    use aws_sdk_kms::operation::describe_key::{DescribeKeyError, DescribeKeyOutput};
    use aws_sdk_kms::operation::get_key_policy::GetKeyPolicyOutput;
    use aws_sdk_kms::operation::get_key_rotation_status::GetKeyRotationStatusOutput;
    use aws_sdk_kms::operation::list_keys::ListKeysOutput;
    use aws_sdk_kms::types::{
        KeyListEntry, KeyManagerType, KeyMetadata, KeySpec, KeyState, OriginType,
    };
    let arn = |id: &str| format!("arn:aws:kms:eu-west-1:123456789012:key/{id}");
    let list = mock!(aws_sdk_kms::Client::list_keys).then_output(move || {
        ListKeysOutput::builder()
            .keys(
                KeyListEntry::builder()
                    .key_id("open")
                    .key_arn(arn("open"))
                    .build(),
            )
            .keys(
                KeyListEntry::builder()
                    .key_id("locked")
                    .key_arn(arn("locked"))
                    .build(),
            )
            .build()
    });
    let open = mock!(aws_sdk_kms::Client::describe_key)
        .match_requests(|r| r.key_id() == Some("open"))
        .then_output(|| {
            DescribeKeyOutput::builder()
                .key_metadata(
                    KeyMetadata::builder()
                        .key_id("open")
                        .key_manager(KeyManagerType::Customer)
                        .key_state(KeyState::Enabled)
                        .key_spec(KeySpec::SymmetricDefault)
                        .origin(OriginType::AwsKms)
                        .build()
                        .unwrap(),
                )
                .build()
        });
    // A key policy without the "Enable IAM User Permissions" statement denies the
    // scanner this one key.
    let locked = mock!(aws_sdk_kms::Client::describe_key)
        .match_requests(|r| r.key_id() == Some("locked"))
        .then_error(|| {
            DescribeKeyError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized to perform: kms:DescribeKey on this resource")
                    .build(),
            )
        });
    let rotation = mock!(aws_sdk_kms::Client::get_key_rotation_status).then_output(|| {
        GetKeyRotationStatusOutput::builder()
            .key_rotation_enabled(false)
            .build()
    });
    let policy = mock!(aws_sdk_kms::Client::get_key_policy)
        .match_requests(|r| r.policy_name() == Some("default"))
        .then_output(|| {
            GetKeyPolicyOutput::builder()
                .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"kms:*","Resource":"*"}]}"#)
                .build()
        });
    let client = mock_client!(
        aws_sdk_kms,
        RuleMode::MatchAny,
        &[&list, &open, &locked, &rotation, &policy]
    );
    let keys = tomscan::collect::kms::kms_keys(&client)
        .await
        .expect("one denied DescribeKey must not hide the region's other keys");
    assert_eq!(keys.len(), 2);
    let outcomes = judge(
        "KMS-01",
        tomscan::inventory::Regional {
            kms_keys: Collected::Ok(keys.clone()),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [(Status::Fail, arn("open")), (Status::Error, arn("locked")),]
    );
    // The key policy, read by name, judged by KMS-02: the readable key lets an outsider
    // in; the unreadable one cannot be told customer-managed or not.
    let outcomes = judge(
        "KMS-02",
        tomscan::inventory::Regional {
            kms_keys: Collected::Ok(keys),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [(Status::Fail, arn("open")), (Status::Error, arn("locked")),]
    );
}
