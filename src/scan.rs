//! Orchestration: scope -> collect -> evaluate -> score -> report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::attest::{Attestation, Attestations};
use crate::aws::{Aws, AwsOptions};
use crate::check::{Check, Cx, Outcome, Severity, Status};
use crate::collect::{self, Target};
use crate::config::Settings;
use crate::framework::Framework;
use crate::inventory::{Inventory, Unavailable};
use crate::report::{
    AccountSection, AccountSummary, CheckResult, Counts, Finding, FrameworkRef, Report,
    SCHEMA_VERSION, SectionResult, Stats, Tool,
};
use crate::score::{self, Tally};
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
    #[error("unknown check id {0:?}: `tomscan checks` lists the ids")]
    UnknownCheck(String),
    #[error("unknown section or measure id {0:?} in framework {1:?}")]
    UnknownSection(String, String),
    #[error("no check is selected: the framework maps no check to the selected sections")]
    NothingSelected,
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

/// Which part of the catalogue to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Check ids; empty: every check the framework maps.
    pub checks: Vec<String>,
    /// Section (`4`) or measure (`4.c`) ids; empty: all.
    pub sections: Vec<String>,
}

impl Selection {
    fn covers_control(&self, id: &str) -> bool {
        self.sections.is_empty()
            || self.sections.iter().any(|s| {
                s == id
                    || id
                        .strip_prefix(s.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// The checks to run, in catalogue order: mapped by the framework to a selected
    /// control and, when check ids are given, among them.
    pub fn checks(&self, framework: &Framework) -> Result<Vec<&'static Check>, ScanError> {
        for id in &self.checks {
            crate::checks::find(id).ok_or_else(|| ScanError::UnknownCheck(id.clone()))?;
        }
        for id in &self.sections {
            if framework.section_of(id).is_none() {
                return Err(ScanError::UnknownSection(id.clone(), framework.id.clone()));
            }
        }
        let mapped: BTreeSet<&str> = framework
            .controls()
            .filter(|(_, c)| self.covers_control(&c.id))
            .flat_map(|(_, c)| c.checks.iter().map(String::as_str))
            .collect();
        let selected: Vec<_> = crate::checks::ALL
            .iter()
            .copied()
            .filter(|c| mapped.contains(c.id))
            .filter(|c| {
                self.checks.is_empty() || self.checks.iter().any(|id| id.eq_ignore_ascii_case(c.id))
            })
            .collect();
        if selected.is_empty() && self.checks.is_empty() && !self.sections.is_empty() {
            // Only organisational measures selected: still a valid (manual) report.
            return Ok(selected);
        }
        if selected.is_empty() {
            return Err(ScanError::NothingSelected);
        }
        Ok(selected)
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
    let regions = if opts.regions.is_empty() {
        until(
            deadline,
            "ec2:DescribeRegions",
            collect::enabled_regions(&aws),
        )
        .await
        .map_err(ScanError::regions)?
    } else {
        opts.regions.clone()
    };
    if regions.is_empty() {
        return Err(ScanError::NoRegions);
    }
    let part = match opts.shard {
        Some(shard) => shard.split(&checks, &regions),
        None => Part::whole(&checks, &regions),
    };
    let sources = collect::expand(part.checks.iter().flat_map(|c| c.sources.iter().copied()));
    let target = Target {
        account_id: &who.account_id,
        partition: &who.partition,
        regions: &part.regions,
    };
    let inventory = collect::collect(&aws, &target, &sources).await;
    let now = Utc::now();
    let mut findings = evaluate_part(&inventory, &part, opts, now);
    opts.waivers.apply(&mut findings, now.date_naive()).warn();
    let stats = stats_of(&aws, started);
    let mut report = build_report(
        &[&inventory],
        &checks,
        &opts.framework,
        findings,
        now,
        stats,
    );
    report.shard = opts.shard;
    Ok(ScanOutput {
        inventory,
        report,
        caller: who,
        judged_checks: part.checks.iter().map(|c| c.id).collect(),
        organisational: part.organisational,
    })
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

/// What is known about an account besides its findings: the report's per-account
/// summary is this plus figures computed from the findings.
#[derive(Debug, Clone, Default)]
pub struct AccountMeta {
    pub id: String,
    pub name: Option<String>,
    /// Why the account could not be read.
    pub error: Option<String>,
    pub regions: Vec<String>,
    pub stats: Stats,
}

impl AccountMeta {
    pub fn of(inv: &Inventory) -> AccountMeta {
        AccountMeta {
            id: inv.account_id.clone(),
            regions: inv.regions.clone(),
            ..AccountMeta::default()
        }
    }
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
    let outcomes: Vec<Result<AccountOutcome, ScanError>> = futures_util::stream::iter(members)
        .map(|m| async {
            let outcome = ctx.scan(m).await;
            progress.account_done();
            outcome
        })
        .buffer_unordered(scope.concurrency.max(1))
        .collect()
        .await;
    let mut metas = Vec::new();
    let mut findings = Vec::new();
    let mut stats = stats_of(&base, started);
    for outcome in outcomes {
        let outcome = outcome?;
        stats.add(&outcome.meta.stats);
        metas.push(outcome.meta);
        findings.extend(outcome.findings);
    }
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    // Once over the whole organization, so a waiver that matches in no account warns
    // once, and one that matches in several is reported with all its matches.
    opts.waivers.apply(&mut findings, now.date_naive()).warn();
    let mut report = build_report_for(metas, &checks, &opts.framework, findings, now, stats);
    report.shard = opts.shard;
    Ok(AccountsOutput {
        report,
        caller,
        split_regions: split_regions.is_some(),
    })
}

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
                collect::enabled_regions(&aws),
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
        let part = match self.shard {
            Some(shard) => shard.split(self.checks, &regions),
            None => Part::whole(self.checks, &regions),
        };
        let regions = part.regions.clone();
        let sources = collect::expand(part.checks.iter().flat_map(|c| c.sources.iter().copied()));
        let target = Target {
            // The account asked for, not the one the credentials say: a role that
            // landed elsewhere would otherwise file findings under the wrong account.
            account_id: &m.id,
            partition: &who.partition,
            regions: &regions,
        };
        let mut inventory = collect::collect(&aws, &target, &sources).await;
        inventory.organization_accounts = self.organization.to_vec();
        let findings = evaluate_part(&inventory, &part, self.opts, self.now);
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
                regions,
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
            unreadable_findings(
                &m.id,
                &u,
                self.checks,
                &self.opts.framework,
                &self.opts.selection,
                &self.opts.attestations,
                self.now,
            )
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

/// The findings of an account that could not be read: one `error` per selected check,
/// and the organisational measures as for any other account (they rest on attestations,
/// not on the account).
pub fn unreadable_findings(
    account: &str,
    why: &Unavailable,
    checks: &[&Check],
    framework: &Framework,
    selection: &Selection,
    attestations: &Attestations,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let by_check = framework.controls_by_check();
    let mut findings: Vec<Finding> = checks
        .iter()
        .map(|check| Finding {
            check_id: check.id.to_string(),
            title: check.title.to_string(),
            sections: by_check
                .get(check.id)
                .map(|ids| ids.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            severity: check.severity,
            status: Status::Error,
            account: account.to_string(),
            region: crate::check::GLOBAL.to_string(),
            resource: String::new(),
            message: format!(
                "account {account} was not read: {} failed with {}: {}",
                why.action, why.code, why.message
            ),
            evidence: serde_json::json!({
                "action": why.action,
                "code": why.code,
                "message": why.message,
            }),
            remediation: check.remediation.to_string(),
        })
        .collect();
    findings.extend(organisational_findings(
        account,
        framework,
        selection,
        attestations,
        now,
    ));
    findings
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

/// The findings of one shard's part of an account: the organisational measures only
/// where the part holds them, so they are reported once per account.
fn evaluate_part(
    inv: &Inventory,
    part: &Part<'_>,
    opts: &ScanOptions,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    judge(
        inv,
        &part.checks,
        part.organisational,
        &opts.framework,
        &opts.selection,
        &opts.settings,
        &opts.attestations,
        now,
    )
}

/// Runs `checks` over an inventory and, with `organisational`, adds a finding for every
/// selected organisational measure: what a scan, a shard's part of one, `evaluate` and
/// `verify` all judge by. Pure.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    inv: &Inventory,
    checks: &[&Check],
    organisational: bool,
    framework: &Framework,
    selection: &Selection,
    settings: &Settings,
    attestations: &Attestations,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut findings = evaluate_checks(inv, checks, framework, settings, now);
    if organisational {
        findings.extend(organisational_findings(
            &inv.account_id,
            framework,
            selection,
            attestations,
            now,
        ));
    }
    findings
}

/// Runs the checks over an inventory, and adds a `manual` finding for every selected
/// organisational measure. Pure: the same inventory always gives the same findings.
pub fn evaluate(
    inv: &Inventory,
    checks: &[&Check],
    framework: &Framework,
    selection: &Selection,
    settings: &Settings,
    attestations: &Attestations,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    judge(
        inv,
        checks,
        true,
        framework,
        selection,
        settings,
        attestations,
        now,
    )
}

/// Runs the checks over an inventory. Pure.
fn evaluate_checks(
    inv: &Inventory,
    checks: &[&Check],
    framework: &Framework,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let by_check = framework.controls_by_check();
    let mut findings = Vec::new();
    for check in checks {
        let mut cx = Cx::new(inv, settings, now);
        (check.run)(&mut cx);
        let mut outcomes = cx.into_outcomes();
        if outcomes.is_empty() {
            // Every selected check appears in every report: silence would read as "nothing
            // wrong" in a report nobody can tell is incomplete.
            outcomes.push(Outcome {
                status: Status::Error,
                region: crate::check::GLOBAL.to_string(),
                resource: String::new(),
                message: "could not be evaluated: the check found nothing to judge, not even a region (the inventory covers no region?)".into(),
                evidence: serde_json::json!({ "regions": inv.regions }),
            });
        }
        let sections: Vec<String> = by_check
            .get(check.id)
            .map(|ids| ids.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default();
        findings.extend(outcomes.into_iter().map(|o| Finding {
            check_id: check.id.to_string(),
            title: check.title.to_string(),
            sections: sections.clone(),
            severity: check.severity,
            status: o.status,
            account: inv.account_id.clone(),
            region: o.region,
            resource: o.resource,
            message: o.message,
            evidence: o.evidence,
            remediation: check.remediation.to_string(),
        }));
    }
    findings
}

/// A finding per selected organisational measure (none when checks are picked by id).
fn organisational_findings(
    account: &str,
    framework: &Framework,
    selection: &Selection,
    attestations: &Attestations,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    if !selection.checks.is_empty() {
        return Vec::new();
    }
    framework
        .controls()
        .filter(|(_, c)| c.organisational && selection.covers_control(&c.id))
        .map(|(_, control)| organisational(account, control, attestations.get(&control.id), now))
        .collect()
}

/// The finding of an organisational measure: `attested` while an attestation is in
/// force, `manual` without one or once it has expired.
fn organisational(
    account: &str,
    control: &crate::framework::Control,
    attestation: Option<&Attestation>,
    now: DateTime<Utc>,
) -> Finding {
    let today = now.date_naive();
    let (status, message, evidence) = match attestation {
        Some(a) if a.expires >= today => (
            Status::Attested,
            format!(
                "attested by {} on {} ({}), valid until {}",
                a.attested_by, a.date, a.reference, a.expires
            ),
            serde_json::to_value(a).unwrap_or_default(),
        ),
        Some(a) => {
            tracing::warn!(measure = %control.id, expired = %a.expires, "attestation expired; reporting the measure as manual");
            (
                Status::Manual,
                format!("the attestation by {} expired on {}: renew it", a.attested_by, a.expires),
                serde_json::json!({ "expired_attestation": a }),
            )
        }
        None => (
            Status::Manual,
            "organisational measure: no AWS evidence; attest it (--attestations) to record who checked it and when"
                .to_string(),
            serde_json::Value::Null,
        ),
    };
    Finding {
        check_id: format!("ORG-{}", control.id),
        title: control.text.clone(),
        sections: vec![control.id.clone()],
        severity: Severity::Medium,
        status,
        account: account.to_string(),
        region: crate::check::GLOBAL.to_string(),
        resource: String::new(),
        message,
        evidence,
        remediation: "Record an attestation (who, when, reference, expiry) for this measure in the attestation file."
            .into(),
    }
}

/// Scores the findings and assembles the report of the accounts the inventories cover.
pub fn build_report(
    inventories: &[&Inventory],
    checks: &[&Check],
    framework: &Framework,
    findings: Vec<Finding>,
    now: DateTime<Utc>,
    stats: Stats,
) -> Report {
    let accounts = inventories.iter().map(|i| AccountMeta::of(i)).collect();
    build_report_for(accounts, checks, framework, findings, now, stats)
}

/// The report of `accounts`: every figure in it comes from [`Figures::of`] over the
/// findings, so reports of disjoint accounts merge by uniting their findings and
/// metadata and calling this again.
pub fn build_report_for(
    accounts: Vec<AccountMeta>,
    checks: &[&Check],
    framework: &Framework,
    mut findings: Vec<Finding>,
    now: DateTime<Utc>,
    stats: Stats,
) -> Report {
    findings.sort_by(|a, b| {
        (&a.check_id, &a.account, &a.region, &a.resource, a.status).cmp(&(
            &b.check_id,
            &b.account,
            &b.region,
            &b.resource,
            b.status,
        ))
    });
    let all: Vec<&Finding> = findings.iter().collect();
    let overall = Figures::of(framework, &all);
    let mut per_account: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &findings {
        per_account.entry(f.account.as_str()).or_default().push(f);
    }
    let account_summaries = accounts
        .iter()
        .map(|a| {
            let mine = per_account
                .get(a.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let fig = Figures::of(framework, mine);
            AccountSummary {
                id: a.id.clone(),
                name: a.name.clone(),
                error: a.error.clone(),
                regions: a.regions.clone(),
                score: fig.tally.score(),
                coverage: fig.tally.coverage(),
                counts: fig.tally.counts(),
                sections: fig
                    .sections
                    .iter()
                    .filter(|s| s.parent.is_none())
                    .map(|s| AccountSection {
                        id: s.id.clone(),
                        score: s.score,
                        counts: s.counts,
                    })
                    .collect(),
                stats: a.stats.clone(),
            }
        })
        .collect();
    let by_check = framework.controls_by_check();
    let check_results = checks
        .iter()
        .map(|c| CheckResult {
            id: c.id.to_string(),
            title: c.title.to_string(),
            severity: c.severity,
            sections: by_check
                .get(c.id)
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            score: overall.tally.check_score(c.id),
            counts: overall.tally.check_counts(c.id),
        })
        .collect();
    let mut regions: Vec<String> = accounts
        .iter()
        .flat_map(|a| a.regions.iter().cloned())
        .collect();
    regions.sort();
    regions.dedup();
    let counts: Counts = overall.tally.counts();
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "tomscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        framework: FrameworkRef {
            id: framework.id.clone(),
            title: framework.title.clone(),
        },
        scanned_at: now,
        accounts: accounts.iter().map(|a| a.id.clone()).collect(),
        account_summaries,
        regions,
        score: overall.tally.score(),
        coverage: overall.tally.coverage().unwrap_or(0.0),
        scoring: score::scoring(),
        counts,
        sections: overall.sections,
        checks: check_results,
        findings,
        stats,
        shard: None,
        evidence: None,
    }
}

/// The figures of a set of findings, by the one formula, whether they are the whole
/// organization's or one account's: a check weighs the same however many accounts it
/// judged.
pub struct Figures {
    pub tally: Tally,
    pub sections: Vec<SectionResult>,
}

impl Figures {
    pub fn of(framework: &Framework, findings: &[&Finding]) -> Figures {
        let in_scope = |ids: &[&str]| {
            Tally::new(
                findings
                    .iter()
                    .copied()
                    .filter(|f| f.sections.iter().any(|s| ids.contains(&s.as_str()))),
            )
        };
        let present: BTreeSet<&str> = findings
            .iter()
            .flat_map(|f| f.sections.iter().map(String::as_str))
            .collect();
        let mut sections = Vec::new();
        for s in &framework.sections {
            let ids: Vec<&str> = std::iter::once(s.id.as_str())
                .chain(s.measures.iter().map(|m| m.id.as_str()))
                .collect();
            if !ids.iter().any(|id| present.contains(id)) {
                continue;
            }
            let t = in_scope(&ids);
            let mut checks: Vec<String> = s
                .control
                .checks
                .iter()
                .chain(s.measures.iter().flat_map(|m| m.checks.iter()))
                .cloned()
                .collect();
            checks.sort();
            checks.dedup();
            sections.push(SectionResult {
                id: s.id.clone(),
                parent: None,
                title: s.title.clone(),
                score: t.score(),
                coverage: t.coverage(),
                counts: t.counts(),
                checks,
                organisational: s.control.organisational && s.measures.is_empty(),
            });
            for m in s
                .measures
                .iter()
                .filter(|m| present.contains(m.id.as_str()))
            {
                let t = in_scope(&[m.id.as_str()]);
                sections.push(SectionResult {
                    id: m.id.clone(),
                    parent: Some(s.id.clone()),
                    title: m.text.clone(),
                    score: t.score(),
                    coverage: t.coverage(),
                    counts: t.counts(),
                    checks: m.checks.clone(),
                    organisational: m.organisational,
                });
            }
        }
        Figures {
            tally: Tally::new(findings.iter().copied()),
            sections,
        }
    }
}
