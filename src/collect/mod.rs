//! Collectors: the only code that talks to AWS. Read-only calls, one file per service.
//!
//! Every source is collected at most once per scan, concurrently: global sources beside
//! the regions, regions several at a time, buckets several at a time. A failed call
//! becomes [`Collected::Unavailable`] for that source alone; the scan goes on.

pub mod accessanalyzer;
pub mod account;
pub mod autoscaling;
pub mod backup;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod ds;
pub mod ec2;
pub mod elb;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod organizations;
pub mod rds;
pub mod residency;
pub mod resource_explorer;
pub mod s3;
pub mod securityhub;
pub mod sns;

use std::collections::{BTreeMap, BTreeSet};

use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures_util::future::BoxFuture;
use futures_util::{StreamExt, stream};

use crate::aws::{Aws, RegionClients};
use crate::inventory::{
    self, Collected, INVENTORY_FORMAT_VERSION, Inventory, Regional, Source, Unavailable,
};

/// How many regions are collected at once. EC2 throttles per region, so parallel
/// regions cost no throttling headroom; the bound keeps sockets and memory small.
const REGION_CONCURRENCY: usize = 8;
/// How many buckets' settings are read at once.
const BUCKET_CONCURRENCY: usize = 16;
/// How many per-resource attribute calls (a snapshot's or an image's sharing, a key's
/// policy) one region's collector makes at once.
const ATTRIBUTE_CONCURRENCY: usize = 16;

/// Reads what no listing says, one call (or a few) per listed resource: a bounded
/// number at once, the answers in the listing's order.
pub(crate) async fn per_resource<I, F, Fut>(items: I, read: F) -> Vec<Fut::Output>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: std::future::Future,
{
    stream::iter(items)
        .map(read)
        .buffered(ATTRIBUTE_CONCURRENCY)
        .collect()
        .await
}

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

pub fn collect<'a>(
    aws: &'a Aws,
    target: &'a Target<'_>,
    sources: &'a BTreeSet<Source>,
) -> impl Future<Output = Inventory> + 'a {
    // Every source below is cut off at the scan deadline, if there is one.
    crate::deadline::scoped(
        aws.deadline(),
        aws.metrics_handle(),
        collect_all(aws, target, sources),
    )
}

async fn collect_all(aws: &Aws, target: &Target<'_>, sources: &BTreeSet<Source>) -> Inventory {
    let progress = crate::progress::counters();
    progress.regions_planned(target.regions.len());
    progress.globals_planned(5);
    let regional = stream::iter(target.regions.iter().cloned())
        .map(|region| async move {
            let facts =
                crate::deadline::in_region(&region, collect_region(aws, &region, sources)).await;
            progress.region_done();
            (region, facts)
        })
        .buffer_unordered(REGION_CONCURRENCY)
        .collect::<Vec<_>>();
    let iam_client = aws.iam();
    let (iam, s3, cloudtrail, account, regional, footprint) = tokio::join!(
        counted(iam::collect(&iam_client, aws.turns(), sources)),
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
    let regional: BTreeMap<String, Regional> = regional.into_iter().collect();
    // Measure 3's footprint of each scanned region takes what the region's facts hold.
    let mut footprint = footprint;
    let filling = footprint
        .regions
        .iter_mut()
        .filter_map(|(region, listed)| Some((region, listed, regional.get(region)?)))
        .map(|(region, listed, facts)| async move {
            let fill = async {
                residency::fill_scanned(aws, target, region, &mut *listed, facts).await;
                None
            };
            let cut = crate::deadline::bounded_or(
                "tag:GetResources",
                "the region footprint (every region's listings)",
                fill,
                Some,
            )
            .await;
            // Never left "not collected": a listing nobody made is unknown, not empty.
            if let Some(why) = cut {
                for (_, slot) in listed.listings_mut() {
                    if matches!(slot, Collected::NotCollected) {
                        *slot = Collected::Unavailable(why.clone());
                    }
                }
            }
        });
    futures_util::future::join_all(filling).await;
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
        regional,
        footprint,
        organization_accounts: Vec::new(),
    }
}

/// An account-wide collection, counted done for the progress line.
async fn counted<T>(collection: impl std::future::Future<Output = T>) -> T {
    let facts = collection.await;
    crate::progress::counters().global_done();
    facts
}

/// Every regional collector, service by service. A new regional source is an entry in
/// its service's `regional!` block (and its spec); a new service, a line here.
const REGIONAL: &[&[Regionally]] = &[
    ec2::REGIONAL,
    elb::REGIONAL,
    autoscaling::REGIONAL,
    rds::REGIONAL,
    kms::REGIONAL,
    backup::REGIONAL,
    guardduty::REGIONAL,
    securityhub::REGIONAL,
    config::REGIONAL,
    accessanalyzer::REGIONAL,
    logs::REGIONAL,
    cloudwatch::REGIONAL,
    ds::REGIONAL,
    sns::REGIONAL,
];

/// Every regional collector, for the meta-test that each regional source has exactly
/// one and that it fills the field its spec names.
pub fn regional_collectors() -> impl Iterator<Item = &'static Regionally> {
    REGIONAL.iter().flat_map(|service| service.iter())
}

/// One regional source's collector: reads the source in one region, and files what it
/// read into the source's field of [`Regional`].
pub struct Regionally {
    pub source: Source,
    /// The field of [`Regional`] it fills: the one `Source::spec` names.
    pub field: &'static str,
    pub run: for<'a> fn(&'a RegionClients<'a>) -> BoxFuture<'a, Fill>,
}

/// What a regional collector read, ready to be filed into the region's facts.
pub type Fill = Box<dyn FnOnce(&mut Regional) + Send>;

/// Declares a service's regional collectors: `Source => field: client, fetch;` runs
/// `fetch(client)` with the region's client of that service until the scan deadline and files the result (facts or
/// why not) into `Regional::field`.
macro_rules! regional {
    ($($source:ident => $field:ident: $client:ident, $fetch:path;)*) => {
        /// This service's regional collectors.
        pub const REGIONAL: &[$crate::collect::Regionally] = &[$(
            $crate::collect::Regionally {
                source: $crate::inventory::Source::$source,
                field: stringify!($field),
                run: |clients| {
                    Box::pin(async move {
                        let facts = $crate::deadline::within(
                            $crate::inventory::Source::$source,
                            clients.in_turn(|| $fetch(clients.$client())),
                        )
                        .await;
                        Box::new(move |r: &mut $crate::inventory::Regional| {
                            r.$field = facts.into();
                        }) as $crate::collect::Fill
                    })
                },
            },
        )*];
    };
}
pub(crate) use regional;

/// The IAM action of `source` named `Name` (`action!(KmsKeys, DescribeKey)`:
/// `"kms:DescribeKey"`), as `Source::spec` declares it; one the spec does not declare
/// does not compile.
macro_rules! action {
    ($source:ident, $name:ident) => {
        const { $crate::inventory::Source::$source.action(stringify!($name)) }
    };
}
pub(crate) use action;

/// One of AWS's fixed words, typed (see [`crate::inventory::state`]); an answer that
/// leaves it out reads as the empty `Other`, never as a known word.
pub(crate) fn word<T: for<'a> From<&'a str>>(s: Option<&str>) -> T {
    T::from(s.unwrap_or_default())
}

/// Every item of a paginated listing, or the fact of why not, named by `action`.
pub(crate) async fn paged<T, E>(
    action: &'static str,
    items: PaginationStream<Result<T, SdkError<E, HttpResponse>>>,
) -> Result<Vec<T>, Unavailable>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    items
        .try_collect()
        .await
        .map_err(|e| crate::aws::unavailable(action, e))
}

/// Every regional source of one region that was asked for, concurrently: a call that
/// hangs or is throttled in one service does not keep the others from being read.
async fn collect_region(aws: &Aws, region: &str, sources: &BTreeSet<Source>) -> Regional {
    let clients = RegionClients::new(aws, region);
    let fills = futures_util::future::join_all(
        regional_collectors()
            .filter(|c| sources.contains(&c.source))
            .map(|c| (c.run)(&clients)),
    )
    .await;
    let mut facts = Regional::default();
    for fill in fills {
        fill(&mut facts);
    }
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
#[derive(Debug, Clone)]
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

/// The regions the account has enabled, in `partition` (the caller's).
pub async fn enabled_regions(aws: &Aws, partition: &str) -> Result<Vec<String>, Unavailable> {
    regions(aws, aws.home_region(), partition, false).await
}

/// Every region of `partition`, opted into or not (any region answers the same): what a
/// region name is checked against.
pub async fn known_regions(
    aws: &Aws,
    asking: &str,
    partition: &str,
) -> Result<Vec<String>, Unavailable> {
    regions(aws, asking, partition, true).await
}

async fn regions(
    aws: &Aws,
    asking: &str,
    partition: &str,
    all: bool,
) -> Result<Vec<String>, Unavailable> {
    let out = aws
        .ec2(asking)
        .describe_regions()
        .set_all_regions(all.then_some(true))
        .send()
        .await
        .map_err(|e| crate::aws::unavailable("ec2:DescribeRegions", e))?;
    let answered = out
        .regions()
        .iter()
        .filter_map(|r| Some((r.region_name()?, r.opt_in_status())));
    Ok(of_partition(answered, partition, all))
}

/// AWS answers DescribeRegions with its own partition's regions, and without
/// `AllRegions` only those the account has enabled. An emulator may answer every region
/// of every partition, opted into or not (moto does, 38 of them): read as the account's,
/// they would be swept for data residency (ten listings each) and accepted by `--region`.
/// A region not opted into hosts nothing that can be read, and another partition's
/// regions cannot be reached with this partition's credentials.
fn of_partition<'a>(
    answered: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    partition: &str,
    all: bool,
) -> Vec<String> {
    let mut regions: Vec<String> = answered
        .filter(|(name, _)| crate::inventory::partition_of_region(name) == partition)
        .filter(|(_, opt_in)| all || *opt_in != Some("not-opted-in"))
        .map(|(name, _)| name.to_string())
        .collect();
    regions.sort();
    regions
}

/// `2024-01-02T03:04:05Z`-style SDK timestamps to chrono.
fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::of_partition;

    const ANSWERED: [(&str, Option<&str>); 6] = [
        ("eu-west-1", Some("opt-in-not-required")),
        ("af-south-1", Some("opted-in")),
        ("me-south-1", Some("not-opted-in")),
        ("cn-north-1", Some("opt-in-not-required")),
        ("us-gov-west-1", Some("opt-in-not-required")),
        ("ap-east-2", None),
    ];

    #[test]
    fn the_enabled_regions_are_the_partitions_opted_into() {
        let enabled = of_partition(ANSWERED.into_iter(), "aws", false);
        assert_eq!(enabled, ["af-south-1", "ap-east-2", "eu-west-1"]);
        let known = of_partition(ANSWERED.into_iter(), "aws", true);
        assert_eq!(
            known,
            ["af-south-1", "ap-east-2", "eu-west-1", "me-south-1"]
        );
        let china = of_partition(ANSWERED.into_iter(), "aws-cn", false);
        assert_eq!(china, ["cn-north-1"]);
    }
}
