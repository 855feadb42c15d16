//! IAM: the password policy, the credential report, and the authorization details, each document parsed once.

use super::*;

#[tokio::test]
async fn password_policy_absent_is_a_fact_but_denied_is_not() {
    let none = mock!(aws_sdk_iam::Client::get_account_password_policy).then_error(|| {
        GetAccountPasswordPolicyError::generic(
            ErrorMetadata::builder().code("NoSuchEntity").build(),
        )
    });
    let client = mock_client!(aws_sdk_iam, &[&none]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamPasswordPolicy]),
    )
    .await;
    assert_eq!(
        facts.password_policy.ok().map(|p| p.is_none()),
        Some(true),
        "{:?}",
        facts.password_policy
    );

    let denied = mock!(aws_sdk_iam::Client::get_account_password_policy).then_error(|| {
        GetAccountPasswordPolicyError::generic(
            ErrorMetadata::builder()
                .code("AccessDenied")
                .message("no")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_iam, &[&denied]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamPasswordPolicy]),
    )
    .await;
    let Collected::Unavailable(u) = &facts.password_policy else {
        panic!("{:?}", facts.password_policy);
    };
    assert_eq!(u.action, "iam:GetAccountPasswordPolicy");

    let strong = mock!(aws_sdk_iam::Client::get_account_password_policy).then_output(|| {
        GetAccountPasswordPolicyOutput::builder()
            .password_policy(
                PasswordPolicy::builder()
                    .minimum_password_length(16)
                    .require_symbols(true)
                    .max_password_age(60)
                    .password_reuse_prevention(24)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_iam, &[&strong]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamPasswordPolicy]),
    )
    .await;
    let p = facts.password_policy.ok().unwrap().as_ref().unwrap();
    assert_eq!(
        (p.minimum_length, p.max_age_days, p.reuse_prevention),
        (16, Some(60), Some(24))
    );
    assert!(p.require_symbols && !p.require_numbers);
}

const REPORT_WITH_ROOT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,2026-05-20T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,true,2026-05-01T00:00:00+00:00,2020-01-01T00:00:00+00:00,N/A,false,true,2020-01-01T00:00:00+00:00,2026-05-02T00:00:00+00:00,eu-west-1,s3,true,2021-01-01T00:00:00+00:00,no_information,N/A,N/A,false,N/A,false,N/A
";

#[tokio::test]
async fn credential_report_waits_for_generation_and_parses_the_root_row() {
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
        .sequence()
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(ReportStateType::Started)
                .build()
        })
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(ReportStateType::Complete)
                .build()
        })
        .build();
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(aws_smithy_types::Blob::new(REPORT_WITH_ROOT))
            .build()
    });
    let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, &[&generate, &get]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamCredentialReport]),
    )
    .await;
    assert_eq!(generate.num_calls(), 2, "polled until COMPLETE");
    let report = facts.credential_report.ok().expect("report");
    let root = report.root.as_ref().expect("root row");
    assert!(root.mfa_active && !root.password_enabled);
    assert_eq!(
        root.password_last_used.unwrap().to_rfc3339(),
        "2026-05-20T10:00:00+00:00"
    );
    assert_eq!(report.users.len(), 1);
    let alice = &report.users[0];
    assert!(alice.password_enabled && !alice.mfa_active);
    assert_eq!(alice.active_keys().count(), 2);
    assert!(
        alice.access_keys[1].last_used.is_none(),
        "no_information is no date"
    );
}

/// Every document of the authorization details is parsed in the collector, each on its
/// own: a URL-encoded NotAction admin policy, a role's trust policy, a managed policy's
/// default version with its AttachmentCount; a document that does not parse is
/// `Unavailable` for its own user only, and the others are still judged.
#[tokio::test]
async fn authorization_documents_are_parsed_once_and_a_bad_one_is_unavailable_alone() {
    use aws_sdk_iam::operation::get_account_authorization_details::{
        GetAccountAuthorizationDetailsError, GetAccountAuthorizationDetailsOutput,
    };
    use aws_sdk_iam::types::{
        ManagedPolicyDetail, PolicyDetail, PolicyVersion, RoleDetail, UserDetail,
    };
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let admin = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"aws-portal:*","Resource":"*"}]}"#,
    );
    let trust = encode(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
    );
    let page =
        mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(move || {
            GetAccountAuthorizationDetailsOutput::builder()
                .user_detail_list(
                    UserDetail::builder()
                        .user_name("mallory")
                        .arn("arn:aws:iam::123456789012:user/mallory")
                        .user_policy_list(
                            PolicyDetail::builder()
                                .policy_name("ops-everything")
                                .policy_document(admin.clone())
                                .build(),
                        )
                        .build(),
                )
                .user_detail_list(
                    UserDetail::builder()
                        .user_name("quinn")
                        .arn("arn:aws:iam::123456789012:user/quinn")
                        .user_policy_list(
                            PolicyDetail::builder()
                                .policy_name("truncated")
                                .policy_document("%7B%22Statement%22%3A%5B")
                                .build(),
                        )
                        .build(),
                )
                .role_detail_list(
                    RoleDetail::builder()
                        .role_name("open")
                        .arn("arn:aws:iam::123456789012:role/open")
                        .assume_role_policy_document(trust.clone())
                        .build(),
                )
                .policies(
                    ManagedPolicyDetail::builder()
                        .arn("arn:aws:iam::123456789012:policy/Leftover")
                        .attachment_count(0)
                        .policy_version_list(
                            PolicyVersion::builder()
                                .is_default_version(true)
                                .document(admin.clone())
                                .build(),
                        )
                        .build(),
                )
                .is_truncated(false)
                .build()
        });
    let client = mock_client!(aws_sdk_iam, &[&page]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamAuthorization]),
    )
    .await;
    let auth = facts.authorization.ok().expect("authorization");
    let mallory = &auth.users[0].inline_policies[0].document;
    // Administrator, or a way to it, as the permission engine judges the document.
    let admin = |doc: &tomscan::inventory::policy::PolicyDocument| {
        tomscan::engine::perms::Permissions::of([doc], "123456789012").verdict()
            != tomscan::engine::perms::Verdict::Limited
    };
    assert!(admin(mallory.ok().expect("parsed")));
    let Collected::Unavailable(u) = &auth.users[1].inline_policies[0].document else {
        panic!("{:?}", auth.users[1].inline_policies[0].document);
    };
    assert_eq!(
        (u.action.as_str(), u.code.as_str()),
        (
            "iam:GetAccountAuthorizationDetails",
            "InvalidPolicyDocument"
        )
    );
    assert!(
        u.message.contains("inline policy truncated of user quinn"),
        "{u:?}"
    );
    let open = auth.roles[0].trust_policy.ok().expect("trust policy");
    assert_eq!(
        open.open_trust(&tomscan::engine::access::Audience::new(
            "123456789012",
            &[],
            &[]
        ))
        .len(),
        1
    );
    let leftover = &auth.policies[0];
    assert_eq!(
        leftover.name, "Leftover",
        "named from its ARN when PolicyName is absent"
    );
    assert_eq!(leftover.attachment_count, Some(0));
    assert!(admin(leftover.document.ok().unwrap()));

    // One bad document errors its own user; the other is still judged.
    let inv = Inventory {
        account_id: "123456789012".into(),
        iam: facts,
        ..Default::default()
    };
    let settings = Settings::default();
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find("IAM-05").unwrap().run)(&mut cx);
    let verdicts: Vec<(Status, String)> = cx
        .into_outcomes()
        .into_iter()
        .map(|o| (o.status, o.resource))
        .collect();
    assert_eq!(
        verdicts,
        [
            (
                Status::Fail,
                "arn:aws:iam::123456789012:user/mallory".into()
            ),
            (Status::Error, "arn:aws:iam::123456789012:user/quinn".into()),
        ]
    );

    let denied = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_error(|| {
        GetAccountAuthorizationDetailsError::generic(
            ErrorMetadata::builder().code("AccessDenied").build(),
        )
    });
    let client = mock_client!(aws_sdk_iam, &[&denied]);
    let facts = collect::iam::collect(
        &client,
        &Turns::default(),
        &sources(&[Source::IamAuthorization]),
    )
    .await;
    let Collected::Unavailable(u) = &facts.authorization else {
        panic!("{:?}", facts.authorization);
    };
    assert_eq!(u.action, "iam:GetAccountAuthorizationDetails");
}
