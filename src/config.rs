//! `tomscan.toml`: thresholds and scan selection.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Thresholds the checks judge against. Defaults follow CIS AWS Foundations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
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

impl Default for Settings {
    fn default() -> Self {
        Settings {
            password_min_length: 14,
            password_max_age_days: 90,
            password_reuse_prevention: 24,
            root_unused_days: 90,
            credentials_unused_days: 45,
            access_key_max_age_days: 90,
            initial_password_days: 7,
            allowed_regions: Vec::new(),
            tenant_tag: None,
            require_kms: false,
            trusted_accounts: Vec::new(),
        }
    }
}

/// The whole file. Thresholds sit in `[thresholds]`; everything else at the top.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Regions to scan when `--region` is not given.
    pub regions: Vec<String>,
    /// Only these checks (ids); empty means all.
    pub checks: Vec<String>,
    /// Only checks evidencing these section or measure ids; empty means all.
    pub sections: Vec<String>,
    /// Hosting jurisdiction (measure 3).
    pub allowed_regions: Vec<String>,
    /// Tenant tag key (measure 9.b).
    pub tenant_tag: Option<String>,
    pub require_kms: bool,
    /// Outside accounts roles may trust (measure 4.a).
    pub trusted_accounts: Vec<String>,
    /// Attestation file, relative to this file's directory.
    pub attestations: Option<PathBuf>,
    /// Waiver file, relative to this file's directory.
    pub waivers: Option<PathBuf>,
    /// Accounts to scan by assumed role when neither --org nor --accounts is given.
    pub accounts: Vec<String>,
    /// Bound on the whole scan, e.g. `"15m"` (`--timeout` overrides it).
    pub timeout: Option<String>,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub password_min_length: u32,
    pub password_max_age_days: u32,
    pub password_reuse_prevention: u32,
    pub root_unused_days: u32,
    pub credentials_unused_days: u32,
    pub access_key_max_age_days: u32,
    pub initial_password_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        let s = Settings::default();
        Thresholds {
            password_min_length: s.password_min_length,
            password_max_age_days: s.password_max_age_days,
            password_reuse_prevention: s.password_reuse_prevention,
            root_unused_days: s.root_unused_days,
            credentials_unused_days: s.credentials_unused_days,
            access_key_max_age_days: s.access_key_max_age_days,
            initial_password_days: s.initial_password_days,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid config file {path}, line {line}: {key} = {value}: {fix}")]
    Value {
        path: PathBuf,
        line: usize,
        key: &'static str,
        value: String,
        fix: &'static str,
    },
}

pub const DEFAULT_CONFIG_FILE: &str = "tomscan.toml";

impl Config {
    /// Reads `path`, or `./tomscan.toml` when no path is given and that file exists.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
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
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&text, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            // toml's message already names the line, column and key.
            message: e.to_string().trim_end().to_string(),
        })?;
        config.validate(path, text)?;
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

    /// What the checks judge against.
    pub fn settings(&self) -> Settings {
        let t = &self.thresholds;
        Settings {
            password_min_length: t.password_min_length,
            password_max_age_days: t.password_max_age_days,
            password_reuse_prevention: t.password_reuse_prevention,
            root_unused_days: t.root_unused_days,
            credentials_unused_days: t.credentials_unused_days,
            access_key_max_age_days: t.access_key_max_age_days,
            initial_password_days: t.initial_password_days,
            allowed_regions: self.allowed_regions.clone(),
            tenant_tag: self.tenant_tag.clone(),
            require_kms: self.require_kms,
            trusted_accounts: self.trusted_accounts.clone(),
        }
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let t = &self.thresholds;
        let bad = |key: &'static str, value: String, fix| ConfigError::Value {
            path: path.to_path_buf(),
            line: line_of_key(text, key.rsplit('.').next().unwrap_or(key)),
            key,
            value,
            fix,
        };
        let ranges: [(
            &'static str,
            u32,
            std::ops::RangeInclusive<u32>,
            &'static str,
        ); 7] = [
            (
                "thresholds.password_min_length",
                t.password_min_length,
                6..=128,
                "IAM accepts 6 to 128",
            ),
            (
                "thresholds.password_max_age_days",
                t.password_max_age_days,
                1..=1095,
                "IAM accepts 1 to 1095 days",
            ),
            (
                "thresholds.password_reuse_prevention",
                t.password_reuse_prevention,
                1..=24,
                "IAM accepts 1 to 24",
            ),
            (
                "thresholds.root_unused_days",
                t.root_unused_days,
                1..=3650,
                "use 1 to 3650 days",
            ),
            (
                "thresholds.credentials_unused_days",
                t.credentials_unused_days,
                1..=3650,
                "use 1 to 3650 days",
            ),
            (
                "thresholds.access_key_max_age_days",
                t.access_key_max_age_days,
                1..=3650,
                "use 1 to 3650 days",
            ),
            (
                "thresholds.initial_password_days",
                t.initial_password_days,
                1..=3650,
                "use 1 to 3650 days",
            ),
        ];
        for (key, value, range, fix) in ranges {
            if !range.contains(&value) {
                return Err(bad(key, value.to_string(), fix));
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
            ("allowed_regions", &self.allowed_regions),
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

/// The line a key is set on (values only fail validation when the file sets them).
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

/// `eu-central-1`, `us-gov-west-1`, `cn-north-1`: letters, a dash-separated middle, a number.
fn is_region_name(r: &str) -> bool {
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

    fn parse(text: &str) -> Result<Config, ConfigError> {
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
            err.contains("line 2") && err.contains("e.g. \"90s\""),
            "{err}"
        );
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(Settings::default().password_min_length, 14);
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
        let s = c.settings();
        assert_eq!(s.allowed_regions, ["eu-central-1"]);
        assert_eq!(s.tenant_tag.as_deref(), Some("customer"));
        assert!(s.require_kms);
        assert_eq!(s.credentials_unused_days, 30);
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
        assert_eq!(c.settings().trusted_accounts, ["111122223333"]);
        let err = parse("regions = []\ntrusted_accounts = [\"arn:aws:iam::111122223333:root\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2")
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
