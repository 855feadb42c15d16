//! Measure 3's footprint: cheap listings in every enabled region, whatever regions the
//! scan was pointed at. A resource in a region nobody scanned is still hosted outside
//! the promised jurisdiction, so this source's scope is the account's enabled regions
//! (`ec2:DescribeRegions`), not `--region`.
//!
//! What is listed, and why:
//! - the Resource Groups Tagging API (`tag:GetResources`, one paginated call per region)
//!   names every resource of every service that carries or carried a tag: DynamoDB
//!   tables, Lambda functions, EFS, SQS, log groups, ... without an SDK per service;
//! - the data stores and their copies that commonly carry no tag, each one cheap paginated
//!   call: EC2 instances, EBS volumes, EBS snapshots and AMIs this account owns (a copy to
//!   another region is the classic residency leak), non-default VPCs, RDS instances and
//!   clusters and their snapshots.
//!
//! S3 buckets are listed once for the account with their location (`collect::s3`).
//! Untagged resources of other services (an untagged DynamoDB table, say) are not seen;
//! the check says so in its rationale.
//!
//! A region the scan reads anyway (`--region`, or every enabled region by default) is not
//! listed twice: seven of its ten listings are the regional collectors' own (instances,
//! volumes, non-default VPCs, RDS instances, clusters and both kinds of snapshot), taken
//! from its facts when those were read ([`fill_scanned`]). EBS snapshots and AMIs are
//! listed again, as the footprint keeps only those whose owner is this account (an
//! emulator that ignores `Owner=self` lists other owners' public ones too).
//!
//! A region the scan does not read, where the account's Resource Explorer aggregator
//! index holds nothing of EC2 but the default VPC's networking and nothing of RDS, gets
//! only `tagged` and `vpcs` listed: three requests instead of ten
//! ([`super::resource_explorer`]).

use std::collections::BTreeSet;
use std::future::Future;

use futures_util::{StreamExt, stream};

use super::resource_explorer::{self, Index};
use super::{REGION_CONCURRENCY, Target, action};
use crate::aws::{Aws, RegionClients, Turns, unavailable};
use crate::inventory::{
    Collected, Footprint, InstanceState, RdsSnapshotKind, RegionFootprint, Regional, ResourceIndex,
    Source, Unavailable,
};

/// The enabled regions and every region's footprint. In a region the scan reads, the
/// listings a selected regional source makes too are left for [`fill_scanned`], which
/// takes them from the region's facts once collected: waiting for them here would tie
/// the footprint to the region's slowest service.
pub async fn collect(aws: &Aws, target: &Target<'_>, sources: &BTreeSet<Source>) -> Footprint {
    collect_asking(aws, target, sources, &|region| {
        aws.resource_explorer(region)
    })
    .await
}

/// [`collect`], with Resource Explorer asked through `explorer`'s client for a region.
pub async fn collect_asking(
    aws: &Aws,
    target: &Target<'_>,
    sources: &BTreeSet<Source>,
    explorer: &(dyn Fn(&str) -> aws_sdk_resourceexplorer2::Client + Sync),
) -> Footprint {
    if !sources.contains(&Source::RegionFootprint) {
        return Footprint::default();
    }
    // Asked even when the scan was given its regions: those are not the account's.
    let enabled = aws
        .in_turn(|| super::enabled_regions(aws, target.partition))
        .await;
    let mut regions: BTreeSet<String> = target.regions.iter().cloned().collect();
    if let Ok(list) = &enabled {
        regions.extend(list.iter().cloned());
    }
    let unscanned = regions.iter().any(|r| !target.regions.contains(r));
    let index = if unscanned {
        aws.in_turn(|| resource_explorer::locate(aws.home_region(), explorer))
            .await
    } else {
        Err(ResourceIndex::NotAsked)
    };
    let listed = stream::iter(regions)
        .map(|region| {
            let index = index.as_ref().ok();
            async move {
                let arn = Arns {
                    partition: target.partition,
                    region: &region,
                    account: target.account_id,
                };
                let facts = if target.regions.contains(&region) {
                    region_footprint_of(aws, &arn, &Plan::scanned(sources)).await
                } else if let Some(index) = index.filter(|i| i.covers(&region)) {
                    indexed(aws, &arn, index).await
                } else {
                    region_footprint_of(aws, &arn, &Plan::default()).await
                };
                (region, facts)
            }
        })
        .buffer_unordered(REGION_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    Footprint {
        enabled_regions: enabled.into(),
        regions: listed.into_iter().collect(),
        index: index.map_or_else(|why| why, |i| i.fact()),
    }
}

/// A region the scan does not read, which `index` covers: `tagged` and `vpcs` are listed
/// while the index is asked; the other eight only when it holds something of theirs.
async fn indexed(aws: &Aws, arn: &Arns<'_>, index: &Index) -> RegionFootprint {
    let unindexed = Plan::by(|name| {
        if RegionFootprint::INDEXED.contains(&name) {
            Step::Skip
        } else {
            Step::List
        }
    });
    let (held, mut footprint) = tokio::join!(
        aws.in_turn(|| index.holds_data(arn.region, arn.account)),
        region_footprint_of(aws, arn, &unindexed),
    );
    match held {
        Ok(false) => {
            for (name, slot) in footprint.listings_mut() {
                if RegionFootprint::INDEXED.contains(&name) {
                    *slot = Collected::Ok(Vec::new());
                }
            }
            footprint.from_index = true;
            return footprint;
        }
        Ok(true) => {}
        Err(u) => {
            tracing::debug!(region = arn.region, action = %u.action, code = %u.code, "Resource Explorer did not answer for the region; listing it");
        }
    }
    fill(aws, arn, &mut footprint, Plan::missing).await;
    footprint
}

/// Makes the listings `plan` asks for `footprint` and files them into its slots that
/// are still `NotCollected`.
async fn fill(
    aws: &Aws,
    arn: &Arns<'_>,
    footprint: &mut RegionFootprint,
    plan: impl FnOnce(&RegionFootprint) -> Plan,
) {
    let filled = region_footprint_of(aws, arn, &plan(footprint)).await;
    for ((_, slot), (_, new)) in footprint
        .listings_mut()
        .into_iter()
        .zip(filled.listings_owned())
    {
        if matches!(slot, Collected::NotCollected) {
            *slot = new;
        }
    }
}

/// Fills the listings [`collect`] left to a scanned region's facts: taken from them when
/// they were read, listed now when not (the regional source failed on its own).
pub async fn fill_scanned(
    aws: &Aws,
    target: &Target<'_>,
    region: &str,
    footprint: &mut RegionFootprint,
    facts: &Regional,
) {
    let arn = Arns {
        partition: target.partition,
        region,
        account: target.account_id,
    };
    fill(aws, &arn, footprint, |footprint| {
        Plan::fill(footprint, facts, &arn)
    })
    .await;
}

/// What to do for one listing of one region.
#[derive(Default)]
enum Step {
    /// List it now.
    #[default]
    List,
    /// Not listed here: a regional source reads it ([`fill_scanned`] takes it from the
    /// facts), or it is already there.
    Skip,
    /// Already known, from the facts.
    Known(Vec<String>),
}

/// A step per listing.
#[derive(Default)]
struct Plan {
    tagged: Step,
    instances: Step,
    volumes: Step,
    snapshots: Step,
    images: Step,
    vpcs: Step,
    db_instances: Step,
    db_clusters: Step,
    db_snapshots: Step,
    db_cluster_snapshots: Step,
}

impl Plan {
    /// A step per listing, by the listing's name.
    fn by(mut step: impl FnMut(&'static str) -> Step) -> Plan {
        Plan {
            tagged: step("tagged"),
            instances: step("instances"),
            volumes: step("volumes"),
            snapshots: step("snapshots"),
            images: step("images"),
            vpcs: step("vpcs"),
            db_instances: step("db_instances"),
            db_clusters: step("db_clusters"),
            db_snapshots: step("db_snapshots"),
            db_cluster_snapshots: step("db_cluster_snapshots"),
        }
    }

    /// The listings `footprint` does not hold yet.
    fn missing(footprint: &RegionFootprint) -> Plan {
        let slots = footprint.listings();
        Plan::by(|name| match slots.iter().find(|(n, _)| *n == name) {
            Some((_, Collected::NotCollected)) => Step::List,
            _ => Step::Skip,
        })
    }

    /// A scanned region: what a selected regional source lists is left for later.
    fn scanned(sources: &BTreeSet<Source>) -> Plan {
        let later = |source| {
            if sources.contains(&source) {
                Step::Skip
            } else {
                Step::List
            }
        };
        Plan {
            instances: later(Source::Ec2Instances),
            volumes: later(Source::Ec2Volumes),
            snapshots: later(Source::Ec2Snapshots),
            images: later(Source::Ec2Images),
            vpcs: later(Source::Ec2Vpcs),
            db_instances: later(Source::RdsInstances),
            db_clusters: later(Source::RdsClusters),
            db_snapshots: later(Source::RdsSnapshots),
            db_cluster_snapshots: later(Source::RdsSnapshots),
            ..Plan::default()
        }
    }

    /// What is left of `footprint`, from `facts` where they were read, with the
    /// footprint's own filters; the rest is listed.
    fn fill(footprint: &RegionFootprint, facts: &Regional, arn: &Arns<'_>) -> Plan {
        let left = |slot: &Collected<Vec<String>>, known: Option<Vec<String>>| match slot {
            Collected::NotCollected => known.map_or(Step::List, Step::Known),
            _ => Step::Skip,
        };
        let rds_snapshots = |kind: RdsSnapshotKind| {
            facts.rds_snapshots.ok().map(|list| {
                list.iter()
                    .filter(|s| s.kind == kind)
                    .map(|s| s.arn.clone())
                    .collect()
            })
        };
        // The account's own, as the footprint's listings keep them (an emulator may list
        // other owners' public snapshots and AMIs however it is asked).
        let own = |owner: &Option<String>| owner.as_ref().is_none_or(|o| o == arn.account);
        Plan {
            tagged: left(&footprint.tagged, None),
            snapshots: left(
                &footprint.snapshots,
                arn.ec2_of(
                    "snapshot",
                    facts.snapshots.ok(),
                    |s| own(&s.owner_id),
                    |s| &s.id,
                ),
            ),
            images: left(
                &footprint.images,
                arn.ec2_of("image", facts.images.ok(), |i| own(&i.owner_id), |i| &i.id),
            ),
            instances: left(
                &footprint.instances,
                arn.ec2_of(
                    "instance",
                    facts.instances.ok(),
                    |i| hosts_data(&i.state),
                    |i| &i.id,
                ),
            ),
            volumes: left(
                &footprint.volumes,
                arn.ec2_of("volume", facts.volumes.ok(), |_| true, |v| &v.id),
            ),
            vpcs: left(
                &footprint.vpcs,
                arn.ec2_of("vpc", facts.vpcs.ok(), |v| !v.is_default, |v| &v.id),
            ),
            db_instances: left(
                &footprint.db_instances,
                facts
                    .db_instances
                    .ok()
                    .map(|list| list.iter().map(|d| d.arn.clone()).collect()),
            ),
            db_clusters: left(
                &footprint.db_clusters,
                facts
                    .db_clusters
                    .ok()
                    .map(|list| list.iter().map(|c| c.arn.clone()).collect()),
            ),
            db_snapshots: left(&footprint.db_snapshots, rds_snapshots(RdsSnapshotKind::Db)),
            db_cluster_snapshots: left(
                &footprint.db_cluster_snapshots,
                rds_snapshots(RdsSnapshotKind::Cluster),
            ),
        }
    }
}

/// One listing by its step: listed, known, or skipped (`NotCollected`, never kept so).
async fn step(
    step: &Step,
    list: impl Future<Output = Result<Vec<String>, Unavailable>>,
) -> Collected<Vec<String>> {
    match step {
        Step::List => sorted(list.await),
        Step::Skip => Collected::NotCollected,
        Step::Known(known) => sorted(Ok(known.clone())),
    }
}

/// Builds the ARNs of one region's resources from their ids.
pub struct Arns<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
}

impl Arns<'_> {
    fn ec2(&self, resource: &str) -> String {
        format!(
            "arn:{}:ec2:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }

    /// The ARNs of the `kind` resources (`snapshot/ID`) of a regional source's listing
    /// that `keep` keeps; none when the source was not read.
    fn ec2_of<T>(
        &self,
        kind: &str,
        listed: Option<&Vec<T>>,
        keep: impl Fn(&T) -> bool,
        id: impl Fn(&T) -> &String,
    ) -> Option<Vec<String>> {
        listed.map(|list| {
            list.iter()
                .filter(|t| keep(t))
                .map(|t| self.ec2(&format!("{kind}/{}", id(t))))
                .collect()
        })
    }
}

/// Every listing of one region, concurrently; each fails on its own.
pub async fn region_footprint(
    tagging: &aws_sdk_resourcegroupstagging::Client,
    ec2: &aws_sdk_ec2::Client,
    rds: &aws_sdk_rds::Client,
    arn: &Arns<'_>,
) -> RegionFootprint {
    let clients = Clients {
        tagging: &|| tagging,
        ec2: &|| ec2,
        rds: &|| rds,
    };
    listed(&Turns::default(), &clients, arn, &Plan::default()).await
}

/// The listings of one region by `plan`, each a collection in a turn of its own
/// ([`Turns`]), with the region's clients made when a listing first needs them.
async fn region_footprint_of(aws: &Aws, arn: &Arns<'_>, plan: &Plan) -> RegionFootprint {
    let region = RegionClients::new(aws, arn.region);
    let clients = Clients {
        tagging: &|| region.tagging(),
        ec2: &|| region.ec2(),
        rds: &|| region.rds(),
    };
    listed(aws.turns(), &clients, arn, plan).await
}

/// How a region's listings reach their clients.
struct Clients<'c> {
    tagging: &'c (dyn Fn() -> &'c aws_sdk_resourcegroupstagging::Client + Sync),
    ec2: &'c (dyn Fn() -> &'c aws_sdk_ec2::Client + Sync),
    rds: &'c (dyn Fn() -> &'c aws_sdk_rds::Client + Sync),
}

/// The listings of one region by `plan`, concurrently; each fails on its own. Each takes
/// a turn: as one turn for the region, its ten listings held their requests built while
/// they waited for a connection, most of the heap of an organization scan without a
/// Resource Explorer index (README "A thousand accounts").
async fn listed(turns: &Turns, c: &Clients<'_>, arn: &Arns<'_>, plan: &Plan) -> RegionFootprint {
    let (
        tagged,
        instances,
        volumes,
        snapshots,
        images,
        vpcs,
        db_instances,
        db_clusters,
        db_snapshots,
        db_cluster_snapshots,
    ) = tokio::join!(
        step(&plan.tagged, turns.take(|| tagged((c.tagging)()))),
        step(&plan.instances, turns.take(|| instances((c.ec2)(), arn))),
        step(&plan.volumes, turns.take(|| volumes((c.ec2)(), arn))),
        step(&plan.snapshots, turns.take(|| snapshots((c.ec2)(), arn))),
        step(&plan.images, turns.take(|| images((c.ec2)(), arn))),
        step(&plan.vpcs, turns.take(|| vpcs((c.ec2)(), arn))),
        step(&plan.db_instances, turns.take(|| db_instances((c.rds)()))),
        step(&plan.db_clusters, turns.take(|| db_clusters((c.rds)()))),
        step(&plan.db_snapshots, turns.take(|| db_snapshots((c.rds)()))),
        step(
            &plan.db_cluster_snapshots,
            turns.take(|| db_cluster_snapshots((c.rds)()))
        ),
    );
    RegionFootprint {
        tagged,
        instances,
        volumes,
        snapshots,
        images,
        vpcs,
        db_instances,
        db_clusters,
        db_snapshots,
        db_cluster_snapshots,
        from_index: false,
    }
}

fn sorted(r: Result<Vec<String>, Unavailable>) -> Collected<Vec<String>> {
    r.map(|mut v| {
        v.sort();
        v.dedup();
        v
    })
    .into()
}

async fn tagged(
    client: &aws_sdk_resourcegroupstagging::Client,
) -> Result<Vec<String>, Unavailable> {
    let list = client
        .get_resources()
        .resources_per_page(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, GetResources), e))?;
    Ok(list
        .iter()
        .filter_map(|r| r.resource_arn().map(str::to_string))
        .collect())
}

/// Whether an instance in `state` is hosted in its region: terminated instances linger
/// in the listing for an hour and host nothing.
fn hosts_data(state: &InstanceState) -> bool {
    !matches!(
        state,
        InstanceState::Terminated | InstanceState::ShuttingDown
    )
}

async fn instances(ec2: &aws_sdk_ec2::Client, arn: &Arns<'_>) -> Result<Vec<String>, Unavailable> {
    let reservations = ec2
        .describe_instances()
        .max_results(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeInstances), e))?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .filter(|i| {
            hosts_data(&super::word(
                i.state().and_then(|s| s.name()).map(|n| n.as_str()),
            ))
        })
        .filter_map(|i| i.instance_id())
        .map(|id| arn.ec2(&format!("instance/{id}")))
        .collect())
}

async fn volumes(ec2: &aws_sdk_ec2::Client, arn: &Arns<'_>) -> Result<Vec<String>, Unavailable> {
    let list = ec2
        .describe_volumes()
        .max_results(500)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeVolumes), e))?;
    Ok(list
        .iter()
        .filter_map(|v| v.volume_id())
        .map(|id| arn.ec2(&format!("volume/{id}")))
        .collect())
}

async fn snapshots(ec2: &aws_sdk_ec2::Client, arn: &Arns<'_>) -> Result<Vec<String>, Unavailable> {
    let list = ec2
        .describe_snapshots()
        .owner_ids("self")
        .max_results(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeSnapshots), e))?;
    Ok(list
        .iter()
        // `self` already filters on AWS; emulators that ignore it list public snapshots
        // of other owners too, which this account does not host.
        .filter(|s| s.owner_id().is_none_or(|o| o == arn.account))
        .filter_map(|s| s.snapshot_id())
        .map(|id| arn.ec2(&format!("snapshot/{id}")))
        .collect())
}

async fn images(ec2: &aws_sdk_ec2::Client, arn: &Arns<'_>) -> Result<Vec<String>, Unavailable> {
    let list = ec2
        .describe_images()
        .owners("self")
        .max_results(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeImages), e))?;
    Ok(list
        .iter()
        .filter(|i| i.owner_id().is_none_or(|o| o == arn.account))
        .filter_map(|i| i.image_id())
        .map(|id| arn.ec2(&format!("image/{id}")))
        .collect())
}

async fn vpcs(ec2: &aws_sdk_ec2::Client, arn: &Arns<'_>) -> Result<Vec<String>, Unavailable> {
    let list = ec2
        .describe_vpcs()
        .max_results(1000)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeVpcs), e))?;
    Ok(list
        .iter()
        // AWS creates the default VPC in every region: it is not use of the region.
        .filter(|v| v.is_default() != Some(true))
        .filter_map(|v| v.vpc_id())
        .map(|id| arn.ec2(&format!("vpc/{id}")))
        .collect())
}

async fn db_instances(rds: &aws_sdk_rds::Client) -> Result<Vec<String>, Unavailable> {
    let list = rds
        .describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeDBInstances), e))?;
    Ok(list
        .iter()
        .filter_map(|d| d.db_instance_arn().map(str::to_string))
        .collect())
}

async fn db_clusters(rds: &aws_sdk_rds::Client) -> Result<Vec<String>, Unavailable> {
    let list = rds
        .describe_db_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeDBClusters), e))?;
    Ok(list
        .iter()
        .filter_map(|c| c.db_cluster_arn().map(str::to_string))
        .collect())
}

async fn db_snapshots(rds: &aws_sdk_rds::Client) -> Result<Vec<String>, Unavailable> {
    let list = rds
        .describe_db_snapshots()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeDBSnapshots), e))?;
    Ok(list
        .iter()
        .filter_map(|s| s.db_snapshot_arn().map(str::to_string))
        .collect())
}

async fn db_cluster_snapshots(rds: &aws_sdk_rds::Client) -> Result<Vec<String>, Unavailable> {
    let list = rds
        .describe_db_cluster_snapshots()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(RegionFootprint, DescribeDBClusterSnapshots), e))?;
    Ok(list
        .iter()
        .filter_map(|s| s.db_cluster_snapshot_arn().map(str::to_string))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Image, Snapshot};

    const ACCOUNT: &str = "111122223333";

    fn known(step: &Step) -> &[String] {
        match step {
            Step::Known(arns) => arns,
            Step::List => panic!("listed again, not taken from the regional facts"),
            Step::Skip => panic!("skipped"),
        }
    }

    /// A scanned region's snapshots and AMIs come from its regional facts, the account's
    /// own only, as the footprint's own listing keeps them (an emulator that ignores
    /// `self` lists other owners' public ones too); a source that was not read is listed.
    #[test]
    fn a_scanned_regions_snapshots_and_amis_are_the_accounts_own_from_its_facts() {
        let arn = Arns {
            partition: "aws",
            region: "eu-west-1",
            account: ACCOUNT,
        };
        let snapshot = |id: &str, owner: Option<&str>| Snapshot {
            id: id.into(),
            owner_id: owner.map(Into::into),
            ..Default::default()
        };
        let image = |id: &str, owner: Option<&str>| Image {
            id: id.into(),
            owner_id: owner.map(Into::into),
            ..Default::default()
        };
        let facts = Regional {
            snapshots: Collected::Ok(vec![
                snapshot("snap-own", Some(ACCOUNT)),
                snapshot("snap-public", Some("999988887777")),
                snapshot("snap-unsaid", None),
            ]),
            images: Collected::Ok(vec![
                image("ami-amazon", Some("137112412989")),
                image("ami-own", Some(ACCOUNT)),
            ]),
            ..Default::default()
        };
        let plan = Plan::fill(&RegionFootprint::default(), &facts, &arn);
        assert_eq!(
            known(&plan.snapshots),
            [
                "arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-own",
                "arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-unsaid",
            ]
        );
        assert_eq!(
            known(&plan.images),
            ["arn:aws:ec2:eu-west-1:111122223333:image/ami-own"]
        );
        assert!(
            matches!(plan.volumes, Step::List),
            "volumes nobody read are listed"
        );
    }
}
