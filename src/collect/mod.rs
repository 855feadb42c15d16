//! Collectors: the only code that talks to AWS. Read-only calls, one file per service.
//!
//! Every source is collected at most once per scan, concurrently: global sources beside
//! the regions, regions several at a time, buckets several at a time. A failed call
//! becomes [`Collected::Unavailable`] for that source alone; the scan goes on.

pub mod account;
pub mod cloudtrail;
pub mod ds;
pub mod ec2;
pub mod elb;
pub mod iam;
pub mod organizations;
pub mod residency;
pub mod s3;
pub mod services;

use std::collections::BTreeSet;

use futures_util::{StreamExt, stream};

use crate::aws::Aws;
use crate::inventory::{
    self, Collected, INVENTORY_FORMAT_VERSION, Inventory, Regional, Source, Unavailable,
};

/// How many regions are collected at once. EC2 throttles per region, so parallel
/// regions cost no throttling headroom; the bound keeps sockets and memory small.
const REGION_CONCURRENCY: usize = 8;
/// How many buckets' settings are read at once.
const BUCKET_CONCURRENCY: usize = 16;

/// The sources asked for, with the sources they need first.
pub fn expand(sources: impl IntoIterator<Item = Source>) -> BTreeSet<Source> {
    let mut set = BTreeSet::new();
    for s in sources {
        set.extend(s.requires().iter().copied());
        set.insert(s);
    }
    set
}

pub struct Target<'a> {
    pub account_id: &'a str,
    pub partition: &'a str,
    pub regions: &'a [String],
}

pub async fn collect(aws: &Aws, target: &Target<'_>, sources: &BTreeSet<Source>) -> Inventory {
    // Every source below is cut off at the scan deadline, if there is one.
    crate::deadline::scoped(
        aws.deadline(),
        aws.metrics_handle(),
        collect_all(aws, target, sources),
    )
    .await
}

async fn collect_all(aws: &Aws, target: &Target<'_>, sources: &BTreeSet<Source>) -> Inventory {
    let progress = crate::progress::counters();
    progress.regions_planned(target.regions.len());
    progress.globals_planned(5);
    let regional = stream::iter(target.regions.iter().cloned())
        .map(|region| async move {
            let facts = crate::deadline::in_region(&region, regional(aws, &region, sources)).await;
            progress.region_done();
            (region, facts)
        })
        .buffer_unordered(REGION_CONCURRENCY)
        .collect::<Vec<_>>();
    let iam_client = aws.iam();
    let (iam, s3, cloudtrail, account, regional, footprint) = tokio::join!(
        counted(iam::collect(&iam_client, sources)),
        counted(s3::collect(aws, target.account_id, sources)),
        counted(crate::deadline::bounded_or(
            "cloudtrail:DescribeTrails",
            "the trails (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors)",
            cloudtrail::collect(aws, target.regions, sources),
            |u| inventory::CloudTrail {
                trails: Collected::Unavailable(u),
                ..Default::default()
            },
        )),
        counted(account::collect(aws, sources)),
        regional,
        counted(crate::deadline::bounded_or(
            "ec2:DescribeRegions",
            "the region footprint (ec2:DescribeRegions and every region's listings)",
            residency::collect(aws, target, sources),
            |u| inventory::Footprint {
                enabled_regions: Collected::Unavailable(u),
                ..Default::default()
            },
        )),
    );
    Inventory {
        format_version: INVENTORY_FORMAT_VERSION,
        account_id: target.account_id.to_string(),
        partition: target.partition.to_string(),
        regions: target.regions.to_vec(),
        collected_at: Some(chrono::Utc::now()),
        iam,
        s3,
        cloudtrail,
        account,
        regional: regional.into_iter().collect(),
        footprint,
    }
}

/// An account-wide collection, counted done for the progress line.
async fn counted<T>(collection: impl std::future::Future<Output = T>) -> T {
    let facts = collection.await;
    crate::progress::counters().global_done();
    facts
}

/// Every regional source of one region, concurrently.
async fn regional(aws: &Aws, region: &str, sources: &BTreeSet<Source>) -> Regional {
    use services::*;
    let ec2 = aws.ec2(region);
    let (elbv2, asg, rds, kms, backup) = (
        aws.elbv2(region),
        aws.autoscaling(region),
        aws.rds(region),
        aws.kms(region),
        aws.backup(region),
    );
    let (gd, sh, cfg, aa, logs, cw) = (
        aws.guardduty(region),
        aws.securityhub(region),
        aws.config(region),
        aws.accessanalyzer(region),
        aws.logs(region),
        aws.cloudwatch(region),
    );
    let (elb_client, ds_client) = (aws.elb(region), aws.ds(region));
    // The groups run side by side, not one after another: a call that hangs or is
    // throttled in one group must not keep the others from being read.
    let (
        (mut facts, lb, groups, dbs, keys, plans),
        (detectors, hub, recorders, analyzers, filters, alarm_list),
        (classic, directories),
        (clusters, opt_in),
    ) = tokio::join!(
        async {
            tokio::join!(
                ec2::collect(&ec2, sources),
                when(sources, Source::LoadBalancers, load_balancers(&elbv2)),
                when(
                    sources,
                    Source::AutoScalingGroups,
                    auto_scaling_groups(&asg)
                ),
                when(sources, Source::RdsInstances, db_instances(&rds)),
                when(sources, Source::KmsKeys, kms_keys(&kms)),
                when(sources, Source::BackupPlans, backup_plans(&backup)),
            )
        },
        async {
            tokio::join!(
                when(
                    sources,
                    Source::GuardDutyDetectors,
                    guardduty_detectors(&gd)
                ),
                when(sources, Source::SecurityHub, security_hub(&sh)),
                when(sources, Source::ConfigRecorders, config_recorders(&cfg)),
                when(sources, Source::AccessAnalyzers, access_analyzers(&aa)),
                when(sources, Source::LogMetricFilters, metric_filters(&logs)),
                when(sources, Source::CloudWatchAlarms, alarms(&cw)),
            )
        },
        async {
            tokio::join!(
                when(
                    sources,
                    Source::ClassicLoadBalancers,
                    elb::classic_load_balancers(&elb_client)
                ),
                when(
                    sources,
                    Source::DirectoryServiceDirectories,
                    ds::directories(&ds_client)
                ),
            )
        },
        async {
            tokio::join!(
                when(sources, Source::RdsClusters, db_clusters(&rds)),
                when(sources, Source::BackupOptIn, backup_opt_in(&backup)),
            )
        },
    );
    facts.load_balancers = lb;
    facts.auto_scaling_groups = groups;
    facts.db_instances = dbs;
    facts.kms_keys = keys;
    facts.backup_plans = plans;
    facts.guardduty_detectors = detectors;
    facts.security_hub = hub;
    facts.config_recorders = recorders;
    facts.access_analyzers = analyzers;
    facts.metric_filters = filters;
    facts.alarms = alarm_list;
    facts.classic_load_balancers = classic;
    facts.directories = directories;
    facts.db_clusters = clusters;
    facts.backup_opt_in = opt_in;
    facts
}

/// Runs `fetch` only when `source` was asked for, and only until the scan deadline.
async fn when<T, F>(sources: &BTreeSet<Source>, source: Source, fetch: F) -> Collected<T>
where
    F: std::future::Future<Output = Result<T, Unavailable>>,
{
    if sources.contains(&source) {
        crate::deadline::within(source, fetch).await.into()
    } else {
        Collected::NotCollected
    }
}

/// Who is scanning, and which regions the account has enabled.
pub struct Identity {
    pub account_id: String,
    pub partition: String,
    pub arn: String,
}

pub async fn identity(aws: &Aws) -> Result<Identity, Unavailable> {
    let out = aws
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| crate::aws::unavailable("sts:GetCallerIdentity", e))?;
    let arn = out.arn().unwrap_or_default().to_string();
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    Ok(Identity {
        account_id: out.account().unwrap_or_default().to_string(),
        partition: partition.to_string(),
        arn,
    })
}

pub async fn enabled_regions(aws: &Aws) -> Result<Vec<String>, Unavailable> {
    let out = aws
        .ec2(aws.home_region())
        .describe_regions()
        .send()
        .await
        .map_err(|e| crate::aws::unavailable("ec2:DescribeRegions", e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    Ok(regions)
}

/// `2024-01-02T03:04:05Z`-style SDK timestamps to chrono.
fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}
