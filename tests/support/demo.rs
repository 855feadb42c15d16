//! The demo account's report, judged offline from `mocks/inventories/demo.json` as of a
//! fixed instant, so renderer snapshots and browser tests see the same report every run.

use tomscan::assemble::{AccountMeta, Assembly};
use tomscan::attest::Attestations;
use tomscan::check::Status;
use tomscan::config::Settings;
use tomscan::evaluate::{Rules, Selection};
use tomscan::framework::Framework;
use tomscan::inventory::{Inventory, Unavailable};
use tomscan::report::{Report, Stats};

/// The instant the demo inventory is judged at.
pub const JUDGED_AT: &str = "2026-11-27T12:00:00Z";

/// The demo report, no attestations, no request figures.
pub fn report() -> Report {
    let inv = inventory();
    judged(Attestations::default(), |a, rules, now| {
        a.account(
            AccountMeta::of(&inv),
            rules.judge(&inv, selected(), true, now),
        );
    })
}

/// The demo report with the example attestations (`examples/attestations.toml`) and
/// request figures, as a real scan's report has them.
pub fn attested_report() -> Report {
    let attestations = Attestations::load(
        &super::project_dir().join("examples/attestations.toml"),
        &Framework::builtin(),
    )
    .unwrap();
    let inv = inventory();
    judged(attestations, |a, rules, now| {
        a.stats = Stats {
            duration_ms: 1834,
            requests: 36,
            retries: 2,
            ..Stats::default()
        };
        a.account(
            AccountMeta::of(&inv),
            rules.judge(&inv, selected(), true, now),
        );
    })
}

/// An organization of three: the demo account, a copy of it under another id with its
/// passes turned to failures, and one whose role could not be assumed.
pub fn org_report() -> Report {
    let inv = inventory();
    let mut worse = inv.clone();
    worse.account_id = "210987654321".into();
    judged(Attestations::default(), |a, rules, now| {
        let mut demo = AccountMeta::of(&inv);
        demo.name = Some("demo".into());
        a.account(demo, rules.judge(&inv, selected(), true, now));
        let failed = rules.judge(&worse, selected(), true, now);
        a.account(
            AccountMeta::of(&worse),
            failed.into_iter().map(|mut f| {
                if f.status == Status::Pass {
                    f.status = Status::Fail;
                }
                f
            }),
        );
        let refused = Unavailable {
            action:
                "sts:AssumeRole on arn:aws:iam::333344445555:role/OrganizationAccountAccessRole"
                    .into(),
            code: "AccessDenied".into(),
            message: "not authorized | <b>".into(),
        };
        a.account(
            AccountMeta {
                id: "333344445555".into(),
                name: Some("sandbox".into()),
                error: Some("sts:AssumeRole failed with AccessDenied".into()),
                ..Default::default()
            },
            rules.unreadable("333344445555", &refused, selected(), now),
        );
    })
}

fn inventory() -> Inventory {
    let path = super::project_dir().join("mocks/inventories/demo.json");
    Inventory::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every check of the built-in framework, as a default scan selects them.
fn selected() -> &'static [&'static tomscan::check::Check] {
    static CHECKS: std::sync::OnceLock<Vec<&'static tomscan::check::Check>> =
        std::sync::OnceLock::new();
    CHECKS.get_or_init(|| Selection::default().checks(&Framework::builtin()).unwrap())
}

/// A report of the built-in framework's full selection: `fill` files the accounts.
fn judged(
    attestations: Attestations,
    fill: impl FnOnce(&mut Assembly<'_>, &Rules<'_>, chrono::DateTime<chrono::Utc>),
) -> Report {
    let framework = Framework::builtin();
    let selection = Selection::default();
    let settings = Settings::default();
    let rules = Rules {
        framework: &framework,
        selection: &selection,
        settings: &settings,
        attestations: &attestations,
    };
    let now = JUDGED_AT.parse().unwrap();
    let mut assembly = Assembly::new(&framework, selected());
    fill(&mut assembly, &rules, now);
    assembly.report(now)
}
