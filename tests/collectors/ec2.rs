//! EC2: Client VPN endpoints (which moto lacks), security groups with prefix lists and referenced groups, directories behind Client VPN, and the faults a collector must turn into `Unavailable`: AccessDenied, an unimplemented operation, throttling.

use super::*;

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

/// One region's EC2 facts of `wanted`, read through `client` (mocked) by the same
/// functions the scan's regional collectors call.
async fn ec2_regional(client: &aws_sdk_ec2::Client, wanted: &[Source]) -> Regional {
    let mut r = Regional::default();
    for source in wanted {
        match source {
            Source::Ec2ClientVpnEndpoints => {
                r.client_vpn_endpoints = collect::ec2::client_vpn_endpoints(client).await.into()
            }
            Source::Ec2SecurityGroups => {
                r.security_groups = collect::ec2::security_groups(client).await.into()
            }
            Source::Ec2ManagedPrefixLists => {
                r.prefix_lists = collect::ec2::prefix_lists(client).await.into()
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
