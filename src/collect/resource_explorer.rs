//! Resource Explorer's aggregator index, as measure 3's sweep asks it: in a region the
//! scan does not read, one listing of the index tells whether the eight listings of data
//! stores (instances, volumes, snapshots, AMIs, RDS instances, clusters and both kinds of
//! snapshot) could find anything. Where it holds nothing of EC2 but the default VPC's
//! networking and nothing of RDS, they are known empty and not made; where it holds
//! more, or cannot say, they are made as without an index, so the verdict is the
//! sweep's either way.
//!
//! The index is used only when it can be read whole: an aggregator that is `ACTIVE`, and
//! its region's default view with no filter (a view that filters would hide resources
//! from the listing). A region whose local index does not replicate into the aggregator
//! is swept. Every call here failing (no permission, no index, an emulator without the
//! API) only means the sweep lists everything, and the inventory says why.
//!
//! What the index cannot stand in for: the default VPC (it cannot tell it from one of the
//! account's) and resources that carry a tag (the tagging API knows services the index
//! does not), so `vpcs` and `tagged` are always listed.

use std::collections::BTreeSet;

use aws_sdk_resourceexplorer2::types::{IndexState, IndexType, SearchFilter};

use super::action;
use crate::aws::unavailable;
use crate::inventory::{ResourceIndex, Unavailable};

/// ListResources answers at most this many resources and then no further page: a region
/// answered in full holds fewer (and a page with a token for more is not all of it).
const LISTING_CAP: i32 = 1000;

/// A usable aggregator index: where to ask, through which view, for which regions.
pub struct Index {
    client: aws_sdk_resourceexplorer2::Client,
    region: String,
    view_arn: String,
    covered: BTreeSet<String>,
}

impl Index {
    /// Whether the index holds `region`'s resources.
    pub fn covers(&self, region: &str) -> bool {
        self.covered.contains(region)
    }

    /// As the inventory records it.
    pub fn fact(&self) -> ResourceIndex {
        ResourceIndex::Used {
            region: self.region.clone(),
            view_arn: self.view_arn.clone(),
            covered_regions: self.covered.iter().cloned().collect(),
        }
    }

    /// Whether the index shows `account` holding, in `region`, a resource that may be
    /// one [`crate::inventory::RegionFootprint::INDEXED`]'s listings read ([`may_be_a_data_store`]).
    /// `Ok(false)` is the only answer that spares them: a full page (the listing may be
    /// cut) counts as holding one.
    pub async fn holds_data(&self, region: &str, account: &str) -> Result<bool, Unavailable> {
        let out = self
            .client
            .list_resources()
            .view_arn(&self.view_arn)
            .filters(
                SearchFilter::builder()
                    .filter_string(format!("region:{region}"))
                    .build()
                    .expect("the filter string is set"),
            )
            .max_results(LISTING_CAP)
            .send()
            .await
            .map_err(|e| unavailable(action!(RegionFootprint, Search), e))?;
        let resources = out.resources();
        if resources.len() >= LISTING_CAP as usize || out.next_token().is_some() {
            return Ok(true);
        }
        Ok(resources
            .iter()
            // A view over an organization lists other accounts' resources too.
            .filter(|r| r.owning_account_id().is_none_or(|owner| owner == account))
            // A view over several regions would not be filtered by an emulator.
            .filter(|r| r.region().is_none_or(|r| r == region))
            .any(|r| may_be_a_data_store(r.resource_type())))
    }
}

/// EC2's networking, which AWS makes in every region with the default VPC: none of it is
/// read by the eight listings the index stands in for.
const EC2_NETWORKING: &[&str] = &[
    "ec2:vpc",
    "ec2:subnet",
    "ec2:security-group",
    "ec2:security-group-rule",
    "ec2:network-acl",
    "ec2:route-table",
    "ec2:internet-gateway",
    "ec2:dhcp-options",
];

/// Whether a resource of `kind` may be one the eight listings ([`crate::inventory::RegionFootprint::INDEXED`])
/// read. Asked by service, not by the listings' own type names: every EC2 type but its
/// networking and every RDS type counts, and so does a resource without a type, so a
/// type the index names otherwise than expected costs the listings, never a verdict.
/// Other services' resources are for the tagging listing, which is always made.
fn may_be_a_data_store(kind: Option<&str>) -> bool {
    let Some(kind) = kind else {
        return true;
    };
    match kind.split_once(':').map_or(kind, |(service, _)| service) {
        "ec2" => !EC2_NETWORKING.contains(&kind),
        "rds" => true,
        _ => false,
    }
}

/// The account's aggregator index and its default view, if both can be used; else why
/// not, as the inventory records it.
pub async fn locate(
    home_region: &str,
    explorer: &(dyn Fn(&str) -> aws_sdk_resourceexplorer2::Client + Sync),
) -> Result<Index, ResourceIndex> {
    let not_used = |reason: String| ResourceIndex::NotUsed { reason };
    let failed =
        |u: Unavailable| not_used(format!("{} failed: {}: {}", u.action, u.code, u.message));
    let listed = explorer(home_region)
        .list_indexes()
        .r#type(IndexType::Aggregator)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| failed(unavailable(action!(RegionFootprint, ListIndexes), e)))?;
    let Some(region) = listed.iter().find_map(|i| i.region()) else {
        return Err(not_used("the account has no aggregator index".into()));
    };
    let client = explorer(region);
    let (index, view) = tokio::join!(client.get_index().send(), client.get_default_view().send());
    let index = index.map_err(|e| failed(unavailable(action!(RegionFootprint, GetIndex), e)))?;
    let view =
        view.map_err(|e| failed(unavailable(action!(RegionFootprint, GetDefaultView), e)))?;
    if index.r#type() != Some(&IndexType::Aggregator) || index.state() != Some(&IndexState::Active)
    {
        return Err(not_used(format!(
            "the aggregator index in {region} is not active (state {})",
            index.state().map_or("unknown", |s| s.as_str())
        )));
    }
    let Some(view_arn) = view.view_arn() else {
        return Err(not_used(format!(
            "the aggregator region {region} has no default view"
        )));
    };
    let view = client
        .get_view()
        .view_arn(view_arn)
        .send()
        .await
        .map_err(|e| failed(unavailable(action!(RegionFootprint, GetView), e)))?;
    let filter = view
        .view()
        .and_then(|v| v.filters())
        .map(SearchFilter::filter_string)
        .unwrap_or_default();
    if !filter.trim().is_empty() {
        return Err(not_used(format!(
            "the default view in {region} filters what it shows ({filter:?})"
        )));
    }
    let mut covered: BTreeSet<String> = index.replicating_from().iter().cloned().collect();
    covered.insert(region.to_string());
    Ok(Index {
        client,
        region: region.to_string(),
        view_arn: view_arn.to_string(),
        covered,
    })
}
