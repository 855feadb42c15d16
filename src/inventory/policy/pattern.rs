//! How a policy's patterns match: `*` and `?` over actions and ARNs, and whether a
//! pattern covers every string of a shape (a prefix then anything), which is what
//! "does this Deny cover every object of the bucket" asks.

use super::Patterns;

/// One piece of a subject matched against a pattern: a character, or "any text at all"
/// (which only a `*` of the pattern can stand for). Matching a pattern against a subject
/// holding `Any` asks whether the pattern covers every string of that shape.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Piece {
    Char(char),
    Any,
}

pub(crate) fn pieces(literal: &str) -> Vec<Piece> {
    literal.chars().map(Piece::Char).collect()
}

/// Whether `pattern` (`*`, `?` wildcards) matches every string `subject` stands for.
pub(crate) fn covers(pattern: &str, subject: &[Piece], fold_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let same = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // reach[j]: the pattern's first i characters can match the subject's first j pieces.
    let mut reach = vec![false; subject.len() + 1];
    reach[0] = true;
    for &pc in &p {
        let mut next = vec![false; subject.len() + 1];
        match pc {
            '*' => {
                let mut on = false;
                for j in 0..=subject.len() {
                    on |= reach[j];
                    next[j] = on;
                }
            }
            _ => {
                for j in 1..=subject.len() {
                    next[j] = reach[j - 1]
                        && match subject[j - 1] {
                            Piece::Char(sc) => pc == '?' || same(pc, sc),
                            Piece::Any => false,
                        };
                }
            }
        }
        reach = next;
    }
    reach[subject.len()]
}

pub(crate) fn literal_prefix_then_any(prefix: &str) -> Vec<Piece> {
    let mut s = pieces(prefix);
    s.push(Piece::Any);
    s
}

impl Patterns {
    /// Whether this element lets through the one concrete `name` (an action, an ARN).
    pub fn includes(&self, name: &str, fold_case: bool) -> bool {
        let any = |list: &[String]| list.iter().any(|p| covers(p, &pieces(name), fold_case));
        match self {
            Patterns::Listed(list) => any(list),
            Patterns::AllBut(list) => !any(list),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_coverage() {
        assert!(covers("*", &[Piece::Any], false));
        assert!(!covers(
            "arn:aws:s3:::b/?",
            &literal_prefix_then_any("arn:aws:s3:::b/"),
            false
        ));
        assert!(covers(
            "arn:aws:s3:::b/*",
            &literal_prefix_then_any("arn:aws:s3:::b/"),
            false
        ));
        assert!(covers(
            "arn:aws:s3:::*/*",
            &literal_prefix_then_any("arn:aws:s3:::b/"),
            false
        ));
        assert!(!covers(
            "arn:aws:s3:::b/a*",
            &literal_prefix_then_any("arn:aws:s3:::b/"),
            false
        ));
        assert!(covers("S3:*", &literal_prefix_then_any("s3:"), true));
        assert!(Patterns::AllBut(vec!["iam:*".into()]).includes("sts:AssumeRole", true));
        assert!(!Patterns::AllBut(vec!["sts:*".into()]).includes("sts:AssumeRole", true));
    }
}
