//! IAM permissions computed, not recognised: which actions a set of identity policies
//! allows on every resource, expanded against the catalogue of every IAM action, with
//! unconditional denies taken away; and whether that makes the holder an administrator
//! or lets it become one along a published privilege-escalation path.
//!
//! `"Action": "*"`, `"iam:*"`, `"iam:Put*Policy"`, `NotAction` of a few actions, and an
//! allow-everything narrowed by a `Deny`/`NotAction` guard are all just sets of actions
//! here; checks ask [`Permissions::verdict`] and never compare action strings.
//!
//! The data, each file with its source and date in its header:
//! - `data/iam-actions.txt`: every action of every service with its access level, from
//!   the AWS Service Authorization Reference;
//! - `data/escalation-paths.toml`: the privilege-escalation paths of Rhino Security Labs,
//!   cloudsplaining, pathfinding.cloud and iam-vulnerable, as sets of actions.
//!
//! What it does not see: permission boundaries, service control policies and session
//! policies (none is collected), resource policies that grant the holder more, and
//! conditions (an allow counts whenever its conditions may hold; a deny with a
//! condition is not counted, since it may not apply).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

use crate::engine::policy::Judged;
use crate::inventory::policy::{Effect, Patterns, PolicyDocument, Statement};

/// How AWS classifies an action (Service Authorization Reference "Access level").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub service: &'static str,
    pub name: &'static str,
    pub level: AccessLevel,
}

impl Action {
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }
}

/// Every IAM action, by service, in the order of the data file.
pub struct Catalogue {
    actions: Vec<Action>,
    /// Lower-case service prefix -> the range of its actions in `actions`.
    services: BTreeMap<String, std::ops::Range<usize>>,
}

const CATALOGUE_TEXT: &str = include_str!("../../data/iam-actions.txt");

pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(CATALOGUE_TEXT));

impl Catalogue {
    /// The vendored file is checked by the tests; a line that does not parse is a
    /// build-time mistake, so it panics rather than shrinking the catalogue quietly.
    fn parse(text: &'static str) -> Catalogue {
        let mut actions = Vec::new();
        let mut services = BTreeMap::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut words = line.split(' ');
            let service = words.next().expect("a service prefix");
            let start = actions.len();
            for word in words {
                let (name, level) = word
                    .split_once('/')
                    .unwrap_or_else(|| panic!("iam-actions.txt: {word:?} has no access level"));
                let level = match level {
                    "L" => AccessLevel::List,
                    "R" => AccessLevel::Read,
                    "W" => AccessLevel::Write,
                    "P" => AccessLevel::PermissionsManagement,
                    "T" => AccessLevel::Tagging,
                    other => panic!("iam-actions.txt: unknown access level {other:?}"),
                };
                actions.push(Action {
                    service,
                    name,
                    level,
                });
            }
            services.insert(service.to_ascii_lowercase(), start..actions.len());
        }
        Catalogue { actions, services }
    }

    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    pub fn action(&self, index: usize) -> &Action {
        &self.actions[index]
    }

    /// The index of `service:Name` (IAM compares action names without case).
    pub fn find(&self, full_name: &str) -> Option<usize> {
        let (service, name) = full_name.split_once(':')?;
        let range = self.services.get(&service.to_ascii_lowercase())?.clone();
        range
            .clone()
            .find(|&i| self.actions[i].name.eq_ignore_ascii_case(name))
    }

    fn empty_set(&self) -> ActionSet {
        ActionSet {
            bits: vec![0; self.len().div_ceil(64)],
        }
    }

    fn full_set(&self) -> ActionSet {
        let mut set = self.empty_set();
        for i in 0..self.len() {
            set.insert(i);
        }
        set
    }

    fn service_set(&self, service: &str) -> ActionSet {
        let mut set = self.empty_set();
        if let Some(range) = self.services.get(&service.to_ascii_lowercase()) {
            for i in range.clone() {
                set.insert(i);
            }
        }
        set
    }

    /// Every catalogue action an `Action`/`NotAction` pattern (`iam:Put*Policy`, `*`)
    /// matches.
    pub fn expand(&self, pattern: &str) -> ActionSet {
        let mut set = self.empty_set();
        let p = pattern.trim();
        let literal_service = p
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| !s.contains(['*', '?']));
        match literal_service {
            Some(service) => {
                let Some(range) = self.services.get(&service.to_ascii_lowercase()) else {
                    return set;
                };
                let name = WildMatch::new_case_insensitive(&p[service.len() + 1..]);
                for i in range.clone() {
                    if name.matches(self.actions[i].name) {
                        set.insert(i);
                    }
                }
            }
            None => {
                let whole = WildMatch::new_case_insensitive(p);
                for (i, a) in self.actions.iter().enumerate() {
                    if whole.matches(&a.full_name()) {
                        set.insert(i);
                    }
                }
            }
        }
        set
    }

    /// What an `Action` or `NotAction` element lets through.
    pub fn element(&self, patterns: &Patterns) -> ActionSet {
        let (list, negated) = match patterns {
            Patterns::Listed(l) => (l, false),
            Patterns::AllBut(l) => (l, true),
        };
        let mut set = self.empty_set();
        for p in list {
            set.union_with(&self.expand(p));
        }
        if negated {
            self.full_set().minus(&set)
        } else {
            set
        }
    }
}

/// A set of catalogue actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSet {
    bits: Vec<u64>,
}

impl ActionSet {
    fn insert(&mut self, i: usize) {
        self.bits[i / 64] |= 1 << (i % 64);
    }

    pub fn contains(&self, i: usize) -> bool {
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    fn union_with(&mut self, o: &ActionSet) {
        for (a, b) in self.bits.iter_mut().zip(&o.bits) {
            *a |= b;
        }
    }

    fn intersect(&self, o: &ActionSet) -> ActionSet {
        ActionSet {
            bits: self.bits.iter().zip(&o.bits).map(|(a, b)| a & b).collect(),
        }
    }

    fn minus(&self, o: &ActionSet) -> ActionSet {
        ActionSet {
            bits: self.bits.iter().zip(&o.bits).map(|(a, b)| a & !b).collect(),
        }
    }

    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.bits.len() * 64).filter(|&i| i < CATALOGUE.len() && self.contains(i))
    }

    /// Action names, for evidence; at most `limit`, then how many more.
    pub fn names(&self, limit: usize) -> Vec<String> {
        let total = self.count();
        let mut out: Vec<String> = self
            .iter()
            .take(limit)
            .map(|i| CATALOGUE.action(i).full_name())
            .collect();
        if total > limit {
            out.push(format!("... and {} more", total - limit));
        }
        out
    }
}

// ------------------------------------------------------------------ escalation paths

/// A published way to gain more permissions: all of `actions` together, allowed on every
/// resource, let the holder act as an administrator or as another principal.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EscalationPath {
    pub id: String,
    pub actions: Vec<String>,
    pub how: String,
    pub source: String,
}

#[derive(Deserialize)]
struct PathFile {
    path: Vec<EscalationPath>,
}

const PATHS_TEXT: &str = include_str!("../../data/escalation-paths.toml");

/// Every path, with its actions' catalogue indices (a meta-test proves they all exist).
pub static ESCALATION_PATHS: LazyLock<Vec<(EscalationPath, Vec<usize>)>> = LazyLock::new(|| {
    let file: PathFile = toml::from_str(PATHS_TEXT).expect("data/escalation-paths.toml parses");
    file.path
        .into_iter()
        .map(|p| {
            let indices = p.actions.iter().filter_map(|a| CATALOGUE.find(a)).collect();
            (p, indices)
        })
        .collect()
});

// ------------------------------------------------------------------ resources

/// Which resources a `Resource`/`NotResource` element covers, as far as admin matters.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    /// Every resource of every service.
    Everything,
    /// Every resource of these services (`arn:aws:iam::*:*`, `arn:aws:iam::ACCOUNT:*`).
    Services(Vec<String>),
    Limited,
}

/// Whether a resource field is a wildcard for everything in it.
fn all_wild(field: &str) -> bool {
    !field.is_empty() && field.chars().all(|c| c == '*')
}

/// How much one resource pattern covers. `lenient` (for allows) also reads
/// `role/*`-style type-wide wildcards and partial wildcards in the service as
/// everything of that kind, over-stating an allow rather than missing one; denies are
/// read strictly, so a deny never takes away more than it surely does.
fn pattern_reach(pattern: &str, account: &str, lenient: bool) -> Reach {
    let p = pattern.trim();
    if all_wild(p) {
        return Reach::Everything;
    }
    let fields: Vec<&str> = p.splitn(6, ':').collect();
    if fields.first() != Some(&"arn")
        && !(lenient && fields.first().is_some_and(|f| f.contains('*')))
    {
        return Reach::Limited;
    }
    // A trailing all-wildcard field spans the colons of the fields after it.
    let last = fields.len() - 1;
    let spans_rest = |i: usize| i == last && all_wild(fields[i]) && fields.len() < 6;
    let mut service: Option<&str> = None;
    for (i, field) in fields.iter().enumerate().skip(1) {
        if spans_rest(i) {
            break;
        }
        let ok = match i {
            1 => true, // partition: any
            2 => {
                if all_wild(field) || (lenient && field.contains(['*', '?'])) {
                    true
                } else if field.contains(['*', '?']) {
                    false
                } else {
                    service = Some(field);
                    true
                }
            }
            3 => field.is_empty() || all_wild(field),
            4 => field.is_empty() || all_wild(field) || *field == account,
            _ => all_wild(field) || (lenient && type_wide(field)),
        };
        if !ok {
            return Reach::Limited;
        }
    }
    if fields.len() < 6 && !spans_rest(last) {
        return Reach::Limited;
    }
    match service {
        Some(s) => Reach::Services(vec![s.to_ascii_lowercase()]),
        None => Reach::Everything,
    }
}

/// `role/*`, `user/*`, `policy/*`, `function:*`: every resource of one type.
fn type_wide(field: &str) -> bool {
    let Some(kind) = field
        .strip_suffix("/*")
        .or_else(|| field.strip_suffix(":*"))
    else {
        return false;
    };
    !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn element_reach(resource: Option<&Patterns>, account: &str, lenient: bool) -> Reach {
    match resource {
        None => Reach::Limited,
        // Every resource but a few: everything, for an allow; never sure, for a deny.
        Some(Patterns::AllBut(_)) if lenient => Reach::Everything,
        Some(Patterns::AllBut(_)) => Reach::Limited,
        Some(Patterns::Listed(list)) => {
            let mut services = Vec::new();
            for p in list {
                match pattern_reach(p, account, lenient) {
                    Reach::Everything => return Reach::Everything,
                    Reach::Services(s) => services.extend(s),
                    Reach::Limited => {}
                }
            }
            if services.is_empty() {
                Reach::Limited
            } else {
                Reach::Services(services)
            }
        }
    }
}

/// Services whose actions name another service's resources: `sts:AssumeRole` acts on
/// IAM roles (`arn:aws:iam::ACCOUNT:role/NAME`), so a statement on every IAM resource
/// covers it too.
const ACTS_ON_RESOURCES_OF: &[(&str, &[&str])] = &[("iam", &["sts"])];

/// The actions of `s` that apply to every resource they can name.
fn unrestricted_actions(s: &Statement, account: &str, lenient: bool) -> ActionSet {
    let actions = CATALOGUE.element(&s.action);
    match element_reach(s.resource.as_ref(), account, lenient) {
        Reach::Everything => actions,
        Reach::Services(list) => {
            let mut within = CATALOGUE.empty_set();
            for service in list {
                within.union_with(&CATALOGUE.service_set(&service));
                for (owner, acting) in ACTS_ON_RESOURCES_OF {
                    if service == *owner {
                        for s in *acting {
                            within.union_with(&CATALOGUE.service_set(s));
                        }
                    }
                }
            }
            actions.intersect(&within)
        }
        Reach::Limited => CATALOGUE.empty_set(),
    }
}

// ------------------------------------------------------------------ permissions

/// What a holder of some identity policies may do on every resource.
#[derive(Debug, Clone)]
pub struct Permissions {
    pub allowed: ActionSet,
}

/// The engine's answer about a holder's power.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Every action on every resource.
    FullAdmin,
    /// Not everything, but one or more escalation paths (the smallest ones).
    CanEscalate {
        paths: Vec<String>,
    },
    Limited,
}

impl Permissions {
    /// The allows of every document, unconditional denies taken away.
    pub fn of<'a>(
        documents: impl IntoIterator<Item = &'a PolicyDocument>,
        account: &str,
    ) -> Permissions {
        let mut allowed = CATALOGUE.empty_set();
        let mut denied = CATALOGUE.empty_set();
        for doc in documents {
            for s in &doc.statements {
                match s.effect {
                    Effect::Allow => allowed.union_with(&unrestricted_actions(s, account, true)),
                    Effect::Deny if s.conditions.is_empty() => {
                        denied.union_with(&unrestricted_actions(s, account, false))
                    }
                    Effect::Deny => {}
                }
            }
        }
        Permissions {
            allowed: allowed.minus(&denied),
        }
    }

    pub fn allows(&self, action: &str) -> bool {
        CATALOGUE
            .find(action)
            .is_some_and(|i| self.allowed.contains(i))
    }

    pub fn is_full_admin(&self) -> bool {
        self.allowed.count() == CATALOGUE.len()
    }

    /// The direct escalation paths whose every action is allowed, leaving out those
    /// that contain a smaller one that is (it says the same, with more words).
    pub fn escalations(&self) -> Vec<&'static EscalationPath> {
        self.open_paths(true)
    }

    /// The open paths through resources that already exist (see
    /// [`EscalationPath::is_direct`]): evidence, not a verdict.
    pub fn indirect_escalations(&self) -> Vec<&'static EscalationPath> {
        self.open_paths(false)
    }

    fn open_paths(&self, direct: bool) -> Vec<&'static EscalationPath> {
        let open: Vec<&(EscalationPath, Vec<usize>)> = ESCALATION_PATHS
            .iter()
            .filter(|(p, _)| p.is_direct() == direct)
            .filter(|(p, idx)| {
                idx.len() == p.actions.len() && idx.iter().all(|&i| self.allowed.contains(i))
            })
            .collect();
        open.iter()
            .filter(|(_, mine)| {
                !open.iter().any(|(_, other)| {
                    other.len() < mine.len() && other.iter().all(|i| mine.contains(i))
                })
            })
            .map(|(p, _)| p)
            .collect()
    }

    pub fn verdict(&self) -> Verdict {
        if self.is_full_admin() {
            return Verdict::FullAdmin;
        }
        let paths = self.escalations();
        if paths.is_empty() {
            Verdict::Limited
        } else {
            Verdict::CanEscalate {
                paths: paths.iter().map(|p| p.id.clone()).collect(),
            }
        }
    }

    /// The actions that make the verdict: everything, or the open paths' actions.
    pub fn decisive(&self) -> ActionSet {
        if self.is_full_admin() {
            return self.allowed.clone();
        }
        let mut set = CATALOGUE.empty_set();
        for p in self.escalations() {
            for a in &p.actions {
                if let Some(i) = CATALOGUE.find(a) {
                    set.insert(i);
                }
            }
        }
        set
    }
}

/// The allow statements of `doc` that grant some of `decisive` on every resource, with
/// which, for a finding's evidence.
pub fn granting_statements(
    doc: &PolicyDocument,
    decisive: &ActionSet,
    account: &str,
) -> Vec<Judged> {
    doc.statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Allow)
        .filter_map(|(i, s)| {
            let granted = unrestricted_actions(s, account, true).intersect(decisive);
            if granted.is_empty() {
                return None;
            }
            let why = if granted.count() == CATALOGUE.len() {
                "allows every action on every resource".to_string()
            } else {
                format!("allows {} on every resource", granted.names(8).join(", "))
            };
            Some(s.judged_as(i, why))
        })
        .collect()
}

impl EscalationPath {
    /// Whether the path gives administrator by itself: it changes IAM permissions or
    /// credentials (every action `iam:` or `sts:`: a new policy version, an attached
    /// policy, another user's key, assuming any role), or it passes any role, the
    /// account's most powerful included, to a service that runs the holder's code. The
    /// other paths run code as the role of a resource that already exists (a Lambda
    /// function's, an instance's, a build project's): how much they give depends on
    /// roles the inventory does not tie to those resources, so they are reported as
    /// evidence and do not fail a check on their own.
    pub fn is_direct(&self) -> bool {
        let iam_only = self
            .actions
            .iter()
            .all(|a| a.starts_with("iam:") || a.starts_with("sts:"));
        iam_only || self.actions.iter().any(|a| a == "iam:PassRole")
    }

    /// `iam:PassRole + ec2:RunInstances (passrole-ec2-run-instances)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.actions.join(" + "), self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";

    fn doc(v: serde_json::Value) -> PolicyDocument {
        PolicyDocument::parse(&v.to_string()).unwrap()
    }

    fn verdict(v: serde_json::Value) -> Verdict {
        Permissions::of([&doc(v)], ACCOUNT).verdict()
    }

    fn allow(action: serde_json::Value, resource: serde_json::Value) -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    }

    fn paths(v: &Verdict) -> Vec<String> {
        match v {
            Verdict::CanEscalate { paths } => paths.clone(),
            other => panic!("not an escalation: {other:?}"),
        }
    }

    #[test]
    fn the_catalogue_has_every_service_the_scanner_calls() {
        assert!(CATALOGUE.len() > 15_000);
        for a in [
            "iam:PassRole",
            "sts:AssumeRole",
            "s3:GetObject",
            "ec2:RunInstances",
            "IAM:passrole",
        ] {
            assert!(CATALOGUE.find(a).is_some(), "{a}");
        }
        assert!(CATALOGUE.find("iam:NoSuchAction").is_none());
        assert!(CATALOGUE.find("nosuchservice:Get").is_none());
    }

    /// The cases of the statement-spelling judge this engine replaced: every statement
    /// it called administrator is still administrator or a way to it, and the rest are
    /// still limited.
    #[test]
    fn the_spelling_table_of_before_still_holds() {
        let cases = [
            (
                json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}),
                true,
            ),
            (
                json!({"Effect": "Allow", "NotAction": "aws-portal:*", "Resource": "*"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "Action": "*", "Resource": "arn:*"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
                true,
            ),
            // Not every action, but every way to grant oneself the rest: the one
            // deliberate change of verdict.
            (
                json!({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
                true,
            ),
            (
                json!({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),
                false,
            ),
            (
                json!({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::data/*"}),
                false,
            ),
            (
                json!({"Effect": "Allow", "NotAction": "*", "Resource": "*"}),
                false,
            ),
            (
                json!({"Effect": "Allow", "NotAction": "s3:*", "Resource": "arn:aws:s3:::data"}),
                false,
            ),
            (
                json!({"Effect": "Deny", "Action": "*", "Resource": "*"}),
                false,
            ),
            (
                json!({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
                false,
            ),
        ];
        for (s, admin) in cases {
            let v = verdict(json!({"Statement": [s.clone()]}));
            assert_eq!(v != Verdict::Limited, admin, "{s}: {v:?}");
        }
    }

    #[test]
    fn every_spelling_of_everything_is_full_admin() {
        for (action, resource) in [
            (json!("*"), json!("*")),
            (json!("*:*"), json!("*")),
            (json!(["*"]), json!("arn:aws:*")),
            (json!("*"), json!("arn:*:*:*:*:*")),
            (json!("*"), json!("arn:aws:*:*:*:*")),
            (json!("*"), json!(["arn:aws:s3:::bucket", "arn:*"])),
        ] {
            assert_eq!(
                verdict(allow(action.clone(), resource.clone())),
                Verdict::FullAdmin,
                "{action} on {resource}"
            );
        }
        let not_action = json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"}]});
        assert!(matches!(verdict(not_action), Verdict::CanEscalate { .. }));
    }

    #[test]
    fn service_wildcards_and_write_patterns_escalate() {
        for (action, resource, path) in [
            (json!("iam:*"), json!("*"), "create-policy-version"),
            (json!("iam:Put*Policy"), json!("*"), "put-user-policy"),
            (
                json!("iam:Attach*Policy"),
                json!("arn:aws:iam::*:*"),
                "attach-user-policy",
            ),
            (
                json!("iam:CreatePolicyVersion"),
                json!("arn:aws:iam::123456789012:policy/*"),
                "create-policy-version",
            ),
            (
                json!(["iam:PassRole", "ec2:RunInstances"]),
                json!("*"),
                "passrole-ec2-run-instances",
            ),
            (json!("sts:*"), json!("*"), "assume-role"),
            (
                json!("sts:AssumeRole"),
                json!("arn:aws:iam::*:role/*"),
                "assume-role",
            ),
            (
                json!("IAM:updateassumerolepolicy"),
                json!("*"),
                "update-assume-role-policy-direct",
            ),
        ] {
            let v = verdict(allow(action.clone(), resource.clone()));
            assert!(
                paths(&v).iter().any(|p| p == path),
                "{action} on {resource}: {v:?}"
            );
        }
    }

    #[test]
    fn narrow_resources_and_reads_are_limited() {
        for (action, resource) in [
            (
                json!("iam:*"),
                json!("arn:aws:iam::123456789012:user/alice"),
            ),
            (json!("iam:*"), json!("arn:aws:iam::999988887777:*")),
            (json!("s3:*"), json!("*")),
            (json!(["iam:Get*", "iam:List*"]), json!("*")),
            (json!("iam:PassRole"), json!("*")),
            (
                json!("sts:AssumeRole"),
                json!("arn:aws:iam::123456789012:role/deploy"),
            ),
            (json!("*"), json!("arn:aws:s3:::logs/*")),
        ] {
            assert_eq!(
                verdict(allow(action.clone(), resource.clone())),
                Verdict::Limited,
                "{action} on {resource}"
            );
        }
    }

    #[test]
    fn an_unconditional_deny_guard_takes_away_what_it_names() {
        // Allow everything, then deny everything but reading S3: read-only in practice.
        let guard = json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"},
        ]});
        assert_eq!(verdict(guard), Verdict::Limited);
        // Deny iam:* alone still leaves sts:AssumeRole and other paths.
        let no_iam = json!({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        ]});
        let p = paths(&verdict(no_iam));
        assert!(p.iter().any(|p| p == "assume-role"), "{p:?}");
        assert!(
            !p.iter().any(|p| p.starts_with("create-policy-version")),
            "{p:?}"
        );
    }

    #[test]
    fn a_conditional_deny_or_a_partial_deny_does_not_narrow() {
        for deny in [
            json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}),
            json!({"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::*"}),
            json!({"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::logs"}),
            json!({"Effect": "Deny", "Action": "*", "Resource": "arn:aws:iam::*:role/*"}),
        ] {
            let d =
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, deny]});
            let p = Permissions::of([&doc(d)], ACCOUNT);
            assert!(
                p.allows("iam:CreatePolicyVersion") && p.allows("sts:AssumeRole"),
                "{deny}"
            );
        }
    }

    #[test]
    fn policies_add_up_across_documents() {
        let pass = allow(json!("iam:PassRole"), json!("*"));
        let run = allow(json!("ec2:RunInstances"), json!("*"));
        let p = Permissions::of([&doc(pass), &doc(run)], ACCOUNT);
        assert_eq!(paths(&p.verdict()), ["passrole-ec2-run-instances"]);
    }

    #[test]
    fn only_the_smallest_paths_are_named() {
        let p = Permissions::of([&doc(allow(json!("iam:*"), json!("*")))], ACCOUNT);
        let names = paths(&p.verdict());
        assert!(names.contains(&"attach-user-policy".to_string()));
        assert!(!names.contains(&"attach-user-policy-then-create-access-key".to_string()));
    }

    #[test]
    fn evidence_names_the_statements_that_grant_it() {
        let d = doc(json!({"Statement": [
            {"Sid": "Reads", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
            {"Sid": "Oops", "Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"},
        ]}));
        let p = Permissions::of([&d], ACCOUNT);
        let judged = granting_statements(&d, &p.decisive(), ACCOUNT);
        assert_eq!(judged.len(), 1);
        assert_eq!(judged[0].sid.as_deref(), Some("Oops"));
        assert!(
            judged[0].why.contains("iam:CreatePolicyVersion"),
            "{}",
            judged[0].why
        );
    }

    #[test]
    fn every_escalation_action_is_in_the_catalogue() {
        assert!(ESCALATION_PATHS.len() > 20);
        for (p, idx) in ESCALATION_PATHS.iter() {
            assert_eq!(idx.len(), p.actions.len(), "{}: {:?}", p.id, p.actions);
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn action_index() -> impl Strategy<Value = usize> {
            0..CATALOGUE.len()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// The oracle: a listed action is allowed exactly when some allow names it
            /// and no unconditional deny does, checked action by action.
            #[test]
            fn allowed_is_allows_minus_denies(
                allows in prop::collection::vec(action_index(), 1..6),
                denies in prop::collection::vec(action_index(), 0..4),
                probe in action_index(),
            ) {
                let name = |i: &usize| CATALOGUE.action(*i).full_name();
                let d = json!({"Statement": [
                    {"Effect": "Allow", "Action": allows.iter().map(name).collect::<Vec<_>>(), "Resource": "*"},
                    {"Effect": "Deny", "Action": if denies.is_empty() { vec!["nosuch:Action".to_string()] } else { denies.iter().map(name).collect() }, "Resource": "*"},
                ]});
                let p = Permissions::of([&doc(d)], ACCOUNT);
                for i in allows.iter().chain(&denies).chain([&probe]) {
                    let want = allows.contains(i) && !denies.contains(i);
                    prop_assert_eq!(p.allowed.contains(*i), want, "{}", name(i));
                }
            }

            /// A wildcard over a service's prefix allows exactly the actions whose name
            /// starts with it (case-insensitively).
            #[test]
            fn prefix_wildcards_expand_to_the_names_they_match(i in action_index(), cut in 0usize..12) {
                let a = CATALOGUE.action(i);
                let prefix: String = a.name.chars().take(cut.min(a.name.len())).collect();
                let set = CATALOGUE.expand(&format!("{}:{}*", a.service.to_ascii_uppercase(), prefix.to_ascii_lowercase()));
                prop_assert!(set.contains(i));
                for j in set.iter() {
                    let b = CATALOGUE.action(j);
                    prop_assert!(b.service.eq_ignore_ascii_case(a.service));
                    prop_assert!(b.name.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase()));
                }
            }
        }
    }
}
