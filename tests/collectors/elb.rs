//! Load balancers: Classic ones with their negotiation policies.

use super::*;

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
