//! Attestations: who vouches for an organisational measure, when, on what evidence,
//! and until when. They turn `manual` into `attested`; an expired one falls back to
//! `manual` and says so.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{self, Input, InputError};
use crate::framework::Framework;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attestation {
    pub measure: String,
    pub attested_by: String,
    pub date: NaiveDate,
    /// A document, ticket or link where the evidence lives.
    pub reference: String,
    pub expires: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Attestations by measure id.
#[derive(Debug, Clone, Default)]
pub struct Attestations(BTreeMap<String, Attestation>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    attestation: Vec<RawAttestation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    measure: Spanned<String>,
    attested_by: String,
    date: Spanned<toml::value::Datetime>,
    reference: String,
    expires: Spanned<toml::value::Datetime>,
    note: Option<String>,
}

/// No attestation is older than this or valid for longer than [`MAX_YEARS`].
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
const MAX_YEARS: u32 = 5;

const KIND: &str = "attestation file";

impl Attestations {
    pub fn load(path: &Path, framework: &Framework) -> Result<Attestations, InputError> {
        let text = diagnostics::read(KIND, path)?;
        Attestations::parse(&text, &path.display().to_string(), framework)
    }

    pub fn parse(
        text: &str,
        path: &str,
        framework: &Framework,
    ) -> Result<Attestations, InputError> {
        let input = Input {
            kind: KIND,
            path,
            text,
        };
        let raw: RawFile = input.toml()?;
        let invalid = |offset: usize, message: String| input.at(offset, message);
        let date = |d: &Spanned<toml::value::Datetime>, field: &str| {
            d.get_ref()
                .date
                .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()))
                .ok_or_else(|| {
                    invalid(
                        d.span().start,
                        format!("{field} must be a date such as 2026-09-30"),
                    )
                })
        };
        let mut map = BTreeMap::new();
        for a in raw.attestation {
            let id = a.measure.get_ref().clone();
            let Some(control) = framework.controls().map(|(_, c)| c).find(|c| c.id == id) else {
                return Err(invalid(
                    a.measure.span().start,
                    format!("unknown measure {id:?} in framework {:?}", framework.id),
                ));
            };
            if !control.organisational {
                return Err(invalid(
                    a.measure.span().start,
                    format!(
                        "measure {id:?} is evidenced by checks; attest only organisational measures"
                    ),
                ));
            }
            let (from, until) = (date(&a.date, "date")?, date(&a.expires, "expires")?);
            // A typo in a year makes an attestation that vouches for nothing (dated in
            // the future) or forever (expiring in 2207): both are refused.
            let today = chrono::Utc::now().date_naive();
            if from > today {
                return Err(invalid(
                    a.date.span().start,
                    format!(
                        "date {from} is in the future: an attestation records a check already made"
                    ),
                ));
            }
            if from < EARLIEST {
                return Err(invalid(
                    a.date.span().start,
                    format!("date {from} is before {EARLIEST}: a typo in the year?"),
                ));
            }
            if until <= from {
                return Err(invalid(
                    a.expires.span().start,
                    format!("expires {until} must be after date {from}"),
                ));
            }
            if until > from + chrono::Months::new(12 * MAX_YEARS) {
                return Err(invalid(
                    a.expires.span().start,
                    format!(
                        "expires {until} is more than {MAX_YEARS} years after date {from}: attestations are renewed, not kept forever"
                    ),
                ));
            }
            if a.attested_by.trim().is_empty() || a.reference.trim().is_empty() {
                return Err(invalid(
                    a.measure.span().start,
                    format!(
                        "measure {id:?}: attested_by and reference must say who and where the evidence is"
                    ),
                ));
            }
            let attestation = Attestation {
                measure: id.clone(),
                attested_by: a.attested_by,
                date: from,
                reference: a.reference,
                expires: until,
                note: a.note,
            };
            if map.insert(id.clone(), attestation).is_some() {
                return Err(invalid(
                    a.measure.span().start,
                    format!("measure {id:?} is attested twice"),
                ));
            }
        }
        Ok(Attestations(map))
    }

    pub fn get(&self, measure: &str) -> Option<&Attestation> {
        self.0.get(measure)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Attestations, InputError> {
        Attestations::parse(text, "att.toml", &Framework::builtin())
    }

    #[test]
    fn a_valid_file() {
        let a = parse(
            "[[attestation]]\nmeasure = \"1.a\"\nattested_by = \"Jane Roe, CISO\"\ndate = 2026-09-01\nreference = \"ISMS-POL-001\"\nexpires = 2027-09-01\n",
        )
        .unwrap();
        let one = a.get("1.a").unwrap();
        assert_eq!(one.expires, NaiveDate::from_ymd_opt(2027, 9, 1).unwrap());
        assert!(a.get("1.b").is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let base = "[[attestation]]\nmeasure = \"MEASURE\"\nattested_by = \"x\"\ndate = 2026-09-01\nreference = \"r\"\nexpires = EXP\n";
        let case = |m: &str, e: &str| {
            parse(&base.replace("MEASURE", m).replace("EXP", e))
                .unwrap_err()
                .to_string()
        };
        let err = case("1.z", "2027-01-01");
        assert!(
            err.starts_with("att.toml:2:") && err.contains("unknown measure"),
            "{err}"
        );
        let err = case("4.c", "2027-01-01");
        assert!(
            err.starts_with("att.toml:2:") && err.contains("evidenced by checks"),
            "{err}"
        );
        let err = case("1.a", "2025-01-01");
        assert!(
            err.starts_with("att.toml:6:") && err.contains("must be after"),
            "{err}"
        );
        let err = case("1.a", "2207-01-01");
        assert!(
            err.starts_with("att.toml:6:") && err.contains("5 years"),
            "{err}"
        );
        let future = base
            .replace("MEASURE", "1.a")
            .replace("2026-09-01", "2999-01-01")
            .replace("EXP", "3000-01-01");
        let err = parse(&future).unwrap_err().to_string();
        assert!(
            err.starts_with("att.toml:4:") && err.contains("in the future"),
            "{err}"
        );
        let ancient = base
            .replace("MEASURE", "1.a")
            .replace("2026-09-01", "1926-09-01")
            .replace("EXP", "1927-01-01");
        let err = parse(&ancient).unwrap_err().to_string();
        assert!(
            err.starts_with("att.toml:4:") && err.contains("typo"),
            "{err}"
        );
        let err = case("1.a", "\"soon\"");
        assert!(err.contains("att.toml") && err.contains("line 6"), "{err}");
        let twice = format!(
            "{}{}",
            base.replace("MEASURE", "1.a").replace("EXP", "2027-01-01"),
            base.replace("MEASURE", "1.a").replace("EXP", "2027-01-01")
        );
        let err = parse(&twice).unwrap_err().to_string();
        assert!(
            err.starts_with("att.toml:8:") && err.contains("twice"),
            "{err}"
        );
    }
}
