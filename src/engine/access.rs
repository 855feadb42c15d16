//! Who outside can reach a resource. Every grantee a share, an ACL or a resource policy
//! names is sorted into one [`Party`]: this account, an account of its organization, an
//! account the customer vouches for (`trusted_accounts`), everyone, or an outsider. Checks
//! ask [`Audience::party`] and never compare account ids themselves, so "this account",
//! "our organization" and "a partner we know" mean the same in every check.
//!
//! The organization's accounts are known when the scan listed them (`scan --org` files
//! them in the inventory); a single-account scan knows only its own and the trusted ones,
//! so a share with a sister account is named an outsider there, with the advice to list it
//! in `trusted_accounts` or scan the organization. That errs towards `fail`, never `pass`.

use std::fmt;

use serde::Serialize;

use crate::config::Settings;
use crate::inventory::{AnalyzerFinding, Collected, Inventory, Unavailable};

/// Where a grantee stands relative to the scanned account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "party", content = "account", rename_all = "snake_case")]
pub enum Party {
    /// The scanned account itself.
    Own,
    /// Another account of the same organization, as the organization scan listed it.
    Organization(String),
    /// An account listed in `trusted_accounts`.
    Trusted(String),
    /// Every AWS account, or anyone at all (`all`, `*`, AllUsers, AuthenticatedUsers).
    Everyone,
    /// An account that is none of the above.
    Outside(String),
    /// A grantee that names no account this engine can read (a canonical user id, a
    /// malformed ARN): never trusted, so judged as an outsider.
    Unknown(String),
}

impl Party {
    /// Outside the customer's reach: everyone, an unknown account, or an unreadable grantee.
    pub fn is_external(&self) -> bool {
        matches!(
            self,
            Party::Everyone | Party::Outside(_) | Party::Unknown(_)
        )
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Own => f.write_str("this account"),
            Party::Organization(a) => write!(f, "organization account {a}"),
            Party::Trusted(a) => write!(f, "trusted account {a}"),
            Party::Everyone => f.write_str("everyone"),
            Party::Outside(a) => write!(f, "account {a}"),
            Party::Unknown(g) => write!(f, "grantee {g}"),
        }
    }
}

/// The accounts the customer knows: its own, its organization's, and the trusted ones.
#[derive(Debug, Clone)]
pub struct Audience<'a> {
    own: &'a str,
    organization: &'a [String],
    trusted: &'a [String],
}

impl<'a> Audience<'a> {
    pub fn new(own: &'a str, organization: &'a [String], trusted: &'a [String]) -> Self {
        Audience {
            own,
            organization,
            trusted,
        }
    }

    /// The audience of a scanned account under the scan's settings.
    pub fn of(inv: &'a Inventory, settings: &'a Settings) -> Self {
        Audience::new(
            &inv.account_id,
            &inv.organization_accounts,
            &settings.trusted_accounts,
        )
    }

    /// Whether the organization's member list is known (an organization scan).
    pub fn knows_organization(&self) -> bool {
        !self.organization.is_empty()
    }

    /// The party of one grantee: an account id, a principal ARN, `all` or `*`.
    pub fn party(&self, grantee: &str) -> Party {
        if grantee == "*" || grantee.eq_ignore_ascii_case("all") {
            return Party::Everyone;
        }
        match account_of(grantee) {
            Some(a) => self.party_of_account(a),
            None => Party::Unknown(grantee.to_string()),
        }
    }

    fn party_of_account(&self, account: &str) -> Party {
        if account == self.own {
            Party::Own
        } else if self.organization.iter().any(|o| o == account) {
            Party::Organization(account.to_string())
        } else if self.trusted.iter().any(|t| t == account) {
            Party::Trusted(account.to_string())
        } else {
            Party::Outside(account.to_string())
        }
    }

    /// The external parties among `grantees`, in order, each once.
    pub fn external<'g>(&self, grantees: impl IntoIterator<Item = &'g str>) -> Vec<Party> {
        let mut out: Vec<Party> = Vec::new();
        for g in grantees {
            let p = self.party(g);
            if p.is_external() && !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// External parties named for a finding: `everyone`, and each outsider with why it is
/// one (`account 999988887777 (not this account, ...)`).
pub fn name_outsiders(parties: &[Party], organization_known: bool) -> String {
    let mut names: Vec<String> = Vec::new();
    if parties.contains(&Party::Everyone) {
        names.push("everyone".into());
    }
    let others: Vec<String> = parties
        .iter()
        .filter(|p| **p != Party::Everyone)
        .map(ToString::to_string)
        .collect();
    if !others.is_empty() {
        names.push(format!(
            "{} (not this account, its organization's, nor in trusted_accounts{})",
            others.join(", "),
            if organization_known {
                ""
            } else {
                "; a sister account is known only when the organization is scanned: scan --org"
            }
        ));
    }
    names.join(" and ")
}

/// Who a copy of data (an EBS snapshot, an AMI, a DB snapshot) is shared with, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sharing {
    /// The external parties among the grantees, in order, each once.
    pub external: Vec<Party>,
    /// How many grantees there are, external or not.
    pub grantees: usize,
    /// Whether the organization's accounts were known (an organization scan).
    pub organization_accounts_known: bool,
}

impl Audience<'_> {
    /// Judges the grantees of a share: `all`, account ids, or ARNs naming an account (an
    /// AMI's organization and OU grantees stand where their management account stands).
    pub fn sharing(&self, grantees: &[String]) -> Sharing {
        Sharing {
            external: self.external(grantees.iter().map(String::as_str)),
            grantees: grantees.len(),
            organization_accounts_known: self.knows_organization(),
        }
    }
}

impl Sharing {
    pub fn is_external(&self) -> bool {
        !self.external.is_empty()
    }

    pub fn is_public(&self) -> bool {
        self.external.contains(&Party::Everyone)
    }

    /// One sentence for a finding: `what` is the copy ("EBS snapshot"), `anyone_can`
    /// what a stranger does with it ("create a volume from it").
    pub fn describe(&self, what: &str, anyone_can: &str) -> String {
        if !self.is_external() {
            return if self.grantees == 0 {
                format!("the {what} is shared with no other account")
            } else {
                format!("the {what} is shared only with this organization's or trusted accounts")
            };
        }
        let others: Vec<Party> = self
            .external
            .iter()
            .filter(|p| **p != Party::Everyone)
            .cloned()
            .collect();
        let others = name_outsiders(&others, self.organization_accounts_known);
        if !self.is_public() {
            return format!("the {what} is shared with {others}");
        }
        let mut m = format!("the {what} is public: any AWS account can {anyone_can}");
        if !others.is_empty() {
            m.push_str(&format!("; it is also shared with {others}"));
        }
        m
    }
}

/// IAM Access Analyzer's opinion of one resource: a second reading, beside tomscan's own,
/// of who outside can reach it. Where the two disagree, the resource does not pass.
/// An account analyzer's zone of trust is the account, so it also reports the
/// organization's and trusted accounts: only findings that name someone outside the
/// audience (or everyone, or a principal that names no account) are a disagreement.
#[derive(Debug, Clone, PartialEq)]
pub enum SecondOpinion<'a> {
    /// Active findings on the resource that name someone outside the audience.
    External(Vec<&'a AnalyzerFinding>),
    /// Analyzers run and were read, and none reports the resource to someone outside.
    NoFinding,
    /// No active external-access analyzer anywhere in the scanned regions.
    NoAnalyzer,
    /// An active analyzer's findings, or a region's analyzers, could not be read (and
    /// none that could be read names the resource).
    Unreadable(&'a Unavailable),
    /// The inventory holds no analyzers: the check did not ask for them.
    NotConsulted,
}

impl SecondOpinion<'_> {
    /// For a finding's evidence.
    pub fn evidence(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            SecondOpinion::External(f) => json!({ "active_findings": f }),
            SecondOpinion::NoFinding => json!("no active external-access finding"),
            SecondOpinion::NoAnalyzer => json!("no active external-access analyzer"),
            SecondOpinion::Unreadable(u) => json!({ "unreadable": u }),
            SecondOpinion::NotConsulted => json!("not consulted"),
        }
    }
}

/// What the scanned regions' external-access analyzers say of `resource` (an ARN).
/// Global resources (roles, buckets) are matched in whichever region reports them.
pub fn second_opinion<'a>(
    inv: &'a Inventory,
    audience: &Audience<'_>,
    resource: &str,
) -> SecondOpinion<'a> {
    let outside = |f: &AnalyzerFinding| {
        f.is_public
            || f.principal.is_empty()
            || f.principal
                .iter()
                .any(|(kind, who)| kind != "AWS" || audience.party(who).is_external())
    };
    let mut found = Vec::new();
    let (mut listed, mut analyzers) = (false, 0);
    let mut unreadable = None;
    for facts in inv.regional.values() {
        let list = match &facts.access_analyzers {
            Collected::Ok(list) => list,
            Collected::Unavailable(u) => {
                unreadable.get_or_insert(u);
                continue;
            }
            Collected::NotCollected => continue,
        };
        listed = true;
        for a in list.iter().filter(|a| a.finds_external_access()) {
            analyzers += 1;
            match &a.findings {
                Collected::Ok(f) => {
                    found.extend(f.iter().filter(|f| f.resource == resource && outside(f)))
                }
                Collected::Unavailable(u) => {
                    unreadable.get_or_insert(u);
                }
                Collected::NotCollected => {}
            }
        }
    }
    if !found.is_empty() {
        SecondOpinion::External(found)
    } else if let Some(u) = unreadable {
        SecondOpinion::Unreadable(u)
    } else if !listed {
        SecondOpinion::NotConsulted
    } else if analyzers == 0 {
        SecondOpinion::NoAnalyzer
    } else {
        SecondOpinion::NoFinding
    }
}

/// The 12-digit account a grantee names: itself, or the account field of an ARN.
pub fn account_of(grantee: &str) -> Option<&str> {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if is_account(grantee) {
        return Some(grantee);
    }
    let mut parts = grantee.splitn(6, ':');
    let arn = parts.next() == Some("arn");
    let account = parts.nth(3);
    match account {
        Some(a) if arn && is_account(a) && parts.next().is_some() => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OWN: &str = "123456789012";

    fn org() -> Vec<String> {
        vec!["210987654321".into()]
    }
    fn trusted() -> Vec<String> {
        vec!["111122223333".into()]
    }

    #[test]
    fn parties_table() {
        let (org, trusted) = (org(), trusted());
        let a = Audience::new(OWN, &org, &trusted);
        let cases: &[(&str, Party)] = &[
            ("123456789012", Party::Own),
            ("arn:aws:iam::123456789012:root", Party::Own),
            ("arn:aws:iam::123456789012:role/x", Party::Own),
            ("210987654321", Party::Organization("210987654321".into())),
            (
                "arn:aws-cn:iam::111122223333:user/p",
                Party::Trusted("111122223333".into()),
            ),
            ("all", Party::Everyone),
            ("ALL", Party::Everyone),
            ("*", Party::Everyone),
            ("999999999999", Party::Outside("999999999999".into())),
            (
                "arn:aws:iam::999999999999:root",
                Party::Outside("999999999999".into()),
            ),
            // Not an account: unreadable grantees are never trusted.
            ("12345678901", Party::Unknown("12345678901".into())),
            (
                "arn:aws:iam::12345678901x:root",
                Party::Unknown("arn:aws:iam::12345678901x:root".into()),
            ),
            (
                "arn:aws:iam::123456789012",
                Party::Unknown("arn:aws:iam::123456789012".into()),
            ),
            (
                "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
                Party::Unknown(
                    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be".into(),
                ),
            ),
        ];
        for (grantee, want) in cases {
            assert_eq!(&a.party(grantee), want, "{grantee}");
        }
    }

    #[test]
    fn external_keeps_order_and_drops_known_and_repeated_parties() {
        let (org, trusted) = (org(), trusted());
        let a = Audience::new(OWN, &org, &trusted);
        let got = a.external(["999999999999", OWN, "all", "210987654321", "999999999999"]);
        assert_eq!(
            got,
            [Party::Outside("999999999999".into()), Party::Everyone]
        );
        assert!(a.knows_organization());
        assert!(!Audience::new(OWN, &[], &trusted).knows_organization());
    }

    #[test]
    fn second_opinion_counts_only_findings_outside_the_audience() {
        use crate::inventory::{AccessAnalyzer, AnalyzerStatus, AnalyzerType, Regional};
        const BUCKET: &str = "arn:aws:s3:::b";
        let finding = |principal: &[(&str, &str)], public: bool| AnalyzerFinding {
            id: "f".into(),
            resource: BUCKET.into(),
            principal: principal
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            is_public: public,
            ..Default::default()
        };
        let inv_with = |kind: AnalyzerType, findings: Collected<Vec<AnalyzerFinding>>| {
            let mut inv = Inventory {
                account_id: OWN.into(),
                ..Default::default()
            };
            inv.regional.insert(
                "eu-west-1".into(),
                Regional {
                    access_analyzers: Collected::Ok(vec![AccessAnalyzer {
                        kind,
                        status: AnalyzerStatus::Active,
                        findings,
                        ..Default::default()
                    }]),
                    ..Default::default()
                },
            );
            inv
        };
        let (org, trusted) = (org(), trusted());
        let a = Audience::new(OWN, &org, &trusted);
        let judge = |f: Vec<AnalyzerFinding>| {
            let inv = inv_with(AnalyzerType::Account, Collected::Ok(f));
            matches!(second_opinion(&inv, &a, BUCKET), SecondOpinion::External(_))
        };
        assert!(!judge(vec![finding(&[("AWS", "111122223333")], false)]));
        assert!(!judge(vec![finding(
            &[("AWS", "arn:aws:iam::210987654321:root")],
            false
        )]));
        assert!(judge(vec![finding(&[("AWS", "999999999999")], false)]));
        assert!(judge(vec![finding(&[], true)]));
        assert!(judge(vec![finding(
            &[("Federated", "cognito-identity.amazonaws.com")],
            false
        )]));
        // Another resource's finding says nothing of this one.
        let mut other = finding(&[("AWS", "999999999999")], false);
        other.resource = "arn:aws:s3:::other".into();
        assert!(!judge(vec![other]));
        let unused = inv_with(AnalyzerType::AccountUnusedAccess, Collected::NotCollected);
        assert_eq!(
            second_opinion(&unused, &a, BUCKET),
            SecondOpinion::NoAnalyzer
        );
        let denied = Unavailable {
            action: "access-analyzer:ListFindings".into(),
            code: "AccessDeniedException".into(),
            message: String::new(),
        };
        let unread = inv_with(
            AnalyzerType::Account,
            Collected::Unavailable(denied.clone()),
        );
        assert_eq!(
            second_opinion(&unread, &a, BUCKET),
            SecondOpinion::Unreadable(&denied)
        );
        let none = Inventory::default();
        assert_eq!(
            second_opinion(&none, &a, BUCKET),
            SecondOpinion::NotConsulted
        );
    }

    fn account() -> impl Strategy<Value = String> {
        "[0-9]{12}"
    }

    proptest! {
        /// An ARN stands where its account stands, whatever the partition, service or resource.
        #[test]
        fn an_arn_is_its_account(acct in account(), partition in "aws|aws-cn|aws-us-gov",
                                 service in "[a-z0-9-]{1,12}", resource in "[A-Za-z0-9/:_+=,.@-]{0,30}",
                                 org in proptest::collection::vec(account(), 0..3),
                                 trusted in proptest::collection::vec(account(), 0..3)) {
            let a = Audience::new(OWN, &org, &trusted);
            let arn = format!("arn:{partition}:{service}::{acct}:{resource}");
            prop_assert_eq!(a.party(&arn), a.party(&acct));
        }

        /// Known accounts are never external; every other account is.
        #[test]
        fn known_is_never_external(acct in account(),
                                   org in proptest::collection::vec(account(), 0..3),
                                   trusted in proptest::collection::vec(account(), 0..3)) {
            let a = Audience::new(OWN, &org, &trusted);
            let known = acct == OWN || org.contains(&acct) || trusted.contains(&acct);
            prop_assert_eq!(a.party(&acct).is_external(), !known);
        }

        /// Whatever is not an account id nor an ARN with one is never judged known.
        #[test]
        fn unreadable_grantees_are_external(g in "[^*]{0,40}") {
            prop_assume!(account_of(&g).is_none() && !g.eq_ignore_ascii_case("all"));
            let (org, trusted) = (org(), trusted());
            let a = Audience::new(OWN, &org, &trusted);
            prop_assert!(a.party(&g).is_external());
        }
    }
}
