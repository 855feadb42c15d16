//! IAM policy documents (identity, bucket, key and trust policies), parsed once in the
//! collector into [`PolicyDocument`]: a fact of the inventory like any other. What a
//! document allows is the policy engine's to say ([`crate::engine::policy`]); how its
//! `*` and `?` patterns match is [`pattern`]'s.
//!
//! A document that is not JSON, not an object, has no statements, carries wrong types or
//! nests too deep is a [`PolicyError`]; the collector turns it into `Unavailable` for that
//! one document, never into "no statements".
//!
//! Serde reads and writes the AWS policy JSON itself, so fixtures and saved inventories
//! hold documents exactly as IAM and S3 return them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use crate::inventory::{Collected, Unavailable};

pub mod pattern;

/// The tomscan error code of a document that was read but could not be parsed.
pub const INVALID_POLICY_DOCUMENT: &str = "InvalidPolicyDocument";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy document is not JSON: {0}")]
    NotJson(String),
    #[error("the policy document is not a JSON object")]
    NotAnObject,
    #[error("the policy document has no Statement")]
    NoStatement,
    #[error("the policy document is invalid at {path}: {problem}")]
    Invalid { path: String, problem: String },
}

impl PolicyError {
    /// The fact a collector stores for a document it read but cannot parse.
    pub fn unavailable(&self, action: &str, what: &str) -> Unavailable {
        Unavailable {
            action: action.to_string(),
            code: INVALID_POLICY_DOCUMENT.to_string(),
            message: format!("{what}: {self}"),
        }
    }
}

fn invalid(path: impl Into<String>, problem: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        path: path.into(),
        problem: problem.into(),
    }
}

// ------------------------------------------------------------------ the types

/// A policy document: identity, resource (bucket) or trust policy alike.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    pub version: Option<String>,
    pub id: Option<String>,
    /// Never empty: a document without statements does not parse.
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Principal` (`Listed`) or `NotPrincipal` (`AllBut`); `None` in identity policies.
    pub principal: Option<Principals>,
    /// `Action` (`Listed`) or `NotAction` (`AllBut`).
    pub action: Patterns,
    /// `Resource` or `NotResource`; `None` in trust policies.
    pub resource: Option<Patterns>,
    /// Every condition of the statement; all must hold (they are ANDed).
    pub conditions: Vec<Condition>,
}

/// `Action`/`NotAction`, `Resource`/`NotResource`: the listed patterns, or everything but
/// them. Patterns use `*` and `?`.
#[derive(Debug, Clone, PartialEq)]
pub enum Patterns {
    Listed(Vec<String>),
    AllBut(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Principals {
    /// `Principal`.
    Listed(PrincipalSet),
    /// `NotPrincipal`: everyone but these.
    AllBut(PrincipalSet),
}

/// The principals of a `Principal` element, by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrincipalSet {
    /// `"Principal": "*"`: everyone, anonymous requests included.
    pub wildcard: bool,
    /// Account ids, ARNs, unique ids, or `*`.
    pub aws: Vec<String>,
    pub service: Vec<String>,
    pub federated: Vec<String>,
    pub canonical_user: Vec<String>,
}

/// One condition: `operator` applied to `key` against `values` (ORed).
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    pub key: String,
    /// Booleans and numbers are kept as the strings IAM compares them as.
    pub values: Vec<String>,
}

/// A condition operator with its set qualifier and `IfExists` suffix taken apart, since
/// both change what a condition restricts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// As written: `ForAnyValue:StringLikeIfExists`.
    pub name: String,
    pub set: Option<SetQualifier>,
    /// `StringLike`.
    pub base: String,
    /// A request without the key satisfies the condition.
    pub if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// At least one value of the request's key matches (false when the key is absent).
    ForAnyValue,
    /// Every value of the request's key matches (true when the key is absent).
    ForAllValues,
}

impl Operator {
    pub fn parse(name: &str) -> Operator {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        Operator {
            name: name.to_string(),
            set,
            base: base.to_string(),
            if_exists,
        }
    }

    /// Operators that let a request in only when its key matches a listed value. The
    /// negated ones (`StringNotEquals`, `NotIpAddress`, ...) let in everyone else.
    pub fn is_positive_match(&self) -> bool {
        matches!(
            self.base.as_str(),
            "StringEquals"
                | "StringEqualsIgnoreCase"
                | "StringLike"
                | "ArnEquals"
                | "ArnLike"
                | "IpAddress"
        )
    }

    /// The condition can only hold when the request carries the key: no `IfExists`, no
    /// `ForAllValues` (both are true for a request without the key, so for anonymous
    /// callers and requests from outside a VPC).
    pub fn requires_key(&self) -> bool {
        !self.if_exists && self.set != Some(SetQualifier::ForAllValues)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.operator.name, self.key)?;
        match self.values.as_slice() {
            [one] => write!(f, "{one}"),
            many => write!(f, "[{}]", many.join(", ")),
        }
    }
}

impl PrincipalSet {
    /// Anyone at all: `"*"`, `{"AWS": "*"}`, an account wildcard (`arn:aws:iam::*:root`)
    /// or a canonical-user wildcard.
    pub fn is_everyone(&self) -> bool {
        self.wildcard
            || self.aws.iter().any(|a| aws_principal_is_everyone(a))
            || self.canonical_user.iter().any(|c| c == "*")
    }
}

fn aws_principal_is_everyone(principal: &str) -> bool {
    principal == "*"
        || (principal.starts_with("arn:")
            && principal
                .split(':')
                .nth(4)
                .is_some_and(|account| account.contains(['*', '?'])))
}

// ------------------------------------------------------------------ parsing

impl PolicyDocument {
    /// Parses a document from its JSON text. serde_json's recursion limit turns
    /// pathological nesting into an error.
    pub fn parse(text: &str) -> Result<PolicyDocument, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| PolicyError::NotJson(e.to_string()))?;
        PolicyDocument::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<PolicyDocument, PolicyError> {
        let Value::Object(doc) = value else {
            return Err(PolicyError::NotAnObject);
        };
        for key in doc.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(invalid(key.as_str(), "not a policy element"));
            }
        }
        let version = optional_string(doc, "Version", "Version")?;
        let id = optional_string(doc, "Id", "Id")?;
        let statements = match doc.get("Statement") {
            None | Some(Value::Null) => return Err(PolicyError::NoStatement),
            Some(Value::Array(list)) if list.is_empty() => return Err(PolicyError::NoStatement),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, s)| Statement::from_value(s, &format!("Statement[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(one @ Value::Object(_)) => vec![Statement::from_value(one, "Statement")?],
            Some(_) => return Err(invalid("Statement", "expected an object or a list")),
        };
        Ok(PolicyDocument {
            version,
            id,
            statements,
        })
    }

    /// The AWS policy JSON (lists for every multi-valued element).
    pub fn to_value(&self) -> Value {
        let mut doc = Map::new();
        if let Some(v) = &self.version {
            doc.insert("Version".into(), json!(v));
        }
        if let Some(id) = &self.id {
            doc.insert("Id".into(), json!(id));
        }
        doc.insert(
            "Statement".into(),
            Value::Array(self.statements.iter().map(Statement::to_value).collect()),
        );
        Value::Object(doc)
    }
}

fn optional_string(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, PolicyError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(path, "expected a string")),
    }
}

/// A string or a non-empty list of strings.
fn strings(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(list) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(format!("{path}[{i}]"), "expected a string")),
            })
            .collect(),
        Value::Array(_) => Err(invalid(path, "empty list")),
        _ => Err(invalid(path, "expected a string or a list of strings")),
    }
}

/// A condition value: strings, booleans and numbers, alone or in a list.
fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value, path: &str| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(invalid(path, "expected a string, boolean or number")),
    };
    match value {
        Value::Array(list) => list
            .iter()
            .enumerate()
            .map(|(i, v)| scalar(v, &format!("{path}[{i}]")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

/// One of two exclusive elements (`Action`/`NotAction`), as `Patterns`.
fn either(
    map: &Map<String, Value>,
    path: &str,
    listed: &str,
    all_but: &str,
) -> Result<Option<Patterns>, PolicyError> {
    match (map.get(listed), map.get(all_but)) {
        (Some(_), Some(_)) => Err(invalid(path, format!("both {listed} and {all_but}"))),
        (Some(v), None) => Ok(Some(Patterns::Listed(strings(
            v,
            &format!("{path}.{listed}"),
        )?))),
        (None, Some(v)) => Ok(Some(Patterns::AllBut(strings(
            v,
            &format!("{path}.{all_but}"),
        )?))),
        (None, None) => Ok(None),
    }
}

impl Statement {
    fn from_value(value: &Value, path: &str) -> Result<Statement, PolicyError> {
        let Value::Object(map) = value else {
            return Err(invalid(path, "expected an object"));
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "Sid"
                    | "Effect"
                    | "Principal"
                    | "NotPrincipal"
                    | "Action"
                    | "NotAction"
                    | "Resource"
                    | "NotResource"
                    | "Condition"
            ) {
                return Err(invalid(format!("{path}.{key}"), "not a statement element"));
            }
        }
        let sid = optional_string(map, "Sid", &format!("{path}.Sid"))?;
        let effect = match map.get("Effect") {
            Some(Value::String(e)) if e == "Allow" => Effect::Allow,
            Some(Value::String(e)) if e == "Deny" => Effect::Deny,
            Some(_) => return Err(invalid(format!("{path}.Effect"), "expected Allow or Deny")),
            None => return Err(invalid(path, "no Effect")),
        };
        let principal = match (map.get("Principal"), map.get("NotPrincipal")) {
            (Some(_), Some(_)) => return Err(invalid(path, "both Principal and NotPrincipal")),
            (Some(p), None) => Some(Principals::Listed(principal_set(
                p,
                &format!("{path}.Principal"),
            )?)),
            (None, Some(p)) => Some(Principals::AllBut(principal_set(
                p,
                &format!("{path}.NotPrincipal"),
            )?)),
            (None, None) => None,
        };
        let action = either(map, path, "Action", "NotAction")?
            .ok_or_else(|| invalid(path, "no Action or NotAction"))?;
        let resource = either(map, path, "Resource", "NotResource")?;
        let mut conditions = Vec::new();
        match map.get("Condition") {
            None => {}
            Some(Value::Object(ops)) => {
                for (op, keys) in ops {
                    let Value::Object(keys) = keys else {
                        return Err(invalid(
                            format!("{path}.Condition.{op}"),
                            "expected an object of condition keys",
                        ));
                    };
                    if keys.is_empty() {
                        return Err(invalid(format!("{path}.Condition.{op}"), "no keys"));
                    }
                    let operator = Operator::parse(op);
                    for (key, values) in keys {
                        conditions.push(Condition {
                            operator: operator.clone(),
                            key: key.clone(),
                            values: condition_values(
                                values,
                                &format!("{path}.Condition.{op}.{key}"),
                            )?,
                        });
                    }
                }
            }
            Some(_) => return Err(invalid(format!("{path}.Condition"), "expected an object")),
        }
        Ok(Statement {
            sid,
            effect,
            principal,
            action,
            resource,
            conditions,
        })
    }

    pub fn to_value(&self) -> Value {
        let mut s = Map::new();
        if let Some(sid) = &self.sid {
            s.insert("Sid".into(), json!(sid));
        }
        s.insert("Effect".into(), json!(self.effect));
        match &self.principal {
            Some(Principals::Listed(p)) => {
                s.insert("Principal".into(), p.to_value());
            }
            Some(Principals::AllBut(p)) => {
                s.insert("NotPrincipal".into(), p.to_value());
            }
            None => {}
        }
        let mut put = |patterns: &Patterns, listed: &str, all_but: &str| match patterns {
            Patterns::Listed(l) => s.insert(listed.into(), json!(l)),
            Patterns::AllBut(l) => s.insert(all_but.into(), json!(l)),
        };
        put(&self.action, "Action", "NotAction");
        if let Some(r) = &self.resource {
            put(r, "Resource", "NotResource");
        }
        if !self.conditions.is_empty() {
            // Operators in the order they were written (serde_json keeps insertion order).
            let mut ops = Map::new();
            for c in &self.conditions {
                if let Value::Object(keys) = ops
                    .entry(c.operator.name.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
                {
                    keys.insert(c.key.clone(), json!(c.values));
                }
            }
            s.insert("Condition".into(), Value::Object(ops));
        }
        Value::Object(s)
    }
}

fn principal_set(value: &Value, path: &str) -> Result<PrincipalSet, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(PrincipalSet {
            wildcard: true,
            ..PrincipalSet::default()
        }),
        Value::Object(map) if !map.is_empty() => {
            let mut set = PrincipalSet::default();
            for (kind, v) in map {
                let list = strings(v, &format!("{path}.{kind}"))?;
                match kind.as_str() {
                    "AWS" => set.aws = list,
                    "Service" => set.service = list,
                    "Federated" => set.federated = list,
                    "CanonicalUser" => set.canonical_user = list,
                    _ => return Err(invalid(format!("{path}.{kind}"), "not a principal type")),
                }
            }
            Ok(set)
        }
        _ => Err(invalid(
            path,
            "expected \"*\" or an object of AWS, Service, Federated or CanonicalUser",
        )),
    }
}

impl PrincipalSet {
    fn to_value(&self) -> Value {
        if self.wildcard {
            return json!("*");
        }
        let mut map = Map::new();
        for (kind, list) in [
            ("AWS", &self.aws),
            ("Service", &self.service),
            ("Federated", &self.federated),
            ("CanonicalUser", &self.canonical_user),
        ] {
            if !list.is_empty() {
                map.insert(kind.into(), json!(list));
            }
        }
        Value::Object(map)
    }
}

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        PolicyDocument::from_value(&value).map_err(serde::de::Error::custom)
    }
}

// ------------------------------------------------------------------ inventory fields

/// How an inventory holds one document: the AWS JSON itself when it was read and parsed
/// (so fixtures and saved inventories show documents as AWS returns them), else the
/// usual `{"unavailable": ...}` / `"not_collected"`. A document that does not parse, or
/// the text an older tomscan stored for one, reads as `Unavailable`.
pub mod document_field {
    use super::*;

    const ACTION: &str = "iam:GetAccountAuthorizationDetails";

    pub fn serialize<S: Serializer>(
        doc: &Collected<PolicyDocument>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match doc {
            Collected::Ok(d) => d.serialize(serializer),
            other => other.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Collected<PolicyDocument>, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if let Some(c) = collected_form(&value).map_err(serde::de::Error::custom)? {
            return Ok(match c {
                Collected::Ok(v) => lenient(&v, ACTION),
                Collected::Unavailable(u) => Collected::Unavailable(u),
                Collected::NotCollected => Collected::NotCollected,
            });
        }
        Ok(lenient(&value, ACTION))
    }

    /// Roles carry a trust policy; users and groups leave the field out.
    pub fn is_not_collected(doc: &Collected<PolicyDocument>) -> bool {
        matches!(doc, Collected::NotCollected)
    }
}

/// A bucket policy: `{"ok": null}` (no policy), `{"ok": DOCUMENT}`, or unavailable.
pub mod bucket_policy_field {
    use super::*;

    const ACTION: &str = "s3:GetBucketPolicy";

    pub fn serialize<S: Serializer>(
        doc: &Collected<Option<PolicyDocument>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        doc.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Collected<Option<PolicyDocument>>, D::Error> {
        let value = Value::deserialize(deserializer)?;
        match collected_form(&value).map_err(serde::de::Error::custom)? {
            Some(Collected::Ok(Value::Null)) => Ok(Collected::Ok(None)),
            Some(Collected::Ok(v)) => Ok(match lenient(&v, ACTION) {
                Collected::Ok(d) => Collected::Ok(Some(d)),
                Collected::Unavailable(u) => Collected::Unavailable(u),
                Collected::NotCollected => Collected::NotCollected,
            }),
            Some(Collected::Unavailable(u)) => Ok(Collected::Unavailable(u)),
            Some(Collected::NotCollected) => Ok(Collected::NotCollected),
            None => Err(serde::de::Error::custom(
                "expected {\"ok\": ...}, {\"unavailable\": ...} or \"not_collected\"",
            )),
        }
    }
}

/// `Some` when `value` is in the `Collected` shape, with the `ok` payload left raw.
fn collected_form(value: &Value) -> Result<Option<Collected<Value>>, serde_json::Error> {
    match value {
        Value::String(s) if s == "not_collected" => Ok(Some(Collected::NotCollected)),
        Value::Object(map) if map.len() == 1 => {
            if let Some(v) = map.get("ok") {
                Ok(Some(Collected::Ok(v.clone())))
            } else if let Some(u) = map.get("unavailable") {
                Ok(Some(Collected::Unavailable(serde_json::from_value(
                    u.clone(),
                )?)))
            } else {
                Ok(None)
            }
        }
        _ => Ok(None),
    }
}

/// A document, or the text of one (what older inventories stored when parsing failed).
fn lenient(value: &Value, action: &str) -> Collected<PolicyDocument> {
    let parsed = match value {
        Value::String(text) => PolicyDocument::parse(text),
        other => PolicyDocument::from_value(other),
    };
    match parsed {
        Ok(d) => Collected::Ok(d),
        Err(e) => Collected::Unavailable(e.unavailable(action, "stored policy document")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> PolicyDocument {
        PolicyDocument::from_value(&v).unwrap_or_else(|e| panic!("{e}: {v}"))
    }

    #[test]
    fn parse_errors_are_errors_never_empty_documents() {
        type Expect = fn(&PolicyError) -> bool;
        let cases: &[(&str, Expect)] = &[
            ("not json", |e| matches!(e, PolicyError::NotJson(_))),
            ("[1, 2]", |e| *e == PolicyError::NotAnObject),
            ("\"text\"", |e| *e == PolicyError::NotAnObject),
            ("{\"Version\": \"2012-10-17\"}", |e| {
                *e == PolicyError::NoStatement
            }),
            ("{\"Statement\": []}", |e| *e == PolicyError::NoStatement),
            ("{\"Statement\": 3}", |e| {
                matches!(e, PolicyError::Invalid { .. })
            }),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": 3, \"Resource\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { path, .. } if path == "Statement[0].Action"),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { .. }),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Resource\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { problem, .. } if problem.contains("no Action")),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"NotAction\": \"s3:*\", \"Resource\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { .. }),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": {\"nested\": true}}}}]}",
                |e| matches!(e, PolicyError::Invalid { .. }),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Martian\": \"x\"}, \"Action\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { .. }),
            ),
            (
                "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resourse\": \"*\"}]}",
                |e| matches!(e, PolicyError::Invalid { .. }),
            ),
        ];
        for (text, expected) in cases {
            let err = PolicyDocument::parse(text).expect_err(text);
            assert!(expected(&err), "{text}: {err:?}");
        }
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        let deep = format!("{{\"Statement\": {deep}}}");
        assert!(PolicyDocument::parse(&deep).is_err());
    }

    #[test]
    fn string_or_list_forms_and_scalar_condition_values_parse() {
        let d = doc(json!({
            "Statement": {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root", "Service": ["ec2.amazonaws.com"]},
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                "Condition": {
                    "Bool": {"aws:SecureTransport": false},
                    "NumericLessThan": {"s3:TlsVersion": 1.2},
                    "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a", "b"]}
                }
            }
        }));
        let s = &d.statements[0];
        let Some(Principals::Listed(p)) = &s.principal else {
            panic!()
        };
        assert_eq!(p.aws, ["arn:aws:iam::111122223333:root"]);
        assert_eq!(p.service, ["ec2.amazonaws.com"]);
        let values: Vec<(&str, &str, Vec<String>)> = s
            .conditions
            .iter()
            .map(|c| (c.operator.base.as_str(), c.key.as_str(), c.values.clone()))
            .collect();
        assert!(values.contains(&("Bool", "aws:SecureTransport", vec!["false".into()])));
        assert!(values.contains(&("NumericLessThan", "s3:TlsVersion", vec!["1.2".into()])));
        let tags = s
            .conditions
            .iter()
            .find(|c| c.key == "aws:TagKeys")
            .unwrap();
        assert_eq!(tags.operator.set, Some(SetQualifier::ForAnyValue));
        assert!(tags.operator.if_exists);
        assert_eq!(tags.operator.base, "StringLike");
        // Round trip through the AWS JSON.
        let again: PolicyDocument =
            serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
        assert_eq!(again, d);
    }

    #[test]
    fn inventory_fields_read_the_aws_json_and_keep_bad_documents_unavailable() {
        #[derive(Deserialize, Serialize)]
        struct Holder {
            #[serde(with = "document_field", default)]
            document: Collected<PolicyDocument>,
            #[serde(with = "bucket_policy_field", default)]
            policy: Collected<Option<PolicyDocument>>,
        }
        let read = |v: Value| serde_json::from_value::<Holder>(v).unwrap();
        let aws = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
        let h = read(json!({"document": aws, "policy": {"ok": aws}}));
        assert_eq!(h.document.ok().unwrap().statements.len(), 1);
        assert_eq!(h.policy.ok().unwrap().as_ref().unwrap().statements.len(), 1);
        // Written back: the document bare, the bucket policy in the Collected shape.
        let written = serde_json::to_value(&h).unwrap();
        assert_eq!(written["document"]["Statement"][0]["Action"], json!(["*"]));
        assert_eq!(written["policy"]["ok"]["Statement"][0]["Effect"], "Allow");
        let h = read(json!({"document": {"ok": aws}, "policy": {"ok": null}}));
        assert!(h.document.ok().is_some());
        assert_eq!(h.policy, Collected::Ok(None));
        // What an older tomscan stored for a document it could not parse: its text.
        let h = read(json!({"document": "{not json", "policy": {"ok": "{\"Version\": 1}"}}));
        for u in [
            match h.document {
                Collected::Unavailable(u) => u,
                other => panic!("{other:?}"),
            },
            match h.policy {
                Collected::Unavailable(u) => u,
                other => panic!("{other:?}"),
            },
        ] {
            assert_eq!(u.code, INVALID_POLICY_DOCUMENT);
        }
        let h = read(json!({"document": {"Version": "2012-10-17"}}));
        assert!(
            matches!(h.document, Collected::Unavailable(u) if u.message.contains("no Statement"))
        );
        let h = read(
            json!({"document": {"unavailable": {"action": "iam:X", "code": "AccessDenied", "message": "no"}}}),
        );
        assert!(matches!(h.document, Collected::Unavailable(u) if u.action == "iam:X"));
    }
}
