use std::collections::BTreeSet;

use aws_sdk_ec2::types::{IpPermission, Tag};

use super::when;
use crate::aws::unavailable;
use crate::inventory::{
    ClientVpnEndpoint, Instance, IpRule, Regional, SecurityGroup, Source, Subnet, Tags,
    Unavailable, Vpc,
};

/// One region's EC2 facts; `client` is bound to that region.
pub async fn collect(c: &aws_sdk_ec2::Client, sources: &BTreeSet<Source>) -> Regional {
    let (
        instances,
        vpcs,
        subnets,
        security_groups,
        client_vpn_endpoints,
        ebs_encryption_by_default,
    ) = tokio::join!(
        when(sources, Source::Ec2Instances, instances(c)),
        when(sources, Source::Ec2Vpcs, vpcs(c)),
        when(sources, Source::Ec2Subnets, subnets(c)),
        when(sources, Source::Ec2SecurityGroups, security_groups(c)),
        when(
            sources,
            Source::Ec2ClientVpnEndpoints,
            client_vpn_endpoints(c)
        ),
        when(
            sources,
            Source::Ec2EbsEncryptionByDefault,
            ebs_encryption_by_default(c)
        ),
    );
    Regional {
        instances,
        vpcs,
        subnets,
        security_groups,
        client_vpn_endpoints,
        ebs_encryption_by_default,
        ..Default::default()
    }
}

fn tags(list: &[Tag]) -> Tags {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

async fn instances(client: &aws_sdk_ec2::Client) -> Result<Vec<Instance>, Unavailable> {
    let reservations = client
        .describe_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("ec2:DescribeInstances", e))?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| Instance {
            id: i.instance_id().unwrap_or_default().to_string(),
            state: i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: i.vpc_id().map(str::to_string),
            subnet_id: i.subnet_id().map(str::to_string),
            availability_zone: i
                .placement()
                .and_then(|p| p.availability_zone())
                .unwrap_or_default()
                .to_string(),
            tags: tags(i.tags()),
        })
        .collect())
}

async fn vpcs(client: &aws_sdk_ec2::Client) -> Result<Vec<Vpc>, Unavailable> {
    let list = client
        .describe_vpcs()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("ec2:DescribeVpcs", e))?;
    Ok(list
        .iter()
        .map(|v| Vpc {
            id: v.vpc_id().unwrap_or_default().to_string(),
            is_default: v.is_default().unwrap_or(false),
            cidr: v.cidr_block().unwrap_or_default().to_string(),
            tags: tags(v.tags()),
        })
        .collect())
}

async fn subnets(client: &aws_sdk_ec2::Client) -> Result<Vec<Subnet>, Unavailable> {
    let list = client
        .describe_subnets()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("ec2:DescribeSubnets", e))?;
    Ok(list
        .iter()
        .map(|s| Subnet {
            id: s.subnet_id().unwrap_or_default().to_string(),
            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
            availability_zone: s.availability_zone().unwrap_or_default().to_string(),
            tags: tags(s.tags()),
        })
        .collect())
}

async fn security_groups(client: &aws_sdk_ec2::Client) -> Result<Vec<SecurityGroup>, Unavailable> {
    let list = client
        .describe_security_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("ec2:DescribeSecurityGroups", e))?;
    Ok(list
        .iter()
        .map(|g| SecurityGroup {
            id: g.group_id().unwrap_or_default().to_string(),
            name: g.group_name().unwrap_or_default().to_string(),
            vpc_id: g.vpc_id().map(str::to_string),
            ingress: g.ip_permissions().iter().map(ip_rule).collect(),
            tags: tags(g.tags()),
        })
        .collect())
}

fn ip_rule(p: &IpPermission) -> IpRule {
    IpRule {
        protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port(),
        to_port: p.to_port(),
        ipv4_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip().map(str::to_string))
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6().map(str::to_string))
            .collect(),
    }
}

async fn client_vpn_endpoints(
    client: &aws_sdk_ec2::Client,
) -> Result<Vec<ClientVpnEndpoint>, Unavailable> {
    let list = client
        .describe_client_vpn_endpoints()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("ec2:DescribeClientVpnEndpoints", e))?;
    Ok(list
        .iter()
        .map(|e| ClientVpnEndpoint {
            id: e.client_vpn_endpoint_id().unwrap_or_default().to_string(),
            status: e
                .status()
                .and_then(|s| s.code())
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            authentication: e
                .authentication_options()
                .iter()
                .filter_map(|a| a.r#type().map(|t| t.as_str().to_string()))
                .collect(),
            connection_logs_enabled: e
                .connection_log_options()
                .and_then(|o| o.enabled())
                .unwrap_or(false),
            tags: tags(e.tags()),
        })
        .collect())
}

async fn ebs_encryption_by_default(client: &aws_sdk_ec2::Client) -> Result<bool, Unavailable> {
    let out = client
        .get_ebs_encryption_by_default()
        .send()
        .await
        .map_err(|e| unavailable("ec2:GetEbsEncryptionByDefault", e))?;
    Ok(out.ebs_encryption_by_default().unwrap_or(false))
}
