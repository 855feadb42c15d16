//! The catalogue as a product: `tomscan checks`, `tomscan explain`, `tomscan
//! permissions`, and the README's check table, all from the checks' own metadata.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;
use serde_json::json;

use crate::check::Check;
use crate::checks::ALL;
use crate::framework::Framework;
use crate::inventory::source::SCAN_ACTIONS;

/// How `tomscan checks` prints the catalogue.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CatalogueFormat {
    Table,
    Json,
    Markdown,
}

pub fn render(format: CatalogueFormat) -> String {
    let framework = Framework::builtin();
    let by_check = framework.controls_by_check();
    let tom = |c: &Check| by_check.get(c.id).map(|v| v.join(", ")).unwrap_or_default();
    match format {
        CatalogueFormat::Table => {
            let mut t = Table::new();
            t.load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_header(vec!["ID", "TOM", "Severity", "Check"]);
            for c in ALL.iter() {
                t.add_row(vec![
                    c.id.to_string(),
                    tom(c),
                    c.severity.as_str().to_string(),
                    c.title.to_string(),
                ]);
            }
            format!("{t}\n{} checks\n", ALL.len())
        }
        CatalogueFormat::Json => {
            let list: Vec<_> = ALL
                .iter()
                .map(|c| {
                    json!({
                        "id": c.id, "slug": c.slug, "title": c.title, "severity": c.severity,
                        "sections": by_check.get(c.id).cloned().unwrap_or_default(),
                        "sources": c.sources, "actions": c.actions(),
                        "rationale": c.rationale, "remediation": c.remediation, "references": c.references,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).expect("plain data")
            )
        }
        CatalogueFormat::Markdown => {
            let mut s = String::from(
                "| ID | TOM | Severity | Check | References |\n|---|---|---|---|---|\n",
            );
            for c in ALL.iter() {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    c.id,
                    tom(c),
                    c.severity.as_str(),
                    c.title,
                    c.references.join(", ")
                ));
            }
            s
        }
    }
}

pub fn explain(c: &Check, framework: &Framework) -> String {
    let tom = framework
        .controls_by_check()
        .get(c.id)
        .map(|v| v.join(", "))
        .unwrap_or_default();
    format!(
        "{id}  {title}\n\nSeverity:     {sev}\nTOM measures: {tom}\nReferences:   {refs}\nIAM actions:  {actions}\n\nWhy\n  {why}\n\nFix\n  {fix}\n",
        id = c.id,
        title = c.title,
        sev = c.severity.as_str(),
        refs = c.references.join(", "),
        actions = c.actions().join(", "),
        why = c.rationale,
        fix = c.remediation,
    )
}

/// The least-privilege policy for `checks`: exactly the read actions their sources
/// call, plus the two every scan makes.
pub fn policy(checks: &[&Check]) -> String {
    policy_for(checks, None)
}

/// The organization-side actions of `scan --org`: read the account list and OU tree.
/// `organizations:DescribeOrganization` is not among them: the scan never calls it.
pub const ORG_ACTIONS: &[&str] = &[
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
];

/// The read-only policy for the selected checks; with `org_role`, a second statement
/// for the management account (or delegated administrator) of `scan --org`: list the
/// organization and assume `org_role` in its accounts. The member role itself needs
/// only the first statement.
pub fn policy_for(checks: &[&Check], org_role: Option<&str>) -> String {
    // Structs, not `json!`, so the key order is IAM's familiar one in every build.
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Policy<'a> {
        version: &'a str,
        statement: Vec<Statement<'a>>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Statement<'a> {
        sid: &'a str,
        effect: &'a str,
        action: Vec<&'a str>,
        resource: String,
    }
    let mut actions: Vec<&str> = checks
        .iter()
        .flat_map(|c| c.actions())
        .chain(SCAN_ACTIONS.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    let mut statement = vec![Statement {
        sid: "TomscanReadOnly",
        effect: "Allow",
        action: actions,
        resource: "*".into(),
    }];
    if let Some(role) = org_role {
        statement.push(Statement {
            sid: "TomscanListOrganization",
            effect: "Allow",
            action: ORG_ACTIONS.to_vec(),
            resource: "*".into(),
        });
        statement.push(Statement {
            sid: "TomscanAssumeMemberRole",
            effect: "Allow",
            action: vec!["sts:AssumeRole"],
            resource: format!("arn:aws:iam::*:role/{role}"),
        });
    }
    let doc = Policy {
        version: "2012-10-17",
        statement,
    };
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).expect("plain data")
    )
}
