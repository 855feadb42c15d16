//! Waivers: a known risk, accepted by someone, for a while. A waiver turns a matching
//! `fail` into `waived` with itself as the evidence; it never touches `pass`, `error` or
//! `manual` (a waiver accepts a known failure, it cannot vouch for what was not read).
//! An expired waiver waives nothing, and one that matches nothing is reported, so stale
//! waivers surface instead of piling up.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use wildmatch::WildMatch;

use crate::check::Status;
use crate::diagnostics::{self, Input, InputError};
use crate::report::Finding;

/// No waiver runs longer than this: a mute without an end is what waivers replace.
const MAX_YEARS: u32 = 3;

const KIND: &str = "waiver file";

#[derive(Debug, Clone, Serialize)]
pub struct Waiver {
    pub check: String,
    /// A glob (`*`, `?`) over the finding's resource; `None`: every resource of the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub reason: String,
    pub approved_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    pub expires: NaiveDate,
    /// `file:line` of the waiver, so a reader of the report can find it.
    pub source: String,
    #[serde(skip)]
    pattern: Option<WildMatch>,
}

impl Waiver {
    fn matches(&self, f: &Finding) -> bool {
        f.check_id.eq_ignore_ascii_case(&self.check)
            && self.account.as_ref().is_none_or(|a| *a == f.account)
            && self.pattern.as_ref().is_none_or(|p| p.matches(&f.resource))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Waivers(Vec<Waiver>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waiver: Vec<RawWaiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    resource: Option<Spanned<String>>,
    account: Option<Spanned<String>>,
    reason: Spanned<String>,
    approved_by: Spanned<String>,
    ticket: Option<String>,
    expires: Spanned<toml::value::Datetime>,
}

/// What applying the waivers did, for the warnings on stderr.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings turned `waived`.
    pub waived: usize,
    /// Waivers past their expiry, with the number of failures they would have matched.
    pub expired: Vec<(Waiver, usize)>,
    /// Waivers in force whose check ran but that matched no failure.
    pub unmatched: Vec<Waiver>,
}

impl Waivers {
    pub fn load(path: &Path, today: NaiveDate) -> Result<Waivers, InputError> {
        let text = diagnostics::read(KIND, path)?;
        Waivers::parse(&text, &path.display().to_string(), today)
    }

    /// `today` bounds the expiry (at most [`MAX_YEARS`] ahead); an already expired
    /// waiver loads, and is reported when applied.
    pub fn parse(text: &str, path: &str, today: NaiveDate) -> Result<Waivers, InputError> {
        let input = Input {
            kind: KIND,
            path,
            text,
        };
        let raw: RawFile = input.toml()?;
        let invalid = |offset: usize, key: &str, message: String| {
            input.at(offset, format!("{key}: {message}"))
        };
        let required = |s: &Spanned<String>, key: &'static str| {
            let v = s.get_ref().trim();
            if v.is_empty() {
                Err(invalid(
                    s.span().start,
                    key,
                    "must not be empty: a waiver says why and who accepted the risk".into(),
                ))
            } else {
                Ok(v.to_string())
            }
        };
        let mut waivers = Vec::with_capacity(raw.waiver.len());
        for w in raw.waiver {
            let Some(check) = crate::checks::find(w.check.get_ref()) else {
                return Err(invalid(
                    w.check.span().start,
                    "check",
                    format!(
                        "unknown check id {:?}: `tomscan checks` lists the ids (organisational measures are attested, not waived)",
                        w.check.get_ref()
                    ),
                ));
            };
            let resource = match &w.resource {
                Some(r) => Some(required(r, "resource")?),
                None => None,
            };
            let account = match &w.account {
                Some(a)
                    if a.get_ref().len() == 12
                        && a.get_ref().bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Some(a.get_ref().clone())
                }
                Some(a) => {
                    return Err(invalid(
                        a.span().start,
                        "account",
                        format!("{:?} is not a 12-digit AWS account id", a.get_ref()),
                    ));
                }
                None => None,
            };
            let expires = w
                .expires
                .get_ref()
                .date
                .filter(|_| w.expires.get_ref().time.is_none())
                .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()))
                .ok_or_else(|| {
                    invalid(
                        w.expires.span().start,
                        "expires",
                        "must be a date such as 2027-03-31".into(),
                    )
                })?;
            if expires > today + chrono::Months::new(12 * MAX_YEARS) {
                return Err(invalid(
                    w.expires.span().start,
                    "expires",
                    format!(
                        "{expires} is more than {MAX_YEARS} years away: a waiver is reviewed, not kept forever"
                    ),
                ));
            }
            waivers.push(Waiver {
                check: check.id.to_string(),
                pattern: resource.as_deref().map(WildMatch::new),
                resource,
                account,
                reason: required(&w.reason, "reason")?,
                approved_by: required(&w.approved_by, "approved_by")?,
                ticket: w.ticket.filter(|t| !t.trim().is_empty()),
                expires,
                source: format!("{path}:{}", input.line(w.check.span().start)),
            });
        }
        Ok(Waivers(waivers))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Waives the failures a waiver in force matches (the first such waiver in the file
    /// is the evidence). `today` decides expiry: the scan's instant, or the inventory's
    /// for `evaluate`.
    pub fn apply(&self, findings: &mut [Finding], today: NaiveDate) -> Applied {
        let mut applying = self.applying(today);
        for f in findings {
            applying.apply(f);
        }
        applying.finish()
    }

    /// [`Waivers::apply`] one finding at a time, for findings that are never all in
    /// memory at once.
    pub fn applying(&self, today: NaiveDate) -> Applying<'_> {
        Applying {
            waivers: self,
            today,
            waived: 0,
            matched: vec![0; self.0.len()],
            checked: vec![false; self.0.len()],
        }
    }
}

/// Waivers being applied; [`Applying::finish`] tells what they did.
pub struct Applying<'a> {
    waivers: &'a Waivers,
    today: NaiveDate,
    waived: usize,
    /// Per waiver: the failures it matched, expired or not.
    matched: Vec<usize>,
    /// Per waiver: whether its check ran at all.
    checked: Vec<bool>,
}

impl Applying<'_> {
    pub fn apply(&mut self, f: &mut Finding) {
        for (i, w) in self.waivers.0.iter().enumerate() {
            self.checked[i] |= f.check_id == w.check;
        }
        if f.status != Status::Fail {
            return;
        }
        for (i, w) in self.waivers.0.iter().enumerate() {
            if !w.matches(f) {
                continue;
            }
            self.matched[i] += 1;
            if w.expires < self.today {
                continue;
            }
            waive(f, w);
            self.waived += 1;
            break;
        }
    }

    pub fn finish(self) -> Applied {
        let mut applied = Applied {
            waived: self.waived,
            ..Applied::default()
        };
        for ((w, n), checked) in self.waivers.0.iter().zip(self.matched).zip(self.checked) {
            if w.expires < self.today {
                applied.expired.push((w.clone(), n));
            } else if n == 0 && checked {
                applied.unmatched.push(w.clone());
            }
        }
        applied
    }
}

fn waive(f: &mut Finding, w: &Waiver) {
    f.status = Status::Waived;
    let ticket = w
        .ticket
        .as_ref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    f.message = format!(
        "waived until {} by {}{ticket} ({}): {}",
        w.expires, w.approved_by, w.reason, f.message
    );
    let evidence = std::mem::take(&mut f.evidence);
    f.evidence = serde_json::json!({ "waiver": w, "finding": evidence });
}

impl Applied {
    /// Warnings on stderr: the scan still runs, but a stale waiver file shows itself.
    pub fn warn(&self) {
        for (w, n) in &self.expired {
            tracing::warn!(
                waiver = %w.source, check = %w.check, expired = %w.expires, would_match = n,
                "waiver expired: it waives nothing; renew or remove it"
            );
        }
        for w in &self.unmatched {
            tracing::warn!(
                waiver = %w.source, check = %w.check, resource = w.resource.as_deref().unwrap_or("*"),
                "waiver matches no failure of this scan: the risk is gone or the pattern is wrong; remove or fix it"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Severity;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn parse(text: &str) -> Result<Waivers, InputError> {
        Waivers::parse(text, "w.toml", today())
    }

    const ONE: &str = "[[waiver]]\ncheck = \"IAM-06\"\nresource = \"arn:aws:iam::*:user/break-glass-*\"\nreason = \"hardware token on order\"\napproved_by = \"Security lead\"\nticket = \"SEC-1234\"\nexpires = EXP\n";

    fn finding(check: &str, resource: &str, status: Status) -> Finding {
        Finding {
            check_id: check.into(),
            title: String::new(),
            sections: vec!["4.c".into()],
            severity: Severity::High,
            status,
            account: "123456789012".into(),
            region: "global".into(),
            resource: resource.into(),
            message: "no MFA".into(),
            evidence: serde_json::json!({ "mfa": false }),
            remediation: String::new(),
        }
    }

    #[test]
    fn a_waiver_in_force_waives_matching_failures_only() {
        let w = parse(&ONE.replace("EXP", "2027-03-31")).unwrap();
        let mut findings = vec![
            finding(
                "IAM-06",
                "arn:aws:iam::123456789012:user/break-glass-1",
                Status::Fail,
            ),
            finding(
                "IAM-06",
                "arn:aws:iam::123456789012:user/alice",
                Status::Fail,
            ),
            finding(
                "IAM-06",
                "arn:aws:iam::123456789012:user/break-glass-2",
                Status::Error,
            ),
            finding(
                "IAM-06",
                "arn:aws:iam::123456789012:user/break-glass-3",
                Status::Pass,
            ),
        ];
        let applied = w.apply(&mut findings, today());
        assert_eq!(applied.waived, 1);
        assert!(applied.expired.is_empty() && applied.unmatched.is_empty());
        let statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
        assert_eq!(
            statuses,
            [Status::Waived, Status::Fail, Status::Error, Status::Pass]
        );
        let waived = &findings[0];
        assert_eq!(waived.evidence["waiver"]["approved_by"], "Security lead");
        assert_eq!(waived.evidence["waiver"]["source"], "w.toml:2");
        assert_eq!(waived.evidence["finding"]["mfa"], false);
        assert!(waived.message.contains("SEC-1234") && waived.message.ends_with("no MFA"));
    }

    #[test]
    fn an_expired_waiver_waives_nothing_and_is_reported() {
        let w = parse(&ONE.replace("EXP", "2026-11-27")).unwrap();
        let mut findings = vec![finding(
            "IAM-06",
            "arn:aws:iam::123456789012:user/break-glass-1",
            Status::Fail,
        )];
        let applied = w.apply(&mut findings, today());
        assert_eq!(findings[0].status, Status::Fail);
        assert_eq!(applied.waived, 0);
        assert_eq!(applied.expired.len(), 1);
        assert_eq!(applied.expired[0].1, 1, "it would have matched one failure");
    }

    #[test]
    fn a_waiver_that_matches_nothing_is_reported_only_when_its_check_ran() {
        let w = parse(&ONE.replace("EXP", "2027-03-31")).unwrap();
        let mut ran = vec![finding("IAM-06", "arn:aws:iam::1:user/alice", Status::Fail)];
        assert_eq!(w.apply(&mut ran, today()).unmatched.len(), 1);
        let mut other = vec![finding("S3-01", "bucket", Status::Fail)];
        assert!(w.apply(&mut other, today()).unmatched.is_empty());
    }

    #[test]
    fn account_and_wildcards_narrow_the_match() {
        let text = "[[waiver]]\ncheck = \"s3-01\"\naccount = \"123456789012\"\nreason = \"r\"\napproved_by = \"a\"\nexpires = 2027-01-01\n";
        let w = parse(text).unwrap();
        let mut findings = vec![finding("S3-01", "any-bucket", Status::Fail), {
            let mut f = finding("S3-01", "other", Status::Fail);
            f.account = "210987654321".into();
            f
        }];
        w.apply(&mut findings, today());
        assert_eq!(
            findings[0].status,
            Status::Waived,
            "ids match case-insensitively"
        );
        assert_eq!(findings[1].status, Status::Fail, "another account");
    }

    #[test]
    fn bad_files_name_the_line_and_key() {
        let case = |from: &str, to: &str| {
            parse(&ONE.replace("EXP", "2027-03-31").replace(from, to))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            case("IAM-06", "IAM-99"),
            "w.toml:2: check: unknown check id \"IAM-99\": `tomscan checks` lists the ids (organisational measures are attested, not waived)"
        );
        let err = case("Security lead", " ");
        assert!(
            err.starts_with("w.toml:5: approved_by: must not be empty"),
            "{err}"
        );
        let err = case("2027-03-31", "2099-01-01");
        assert!(
            err.starts_with("w.toml:7: expires: 2099-01-01 is more than 3 years"),
            "{err}"
        );
        let err = case("2027-03-31", "2027-03-31T10:00:00");
        assert!(
            err.starts_with("w.toml:7: expires: must be a date"),
            "{err}"
        );
        let err = case("ticket", "tikcet");
        assert!(
            err.contains("w.toml") && err.contains("line 6") && err.contains("tikcet"),
            "{err}"
        );
        let err = case("reason = \"hardware token on order\"\n", "");
        assert!(err.contains("w.toml") && err.contains("reason"), "{err}");
        let err = parse(&format!(
            "{}account = \"12345\"\n",
            ONE.replace("EXP", "2027-03-31")
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("w.toml:8: account: \"12345\" is not a 12-digit"),
            "{err}"
        );
    }
}
