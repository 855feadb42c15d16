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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            password_min_length: 14,
            password_max_age_days: 90,
            password_reuse_prevention: 24,
            root_unused_days: 90,
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Regions to scan when `--region` is not given.
    pub regions: Vec<String>,
    /// Only these checks (ids); empty means all.
    pub checks: Vec<String>,
    /// Only checks evidencing these section or measure ids; empty means all.
    pub sections: Vec<String>,
    pub thresholds: Settings,
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
    #[error("invalid config file {path}: {key} = {value}: {fix}")]
    Value {
        path: PathBuf,
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
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            // toml's message already names the line, column and key.
            message: e.to_string().trim_end().to_string(),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let t = &self.thresholds;
        let bad = |key, value: u32, fix| ConfigError::Value {
            path: path.to_path_buf(),
            key,
            value: value.to_string(),
            fix,
        };
        if !(6..=128).contains(&t.password_min_length) {
            return Err(bad(
                "thresholds.password_min_length",
                t.password_min_length,
                "IAM accepts 6 to 128",
            ));
        }
        if !(1..=1095).contains(&t.password_max_age_days) {
            return Err(bad(
                "thresholds.password_max_age_days",
                t.password_max_age_days,
                "IAM accepts 1 to 1095 days",
            ));
        }
        if !(1..=24).contains(&t.password_reuse_prevention) {
            return Err(bad(
                "thresholds.password_reuse_prevention",
                t.password_reuse_prevention,
                "IAM accepts 1 to 24",
            ));
        }
        if t.root_unused_days == 0 {
            return Err(bad(
                "thresholds.root_unused_days",
                0,
                "use a number of days of at least 1",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("conf/tomscan.toml"))
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
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/tomscan.toml"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/tomscan.toml"));
    }
}
