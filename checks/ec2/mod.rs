pub mod client_vpn_mfa_auth;
pub mod ebs_default_encryption;
pub mod instances_multi_az;
pub mod no_admin_ports_open;
pub mod vpc_subnets_multi_az;

use std::collections::{BTreeMap, BTreeSet};

use crate::check::Check;
use crate::inventory::Instance;

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &instances_multi_az::CHECK,
    &vpc_subnets_multi_az::CHECK,
    &no_admin_ports_open::CHECK,
    &client_vpn_mfa_auth::CHECK,
    &ebs_default_encryption::CHECK,
];

/// Running instances of a region grouped by VPC, with the zones each VPC runs in.
pub(crate) fn running_by_vpc(
    instances: &[Instance],
) -> BTreeMap<&str, (Vec<&str>, BTreeSet<&str>)> {
    let mut by_vpc: BTreeMap<&str, (Vec<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for i in instances.iter().filter(|i| i.state == "running") {
        // Instances outside any VPC (EC2-Classic) have no zones to spread over here.
        if let Some(vpc) = i.vpc_id.as_deref() {
            let entry = by_vpc.entry(vpc).or_default();
            entry.0.push(&i.id);
            entry.1.insert(&i.availability_zone);
        }
    }
    by_vpc
}
