//! The values AWS gives as fixed words (`running`, `ACTIVE`, `PendingDeletion`), as enums.
//! A check that compares them matches a variant, so a casing slip (`"Active"`) is a
//! compile error rather than a silent mismatch. Each enum keeps what it does not know as
//! [`Other`](InstanceState::Other), written back exactly as AWS wrote it, so a value AWS
//! adds tomorrow is still shown in evidence and never mistaken for a known one; saved
//! inventories and fixtures keep the plain strings.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an enum of AWS's words with an `Other(String)` variant, read and written as
/// the word itself.
macro_rules! aws_words {
    ($(
        $(#[$doc:meta])*
        pub enum $name:ident {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal,)*
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A word this tomscan does not know, exactly as AWS wrote it (empty when
            /// AWS said nothing).
            Other(String),
        }

        impl $name {
            /// Every known word, in declaration order.
            pub const KNOWN: &[&str] = &[$($text,)*];

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(Self::from(String::deserialize(deserializer)?.as_str()))
            }
        }
    )*};
}

aws_words! {
    /// An EC2 instance's state.
    pub enum InstanceState {
        Pending = "pending",
        Running = "running",
        ShuttingDown = "shutting-down",
        Terminated = "terminated",
        Stopping = "stopping",
        Stopped = "stopped",
    }

    /// A site-to-site VPN connection's state.
    pub enum VpnState {
        Pending = "pending",
        Available = "available",
        Deleting = "deleting",
        Deleted = "deleted",
    }

    /// A VPN tunnel's telemetry status.
    pub enum TunnelStatus {
        Up = "UP",
        Down = "DOWN",
    }

    /// A Client VPN endpoint's status.
    pub enum ClientVpnStatus {
        PendingAssociate = "pending-associate",
        Available = "available",
        Deleting = "deleting",
        Deleted = "deleted",
    }

    /// A flow log's status.
    pub enum FlowLogStatus {
        Active = "ACTIVE",
    }

    /// The traffic a flow log records.
    pub enum TrafficType {
        Accept = "ACCEPT",
        Reject = "REJECT",
        All = "ALL",
    }

    /// Whether a flow log's records reach their destination.
    pub enum DeliveryStatus {
        Success = "SUCCESS",
        Failed = "FAILED",
    }

    /// A network ACL entry's verdict.
    pub enum RuleAction {
        Allow = "allow",
        Deny = "deny",
    }

    /// A load balancer's type.
    pub enum LoadBalancerKind {
        Application = "application",
        Network = "network",
        Gateway = "gateway",
        /// A Classic Load Balancer, from its own API.
        Classic = "classic",
    }

    /// What a listener (or one of its rules) does with a request.
    pub enum ListenerActionKind {
        Forward = "forward",
        Redirect = "redirect",
        FixedResponse = "fixed-response",
        AuthenticateOidc = "authenticate-oidc",
        AuthenticateCognito = "authenticate-cognito",
    }

    /// Who manages a KMS key.
    pub enum KeyManager {
        Aws = "AWS",
        Customer = "CUSTOMER",
    }

    /// A KMS key's state.
    pub enum KeyState {
        Enabled = "Enabled",
        Disabled = "Disabled",
        PendingDeletion = "PendingDeletion",
        PendingImport = "PendingImport",
        PendingReplicaDeletion = "PendingReplicaDeletion",
        Unavailable = "Unavailable",
        Creating = "Creating",
        Updating = "Updating",
    }

    /// A KMS key's spec (only symmetric keys rotate).
    pub enum KeySpec {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
    }

    /// Where a KMS key's material comes from.
    pub enum KeyOrigin {
        AwsKms = "AWS_KMS",
        External = "EXTERNAL",
        AwsCloudHsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }

    /// An IAM Access Analyzer analyzer's type.
    pub enum AnalyzerType {
        Account = "ACCOUNT",
        Organization = "ORGANIZATION",
        AccountUnusedAccess = "ACCOUNT_UNUSED_ACCESS",
        OrganizationUnusedAccess = "ORGANIZATION_UNUSED_ACCESS",
    }

    /// An analyzer's status.
    pub enum AnalyzerStatus {
        Active = "ACTIVE",
        Creating = "CREATING",
        Disabled = "DISABLED",
        Failed = "FAILED",
    }

    /// A GuardDuty detector's status.
    pub enum DetectorStatus {
        Enabled = "ENABLED",
        Disabled = "DISABLED",
    }

    /// A bucket's versioning status (empty when never turned on).
    pub enum VersioningStatus {
        Enabled = "Enabled",
        Suspended = "Suspended",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_round_trip_and_others_are_kept_as_written() {
        for &w in KeyState::KNOWN {
            let s = KeyState::from(w);
            assert!(!matches!(s, KeyState::Other(_)), "{w}");
            assert_eq!(serde_json::to_value(&s).unwrap(), w);
        }
        let odd: KeyState = serde_json::from_str("\"enabled\"").unwrap();
        assert_eq!(odd, KeyState::Other("enabled".into()));
        assert_ne!(odd, KeyState::Enabled);
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"enabled\"");
        assert_eq!(InstanceState::default().as_str(), "");
    }
}
