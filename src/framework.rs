//! A framework maps a document's numbering (sections and their measures) to checks.
//!
//! It is data, not code: the built-in Collaboration Service TOM is one TOML file, and a
//! user can bring another (another vendor's TOM, ISO 27001 Annex A) with `--framework`.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{self, Input, InputError};

/// The built-in framework: the Collaboration Service TOM document.
pub const BUILTIN: &str = include_str!("../checks/frameworks/collab-tom.toml");
pub const BUILTIN_NAME: &str = "checks/frameworks/collab-tom.toml";

#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    /// The section's own control: its checks evidence the objective as a whole
    /// (storage encryption evidences section 6, not 6.a or 6.b).
    pub control: Control,
    pub measures: Vec<Control>,
}

/// A numbered item of the document that findings are keyed to.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    pub text: String,
    pub checks: Vec<String>,
    /// No AWS evidence exists for it: `manual` until attested.
    pub organisational: bool,
}

const KIND: &str = "framework file";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: String,
    title: String,
    #[serde(default, rename = "section")]
    sections: Vec<RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    organisational: bool,
    #[serde(default, rename = "measure")]
    measures: Vec<RawMeasure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: Spanned<String>,
    text: String,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    #[serde(default)]
    organisational: bool,
}

impl Framework {
    pub fn builtin() -> Framework {
        Framework::parse(BUILTIN, BUILTIN_NAME, &known_check_ids())
            .expect("the built-in framework is valid (tested)")
    }

    pub fn load(path: &Path) -> Result<Framework, InputError> {
        let text = diagnostics::read(KIND, path)?;
        Framework::parse(&text, &path.display().to_string(), &known_check_ids())
    }

    /// Parses and validates: ids unique, every check id known.
    pub fn parse(text: &str, path: &str, known: &HashSet<&str>) -> Result<Framework, InputError> {
        let input = Input {
            kind: KIND,
            path,
            text,
        };
        let raw: RawFramework = input.toml()?;
        let invalid = |span: std::ops::Range<usize>, message: String| input.at(span.start, message);
        let mut seen = HashSet::new();
        let mut control = |id: Spanned<String>,
                           text: String,
                           checks: Vec<Spanned<String>>,
                           organisational: bool|
         -> Result<Control, InputError> {
            if id.get_ref().trim().is_empty() {
                return Err(invalid(id.span(), "empty section id".into()));
            }
            if !seen.insert(id.get_ref().clone()) {
                return Err(invalid(
                    id.span(),
                    format!(
                        "duplicate section id {:?}: every id must be unique",
                        id.get_ref()
                    ),
                ));
            }
            let mut ids = Vec::with_capacity(checks.len());
            for c in checks {
                if !known.contains(c.get_ref().as_str()) {
                    return Err(invalid(
                        c.span(),
                        format!(
                            "unknown check id {:?} under {:?}: `tomscan checks` lists the ids",
                            c.get_ref(),
                            id.get_ref()
                        ),
                    ));
                }
                ids.push(c.into_inner());
            }
            Ok(Control {
                id: id.into_inner(),
                text,
                checks: ids,
                organisational,
            })
        };
        let mut sections = Vec::with_capacity(raw.sections.len());
        for s in raw.sections {
            let own = control(s.id, s.text, s.checks, s.organisational)?;
            let measures = s
                .measures
                .into_iter()
                .map(|m| control(m.id, m.text, m.checks, m.organisational))
                .collect::<Result<Vec<_>, _>>()?;
            sections.push(Section {
                id: own.id.clone(),
                title: s.title,
                control: own,
                measures,
            });
        }
        Ok(Framework {
            id: raw.id,
            title: raw.title,
            sections,
        })
    }

    /// Every control a finding can be keyed to: a section's own control where it has
    /// checks or no measures (3, 8, 10), then its measures, in document order.
    pub fn controls(&self) -> impl Iterator<Item = (&Section, &Control)> {
        self.sections.iter().flat_map(|s| {
            let own =
                (!s.control.checks.is_empty() || s.measures.is_empty() || s.control.organisational)
                    .then_some((s, &s.control));
            own.into_iter()
                .chain(s.measures.iter().map(move |m| (s, m)))
        })
    }

    /// Check id -> the control ids it evidences, in document order.
    pub fn controls_by_check(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (_, c) in self.controls() {
            for check in &c.checks {
                map.entry(check.as_str()).or_default().push(c.id.as_str());
            }
        }
        map
    }

    /// The section (top-level id) a control id belongs to.
    pub fn section_of(&self, control_id: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.id == control_id || s.measures.iter().any(|m| m.id == control_id))
    }
}

pub fn known_check_ids() -> HashSet<&'static str> {
    crate::checks::ALL.iter().map(|c| c.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<&'static str> {
        ["IAM-01", "S3-01"].into_iter().collect()
    }

    #[test]
    fn builtin_parses() {
        let fw = Framework::builtin();
        assert_eq!(fw.id, "collab-tom");
        assert_eq!(fw.section_of("4.c").map(|s| s.id.as_str()), Some("4"));
        assert_eq!(fw.section_of("8").map(|s| s.id.as_str()), Some("8"));
    }

    #[test]
    fn custom_numbering_maps_checks() {
        let text = r#"
id = "iso"
title = "ISO 27001 Annex A"
[[section]]
id = "A.8"
title = "Technological controls"
  [[section.measure]]
  id = "A.8.5"
  text = "Secure authentication"
  checks = ["IAM-01"]
"#;
        let fw = Framework::parse(text, "iso.toml", &known()).unwrap();
        assert_eq!(fw.controls_by_check()["IAM-01"], vec!["A.8.5"]);
    }

    #[test]
    fn unknown_check_names_file_line_and_id() {
        let text = "id = \"x\"\ntitle = \"x\"\n[[section]]\nid = \"1\"\ntitle = \"one\"\nchecks = [\"IAM-99\"]\n";
        let err = Framework::parse(text, "fw.toml", &known())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("fw.toml:6:"), "{err}");
        assert!(err.contains("IAM-99"), "{err}");
    }

    #[test]
    fn duplicate_ids_are_an_error_at_the_second() {
        let text = "id = \"x\"\ntitle = \"x\"\n[[section]]\nid = \"1\"\ntitle = \"one\"\n  [[section.measure]]\n  id = \"1\"\n  text = \"again\"\n";
        let err = Framework::parse(text, "fw.toml", &known())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("fw.toml:7:") && err.contains("duplicate"),
            "{err}"
        );
    }

    #[test]
    fn unknown_field_is_a_parse_error_with_its_line() {
        let text = "id = \"x\"\ntitle = \"x\"\n[[section]]\nid = \"1\"\ntitel = \"one\"\n";
        let err = Framework::parse(text, "fw.toml", &known())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fw.toml") && err.contains("line 5") && err.contains("titel"),
            "{err}"
        );
    }
}
