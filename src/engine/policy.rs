//! What a policy document allows, for the checks that ask: who a resource policy lets
//! in ([`PolicyDocument::public_access`], [`PolicyDocument::external_grants`]), whether
//! a bucket policy denies every request made without TLS
//! ([`PolicyDocument::tls_enforcement`]), and who a role's trust policy lets assume it
//! that the account does not know ([`PolicyDocument::open_trust`]). The documents
//! themselves are facts of the inventory ([`crate::inventory::policy`]).

use serde::Serialize;
use serde_json::Value;

use crate::engine::access::{Audience, Party};
use crate::inventory::policy::pattern::{covers, literal_prefix_then_any, pieces};
use crate::inventory::policy::{
    Condition, Effect, Patterns, PolicyDocument, Principals, Statement,
};

/// A statement the evaluator singled out, with why, for a finding's evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    /// The statement's index in the document's `Statement` list.
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub why: String,
    pub statement: Value,
}

impl Statement {
    /// This statement, singled out with why, as evidence names it.
    pub fn judged_as(&self, index: usize, why: impl Into<String>) -> Judged {
        self.judged(index, why)
    }

    fn judged(&self, index: usize, why: impl Into<String>) -> Judged {
        Judged {
            index,
            sid: self.sid.clone(),
            why: why.into(),
            statement: self.to_value(),
        }
    }

    /// Who this statement lets in regardless of identity: `NotPrincipal`, or a principal
    /// that is everyone.
    fn grants_everyone(&self) -> Option<&'static str> {
        match &self.principal {
            Some(Principals::AllBut(_)) => Some("NotPrincipal (everyone but the listed)"),
            Some(Principals::Listed(p)) if p.is_everyone() => Some("every principal (\"*\")"),
            _ => None,
        }
    }

    /// The conditions that really narrow who can use the statement.
    pub fn narrowing_conditions(&self) -> Vec<&Condition> {
        self.conditions
            .iter()
            .filter(|c| narrows_principal(c))
            .collect()
    }

    fn allows_assume_role(&self) -> bool {
        self.effect == Effect::Allow
            && [
                "sts:AssumeRole",
                "sts:AssumeRoleWithWebIdentity",
                "sts:AssumeRoleWithSAML",
            ]
            .iter()
            .any(|a| self.action.includes(a, true))
    }
}

/// Context keys that, matched against fixed values, pin a request to a known network,
/// organization, account, principal or resource. `aws:ResourceAccount` is not among
/// them: on a bucket policy it is always the bucket owner, whoever calls.
const NARROWING_KEYS: &[&str] = &[
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "kms:calleraccount",
];

/// Context keys whose values name the caller's account (or an ARN that holds it): a
/// statement narrowed by one of them lets in those accounts, and only those.
const ACCOUNT_KEYS: &[&str] = &[
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "s3:dataaccesspointaccount",
    "kms:calleraccount",
];

/// Whether a condition restricts a statement to a known set of callers. `Bool
/// aws:SecureTransport`, `aws:Referer`, `aws:UserAgent` (both set by the caller),
/// `aws:SourceIp 0.0.0.0/0`, negated operators and `IfExists` forms restrict nothing.
pub fn narrows_principal(c: &Condition) -> bool {
    if !c.operator.is_positive_match() || !c.operator.requires_key() || c.values.is_empty() {
        return false;
    }
    let key = c.key.to_ascii_lowercase();
    if key == "aws:sourceip" {
        return c.operator.base == "IpAddress" && specific_ip_ranges(&c.values);
    }
    if c.operator.base == "IpAddress" || !NARROWING_KEYS.contains(&key.as_str()) {
        return false;
    }
    c.values.iter().all(|v| fixed_value(&key, v))
}

/// A value that names one thing: no wildcard and no policy variable, except where the
/// wildcard comes after the part that pins the caller down (an ARN's account, an
/// organization path's organization, a role's unique id before the session name).
fn fixed_value(key: &str, value: &str) -> bool {
    let wild = |s: &str| s.is_empty() || s.contains(['*', '?']) || s.contains("${");
    if !wild(value) {
        return true;
    }
    match key {
        "aws:principalarn" | "aws:sourcearn" | "s3:dataaccesspointarn" => {
            let parts: Vec<&str> = value.splitn(6, ':').collect();
            parts.len() == 6
                && parts[0] == "arn"
                && !wild(parts[1])
                && !wild(parts[2])
                && parts[4].len() == 12
                && parts[4].chars().all(|c| c.is_ascii_digit())
        }
        "aws:principalorgpaths" | "aws:sourceorgpaths" => value
            .split('/')
            .next()
            .is_some_and(|org| org.starts_with("o-") && !wild(org)),
        "aws:userid" => value
            .split_once(':')
            .is_some_and(|(id, _)| id.len() > 4 && !wild(id)),
        _ => false,
    }
}

/// Source addresses that pin callers to a known network: every value an address or
/// CIDR, and together less than the internet as the network engine counts it (private
/// ranges of any size, public ones short of a /8 or an IPv6 /32), so `0.0.0.0/0`,
/// `0.0.0.0/1` + `128.0.0.0/1` and `2000::/3` narrow nothing.
fn specific_ip_ranges(values: &[String]) -> bool {
    let (addrs, bad) = crate::engine::net::Addrs::parse_all(values.iter().map(String::as_str));
    bad.is_empty() && !addrs.is_internet()
}

/// Public statements of a resource or trust policy, and the everyone-statements that a
/// condition narrows (evidence for the pass).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PublicAccess {
    pub public: Vec<Judged>,
    pub narrowed: Vec<Judged>,
}

impl PublicAccess {
    pub fn is_public(&self) -> bool {
        !self.public.is_empty()
    }
}

/// How a bucket policy stands on TLS.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TlsEnforcement {
    /// Deny statements that refuse every request made without TLS.
    pub enforcing: Vec<Judged>,
    /// Deny statements that also refuse old TLS versions (fine beside the above).
    pub tls_version_denies: Vec<Judged>,
    /// Deny statements about transport that look right and are not, with why.
    pub ineffective: Vec<Judged>,
}

impl TlsEnforcement {
    pub fn is_enforced(&self) -> bool {
        !self.enforcing.is_empty()
    }
}

impl PolicyDocument {
    /// Allow statements that let anyone in, unless a condition really narrows who.
    pub fn public_access(&self) -> PublicAccess {
        let mut out = PublicAccess::default();
        for (i, s) in self.statements.iter().enumerate() {
            if s.effect != Effect::Allow {
                continue;
            }
            let Some(who) = s.grants_everyone() else {
                continue;
            };
            let narrowing = s.narrowing_conditions();
            if narrowing.is_empty() {
                let why = if s.conditions.is_empty() {
                    format!("allows {who} without a condition")
                } else {
                    format!(
                        "allows {who}; its conditions restrict nothing about who calls: {}",
                        join(&s.conditions)
                    )
                };
                out.public.push(s.judged(i, why));
            } else {
                out.narrowed.push(s.judged(
                    i,
                    format!("allows {who}, narrowed by {}", join_refs(&narrowing)),
                ));
            }
        }
        out
    }

    /// Whether the bucket policy denies every request to `bucket_arn` and its objects
    /// made without TLS: Deny statements of all principals, for `s3:*` (or `*`), that
    /// together cover the bucket and `bucket/*`, each conditioned on plain HTTP
    /// (`aws:SecureTransport` false, however the operator spells it) and nothing else.
    pub fn tls_enforcement(&self, bucket_arn: &str) -> TlsEnforcement {
        let mut out = TlsEnforcement::default();
        // Statements that deny plain HTTP on part of the bucket: (index, bucket, objects).
        let mut partial: Vec<(usize, bool, bool)> = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            if s.effect != Effect::Deny {
                continue;
            }
            let secure_transport: Vec<&Condition> = s
                .conditions
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case("aws:SecureTransport"))
                .collect();
            let tls_version: Vec<&Condition> = s
                .conditions
                .iter()
                .filter(|c| c.key.eq_ignore_ascii_case("s3:TlsVersion"))
                .collect();
            if secure_transport.is_empty() && tls_version.is_empty() {
                continue;
            }
            let scope = deny_scope(s, bucket_arn);
            if secure_transport.is_empty() {
                // Only a TLS-version condition: plain HTTP has no TLS version, so
                // `NumericLessThan s3:TlsVersion` never matches it.
                match scope {
                    Err(problem) => out.ineffective.push(s.judged(i, problem)),
                    Ok(_) => out.tls_version_denies.push(s.judged(
                        i,
                        format!(
                            "denies old TLS versions ({}); alone it lets plain HTTP through, since a request without TLS carries no TLS version",
                            join_refs(&tls_version)
                        ),
                    )),
                }
                continue;
            }
            if !secure_transport.iter().all(|c| matches_plain_http(c)) {
                out.ineffective.push(s.judged(
                    i,
                    format!(
                        "its aws:SecureTransport condition ({}) does not match plain HTTP",
                        join_refs(&secure_transport)
                    ),
                ));
                continue;
            }
            let others: Vec<&Condition> = s
                .conditions
                .iter()
                .filter(|c| !c.key.eq_ignore_ascii_case("aws:SecureTransport"))
                .collect();
            if !others.is_empty() {
                out.ineffective.push(s.judged(
                    i,
                    format!(
                        "it ANDs aws:SecureTransport = false with {}, so it denies only the plain-HTTP requests that also match that (a request without TLS carries no TLS version)",
                        join_refs(&others)
                    ),
                ));
                continue;
            }
            match scope {
                Err(problem) => out.ineffective.push(s.judged(i, problem)),
                Ok((true, true)) => out.enforcing.push(s.judged(
                    i,
                    "denies every principal every S3 action on the bucket and its objects without TLS",
                )),
                Ok((bucket, objects)) => partial.push((i, bucket, objects)),
            }
        }
        // Statements that each cover part of the bucket enforce TLS together when they
        // cover all of it (the bucket in one statement, its objects in another).
        let together = partial.iter().any(|p| p.1) && partial.iter().any(|p| p.2);
        let objects = format!("{bucket_arn}/*");
        for (i, bucket, _) in partial {
            let s = &self.statements[i];
            let part = if bucket { bucket_arn } else { objects.as_str() };
            if together {
                out.enforcing.push(s.judged(
                    i,
                    format!("denies every principal every S3 action on {part} without TLS; the other part is denied by another statement"),
                ));
            } else {
                let missing = if bucket { objects.as_str() } else { bucket_arn };
                out.ineffective.push(s.judged(
                    i,
                    format!(
                        "it denies plain HTTP on {part} only, and no statement covers {missing}"
                    ),
                ));
            }
        }
        out
    }

    /// Allow statements of a trust policy that let an unknown party assume the role:
    /// anyone (without a condition that narrows who), an account that is neither this
    /// one nor in `trusted_accounts` (without `sts:ExternalId` or an organization
    /// condition), or a web-identity provider without a condition on the token's
    /// subject. Service principals and this account's own principals are fine.
    pub fn open_trust(&self, audience: &Audience<'_>) -> Vec<Judged> {
        let mut out = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            if !s.allows_assume_role() {
                continue;
            }
            if let Some(who) = s.grants_everyone() {
                if s.narrowing_conditions().is_empty() {
                    out.push(s.judged(
                        i,
                        format!("lets {who} assume the role with no condition narrowing who"),
                    ));
                }
                continue;
            }
            let Some(Principals::Listed(p)) = &s.principal else {
                continue;
            };
            // A bare unique id (AROA..., AIDA...) is what IAM leaves in a trust policy
            // when the principal it named is deleted: nobody can be it again.
            let outsiders: Vec<String> = audience
                .external(p.aws.iter().map(String::as_str))
                .iter()
                .filter(|party| !matches!(party, Party::Unknown(g) if is_unique_id(g)))
                .map(ToString::to_string)
                .collect();
            if !outsiders.is_empty() && !has_external_id(s) && !has_org_condition(s) {
                out.push(s.judged(
                    i,
                    format!(
                        "trusts {} (not this account, its organization's, nor in trusted_accounts) without sts:ExternalId or an aws:PrincipalOrgID/aws:PrincipalOrgPaths condition",
                        outsiders.join(", ")
                    ),
                ));
            }
            for provider in &p.federated {
                if let Some(host) = web_identity_host(provider)
                    && !has_subject_condition(s, host)
                {
                    out.push(s.judged(
                        i,
                        format!(
                            "trusts web identities from {host} without a condition on {host}:sub, so any of that provider's users can assume the role"
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// An Allow statement of a resource policy that lets in parties outside the account's
/// organization and trusted accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalGrant {
    #[serde(flatten)]
    pub statement: Judged,
    /// Who outside it lets in: everyone, or each outsider once.
    pub parties: Vec<Party>,
}

impl PolicyDocument {
    /// Allow statements of a resource policy (a bucket's, a key's) that let in anyone
    /// outside the audience: everyone, unless a condition narrows who; an account, ARN or
    /// unreadable principal that is not this account, its organization's, nor trusted,
    /// unless an organization condition narrows it; and, for statements narrowed by the
    /// caller's account (`aws:PrincipalAccount`, `aws:SourceArn`, `kms:CallerAccount`,
    /// ...), the outsiders that condition names. Service principals are AWS itself.
    pub fn external_grants(&self, audience: &Audience<'_>) -> Vec<ExternalGrant> {
        let mut out = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            if s.effect != Effect::Allow {
                continue;
            }
            // The accounts the statement's own conditions confine callers to: the
            // narrowest account condition decides (conditions are ANDed).
            let account_conditions: Vec<&Condition> = s
                .conditions
                .iter()
                .filter(|c| {
                    ACCOUNT_KEYS.contains(&c.key.to_ascii_lowercase().as_str())
                        && c.operator.is_positive_match()
                        && c.operator.requires_key()
                        && !c.values.is_empty()
                })
                .collect();
            let confined = account_conditions
                .iter()
                .map(|c| (c, audience.external(c.values.iter().map(String::as_str))))
                .min_by_key(|(_, external)| external.len());
            if let Some((_, external)) = &confined
                && external.is_empty()
            {
                continue;
            }
            if let Some(who) = s.grants_everyone() {
                let (parties, why) = match confined {
                    Some((c, external)) => (
                        external,
                        format!("allows {who}, narrowed by {c} to accounts outside"),
                    ),
                    None if s.narrowing_conditions().is_empty() => (
                        vec![Party::Everyone],
                        format!("allows {who} with no condition narrowing who"),
                    ),
                    // Narrowed by network, organization or source: not an account here.
                    None => continue,
                };
                out.push(ExternalGrant {
                    statement: s.judged(i, why),
                    parties,
                });
                continue;
            }
            let Some(Principals::Listed(p)) = &s.principal else {
                continue;
            };
            let parties: Vec<Party> = audience
                .external(p.aws.iter().map(String::as_str))
                .into_iter()
                .filter(|party| !matches!(party, Party::Unknown(g) if is_unique_id(g)))
                .collect();
            if parties.is_empty() || has_org_condition(s) {
                continue;
            }
            let names: Vec<String> = parties.iter().map(ToString::to_string).collect();
            out.push(ExternalGrant {
                statement: s.judged(
                    i,
                    format!(
                        "allows {} (not this account, its organization's, nor in trusted_accounts)",
                        names.join(", ")
                    ),
                ),
                parties,
            });
        }
        out
    }
}

fn join(conditions: &[Condition]) -> String {
    conditions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn join_refs(conditions: &[&Condition]) -> String {
    conditions
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a condition on `aws:SecureTransport` holds for a request made without TLS,
/// whose value for the key is `false`: `Bool`/`BoolIfExists` false, `StringEquals`
/// "false", `StringNotEquals` "true", `ForAnyValue:`/`ForAllValues:` of those (the key
/// is single-valued, so both qualifiers compare its one value).
fn matches_plain_http(c: &Condition) -> bool {
    let says = |v: &str| c.values.iter().any(|x| x.eq_ignore_ascii_case(v));
    match c.operator.base.as_str() {
        "Bool" | "StringEqualsIgnoreCase" => says("false"),
        "StringEquals" | "StringLike" => c
            .values
            .iter()
            .any(|v| v == "false" || wildmatch::WildMatch::new(v).matches("false")),
        "StringNotEquals" | "StringNotEqualsIgnoreCase" => {
            !c.values.iter().any(|v| v.eq_ignore_ascii_case("false"))
        }
        _ => false,
    }
}

/// What a deny of plain HTTP covers of the bucket (the bucket itself, its objects), or
/// what keeps it from applying to every request: principals, actions, resources.
fn deny_scope(s: &Statement, bucket_arn: &str) -> Result<(bool, bool), String> {
    match &s.principal {
        Some(Principals::Listed(p)) if p.is_everyone() => {}
        _ => return Err("it does not apply to every principal (\"Principal\": \"*\")".into()),
    }
    match &s.action {
        Patterns::Listed(list)
            if list
                .iter()
                .any(|a| covers(a, &literal_prefix_then_any("s3:"), true)) => {}
        Patterns::Listed(list) => {
            return Err(format!("its Action {list:?} is not every S3 action (s3:*)"));
        }
        Patterns::AllBut(_) => {
            return Err("it uses NotAction instead of denying s3:*".into());
        }
    }
    let objects = format!("{bucket_arn}/*");
    match &s.resource {
        Some(Patterns::Listed(list)) => {
            let bucket = list.iter().any(|r| covers(r, &pieces(bucket_arn), false));
            let all_objects = list.iter().any(|r| {
                covers(
                    r,
                    &literal_prefix_then_any(&format!("{bucket_arn}/")),
                    false,
                )
            });
            if bucket || all_objects {
                Ok((bucket, all_objects))
            } else {
                Err(format!(
                    "its Resource {list:?} leaves out {bucket_arn} and {objects}"
                ))
            }
        }
        Some(Patterns::AllBut(_)) => {
            Err("it uses NotResource instead of naming the bucket and its objects".into())
        }
        None => Err("it names no Resource".into()),
    }
}

/// An IAM unique id (`AROA`, `AIDA`, ... then upper-case letters and digits), which IAM
/// shows in place of a deleted principal.
fn is_unique_id(s: &str) -> bool {
    s.len() > 4
        && s.starts_with('A')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The OpenID Connect issuer of a `Federated` principal; `None` for SAML providers,
/// whose IdP is the account's own.
fn web_identity_host(provider: &str) -> Option<&str> {
    if provider.contains(":saml-provider/") {
        return None;
    }
    match provider.split_once(":oidc-provider/") {
        Some((_, host)) => Some(host),
        None => Some(provider),
    }
}

fn positive_string_match(c: &Condition) -> bool {
    matches!(
        c.operator.base.as_str(),
        "StringEquals" | "StringEqualsIgnoreCase" | "StringLike"
    ) && c.operator.requires_key()
        && !c.values.is_empty()
}

fn has_external_id(s: &Statement) -> bool {
    s.conditions.iter().any(|c| {
        c.key.eq_ignore_ascii_case("sts:ExternalId")
            && positive_string_match(c)
            && c.values
                .iter()
                .all(|v| !v.is_empty() && !v.contains(['*', '?']))
    })
}

fn has_org_condition(s: &Statement) -> bool {
    s.conditions.iter().any(|c| {
        (c.key.eq_ignore_ascii_case("aws:PrincipalOrgID")
            || c.key.eq_ignore_ascii_case("aws:PrincipalOrgPaths"))
            && narrows_principal(c)
    })
}

/// A condition on the token's subject that pins it to something the account owns
/// (`repo:my-org/*` on GitHub, a namespace on EKS), not `*` or `repo:*`. For Cognito
/// identity pools the audience (the pool id) does that.
fn has_subject_condition(s: &Statement, host: &str) -> bool {
    let sub = format!("{host}:sub");
    let aud = format!("{host}:aud");
    s.conditions.iter().any(|c| {
        positive_string_match(c)
            && if c.key.eq_ignore_ascii_case(&sub) {
                c.values.iter().all(|v| specific_subject(v))
            } else {
                host == "cognito-identity.amazonaws.com"
                    && c.key.eq_ignore_ascii_case(&aud)
                    && c.values
                        .iter()
                        .all(|v| !v.is_empty() && !v.contains(['*', '?']))
            }
    })
}

/// The subject's text before its first wildcard names at least one whole segment after
/// the provider's generic prefix: `repo:my-org/*` does, `repo:my-org*` and `repo:*` do
/// not.
fn specific_subject(value: &str) -> bool {
    let Some(first_wild) = value.find(['*', '?']) else {
        return !value.is_empty();
    };
    let fixed = &value[..first_wild];
    let rest = ["repo:", "system:serviceaccount:"]
        .iter()
        .find_map(|p| fixed.strip_prefix(p))
        .unwrap_or(fixed);
    rest.find(['/', ':']).is_some_and(|i| i > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> PolicyDocument {
        PolicyDocument::from_value(&v).unwrap_or_else(|e| panic!("{e}: {v}"))
    }

    fn statement(v: Value) -> PolicyDocument {
        doc(json!({ "Version": "2012-10-17", "Statement": [v] }))
    }

    #[test]
    fn public_access_table() {
        let allow = |principal: Value, condition: Value| {
            let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
            if !condition.is_null() {
                s["Condition"] = condition;
            }
            statement(s)
        };
        let cases = [
            (json!("*"), Value::Null, true),
            (json!({"AWS": "*"}), Value::Null, true),
            (
                json!({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
                Value::Null,
                true,
            ),
            (json!({"AWS": "arn:aws:iam::*:root"}), Value::Null, true),
            (json!({"CanonicalUser": "*"}), Value::Null, true),
            (
                json!({"AWS": "arn:aws:iam::111122223333:root"}),
                Value::Null,
                false,
            ),
            (
                json!({"Service": "logging.s3.amazonaws.com"}),
                Value::Null,
                false,
            ),
            (
                json!("*"),
                json!({"Bool": {"aws:SecureTransport": "true"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringLike": {"aws:Referer": "https://example.com/*"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:UserAgent": "curl"}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "::/0"]}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": "2000::/3"}}),
                true,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": "3.0.0.0/8"}}),
                true,
            ),
            (
                json!("*"),
                json!({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
                true,
            ),
            (
                json!("*"),
                json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:PrincipalOrgID": "*"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringLike": {"aws:SourceAccount": "*"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:ResourceAccount": "111122223333"}}),
                true,
            ),
            (
                json!("*"),
                json!({"Null": {"aws:SourceVpce": "false"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:username": "alice"}}),
                true,
            ),
            (
                json!("*"),
                json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}),
                true,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}),
                false,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"AWS:SourceVpc": "vpc-1"}}),
                false,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:PrincipalOrgID": ["o-abc", "o-def"]}}),
                false,
            ),
            (
                json!("*"),
                json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-1/ou-2/*"}}),
                false,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}),
                false,
            ),
            (
                json!("*"),
                json!({"StringEquals": {"aws:SourceAccount": "111122223333"}}),
                false,
            ),
            (
                json!("*"),
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/*"}}),
                false,
            ),
            (
                json!("*"),
                json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/reader"}}),
                false,
            ),
            (
                json!("*"),
                json!({"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}),
                false,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.7"]}}),
                false,
            ),
            (
                json!("*"),
                json!({"IpAddress": {"aws:SourceIp": "2001:db8::/48"}}),
                false,
            ),
            (
                json!("*"),
                json!({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceVpce": "vpce-1"}}),
                false,
            ),
        ];
        for (principal, condition, public) in cases {
            let d = allow(principal.clone(), condition.clone());
            let access = d.public_access();
            assert_eq!(access.is_public(), public, "{principal} {condition}");
            if !public && principal == json!("*") {
                assert_eq!(access.narrowed.len(), 1, "{condition}");
            }
        }
        // NotPrincipal in an Allow is everyone else.
        let d = statement(
            json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}),
        );
        assert!(d.public_access().is_public());
        // Denies are never public.
        let d = statement(
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}),
        );
        assert!(!d.public_access().is_public());
    }

    fn tls(statements: Value) -> TlsEnforcement {
        doc(json!({ "Statement": statements })).tls_enforcement("arn:aws:s3:::b")
    }

    #[test]
    fn tls_enforcement_table() {
        let good = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let with = |f: &dyn Fn(&mut Value)| {
            let mut s = good.clone();
            f(&mut s);
            s
        };
        let cases: Vec<(Value, bool)> = vec![
            (good.clone(), true),
            (with(&|s| s["Principal"] = json!({"AWS": "*"})), true),
            (with(&|s| s["Action"] = json!("*")), true),
            (with(&|s| s["Resource"] = json!("arn:aws:s3:::b*")), true),
            (with(&|s| s["Resource"] = json!("*")), true),
            (
                with(&|s| s["Condition"] = json!({"Bool": {"aws:SecureTransport": false}})),
                true,
            ),
            (
                with(&|s| {
                    s["Condition"] = json!({"BoolIfExists": {"aws:SecureTransport": "false"}})
                }),
                true,
            ),
            // Plain HTTP carries no TLS version: never matches.
            (
                with(&|s| s["Condition"] = json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}})),
                false,
            ),
            // ANDed with a TLS version: never true together.
            (
                with(
                    &|s| s["Condition"] = json!({"Bool": {"aws:SecureTransport": "false"}, "NumericLessThan": {"s3:TlsVersion": "1.2"}}),
                ),
                false,
            ),
            // ANDed with anything else: narrower than every plain-HTTP request.
            (
                with(
                    &|s| s["Condition"] = json!({"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalAccount": "111122223333"}}),
                ),
                false,
            ),
            (
                with(&|s| s["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}})),
                false,
            ),
            (with(&|s| s["Resource"] = json!("arn:aws:s3:::b")), false),
            (with(&|s| s["Resource"] = json!("arn:aws:s3:::b/*")), false),
            (
                with(&|s| s["Resource"] = json!(["arn:aws:s3:::b", "arn:aws:s3:::b/public/*"])),
                false,
            ),
            (
                with(&|s| s["Resource"] = json!(["arn:aws:s3:::other", "arn:aws:s3:::other/*"])),
                false,
            ),
            (with(&|s| s["Action"] = json!("s3:GetObject")), false),
            (with(&|s| s["Action"] = json!("s3:Get*")), false),
            (
                with(&|s| s["Principal"] = json!({"AWS": "arn:aws:iam::111122223333:root"})),
                false,
            ),
            (with(&|s| s["Effect"] = json!("Allow")), false),
        ];
        for (s, enforced) in cases {
            let t = tls(json!([s.clone()]));
            assert_eq!(t.is_enforced(), enforced, "{s}\n{t:#?}");
            if !enforced && s["Effect"] == "Deny" {
                assert!(
                    !t.ineffective.is_empty() || !t.tls_version_denies.is_empty(),
                    "a near miss says why: {s}"
                );
            }
        }
        // A TLS-version deny beside the SecureTransport deny is fine, and shown.
        let t = tls(json!([
            good.clone(),
            with(&|s| s["Condition"] = json!({"NumericLessThan": {"s3:TlsVersion": 1.2}}))
        ]));
        assert!(t.is_enforced());
        assert_eq!(t.tls_version_denies.len(), 1);
        assert!(t.tls_version_denies[0].why.contains("no TLS version"));
    }

    const OWN: &str = "123456789012";

    fn trust(s: Value, trusted: &[&str]) -> Vec<Judged> {
        let trusted: Vec<String> = trusted.iter().map(|s| s.to_string()).collect();
        statement(s).open_trust(&Audience::new(OWN, &[], &trusted))
    }

    #[test]
    fn open_trust_table() {
        let assume = |principal: Value, condition: Value| {
            let mut s =
                json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
            if !condition.is_null() {
                s["Condition"] = condition;
            }
            s
        };
        let web = |provider: &str, condition: Value| {
            let mut s = json!({"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"});
            if !condition.is_null() {
                s["Condition"] = condition;
            }
            s
        };
        let gh = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        let cases: Vec<(Value, &[&str], bool)> = vec![
            (assume(json!({"AWS": "*"}), Value::Null), &[], true),
            (assume(json!("*"), Value::Null), &[], true),
            (
                assume(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"sts:ExternalId": "x"}}),
                ),
                &[],
                true,
            ),
            (
                assume(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
                ),
                &[],
                false,
            ),
            (
                assume(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:PrincipalAccount": OWN}}),
                ),
                &[],
                false,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    Value::Null,
                ),
                &[],
                true,
            ),
            (
                assume(json!({"AWS": "999999999999"}), Value::Null),
                &[],
                true,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:role/deployer"}),
                    Value::Null,
                ),
                &["999999999999"],
                false,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    json!({"StringEquals": {"sts:ExternalId": "6d1f-secret"}}),
                ),
                &[],
                false,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    json!({"StringEquals": {"sts:ExternalId": "*"}}),
                ),
                &[],
                true,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    json!({"StringEqualsIfExists": {"sts:ExternalId": "x"}}),
                ),
                &[],
                true,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
                ),
                &[],
                false,
            ),
            (
                assume(
                    json!({"AWS": "arn:aws:iam::999999999999:root"}),
                    json!({"StringEquals": {"aws:PrincipalOrgID": "*"}}),
                ),
                &[],
                true,
            ),
            (
                assume(
                    json!({"AWS": format!("arn:aws:iam::{OWN}:root")}),
                    Value::Null,
                ),
                &[],
                false,
            ),
            (assume(json!({"AWS": OWN}), Value::Null), &[], false),
            (
                assume(json!({"AWS": "AROADELETEDROLEID"}), Value::Null),
                &[],
                false,
            ),
            (
                assume(json!({"Service": "ec2.amazonaws.com"}), Value::Null),
                &[],
                false,
            ),
            (
                assume(
                    json!({"Federated": "arn:aws:iam::123456789012:saml-provider/okta"}),
                    Value::Null,
                ),
                &[],
                false,
            ),
            (web(gh, Value::Null), &[], true),
            (
                web(
                    gh,
                    json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
                ),
                &[],
                true,
            ),
            (
                web(
                    gh,
                    json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}),
                ),
                &[],
                true,
            ),
            (
                web(
                    gh,
                    json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org*"}}),
                ),
                &[],
                true,
            ),
            (
                web(
                    gh,
                    json!({"StringNotEquals": {"token.actions.githubusercontent.com:sub": "repo:x/y:ref:refs/heads/main"}}),
                ),
                &[],
                true,
            ),
            (
                web(
                    gh,
                    json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/*"}}),
                ),
                &[],
                false,
            ),
            (
                web(
                    gh,
                    json!({"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:my-org/app:ref:refs/heads/main"}}),
                ),
                &[],
                false,
            ),
            (
                web(
                    "cognito-identity.amazonaws.com",
                    json!({"StringEquals": {"cognito-identity.amazonaws.com:aud": "eu-west-1:pool-id"}}),
                ),
                &[],
                false,
            ),
            (
                web(
                    "accounts.google.com",
                    json!({"StringEquals": {"accounts.google.com:aud": "client-id"}}),
                ),
                &[],
                true,
            ),
            // Not about assuming the role at all.
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:TagSession"}),
                &[],
                false,
            ),
            (
                json!({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
                &[],
                false,
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}),
                &[],
                true,
            ),
        ];
        for (s, trusted, open) in cases {
            let found = trust(s.clone(), trusted);
            assert_eq!(
                !found.is_empty(),
                open,
                "{s} trusted={trusted:?}: {found:#?}"
            );
        }
    }

    /// Who outside a resource policy lets in, however it names them.
    #[test]
    fn external_grants_table() {
        let allow = |principal: Value, condition: Value| {
            let mut s = json!({"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "*"});
            if !condition.is_null() {
                s["Condition"] = condition;
            }
            s
        };
        let org = vec!["210987654321".to_string()];
        let trusted = vec!["111122223333".to_string()];
        let audience = Audience::new(OWN, &org, &trusted);
        let outside = |a: &str| Party::Outside(a.into());
        let cases: Vec<(Value, Vec<Party>)> = vec![
            (
                allow(json!({"AWS": "999999999999"}), Value::Null),
                vec![outside("999999999999")],
            ),
            (
                allow(
                    json!({"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::999999999999:role/x"]}),
                    Value::Null,
                ),
                vec![outside("999999999999")],
            ),
            (
                allow(
                    json!({"AWS": "arn:aws:iam::210987654321:root"}),
                    Value::Null,
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": format!("arn:aws:iam::{OWN}:role/r")}),
                    Value::Null,
                ),
                vec![],
            ),
            (
                allow(json!({"Service": "cloudtrail.amazonaws.com"}), Value::Null),
                vec![],
            ),
            // A deleted principal's unique id is nobody.
            (
                allow(json!({"AWS": "AROAEXAMPLEID1234"}), Value::Null),
                vec![],
            ),
            (allow(json!("*"), Value::Null), vec![Party::Everyone]),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:PrincipalAccount": OWN}}),
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"kms:CallerAccount": [OWN, "111122223333"]}}),
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"aws:PrincipalAccount": "999999999999"}}),
                ),
                vec![outside("999999999999")],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEquals": {"kms:CallerAccount": ["999999999999", OWN]}}),
                ),
                vec![outside("999999999999")],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:999999999999:trail/*"}}),
                ),
                vec![outside("999999999999")],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}),
                ),
                vec![Party::Unknown("arn:aws:iam::*:role/x".into())],
            ),
            // An IfExists or negated account condition confines nobody.
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringEqualsIfExists": {"aws:PrincipalAccount": OWN}}),
                ),
                vec![Party::Everyone],
            ),
            (
                allow(
                    json!({"AWS": "*"}),
                    json!({"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}),
                ),
                vec![Party::Everyone],
            ),
            // An outsider narrowed to this account by an ANDed condition is nobody.
            (
                allow(
                    json!({"AWS": "999999999999"}),
                    json!({"StringEquals": {"aws:PrincipalAccount": OWN}}),
                ),
                vec![],
            ),
            (
                allow(
                    json!({"AWS": "999999999999"}),
                    json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
                ),
                vec![],
            ),
            (
                json!({"Effect": "Deny", "Principal": {"AWS": "999999999999"}, "Action": "s3:*", "Resource": "*"}),
                vec![],
            ),
        ];
        for (st, want) in cases {
            let got: Vec<Party> = statement(st.clone())
                .external_grants(&audience)
                .into_iter()
                .flat_map(|g| g.parties)
                .collect();
            assert_eq!(got, want, "{st}");
        }
    }

    proptest::proptest! {
        /// A statement whose principals are all known accounts grants nobody outside,
        /// and adding one unknown account to it always does, unless an organization
        /// condition narrows it.
        #[test]
        fn an_outsider_among_principals_is_always_found(
            known in proptest::collection::vec(proptest::sample::select(vec![OWN, "210987654321", "111122223333"]), 1..4),
            outsider in "[0-9]{12}",
            arn in proptest::bool::ANY,
            org_condition in proptest::bool::ANY,
        ) {
            proptest::prop_assume!(![OWN, "210987654321", "111122223333"].contains(&outsider.as_str()));
            let org = vec!["210987654321".to_string()];
            let trusted = vec!["111122223333".to_string()];
            let audience = Audience::new(OWN, &org, &trusted);
            let name = |a: &str| if arn { format!("arn:aws:iam::{a}:root") } else { a.to_string() };
            let mut principals: Vec<String> = known.iter().map(|a| name(a)).collect();
            let mut st = json!({"Effect": "Allow", "Principal": {"AWS": principals.clone()}, "Action": "kms:Decrypt", "Resource": "*"});
            proptest::prop_assert!(statement(st.clone()).external_grants(&audience).is_empty());
            principals.push(name(&outsider));
            st["Principal"] = json!({"AWS": principals});
            if org_condition {
                st["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
            }
            let grants = statement(st).external_grants(&audience);
            if org_condition {
                proptest::prop_assert!(grants.is_empty());
            } else {
                proptest::prop_assert_eq!(grants.len(), 1);
                proptest::prop_assert_eq!(&grants[0].parties, &vec![Party::Outside(outsider.clone())]);
            }
        }
    }
}
