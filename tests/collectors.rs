//! Layer 2: collectors where moto cannot help. aws-smithy-mocks stands in for APIs moto
//! lacks (Client VPN) and injects the faults real accounts produce: AccessDenied,
//! throttling, unimplemented operations, multi-page answers.

use std::collections::BTreeSet;

use aws_sdk_ec2::operation::describe_client_vpn_endpoints::{
    DescribeClientVpnEndpointsError, DescribeClientVpnEndpointsOutput,
};
use aws_sdk_ec2::types::{
    ClientVpnAuthentication, ClientVpnAuthenticationType, ClientVpnEndpoint,
    ConnectionLogResponseOptions,
};
use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_account_password_policy::{
    GetAccountPasswordPolicyError, GetAccountPasswordPolicyOutput,
};
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::types::{PasswordPolicy, ReportStateType};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use tomscan::check::{Cx, Status};
use tomscan::collect::{ec2, iam};
use tomscan::config::Settings;
use tomscan::inventory::{Collected, Inventory, Source};

fn sources(list: &[Source]) -> BTreeSet<Source> {
    list.iter().copied().collect()
}

fn endpoint(id: &str, auth: &[ClientVpnAuthenticationType]) -> ClientVpnEndpoint {
    ClientVpnEndpoint::builder()
        .client_vpn_endpoint_id(id)
        .set_authentication_options(Some(
            auth.iter()
                .map(|t| ClientVpnAuthentication::builder().r#type(t.clone()).build())
                .collect(),
        ))
        .connection_log_options(
            ConnectionLogResponseOptions::builder()
                .enabled(true)
                .build(),
        )
        .build()
}

/// Runs one check over a one-region inventory holding `regional`.
fn judge(check: &str, regional: tomscan::inventory::Regional) -> Vec<(Status, String)> {
    let mut inv = Inventory {
        account_id: "123456789012".into(),
        regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    inv.regional.insert("eu-west-1".into(), regional);
    let settings = Settings::default();
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find(check).unwrap().run)(&mut cx);
    cx.into_outcomes()
        .into_iter()
        .map(|o| (o.status, o.resource))
        .collect()
}

#[tokio::test]
async fn client_vpn_endpoints_are_collected_across_pages_and_judged() {
    use ClientVpnAuthenticationType as T;
    let page1 = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            DescribeClientVpnEndpointsOutput::builder()
                .client_vpn_endpoints(endpoint(
                    "cvpn-endpoint-federated",
                    &[T::CertificateAuthentication, T::FederatedAuthentication],
                ))
                .next_token("page-2")
                .build()
        });
    let page2 = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeClientVpnEndpointsOutput::builder()
                .client_vpn_endpoints(endpoint(
                    "cvpn-endpoint-certonly",
                    &[T::CertificateAuthentication],
                ))
                .client_vpn_endpoints(endpoint(
                    "cvpn-endpoint-directory",
                    &[T::DirectoryServiceAuthentication],
                ))
                .build()
        });
    let client = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[&page1, &page2]);
    let regional = ec2::collect(&client, &sources(&[Source::Ec2ClientVpnEndpoints])).await;
    let Collected::Ok(list) = &regional.client_vpn_endpoints else {
        panic!("{:?}", regional.client_vpn_endpoints);
    };
    let ids: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "cvpn-endpoint-federated",
            "cvpn-endpoint-certonly",
            "cvpn-endpoint-directory"
        ]
    );
    assert_eq!(
        list[0].authentication,
        ["certificate-authentication", "federated-authentication"]
    );
    assert!(list[0].connection_logs_enabled);
    // Sources nobody asked for are not collected at all.
    assert!(matches!(regional.instances, Collected::NotCollected));
    assert_eq!((page1.num_calls(), page2.num_calls()), (1, 1));

    let outcomes = judge("EC2-04", regional);
    let fails: Vec<_> = outcomes
        .iter()
        .filter(|(s, _)| *s == Status::Fail)
        .map(|(_, r)| r.as_str())
        .collect();
    let passes = outcomes.iter().filter(|(s, _)| *s == Status::Pass).count();
    assert_eq!(
        fails,
        ["arn:aws:ec2:eu-west-1:123456789012:client-vpn-endpoint/cvpn-endpoint-certonly"]
    );
    assert_eq!(passes, 2);
}

#[tokio::test]
async fn access_denied_becomes_unavailable_naming_the_action_and_the_check_errors() {
    let denied = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints).then_error(|| {
        DescribeClientVpnEndpointsError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .message("You are not authorized to perform this operation.")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_ec2, &[&denied]);
    let regional = ec2::collect(&client, &sources(&[Source::Ec2ClientVpnEndpoints])).await;
    let Collected::Unavailable(u) = &regional.client_vpn_endpoints else {
        panic!("{:?}", regional.client_vpn_endpoints);
    };
    assert_eq!(u.action, "ec2:DescribeClientVpnEndpoints");
    assert_eq!(u.code, "UnauthorizedOperation");
    assert!(u.is_access_denied());
    let outcomes = judge("EC2-04", regional);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(
        outcomes[0].0,
        Status::Error,
        "a denied call is never a pass nor 'no endpoints'"
    );
}

#[tokio::test]
async fn unimplemented_operation_is_unavailable_not_empty() {
    // moto and LocalStack answer operations they lack with a bare HTTP 500.
    let missing = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints)
        .sequence()
        .http_status(500, Some("<html>Not yet implemented</html>".into()))
        .build();
    let client = mock_client!(aws_sdk_ec2, RuleMode::Sequential, &[&missing], |b| b
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled()));
    let regional = ec2::collect(&client, &sources(&[Source::Ec2ClientVpnEndpoints])).await;
    let Collected::Unavailable(u) = &regional.client_vpn_endpoints else {
        panic!("{:?}", regional.client_vpn_endpoints);
    };
    assert_eq!(
        (u.action.as_str(), u.code.as_str()),
        ("ec2:DescribeClientVpnEndpoints", "NotImplemented")
    );
}

#[tokio::test]
async fn throttled_calls_are_retried_until_they_succeed() {
    let throttled = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints)
        .sequence()
        .http_status(503, None)
        .times(2)
        .output(|| {
            DescribeClientVpnEndpointsOutput::builder()
                .client_vpn_endpoints(endpoint(
                    "cvpn-endpoint-1",
                    &[ClientVpnAuthenticationType::FederatedAuthentication],
                ))
                .build()
        })
        .build();
    let client = mock_client!(aws_sdk_ec2, RuleMode::Sequential, &[&throttled], |b| b
        .retry_config(
            aws_sdk_ec2::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1))
        ));
    let regional = ec2::collect(&client, &sources(&[Source::Ec2ClientVpnEndpoints])).await;
    let Collected::Ok(list) = &regional.client_vpn_endpoints else {
        panic!("{:?}", regional.client_vpn_endpoints);
    };
    assert_eq!(list.len(), 1);
    assert_eq!(throttled.num_calls(), 3, "two 503s, then the answer");
}

#[tokio::test]
async fn password_policy_absent_is_a_fact_but_denied_is_not() {
    let none = mock!(aws_sdk_iam::Client::get_account_password_policy).then_error(|| {
        GetAccountPasswordPolicyError::generic(
            ErrorMetadata::builder().code("NoSuchEntity").build(),
        )
    });
    let client = mock_client!(aws_sdk_iam, &[&none]);
    let facts = iam::collect(&client, &sources(&[Source::IamPasswordPolicy])).await;
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
    let facts = iam::collect(&client, &sources(&[Source::IamPasswordPolicy])).await;
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
    let facts = iam::collect(&client, &sources(&[Source::IamPasswordPolicy])).await;
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
    let facts = iam::collect(&client, &sources(&[Source::IamCredentialReport])).await;
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

// ---------------------------------------------------------------- APIs moto lacks

#[tokio::test]
async fn access_analyzers_are_collected_and_an_unused_access_analyzer_does_not_count() {
    use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
    use aws_sdk_accessanalyzer::types::{AnalyzerStatus, AnalyzerSummary, Type};
    let summary = |name: &str, kind: Type, status: AnalyzerStatus| {
        AnalyzerSummary::builder()
            .arn(format!(
                "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/{name}"
            ))
            .name(name)
            .r#type(kind)
            .status(status)
            .created_at(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .unwrap()
    };
    let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
        ListAnalyzersOutput::builder()
            .analyzers(summary(
                "unused",
                Type::AccountUnusedAccess,
                AnalyzerStatus::Active,
            ))
            .analyzers(summary("account", Type::Account, AnalyzerStatus::Active))
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_accessanalyzer, &[&list]);
    let analyzers = tomscan::collect::services::access_analyzers(&client)
        .await
        .unwrap();
    assert_eq!(analyzers.len(), 2);
    assert_eq!(
        (analyzers[1].kind.as_str(), analyzers[1].status.as_str()),
        ("ACCOUNT", "ACTIVE")
    );
    let outcomes = judge(
        "AA-01",
        tomscan::inventory::Regional {
            access_analyzers: Collected::Ok(analyzers),
            ..Default::default()
        },
    );
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].0, Status::Pass);
}

#[tokio::test]
async fn alarms_are_collected_with_their_actions() {
    use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
    use aws_sdk_cloudwatch::types::MetricAlarm;
    let page = mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(|| {
        DescribeAlarmsOutput::builder()
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("root-usage")
                    .alarm_arn("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:root-usage")
                    .namespace("CISBenchmark")
                    .metric_name("RootAccountUsage")
                    .actions_enabled(true)
                    .alarm_actions("arn:aws:sns:eu-west-1:123456789012:security")
                    .build(),
            )
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("silent")
                    .actions_enabled(true)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_cloudwatch, &[&page]);
    let alarms = tomscan::collect::services::alarms(&client).await.unwrap();
    assert_eq!(alarms[0].metric_name.as_deref(), Some("RootAccountUsage"));
    assert_eq!(
        alarms[0].alarm_actions,
        ["arn:aws:sns:eu-west-1:123456789012:security"]
    );
    let outcomes = judge(
        "CW-02",
        tomscan::inventory::Regional {
            alarms: Collected::Ok(alarms),
            ..Default::default()
        },
    );
    let statuses: Vec<Status> = outcomes.iter().map(|o| o.0).collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail]);
}

#[tokio::test]
async fn security_hub_off_is_a_fact_and_unreadable_standards_stay_unknown() {
    use aws_sdk_securityhub::operation::describe_hub::{DescribeHubError, DescribeHubOutput};
    use aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsError;
    let off = mock!(aws_sdk_securityhub::Client::describe_hub).then_error(|| {
        DescribeHubError::generic(
            ErrorMetadata::builder()
                .code("InvalidAccessException")
                .message("Account is not subscribed to AWS Security Hub")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_securityhub, &[&off]);
    let hub = tomscan::collect::services::security_hub(&client)
        .await
        .unwrap();
    assert!(hub.is_none());

    let on = mock!(aws_sdk_securityhub::Client::describe_hub).then_output(|| {
        DescribeHubOutput::builder()
            .hub_arn("arn:aws:securityhub:eu-west-1:123456789012:hub/default")
            .build()
    });
    let denied = mock!(aws_sdk_securityhub::Client::get_enabled_standards).then_error(|| {
        GetEnabledStandardsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, &[&on, &denied]);
    let hub = tomscan::collect::services::security_hub(&client)
        .await
        .unwrap()
        .unwrap();
    let Collected::Unavailable(u) = &hub.standards else {
        panic!("{:?}", hub.standards);
    };
    assert_eq!(u.action, "securityhub:GetEnabledStandards");
    let outcomes = judge(
        "SH-02",
        tomscan::inventory::Regional {
            security_hub: Collected::Ok(Some(hub.clone())),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes.iter().map(|o| o.0).collect::<Vec<_>>(),
        [Status::Error]
    );
    let outcomes = judge(
        "SH-01",
        tomscan::inventory::Regional {
            security_hub: Collected::Ok(Some(hub)),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes.iter().map(|o| o.0).collect::<Vec<_>>(),
        [Status::Pass],
        "the hub itself is on"
    );
}

#[tokio::test]
async fn backup_selections_are_read_per_plan() {
    use aws_sdk_backup::operation::get_backup_selection::GetBackupSelectionOutput;
    use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
    use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
    use aws_sdk_backup::types::{
        BackupPlansListMember, BackupSelection, BackupSelectionsListMember, Condition,
        ConditionType,
    };
    let plans = mock!(aws_sdk_backup::Client::list_backup_plans).then_output(|| {
        ListBackupPlansOutput::builder()
            .backup_plans_list(
                BackupPlansListMember::builder()
                    .backup_plan_id("plan-1")
                    .backup_plan_name("daily")
                    .build(),
            )
            .build()
    });
    let selections = mock!(aws_sdk_backup::Client::list_backup_selections)
        .match_requests(|r| r.backup_plan_id() == Some("plan-1"))
        .then_output(|| {
            ListBackupSelectionsOutput::builder()
                .backup_selections_list(
                    BackupSelectionsListMember::builder()
                        .selection_id("sel-1")
                        .build(),
                )
                .build()
        });
    let selection = mock!(aws_sdk_backup::Client::get_backup_selection)
        .match_requests(|r| r.selection_id() == Some("sel-1"))
        .then_output(|| {
            GetBackupSelectionOutput::builder()
                .backup_selection(
                    BackupSelection::builder()
                        .selection_name("volumes")
                        .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                        .resources("arn:aws:ec2:*:*:volume/*")
                        .list_of_tags(
                            Condition::builder()
                                .condition_type(ConditionType::Stringequals)
                                .condition_key("backup")
                                .condition_value("daily")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let client = mock_client!(
        aws_sdk_backup,
        RuleMode::MatchAny,
        &[&plans, &selections, &selection]
    );
    let list = tomscan::collect::services::backup_plans(&client)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let sel = &list[0].selections[0];
    assert_eq!(sel.resources, ["arn:aws:ec2:*:*:volume/*"]);
    assert_eq!(sel.tags, [("backup".to_string(), "daily".to_string())]);
}

// ---------------------------------------------------------------- policy documents

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
    let facts = iam::collect(&client, &sources(&[Source::IamAuthorization])).await;
    let auth = facts.authorization.ok().expect("authorization");
    let mallory = &auth.users[0].inline_policies[0].document;
    assert!(mallory.ok().expect("parsed").grants_full_admin());
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
    assert_eq!(open.open_trust("123456789012", &[]).len(), 1);
    let leftover = &auth.policies[0];
    assert_eq!(
        leftover.name, "Leftover",
        "named from its ARN when PolicyName is absent"
    );
    assert_eq!(leftover.attachment_count, Some(0));
    assert!(leftover.document.ok().unwrap().grants_full_admin());

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
    let facts = iam::collect(&client, &sources(&[Source::IamAuthorization])).await;
    let Collected::Unavailable(u) = &facts.authorization else {
        panic!("{:?}", facts.authorization);
    };
    assert_eq!(u.action, "iam:GetAccountAuthorizationDetails");
}
