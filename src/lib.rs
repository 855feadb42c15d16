//! tomscan: proves, measure by measure, whether an AWS account keeps the promises of a
//! Technical and Organisational Measures document.
//!
//! The flow: [`scan`] finds the accounts and regions; [`collect`] (the only code that
//! calls AWS, read-only) fills an [`inventory::Inventory`]; [`evaluate`] runs each
//! [`check::Check`] of the catalogue ([`checks`]), a pure function over it, asking the
//! [`engine`]s; [`assemble`] applies the waivers and weighs the findings per measure of a
//! [`framework`] ([`score`]); [`render`] turns the [`report::Report`] into each format.

pub mod assemble;
pub mod attest;
pub mod aws;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod collect;
pub mod config;
pub mod deadline;
pub mod diagnostics;
pub mod diff;
pub mod engine;
pub mod evaluate;
pub mod evidence;
pub mod findings;
pub mod framework;
pub mod interrupt;
pub mod inventory;
pub mod logging;
pub mod merge;
pub mod progress;
pub mod redact;
pub mod render;
pub mod report;
pub mod requests;
pub mod scan;
pub mod score;
pub mod shard;
pub mod waiver;

#[path = "../checks/mod.rs"]
pub mod checks;
