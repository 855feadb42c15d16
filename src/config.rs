//! `tomscan.toml`: what to scan, and the [`Settings`] the checks judge against.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{self, Input, InputError};

/// Thresholds the checks judge against (`[thresholds]`). Defaults follow CIS AWS
/// Foundations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub password_min_length: u32,
    pub password_max_age_days: u32,
    pub password_reuse_prevention: u32,
    /// Root counts as "in use" when its password or keys were used this recently.
    pub root_unused_days: u32,
    /// Passwords and access keys unused this long should be disabled (4.e).
    pub credentials_unused_days: u32,
    /// Access keys older than this should be rotated (4.e).
    pub access_key_max_age_days: u32,
    /// A console password never used nor changed this long after the user was created
    /// is an initial password nobody replaced (4.c).
    pub initial_password_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            password_min_length: 14,
            password_max_age_days: 90,
            password_reuse_prevention: 24,
            root_unused_days: 90,
            credentials_unused_days: 45,
            access_key_max_age_days: 90,
            initial_password_days: 7,
        }
    }
}

impl Thresholds {
    /// Each threshold with the values it may take and the fix for one outside them.
    fn limits(&self) -> [(&'static str, u32, RangeInclusive<u32>, &'static str); 7] {
        const DAYS: &str = "use 1 to 3650 days";
        [
            (
                "password_min_length",
                self.password_min_length,
                6..=128,
                "IAM accepts 6 to 128",
            ),
            (
                "password_max_age_days",
                self.password_max_age_days,
                1..=1095,
                "IAM accepts 1 to 1095 days",
            ),
            (
                "password_reuse_prevention",
                self.password_reuse_prevention,
                1..=24,
                "IAM accepts 1 to 24",
            ),
            ("root_unused_days", self.root_unused_days, 1..=3650, DAYS),
            (
                "credentials_unused_days",
                self.credentials_unused_days,
                1..=3650,
                DAYS,
            ),
            (
                "access_key_max_age_days",
                self.access_key_max_age_days,
                1..=3650,
                DAYS,
            ),
            (
                "initial_password_days",
                self.initial_password_days,
                1..=3650,
                DAYS,
            ),
        ]
    }
}

/// What the checks judge against: the thresholds, and what the customer was promised
/// (where the data may be, which tag names a tenant, who outside may be trusted). The
/// config file's `[thresholds]` table and top-level keys of the same names set it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub thresholds: Thresholds,
    /// The hosting jurisdiction (3): resources must be only in these regions. Empty: not
    /// configured, and measure 3 is reported `manual` with the regions in use.
    pub allowed_regions: Vec<String>,
    /// The tag that names the customer (tenant) a resource serves (9.b). Unset: the
    /// tenant-tag check is `not_applicable`.
    pub tenant_tag: Option<String>,
    /// Require SSE-KMS (not SSE-S3) on every bucket (6).
    pub require_kms: bool,
    /// Outside AWS accounts (12-digit ids) the customer knows and lets assume roles (4.a).
    /// Any other account a trust policy names, without `sts:ExternalId` or an
    /// organization condition, is open access.
    pub trusted_accounts: Vec<String>,
}

/// The whole file: what to scan, the input files, and the [`Settings`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Regions to scan when `--region` is not given.
    pub regions: Vec<String>,
    /// Only these checks (ids); empty means all.
    pub checks: Vec<String>,
    /// Only checks evidencing these section or measure ids; empty means all.
    pub sections: Vec<String>,
    /// Attestation file, relative to this file's directory.
    pub attestations: Option<PathBuf>,
    /// Waiver file, relative to this file's directory.
    pub waivers: Option<PathBuf>,
    /// Accounts to scan by assumed role when neither --org nor --accounts is given.
    pub accounts: Vec<String>,
    /// Bound on the whole scan, e.g. `"15m"` (`--timeout` overrides it).
    pub timeout: Option<String>,
    pub settings: Settings,
}

/// The file as written: the settings' own keys sit at the top beside the scan's. Not
/// `#[serde(flatten)]`: that buffers the file and loses every line number toml would
/// otherwise put in its messages.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct File {
    regions: Vec<String>,
    checks: Vec<String>,
    sections: Vec<String>,
    attestations: Option<PathBuf>,
    waivers: Option<PathBuf>,
    accounts: Vec<String>,
    timeout: Option<String>,
    thresholds: Thresholds,
    allowed_regions: Vec<String>,
    tenant_tag: Option<String>,
    require_kms: bool,
    trusted_accounts: Vec<String>,
}

impl From<File> for Config {
    fn from(f: File) -> Config {
        Config {
            regions: f.regions,
            checks: f.checks,
            sections: f.sections,
            attestations: f.attestations,
            waivers: f.waivers,
            accounts: f.accounts,
            timeout: f.timeout,
            settings: Settings {
                thresholds: f.thresholds,
                allowed_regions: f.allowed_regions,
                tenant_tag: f.tenant_tag,
                require_kms: f.require_kms,
                trusted_accounts: f.trusted_accounts,
            },
        }
    }
}

const KIND: &str = "config file";

pub const DEFAULT_CONFIG_FILE: &str = "tomscan.toml";

impl Config {
    /// Reads `path`, or `./tomscan.toml` when no path is given and that file exists.
    pub fn load(path: Option<&Path>) -> Result<Config, InputError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_CONFIG_FILE);
                if !p.exists() {
                    return Ok(Config::default());
                }
                p
            }
        };
        Config::parse(&diagnostics::read(KIND, &path)?, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, InputError> {
        let shown = path.display().to_string();
        let input = Input {
            kind: KIND,
            path: &shown,
            text,
        };
        let mut config: Config = input.toml::<File>()?.into();
        config.validate(&input)?;
        if let Some(dir) = path.parent() {
            for file in [&mut config.attestations, &mut config.waivers]
                .into_iter()
                .flatten()
            {
                *file = dir.join(&*file);
            }
        }
        Ok(config)
    }

    /// The scan bound `timeout` sets (checked when the file was read).
    pub fn timeout(&self) -> Option<std::time::Duration> {
        self.timeout
            .as_deref()
            .and_then(|t| crate::deadline::parse_duration(t).ok())
    }

    fn validate(&self, input: &Input<'_>) -> Result<(), InputError> {
        let bad = |key: &str, value: String, fix: &str| {
            input.key(
                key.rsplit('.').next().unwrap_or(key),
                format!("{key} = {value}: {fix}"),
            )
        };
        for (key, value, range, fix) in self.settings.thresholds.limits() {
            if !range.contains(&value) {
                return Err(bad(&format!("thresholds.{key}"), value.to_string(), fix));
            }
        }
        if let Some(t) = &self.timeout
            && crate::deadline::parse_duration(t).is_err()
        {
            return Err(bad(
                "timeout",
                format!("{t:?}"),
                "write a number and a unit (ms, s, m, h), e.g. \"90s\", \"15m\", \"1h30m\"",
            ));
        }
        for (key, list) in [
            ("regions", &self.regions),
            ("allowed_regions", &self.settings.allowed_regions),
        ] {
            if let Some(r) = list.iter().find(|r| !is_region_name(r)) {
                return Err(bad(
                    key,
                    format!("{r:?}"),
                    "use AWS region names such as \"eu-central-1\"",
                ));
            }
        }
        if let Some(a) = self
            .accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad(
                "accounts",
                format!("{a:?}"),
                "use 12-digit AWS account ids such as \"111122223333\"",
            ));
        }
        if let Some(a) = self
            .settings
            .trusted_accounts
            .iter()
            .find(|a| a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(bad(
                "trusted_accounts",
                format!("{a:?}"),
                "use 12-digit AWS account ids such as \"111122223333\"",
            ));
        }
        if self
            .settings
            .tenant_tag
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(bad(
                "tenant_tag",
                "\"\"".into(),
                "name the tag key, or leave the key out",
            ));
        }
        Ok(())
    }
}

/// `eu-central-1`, `us-gov-west-1`, `cn-north-1`: letters, a dash-separated middle, a number.
/// `eu-central-1`, `us-gov-west-1`: the shape of an AWS region name.
pub fn is_region_name(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, InputError> {
        Config::parse(text, Path::new("conf/tomscan.toml"))
    }

    #[test]
    fn timeout_is_a_duration_or_a_line_numbered_error() {
        let ok = parse("timeout = \"15m\"\n").unwrap();
        assert_eq!(ok.timeout(), Some(std::time::Duration::from_secs(900)));
        let err = parse("regions = []\ntimeout = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("conf/tomscan.toml:2:") && err.contains("e.g. \"90s\""),
            "{err}"
        );
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(Settings::default().thresholds.password_min_length, 14);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("regions = [\"eu-west-1\"]\n[thresholds]\npassword_min_lenght = 12\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("conf/tomscan.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("password_min_lenght"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = parse("\n[thresholds]\nroot_unused_days = \"ninety\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("conf/tomscan.toml"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_value_names_key_and_fix() {
        let err = parse("[thresholds]\npassword_reuse_prevention = 30\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("thresholds.password_reuse_prevention = 30"),
            "{err}"
        );
        assert!(err.contains("1 to 24"), "{err}");
    }

    #[test]
    fn top_level_options_reach_the_settings() {
        let c = parse("allowed_regions = [\"eu-central-1\"]\ntenant_tag = \"customer\"\nrequire_kms = true\nattestations = \"att.toml\"\nwaivers = \"w.toml\"\n[thresholds]\ncredentials_unused_days = 30\n").unwrap();
        let s = &c.settings;
        assert_eq!(s.allowed_regions, ["eu-central-1"]);
        assert_eq!(s.tenant_tag.as_deref(), Some("customer"));
        assert!(s.require_kms);
        assert_eq!(s.thresholds.credentials_unused_days, 30);
        assert_eq!(c.attestations.as_deref(), Some(Path::new("conf/att.toml")));
        assert_eq!(c.waivers.as_deref(), Some(Path::new("conf/w.toml")));
    }

    #[test]
    fn accounts_must_be_account_ids() {
        assert_eq!(
            parse("accounts = [\"111122223333\"]\n").unwrap().accounts,
            ["111122223333"]
        );
        let err = parse("accounts = [\"prod\"]\n").unwrap_err().to_string();
        assert!(
            err.contains("accounts = \"prod\"") && err.contains("12-digit"),
            "{err}"
        );
    }

    #[test]
    fn bad_region_name_is_named() {
        let err = parse("allowed_regions = [\"Frankfurt\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("allowed_regions = \"Frankfurt\"") && err.contains("eu-central-1"),
            "{err}"
        );
    }

    #[test]
    fn trusted_accounts_reach_the_settings_and_bad_ids_name_the_line() {
        let c = parse("trusted_accounts = [\"111122223333\"]\n").unwrap();
        assert_eq!(c.settings.trusted_accounts, ["111122223333"]);
        let err = parse("regions = []\ntrusted_accounts = [\"arn:aws:iam::111122223333:root\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("conf/tomscan.toml:2:")
                && err.contains("trusted_accounts = \"arn:aws:iam::111122223333:root\"")
                && err.contains("12-digit"),
            "{err}"
        );
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/tomscan.toml"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/tomscan.toml"));
    }
}
