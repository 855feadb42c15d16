//! The inventory: plain facts about an account, with no SDK types in it.
//!
//! It is the only thing checks see, so they stay pure functions, testable from JSON
//! fixtures, and a saved inventory can be evaluated again offline. Every source is a
//! [`Collected`], so a permission that was missing is carried to the checks as a fact
//! instead of reading as an empty list (and so as a PASS).

mod model;
pub mod policy;
pub mod source;
pub mod state;

pub use model::*;
pub use source::{Scope, Source, Spec};
pub use state::*;

use serde::{Deserialize, Serialize};

/// The outcome of collecting one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collected<T> {
    Ok(T),
    /// The source could not be read: a denied permission, an API the endpoint lacks, a
    /// disabled region. Checks that need it report `error` with these facts.
    Unavailable(Unavailable),
    /// No selected check needed the source, so the scan did not ask for it.
    #[default]
    NotCollected,
}

impl<T> Collected<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            Collected::Ok(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<Result<T, Unavailable>> for Collected<T> {
    fn from(r: Result<T, Unavailable>) -> Self {
        match r {
            Ok(v) => Collected::Ok(v),
            Err(u) => Collected::Unavailable(u),
        }
    }
}

/// Why a source could not be read, and the IAM action that was needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unavailable {
    /// The IAM action of the call that failed, e.g. `iam:GenerateCredentialReport`.
    pub action: String,
    /// The service's error code (`AccessDenied`, `UnauthorizedOperation`, ...), or a
    /// tomscan code such as `ConnectionFailed`, `NoCredentials`, `HttpError`,
    /// `InvalidResponse`, `Timeout` or `Deadline` (cut off by the scan's `--timeout`).
    pub code: String,
    pub message: String,
}

impl Unavailable {
    pub fn is_access_denied(&self) -> bool {
        is_access_denied_code(&self.code)
    }
}

/// AWS services spell "you may not" in many ways.
pub fn is_access_denied_code(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "UnauthorizedAccess"
            | "AuthorizationError"
            | "Forbidden"
            | "InvalidClientTokenId"
    ) || code.starts_with("AccessDenied")
}

/// Why a saved inventory cannot be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("not a tomscan inventory: {0} (write one with `tomscan scan --save-inventory FILE`)")]
    Parse(serde_json::Error),
    #[error(
        "inventory format {found} is not one this tomscan reads (format {INVENTORY_FORMAT_VERSION}): {hint}"
    )]
    Version { found: u64, hint: &'static str },
}

impl Inventory {
    /// Reads a saved inventory, refusing formats this build does not know: a field read
    /// with another meaning would judge facts that were never collected.
    pub fn from_json(text: &str) -> Result<Inventory, InventoryError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(InventoryError::Parse)?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if found != u64::from(INVENTORY_FORMAT_VERSION) {
            let hint = if found < u64::from(INVENTORY_FORMAT_VERSION) {
                "it was written by an older tomscan; scan the account again"
            } else {
                "it was written by a newer tomscan; upgrade this one"
            };
            return Err(InventoryError::Version { found, hint });
        }
        serde_json::from_value(value).map_err(InventoryError::Parse)
    }
}
