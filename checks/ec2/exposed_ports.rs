//! The ports no security group (EC2-03) or network ACL (EC2-06) may open to the whole
//! internet, in one place, so both checks judge the same list and `tomscan explain`
//! shows it.
//!
//! Why these: each is a service that answers whoever reaches it with a login prompt,
//! an administration interface or the data itself, and that is attacked by internet-wide
//! scanners within minutes of appearing: remote administration (a shell, a desktop, a
//! management protocol), databases, caches and search engines, file sharing, and the
//! control planes of containers and clusters. None of them is meant to be served to the
//! world; they belong behind the VPN (measure 4.d), a bastion, or a private endpoint.
//! The protocol matters: RDP also runs over UDP, SQL Server's browser and Memcached
//! answer on UDP (Memcached's is a well-known amplification vector), NetBIOS naming and
//! SNMP are UDP only.
//!
//! Web ports (80, 443, 8080, 8443) are not on the list: serving them to the internet is
//! what they are for, and ELB-01/ELB-02 judge how. Nor is SMTP (25): a mail server must
//! be reachable. Ports above 32767 are not on it either: network ACLs must let the
//! ephemeral ports of return traffic in, and every port here lies below the range that
//! Linux, Windows and NAT gateways commonly use, so a network ACL can deny them all and
//! still allow `32768-65535`.

use serde::Serialize;

use crate::engine::net::Traffic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Protocol {
    #[serde(rename = "tcp")]
    Tcp,
    #[serde(rename = "udp")]
    Udp,
}

impl Protocol {
    /// The IANA protocol number, as network ACL entries name it.
    pub fn number(self) -> &'static str {
        match self {
            Protocol::Tcp => "6",
            Protocol::Udp => "17",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// A port (or small range) of one protocol that must not be open to the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExposedPort {
    pub protocol: Protocol,
    pub from: i32,
    pub to: i32,
    pub service: &'static str,
}

impl ExposedPort {
    /// `TCP 5432 (PostgreSQL)`, as messages and evidence say it.
    pub fn label(&self) -> String {
        let proto = self.protocol.name().to_ascii_uppercase();
        if self.from == self.to {
            format!("{proto} {} ({})", self.from, self.service)
        } else {
            format!("{proto} {}-{} ({})", self.from, self.to, self.service)
        }
    }

    /// Each port of the entry as traffic the network engine judges.
    pub fn traffic(&self) -> impl Iterator<Item = Traffic> + '_ {
        let protocol = match self.protocol {
            Protocol::Tcp => crate::engine::net::TCP,
            Protocol::Udp => crate::engine::net::UDP,
        };
        (self.from..=self.to).map(move |port| Traffic {
            protocol,
            port: u16::try_from(port).unwrap_or(u16::MAX),
        })
    }
}

/// The list itself, as (protocol, port or `from - to`, service). A macro so that the
/// same tokens give both the data and the sentence in the checks' rationale.
macro_rules! exposed_ports {
    ($then:ident) => {
        $then! {
            // Remote administration
            [Tcp 22, "SSH"],
            [Tcp 23, "Telnet"],
            [Tcp 3389, "RDP"],
            [Udp 3389, "RDP over UDP"],
            [Tcp 5900, "VNC"],
            [Tcp 5985 - 5986, "WinRM"],
            [Tcp 135, "Microsoft RPC"],
            [Udp 135, "Microsoft RPC"],
            [Udp 161, "SNMP"],
            // File transfer and sharing
            [Tcp 20 - 21, "FTP"],
            [Udp 137 - 138, "NetBIOS"],
            [Tcp 139, "NetBIOS session"],
            [Tcp 445, "SMB"],
            [Tcp 2049, "NFS"],
            [Udp 2049, "NFS"],
            // Databases, caches, search
            [Tcp 1433, "SQL Server"],
            [Tcp 1434, "SQL Server admin connection"],
            [Udp 1434, "SQL Server browser"],
            [Tcp 1521, "Oracle"],
            [Tcp 3306, "MySQL/MariaDB"],
            [Tcp 5432, "PostgreSQL"],
            [Tcp 5984, "CouchDB"],
            [Tcp 6379, "Redis"],
            [Tcp 7000 - 7001, "Cassandra inter-node"],
            [Tcp 9042, "Cassandra CQL"],
            [Tcp 8086, "InfluxDB"],
            [Tcp 9200, "Elasticsearch/OpenSearch"],
            [Tcp 9300, "Elasticsearch transport"],
            [Tcp 5601, "Kibana/OpenSearch Dashboards"],
            [Tcp 11211, "Memcached"],
            [Udp 11211, "Memcached"],
            [Tcp 27017 - 27018, "MongoDB"],
            // Container and cluster control planes
            [Tcp 2375 - 2376, "Docker API"],
            [Tcp 2379 - 2380, "etcd"],
            [Tcp 6443, "Kubernetes API"],
            [Tcp 10250, "kubelet API"],
        }
    };
}

macro_rules! port_table {
    ($([$proto:ident $from:literal $(- $to:literal)?, $service:literal]),* $(,)?) => {
        &[$(ExposedPort {
            protocol: Protocol::$proto,
            from: $from,
            to: port_table!(@to $from $($to)?),
            service: $service,
        }),*]
    };
    (@to $from:literal) => { $from };
    (@to $from:literal $to:literal) => { $to };
}

/// The sentence listing every port, for the rationale of EC2-03 and EC2-06.
macro_rules! port_sentence {
    ([$proto:ident $from:literal $(- $to:literal)?, $service:literal]
     $(, [$p:ident $f:literal $(- $t:literal)?, $s:literal])* $(,)?) => {
        concat!(
            port_sentence!(@one $proto $from $($to)?, $service)
            $(, ", ", port_sentence!(@one $p $f $($t)?, $s))*
        )
    };
    (@one Tcp $($rest:tt)*) => { concat!("TCP ", port_sentence!(@port $($rest)*)) };
    (@one Udp $($rest:tt)*) => { concat!("UDP ", port_sentence!(@port $($rest)*)) };
    (@port $from:literal, $service:literal) => { concat!($from, " ", $service) };
    (@port $from:literal $to:literal, $service:literal) => {
        concat!($from, "-", $to, " ", $service)
    };
}

pub(crate) use exposed_ports;
pub(crate) use port_sentence;

pub const EXPOSED_PORTS: &[ExposedPort] = exposed_ports!(port_table);

/// Labels for a message: all of them when few, else the first few and a count (an
/// allow-all rule exposes every port of the list; the evidence keeps them all).
pub fn summary<S: AsRef<str>>(labels: &[S]) -> String {
    const SHOWN: usize = 4;
    let names: Vec<&str> = labels.iter().map(AsRef::as_ref).collect();
    if names.len() <= SHOWN + 1 {
        names.join(", ")
    } else {
        format!(
            "{} and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_and_the_table_are_the_same_list() {
        let sentence: &str = exposed_ports!(port_sentence);
        let labels: Vec<String> = EXPOSED_PORTS
            .iter()
            .map(|p| p.label().replace(['(', ')'], ""))
            .collect();
        assert_eq!(sentence, labels.join(", "));
    }

    #[test]
    fn every_port_lies_below_the_ephemeral_range() {
        assert!(EXPOSED_PORTS.iter().all(|p| p.from <= p.to && p.to < 32768));
    }
}
