use std::collections::BTreeMap;

use serde_json::{Map, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "ACCT-01",
    slug: "hosted-in-allowed-regions",
    title: "Resources are hosted only in the allowed regions",
    severity: Severity::High,
    sources: &[
        Source::Ec2Instances,
        Source::Ec2Volumes,
        Source::Ec2Vpcs,
        Source::S3Buckets,
        Source::RdsInstances,
        Source::CloudTrailTrails,
    ],
    rationale: "The TOM promises where customer data is hosted (the hosting jurisdiction). Every instance, volume, network, bucket, database or trail in a region outside the agreed ones is data, or infrastructure that handles it, outside that promise.",
    remediation: "Move or delete the resources in the listed regions, then keep new ones out with a service control policy that denies every action outside the allowed regions (condition `aws:RequestedRegion`, exempting global services); if a region is legitimately used, add it to `allowed_regions` in tomscan.toml and to the TOM.",
    references: &["TOM 3 hosting jurisdiction (tomscan)"],
    run,
    module: module_path!(),
};

/// Ids listed per resource type in the evidence; the count is always complete.
const MAX_IDS: usize = 20;

/// Region -> resource type -> ids.
type InUse = BTreeMap<String, BTreeMap<&'static str, Vec<String>>>;

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut in_use = InUse::new();
    let mut add = |region: &str, kind: &'static str, id: &str| {
        // S3 reports us-east-1 as an empty location constraint.
        let region = if region.is_empty() {
            "us-east-1"
        } else {
            region
        };
        in_use
            .entry(region.to_string())
            .or_default()
            .entry(kind)
            .or_default()
            .push(id.to_string());
    };
    for (region, facts) in cx.regions() {
        if let Some(instances) = cx.get(&facts.instances, region) {
            for i in instances
                .iter()
                .filter(|i| !matches!(i.state.as_str(), "terminated" | "shutting-down"))
            {
                add(region, "ec2_instances", &i.id);
            }
        }
        if let Some(volumes) = cx.get(&facts.volumes, region) {
            for v in volumes {
                add(region, "ebs_volumes", &v.id);
            }
        }
        if let Some(vpcs) = cx.get(&facts.vpcs, region) {
            for v in vpcs.iter().filter(|v| !v.is_default) {
                add(region, "vpcs", &v.id);
            }
        }
        if let Some(dbs) = cx.get(&facts.db_instances, region) {
            for db in dbs {
                add(region, "rds_db_instances", &db.id);
            }
        }
    }
    if let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) {
        for b in buckets {
            add(&b.region, "s3_buckets", &b.name);
        }
    }
    if let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) {
        let own = format!(":{}:", inv.account_id);
        // An organisation trail of the management account is visible here but not hosted here.
        for t in trails
            .iter()
            .filter(|t| !t.organization_trail || t.arn.contains(&own))
        {
            add(&t.home_region, "cloudtrail_trails", &t.name);
        }
    }

    let allowed = &cx.settings.allowed_regions;
    if allowed.is_empty() {
        let regions: Vec<&str> = in_use.keys().map(String::as_str).collect();
        let account = cx.inv.account_arn();
        cx.manual(
            GLOBAL,
            &account,
            format!(
                "allowed_regions is not configured; regions in use: {}",
                if regions.is_empty() {
                    "none".to_string()
                } else {
                    regions.join(", ")
                }
            ),
            json!({ "allowed_regions": null, "regions_in_use": regions }),
        );
        return;
    }
    if in_use.is_empty() {
        cx.not_applicable(
            GLOBAL,
            "no instances, volumes, VPCs, buckets, DB instances or trails were found",
        );
        return;
    }
    for (region, kinds) in &in_use {
        let mut resources = Map::new();
        for (kind, ids) in kinds {
            resources.insert(
                kind.to_string(),
                json!({ "count": ids.len(), "ids": ids.iter().take(MAX_IDS).collect::<Vec<_>>() }),
            );
        }
        let total: usize = kinds.values().map(Vec::len).sum();
        let evidence =
            json!({ "region": region, "allowed_regions": allowed, "resources": resources });
        let arn = inv.arn("account", region, "region");
        if allowed.contains(region) {
            cx.pass(
                region,
                &arn,
                format!("{total} resource(s) in {region}, an allowed region"),
                evidence,
            );
        } else {
            cx.fail(
                region,
                &arn,
                format!(
                    "{total} resource(s) in {region}, which is not an allowed region ({})",
                    allowed.join(", ")
                ),
                evidence,
            );
        }
    }
}
