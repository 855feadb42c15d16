//! CloudWatch Logs filter patterns over JSON events (`{ $.field = value && ... }`), read
//! into the clauses they test. A pattern is judged by what it matches, not by the words
//! it contains: `{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed = "Yes" }`
//! mentions everything a substring test looks for and watches the opposite of what CIS
//! asks, while `{($.errorCode=AccessDenied*)}` is one half of CIS 4.1 written tersely.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    NotExists,
    IsNull,
    IsTrue,
    IsFalse,
}

/// One test of one field: `$.errorCode = "AccessDenied*"` is `("errorCode", Eq,
/// "AccessDenied*")`. Quotes and spaces are gone; the value is compared as written
/// (wildcards included), as CloudWatch compares it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Clause {
    pub field: String,
    pub op: Op,
    pub value: String,
}

/// A pattern as alternatives of conjunctions: it matches an event when every clause of
/// one conjunction holds.
pub(crate) type Dnf = Vec<BTreeSet<Clause>>;

/// A clause as the catalogue writes it.
pub(crate) type Spec = (&'static str, Op, &'static str);

impl Clause {
    fn is(&self, spec: &Spec) -> bool {
        self.field == spec.0 && self.op == spec.1 && self.value == spec.2
    }
}

/// Past this many alternatives a pattern is not judged (it is not one anyone writes).
const MAX_ALTERNATIVES: usize = 256;

/// `None` when the pattern is not a JSON filter pattern this parser understands (a
/// space-delimited or plain-text pattern, a syntax error): it then watches nothing we
/// can vouch for.
pub(crate) fn parse(pattern: &str) -> Option<Dnf> {
    let tokens = tokenize(pattern)?;
    let mut p = Parser { tokens, at: 0 };
    p.expect(&Token::Open)?;
    let dnf = p.or()?;
    p.expect(&Token::Close)?;
    (p.at == p.tokens.len()).then_some(dnf)
}

/// Whether some alternative of `dnf` matches every event `target` matches: it tests
/// nothing beyond `target`'s clauses and the `allowed` narrowing ones (the exclusions
/// the benchmark itself recommends), and tests something.
pub(crate) fn covers(dnf: &Dnf, target: &[Spec], allowed: &[Spec]) -> bool {
    dnf.iter().any(|conj| {
        !conj.is_empty()
            && conj
                .iter()
                .all(|c| target.iter().chain(allowed).any(|s| c.is(s)))
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    LParen,
    RParen,
    And,
    Or,
    Op(Op),
    Selector(String),
    Quoted(String),
    Word(String),
}

fn tokenize(s: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let stop = |c: char| c.is_whitespace() || "{}()&|=!<>\"".contains(c);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let (token, len) = match (c, next) {
            (c, _) if c.is_whitespace() => {
                i += 1;
                continue;
            }
            ('{', _) => (Token::Open, 1),
            ('}', _) => (Token::Close, 1),
            ('(', _) => (Token::LParen, 1),
            (')', _) => (Token::RParen, 1),
            ('&', Some('&')) => (Token::And, 2),
            ('|', Some('|')) => (Token::Or, 2),
            ('!', Some('=')) => (Token::Op(Op::Ne), 2),
            ('<', Some('=')) => (Token::Op(Op::Le), 2),
            ('>', Some('=')) => (Token::Op(Op::Ge), 2),
            ('=', _) => (Token::Op(Op::Eq), 1),
            ('<', _) => (Token::Op(Op::Lt), 1),
            ('>', _) => (Token::Op(Op::Gt), 1),
            ('"', _) => {
                let mut value = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j)? {
                        '"' => break,
                        '\\' => {
                            value.push(*chars.get(j + 1)?);
                            j += 2;
                        }
                        ch => {
                            value.push(*ch);
                            j += 1;
                        }
                    }
                }
                (Token::Quoted(value), j + 1 - i)
            }
            _ => {
                let len = chars[i..].iter().take_while(|c| !stop(**c)).count();
                if len == 0 {
                    return None;
                }
                let word: String = chars[i..i + len].iter().collect();
                let token = match word.strip_prefix("$.") {
                    Some(field) => Token::Selector(field.to_string()),
                    None if word.starts_with('$') => return None,
                    None => Token::Word(word),
                };
                (token, len)
            }
        };
        out.push(token);
        i += len;
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, t: &Token) -> Option<()> {
        (self.next().as_ref() == Some(t)).then_some(())
    }

    /// `&&` binds tighter than `||`.
    fn or(&mut self) -> Option<Dnf> {
        let mut dnf = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            dnf.extend(self.and()?);
            if dnf.len() > MAX_ALTERNATIVES {
                return None;
            }
        }
        Some(dnf)
    }

    fn and(&mut self) -> Option<Dnf> {
        let mut dnf = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            let right = self.unary()?;
            let mut product = Vec::new();
            for l in &dnf {
                for r in &right {
                    product.push(l.union(r).cloned().collect());
                    if product.len() > MAX_ALTERNATIVES {
                        return None;
                    }
                }
            }
            dnf = product;
        }
        Some(dnf)
    }

    fn unary(&mut self) -> Option<Dnf> {
        if self.peek() == Some(&Token::LParen) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::RParen)?;
            return Some(inner);
        }
        let Token::Selector(field) = self.next()? else {
            return None;
        };
        let word = |p: &mut Parser, w: &str| matches!(p.peek(), Some(Token::Word(x)) if x.eq_ignore_ascii_case(w));
        let (op, value) = if word(self, "NOT") {
            self.at += 1;
            word(self, "EXISTS").then_some(())?;
            self.at += 1;
            (Op::NotExists, String::new())
        } else if word(self, "IS") {
            self.at += 1;
            let Some(Token::Word(w)) = self.next() else {
                return None;
            };
            let op = match w.to_ascii_uppercase().as_str() {
                "NULL" => Op::IsNull,
                "TRUE" => Op::IsTrue,
                "FALSE" => Op::IsFalse,
                _ => return None,
            };
            (op, String::new())
        } else {
            let Token::Op(op) = self.next()? else {
                return None;
            };
            let value = match self.next()? {
                Token::Quoted(v) | Token::Word(v) => v,
                _ => return None,
            };
            (op, value)
        };
        Some(vec![BTreeSet::from([Clause { field, op, value }])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alternatives(pattern: &str) -> Vec<Vec<(String, Op, String)>> {
        parse(pattern)
            .unwrap()
            .into_iter()
            .map(|c| c.into_iter().map(|c| (c.field, c.op, c.value)).collect())
            .collect()
    }

    #[test]
    fn quotes_spaces_and_parentheses_do_not_matter() {
        let a = alternatives(
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
        );
        let b = alternatives(r#"{$.errorCode=*UnauthorizedOperation||$.errorCode=AccessDenied*}"#);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn and_binds_tighter_than_or_and_distributes() {
        let d = alternatives(r#"{ $.a = 1 || $.b = 2 && ($.c != "x y" || $.d NOT EXISTS) }"#);
        assert_eq!(d.len(), 3);
        assert!(
            d.iter()
                .any(|c| c.len() == 2 && c.iter().any(|x| x.1 == Op::NotExists))
        );
    }

    #[test]
    fn what_is_not_a_json_pattern_is_not_understood() {
        for p in [
            "",
            "ERROR",
            "[ip, user, ...]",
            "{ $.a = }",
            "{ $.a = 1",
            "{ $.a = \"open }",
            "{ a = 1 }",
        ] {
            assert!(parse(p).is_none(), "{p:?}");
        }
    }

    #[test]
    fn coverage_is_by_clause_not_by_substring() {
        let target: &[Spec] = &[
            ("eventName", Op::Eq, "ConsoleLogin"),
            ("additionalEventData.MFAUsed", Op::Ne, "Yes"),
        ];
        let ok = parse(
            r#"{ ($.additionalEventData.MFAUsed != Yes) && ($.eventName = "ConsoleLogin") }"#,
        )
        .unwrap();
        let opposite = parse(
            r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }"#,
        )
        .unwrap();
        let narrower = parse(r#"{ $.eventName = ConsoleLogin && $.additionalEventData.MFAUsed != Yes && $.awsRegion = "eu-west-1" }"#).unwrap();
        assert!(covers(&ok, target, &[]));
        assert!(!covers(&opposite, target, &[]));
        assert!(!covers(&narrower, target, &[]));
        assert!(covers(
            &narrower,
            target,
            &[("awsRegion", Op::Eq, "eu-west-1")]
        ));
    }
}
