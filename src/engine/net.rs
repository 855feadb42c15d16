//! Network reachability as set arithmetic: which public addresses a rule set lets reach
//! a port, however the rules are split, ordered or spelled.
//!
//! A security group is a union of allows (order-free); a network ACL is a list evaluated
//! in rule order, first match wins, so an earlier deny removes addresses from every later
//! allow. Both come down to sets of addresses per family, computed exactly as sorted,
//! disjoint ranges. Checks ask [`RuleSet::reach`] and [`Reach::is_internet`]; none of
//! them compares a CIDR itself.
//!
//! ## What counts as "the internet"
//! CIS and Security Hub flag `0.0.0.0/0` and `::/0`. An attacker scanning the internet
//! does not care whether the rule said `0.0.0.0/0`, `0.0.0.0/1` + `128.0.0.0/1`, or
//! `2000::/3`: what matters is how much of the *public* address space gets through.
//! Private and special-purpose ranges (RFC 1918, CGNAT, loopback, link-local,
//! documentation, multicast, reserved; see [`PUBLIC_V4_EXCLUDED`]) are never the
//! internet, whatever their size. A rule set is open to the internet when the public
//! sources it admits add up to at least [`INTERNET_V4_PREFIX`] (a /8: 16.7 million
//! addresses, the size of the largest single allocations ever made, and far beyond any
//! office, VPN or partner range) or, for IPv6, at least a [`INTERNET_V6_PREFIX`] (a /32:
//! a whole regional-registry allocation to an ISP; an organisation's site is a /48).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::LazyLock;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;

use crate::inventory::{
    Collected, IpRule, NaclEntry, NetworkAcl, PrefixList, RuleAction, SecurityGroup, Unavailable,
};

/// Public IPv4 sources covering at least a network of this prefix length, in total, are
/// the internet.
pub const INTERNET_V4_PREFIX: u8 = 8;
/// Public IPv6 sources covering at least a network of this prefix length, in total, are
/// the internet.
pub const INTERNET_V6_PREFIX: u8 = 32;

/// IPv4 ranges that are not the public internet (IANA IPv4 Special-Purpose Address
/// Registry, RFC 6890 and its updates).
pub const PUBLIC_V4_EXCLUDED: &[&str] = &[
    "0.0.0.0/8",       // "this network"
    "10.0.0.0/8",      // RFC 1918
    "100.64.0.0/10",   // carrier-grade NAT, RFC 6598
    "127.0.0.0/8",     // loopback
    "169.254.0.0/16",  // link-local (the instance metadata service lives here)
    "172.16.0.0/12",   // RFC 1918
    "192.0.0.0/24",    // IETF protocol assignments
    "192.0.2.0/24",    // TEST-NET-1
    "192.88.99.0/24",  // deprecated 6to4 relay anycast
    "192.168.0.0/16",  // RFC 1918
    "198.18.0.0/15",   // benchmarking
    "198.51.100.0/24", // TEST-NET-2
    "203.0.113.0/24",  // TEST-NET-3
    "224.0.0.0/4",     // multicast
    "240.0.0.0/4",     // reserved, and the limited broadcast address
];

/// IPv6's public space: global unicast, less documentation. Unique-local (`fc00::/7`),
/// link-local, multicast and the rest of `::/0` lie outside it.
pub const PUBLIC_V6: &str = "2000::/3";
pub const PUBLIC_V6_EXCLUDED: &[&str] = &["2001:db8::/32"];

// ------------------------------------------------------------------ address sets

/// A set of addresses of one family: sorted, disjoint, non-adjacent inclusive ranges.
/// IPv4 addresses are held in the low 32 bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddrSet {
    ranges: Vec<(u128, u128)>,
}

impl AddrSet {
    pub fn empty() -> AddrSet {
        AddrSet::default()
    }

    fn range(start: u128, end: u128) -> AddrSet {
        AddrSet {
            ranges: vec![(start, end)],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// How many addresses; the whole IPv6 space saturates at `u128::MAX`.
    pub fn count(&self) -> u128 {
        self.ranges.iter().fold(0u128, |n, (s, e)| {
            n.saturating_add((e - s).saturating_add(1))
        })
    }

    pub fn contains(&self, addr: u128) -> bool {
        let i = self.ranges.partition_point(|(_, e)| *e < addr);
        self.ranges.get(i).is_some_and(|(s, _)| *s <= addr)
    }

    pub fn union(&self, other: &AddrSet) -> AddrSet {
        let mut all: Vec<(u128, u128)> = self.ranges.iter().chain(&other.ranges).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(all.len());
        for (s, e) in all {
            match out.last_mut() {
                // Overlapping or adjacent ranges merge.
                Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        AddrSet { ranges: out }
    }

    pub fn intersect(&self, other: &AddrSet) -> AddrSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = (self.ranges[i], other.ranges[j]);
            let (s, e) = (a.0.max(b.0), a.1.min(b.1));
            if s <= e {
                out.push((s, e));
            }
            if a.1 < b.1 { i += 1 } else { j += 1 }
        }
        AddrSet { ranges: out }
    }

    pub fn minus(&self, other: &AddrSet) -> AddrSet {
        let mut out = Vec::new();
        let mut j = 0;
        for &(s, e) in &self.ranges {
            let mut start = s;
            while j < other.ranges.len() && other.ranges[j].1 < start {
                j += 1;
            }
            let mut k = j;
            let mut done = false;
            while k < other.ranges.len() && other.ranges[k].0 <= e {
                let (os, oe) = other.ranges[k];
                if os > start {
                    out.push((start, os - 1));
                }
                if oe >= e {
                    done = true;
                    break;
                }
                start = oe + 1;
                k += 1;
            }
            if !done {
                out.push((start, e));
            }
        }
        AddrSet { ranges: out }
    }

    /// The set as the fewest CIDRs, for evidence (`0.0.0.0/1, 128.0.0.0/2`).
    pub fn cidrs(&self, family: Family) -> Vec<String> {
        let bits = family.bits();
        let mut out = Vec::new();
        for &(s, e) in &self.ranges {
            let mut start = s;
            loop {
                // The largest aligned block at `start` that stays within `e`.
                let align = if start == 0 {
                    bits
                } else {
                    start.trailing_zeros().min(bits)
                };
                let mut size = align;
                while size > 0 && block_end(start, size).is_none_or(|end| end > e) {
                    size -= 1;
                }
                out.push(family.cidr(start, bits - size));
                match block_end(start, size) {
                    Some(end) if end < e => start = end + 1,
                    _ => break,
                }
            }
        }
        out
    }
}

/// The last address of the block of `2^size` addresses starting at `start`.
fn block_end(start: u128, size: u32) -> Option<u128> {
    if size >= 128 {
        return (start == 0).then_some(u128::MAX);
    }
    start.checked_add((1u128 << size) - 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    fn cidr(self, start: u128, prefix: u32) -> String {
        match self {
            Family::V4 => format!("{}/{prefix}", Ipv4Addr::from(start as u32)),
            Family::V6 => format!("{}/{prefix}", Ipv6Addr::from(start)),
        }
    }
}

/// Addresses of both families.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addrs {
    pub v4: AddrSet,
    pub v6: AddrSet,
}

/// A source a rule names that is not an address range: it may or may not admit the
/// internet, and nothing in the inventory says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CidrError {
    pub text: String,
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an IP address or CIDR", self.text)
    }
}

impl Addrs {
    pub fn none() -> Addrs {
        Addrs::default()
    }

    pub fn everything() -> Addrs {
        Addrs {
            v4: AddrSet::range(0, u128::from(u32::MAX)),
            v6: AddrSet::range(0, u128::MAX),
        }
    }

    /// One CIDR or bare address, as AWS prints them. Host bits set below the prefix
    /// (`10.0.0.1/8`) are cleared, as EC2 does.
    pub fn parse(text: &str) -> Result<Addrs, CidrError> {
        let t = text.trim();
        let err = || CidrError {
            text: text.to_string(),
        };
        let net = match IpNet::from_str(t) {
            Ok(n) => n.trunc(),
            Err(_) => match IpAddr::from_str(t).map_err(|_| err())? {
                IpAddr::V4(a) => IpNet::V4(Ipv4Net::new(a, 32).map_err(|_| err())?),
                IpAddr::V6(a) => IpNet::V6(Ipv6Net::new(a, 128).map_err(|_| err())?),
            },
        };
        Ok(match net {
            IpNet::V4(n) => Addrs {
                v4: AddrSet::range(
                    u128::from(u32::from(n.network())),
                    u128::from(u32::from(n.broadcast())),
                ),
                v6: AddrSet::empty(),
            },
            IpNet::V6(n) => Addrs {
                v4: AddrSet::empty(),
                v6: AddrSet::range(u128::from(n.network()), u128::from(n.broadcast())),
            },
        })
    }

    /// Every CIDR of a list, and the texts that are not CIDRs.
    pub fn parse_all<'s>(texts: impl IntoIterator<Item = &'s str>) -> (Addrs, Vec<CidrError>) {
        let mut out = Addrs::none();
        let mut bad = Vec::new();
        for t in texts {
            match Addrs::parse(t) {
                Ok(a) => out = out.union(&a),
                Err(e) => bad.push(e),
            }
        }
        (out, bad)
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn union(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersect(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }

    pub fn minus(&self, o: &Addrs) -> Addrs {
        Addrs {
            v4: self.v4.minus(&o.v4),
            v6: self.v6.minus(&o.v6),
        }
    }

    /// The part of these addresses that is the public internet.
    pub fn public(&self) -> Addrs {
        self.intersect(&PUBLIC)
    }

    /// Whether these addresses, public part only, are the internet (see the module
    /// documentation for the threshold).
    pub fn is_internet(&self) -> bool {
        let public = self.public();
        public.v4.count() >= 1u128 << (32 - u32::from(INTERNET_V4_PREFIX))
            || public.v6.count() >= 1u128 << (128 - u32::from(INTERNET_V6_PREFIX))
    }

    /// Whether any address of these is public.
    pub fn has_public(&self) -> bool {
        !self.public().is_empty()
    }

    /// As the fewest CIDRs, IPv4 first.
    pub fn cidrs(&self) -> Vec<String> {
        let mut out = self.v4.cidrs(Family::V4);
        out.extend(self.v6.cidrs(Family::V6));
        out
    }
}

/// The public internet, both families.
pub static PUBLIC: LazyLock<Addrs> = LazyLock::new(|| {
    let fixed = |list: &[&str]| Addrs::parse_all(list.iter().copied()).0;
    let v4_all = Addrs {
        v4: AddrSet::range(0, u128::from(u32::MAX)),
        v6: AddrSet::empty(),
    };
    let v6 = fixed(&[PUBLIC_V6]).minus(&fixed(PUBLIC_V6_EXCLUDED));
    v4_all.minus(&fixed(PUBLIC_V4_EXCLUDED)).union(&v6)
});

// ------------------------------------------------------------------ traffic and rules

/// An IP protocol as a rule names it: every protocol, or one by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    All,
    Number(u8),
}

pub const TCP: u8 = 6;
pub const UDP: u8 = 17;

impl Protocol {
    /// AWS's spellings: `-1`/`all`, names (`tcp`, `udp`, `icmp`, `icmpv6`) and numbers.
    /// Anything else is unknown, which [`Protocol::All`] would over-state and a number
    /// under-state, so it is an error for the caller to report.
    pub fn parse(text: &str) -> Option<Protocol> {
        let t = text.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "-1" | "all" => Protocol::All,
            "tcp" => Protocol::Number(TCP),
            "udp" => Protocol::Number(UDP),
            "icmp" => Protocol::Number(1),
            "icmpv6" => Protocol::Number(58),
            n => Protocol::Number(n.parse().ok()?),
        })
    }

    fn carries(self, protocol: u8) -> bool {
        match self {
            Protocol::All => true,
            Protocol::Number(n) => n == protocol,
        }
    }
}

/// One kind of traffic a check asks about: a protocol (6, 17) to a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    pub protocol: u8,
    pub port: u16,
}

/// What traffic a rule matches: its protocol and, for TCP and UDP, its port range
/// (`None`: every port, as a rule for all protocols or without a range has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matcher {
    pub protocol: Protocol,
    pub ports: Option<(i32, i32)>,
}

impl Matcher {
    /// From a rule's protocol text and port fields. `None` when the protocol is not one
    /// AWS defines.
    pub fn new(protocol: &str, from: Option<i32>, to: Option<i32>) -> Option<Matcher> {
        let protocol = Protocol::parse(protocol)?;
        let ports = match (protocol, from, to) {
            (Protocol::All, _, _) => None,
            // EC2 reports -1 for "every port" in some answers, and the full range in
            // others.
            (_, Some(f), Some(t)) if f >= 0 && t >= 0 => Some((f, t)),
            _ => None,
        };
        Some(Matcher { protocol, ports })
    }

    pub fn matches(&self, t: Traffic) -> bool {
        self.protocol.carries(t.protocol)
            && self
                .ports
                .is_none_or(|(f, to)| f <= i32::from(t.port) && i32::from(t.port) <= to)
    }
}

/// One rule of a rule set: what it matches, from where, and whether it allows or denies.
/// `label` is how evidence names it (`rule 100`, `sg-1 ingress 2`).
#[derive(Debug, Clone)]
pub struct Rule<L> {
    pub label: L,
    pub matcher: Matcher,
    pub sources: Addrs,
    pub allow: bool,
}

/// How the rules of a set combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Security groups: every allow adds its sources, order is meaningless, nothing
    /// denies.
    Union,
    /// Network ACLs: rules in the order given (sorted by rule number), the first rule
    /// matching an address decides for it; what no rule matches is denied.
    FirstMatch,
}

/// A rule set of either kind.
#[derive(Debug, Clone)]
pub struct RuleSet<L> {
    pub combine: Combine,
    pub rules: Vec<Rule<L>>,
}

/// What a rule set lets through for one kind of traffic: the addresses, and the allow
/// rules that let some public address through (for evidence).
#[derive(Debug, Clone)]
pub struct Reach<'a, L> {
    pub allowed: Addrs,
    pub by: Vec<&'a L>,
}

impl<L> Reach<'_, L> {
    pub fn is_internet(&self) -> bool {
        self.allowed.is_internet()
    }
}

impl<L> RuleSet<L> {
    /// The addresses that may send `traffic` through this rule set.
    pub fn reach(&self, traffic: Traffic) -> Reach<'_, L> {
        let mut allowed = Addrs::none();
        let mut by = Vec::new();
        match self.combine {
            Combine::Union => {
                for r in self
                    .rules
                    .iter()
                    .filter(|r| r.allow && r.matcher.matches(traffic))
                {
                    if r.sources.has_public() {
                        by.push(&r.label);
                    }
                    allowed = allowed.union(&r.sources);
                }
            }
            Combine::FirstMatch => {
                // Addresses no earlier rule has decided yet.
                let mut undecided = Addrs::everything();
                for r in self.rules.iter().filter(|r| r.matcher.matches(traffic)) {
                    let decided = r.sources.intersect(&undecided);
                    if decided.is_empty() {
                        continue;
                    }
                    if r.allow {
                        if decided.has_public() {
                            by.push(&r.label);
                        }
                        allowed = allowed.union(&decided);
                    }
                    undecided = undecided.minus(&decided);
                }
            }
        }
        Reach { allowed, by }
    }
}

// ------------------------------------------------------------------ from the inventory

/// A source a security group rule names that the inventory cannot turn into addresses:
/// a prefix list nobody could read, or a range that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub source: String,
    pub why: Unavailable,
}

/// One ingress rule of a security group, as the engine's label for it.
#[derive(Debug, Clone)]
pub struct SgRule<'a> {
    pub rule: &'a IpRule,
    /// The rule's sources with public addresses, as written (a prefix list's entries
    /// named with their list).
    pub public_sources: Vec<String>,
    pub unresolved: Vec<Unresolved>,
}

/// A security group's ingress rules as a [`RuleSet`]: every range, IPv4 and IPv6, and
/// the entries of the managed prefix lists they name. Referenced security groups admit
/// their members only, never the internet, so they add no addresses.
pub fn security_group_ingress<'a>(
    sg: &'a SecurityGroup,
    prefix_lists: &'a Collected<Vec<PrefixList>>,
) -> RuleSet<SgRule<'a>> {
    let rules =
        sg.ingress
            .iter()
            .map(|rule| {
                let mut sources = Addrs::none();
                let mut public_sources = Vec::new();
                let mut unresolved = Vec::new();
                let mut add = |text: &str, shown: String, unresolved: &mut Vec<Unresolved>| {
                    match Addrs::parse(text) {
                        Ok(a) => {
                            if a.has_public() {
                                public_sources.push(shown);
                            }
                            sources = sources.union(&a);
                        }
                        Err(e) => unresolved.push(Unresolved {
                            source: text.to_string(),
                            why: Unavailable {
                                action: "ec2:DescribeSecurityGroups".into(),
                                code: "InvalidCidr".into(),
                                message: e.to_string(),
                            },
                        }),
                    }
                };
                for cidr in rule.ipv4_ranges.iter().chain(&rule.ipv6_ranges) {
                    add(cidr, cidr.clone(), &mut unresolved);
                }
                for id in &rule.prefix_list_ids {
                    match prefix_list_entries(id, prefix_lists) {
                        Ok((name, entries)) => {
                            for cidr in entries {
                                add(
                                    cidr,
                                    format!("{cidr} (prefix list {id} {name})"),
                                    &mut unresolved,
                                );
                            }
                        }
                        Err(why) => unresolved.push(Unresolved {
                            source: format!("prefix list {id}"),
                            why,
                        }),
                    }
                }
                Rule {
                    // A protocol AWS does not define is read as every protocol: an allow can
                    // only be over-stated that way, never missed.
                    matcher: Matcher::new(&rule.protocol, rule.from_port, rule.to_port).unwrap_or(
                        Matcher {
                            protocol: Protocol::All,
                            ports: None,
                        },
                    ),
                    sources,
                    allow: true,
                    label: SgRule {
                        rule,
                        public_sources,
                        unresolved,
                    },
                }
            })
            .collect();
    RuleSet {
        combine: Combine::Union,
        rules,
    }
}

/// The entries of one managed prefix list, or why they cannot be known. AWS-managed
/// lists hold an AWS service's ranges (S3, CloudFront origin-facing, ...): their entries
/// are not read, and they are never the internet.
fn prefix_list_entries<'a>(
    id: &str,
    lists: &'a Collected<Vec<PrefixList>>,
) -> Result<(&'a str, &'a [String]), Unavailable> {
    let missing = |code: &str, message: String| Unavailable {
        action: "ec2:DescribeManagedPrefixLists".into(),
        code: code.into(),
        message,
    };
    let list = match lists {
        Collected::Ok(all) => all.iter().find(|l| l.id == id).ok_or_else(|| {
            missing(
                "NotFound",
                format!("{id} is not among the prefix lists the account can see"),
            )
        })?,
        Collected::Unavailable(u) => return Err(u.clone()),
        Collected::NotCollected => {
            return Err(missing(
                "NotCollected",
                "the inventory does not hold the managed prefix lists".into(),
            ));
        }
    };
    match &list.entries {
        Collected::Ok(entries) => Ok((&list.name, entries)),
        Collected::NotCollected if list.owner_id == "AWS" => Ok((&list.name, &[])),
        Collected::NotCollected => Err(missing(
            "NotCollected",
            format!("the entries of {id} were not read"),
        )),
        Collected::Unavailable(u) => Err(u.clone()),
    }
}

/// The rule number every network ACL ends with: deny everything. The engine denies
/// what no rule allows anyway, so it needs no entry.
pub const NACL_DEFAULT_RULE: i32 = 32767;

/// A network ACL's inbound entries as a [`RuleSet`], in rule-number order.
pub fn nacl_ingress(acl: &NetworkAcl) -> RuleSet<&NaclEntry> {
    let mut entries: Vec<&NaclEntry> = acl
        .entries
        .iter()
        .filter(|e| !e.egress && e.rule_number < NACL_DEFAULT_RULE)
        .collect();
    entries.sort_by_key(|e| e.rule_number);
    // Only a known deny closes: an action this tomscan cannot read is read as an allow.
    let allow = |e: &NaclEntry| e.action != RuleAction::Deny;
    let rules = entries
        .into_iter()
        .filter_map(|e| {
            let (sources, bad) =
                Addrs::parse_all(e.cidr.iter().chain(&e.ipv6_cidr).map(String::as_str));
            let matcher = Matcher::new(&e.protocol, e.from_port, e.to_port);
            if allow(e) {
                // An allow that cannot be read is read as widely as it could be meant.
                let sources = if bad.is_empty() {
                    sources
                } else {
                    Addrs::everything()
                };
                let matcher = matcher.unwrap_or(Matcher {
                    protocol: Protocol::All,
                    ports: None,
                });
                Some(Rule {
                    label: e,
                    matcher,
                    sources,
                    allow: true,
                })
            } else {
                // A deny that cannot be read closes nothing.
                Some(Rule {
                    label: e,
                    matcher: matcher?,
                    sources,
                    allow: false,
                })
            }
        })
        .collect();
    RuleSet {
        combine: Combine::FirstMatch,
        rules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a(list: &[&str]) -> Addrs {
        let (out, bad) = Addrs::parse_all(list.iter().copied());
        assert!(bad.is_empty(), "{bad:?}");
        out
    }

    #[test]
    fn the_world_split_any_way_is_the_internet() {
        for shape in [
            &["0.0.0.0/0"][..],
            &["::/0"],
            &["0.0.0.0/1", "128.0.0.0/1"],
            &["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
            &["2000::/3"],
            &["2600::/12"],
            &["0.0.0.0/1"],
            &["3.0.0.0/8"],
            &["52.0.0.0/9", "52.128.0.0/9"],
        ] {
            assert!(a(shape).is_internet(), "{shape:?}");
        }
    }

    #[test]
    fn private_and_narrow_ranges_are_not() {
        for shape in [
            &["10.0.0.0/8"][..],
            &[
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
            ],
            &["fc00::/7"],
            &["fe80::/10"],
            &["203.0.113.0/24"],
            &["198.51.100.7"],
            &["2001:db8::/32"],
            &["52.94.76.0/22", "54.239.0.0/16"],
            &["2a05:d000::/48"],
            &["3.0.0.0/9"],
        ] {
            assert!(!a(shape).is_internet(), "{shape:?}");
        }
    }

    #[test]
    fn host_bits_are_cleared_and_bare_addresses_are_hosts() {
        assert_eq!(a(&["10.1.2.3/8"]), a(&["10.0.0.0/8"]));
        assert_eq!(a(&["1.2.3.4"]).v4.count(), 1);
        assert!(Addrs::parse("pl-123").is_err());
        assert!(Addrs::parse("300.0.0.0/8").is_err());
    }

    #[test]
    fn cidrs_are_the_fewest_blocks() {
        assert_eq!(a(&["0.0.0.0/1", "128.0.0.0/1"]).cidrs(), ["0.0.0.0/0"]);
        assert_eq!(a(&["::/0"]).cidrs(), ["::/0"]);
        assert_eq!(
            a(&["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"]).cidrs(),
            ["10.0.0.0/23", "10.0.3.0/24"]
        );
    }

    /// (allow, protocol, ports, sources) per entry, in order.
    type Entry<'a> = (bool, &'a str, Option<(i32, i32)>, &'a [&'a str]);

    fn nacl(entries: &[Entry<'_>]) -> RuleSet<usize> {
        RuleSet {
            combine: Combine::FirstMatch,
            rules: entries
                .iter()
                .enumerate()
                .map(|(i, (allow, proto, ports, cidrs))| Rule {
                    label: i,
                    matcher: Matcher {
                        protocol: Protocol::parse(proto).unwrap(),
                        ports: *ports,
                    },
                    sources: a(cidrs),
                    allow: *allow,
                })
                .collect(),
        }
    }

    const SSH: Traffic = Traffic {
        protocol: TCP,
        port: 22,
    };

    #[test]
    fn an_earlier_deny_that_covers_the_world_closes_a_later_allow() {
        let set = nacl(&[
            (false, "6", Some((22, 22)), &["0.0.0.0/1"]),
            (false, "6", Some((22, 22)), &["128.0.0.0/1"]),
            (false, "-1", None, &["::/0"]),
            (true, "-1", None, &["0.0.0.0/0", "::/0"]),
        ]);
        assert!(!set.reach(SSH).is_internet());
        assert!(
            set.reach(Traffic {
                protocol: TCP,
                port: 443
            })
            .is_internet()
        );
    }

    #[test]
    fn a_later_deny_does_not_close_an_earlier_allow() {
        let set = nacl(&[
            (true, "tcp", Some((0, 1024)), &["0.0.0.0/0"]),
            (false, "-1", None, &["0.0.0.0/0"]),
        ]);
        let reach = set.reach(SSH);
        assert!(reach.is_internet());
        assert_eq!(reach.by, [&0]);
    }

    #[test]
    fn a_union_of_allows_is_order_free() {
        let set = RuleSet {
            combine: Combine::Union,
            rules: vec![
                Rule {
                    label: "a",
                    matcher: Matcher::new("tcp", Some(0), Some(100)).unwrap(),
                    sources: a(&["0.0.0.0/1"]),
                    allow: true,
                },
                Rule {
                    label: "b",
                    matcher: Matcher::new("-1", None, None).unwrap(),
                    sources: a(&["128.0.0.0/1"]),
                    allow: true,
                },
                Rule {
                    label: "c",
                    matcher: Matcher::new("udp", Some(22), Some(22)).unwrap(),
                    sources: a(&["0.0.0.0/0"]),
                    allow: true,
                },
            ],
        };
        let reach = set.reach(SSH);
        assert_eq!(reach.allowed.cidrs(), ["0.0.0.0/0"]);
        assert_eq!(reach.by, [&"a", &"b"]);
    }

    // ---------------------------------------------------------------- property tests
    //
    // The oracle is brute force over a small universe: addresses 10.0.0.0 - 10.0.15.255
    // (4,096 of them) and CIDRs inside it, so every set can be enumerated address by
    // address and compared with what the engine computed.

    const BASE: u32 = 0x0A00_0000;
    const SPAN: u32 = 4096;

    fn cidr_in_universe() -> impl Strategy<Value = (u32, u8)> {
        (0u32..SPAN, 20u8..=32).prop_map(|(off, prefix)| {
            let mask = if prefix == 32 {
                u32::MAX
            } else {
                !((1u32 << (32 - prefix)) - 1)
            };
            ((BASE + off) & mask, prefix)
        })
    }

    fn text((addr, prefix): (u32, u8)) -> String {
        format!("{}/{prefix}", Ipv4Addr::from(addr))
    }

    fn in_cidr(addr: u32, (net, prefix): (u32, u8)) -> bool {
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        };
        addr & mask == net
    }

    fn set(cidrs: &[(u32, u8)]) -> AddrSet {
        Addrs::parse_all(
            cidrs
                .iter()
                .map(|c| text(*c))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        )
        .0
        .v4
    }

    proptest! {
        #[test]
        fn set_algebra_agrees_with_membership(
            xs in prop::collection::vec(cidr_in_universe(), 0..6),
            ys in prop::collection::vec(cidr_in_universe(), 0..6),
        ) {
            let (x, y) = (set(&xs), set(&ys));
            let (u, i, m) = (x.union(&y), x.intersect(&y), x.minus(&y));
            let mut counts = [0u128; 3];
            for addr in BASE..BASE + SPAN {
                let in_x = xs.iter().any(|c| in_cidr(addr, *c));
                let in_y = ys.iter().any(|c| in_cidr(addr, *c));
                let a = u128::from(addr);
                prop_assert_eq!(x.contains(a), in_x);
                prop_assert_eq!(u.contains(a), in_x || in_y);
                prop_assert_eq!(i.contains(a), in_x && in_y);
                prop_assert_eq!(m.contains(a), in_x && !in_y);
                counts[0] += u128::from(in_x || in_y);
                counts[1] += u128::from(in_x && in_y);
                counts[2] += u128::from(in_x && !in_y);
            }
            prop_assert_eq!([u.count(), i.count(), m.count()], counts);
            // The evidence's CIDRs describe the same set.
            let round = Addrs::parse_all(u.cidrs(Family::V4).iter().map(String::as_str)).0.v4;
            prop_assert_eq!(round, u);
        }

        #[test]
        fn first_match_agrees_with_evaluating_each_address(
            entries in prop::collection::vec(
                (any::<bool>(), prop::option::of((0i32..40, 0i32..40)), cidr_in_universe()),
                0..8,
            ),
            port in 0u16..40,
        ) {
            let set = RuleSet {
                combine: Combine::FirstMatch,
                rules: entries.iter().enumerate().map(|(n, (allow, ports, cidr))| Rule {
                    label: n,
                    matcher: Matcher { protocol: Protocol::Number(TCP), ports: *ports },
                    sources: Addrs::parse(&text(*cidr)).unwrap(),
                    allow: *allow,
                }).collect(),
            };
            let traffic = Traffic { protocol: TCP, port };
            let reach = set.reach(traffic);
            for addr in BASE..BASE + SPAN {
                // The oracle: the first entry whose ports and CIDR match decides.
                let first = entries.iter().find(|(_, ports, cidr)| {
                    ports.is_none_or(|(f, t)| f <= i32::from(port) && i32::from(port) <= t)
                        && in_cidr(addr, *cidr)
                });
                let allowed = first.is_some_and(|(allow, _, _)| *allow);
                prop_assert_eq!(reach.allowed.v4.contains(u128::from(addr)), allowed);
            }
        }

        #[test]
        fn union_agrees_with_any_allow_matching(
            entries in prop::collection::vec(
                (prop::option::of((0i32..40, 0i32..40)), cidr_in_universe()),
                0..8,
            ),
            port in 0u16..40,
        ) {
            let set = RuleSet {
                combine: Combine::Union,
                rules: entries.iter().enumerate().map(|(n, (ports, cidr))| Rule {
                    label: n,
                    matcher: Matcher { protocol: Protocol::Number(TCP), ports: *ports },
                    sources: Addrs::parse(&text(*cidr)).unwrap(),
                    allow: true,
                }).collect(),
            };
            let reach = set.reach(Traffic { protocol: TCP, port });
            for addr in BASE..BASE + SPAN {
                let allowed = entries.iter().any(|(ports, cidr)| {
                    ports.is_none_or(|(f, t)| f <= i32::from(port) && i32::from(port) <= t)
                        && in_cidr(addr, *cidr)
                });
                prop_assert_eq!(reach.allowed.v4.contains(u128::from(addr)), allowed);
            }
        }

        #[test]
        fn splitting_a_range_never_changes_the_verdict(prefix in 1u8..=8, v6 in any::<bool>()) {
            // Any exact split of the world into 2^prefix blocks is still the world.
            let blocks: Vec<String> = if v6 {
                (0..1u32 << prefix)
                    .map(|i| format!("{}/{prefix}", Ipv6Addr::from(u128::from(i) << (128 - u32::from(prefix)))))
                    .collect()
            } else {
                (0..1u32 << prefix)
                    .map(|i| format!("{}/{prefix}", Ipv4Addr::from(i << (32 - u32::from(prefix)))))
                    .collect()
            };
            let addrs = Addrs::parse_all(blocks.iter().map(String::as_str)).0;
            prop_assert!(addrs.is_internet());
            prop_assert_eq!(addrs.cidrs().len(), 1);
        }
    }
}
