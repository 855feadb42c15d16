pub mod client_vpn_connection_logs;
pub mod client_vpn_mfa_auth;
pub mod default_sg_restricts_all;
pub mod ebs_default_encryption;
pub mod ebs_snapshots_encrypted;
pub mod ebs_volumes_encrypted;
pub mod exposed_ports;
pub mod instances_multi_az;
pub mod nacl_no_admin_ports;
pub mod no_admin_ports_open;
pub mod no_public_amis;
pub mod no_public_snapshots;
pub mod no_workloads_in_default_vpc;
pub mod vpc_flow_logs;
pub mod vpc_subnets_multi_az;
pub mod vpn_tunnels_up;

use std::collections::{BTreeMap, BTreeSet};

use crate::check::Check;
use crate::inventory::{Instance, InstanceState, Inventory};

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &instances_multi_az::CHECK,
    &vpc_subnets_multi_az::CHECK,
    &no_admin_ports_open::CHECK,
    &client_vpn_mfa_auth::CHECK,
    &ebs_default_encryption::CHECK,
    &nacl_no_admin_ports::CHECK,
    &vpc_flow_logs::CHECK,
    &client_vpn_connection_logs::CHECK,
    &no_public_snapshots::CHECK,
    &no_public_amis::CHECK,
    &ebs_volumes_encrypted::CHECK,
    &ebs_snapshots_encrypted::CHECK,
    &default_sg_restricts_all::CHECK,
    &no_workloads_in_default_vpc::CHECK,
    &vpn_tunnels_up::CHECK,
];

/// Running instances of a region grouped by VPC, with the zones each VPC runs in.
pub(crate) fn running_by_vpc(
    instances: &[Instance],
) -> BTreeMap<&str, (Vec<&str>, BTreeSet<&str>)> {
    let mut by_vpc: BTreeMap<&str, (Vec<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for i in instances
        .iter()
        .filter(|i| i.state == InstanceState::Running)
    {
        // Instances outside any VPC (EC2-Classic) have no zones to spread over here.
        if let Some(vpc) = i.vpc_id.as_deref() {
            let entry = by_vpc.entry(vpc).or_default();
            entry.0.push(&i.id);
            entry.1.insert(&i.availability_zone);
        }
    }
    by_vpc
}

/// The ARN of an EC2 resource of this account: `arn:aws:ec2:REGION:ACCOUNT:KIND/ID`.
pub(crate) fn ec2_arn(inv: &Inventory, region: &str, kind: &str, id: &str) -> String {
    inv.arn("ec2", region, &format!("{kind}/{id}"))
}
