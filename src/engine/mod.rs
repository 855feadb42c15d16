//! The engines: one answer each to a question several checks ask. Checks judge what the
//! engines compute and never compare CIDRs or action strings themselves (a meta-test in
//! `tests/checks.rs` keeps it that way).
//!
//! - [`net`]: which addresses a security group or network ACL lets reach a port;
//! - [`perms`]: what identity policies allow on every resource, and whether that is
//!   administrator or a published way to become one.

pub mod net;
pub mod perms;
