use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "ACCT-02",
    slug: "security-contact-set",
    title: "A security alternate contact is registered",
    severity: Severity::Medium,
    sources: &[Source::AccountSecurityContact],
    rationale: "The TOM promises that security incidents are handled and reported without delay. AWS sends abuse reports and security notifications to the security alternate contact; without one they reach whoever owns the root mailbox, or nobody.",
    remediation: "aws account put-alternate-contact --alternate-contact-type SECURITY --name \"Security team\" --email-address security@example.com --phone-number \"+49 30 1234567\" --title \"Security\" (use a monitored team mailbox, not a person's).",
    references: &["CIS AWS 1.2", "Security Hub Account.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(contact) = cx.get(&inv.account.security_contact, GLOBAL) else {
        return;
    };
    let account = inv.account_arn();
    match contact {
        Some(c) if !c.email.trim().is_empty() => cx.pass(
            GLOBAL,
            &account,
            format!("security contact {} <{}> is registered", c.name, c.email),
            json!({ "security_contact": { "name": c.name, "email": c.email } }),
        ),
        Some(c) => cx.fail(
            GLOBAL,
            &account,
            "the security alternate contact has no email address",
            json!({ "security_contact": { "name": c.name, "email": c.email } }),
        ),
        None => cx.fail(
            GLOBAL,
            &account,
            "the account has no security alternate contact",
            json!({ "security_contact": null }),
        ),
    }
}
