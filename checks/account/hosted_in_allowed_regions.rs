use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, RegionFootprint, Source};

pub static CHECK: Check = Check {
    id: "ACCT-01",
    slug: "hosted-in-allowed-regions",
    title: "Resources are hosted only in the allowed regions",
    severity: Severity::High,
    sources: &[
        Source::RegionFootprint,
        Source::S3Buckets,
        Source::CloudTrailTrails,
    ],
    rationale: "The TOM promises where customer data is hosted (the hosting jurisdiction). Every instance, volume, snapshot, image, network, bucket, database or other resource in a region outside the agreed ones is data, or infrastructure that handles it, outside that promise. Every region the account has enabled is listed, whatever regions the scan was pointed at: EC2 instances, volumes, snapshots and AMIs this account owns, non-default VPCs, RDS instances, clusters and snapshots, and every resource of any service that carries a tag (Resource Groups Tagging API); buckets are placed by their own location. Where the account's Resource Explorer aggregator index covers a region the scan was not pointed at and holds no instance, volume, snapshot, AMI or database there, those listings are not made and the evidence says so (`from_index`); resources created in the last minutes may not be indexed yet. An untagged resource of a service without a listing here (an untagged DynamoDB table, say) is not seen. Security monitoring that CIS asks for in every region and that holds no customer data (GuardDuty, Security Hub, Access Analyzer, Config) is not counted.",
    remediation: "Move or delete the resources in the listed regions, then keep new ones out with a service control policy that denies every action outside the allowed regions (condition `aws:RequestedRegion`, exempting global services and the read-only calls of the auditing role); if a region is legitimately used, add it to `allowed_regions` in tomscan.toml and to the TOM.",
    references: &["TOM 3 hosting jurisdiction (tomscan)"],
    run,
    module: module_path!(),
};

/// Ids listed per resource type in the evidence; the count is always complete.
const MAX_IDS: usize = 20;

/// Services whose tagged resources are not counted: detection that belongs in every
/// region (CIS) and stores findings about the account, not customer data.
const SECURITY_MONITORING: &[&str] = &["guardduty", "securityhub", "access-analyzer", "config"];

/// Region -> resource type -> ids.
type InUse = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// What one region's listings showed.
#[derive(Default)]
struct Seen {
    /// Listings that could not be read in a region where it does not matter (allowed).
    unreadable: Vec<&'static str>,
    /// Tagged resources left out as security monitoring.
    monitoring: usize,
}

/// Everything found, region by region, and what the verdicts say about the search.
#[derive(Default)]
struct Found<'a> {
    in_use: InUse,
    seen: BTreeMap<String, Seen>,
    /// Every region looked at, said in every verdict: not only the scanned ones.
    looked_at: Vec<&'a str>,
}

fn run(cx: &mut Cx<'_>) {
    let mut found = Found::default();
    listed_by_region(cx, &mut found);
    placed_elsewhere(cx, &mut found.in_use);
    judge(cx, &found);
}

/// What the footprint's listings show in every enabled region (and any scanned one).
fn listed_by_region<'a>(cx: &mut Cx<'a>, found: &mut Found<'a>) {
    let inv = cx.inv;
    let enabled = cx.get(&inv.footprint.enabled_regions, GLOBAL);
    let regions: BTreeSet<&str> = enabled
        .into_iter()
        .flatten()
        .map(String::as_str)
        .chain(inv.footprint.regions.keys().map(String::as_str))
        .collect();
    found.looked_at = regions.iter().copied().collect();
    static NONE: std::sync::LazyLock<RegionFootprint> =
        std::sync::LazyLock::new(RegionFootprint::default);
    for region in regions {
        let facts = inv.footprint.regions.get(region).unwrap_or(&NONE);
        listed_in(cx, region, facts, found);
    }
}

/// One region's listings: a listing-of-a-kind is the truth for its kind, the tagging
/// API adds every other tagged resource but security monitoring.
fn listed_in<'a>(cx: &mut Cx<'a>, region: &str, facts: &'a RegionFootprint, found: &mut Found<'_>) {
    let allowed = &cx.settings.allowed_regions;
    // In an allowed region a gap hides nothing that matters; elsewhere (or when no
    // region is allowed yet) it hides what the measure is about.
    let must_read = allowed.is_empty() || !allowed.iter().any(|a| a == region);
    let region_arn = cx.inv.arn("account", region, "region");
    let mut read = BTreeMap::new();
    for (name, listing) in facts.listings() {
        let list = if must_read {
            cx.get_for(listing, region, &region_arn)
        } else {
            if !matches!(listing, Collected::Ok(_)) {
                found
                    .seen
                    .entry(region.to_string())
                    .or_default()
                    .unreadable
                    .push(name);
            }
            listing.ok()
        };
        if let Some(list) = list {
            read.insert(name, list);
        }
    }
    // Where a dedicated listing was read, it is the truth for its type: it drops
    // terminated instances and default VPCs, which the tagging API may still name.
    let listed: BTreeSet<&str> = RegionFootprint::KINDS
        .iter()
        .filter(|(name, _)| read.contains_key(name))
        .map(|(_, kind)| *kind)
        .collect();
    for (name, list) in &read {
        for arn in list.iter() {
            let Some((arn_region, kind)) = kind_of(arn) else {
                continue;
            };
            // No region in the ARN: a global resource (CloudFront, IAM, Route 53) or a
            // bucket, which the bucket listing places by its location.
            if arn_region.is_empty() {
                continue;
            }
            if *name == "tagged" {
                if listed.contains(kind.as_str()) {
                    continue;
                }
                let service = kind.split(':').next().unwrap_or_default();
                if SECURITY_MONITORING.contains(&service) {
                    found.seen.entry(region.to_string()).or_default().monitoring += 1;
                    continue;
                }
            }
            add(&mut found.in_use, region, &kind, arn);
        }
    }
}

/// Resources placed by their own setting, not by the region they were listed in:
/// buckets by their location, trails by their home region.
fn placed_elsewhere(cx: &mut Cx<'_>, in_use: &mut InUse) {
    let inv = cx.inv;
    if let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) {
        for b in buckets {
            let arn = format!("arn:{}:s3:::{}", inv.partition_or_default(), b.name);
            match (&b.region_unavailable, b.region.is_empty()) {
                (Some(u), _) => cx.error(
                    GLOBAL,
                    &arn,
                    format!(
                        "could not be evaluated: where the bucket is hosted is unknown: {} failed with {}: {}",
                        u.action, u.code, u.message
                    ),
                    json!({ "missing_action": u.action, "code": u.code, "message": u.message }),
                ),
                (None, true) => cx.error(
                    GLOBAL,
                    &arn,
                    "could not be evaluated: the inventory does not say where the bucket is hosted",
                    Value::Null,
                ),
                (None, false) => add(in_use, &b.region, "s3:bucket", &b.name),
            }
        }
    }
    if let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) {
        let own = format!(":{}:", inv.account_id);
        // An organisation trail of the management account is visible here but not hosted here.
        for t in trails
            .iter()
            .filter(|t| !t.organization_trail || t.arn.contains(&own))
        {
            add(in_use, &t.home_region, "cloudtrail:trail", &t.name);
        }
    }
}

/// A verdict per region in use: pass in an allowed one, fail elsewhere; `manual` for the
/// account while no region is allowed yet.
fn judge(cx: &mut Cx<'_>, found: &Found<'_>) {
    let inv = cx.inv;
    let allowed = &cx.settings.allowed_regions;
    let in_use = &found.in_use;
    if allowed.is_empty() {
        let regions: Vec<&str> = in_use.keys().map(String::as_str).collect();
        let account = inv.account_arn();
        let mut evidence = json!({ "allowed_regions": null, "regions_in_use": regions });
        index_evidence(inv, GLOBAL, &mut evidence);
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
            evidence,
        );
        return;
    }
    if in_use.is_empty() {
        let indexed = inv
            .footprint
            .regions
            .values()
            .filter(|r| r.from_index)
            .count();
        let from_index = if indexed > 0 {
            format!(
                "; in {indexed} region(s) Resource Explorer's index held no instance, volume, snapshot, image or database, which were not listed"
            )
        } else {
            String::new()
        };
        cx.not_applicable(
            GLOBAL,
            format!("no resource was found in any enabled region (instances, volumes, snapshots, images, VPCs, databases, tagged resources, buckets, trails){from_index}"),
        );
        return;
    }
    for (region, kinds) in in_use {
        let mut resources = Map::new();
        for (kind, ids) in kinds {
            resources.insert(
                kind.clone(),
                json!({ "count": ids.len(), "ids": ids.iter().take(MAX_IDS).collect::<Vec<_>>() }),
            );
        }
        let total: usize = kinds.values().map(BTreeSet::len).sum();
        let summary = kinds
            .iter()
            .map(|(k, ids)| format!("{k} {}", ids.len()))
            .collect::<Vec<_>>()
            .join(", ");
        let scanned = inv.regions.iter().any(|r| r == region);
        let mut evidence = json!({
            "region": region,
            "allowed_regions": allowed,
            "scanned": scanned,
            "resources": resources,
            "regions_listed": found.looked_at,
        });
        if let Some(s) = found.seen.get(region) {
            evidence["unreadable_listings"] = json!(s.unreadable);
            evidence["security_monitoring_not_counted"] = json!(s.monitoring);
        }
        index_evidence(inv, region, &mut evidence);
        let arn = inv.arn("account", region, "region");
        if allowed.contains(region) {
            cx.pass(
                region,
                &arn,
                format!("{total} resource(s) in {region}, an allowed region ({summary})"),
                evidence,
            );
        } else {
            cx.fail(
                region,
                &arn,
                format!(
                    "{total} resource(s) in {region}, which is not an allowed region ({}){}: {summary}",
                    allowed.join(", "),
                    if scanned {
                        ""
                    } else {
                        ", and which the scan was not pointed at"
                    }
                ),
                evidence,
            );
        }
    }
}

/// Whether Resource Explorer's index stood in for listings, said beside the verdict of
/// a region it did (and of every region once it was asked).
fn index_evidence(inv: &crate::inventory::Inventory, region: &str, evidence: &mut Value) {
    let index = &inv.footprint.index;
    if index.is_not_asked() {
        return;
    }
    evidence["resource_explorer"] = json!(index);
    if inv
        .footprint
        .regions
        .get(region)
        .is_some_and(|r| r.from_index)
    {
        evidence["from_index"] = json!(RegionFootprint::INDEXED);
    }
}

fn add(in_use: &mut InUse, region: &str, kind: &str, id: &str) {
    in_use
        .entry(region.to_string())
        .or_default()
        .entry(kind.to_string())
        .or_default()
        .insert(id.to_string());
}

/// The region and resource type of an ARN: `arn:aws:ec2:eu-west-1:1:volume/vol-1` ->
/// (`eu-west-1`, `ec2:volume`); a resource without a type part (`arn:aws:sqs:r:1:q`) is
/// its service's (`sqs`).
fn kind_of(arn: &str) -> Option<(&str, String)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, _, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let kind = match resource.find(['/', ':']) {
        Some(i) => format!("{service}:{}", &resource[..i]),
        None => service.to_string(),
    };
    Some((region, kind))
}

#[cfg(test)]
mod tests {
    use super::kind_of;

    #[test]
    fn kinds_come_from_the_arn() {
        let k = |a| kind_of(a).map(|(r, k)| (r.to_string(), k));
        assert_eq!(
            k("arn:aws:ec2:eu-west-1:1:volume/vol-1"),
            Some(("eu-west-1".into(), "ec2:volume".into()))
        );
        assert_eq!(
            k("arn:aws:rds:eu-west-1:1:cluster-snapshot:rds:x-2026"),
            Some(("eu-west-1".into(), "rds:cluster-snapshot".into()))
        );
        assert_eq!(
            k("arn:aws:sqs:us-east-1:1:orders"),
            Some(("us-east-1".into(), "sqs".into()))
        );
        assert_eq!(k("arn:aws:s3:::bucket"), Some(("".into(), "s3".into())));
        assert_eq!(k("not-an-arn"), None);
    }
}
