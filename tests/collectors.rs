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
use tomscan::inventory::{Collected, Inventory, Regional, Source};

fn sources(list: &[Source]) -> BTreeSet<Source> {
    list.iter().copied().collect()
}

fn endpoint(id: &str, auth: &[ClientVpnAuthenticationType]) -> ClientVpnEndpoint {
    ClientVpnEndpoint::builder()
        .client_vpn_endpoint_id(id)
        .set_authentication_options(Some(
            auth.iter()
                .map(|t| {
                    let federated = (*t == ClientVpnAuthenticationType::FederatedAuthentication)
                        .then(|| {
                            aws_sdk_ec2::types::FederatedAuthentication::builder()
                                .saml_provider_arn("arn:aws:iam::123456789012:saml-provider/okta")
                                .build()
                        });
                    ClientVpnAuthentication::builder()
                        .r#type(t.clone())
                        .set_federated_authentication(federated)
                        .build()
                })
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

/// One region's EC2 facts of `wanted`, read through `client` (mocked) by the same
/// functions the scan's regional collectors call.
async fn ec2_regional(client: &aws_sdk_ec2::Client, wanted: &[Source]) -> Regional {
    let mut r = Regional::default();
    for source in wanted {
        match source {
            Source::Ec2ClientVpnEndpoints => {
                r.client_vpn_endpoints = ec2::client_vpn_endpoints(client).await.into()
            }
            Source::Ec2SecurityGroups => {
                r.security_groups = ec2::security_groups(client).await.into()
            }
            Source::Ec2ManagedPrefixLists => {
                r.prefix_lists = ec2::prefix_lists(client).await.into()
            }
            other => panic!("ec2_regional does not read {other:?}"),
        }
    }
    r
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
    let regional = ec2_regional(&client, &[Source::Ec2ClientVpnEndpoints]).await;
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
    // The provider is named, so the manual finding can say which one to check.
    assert_eq!(
        list[0].saml_provider_arns,
        ["arn:aws:iam::123456789012:saml-provider/okta"]
    );
    // Sources nobody asked for are not collected at all.
    assert!(matches!(regional.instances, Collected::NotCollected));
    assert_eq!((page1.num_calls(), page2.num_calls()), (1, 1));

    let outcomes = judge("EC2-04", regional);
    let fails: Vec<_> = outcomes
        .iter()
        .filter(|(s, _)| *s == Status::Fail)
        .map(|(_, r)| r.as_str())
        .collect();
    assert_eq!(
        fails,
        ["arn:aws:ec2:eu-west-1:123456789012:client-vpn-endpoint/cvpn-endpoint-certonly"]
    );
    // Federation leaves MFA to the identity provider, which AWS does not show: manual, never
    // pass. The directory endpoint names no directory whose MFA is known: error.
    assert!(outcomes.iter().all(|(s, _)| *s != Status::Pass));
    assert!(
        outcomes
            .iter()
            .any(|(s, r)| *s == Status::Manual && r.ends_with("cvpn-endpoint-federated"))
    );
    assert!(
        outcomes
            .iter()
            .any(|(s, r)| *s == Status::Error && r.ends_with("cvpn-endpoint-directory"))
    );
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
    let regional = ec2_regional(&client, &[Source::Ec2ClientVpnEndpoints]).await;
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
    // moto answers operations it lacks with a bare HTTP 500.
    let missing = mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints)
        .sequence()
        .http_status(500, Some("<html>Not yet implemented</html>".into()))
        .build();
    let client = mock_client!(aws_sdk_ec2, RuleMode::Sequential, &[&missing], |b| b
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled()));
    let regional = ec2_regional(&client, &[Source::Ec2ClientVpnEndpoints]).await;
    let Collected::Unavailable(u) = &regional.client_vpn_endpoints else {
        panic!("{:?}", regional.client_vpn_endpoints);
    };
    // It says what is known (HTTP 500), not a guess at why.
    assert_eq!(
        (u.action.as_str(), u.code.as_str()),
        ("ec2:DescribeClientVpnEndpoints", "HttpError")
    );
    assert!(u.message.contains("HTTP 500"), "{}", u.message);
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
    let regional = ec2_regional(&client, &[Source::Ec2ClientVpnEndpoints]).await;
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
    use aws_sdk_accessanalyzer::operation::list_findings::ListFindingsOutput;
    use aws_sdk_accessanalyzer::types::{
        AnalyzerStatus, AnalyzerSummary, FindingStatus, FindingSummary, ResourceType, Type,
    };
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
    // Only the external-access analyzer's active findings are asked for.
    let findings = mock!(aws_sdk_accessanalyzer::Client::list_findings)
        .match_requests(|r| {
            r.analyzer_arn().is_some_and(|a| a.ends_with("/account"))
                && r.filter().and_then(|f| f.get("status")).map(|c| c.eq())
                    == Some(&["ACTIVE".to_string()][..])
        })
        .then_output(|| {
            let t = aws_smithy_types::DateTime::from_secs(0);
            ListFindingsOutput::builder()
                .findings(
                    FindingSummary::builder()
                        .id("f-1")
                        .resource("arn:aws:s3:::acme-reports")
                        .resource_type(ResourceType::AwsS3Bucket)
                        .principal("AWS", "999988887777")
                        .action("s3:GetObject")
                        .is_public(false)
                        .status(FindingStatus::Active)
                        .resource_owner_account("123456789012")
                        .set_condition(Some(Default::default()))
                        .created_at(t)
                        .analyzed_at(t)
                        .updated_at(t)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let client = mock_client!(aws_sdk_accessanalyzer, &[&list, &findings]);
    let analyzers = tomscan::collect::accessanalyzer::access_analyzers(&client)
        .await
        .unwrap();
    assert_eq!(analyzers.len(), 2);
    assert_eq!(
        (analyzers[1].kind.as_str(), analyzers[1].status.as_str()),
        ("ACCOUNT", "ACTIVE")
    );
    assert_eq!(analyzers[0].findings, Collected::NotCollected);
    let Collected::Ok(found) = &analyzers[1].findings else {
        panic!("{:?}", analyzers[1].findings);
    };
    assert_eq!(
        (
            found[0].resource.as_str(),
            found[0].resource_type.as_str(),
            found[0].principal.get("AWS").map(String::as_str),
            found[0].is_public
        ),
        (
            "arn:aws:s3:::acme-reports",
            "AWS::S3::Bucket",
            Some("999988887777"),
            false
        )
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
    let alarms = tomscan::collect::cloudwatch::alarms(&client).await.unwrap();
    assert_eq!(alarms[0].metric_name.as_deref(), Some("RootAccountUsage"));
    assert_eq!(
        alarms[0].alarm_actions,
        ["arn:aws:sns:eu-west-1:123456789012:security"]
    );
    let topic = tomscan::inventory::SnsTopic {
        arn: "arn:aws:sns:eu-west-1:123456789012:security".into(),
        subscriptions: Collected::Ok(vec![tomscan::inventory::SnsSubscription {
            protocol: "email".into(),
            confirmed: true,
        }]),
    };
    let outcomes = judge(
        "CW-02",
        tomscan::inventory::Regional {
            alarms: Collected::Ok(alarms),
            sns_topics: Collected::Ok(vec![topic]),
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
    let hub = tomscan::collect::securityhub::security_hub(&client)
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
    let hub = tomscan::collect::securityhub::security_hub(&client)
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
    let list = tomscan::collect::backup::backup_plans(&client)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let sel = &list[0].selections[0];
    assert_eq!(sel.resources, ["arn:aws:ec2:*:*:volume/*"]);
    assert_eq!(sel.tags, [("backup".to_string(), "daily".to_string())]);
}

// ------------------------------------------------- network access, VPN, load balancers

/// One check's outcomes as (status, resource), sorted by resource.
fn verdicts(outcomes: &[(Status, String)]) -> Vec<(Status, String)> {
    let mut v: Vec<(Status, String)> = outcomes.iter().map(|(s, r)| (*s, r.clone())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

#[tokio::test]
async fn security_groups_keep_egress_prefix_lists_and_referenced_groups() {
    use aws_sdk_ec2::operation::describe_managed_prefix_lists::DescribeManagedPrefixListsOutput;
    use aws_sdk_ec2::operation::describe_security_groups::DescribeSecurityGroupsOutput;
    use aws_sdk_ec2::operation::get_managed_prefix_list_entries::{
        GetManagedPrefixListEntriesError, GetManagedPrefixListEntriesOutput,
    };
    use aws_sdk_ec2::types::{
        IpPermission, IpRange, ManagedPrefixList, PrefixListEntry, PrefixListId, SecurityGroup,
        UserIdGroupPair,
    };
    let from_list = |port: i32, list: &str| {
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .prefix_list_ids(PrefixListId::builder().prefix_list_id(list).build())
            .build()
    };
    let groups = mock!(aws_sdk_ec2::Client::describe_security_groups).then_output(move || {
        DescribeSecurityGroupsOutput::builder()
            .security_groups(
                SecurityGroup::builder()
                    .group_id("sg-0default")
                    .group_name("default")
                    .vpc_id("vpc-1")
                    .ip_permissions_egress(
                        IpPermission::builder()
                            .ip_protocol("-1")
                            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                            .build(),
                    )
                    .build(),
            )
            .security_groups(
                SecurityGroup::builder()
                    .group_id("sg-0db")
                    .group_name("db")
                    .vpc_id("vpc-1")
                    .ip_permissions(from_list(5432, "pl-0world"))
                    .ip_permissions(
                        IpPermission::builder()
                            .ip_protocol("tcp")
                            .from_port(6379)
                            .to_port(6379)
                            .user_id_group_pairs(
                                UserIdGroupPair::builder().group_id("sg-0app").build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .security_groups(
                SecurityGroup::builder()
                    .group_id("sg-0vendor")
                    .group_name("vendor")
                    .vpc_id("vpc-1")
                    .ip_permissions(from_list(22, "pl-0denied"))
                    .build(),
            )
            .security_groups(
                SecurityGroup::builder()
                    .group_id("sg-0s3")
                    .group_name("s3")
                    .vpc_id("vpc-1")
                    .ip_permissions(from_list(22, "pl-0s3"))
                    .build(),
            )
            .build()
    });
    let lists = mock!(aws_sdk_ec2::Client::describe_managed_prefix_lists).then_output(|| {
        let list = |id: &str, owner: &str| {
            ManagedPrefixList::builder()
                .prefix_list_id(id)
                .prefix_list_name(id)
                .owner_id(owner)
                .build()
        };
        DescribeManagedPrefixListsOutput::builder()
            .prefix_lists(list("pl-0world", "123456789012"))
            .prefix_lists(list("pl-0denied", "123456789012"))
            .prefix_lists(list("pl-0s3", "AWS"))
            .build()
    });
    let world = mock!(aws_sdk_ec2::Client::get_managed_prefix_list_entries)
        .match_requests(|r| r.prefix_list_id() == Some("pl-0world"))
        .then_output(|| {
            GetManagedPrefixListEntriesOutput::builder()
                .entries(PrefixListEntry::builder().cidr("198.51.100.0/24").build())
                .entries(PrefixListEntry::builder().cidr("0.0.0.0/0").build())
                .build()
        });
    let denied = mock!(aws_sdk_ec2::Client::get_managed_prefix_list_entries)
        .match_requests(|r| r.prefix_list_id() == Some("pl-0denied"))
        .then_error(|| {
            GetManagedPrefixListEntriesError::generic(
                ErrorMetadata::builder()
                    .code("UnauthorizedOperation")
                    .message("You are not authorized to perform this operation.")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_ec2,
        RuleMode::MatchAny,
        &[&groups, &lists, &world, &denied]
    );
    let regional = ec2_regional(
        &client,
        &[Source::Ec2SecurityGroups, Source::Ec2ManagedPrefixLists],
    )
    .await;
    let sgs = regional.security_groups.ok().expect("security groups");
    assert_eq!(
        sgs[0].egress.ok().map(|e| e[0].ipv4_ranges.clone()),
        Some(vec!["0.0.0.0/0".to_string()])
    );
    assert_eq!(sgs[1].ingress[0].prefix_list_ids, ["pl-0world"]);
    assert_eq!(sgs[1].ingress[1].referenced_groups, ["sg-0app"]);
    let lists = regional.prefix_lists.ok().expect("prefix lists");
    assert_eq!(
        lists[0].entries.ok().cloned(),
        Some(vec!["198.51.100.0/24".to_string(), "0.0.0.0/0".to_string()])
    );
    let Collected::Unavailable(u) = &lists[1].entries else {
        panic!("{:?}", lists[1].entries);
    };
    assert_eq!(u.action, "ec2:GetManagedPrefixListEntries");
    assert!(
        matches!(lists[2].entries, Collected::NotCollected),
        "AWS-managed lists are not read"
    );
    assert_eq!((world.num_calls(), denied.num_calls()), (1, 1));

    let sg = |id: &str| format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{id}");
    assert_eq!(
        verdicts(&judge("EC2-03", regional.clone())),
        [
            (Status::Fail, sg("sg-0db")),
            (Status::Pass, sg("sg-0default")),
            (Status::Pass, sg("sg-0s3")),
            (Status::Error, sg("sg-0vendor")),
        ]
    );
    // Only the default group is judged, and its allow-all egress fails it.
    assert_eq!(
        verdicts(&judge("EC2-13", regional)),
        [(Status::Fail, sg("sg-0default"))]
    );
}

#[tokio::test]
async fn prefix_lists_denied_are_unavailable() {
    use aws_sdk_ec2::operation::describe_managed_prefix_lists::DescribeManagedPrefixListsError;
    let denied = mock!(aws_sdk_ec2::Client::describe_managed_prefix_lists).then_error(|| {
        DescribeManagedPrefixListsError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_ec2, &[&denied]);
    let regional = ec2_regional(&client, &[Source::Ec2ManagedPrefixLists]).await;
    let Collected::Unavailable(u) = &regional.prefix_lists else {
        panic!("{:?}", regional.prefix_lists);
    };
    assert_eq!(u.action, "ec2:DescribeManagedPrefixLists");
}

#[tokio::test]
async fn classic_load_balancers_are_collected_with_their_negotiation_policies() {
    use aws_sdk_elasticloadbalancing::operation::describe_load_balancer_policies::{
        DescribeLoadBalancerPoliciesError, DescribeLoadBalancerPoliciesOutput,
    };
    use aws_sdk_elasticloadbalancing::operation::describe_load_balancers::{
        DescribeLoadBalancersError, DescribeLoadBalancersOutput,
    };
    use aws_sdk_elasticloadbalancing::types::{
        Listener, ListenerDescription, LoadBalancerDescription, PolicyAttributeDescription,
        PolicyDescription,
    };
    let listener = |protocol: &str, port: i32, policies: &[&str]| {
        ListenerDescription::builder()
            .listener(
                Listener::builder()
                    .protocol(protocol)
                    .load_balancer_port(port)
                    .instance_port(port)
                    .build()
                    .unwrap(),
            )
            .set_policy_names(Some(policies.iter().map(|p| p.to_string()).collect()))
            .build()
    };
    let lbs = mock!(aws_sdk_elasticloadbalancing::Client::describe_load_balancers).then_output(
        move || {
            DescribeLoadBalancersOutput::builder()
                .load_balancer_descriptions(
                    LoadBalancerDescription::builder()
                        .load_balancer_name("legacy-web")
                        .scheme("internet-facing")
                        .availability_zones("eu-west-1a")
                        .availability_zones("eu-west-1b")
                        .listener_descriptions(listener("HTTP", 80, &[]))
                        .listener_descriptions(listener(
                            "HTTPS",
                            443,
                            &["AWSConsole-LBCookieStickinessPolicy-1", "custom-tls12"],
                        ))
                        .build(),
                )
                .load_balancer_descriptions(
                    LoadBalancerDescription::builder()
                        .load_balancer_name("legacy-denied")
                        .availability_zones("eu-west-1a")
                        .listener_descriptions(listener(
                            "SSL",
                            8443,
                            &["ELBSecurityPolicy-2016-08"],
                        ))
                        .build(),
                )
                .load_balancer_descriptions(
                    LoadBalancerDescription::builder()
                        .load_balancer_name("legacy-tcp")
                        .availability_zones("eu-west-1a")
                        .availability_zones("eu-west-1b")
                        .listener_descriptions(listener("TCP", 22, &[]))
                        .build(),
                )
                .build()
        },
    );
    let attribute = |name: &str, value: &str| {
        PolicyAttributeDescription::builder()
            .attribute_name(name)
            .attribute_value(value)
            .build()
    };
    let policies = mock!(aws_sdk_elasticloadbalancing::Client::describe_load_balancer_policies)
        .match_requests(|r| r.load_balancer_name() == Some("legacy-web"))
        .then_output(move || {
            DescribeLoadBalancerPoliciesOutput::builder()
                .policy_descriptions(
                    PolicyDescription::builder()
                        .policy_name("AWSConsole-LBCookieStickinessPolicy-1")
                        .policy_type_name("LBCookieStickinessPolicyType")
                        .build(),
                )
                .policy_descriptions(
                    PolicyDescription::builder()
                        .policy_name("custom-tls12")
                        .policy_type_name("SSLNegotiationPolicyType")
                        .policy_attribute_descriptions(attribute(
                            "Reference-Security-Policy",
                            "ELBSecurityPolicy-TLS-1-2-2017-01",
                        ))
                        .policy_attribute_descriptions(attribute("Protocol-TLSv1", "false"))
                        .policy_attribute_descriptions(attribute("Protocol-TLSv1.1", "false"))
                        .policy_attribute_descriptions(attribute("Protocol-TLSv1.2", "true"))
                        .policy_attribute_descriptions(attribute(
                            "ECDHE-RSA-AES128-GCM-SHA256",
                            "true",
                        ))
                        .build(),
                )
                .build()
        });
    let policies_denied =
        mock!(aws_sdk_elasticloadbalancing::Client::describe_load_balancer_policies)
            .match_requests(|r| r.load_balancer_name() == Some("legacy-denied"))
            .then_error(|| {
                DescribeLoadBalancerPoliciesError::generic(
                    ErrorMetadata::builder().code("AccessDenied").build(),
                )
            });
    let client = mock_client!(
        aws_sdk_elasticloadbalancing,
        RuleMode::MatchAny,
        &[&lbs, &policies, &policies_denied]
    );
    let list = tomscan::collect::elb::classic_load_balancers(&client)
        .await
        .unwrap();
    assert_eq!(
        (policies.num_calls(), policies_denied.num_calls()),
        (1, 1),
        "none for TCP only"
    );
    let web = &list[0];
    assert_eq!((web.kind.as_str(), web.arn.as_str()), ("classic", ""));
    let listeners = web.listeners.ok().unwrap();
    assert_eq!(
        (listeners[0].protocol.as_str(), &listeners[0].ssl_protocols),
        ("HTTP", &Collected::NotCollected)
    );
    assert_eq!(
        listeners[1].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS-1-2-2017-01")
    );
    assert_eq!(
        listeners[1].ssl_protocols,
        Collected::Ok(vec!["TLSv1.2".to_string()])
    );
    let Collected::Unavailable(u) = &list[1].listeners.ok().unwrap()[0].ssl_protocols else {
        panic!("{:?}", list[1].listeners);
    };
    assert_eq!(
        u.action,
        "elasticloadbalancing:DescribeLoadBalancerPolicies"
    );

    let regional = tomscan::inventory::Regional {
        load_balancers: Collected::Ok(vec![]),
        classic_load_balancers: Collected::Ok(list),
        ..Default::default()
    };
    let lb = |name: &str| {
        format!("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/{name}")
    };
    let elb01 = judge("ELB-01", regional.clone());
    let fails: Vec<_> = elb01.iter().filter(|(s, _)| *s == Status::Fail).collect();
    assert_eq!(
        fails,
        [&(Status::Fail, format!("{}/listener/80", lb("legacy-web")))]
    );
    assert_eq!(
        verdicts(&judge("ELB-02", regional.clone())),
        [
            (
                Status::Fail,
                format!("{}/listener/8443", lb("legacy-denied"))
            ),
            (Status::Fail, format!("{}/listener/443", lb("legacy-web"))),
        ],
        "a Classic ELB cannot offer TLS 1.3, whether its policy was read or not"
    );
    assert_eq!(
        verdicts(&judge("ELB-03", regional)),
        [
            (Status::Fail, lb("legacy-denied")),
            (Status::Pass, lb("legacy-tcp")),
            (Status::Pass, lb("legacy-web")),
        ]
    );

    let denied =
        mock!(aws_sdk_elasticloadbalancing::Client::describe_load_balancers).then_error(|| {
            DescribeLoadBalancersError::generic(
                ErrorMetadata::builder().code("AccessDenied").build(),
            )
        });
    let client = mock_client!(aws_sdk_elasticloadbalancing, &[&denied]);
    let err = tomscan::collect::elb::classic_load_balancers(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "elasticloadbalancing:DescribeLoadBalancers");
}

#[tokio::test]
async fn directories_give_client_vpn_its_radius_mfa() {
    use aws_sdk_directory::operation::describe_directories::{
        DescribeDirectoriesError, DescribeDirectoriesOutput,
    };
    use aws_sdk_directory::types::{DirectoryDescription, DirectoryType, RadiusStatus};
    use aws_sdk_ec2::types::DirectoryServiceAuthentication;
    let directories = mock!(aws_sdk_directory::Client::describe_directories).then_output(|| {
        DescribeDirectoriesOutput::builder()
            .directory_descriptions(
                DirectoryDescription::builder()
                    .directory_id("d-1111111111")
                    .name("mfa.example.com")
                    .r#type(DirectoryType::AdConnector)
                    .radius_status(RadiusStatus::Completed)
                    .build(),
            )
            .directory_descriptions(
                DirectoryDescription::builder()
                    .directory_id("d-2222222222")
                    .name("corp.example.com")
                    .r#type(DirectoryType::MicrosoftAd)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_directory, &[&directories]);
    let found = tomscan::collect::ds::directories(&client).await.unwrap();
    assert_eq!(found[0].radius_status.as_deref(), Some("Completed"));
    assert_eq!(found[1].radius_status, None);

    let with_directory = |id: &str, directory: &str| {
        ClientVpnEndpoint::builder()
            .client_vpn_endpoint_id(id)
            .authentication_options(
                ClientVpnAuthentication::builder()
                    .r#type(ClientVpnAuthenticationType::DirectoryServiceAuthentication)
                    .active_directory(
                        DirectoryServiceAuthentication::builder()
                            .directory_id(directory)
                            .build(),
                    )
                    .build(),
            )
            .build()
    };
    let endpoints =
        mock!(aws_sdk_ec2::Client::describe_client_vpn_endpoints).then_output(move || {
            DescribeClientVpnEndpointsOutput::builder()
                .client_vpn_endpoints(with_directory("cvpn-endpoint-mfa", "d-1111111111"))
                .client_vpn_endpoints(with_directory("cvpn-endpoint-password", "d-2222222222"))
                .build()
        });
    let client = mock_client!(aws_sdk_ec2, &[&endpoints]);
    let mut regional = ec2_regional(&client, &[Source::Ec2ClientVpnEndpoints]).await;
    assert_eq!(
        regional.client_vpn_endpoints.ok().unwrap()[0].directory_ids,
        ["d-1111111111"]
    );
    regional.directories = Collected::Ok(found);
    let ep = |id: &str| format!("arn:aws:ec2:eu-west-1:123456789012:client-vpn-endpoint/{id}");
    assert_eq!(
        verdicts(&judge("EC2-04", regional.clone())),
        [
            (Status::Pass, ep("cvpn-endpoint-mfa")),
            (Status::Fail, ep("cvpn-endpoint-password")),
        ]
    );

    let denied = mock!(aws_sdk_directory::Client::describe_directories).then_error(|| {
        DescribeDirectoriesError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_directory, &[&denied]);
    let err = tomscan::collect::ds::directories(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "ds:DescribeDirectories");
    regional.directories = Collected::Unavailable(err);
    let outcomes = judge("EC2-04", regional);
    assert!(
        outcomes.iter().all(|(s, _)| *s == Status::Error),
        "{outcomes:?}"
    );
}

// ------------------------------------------------------------------ CloudTrail (logging)

mod cloudtrail {
    use aws_sdk_cloudtrail::operation::describe_trails::{
        DescribeTrailsError, DescribeTrailsOutput,
    };
    use aws_sdk_cloudtrail::operation::get_event_selectors::{
        GetEventSelectorsError, GetEventSelectorsOutput,
    };
    use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType, Trail,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use tomscan::check::{Cx, Outcome, Status};
    use tomscan::config::Settings;
    use tomscan::inventory::{CloudTrail, Collected, Inventory};

    const ACCOUNT: &str = "123456789012";

    fn trail(name: &str, account: &str, multi_region: bool) -> Trail {
        Trail::builder()
            .name(name)
            .trail_arn(format!(
                "arn:aws:cloudtrail:eu-west-1:{account}:trail/{name}"
            ))
            .home_region("eu-west-1")
            .is_multi_region_trail(multi_region)
            .is_organization_trail(account != ACCOUNT)
            .log_file_validation_enabled(true)
            .s3_bucket_name("logs")
            .build()
    }

    fn listing(trails: Vec<Trail>) -> Rule {
        mock!(aws_sdk_cloudtrail::Client::describe_trails).then_output(move || {
            DescribeTrailsOutput::builder()
                .set_trail_list(Some(trails.clone()))
                .build()
        })
    }

    fn logging() -> Rule {
        mock!(aws_sdk_cloudtrail::Client::get_trail_status).then_output(|| {
            GetTrailStatusOutput::builder()
                .is_logging(true)
                .latest_cloud_watch_logs_delivery_time(aws_smithy_types::DateTime::from_secs(
                    1_780_000_000,
                ))
                .build()
        })
    }

    fn all_management_events() -> Rule {
        mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_output(|| {
            GetEventSelectorsOutput::builder()
                .event_selectors(
                    EventSelector::builder()
                        .read_write_type(ReadWriteType::All)
                        .include_management_events(true)
                        .build(),
                )
                .build()
        })
    }

    fn judge(check: &str, cloudtrail: CloudTrail, regions: &[&str]) -> Vec<Outcome> {
        let inv = Inventory {
            account_id: ACCOUNT.into(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            cloudtrail,
            ..Default::default()
        };
        let settings = Settings::default();
        let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
        (tomscan::checks::find(check).unwrap().run)(&mut cx);
        cx.into_outcomes()
    }

    fn regions(list: &[&str]) -> Vec<String> {
        list.iter().map(|r| r.to_string()).collect()
    }

    /// One region's DescribeTrails failure stays in that region: the trails the other
    /// regions listed are kept and judged, and only the failed region is an error.
    #[tokio::test]
    async fn a_region_that_cannot_list_trails_does_not_hide_the_others() {
        let list = listing(vec![trail("main", ACCOUNT, true)]);
        let (status, selectors) = (logging(), all_management_events());
        let readable = mock_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            &[&list, &status, &selectors]
        );
        let scp = mock!(aws_sdk_cloudtrail::Client::describe_trails).then_error(|| {
            DescribeTrailsError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("explicit deny in a service control policy")
                    .build(),
            )
        });
        let denied_region = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&scp]);
        let ct = tomscan::collect::cloudtrail::trails(
            |r| {
                if r == "ap-east-1" {
                    denied_region.clone()
                } else {
                    readable.clone()
                }
            },
            &regions(&["ap-east-1", "eu-west-1"]),
            "eu-west-1",
        )
        .await;
        let Collected::Ok(trails) = &ct.trails else {
            panic!(
                "the readable region's trails were discarded: {:?}",
                ct.trails
            );
        };
        assert_eq!(trails.len(), 1);
        assert_eq!(
            ct.unlisted_regions["ap-east-1"].action,
            "cloudtrail:DescribeTrails"
        );
        assert_eq!(
            trails[0]
                .status
                .ok()
                .unwrap()
                .latest_cloudwatch_logs_delivery_time
                .unwrap()
                .timestamp(),
            1_780_000_000
        );

        // The multi-region trail covers ap-east-1 too: CT-01 passes.
        let ct01 = judge("CT-01", ct.clone(), &["ap-east-1", "eu-west-1"]);
        assert_eq!(
            ct01.iter().map(|o| o.status).collect::<Vec<_>>(),
            [Status::Pass]
        );
        // A per-trail check judges the trail it has, and errs for ap-east-1 alone.
        let ct02 = judge("CT-02", ct, &["ap-east-1", "eu-west-1"]);
        let mut got: Vec<(Status, &str)> =
            ct02.iter().map(|o| (o.status, o.region.as_str())).collect();
        got.sort();
        assert_eq!(
            got,
            [(Status::Pass, "eu-west-1"), (Status::Error, "ap-east-1")]
        );
        assert!(
            ct02.iter()
                .any(|o| o.message.contains("cloudtrail:DescribeTrails"))
        );

        // No region answered: nothing is known, not even "no trails".
        let none = tomscan::collect::cloudtrail::trails(
            |_| denied_region.clone(),
            &regions(&["ap-east-1"]),
            "eu-west-1",
        )
        .await;
        assert!(
            matches!(none.trails, Collected::Unavailable(ref u) if u.action == "cloudtrail:DescribeTrails")
        );
    }

    /// Selectors are read as AWS states them: every operator of an advanced field
    /// selector, `ExcludeManagementEventSources`, and an empty answer as empty.
    #[tokio::test]
    async fn event_selectors_are_read_as_given_and_empty_stays_empty() {
        let list = listing(vec![
            trail("advanced", ACCOUNT, true),
            trail("basic", ACCOUNT, true),
            trail("bare", ACCOUNT, true),
        ]);
        let status = logging();
        let advanced = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
            .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/advanced")))
            .then_output(|| {
                GetEventSelectorsOutput::builder()
                    .advanced_event_selectors(
                        AdvancedEventSelector::builder()
                            .name("Management without KMS")
                            .field_selectors(
                                AdvancedFieldSelector::builder()
                                    .field("eventCategory")
                                    .equals("Management")
                                    .build()
                                    .unwrap(),
                            )
                            .field_selectors(
                                AdvancedFieldSelector::builder()
                                    .field("eventSource")
                                    .not_equals("kms.amazonaws.com")
                                    .not_starts_with("rdsdata")
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
            });
        let basic = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
            .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/basic")))
            .then_output(|| {
                GetEventSelectorsOutput::builder()
                    .event_selectors(
                        EventSelector::builder()
                            .read_write_type(ReadWriteType::All)
                            .include_management_events(true)
                            .exclude_management_event_sources("kms.amazonaws.com")
                            .build(),
                    )
                    .build()
            });
        let bare = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
            .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/bare")))
            .then_output(|| GetEventSelectorsOutput::builder().build());
        let client = mock_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            &[&list, &status, &advanced, &basic, &bare]
        );
        let ct = tomscan::collect::cloudtrail::trails(
            |_| client.clone(),
            &regions(&["eu-west-1"]),
            "eu-west-1",
        )
        .await;
        let trails = ct.trails.ok().unwrap();
        let sel = |name: &str| {
            trails
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .selectors
                .ok()
                .unwrap()
                .clone()
        };
        let adv = sel("advanced");
        let source = &adv.advanced[0].fields[1];
        assert_eq!(source.field, "eventSource");
        assert_eq!(source.not_equals, ["kms.amazonaws.com"]);
        assert_eq!(source.not_starts_with, ["rdsdata"]);
        assert_eq!(
            sel("basic").basic[0].exclude_management_event_sources,
            ["kms.amazonaws.com"]
        );
        let bare = sel("bare");
        assert!(
            bare.basic.is_empty() && bare.advanced.is_empty(),
            "an empty answer must not become \"all management events\": {bare:?}"
        );
        // None of the three logs every management event.
        let ct01 = judge("CT-01", ct, &["eu-west-1"]);
        assert_eq!(
            ct01.iter().map(|o| o.status).collect::<Vec<_>>(),
            [Status::Fail]
        );
    }

    /// A member account sees the organization trail; its selectors are the management
    /// account's. GetTrailStatus, by ARN, still answers, and the trail is judged from
    /// its flags and status, saying whose selectors they are.
    #[tokio::test]
    async fn organization_trail_of_the_management_account_is_judged_from_its_flags() {
        let org = trail("org-trail", "999988887777", true);
        let list = listing(vec![org]);
        let status = mock!(aws_sdk_cloudtrail::Client::get_trail_status)
            .match_requests(|r| {
                r.name() == Some("arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail")
            })
            .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build());
        let selectors = mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_error(|| {
            GetEventSelectorsError::generic(
                ErrorMetadata::builder()
                    .code("TrailNotFoundException")
                    .message("Unknown trail for the user: 123456789012")
                    .build(),
            )
        });
        let client = mock_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            &[&list, &status, &selectors]
        );
        let ct = tomscan::collect::cloudtrail::trails(
            |_| client.clone(),
            &regions(&["eu-west-1"]),
            "eu-west-1",
        )
        .await;
        let t = &ct.trails.ok().unwrap()[0];
        assert!(t.organization_trail);
        assert!(t.status.ok().unwrap().is_logging);
        assert!(
            matches!(&t.selectors, Collected::Unavailable(u) if u.action == "cloudtrail:GetEventSelectors")
        );
        let ct01 = judge("CT-01", ct, &["eu-west-1"]);
        assert_eq!(ct01.len(), 1);
        assert_eq!(ct01[0].status, Status::Pass);
        assert!(
            ct01[0].evidence["management_events"]
                .as_str()
                .unwrap()
                .contains("management account 999988887777"),
            "{}",
            ct01[0].evidence
        );
    }
}

// ---------------------------------------------------------------- services slice: KMS, RDS, Config, Backup, S3 location, residency

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

#[tokio::test]
async fn bucket_regions_come_from_list_buckets_and_an_unreadable_location_stays_unknown() {
    use aws_sdk_s3::operation::get_bucket_location::{
        GetBucketLocationError, GetBucketLocationOutput,
    };
    use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
    use aws_sdk_s3::types::{Bucket, BucketLocationConstraint};
    // BucketRegion is only in the answer when the request carries MaxBuckets.
    let list = mock!(aws_sdk_s3::Client::list_buckets)
        .match_requests(|r| r.max_buckets().is_some())
        .then_output(|| {
            ListBucketsOutput::builder()
                .buckets(
                    Bucket::builder()
                        .name("listed")
                        .bucket_region("eu-central-1")
                        .build(),
                )
                .buckets(Bucket::builder().name("legacy-eu").build())
                .buckets(Bucket::builder().name("locked").build())
                .build()
        });
    let legacy = mock!(aws_sdk_s3::Client::get_bucket_location)
        .match_requests(|r| r.bucket() == Some("legacy-eu"))
        .then_output(|| {
            GetBucketLocationOutput::builder()
                .location_constraint(BucketLocationConstraint::Eu)
                .build()
        });
    let locked = mock!(aws_sdk_s3::Client::get_bucket_location)
        .match_requests(|r| r.bucket() == Some("locked"))
        .then_error(|| {
            GetBucketLocationError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("Access Denied")
                    .build(),
            )
        });
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&list, &legacy, &locked]);
    let buckets = tomscan::collect::s3::list_buckets(&client).await.unwrap();
    assert_eq!(list.num_calls(), 1, "the listing carried MaxBuckets");
    assert_eq!(
        buckets[0],
        ("listed".to_string(), Ok("eu-central-1".to_string()))
    );
    assert_eq!(
        buckets[1],
        ("legacy-eu".to_string(), Ok("eu-west-1".to_string()))
    );
    let Err(u) = &buckets[2].1 else {
        panic!(
            "{:?}: a bucket whose location cannot be read is never placed",
            buckets[2]
        );
    };
    assert_eq!(
        (u.action.as_str(), u.code.as_str()),
        ("s3:GetBucketLocation", "AccessDenied")
    );
    assert_eq!(
        (legacy.num_calls(), locked.num_calls()),
        (1, 1),
        "GetBucketLocation only for buckets ListBuckets left without a region"
    );
}

#[tokio::test]
async fn region_footprint_lists_every_kind_and_a_failed_listing_is_unavailable_alone() {
    use aws_sdk_ec2::operation::describe_images::DescribeImagesOutput;
    use aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput;
    use aws_sdk_ec2::operation::describe_snapshots::DescribeSnapshotsOutput;
    use aws_sdk_ec2::operation::describe_volumes::DescribeVolumesError;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
    use aws_sdk_ec2::types::{
        Image, Instance, InstanceState, InstanceStateName, Reservation, Snapshot, Vpc,
    };
    use aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDbClusterSnapshotsOutput;
    use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::operation::describe_db_snapshots::DescribeDbSnapshotsOutput;
    use aws_sdk_rds::types::{DbCluster, DbInstance, DbSnapshot};
    use aws_sdk_resourcegroupstagging::operation::get_resources::GetResourcesOutput;
    use aws_sdk_resourcegroupstagging::types::ResourceTagMapping;
    const ACCT: &str = "123456789012";
    let arn = |r: &str| format!("arn:aws:ec2:us-east-1:{ACCT}:{r}");
    // The tagging API pages with PaginationToken.
    let tagged1 = mock!(aws_sdk_resourcegroupstagging::Client::get_resources)
        .match_requests(|r| r.pagination_token().is_none_or(str::is_empty))
        .then_output(|| {
            GetResourcesOutput::builder()
                .resource_tag_mapping_list(
                    ResourceTagMapping::builder()
                        .resource_arn(format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"))
                        .build(),
                )
                .pagination_token("page-2")
                .build()
        });
    let tagged2 = mock!(aws_sdk_resourcegroupstagging::Client::get_resources)
        .match_requests(|r| r.pagination_token() == Some("page-2"))
        .then_output(|| {
            GetResourcesOutput::builder()
                .resource_tag_mapping_list(
                    ResourceTagMapping::builder()
                        .resource_arn(format!("arn:aws:logs:us-east-1:{ACCT}:log-group:app"))
                        .build(),
                )
                .build()
        });
    let instance = |id: &str, state: InstanceStateName| {
        Instance::builder()
            .instance_id(id)
            .state(InstanceState::builder().name(state).build())
            .build()
    };
    let instances = mock!(aws_sdk_ec2::Client::describe_instances).then_output(move || {
        DescribeInstancesOutput::builder()
            .reservations(
                Reservation::builder()
                    .instances(instance("i-0run", InstanceStateName::Running))
                    .instances(instance("i-0gone", InstanceStateName::Terminated))
                    .build(),
            )
            .build()
    });
    let volumes = mock!(aws_sdk_ec2::Client::describe_volumes).then_error(|| {
        DescribeVolumesError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .message("explicit deny in a service control policy")
                .build(),
        )
    });
    let snapshots = mock!(aws_sdk_ec2::Client::describe_snapshots)
        .match_requests(|r| r.owner_ids() == ["self"])
        .then_output(|| {
            DescribeSnapshotsOutput::builder()
                .snapshots(
                    Snapshot::builder()
                        .snapshot_id("snap-0own")
                        .owner_id(ACCT)
                        .build(),
                )
                // An emulator that ignores OwnerIds lists Amazon's too.
                .snapshots(
                    Snapshot::builder()
                        .snapshot_id("snap-0amazon")
                        .owner_id("137112412989")
                        .build(),
                )
                .build()
        });
    let images = mock!(aws_sdk_ec2::Client::describe_images)
        .match_requests(|r| r.owners() == ["self"])
        .then_output(|| {
            DescribeImagesOutput::builder()
                .images(Image::builder().image_id("ami-0own").owner_id(ACCT).build())
                .build()
        });
    let vpcs = mock!(aws_sdk_ec2::Client::describe_vpcs).then_output(|| {
        DescribeVpcsOutput::builder()
            .vpcs(
                Vpc::builder()
                    .vpc_id("vpc-0default")
                    .is_default(true)
                    .build(),
            )
            .vpcs(Vpc::builder().vpc_id("vpc-0app").is_default(false).build())
            .build()
    });
    let rds_arn = |r: &str| format!("arn:aws:rds:us-east-1:{ACCT}:{r}");
    let dbs = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(move || {
        DescribeDbInstancesOutput::builder()
            .db_instances(
                DbInstance::builder()
                    .db_instance_arn(rds_arn("db:orders"))
                    .build(),
            )
            .build()
    });
    let clusters = mock!(aws_sdk_rds::Client::describe_db_clusters).then_output(move || {
        DescribeDbClustersOutput::builder()
            .db_clusters(
                DbCluster::builder()
                    .db_cluster_arn(rds_arn("cluster:ledger"))
                    .build(),
            )
            .build()
    });
    let db_snaps = mock!(aws_sdk_rds::Client::describe_db_snapshots).then_output(move || {
        DescribeDbSnapshotsOutput::builder()
            .db_snapshots(
                DbSnapshot::builder()
                    .db_snapshot_arn(rds_arn("snapshot:orders-copy"))
                    .build(),
            )
            .build()
    });
    let cluster_snaps = mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots)
        .then_output(|| DescribeDbClusterSnapshotsOutput::builder().build());
    let tagging = mock_client!(
        aws_sdk_resourcegroupstagging,
        RuleMode::MatchAny,
        &[&tagged1, &tagged2]
    );
    let ec2 = mock_client!(
        aws_sdk_ec2,
        RuleMode::MatchAny,
        &[&instances, &volumes, &snapshots, &images, &vpcs]
    );
    let rds = mock_client!(
        aws_sdk_rds,
        RuleMode::MatchAny,
        &[&dbs, &clusters, &db_snaps, &cluster_snaps]
    );
    let arns = tomscan::collect::residency::Arns {
        partition: "aws",
        region: "us-east-1",
        account: ACCT,
    };
    let fp = tomscan::collect::residency::region_footprint(&tagging, &ec2, &rds, &arns).await;
    assert_eq!(
        fp.tagged.ok().unwrap(),
        &[
            format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"),
            format!("arn:aws:logs:us-east-1:{ACCT}:log-group:app"),
        ],
        "both pages"
    );
    assert_eq!(fp.instances.ok().unwrap(), &[arn("instance/i-0run")]);
    assert_eq!(fp.snapshots.ok().unwrap(), &[arn("snapshot/snap-0own")]);
    assert_eq!(fp.images.ok().unwrap(), &[arn("image/ami-0own")]);
    assert_eq!(fp.vpcs.ok().unwrap(), &[arn("vpc/vpc-0app")]);
    assert_eq!(fp.db_instances.ok().unwrap(), &[rds_arn("db:orders")]);
    assert_eq!(fp.db_clusters.ok().unwrap(), &[rds_arn("cluster:ledger")]);
    assert_eq!(
        fp.db_snapshots.ok().unwrap(),
        &[rds_arn("snapshot:orders-copy")]
    );
    assert_eq!(fp.db_cluster_snapshots.ok().unwrap().len(), 0);
    let Collected::Unavailable(u) = &fp.volumes else {
        panic!("{:?}", fp.volumes);
    };
    assert_eq!(u.action, "ec2:DescribeVolumes");

    // Judged: us-east-1 is not allowed; its unreadable volume listing is an error there,
    // and what was read still fails.
    let mut inv = Inventory {
        account_id: ACCT.into(),
        regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    inv.s3.buckets = Collected::Ok(vec![]);
    inv.cloudtrail.trails = Collected::Ok(vec![]);
    inv.footprint.enabled_regions = Collected::Ok(vec!["eu-west-1".into(), "us-east-1".into()]);
    inv.footprint.regions.insert("us-east-1".into(), fp);
    let settings = Settings {
        allowed_regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find("ACCT-01").unwrap().run)(&mut cx);
    let outcomes = cx.into_outcomes();
    let statuses: Vec<(Status, &str)> = outcomes
        .iter()
        .map(|o| (o.status, o.region.as_str()))
        .collect();
    assert!(
        statuses.contains(&(Status::Fail, "us-east-1"))
            && statuses.contains(&(Status::Error, "us-east-1")),
        "{outcomes:#?}"
    );
    // eu-west-1 is allowed: that it was not listed hides nothing that matters.
    assert!(
        !statuses.iter().any(|(_, r)| *r == "eu-west-1"),
        "{outcomes:#?}"
    );
}

#[tokio::test]
async fn db_clusters_and_instance_membership_are_collected() {
    use aws_sdk_rds::operation::describe_db_clusters::{
        DescribeDBClustersError, DescribeDbClustersOutput,
    };
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::types::{DbCluster, DbClusterMember, DbInstance};
    let instances = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(|| {
        DescribeDbInstancesOutput::builder()
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("ledger-1")
                    .engine("aurora-postgresql")
                    .db_cluster_identifier("ledger")
                    .publicly_accessible(true)
                    .build(),
            )
            // An answer without PubliclyAccessible (moto, when it was not asked for).
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("quiet")
                    .build(),
            )
            .build()
    });
    let clusters = mock!(aws_sdk_rds::Client::describe_db_clusters).then_output(|| {
        DescribeDbClustersOutput::builder()
            .db_clusters(
                DbCluster::builder()
                    .db_cluster_identifier("ledger")
                    .db_cluster_arn("arn:aws:rds:eu-west-1:123456789012:cluster:ledger")
                    .engine("aurora-postgresql")
                    .multi_az(false)
                    .db_cluster_members(
                        DbClusterMember::builder()
                            .db_instance_identifier("ledger-1")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_rds, RuleMode::MatchAny, &[&instances, &clusters]);
    let dbs = tomscan::collect::rds::db_instances(&client).await.unwrap();
    assert_eq!(dbs[0].cluster_id.as_deref(), Some("ledger"));
    assert_eq!(dbs[0].publicly_accessible, Some(true));
    assert_eq!(
        dbs[1].publicly_accessible, None,
        "absent is unknown, never private"
    );
    let list = tomscan::collect::rds::db_clusters(&client).await.unwrap();
    assert_eq!(list[0].members, ["ledger-1"]);
    assert!(!list[0].multi_az);
    let outcomes = judge(
        "RDS-02",
        tomscan::inventory::Regional {
            db_instances: Collected::Ok(dbs[..1].to_vec()),
            db_clusters: Collected::Ok(list),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [(
            Status::Fail,
            "arn:aws:rds:eu-west-1:123456789012:cluster:ledger".to_string()
        )],
        "the member is judged through its single-AZ cluster"
    );

    let denied = mock!(aws_sdk_rds::Client::describe_db_clusters).then_error(|| {
        DescribeDBClustersError::generic(ErrorMetadata::builder().code("AccessDenied").build())
    });
    let client = mock_client!(aws_sdk_rds, &[&denied]);
    let err = tomscan::collect::rds::db_clusters(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "rds:DescribeDBClusters");
}

#[tokio::test]
async fn config_recorder_status_failure_and_recorded_types_are_collected() {
    use aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::types::{
        ConfigurationRecorder, ConfigurationRecorderStatus, RecorderStatus, RecordingGroup,
        ResourceType,
    };
    let recorders =
        mock!(aws_sdk_config::Client::describe_configuration_recorders).then_output(|| {
            DescribeConfigurationRecordersOutput::builder()
                .configuration_recorders(
                    ConfigurationRecorder::builder()
                        .name("default")
                        .recording_group(
                            RecordingGroup::builder()
                                .all_supported(false)
                                .resource_types(ResourceType::User)
                                .resource_types(ResourceType::Role)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let status =
        mock!(aws_sdk_config::Client::describe_configuration_recorder_status).then_output(|| {
            DescribeConfigurationRecorderStatusOutput::builder()
                .configuration_recorders_status(
                    ConfigurationRecorderStatus::builder()
                        .name("default")
                        .recording(true)
                        .last_status(RecorderStatus::Failure)
                        .last_error_code("AccessDeniedException")
                        .last_error_message("the role cannot describe resources")
                        .build(),
                )
                .build()
        });
    let client = mock_client!(aws_sdk_config, RuleMode::MatchAny, &[&recorders, &status]);
    let list = tomscan::collect::config::config_recorders(&client)
        .await
        .unwrap();
    let r = &list[0];
    assert!(r.recording);
    assert_eq!(r.last_status.as_deref(), Some("FAILURE"));
    assert_eq!(r.last_error_code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(r.resource_types, ["AWS::IAM::User", "AWS::IAM::Role"]);
    let outcomes = judge(
        "CFG-01",
        tomscan::inventory::Regional {
            config_recorders: Collected::Ok(list),
            ..Default::default()
        },
    );
    assert!(
        outcomes.iter().all(|(s, _)| *s == Status::Fail),
        "a failing recorder records neither the region nor IAM: {outcomes:?}"
    );
}

#[tokio::test]
async fn backup_selection_conditions_and_region_opt_in_are_collected() {
    use aws_sdk_backup::operation::describe_region_settings::{
        DescribeRegionSettingsError, DescribeRegionSettingsOutput,
    };
    use aws_sdk_backup::operation::get_backup_selection::GetBackupSelectionOutput;
    use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
    use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
    use aws_sdk_backup::types::{
        BackupPlansListMember, BackupSelection, BackupSelectionsListMember, ConditionParameter,
        Conditions,
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
    let selections = mock!(aws_sdk_backup::Client::list_backup_selections).then_output(|| {
        ListBackupSelectionsOutput::builder()
            .backup_selections_list(
                BackupSelectionsListMember::builder()
                    .selection_id("sel-1")
                    .build(),
            )
            .build()
    });
    let param = |k: &str, v: &str| {
        ConditionParameter::builder()
            .condition_key(k)
            .condition_value(v)
            .build()
    };
    let selection = mock!(aws_sdk_backup::Client::get_backup_selection).then_output(move || {
        GetBackupSelectionOutput::builder()
            .backup_selection(
                BackupSelection::builder()
                    .selection_name("tagged-volumes")
                    .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                    .resources("arn:aws:ec2:*:*:volume/*")
                    .conditions(
                        Conditions::builder()
                            .string_equals(param("aws:ResourceTag/backup", "daily"))
                            .string_not_like(param("aws:ResourceTag/env", "dev*"))
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let settings = mock!(aws_sdk_backup::Client::describe_region_settings).then_output(|| {
        DescribeRegionSettingsOutput::builder()
            .resource_type_opt_in_preference("EBS", true)
            .resource_type_opt_in_preference("Aurora", false)
            .build()
    });
    let client = mock_client!(
        aws_sdk_backup,
        RuleMode::MatchAny,
        &[&plans, &selections, &selection, &settings]
    );
    let list = tomscan::collect::backup::backup_plans(&client)
        .await
        .unwrap();
    let sel = &list[0].selections[0];
    let conditions: Vec<(&str, &str, &str)> = sel
        .conditions
        .iter()
        .map(|c| (c.operator.as_str(), c.key.as_str(), c.value.as_str()))
        .collect();
    assert_eq!(
        conditions,
        [
            ("StringEquals", "backup", "daily"),
            ("StringNotLike", "env", "dev*")
        ]
    );
    let opt_in = tomscan::collect::backup::backup_opt_in(&client)
        .await
        .unwrap();
    assert_eq!(opt_in.get("EBS"), Some(&true));
    assert_eq!(opt_in.get("Aurora"), Some(&false));

    // The wildcard is ANDed with the condition: the untagged volume is not covered.
    let volume = |id: &str, tags: &[(&str, &str)]| tomscan::inventory::Volume {
        id: id.into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    let outcomes = judge(
        "BAK-01",
        tomscan::inventory::Regional {
            backup_plans: Collected::Ok(list),
            backup_opt_in: Collected::Ok(opt_in),
            volumes: Collected::Ok(vec![
                volume("vol-0daily", &[("backup", "daily")]),
                volume("vol-0plain", &[]),
            ]),
            db_instances: Collected::Ok(vec![]),
            db_clusters: Collected::Ok(vec![]),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [
            (
                Status::Pass,
                "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0daily".to_string()
            ),
            (
                Status::Fail,
                "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0plain".to_string()
            ),
        ]
    );

    let denied = mock!(aws_sdk_backup::Client::describe_region_settings).then_error(|| {
        DescribeRegionSettingsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_backup, &[&denied]);
    let err = tomscan::collect::backup::backup_opt_in(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "backup:DescribeRegionSettings");
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
    let facts = iam::collect(&client, &sources(&[Source::IamAuthorization])).await;
    let Collected::Unavailable(u) = &facts.authorization else {
        panic!("{:?}", facts.authorization);
    };
    assert_eq!(u.action, "iam:GetAccountAuthorizationDetails");
}

#[tokio::test]
async fn sns_subscriptions_are_read_per_topic_and_a_pending_one_is_not_confirmed() {
    use aws_sdk_sns::operation::list_subscriptions_by_topic::{
        ListSubscriptionsByTopicError, ListSubscriptionsByTopicOutput,
    };
    use aws_sdk_sns::operation::list_topics::ListTopicsOutput;
    use aws_sdk_sns::types::{Subscription, Topic};
    let arn = |name: &str| format!("arn:aws:sns:eu-west-1:123456789012:{name}");
    // Two pages of topics: the collector follows NextToken.
    let topics = mock!(aws_sdk_sns::Client::list_topics)
        .sequence()
        .output(move || {
            ListTopicsOutput::builder()
                .topics(Topic::builder().topic_arn(arn("oncall")).build())
                .topics(Topic::builder().topic_arn(arn("pending")).build())
                .next_token("page-2")
                .build()
        })
        .output(move || {
            ListTopicsOutput::builder()
                .topics(Topic::builder().topic_arn(arn("locked")).build())
                .build()
        })
        .build();
    let sub = move |topic: &str, sub_arn: &str| {
        Subscription::builder()
            .topic_arn(arn(topic))
            .protocol("email")
            .subscription_arn(sub_arn)
            .build()
    };
    let oncall = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("oncall").as_str()))
        .then_output(move || {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(sub("oncall", "PendingConfirmation"))
                .subscriptions(sub(
                    "oncall",
                    "arn:aws:sns:eu-west-1:123456789012:oncall:3b5f1c2e",
                ))
                .build()
        });
    let pending = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("pending").as_str()))
        .then_output(move || {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(sub("pending", "PendingConfirmation"))
                .build()
        });
    // A topic policy can deny reading one topic's subscriptions.
    let locked = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("locked").as_str()))
        .then_error(|| {
            ListSubscriptionsByTopicError::generic(
                ErrorMetadata::builder()
                    .code("AuthorizationError")
                    .message("not authorized to perform: SNS:ListSubscriptionsByTopic")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_sns,
        RuleMode::MatchAny,
        &[&topics, &oncall, &pending, &locked]
    );
    let topics = tomscan::collect::sns::sns_topics(&client).await.unwrap();
    let confirmed: Vec<(String, Option<usize>)> = topics
        .iter()
        .map(|t| {
            (
                t.arn.rsplit(':').next().unwrap().to_string(),
                t.subscriptions
                    .ok()
                    .map(|s| s.iter().filter(|s| s.confirmed).count()),
            )
        })
        .collect();
    assert_eq!(
        confirmed,
        [
            ("oncall".to_string(), Some(1)),
            ("pending".to_string(), Some(0)),
            ("locked".to_string(), None),
        ]
    );
    let alarm = |name: &str, topic: &str| tomscan::inventory::Alarm {
        name: name.into(),
        arn: format!("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}"),
        actions_enabled: true,
        alarm_actions: vec![format!("arn:aws:sns:eu-west-1:123456789012:{topic}")],
        ..Default::default()
    };
    let outcomes = judge(
        "CW-02",
        tomscan::inventory::Regional {
            alarms: Collected::Ok(vec![
                alarm("a-oncall", "oncall"),
                alarm("b-pending", "pending"),
                alarm("c-locked", "locked"),
            ]),
            sns_topics: Collected::Ok(topics),
            ..Default::default()
        },
    );
    let statuses: Vec<Status> = outcomes.iter().map(|o| o.0).collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail, Status::Error]);
}
