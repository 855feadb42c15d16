//! The protocols each predefined ELB security policy allows, as data.
//!
//! ELBv2 listeners name a predefined policy and nothing else, so the name is the whole
//! fact. The table holds every policy AWS has published for ALBs and NLBs (and the
//! older ones a Classic ELB can refer to). AWS names every TLS 1.3 policy
//! `ELBSecurityPolicy-TLS13-1-N-...`, N being the oldest version it allows: a TLS 1.3
//! policy published after this table is read from its name by that rule. Any other
//! unknown name is unknown: ELB-02 reports `error`, never a guess.

/// A protocol an ELB security policy can allow, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tls {
    Ssl3,
    V1_0,
    V1_1,
    V1_2,
    V1_3,
}

impl Tls {
    /// As AWS spells it (`DescribeSSLPolicies`, and Classic's `Protocol-*` attributes).
    pub fn name(self) -> &'static str {
        match self {
            Tls::Ssl3 => "SSLv3",
            Tls::V1_0 => "TLSv1",
            Tls::V1_1 => "TLSv1.1",
            Tls::V1_2 => "TLSv1.2",
            Tls::V1_3 => "TLSv1.3",
        }
    }
}

use Tls::*;

const FROM_1_0: &[Tls] = &[V1_0, V1_1, V1_2];
const FROM_1_1: &[Tls] = &[V1_1, V1_2];
const ONLY_1_2: &[Tls] = &[V1_2];
const TLS13_FROM_1_0: &[Tls] = &[V1_0, V1_1, V1_2, V1_3];
const TLS13_FROM_1_1: &[Tls] = &[V1_1, V1_2, V1_3];
const TLS13_FROM_1_2: &[Tls] = &[V1_2, V1_3];
const ONLY_1_3: &[Tls] = &[V1_3];

/// Predefined policies and the protocols they allow.
pub const POLICIES: &[(&str, &[Tls])] = &[
    // TLS 1.3 (2021-06), FIPS (2023-04) and hybrid post-quantum (2025-09) policies.
    ("ELBSecurityPolicy-TLS13-1-3-2021-06", ONLY_1_3),
    ("ELBSecurityPolicy-TLS13-1-2-2021-06", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-1-2021-06", TLS13_FROM_1_1),
    ("ELBSecurityPolicy-TLS13-1-0-2021-06", TLS13_FROM_1_0),
    ("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", ONLY_1_3),
    ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", TLS13_FROM_1_2),
    (
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        TLS13_FROM_1_2,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
        TLS13_FROM_1_2,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
        TLS13_FROM_1_2,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
        TLS13_FROM_1_2,
    ),
    ("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", TLS13_FROM_1_1),
    ("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", TLS13_FROM_1_0),
    ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", ONLY_1_3),
    ("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", TLS13_FROM_1_2),
    ("ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09", ONLY_1_3),
    (
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        TLS13_FROM_1_2,
    ),
    // TLS 1.2 at most.
    ("ELBSecurityPolicy-TLS-1-2-2017-01", ONLY_1_2),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", ONLY_1_2),
    ("ELBSecurityPolicy-FS-1-2-2019-08", ONLY_1_2),
    ("ELBSecurityPolicy-FS-1-2-Res-2019-08", ONLY_1_2),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", ONLY_1_2),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", FROM_1_1),
    ("ELBSecurityPolicy-FS-1-1-2019-08", FROM_1_1),
    ("ELBSecurityPolicy-2016-08", FROM_1_0),
    ("ELBSecurityPolicy-TLS-1-0-2015-04", FROM_1_0),
    ("ELBSecurityPolicy-FS-2018-06", FROM_1_0),
    ("ELBSecurityPolicy-2015-05", FROM_1_0),
    ("ELBSecurityPolicy-2015-03", FROM_1_0),
    ("ELBSecurityPolicy-2015-02", FROM_1_0),
    ("ELBSecurityPolicy-2014-10", FROM_1_0),
    ("ELBSecurityPolicy-2014-01", &[Ssl3, V1_0, V1_1, V1_2]),
    ("ELBSecurityPolicy-2011-08", &[Ssl3, V1_0]),
];

/// The protocols a predefined policy allows, oldest first; `None` when unknown.
pub fn protocols(policy: &str) -> Option<Vec<Tls>> {
    if let Some((_, list)) = POLICIES.iter().find(|(name, _)| *name == policy) {
        return Some(list.to_vec());
    }
    let min = policy
        .strip_prefix("ELBSecurityPolicy-TLS13-1-")?
        .split('-')
        .next()?;
    let from = match min {
        "0" => V1_0,
        "1" => V1_1,
        "2" => V1_2,
        "3" => V1_3,
        _ => return None,
    };
    Some(
        [V1_0, V1_1, V1_2, V1_3]
            .into_iter()
            .filter(|t| *t >= from)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entries_follow_the_tls13_naming_rule() {
        for (name, list) in POLICIES {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{name}: oldest first");
            if name.starts_with("ELBSecurityPolicy-TLS13-") {
                let by_rule = protocols(&name.replace("2021-06", "2099-01")).unwrap();
                assert_eq!(by_rule, list.to_vec(), "{name}");
            }
        }
        assert_eq!(
            protocols("ELBSecurityPolicy-TLS13-1-2-Ext9-2031-01"),
            Some(vec![V1_2, V1_3])
        );
        assert_eq!(protocols("ELBSecurityPolicy-Unknown-2031-01"), None);
    }
}
