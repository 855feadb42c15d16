//! The judgement every check of "who outside can reach this" shares: a copy of data
//! (snapshot, image) by who it is shared with, and, for any resource judged private, the
//! second opinion of IAM Access Analyzer, which turns a pass into a fail when AWS's own
//! reading finds external access that tomscan's did not.

use serde_json::{Value, json};

use crate::check::Cx;
use crate::engine::access::{Audience, SecondOpinion, second_opinion};

/// A copy of customer data that can be shared with other accounts.
pub struct Copy<'a> {
    /// What it is, for the message: `EBS snapshot`.
    pub what: &'static str,
    /// What a stranger does with it: `create a volume from it`.
    pub anyone_can: &'static str,
    /// Its grantees: `all`, account ids, ARNs.
    pub shared_with: &'a [String],
    /// Whether its data is encrypted, where that is known (said beside a share).
    pub encrypted: Option<bool>,
    /// Whether IAM Access Analyzer analyzes this kind of resource (it does snapshots,
    /// not AMIs), so that its findings are a second opinion here.
    pub analyzed: bool,
}

/// Fails a copy shared with everyone or with an account that is neither this one, its
/// organization's, nor trusted; otherwise passes it, unless Access Analyzer disagrees.
pub fn judge_copy(cx: &mut Cx<'_>, region: &str, arn: &str, copy: Copy<'_>, mut evidence: Value) {
    let sharing = Audience::of(cx.inv, cx.settings).sharing(copy.shared_with);
    evidence["shared_with"] = json!(copy.shared_with);
    evidence["external"] = json!(sharing.external);
    evidence["organization_accounts_known"] = json!(sharing.organization_accounts_known);
    let mut message = sharing.describe(copy.what, copy.anyone_can);
    if sharing.is_external() {
        if copy.encrypted == Some(false) {
            message.push_str(", and it is not encrypted");
        }
        cx.fail(region, arn, message, evidence);
    } else if copy.analyzed {
        pass_unless_analyzer_disagrees(cx, region, arn, message, evidence);
    } else {
        cx.pass(region, arn, message, evidence);
    }
}

/// Passes a resource tomscan judged unreachable from outside, unless an active
/// external-access finding of IAM Access Analyzer names it: then it fails, with the
/// finding as evidence. Analyzers see grants tomscan does not model (a new resource
/// type's policy, a condition it reads as narrowing), so their word is never overruled
/// by a pass. Without an analyzer, or with its findings unreadable, tomscan's own
/// reading stands, and the evidence says so.
pub fn pass_unless_analyzer_disagrees(
    cx: &mut Cx<'_>,
    region: &str,
    arn: &str,
    message: impl Into<String>,
    mut evidence: Value,
) {
    let message = message.into();
    let audience = Audience::of(cx.inv, cx.settings);
    let opinion = second_opinion(cx.inv, &audience, arn);
    evidence["access_analyzer"] = opinion.evidence();
    match opinion {
        SecondOpinion::External(findings) => {
            let who: Vec<String> = findings
                .iter()
                .map(|f| {
                    if f.is_public {
                        format!("finding {}: public", f.id)
                    } else {
                        let principals: Vec<&str> =
                            f.principal.values().map(String::as_str).collect();
                        format!("finding {}: {}", f.id, principals.join(", "))
                    }
                })
                .collect();
            cx.fail(
                region,
                arn,
                format!(
                    "{message}; but IAM Access Analyzer reports active external access to it ({}), which this reading does not account for: review the finding",
                    who.join("; ")
                ),
                evidence,
            );
        }
        SecondOpinion::NoFinding
        | SecondOpinion::NoAnalyzer
        | SecondOpinion::Unreadable(_)
        | SecondOpinion::NotConsulted => cx.pass(region, arn, message, evidence),
    }
}
