//! The command line: the edge where typed errors become messages and exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::assemble::{AccountMeta, Assembly};
use crate::attest::Attestations;
use crate::aws::AwsOptions;
pub use crate::catalogue::CatalogueFormat;
use crate::check::{Severity, Status};
use crate::config::Config;
use crate::evaluate::{Rules, Selection};
use crate::evidence::Source;
use crate::framework::Framework;
use crate::inventory::Inventory;
use crate::render::diff::DiffFormat;
use crate::render::{Format, write_atomic};
use crate::report::Report;
use crate::scan::{self, AccountScope, ScanOptions};
use crate::waiver::Waivers;

/// Exit codes (README "Exit codes").
pub mod exit {
    /// Clean: no policy breach, every check evaluated.
    pub const OK: u8 = 0;
    /// Policy breach: a failure at or above --fail-on, or a score under --fail-under.
    pub const BREACH: u8 = 1;
    /// Could not run: usage, configuration, credentials.
    pub const USAGE: u8 = 2;
    /// Finished, but some checks could not be evaluated (`error` findings).
    pub const INCOMPLETE: u8 = 3;
    /// Stopped by a signal before anything was written.
    pub const INTERRUPTED: u8 = crate::interrupt::EXIT;
}

const EXIT_CODES: &str = "\
Exit codes:
  0  the scan finished; no policy breach; every check evaluated
  1  policy breach: a fail at or above --fail-on SEVERITY, or the score under
     --fail-under SCORE (a breach wins over 3)
  2  could not run: bad flags, configuration or framework file, no credentials,
     unreachable endpoint
  3  the scan finished, but some checks could not be evaluated (error findings)
  130  stopped by Ctrl-C or SIGTERM; nothing of the run was written (a second
     Ctrl-C exits at once)

Without --fail-on / --fail-under, failures alone do not change the exit code.";

#[derive(Debug, Parser)]
#[command(
    name = "tomscan",
    version,
    about = "Proves, measure by measure, whether an AWS account keeps the promises of its TOM document",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug). TOMSCAN_LOG=filter overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr: no progress line, no warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the account behind the AWS credentials and report per TOM measure.
    #[command(after_help = EXIT_CODES)]
    Scan(Box<ScanArgs>),
    /// Evaluate a saved inventory (from `scan --save-inventory`) again, offline.
    #[command(after_help = EXIT_CODES)]
    Evaluate(EvaluateArgs),
    /// Compare two JSON reports: new failures, resolved ones, other status changes, and
    /// the score and coverage of each section.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff(DiffArgs),
    /// List the check catalogue.
    Checks {
        #[arg(long, value_enum, default_value = "table")]
        format: CatalogueFormat,
    },
    /// Explain one check: what it verifies, why, how to fix it, what it needs.
    Explain { id: String },
    /// Export the framework (the TOM document's sections and measures) as a NIST OSCAL
    /// 1.1 catalog, the controls `--format oscal` assessment results point at.
    Catalog {
        #[arg(long, value_enum, default_value = "oscal")]
        format: ExportFormat,
        /// A framework file (default: the built-in TOM).
        #[arg(long)]
        framework: Option<PathBuf>,
    },
    /// Print the least-privilege IAM policy for the selected checks.
    Permissions(PermissionsArgs),
    /// Merge the JSON reports of `scan --shard K/N` into the report of the whole scan:
    /// findings united, every figure computed again from them.
    #[command(after_help = EXIT_CODES)]
    Merge(MergeArgs),
    /// Check an evidence bundle (`scan --evidence DIR`): every file's SHA-256, the
    /// signature (with --key), and that judging its inventories again gives its report.
    #[command(after_help = VERIFY_EXIT_CODES)]
    Verify(VerifyArgs),
    /// Make an Ed25519 key pair for signing evidence bundles: FILE (private, mode 0600)
    /// and FILE.pub. Refuses to overwrite either.
    Keygen {
        /// Where the private key goes; the public key is written beside it as FILE.pub.
        file: PathBuf,
    },
    /// Print the JSON Schema of the JSON report.
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff): `tomscan man > tomscan.1`.
    Man,
}

/// The formats the framework exports to.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Oscal,
}

const VERIFY_EXIT_CODES: &str = "\
Exit codes:
  0  verified: every file as the manifest lists it, the signature (with --key), and
     the report's findings as judging the bundled inventories again gives them
  1  the bundle does not verify: the message names the file
  2  could not verify: no such bundle, an unreadable key";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle directory (`scan --evidence DIR`).
    pub bundle: PathBuf,
    /// The signer's public key (FILE.pub from `tomscan keygen`, or an allowed_signers
    /// line): without it the signature is reported, not checked.
    #[arg(long)]
    pub key: Option<PathBuf>,
}

/// An evidence bundle of the run (README "Evidence bundles").
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Also write an evidence bundle here (a new directory): the report, the
    /// inventories, every input, and a manifest of their SHA-256s; written whole or not
    /// at all. Check it with `tomscan verify DIR`.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Sign the bundle's manifest with this OpenSSH private key (`tomscan keygen FILE`);
    /// `ssh-keygen -Y verify -n tomscan` checks it.
    #[arg(long, value_name = "FILE", requires = "evidence")]
    pub sign_key: Option<PathBuf>,
}

const DIFF_EXIT_CODES: &str = "\
Exit codes:
  0  compared; no new failure at or above --fail-on-new
  1  a new failure at or above --fail-on-new SEVERITY
  2  could not compare: unreadable report, different schema versions or frameworks";

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older JSON report (`--format json`).
    pub old: PathBuf,
    /// The newer JSON report.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Write the comparison to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Exit 1 when a failure of this severity or above is new.
    #[arg(long, value_enum)]
    pub fail_on_new: Option<Severity>,
}

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only these checks (comma-separated ids, e.g. IAM-03,S3-01).
    #[arg(long, value_delimiter = ',')]
    pub checks: Vec<String>,
    /// Only checks of these sections or measures (e.g. 4,6 or 4.c).
    #[arg(long, value_delimiter = ',')]
    pub sections: Vec<String>,
    /// A framework file mapping another document's numbering to checks (default: the built-in TOM).
    #[arg(long)]
    pub framework: Option<PathBuf>,
    /// Configuration file (default: ./tomscan.toml when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Attestations of organisational measures (TOML; overrides tomscan.toml `attestations`).
    #[arg(long)]
    pub attestations: Option<PathBuf>,
    /// Accepted risks, each with an owner and an expiry (TOML; overrides tomscan.toml
    /// `waivers`): a matching fail is reported `waived`.
    #[arg(long)]
    pub waivers: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Add the statement the management account (or delegated administrator) needs for
    /// `scan --org`: list the organization, assume the member role.
    #[arg(long)]
    pub org: bool,
    /// The member role `scan --org` assumes (for the sts:AssumeRole resource).
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub role_name: String,
}

/// Which accounts to scan: the organization's, or a list, each through an assumed role.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Scan every ACTIVE account of the organization (from the management account or a
    /// delegated administrator), each through --role-name.
    #[arg(long, conflicts_with = "accounts")]
    pub org: bool,
    /// With --org: only the accounts of this OU and the OUs below it; repeat for more.
    #[arg(long = "ou", value_name = "OU_ID", requires = "org")]
    pub ous: Vec<String>,
    /// Scan these accounts (comma-separated ids) through --role-name, without
    /// Organizations. Default: tomscan.toml `accounts`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub accounts: Vec<String>,
    /// Leave these accounts out (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub exclude_accounts: Vec<String>,
    /// The role assumed in each account but the calling one.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub role_name: String,
    /// The external id the role's trust policy requires, if any.
    #[arg(long, env = "TOMSCAN_EXTERNAL_ID")]
    pub external_id: Option<String>,
    /// Session name of the assumed roles (shows in the member accounts' CloudTrail).
    #[arg(long, default_value = "tomscan")]
    pub role_session_name: String,
    /// Accounts scanned at once; memory grows with this, not with the accounts.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub account_concurrency: u16,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Report formats, comma-separated: one to stdout or --output, several with
    /// --output-dir (`--format html,json,ocsf --output-dir reports`).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "table")]
    pub format: Vec<Format>,
    /// Write the report to this file (atomically) instead of stdout; one format only.
    #[arg(long, short, conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write one file per format here, each named tomscan-<account>-<UTC time>.<ext>.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Also write Prometheus metrics (text format, atomically) here, e.g. for
    /// node_exporter's textfile collector: /var/lib/node_exporter/textfile/tomscan.prom.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<PathBuf>,
    /// In the table: evidence and remediation under each finding.
    #[arg(long)]
    pub details: bool,
    /// Exit 1 when any finding of this severity or above fails.
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,
    /// Exit 1 when the overall score is below this (0-100).
    #[arg(long, value_parser = parse_score)]
    pub fail_under: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Named profile from ~/.aws/config (SSO, assume-role and credential_process work).
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Region to scan; repeat for more. Default: tomscan.toml `regions`, else every enabled region.
    #[arg(long = "region", value_name = "REGION", value_parser = parse_region)]
    pub regions: Vec<String>,
    /// Send every request to this endpoint (moto, LocalStack). AWS_ENDPOINT_URL works too.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Attempts per request including the first (adaptive retry), 1 to 20.
    #[arg(long, env = "AWS_MAX_ATTEMPTS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Also write the collected inventory here (JSON), for `tomscan evaluate`; with
    /// several accounts, a directory with one inventory-<account>.json each.
    #[arg(long)]
    pub save_inventory: Option<PathBuf>,
    /// Bound the whole scan (e.g. 90s, 15m, 1h30m): what has not finished then is
    /// reported `error` (exit 3), and the report is still written. Default: tomscan.toml
    /// `timeout`, else unbounded.
    #[arg(long, value_name = "DURATION", value_parser = crate::deadline::parse_duration)]
    pub timeout: Option<Duration>,
    /// Bound one API call, retries included (each attempt gets half): a call that hangs
    /// is `error` after this.
    #[arg(long, value_name = "DURATION", default_value = "60s",
          value_parser = crate::deadline::parse_duration)]
    pub request_timeout: Duration,
    #[command(flatten)]
    pub account_args: AccountArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    /// Do part K of N of the work (1-based): accounts dealt by id, or with one account
    /// its regions (README "Shards"). `tomscan merge` unites the N reports.
    #[arg(long, env = "TOMSCAN_SHARD", value_name = "K/N")]
    pub shard: Option<crate::shard::Shard>,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The JSON reports of `scan --shard K/N --format json`, one per shard, or the
    /// shards' evidence bundles (`scan --shard K/N --evidence DIR`), each verified first.
    #[arg(required = true, value_name = "REPORT|BUNDLE")]
    pub reports: Vec<PathBuf>,
    /// Merge even when some of the N shards are absent; the exit code is then at least 3.
    #[arg(long)]
    pub allow_partial: bool,
    /// The framework file the shards were scanned with (default: the built-in TOM).
    #[arg(long)]
    pub framework: Option<PathBuf>,
    /// With the shards' bundles: a bundle of the merge holding them whole, which
    /// `tomscan verify` checks like a whole scan's.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// An inventory written by `tomscan scan --save-inventory`, or a directory of them
    /// (one per account, from a multi-account scan).
    pub inventory: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_region(s: &str) -> Result<String, String> {
    if crate::config::is_region_name(s) {
        Ok(s.to_string())
    } else {
        Err("not an AWS region name: write one such as eu-central-1".into())
    }
}

fn parse_score(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside 0-100"))
    }
}

/// Runs a parsed command line; returns the process exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan_command(*args, cli.quiet).await,
        Command::Evaluate(args) => evaluate_command(args),
        Command::Diff(args) => diff_command(args),
        Command::Merge(args) => merge_command(args),
        Command::Checks { format } => {
            print(&crate::catalogue::render(format))?;
            Ok(exit::OK)
        }
        Command::Explain { id } => {
            let Some(check) = crate::checks::find(&id) else {
                bail!("unknown check id {id:?}: `tomscan checks` lists the ids");
            };
            print(&crate::catalogue::explain(check, &Framework::builtin()))?;
            Ok(exit::OK)
        }
        Command::Verify(args) => verify_command(&args),
        Command::Catalog {
            format: ExportFormat::Oscal,
            framework,
        } => {
            let (framework, _) = load_framework(framework.as_deref())?;
            print(&crate::render::oscal::catalog(
                &framework,
                chrono::Utc::now(),
            ))?;
            Ok(exit::OK)
        }
        Command::Keygen { file } => {
            let (public, fingerprint) = crate::evidence::sign::keygen(&file)?;
            println!(
                "wrote {} (private, keep it secret) and {} (public, give it to the auditor)\nkey {fingerprint}",
                file.display(),
                public.display()
            );
            Ok(exit::OK)
        }
        Command::Schema => {
            print(&crate::report::json_schema())?;
            Ok(exit::OK)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tomscan", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(exit::OK)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            print(&String::from_utf8_lossy(&out))?;
            Ok(exit::OK)
        }
        Command::Permissions(args) => {
            let (framework, selection, _) = load_selection(&args.select)?;
            let checks = selection.checks(&framework)?;
            let org_role = args.org.then_some(args.role_name.as_str());
            print(&crate::catalogue::policy_for(&checks, org_role))?;
            Ok(exit::OK)
        }
    }
}

/// The files a judgement read, as read: what an evidence bundle holds of its inputs.
struct Sources {
    framework: Source,
    waivers: Option<Source>,
    attestations: Option<Source>,
}

impl Sources {
    /// A bundle of a judgement with these inputs: nothing scanned, no shard; a scan or
    /// a merge says more by struct update.
    fn contents<'a>(
        &'a self,
        report: &'a Report,
        settings: &'a crate::config::Settings,
        selection: &Selection,
        inventories: Vec<crate::evidence::InventoryEntry>,
    ) -> crate::evidence::Contents<'a> {
        crate::evidence::Contents {
            report,
            framework: &self.framework,
            settings,
            waivers: self.waivers.as_ref(),
            attestations: self.attestations.as_ref(),
            selection: crate::evidence::SelectionRecord {
                checks: selection.checks.clone(),
                sections: selection.sections.clone(),
            },
            caller: None,
            scan_started_at: None,
            inventories,
            shard: None,
            shards: Vec::new(),
            allow_partial: false,
        }
    }
}

/// A file, read whole, under the name its errors and findings give it.
fn read_source(path: &Path, what: &'static str) -> Result<Source> {
    let text = crate::diagnostics::read(what, path)?;
    Ok(Source {
        text,
        read_as: path.display().to_string(),
    })
}

fn load_framework(path: Option<&Path>) -> Result<(Framework, Source)> {
    let source = match path {
        Some(path) => read_source(path, "framework file")?,
        None => Source {
            text: crate::framework::BUILTIN.to_string(),
            read_as: crate::framework::BUILTIN_NAME.to_string(),
        },
    };
    let framework = Framework::parse(
        &source.text,
        &source.read_as,
        &crate::framework::known_check_ids(),
    )?;
    Ok((framework, source))
}

fn load_selection(select: &SelectArgs) -> Result<(Framework, Selection, Config)> {
    let (framework, selection, config, _) = load_judgement(select)?;
    Ok((framework, selection, config))
}

/// The framework, selection and configuration, with the framework as read.
fn load_judgement(select: &SelectArgs) -> Result<(Framework, Selection, Config, Source)> {
    let config = Config::load(select.config.as_deref())?;
    let (framework, framework_source) = load_framework(select.framework.as_deref())?;
    let pick = |flag: &[String], file: &[String]| {
        if flag.is_empty() {
            file.to_vec()
        } else {
            flag.to_vec()
        }
    };
    let selection = Selection {
        checks: pick(&select.checks, &config.checks),
        sections: pick(&select.sections, &config.sections),
    };
    Ok((framework, selection, config, framework_source))
}

fn load_attestations(
    select: &SelectArgs,
    config: &Config,
    framework: &Framework,
) -> Result<(Attestations, Option<Source>)> {
    match select
        .attestations
        .as_ref()
        .or(config.attestations.as_ref())
    {
        Some(path) => {
            let source = read_source(path, "attestation file")?;
            let attestations = Attestations::parse(&source.text, &source.read_as, framework)?;
            Ok((attestations, Some(source)))
        }
        None => Ok((Attestations::default(), None)),
    }
}

fn load_waivers(select: &SelectArgs, config: &Config) -> Result<(Waivers, Option<Source>)> {
    match select.waivers.as_ref().or(config.waivers.as_ref()) {
        Some(path) => {
            let source = read_source(path, "waiver file")?;
            let today = chrono::Utc::now().date_naive();
            let waivers = Waivers::parse(&source.text, &source.read_as, today)?;
            Ok((waivers, Some(source)))
        }
        None => Ok((Waivers::default(), None)),
    }
}

/// An evidence bundle being written: where, and by which key it will be signed.
/// Started before any work, so that a path that exists or a key that does not load
/// stops the run before the account is read.
struct Evidence {
    writer: crate::evidence::BundleWriter,
    signer: Option<crate::evidence::sign::Signer>,
}

impl Evidence {
    fn start(args: &EvidenceArgs) -> Result<Option<Evidence>> {
        let Some(dir) = &args.evidence else {
            return Ok(None);
        };
        let signer = args
            .sign_key
            .as_deref()
            .map(crate::evidence::sign::Signer::load)
            .transpose()?;
        let writer = crate::evidence::BundleWriter::create(dir)?;
        Ok(Some(Evidence { writer, signer }))
    }

    /// Seals the bundle; what the report's other formats then name it by.
    fn finish(self, contents: crate::evidence::Contents<'_>) -> Result<crate::report::EvidenceRef> {
        // The last moment a Ctrl-C stops the run whole: past the seal, the report
        // naming the bundle is written too.
        crate::interrupt::check()?;
        let sealed = self.writer.finish(contents, self.signer.as_ref())?;
        tracing::info!(bundle = %sealed.path.display(), manifest = %sealed.manifest_sha256, "evidence bundle written");
        Ok(crate::report::EvidenceRef {
            path: sealed.path.display().to_string(),
            manifest_sha256: sealed.manifest_sha256,
            signed_by: sealed.signed_by,
        })
    }
}

fn verify_command(args: &VerifyArgs) -> Result<u8> {
    if !args.bundle.is_dir() {
        bail!(
            "{} is not a directory: give the bundle `scan --evidence DIR` wrote",
            args.bundle.display()
        );
    }
    match crate::evidence::verify(&args.bundle, args.key.as_deref()) {
        Ok(verified) => {
            let mut out = format!("{}: verified\n", args.bundle.display());
            for line in &verified.checked {
                out.push_str(&format!("  ok  {line}\n"));
            }
            print(&format!("{}\n", crate::render::sanitize_lines(&out)))?;
            Ok(exit::OK)
        }
        Err(crate::evidence::EvidenceError::Key { path, problem }) => {
            bail!("{}: {problem}", path.display())
        }
        Err(e) => {
            eprintln!(
                "{}: does not verify: {}",
                args.bundle.display(),
                crate::render::sanitize_lines(&e.to_string())
            );
            Ok(exit::BREACH)
        }
    }
}

async fn scan_command(args: ScanArgs, quiet: bool) -> Result<u8> {
    args.output.check()?;
    if let (Some(report), Some(inventory)) = (&args.output.output, &args.save_inventory)
        && same_file(report, inventory)
    {
        anyhow::bail!(
            "--output and --save-inventory both name {}: the inventory would overwrite the report; give them different paths",
            report.display()
        );
    }
    let (framework, selection, config, framework_source) = load_judgement(&args.select)?;
    let (attestations, attestations_source) = load_attestations(&args.select, &config, &framework)?;
    let (waivers, waivers_source) = load_waivers(&args.select, &config)?;
    let sources = Sources {
        framework: framework_source,
        waivers: waivers_source,
        attestations: attestations_source,
    };
    let evidence = Evidence::start(&args.evidence)?;
    let started_at = chrono::Utc::now();
    let opts = ScanOptions {
        aws: AwsOptions {
            profile: args.profile,
            endpoint_url: args.endpoint_url,
            region: args.regions.first().cloned(),
            max_attempts: args.max_attempts,
            operation_timeout: args.request_timeout,
        },
        timeout: args.timeout.or(config.timeout()),
        regions: if args.regions.is_empty() {
            config.regions.clone()
        } else {
            args.regions
        },
        attestations,
        waivers,
        framework,
        selection,
        settings: config.settings.clone(),
        shard: args.shard,
    };
    let a = args.account_args;
    let scope = AccountScope {
        org: a.org,
        ous: a.ous,
        accounts: if a.accounts.is_empty() && !a.org {
            config.accounts.clone()
        } else {
            a.accounts
        },
        exclude: a.exclude_accounts,
        role_name: a.role_name,
        external_id: a.external_id,
        session_name: a.role_session_name,
        concurrency: usize::from(a.account_concurrency),
    };
    // Cleared on drop, however the scan ends.
    let progress = crate::progress::Display::start(quiet);
    if scope.is_multi() {
        if let Some(dir) = &args.save_inventory {
            std::fs::create_dir_all(dir).with_context(|| {
                format!(
                    "cannot create the --save-inventory directory {}",
                    dir.display()
                )
            })?;
        }
        // With a bundle, each account's inventory is written into it as it is judged,
        // and copied to --save-inventory afterwards.
        let bundle_inventories = evidence.as_ref().map(|e| e.writer.staged("inventory"));
        if let Some(dir) = &bundle_inventories {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let inventory_dir = bundle_inventories
            .as_deref()
            .or(args.save_inventory.as_deref());
        let out = scan::scan_accounts(&opts, &scope, inventory_dir).await;
        drop(progress);
        let scan::AccountsOutput {
            mut report,
            caller,
            split_regions,
        } = out?;
        if let Some(mut evidence) = evidence {
            if split_regions {
                bail!(
                    "--evidence with --shard over one account of an organization scan: scan that account without --org/--accounts to bundle its shards' evidence"
                );
            }
            let mut inventories = Vec::new();
            for account in &report.accounts {
                let rel = crate::evidence::inventory_path(account);
                let staged = evidence.writer.staged(&rel);
                if !staged.is_file() {
                    // An account that could not be read has no inventory.
                    continue;
                }
                if let Some(dir) = &args.save_inventory {
                    let to = scan::inventory_file(dir, account);
                    std::fs::copy(&staged, &to)
                        .with_context(|| format!("cannot write inventory {}", to.display()))?;
                }
                evidence.writer.record(&rel)?;
                inventories.push(crate::evidence::InventoryEntry {
                    path: rel,
                    account: account.clone(),
                    judged_at: report.scanned_at,
                    checks: None,
                    organisational: true,
                });
            }
            let contents = contents(&report, &sources, &opts, &caller, started_at, inventories);
            report.evidence = Some(evidence.finish(contents)?);
        }
        return emit(&report, &args.output);
    }
    let out = scan::scan(&opts).await;
    drop(progress);
    let scan::ScanOutput {
        inventory,
        mut report,
        caller,
        judged_checks,
        organisational,
    } = out?;
    let json = serde_json::to_vec_pretty(&inventory)?;
    drop(inventory);
    if let Some(path) = &args.save_inventory {
        write_atomic(path, &json)
            .with_context(|| format!("cannot write inventory {}", path.display()))?;
    }
    if let Some(mut evidence) = evidence {
        let rel = crate::evidence::inventory_path(&caller.account_id);
        evidence.writer.add(&rel, &json)?;
        let inventories = vec![crate::evidence::InventoryEntry {
            path: rel,
            account: caller.account_id.clone(),
            judged_at: report.scanned_at,
            // A shard judged part of the selection; the whole scan all of it.
            checks: opts
                .shard
                .map(|_| judged_checks.iter().map(|c| c.to_string()).collect()),
            organisational,
        }];
        let contents = contents(&report, &sources, &opts, &caller, started_at, inventories);
        report.evidence = Some(evidence.finish(contents)?);
    }
    emit(&report, &args.output)
}

/// What a scan's bundle holds besides its inventories.
fn contents<'a>(
    report: &'a Report,
    sources: &'a Sources,
    opts: &'a ScanOptions,
    caller: &crate::collect::Identity,
    started_at: chrono::DateTime<chrono::Utc>,
    inventories: Vec<crate::evidence::InventoryEntry>,
) -> crate::evidence::Contents<'a> {
    crate::evidence::Contents {
        caller: Some(crate::evidence::Caller {
            account: caller.account_id.clone(),
            arn: caller.arn.clone(),
        }),
        scan_started_at: Some(started_at),
        shard: opts.shard,
        ..sources.contents(report, &opts.settings, &opts.selection, inventories)
    }
}

/// Whether two paths name one file, also through `./`, `..` or a symlink.
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // The file may not exist yet; its directory does, or the write fails anyway.
        match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => dir
                .canonicalize()
                .map(|d| d.join(name))
                .unwrap_or(absolute.clone()),
            _ => absolute,
        }
    };
    let (a, b) = (resolve(a), resolve(b));
    a == b
        || a.canonicalize()
            .ok()
            .is_some_and(|c| Some(c) == b.canonicalize().ok())
}

fn evaluate_command(args: EvaluateArgs) -> Result<u8> {
    args.output.check()?;
    let (framework, selection, config, framework_source) = load_judgement(&args.select)?;
    let paths = inventory_paths(&args.inventory)?;
    let checks = selection.checks(&framework)?;
    let (attestations, attestations_source) = load_attestations(&args.select, &config, &framework)?;
    let (waivers, waivers_source) = load_waivers(&args.select, &config)?;
    let settings = config.settings.clone();
    let rules = Rules {
        framework: &framework,
        selection: &selection,
        settings: &settings,
        attestations: &attestations,
    };
    let mut evidence = Evidence::start(&args.evidence)?;
    let mut judged = Vec::new();
    let mut assembly = Assembly::new(&framework, &checks);
    let mut latest = None;
    // One inventory at a time: a directory of a thousand accounts needs the memory of one.
    for path in &paths {
        crate::interrupt::check()?;
        let text =
            crate::diagnostics::read_at_most("inventory", path, crate::diagnostics::JSON_LIMIT)?;
        let inventory = Inventory::from_json(&text)
            .with_context(|| format!("cannot evaluate {}", path.display()))?;
        // Ages are judged as of the collection, so evaluating last month's inventory
        // again gives last month's verdicts, and the report says when that was.
        let now = inventory.collected_at.unwrap_or_else(|| {
            tracing::warn!(inventory = %path.display(), "the inventory does not say when it was collected; judging ages as of now");
            chrono::Utc::now()
        });
        latest = latest.max(Some(now));
        if let Some(evidence) = &mut evidence {
            let rel = crate::evidence::inventory_path(&inventory.account_id);
            evidence.writer.add(&rel, text.as_bytes())?;
            judged.push(crate::evidence::InventoryEntry {
                path: rel,
                account: inventory.account_id.clone(),
                judged_at: now,
                checks: None,
                organisational: true,
            });
        }
        assembly.account(
            AccountMeta::of(&inventory),
            rules.judge(&inventory, &checks, true, now),
        );
    }
    let judged_at = latest.unwrap_or_else(chrono::Utc::now);
    let mut report = assembly.waive(&waivers, judged_at).report(judged_at);
    if let Some(evidence) = evidence {
        let sources = Sources {
            framework: framework_source,
            waivers: waivers_source,
            attestations: attestations_source,
        };
        // Nothing was scanned: who collected the inventories is theirs to say.
        let contents = sources.contents(&report, &settings, &selection, judged);
        report.evidence = Some(evidence.finish(contents)?);
    }
    emit(&report, &args.output)
}

/// A report file is streamed, whatever its size; a pipe or a device, which cannot be read
/// twice, is read whole within the JSON limit.
fn read_report(path: &Path) -> Result<Report> {
    use crate::diagnostics::{JSON_LIMIT, Opened};
    let report = match crate::diagnostics::open("report", path, JSON_LIMIT)? {
        Opened::File(file) => Report::read(file),
        Opened::Text(text) => Report::from_json(&text),
    };
    report.with_context(|| format!("cannot read report {}", path.display()))
}

fn merge_command(args: MergeArgs) -> Result<u8> {
    args.output.check()?;
    let evidence = Evidence::start(&args.evidence)?;
    // A shard's bundle is verified before its report is believed.
    let mut bundles: Vec<(&Path, crate::evidence::Manifest)> = Vec::new();
    let mut reports = Vec::new();
    for p in &args.reports {
        if p.is_dir() {
            crate::evidence::verify(p, None).map_err(|e| {
                anyhow::anyhow!("{}: the shard's bundle does not verify: {e}", p.display())
            })?;
            let manifest = crate::evidence::Manifest::read(p)?;
            let report = read_report(&p.join(&manifest.report))?;
            bundles.push((p.as_path(), manifest));
            reports.push((p.display().to_string(), report));
        } else {
            if evidence.is_some() {
                bail!(
                    "{}: --evidence merges the shards' bundles (scan --shard K/N --evidence DIR), not their reports",
                    p.display()
                );
            }
            reports.push((p.display().to_string(), read_report(p)?));
        }
    }
    let framework = match (&args.framework, bundles.first()) {
        (Some(path), _) => Framework::load(path)?,
        (None, Some((dir, m))) => m.framework(dir)?,
        (None, None) => Framework::builtin(),
    };
    let mut merged = crate::merge::merge(reports, &framework, args.allow_partial)?;
    if !merged.missing.is_empty() {
        tracing::warn!(missing = ?merged.missing, "merged without these shards: the report is partial");
    }
    if let Some(evidence) = evidence {
        merged.report.evidence = Some(bundle_merge(
            evidence,
            &bundles,
            &merged.report,
            args.allow_partial,
        )?);
    }
    let code = emit(&merged.report, &args.output)?;
    // A partial merge is never a clean result, however good its score.
    Ok(if merged.missing.is_empty() || code != exit::OK {
        code
    } else {
        exit::INCOMPLETE
    })
}

/// The bundle of a merge: each shard's bundle copied whole below `shards/`, the
/// merged report, and the inputs the shards share (they must be the same files).
fn bundle_merge(
    mut evidence: Evidence,
    bundles: &[(&Path, crate::evidence::Manifest)],
    report: &Report,
    allow_partial: bool,
) -> Result<crate::report::EvidenceRef> {
    let Some((first_dir, first)) = bundles.first() else {
        bail!("--evidence needs the shards' bundles");
    };
    let digest = |dir: &Path, m: &crate::evidence::Manifest, rel: &str| {
        m.files
            .iter()
            .find(|f| f.path == rel)
            .map(|f| f.sha256.clone())
            .unwrap_or_else(|| format!("missing from {}", dir.display()))
    };
    let inputs = |m: &crate::evidence::Manifest| {
        let mut v = vec![m.framework.path.clone(), m.settings.clone()];
        v.extend(m.waivers.iter().map(|w| w.path.clone()));
        v.extend(m.attestations.iter().map(|a| a.path.clone()));
        v
    };
    for (dir, m) in bundles {
        if inputs(m) != inputs(first)
            || inputs(m)
                .iter()
                .any(|rel| digest(dir, m, rel) != digest(first_dir, first, rel))
            || m.selection.checks != first.selection.checks
            || m.selection.sections != first.selection.sections
        {
            bail!(
                "{} was judged with other inputs (framework, settings, waivers, attestations or selection) than {}: shards of one scan share them",
                dir.display(),
                first_dir.display()
            );
        }
    }
    let mut shards = Vec::new();
    for (dir, m) in bundles {
        let index = m.shard.map_or(0, |s| s.index);
        let rel = format!("shards/shard-{index}");
        copy_bundle(dir, &evidence.writer.staged(&rel))?;
        for f in m
            .files
            .iter()
            .map(|f| f.path.as_str())
            .chain([crate::evidence::MANIFEST])
        {
            evidence.writer.record(&format!("{rel}/{f}"))?;
        }
        if dir.join(crate::evidence::SIGNATURE).is_file() {
            evidence
                .writer
                .record(&format!("{rel}/{}", crate::evidence::SIGNATURE))?;
        }
        shards.push(rel);
    }
    let sources = Sources {
        framework: first.source(first_dir, &first.framework)?,
        waivers: first
            .waivers
            .as_ref()
            .map(|w| first.source(first_dir, w))
            .transpose()?,
        attestations: first
            .attestations
            .as_ref()
            .map(|a| first.source(first_dir, a))
            .transpose()?,
    };
    let settings: crate::config::Settings =
        serde_json::from_str(&std::fs::read_to_string(first_dir.join(&first.settings))?)
            .context("the shard's settings")?;
    let selection = Selection {
        checks: first.selection.checks.clone(),
        sections: first.selection.sections.clone(),
    };
    let contents = crate::evidence::Contents {
        caller: first.caller.clone(),
        scan_started_at: bundles.iter().filter_map(|(_, m)| m.scan_started_at).min(),
        shards,
        allow_partial,
        ..sources.contents(report, &settings, &selection, Vec::new())
    };
    evidence.finish(contents)
}

/// A bundle's files, copied as they are (they are verified, and their digests recorded
/// in the merge's manifest).
fn copy_bundle(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_bundle(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn diff_command(args: DiffArgs) -> Result<u8> {
    let (old, new) = (read_report(&args.old)?, read_report(&args.new)?);
    let diff = crate::diff::diff(&old, &new)?;
    let color = args.output.is_none() && args.format == DiffFormat::Table && colour_on_stdout();
    let text = args.format.render(&diff, color);
    match &args.output {
        Some(path) => write_report(path, &text)?,
        None => print(&text)?,
    }
    Ok(match args.fail_on_new {
        Some(min) if diff.has_new_failure(min) => exit::BREACH,
        _ => exit::OK,
    })
}

/// The inventory files to evaluate: the file given, or every `*.json` of the directory
/// given, in name order.
fn inventory_paths(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read inventory directory {}", path.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read inventory directory {}", path.display()))?;
    paths.retain(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    if paths.is_empty() {
        bail!("{} holds no inventory (*.json)", path.display());
    }
    Ok(paths)
}

impl OutputArgs {
    /// The formats asked for, once each; refused when the flags cannot hold them all.
    fn formats(&self) -> Result<Vec<Format>> {
        let mut formats: Vec<Format> = Vec::new();
        for f in &self.format {
            if !formats.contains(f) {
                formats.push(*f);
            }
        }
        if formats.len() > 1 && self.output_dir.is_none() {
            anyhow::bail!(
                "{} formats asked for: write them with --output-dir DIR (stdout and --output take one)",
                formats.len()
            );
        }
        if let (Some(report), Some(metrics)) = (&self.output, &self.metrics)
            && same_file(report, metrics)
        {
            anyhow::bail!(
                "--output and --metrics both name {}: give them different paths",
                report.display()
            );
        }
        Ok(formats)
    }

    /// [`Self::formats`], and the paths they go to can be written: found out before the
    /// run, not after a scan of an hour.
    fn check(&self) -> Result<()> {
        self.formats()?;
        if let Some(dir) = &self.output_dir {
            writable_dir(dir, "--output-dir")?;
        }
        for (path, flag) in [(&self.output, "--output"), (&self.metrics, "--metrics")] {
            if let Some(path) = path {
                writable_file(path, flag)?;
            }
        }
        Ok(())
    }
}

/// A directory the reports can be written into (or created in), found out before the
/// scan rather than after it. A symlink is followed, to where it points.
fn writable_dir(dir: &Path, flag: &str) -> Result<()> {
    if let Ok(target) = std::fs::read_link(dir)
        && !dir.exists()
    {
        bail!(
            "{flag} {} is a symlink to {}, which does not exist: create that directory or name another",
            dir.display(),
            target.display()
        );
    }
    // The directory itself, or the nearest one above it that exists: it is created later.
    let existing = dir
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(Path::new("."));
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    if !existing.is_dir() {
        bail!(
            "{flag} {}: {} is not a directory",
            dir.display(),
            existing.display()
        );
    }
    can_write_into(existing, dir, flag)
}

/// A report path that can be written: an existing FIFO or terminal is written into, any
/// other path replaced from a temporary file beside it, in a directory that must exist.
fn writable_file(path: &Path, flag: &str) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => bail!("{flag} {} is a directory: name a file", path.display()),
        Ok(meta) if !meta.is_file() => return Ok(()),
        _ => {}
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "{flag} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    can_write_into(dir, path, flag)
}

/// Whether a file can be created in `dir`, found out by creating one (permissions, a
/// read-only mount and an ACL all answer at once), for `flag`'s `path`.
fn can_write_into(dir: &Path, path: &Path, flag: &str) -> Result<()> {
    tempfile::tempfile_in(dir).map(drop).with_context(|| {
        format!(
            "{flag} {}: cannot write into {}",
            path.display(),
            dir.display()
        )
    })
}

/// Colour only for a person at a terminal: never into a file, a pipe or a CI log, and
/// never under `NO_COLOR`.
fn colour_on_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn emit(report: &Report, output: &OutputArgs) -> Result<u8> {
    let formats = output.formats()?;
    let table = crate::render::TableOptions {
        color: output.output.is_none() && output.output_dir.is_none() && colour_on_stdout(),
        details: output.details,
    };
    // Each file with its format (`None`: the metrics).
    let mut files: Vec<(PathBuf, Option<Format>)> = Vec::new();
    match (&output.output, &output.output_dir) {
        (Some(path), _) => files.push((path.clone(), Some(formats[0]))),
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create --output-dir {}", dir.display()))?;
            for format in &formats {
                files.push((dir.join(format.file_name(report)), Some(*format)));
            }
        }
        (None, None) => {}
    }
    if let Some(path) = &output.metrics {
        files.push((path.clone(), None));
    }
    let stdout = (output.output.is_none() && output.output_dir.is_none())
        .then(|| formats[0].render_with(report, &table));
    let cannot_write = |path: &Path, e: std::io::Error| {
        anyhow::anyhow!(e).context(format!(
            "cannot write {}; no output of this run was written",
            path.display()
        ))
    };
    // Every file of the run is written, or none: each is rendered into a temporary file
    // beside its target, one at a time, and only when all are do they take their places.
    // A report beside a stale one of another format, or without its metrics, would each
    // tell a different story.
    let mut staged = Vec::new();
    for (path, format) in &files {
        // Each render is seconds for a large organization: a Ctrl-C is heard between
        // them (and, once a bundle names this report, no longer stops it).
        if report.evidence.is_none() {
            crate::interrupt::check()?;
        }
        let write = |out: &mut dyn Write| match format {
            Some(format) => format.write_into(report, &table, out),
            None => out.write_all(crate::render::metrics::render(report).as_bytes()),
        };
        staged.push(crate::render::Staged::new(path, write).map_err(|e| cannot_write(path, e))?);
    }
    if report.evidence.is_none() {
        crate::interrupt::check()?;
    }
    crate::render::commit_all(staged).map_err(|(path, e)| cannot_write(&path, e))?;
    if let Some(text) = stdout {
        print(&text)?;
    }
    Ok(exit_code(report, output.fail_on, output.fail_under))
}

fn write_report(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes())
        .with_context(|| format!("cannot write report {}", path.display()))
}

fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()) {
        // `tomscan ... | head` is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// DESIGN §7: a breach (1) outranks unevaluated checks (3).
pub fn exit_code(report: &Report, fail_on: Option<Severity>, fail_under: Option<f64>) -> u8 {
    let failed_at = |min: Severity| {
        report
            .findings
            .iter()
            .any(|f| f.status == Status::Fail && f.severity >= min)
    };
    // No score at all cannot prove it is above the bar.
    let under = |min: f64| report.score.is_none_or(|s| s < min);
    if fail_on.is_some_and(failed_at) || fail_under.is_some_and(under) {
        exit::BREACH
    } else if report.counts.error > 0 {
        exit::INCOMPLETE
    } else {
        exit::OK
    }
}
