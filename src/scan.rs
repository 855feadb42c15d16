//! Orchestration: who and which regions, then collect -> evaluate -> assemble, one
//! account or many. The judging and the report are pure ([`crate::evaluate`],
//! [`crate::assemble`]); this is the part that waits on AWS.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::assemble::{AccountMeta, Assembly};
use crate::attest::Attestations;
use crate::aws::{Aws, AwsOptions};
use crate::check::Check;
use crate::collect::{self, Target};
use crate::config::Settings;
use crate::evaluate::{Rules, Selection, SelectionError};
use crate::framework::Framework;
use crate::inventory::{Inventory, Unavailable};
use crate::report::{Finding, Report, Stats};
use crate::shard::{Part, Shard};
use crate::waiver::Waivers;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(
        "cannot identify the account: {action} failed with {code}: {message}\n\
         Check the credentials (AWS_PROFILE / --profile, AWS_ACCESS_KEY_ID, `aws sso login`) and the endpoint."
    )]
    Identity {
        action: String,
        code: String,
        message: String,
    },
    #[error(
        "cannot list the enabled regions: {action} failed with {code}: {message}\nName the regions with --region."
    )]
    Regions {
        action: String,
        code: String,
        message: String,
    },
    #[error(
        "the account lists no enabled region (ec2:DescribeRegions answered an empty list): name the regions with --region"
    )]
    NoRegions,
    #[error(
        "{} {}: the account knows {} (ec2:DescribeRegions). Check the spelling in --region or tomscan.toml `regions`.",
        unknown.join(", "),
        if unknown.len() == 1 { "is not an AWS region" } else { "are not AWS regions" },
        known.join(", ")
    )]
    UnknownRegions {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error(
        "{region} is a region of the {of} partition, and these credentials are of {partition}: scan it with credentials of {of}"
    )]
    OtherPartition {
        region: String,
        of: &'static str,
        partition: String,
    },
    #[error(transparent)]
    Selection(#[from] SelectionError),
    #[error(
        "cannot list the organization's accounts: {action} failed with {code}: {message}\n\
         --org needs the management account or a delegated administrator; --accounts ID,... names accounts without Organizations."
    )]
    Organization {
        action: String,
        code: String,
        message: String,
    },
    #[error("{0:?} is not an AWS account id (12 digits)")]
    BadAccountId(String),
    #[error(
        "no account left to scan (the organization or --accounts lists none, or --exclude-accounts removed them all)"
    )]
    NoAccounts,
    #[error("cannot write the inventory {path}: {source}")]
    SaveInventory {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ScanError {
    fn identity(u: Unavailable) -> Self {
        ScanError::Identity {
            action: u.action,
            code: u.code,
            message: u.message,
        }
    }

    fn organization(u: Unavailable) -> Self {
        ScanError::Organization {
            action: u.action,
            code: u.code,
            message: u.message,
        }
    }

    fn regions(u: Unavailable) -> Self {
        ScanError::Regions {
            action: u.action,
            code: u.code,
            message: u.message,
        }
    }
}

pub struct ScanOptions {
    pub aws: AwsOptions,
    /// Regions to scan; empty: every region the account has enabled.
    pub regions: Vec<String>,
    pub framework: Framework,
    pub selection: Selection,
    pub settings: Settings,
    pub attestations: Attestations,
    pub waivers: Waivers,
    /// The whole scan's bound (`--timeout`): what is unfinished then is `error`.
    pub timeout: Option<std::time::Duration>,
    /// `--shard K/N`: this run's part of the work (README "Shards").
    pub shard: Option<Shard>,
}

impl ScanOptions {
    /// What every account of this scan is judged by.
    pub fn rules(&self) -> Rules<'_> {
        Rules {
            framework: &self.framework,
            selection: &self.selection,
            settings: &self.settings,
            attestations: &self.attestations,
        }
    }
}

pub struct ScanOutput {
    pub inventory: Inventory,
    pub report: Report,
    /// Who the credentials belong to (for the evidence bundle; never the credentials).
    pub caller: collect::Identity,
    /// The checks judged (a shard's part; all selected ones otherwise) and whether the
    /// organisational measures were, for the evidence bundle.
    pub judged_checks: Vec<&'static str>,
    pub organisational: bool,
}

/// The report of a multi-account scan, and who scanned.
pub struct AccountsOutput {
    pub report: Report,
    pub caller: collect::Identity,
    /// A shard of one account's regions (not of whole accounts): each account judged
    /// in part.
    pub split_regions: bool,
}

/// Scans the account behind the credentials: the whole flow.
pub async fn scan(opts: &ScanOptions) -> Result<ScanOutput, ScanError> {
    let started = Instant::now();
    let deadline = opts.timeout.map(crate::deadline::Deadline::after);
    let checks = opts.selection.checks(&opts.framework)?;
    let aws = Aws::load(&opts.aws).await.with_deadline(deadline);
    let who = until(deadline, "sts:GetCallerIdentity", collect::identity(&aws))
        .await
        .map_err(ScanError::identity)?;
    tracing::info!(account = %who.account_id, principal = %who.arn, "scanning");
    named_regions_exist(&aws, &who.partition, deadline, &opts.regions).await?;
    let regions = if opts.regions.is_empty() {
        until(
            deadline,
            "ec2:DescribeRegions",
            collect::enabled_regions(&aws, &who.partition),
        )
        .await
        .map_err(ScanError::regions)?
    } else {
        opts.regions.clone()
    };
    if regions.is_empty() {
        return Err(ScanError::NoRegions);
    }
    let (inventory, part) = collect_part(
        &aws,
        &who.account_id,
        &who.partition,
        &regions,
        &checks,
        opts.shard,
    )
    .await;
    let now = Utc::now();
    let findings = opts
        .rules()
        .judge(&inventory, &part.checks, part.organisational, now);
    let mut assembly = Assembly::new(&opts.framework, &checks);
    assembly.stats = stats_of(&aws, started);
    assembly.account(AccountMeta::of(&inventory), findings);
    let mut report = assembly.waive(&opts.waivers, now).report(now);
    report.shard = opts.shard;
    Ok(ScanOutput {
        inventory,
        report,
        caller: who,
        judged_checks: part.checks.iter().map(|c| c.id).collect(),
        organisational: part.organisational,
    })
}

/// Regions named by the user (`--region`, tomscan.toml) must be regions AWS has: a typo
/// would otherwise be scanned as a region with nothing in it (an emulator answers for any
/// name) or fail call by call, and measure 3 would judge residency over the wrong list.
/// A region the account has not opted into is a region still: its calls say so. When
/// the list cannot be read, the names are taken as given, with a warning.
async fn named_regions_exist(
    aws: &Aws,
    partition: &str,
    deadline: Option<crate::deadline::Deadline>,
    regions: &[String],
) -> Result<(), ScanError> {
    if regions.is_empty() {
        return Ok(());
    }
    // Named apart from a typo: no region list of this partition would show it.
    if let Some(region) = regions
        .iter()
        .find(|r| crate::inventory::partition_of_region(r) != partition)
    {
        return Err(ScanError::OtherPartition {
            region: region.clone(),
            of: crate::inventory::partition_of_region(region),
            partition: partition.to_string(),
        });
    }
    let ask = |region| {
        until(
            deadline,
            "ec2:DescribeRegions",
            collect::known_regions(aws, region, partition),
        )
    };
    let mut answer = ask(aws.home_region()).await;
    // The home region is the first one named: when that is the typo, ask the partition's
    // first region instead.
    if answer.is_err() && regions.iter().any(|r| r == aws.home_region()) {
        let first = match partition {
            "aws-cn" => "cn-north-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        };
        answer = ask(first).await;
    }
    match answer {
        Ok(known) => {
            let unknown: Vec<String> = regions
                .iter()
                .filter(|r| !known.contains(r))
                .cloned()
                .collect();
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(ScanError::UnknownRegions { unknown, known })
            }
        }
        Err(u) => {
            tracing::warn!(action = %u.action, code = %u.code, "cannot list AWS's regions to check the names given; scanning them as given");
            Ok(())
        }
    }
}

/// Which accounts to scan besides (or instead of) the one behind the credentials.
#[derive(Debug, Clone)]
pub struct AccountScope {
    /// List the organization's ACTIVE accounts (management account or delegated admin).
    pub org: bool,
    /// With `org`: only these OUs and the OUs below them.
    pub ous: Vec<String>,
    /// Accounts named directly, without Organizations.
    pub accounts: Vec<String>,
    pub exclude: Vec<String>,
    /// The role assumed in every account but the calling one.
    pub role_name: String,
    pub external_id: Option<String>,
    pub session_name: String,
    /// Accounts collected at once: peak memory grows with this, not with the accounts.
    pub concurrency: usize,
}

impl Default for AccountScope {
    fn default() -> Self {
        AccountScope {
            org: false,
            ous: Vec::new(),
            accounts: Vec::new(),
            exclude: Vec::new(),
            role_name: "OrganizationAccountAccessRole".into(),
            external_id: None,
            session_name: "tomscan".into(),
            concurrency: 4,
        }
    }
}

impl AccountScope {
    /// Whether this is a scan of several accounts (by assumed role) rather than of the
    /// account behind the credentials alone.
    pub fn is_multi(&self) -> bool {
        self.org || !self.accounts.is_empty()
    }

    fn role_arn(&self, partition: &str, account: &str) -> String {
        format!("arn:{partition}:iam::{account}:role/{}", self.role_name)
    }
}

/// An account to scan.
#[derive(Debug, Clone)]
struct Member {
    id: String,
    name: Option<String>,
}

/// One account, judged: all that is kept of it once its inventory is dropped.
struct AccountOutcome {
    meta: AccountMeta,
    findings: Vec<Finding>,
}

/// The file `--save-inventory DIR` writes for one account of a multi-account scan.
pub fn inventory_file(dir: &Path, account: &str) -> PathBuf {
    dir.join(format!("inventory-{account}.json"))
}

/// Scans several accounts: the organization's (`--org`) or those named (`--accounts`),
/// each through `role_name` except the calling account, which is read with its own
/// credentials. At most `concurrency` accounts are in flight; each is collected,
/// judged, optionally saved to `inventory_dir` and reduced to its findings before the
/// next starts. An account that cannot be read is reported (every selected check
/// `error`, with the reason), never skipped.
pub async fn scan_accounts(
    opts: &ScanOptions,
    scope: &AccountScope,
    inventory_dir: Option<&Path>,
) -> Result<AccountsOutput, ScanError> {
    let started = Instant::now();
    let checks = opts.selection.checks(&opts.framework)?;
    for id in scope.accounts.iter().chain(&scope.exclude) {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScanError::BadAccountId(id.clone()));
        }
    }
    let deadline = opts.timeout.map(crate::deadline::Deadline::after);
    let base = Aws::load(&opts.aws).await.with_deadline(deadline);
    let caller = until(deadline, "sts:GetCallerIdentity", collect::identity(&base))
        .await
        .map_err(ScanError::identity)?;
    named_regions_exist(&base, &caller.partition, deadline, &opts.regions).await?;
    let mut members: Vec<Member> = if scope.org {
        until(
            deadline,
            "organizations:ListAccounts",
            collect::organizations::active_accounts(&base, &scope.ous),
        )
        .await
        .map_err(ScanError::organization)?
        .into_iter()
        .map(|a| Member {
            id: a.id,
            name: a.name,
        })
        .collect()
    } else {
        scope
            .accounts
            .iter()
            .map(|id| Member {
                id: id.clone(),
                name: None,
            })
            .collect()
    };
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members.dedup_by(|a, b| a.id == b.id);
    // The whole organization as listed (before exclusions and shards), so a share with a
    // sister account is not external in any member's report, however the scan is split.
    let organization: Vec<String> = if scope.org {
        members.iter().map(|m| m.id.clone()).collect()
    } else {
        Vec::new()
    };
    members.retain(|m| !scope.exclude.contains(&m.id));
    if members.is_empty() {
        return Err(ScanError::NoAccounts);
    }
    // Several accounts are dealt out whole; one account is split inside (its regions),
    // so a shard may be left with no account at all: an empty report, still merged.
    let split_regions = match opts.shard {
        Some(shard) if members.len() > 1 => {
            members.retain(|m| shard.owns_account(&m.id));
            None
        }
        other => other,
    };
    tracing::info!(accounts = members.len(), caller = %caller.account_id, "scanning accounts");
    let now = Utc::now();
    let ctx = MemberScan {
        opts,
        scope,
        checks: &checks,
        caller: &caller,
        base: &base,
        inventory_dir,
        now,
        shard: split_regions,
        organization: &organization,
    };
    let progress = crate::progress::counters();
    progress.accounts_planned(members.len());
    let mut outcomes = futures_util::stream::iter(members)
        .map(|m| async {
            let outcome = ctx.scan(m).await;
            progress.account_done();
            outcome
        })
        .buffer_unordered(scope.concurrency.max(1));
    // Each account is filed as it finishes, so what is held is the accounts in flight
    // and the assembly's bounded share of the findings, not every account's.
    let mut assembly = Assembly::new(&opts.framework, &checks);
    while let Some(outcome) = outcomes.next().await {
        let outcome = outcome?;
        assembly.stats.add(&outcome.meta.stats);
        assembly.account(outcome.meta, outcome.findings);
    }
    drop(outcomes);
    hand_back_freed_memory();
    let mut stats = stats_of(&base, started);
    stats.add(&assembly.stats);
    assembly.stats = stats;
    let mut report = assembly.waive(&opts.waivers, now).report(now);
    report.shard = opts.shard;
    Ok(AccountsOutput {
        report,
        caller,
        split_regions: split_regions.is_some(),
    })
}

/// Hands what the collection freed back to the system before the report is made. glibc
/// keeps the memory each worker thread freed in that thread's arena, while the report is
/// made on the thread that drives the scan, whose arena grows anew: at 1,000 accounts
/// the making of the report was the run's peak, 14 MiB over the collection's (README "A
/// thousand accounts").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn hand_back_freed_memory() {
    // SAFETY: malloc_trim returns the free pages of glibc's own heaps to the system; it
    // takes each arena's lock, touches no memory a live allocation holds, and may be
    // called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators give memory back on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn hand_back_freed_memory() {}

/// What every account of a multi-account scan shares.
struct MemberScan<'a> {
    opts: &'a ScanOptions,
    scope: &'a AccountScope,
    checks: &'a [&'static Check],
    caller: &'a collect::Identity,
    base: &'a Aws,
    inventory_dir: Option<&'a Path>,
    now: DateTime<Utc>,
    /// Set when the scan has one account: the shard splits its regions.
    shard: Option<Shard>,
    /// The organization's accounts when `--org` listed them, filed in every inventory.
    organization: &'a [String],
}

impl MemberScan<'_> {
    async fn scan(&self, m: Member) -> Result<AccountOutcome, ScanError> {
        let started = Instant::now();
        let own = self.base.with_own_metrics();
        let aws = if m.id == self.caller.account_id {
            own
        } else {
            let role = self.scope.role_arn(&self.caller.partition, &m.id);
            let assumed = own.assume_role(
                &role,
                self.scope.external_id.as_deref(),
                &self.scope.session_name,
            );
            match until(own.deadline(), "sts:AssumeRole", assumed).await {
                Ok(aws) => aws,
                Err(u) => return Ok(self.unreadable(m, u, &own, started)),
            }
        };
        let deadline = aws.deadline();
        let who = match until(deadline, "sts:GetCallerIdentity", collect::identity(&aws)).await {
            Ok(who) => who,
            Err(u) => return Ok(self.unreadable(m, u, &aws, started)),
        };
        let regions = if self.opts.regions.is_empty() {
            match until(
                deadline,
                "ec2:DescribeRegions",
                collect::enabled_regions(&aws, &who.partition),
            )
            .await
            {
                Ok(r) if r.is_empty() => {
                    return Ok(self.unreadable(
                        m,
                        Unavailable {
                            action: "ec2:DescribeRegions".into(),
                            code: "NoRegions".into(),
                            message: "the account lists no enabled region".into(),
                        },
                        &aws,
                        started,
                    ));
                }
                Ok(r) => r,
                Err(u) => return Ok(self.unreadable(m, u, &aws, started)),
            }
        } else {
            self.opts.regions.clone()
        };
        tracing::info!(account = %m.id, principal = %who.arn, "scanning");
        // The account asked for, not the one the credentials say: a role that landed
        // elsewhere would otherwise file findings under the wrong account.
        let (mut inventory, part) = collect_part(
            &aws,
            &m.id,
            &who.partition,
            &regions,
            self.checks,
            self.shard,
        )
        .await;
        inventory.organization_accounts = self.organization.to_vec();
        let findings =
            self.opts
                .rules()
                .judge(&inventory, &part.checks, part.organisational, self.now);
        if let Some(dir) = self.inventory_dir {
            let path = inventory_file(dir, &m.id);
            let json = serde_json::to_vec_pretty(&inventory).expect("plain data");
            crate::render::write_atomic(&path, &json)
                .map_err(|source| ScanError::SaveInventory { path, source })?;
        }
        // The inventory goes here; only the findings and figures stay.
        drop(inventory);
        Ok(AccountOutcome {
            meta: AccountMeta {
                id: m.id,
                name: m.name,
                error: None,
                regions: part.regions,
                stats: stats_of(&aws, started),
            },
            findings,
        })
    }

    /// An account that could not be read: every selected check `error`, naming the
    /// action that failed, so the report cannot pass what nobody read.
    fn unreadable(&self, m: Member, u: Unavailable, aws: &Aws, started: Instant) -> AccountOutcome {
        tracing::warn!(account = %m.id, action = %u.action, code = %u.code, "account not read");
        let reason = format!("{} failed with {}: {}", u.action, u.code, u.message);
        // Split by region, the account's errors are reported by shard 1 alone, as its
        // checks would have been: once, however many shards could not enter it.
        let reports_errors = self.shard.is_none_or(|s| s.count == 1 || s.index == 1);
        let findings = if !reports_errors {
            Vec::new()
        } else {
            self.opts
                .rules()
                .unreadable(&m.id, &u, self.checks, self.now)
        };
        AccountOutcome {
            meta: AccountMeta {
                id: m.id,
                name: m.name,
                error: Some(reason),
                regions: Vec::new(),
                stats: stats_of(aws, started),
            },
            findings,
        }
    }
}

fn stats_of(aws: &Aws, started: Instant) -> Stats {
    let m = aws.metrics();
    Stats {
        duration_ms: started.elapsed().as_millis() as u64,
        requests: m.requests(),
        retries: m.retries(),
        throttled: m.throttled_total(),
        operations: m.per_operation(),
    }
}

/// One account's part of the work (all of it without a shard), collected from the
/// sources its checks read.
async fn collect_part<'c>(
    aws: &Aws,
    account_id: &str,
    partition: &str,
    regions: &[String],
    checks: &[&'c Check],
    shard: Option<Shard>,
) -> (Inventory, Part<'c>) {
    let part = match shard {
        Some(shard) => shard.split(checks, regions),
        None => Part::whole(checks, regions),
    };
    let sources = collect::expand(part.checks.iter().flat_map(|c| c.sources.iter().copied()));
    let (aws, account_id, partition, regions) = (
        aws.clone(),
        account_id.to_string(),
        partition.to_string(),
        part.regions.clone(),
    );
    let collection = async move {
        let target = Target {
            account_id: &account_id,
            partition: &partition,
            regions: &regions,
        };
        collect::collect(&aws, &target, &sources).await
    };
    (on_workers(collection).await, part)
}

/// The runtime a scan runs in. An account's collection runs on a worker
/// ([`on_workers`]), and its futures nest deep: the workers get the main thread's stack
/// (a debug build overflows tokio's 2 MiB).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()
}

/// Runs `work` as a task of its own. Polled inline, every account in flight would share
/// the one thread that drives the scan, and the SDK's (de)serialisers, most of a scan's
/// CPU, would keep one core busy however many the machine has (`bench/org.sh`: 1.2 of 2).
/// Dropped (a stopped run), the task is aborted with it; a panic in it goes on here.
async fn on_workers<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> T {
    struct AbortOnDrop(tokio::task::AbortHandle);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let task = tokio::spawn(work);
    let _abort = AbortOnDrop(task.abort_handle());
    match task.await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only the guard above aborts the task, and it outlives this wait.
        Err(e) => unreachable!("the collection was cancelled while awaited: {e}"),
    }
}

/// A call the scan cannot go on without, bounded by the scan deadline.
async fn until<T>(
    deadline: Option<crate::deadline::Deadline>,
    action: &str,
    call: impl Future<Output = Result<T, Unavailable>>,
) -> Result<T, Unavailable> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d.at, call)
            .await
            .unwrap_or_else(|_| Err(d.reached(action, action))),
        None => call.await,
    }
}
