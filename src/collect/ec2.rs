use aws_sdk_ec2::types::{IpPermission, Tag};

use super::{action, paged, per_resource, regional, word};
use crate::aws::unavailable;
use crate::inventory::{
    ClientVpnEndpoint, Collected, FlowLog, Image, Instance, IpRule, NaclEntry, NetworkAcl,
    PrefixList, SecurityGroup, Snapshot, Subnet, Tags, Unavailable, Volume, Vpc, VpnConnection,
    VpnTunnel,
};

regional! {
    Ec2Instances => instances: ec2, instances;
    Ec2Vpcs => vpcs: ec2, vpcs;
    Ec2Subnets => subnets: ec2, subnets;
    Ec2SecurityGroups => security_groups: ec2, security_groups;
    Ec2ClientVpnEndpoints => client_vpn_endpoints: ec2, client_vpn_endpoints;
    Ec2EbsEncryptionByDefault => ebs_encryption_by_default: ec2, ebs_encryption_by_default;
    Ec2NetworkAcls => network_acls: ec2, network_acls;
    Ec2FlowLogs => flow_logs: ec2, flow_logs;
    Ec2Volumes => volumes: ec2, volumes;
    Ec2Snapshots => snapshots: ec2, snapshots;
    Ec2Images => images: ec2, images;
    Ec2VpnConnections => vpn_connections: ec2, vpn_connections;
    Ec2ManagedPrefixLists => prefix_lists: ec2, prefix_lists;
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

pub async fn instances(client: &aws_sdk_ec2::Client) -> Result<Vec<Instance>, Unavailable> {
    let reservations = paged(
        action!(Ec2Instances, DescribeInstances),
        client.describe_instances().into_paginator().items().send(),
    )
    .await?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .map(|i| Instance {
            id: i.instance_id().unwrap_or_default().to_string(),
            state: word(i.state().and_then(|s| s.name()).map(|n| n.as_str())),
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

pub async fn vpcs(client: &aws_sdk_ec2::Client) -> Result<Vec<Vpc>, Unavailable> {
    let list = paged(
        action!(Ec2Vpcs, DescribeVpcs),
        client.describe_vpcs().into_paginator().items().send(),
    )
    .await?;
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

pub async fn subnets(client: &aws_sdk_ec2::Client) -> Result<Vec<Subnet>, Unavailable> {
    let list = paged(
        action!(Ec2Subnets, DescribeSubnets),
        client.describe_subnets().into_paginator().items().send(),
    )
    .await?;
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

pub async fn security_groups(
    client: &aws_sdk_ec2::Client,
) -> Result<Vec<SecurityGroup>, Unavailable> {
    let list = paged(
        action!(Ec2SecurityGroups, DescribeSecurityGroups),
        client
            .describe_security_groups()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|g| SecurityGroup {
            id: g.group_id().unwrap_or_default().to_string(),
            name: g.group_name().unwrap_or_default().to_string(),
            vpc_id: g.vpc_id().map(str::to_string),
            ingress: g.ip_permissions().iter().map(ip_rule).collect(),
            egress: Collected::Ok(g.ip_permissions_egress().iter().map(ip_rule).collect()),
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
        prefix_list_ids: p
            .prefix_list_ids()
            .iter()
            .filter_map(|l| l.prefix_list_id().map(str::to_string))
            .collect(),
        referenced_groups: p
            .user_id_group_pairs()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
    }
}

/// Every managed prefix list the account sees, with the entries of those not owned by
/// AWS. A list whose entries cannot be read keeps that fact: a rule naming it cannot
/// be judged, while the other lists still can.
pub async fn prefix_lists(client: &aws_sdk_ec2::Client) -> Result<Vec<PrefixList>, Unavailable> {
    let lists = paged(
        action!(Ec2ManagedPrefixLists, DescribeManagedPrefixLists),
        client
            .describe_managed_prefix_lists()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    let lists = lists.iter().map(|l| async move {
        let id = l.prefix_list_id().unwrap_or_default().to_string();
        let owner_id = l.owner_id().unwrap_or_default().to_string();
        // AWS-managed lists hold an AWS service's ranges (S3, CloudFront, ...), and some
        // run to hundreds of entries: they are never the internet, so they are not read.
        let entries = if owner_id == "AWS" {
            Collected::NotCollected
        } else {
            prefix_list_entries(client, &id).await.into()
        };
        PrefixList {
            name: l.prefix_list_name().unwrap_or_default().to_string(),
            id,
            owner_id,
            entries,
        }
    });
    Ok(futures_util::future::join_all(lists).await)
}

async fn prefix_list_entries(
    client: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Vec<String>, Unavailable> {
    let entries = paged(
        action!(Ec2ManagedPrefixLists, GetManagedPrefixListEntries),
        client
            .get_managed_prefix_list_entries()
            .prefix_list_id(id)
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(entries
        .iter()
        .filter_map(|e| e.cidr().map(str::to_string))
        .collect())
}

pub async fn client_vpn_endpoints(
    client: &aws_sdk_ec2::Client,
) -> Result<Vec<ClientVpnEndpoint>, Unavailable> {
    let list = paged(
        action!(Ec2ClientVpnEndpoints, DescribeClientVpnEndpoints),
        client
            .describe_client_vpn_endpoints()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|e| ClientVpnEndpoint {
            id: e.client_vpn_endpoint_id().unwrap_or_default().to_string(),
            status: word(e.status().and_then(|s| s.code()).map(|c| c.as_str())),
            authentication: e
                .authentication_options()
                .iter()
                .filter_map(|a| a.r#type().map(|t| t.as_str().to_string()))
                .collect(),
            directory_ids: e
                .authentication_options()
                .iter()
                .filter_map(|a| a.active_directory()?.directory_id().map(str::to_string))
                .collect(),
            saml_provider_arns: e
                .authentication_options()
                .iter()
                .filter_map(|a| a.federated_authentication())
                .flat_map(|f| [f.saml_provider_arn(), f.self_service_saml_provider_arn()])
                .flatten()
                .map(str::to_string)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
            connection_logs_enabled: e
                .connection_log_options()
                .and_then(|o| o.enabled())
                .unwrap_or(false),
            tags: tags(e.tags()),
        })
        .collect())
}

pub async fn ebs_encryption_by_default(client: &aws_sdk_ec2::Client) -> Result<bool, Unavailable> {
    let out = client
        .get_ebs_encryption_by_default()
        .send()
        .await
        .map_err(|e| {
            unavailable(
                action!(Ec2EbsEncryptionByDefault, GetEbsEncryptionByDefault),
                e,
            )
        })?;
    Ok(out.ebs_encryption_by_default().unwrap_or(false))
}

pub async fn network_acls(client: &aws_sdk_ec2::Client) -> Result<Vec<NetworkAcl>, Unavailable> {
    let list = paged(
        action!(Ec2NetworkAcls, DescribeNetworkAcls),
        client
            .describe_network_acls()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|n| NetworkAcl {
            id: n.network_acl_id().unwrap_or_default().to_string(),
            vpc_id: n.vpc_id().unwrap_or_default().to_string(),
            is_default: n.is_default().unwrap_or(false),
            entries: n
                .entries()
                .iter()
                .map(|e| NaclEntry {
                    rule_number: e.rule_number().unwrap_or(0),
                    egress: e.egress().unwrap_or(false),
                    protocol: e.protocol().unwrap_or("-1").to_string(),
                    action: word(e.rule_action().map(|a| a.as_str())),
                    cidr: e.cidr_block().map(str::to_string),
                    ipv6_cidr: e.ipv6_cidr_block().map(str::to_string),
                    from_port: e.port_range().and_then(|p| p.from()),
                    to_port: e.port_range().and_then(|p| p.to()),
                })
                .collect(),
        })
        .collect())
}

pub async fn flow_logs(client: &aws_sdk_ec2::Client) -> Result<Vec<FlowLog>, Unavailable> {
    let list = paged(
        action!(Ec2FlowLogs, DescribeFlowLogs),
        client.describe_flow_logs().into_paginator().items().send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|f| FlowLog {
            id: f.flow_log_id().unwrap_or_default().to_string(),
            resource_id: f.resource_id().unwrap_or_default().to_string(),
            status: word(f.flow_log_status()),
            traffic_type: word(f.traffic_type().map(|t| t.as_str())),
            deliver_logs_status: f.deliver_logs_status().map(Into::into),
            deliver_logs_error: f.deliver_logs_error_message().map(str::to_string),
        })
        .collect())
}

pub async fn volumes(client: &aws_sdk_ec2::Client) -> Result<Vec<Volume>, Unavailable> {
    let list = paged(
        action!(Ec2Volumes, DescribeVolumes),
        client.describe_volumes().into_paginator().items().send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|v| Volume {
            id: v.volume_id().unwrap_or_default().to_string(),
            encrypted: v.encrypted().unwrap_or(false),
            kms_key_id: v.kms_key_id().map(str::to_string),
            availability_zone: v.availability_zone().unwrap_or_default().to_string(),
            state: v
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            attached_instances: v
                .attachments()
                .iter()
                .filter_map(|a| a.instance_id().map(str::to_string))
                .collect(),
            tags: tags(v.tags()),
        })
        .collect())
}

/// The account's own snapshots, each with who may create a volume from it. The
/// attribute is read per snapshot (no listing names the accounts a snapshot is shared
/// with), a few at a time; a denial is that snapshot's fact alone.
pub async fn snapshots(client: &aws_sdk_ec2::Client) -> Result<Vec<Snapshot>, Unavailable> {
    let own = paged(
        action!(Ec2Snapshots, DescribeSnapshots),
        client
            .describe_snapshots()
            .owner_ids("self")
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(per_resource(own, |s| async move {
        let id = s.snapshot_id().unwrap_or_default().to_string();
        let shared_with = client
            .describe_snapshot_attribute()
            .snapshot_id(&id)
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .send()
            .await
            .map(|out| {
                out.create_volume_permissions()
                    .iter()
                    .filter_map(|p| {
                        p.group()
                            .map(|g| g.as_str().to_string())
                            .or_else(|| p.user_id().map(str::to_string))
                    })
                    .collect()
            })
            .map_err(|e| unavailable(action!(Ec2Snapshots, DescribeSnapshotAttribute), e))
            .into();
        Snapshot {
            id,
            owner_id: s.owner_id().map(str::to_string),
            volume_id: s.volume_id().map(str::to_string),
            encrypted: s.encrypted().unwrap_or(false),
            shared_with,
            tags: tags(s.tags()),
        }
    })
    .await)
}

/// The account's own AMIs, each with who may launch it (read per image, as snapshots).
pub async fn images(client: &aws_sdk_ec2::Client) -> Result<Vec<Image>, Unavailable> {
    let out = client
        .describe_images()
        .owners("self")
        .send()
        .await
        .map_err(|e| unavailable(action!(Ec2Images, DescribeImages), e))?;
    Ok(per_resource(out.images().iter().cloned(), |i| async move {
        let id = i.image_id().unwrap_or_default().to_string();
        let shared_with = client
            .describe_image_attribute()
            .image_id(&id)
            .attribute(aws_sdk_ec2::types::ImageAttributeName::LaunchPermission)
            .send()
            .await
            .map(|out| {
                out.launch_permissions()
                    .iter()
                    .filter_map(|p| {
                        p.group()
                            .map(|g| g.as_str())
                            .or(p.user_id())
                            .or(p.organization_arn())
                            .or(p.organizational_unit_arn())
                            .map(str::to_string)
                    })
                    .collect()
            })
            .map_err(|e| unavailable(action!(Ec2Images, DescribeImageAttribute), e))
            .into();
        Image {
            id,
            owner_id: i.owner_id().map(str::to_string),
            name: i.name().unwrap_or_default().to_string(),
            public: i.public().unwrap_or(false),
            shared_with,
            tags: tags(i.tags()),
        }
    })
    .await)
}

pub async fn vpn_connections(
    client: &aws_sdk_ec2::Client,
) -> Result<Vec<VpnConnection>, Unavailable> {
    let out = client
        .describe_vpn_connections()
        .send()
        .await
        .map_err(|e| unavailable(action!(Ec2VpnConnections, DescribeVpnConnections), e))?;
    Ok(out
        .vpn_connections()
        .iter()
        .map(|v| VpnConnection {
            id: v.vpn_connection_id().unwrap_or_default().to_string(),
            state: word(v.state().map(|s| s.as_str())),
            tunnels: v
                .vgw_telemetry()
                .iter()
                .map(|t| VpnTunnel {
                    outside_ip: t.outside_ip_address().unwrap_or_default().to_string(),
                    status: word(t.status().map(|s| s.as_str())),
                })
                .collect(),
            tags: tags(v.tags()),
        })
        .collect())
}
