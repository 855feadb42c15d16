//! The engines: one answer each to a question several checks ask. Checks judge what the
//! engines compute and never compare CIDRs or action strings themselves (a meta-test in
//! `tests/checks.rs` keeps it that way).
//!
//! - [`net`]: which addresses a security group or network ACL lets reach a port;
//! - [`access`]: whether a grantee is this account, its organization, a trusted partner,
//!   everyone, or an outsider;
//! - [`refs`]: whether a setting's reference (a KMS key) points at something that exists
//!   and works;
//! - [`perms`]: what identity policies allow on every resource, and whether that is
//!   administrator or a published way to become one.

pub mod access;
pub mod net;
pub mod perms;
pub mod policy;
pub mod refs;
