use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table};

use super::sanitize_terminal;
use crate::check::Status;
use crate::report::{AccountSummary, Counts, Report};

/// Width used when stdout is not a terminal (CI logs, files).
const DEFAULT_WIDTH: u16 = 140;

/// Longest text a cell shows. The layout cost grows with the text (a 200 KB value once
/// took 38 s to lay out), and nobody reads a policy document in a table: the JSON
/// report keeps every value whole.
const MAX_CELL: usize = 300;

/// Text from the account, the network or a framework file, made inert and bounded.
pub(super) fn clean(s: &str) -> String {
    truncate(&sanitize_terminal(s), MAX_CELL)
}

pub fn render(report: &Report, opts: &super::TableOptions) -> String {
    let mut out = String::new();
    let several = report.accounts.len() > 1;
    out.push_str(&format!(
        "tomscan {} · {} · {} · regions {}\n\n",
        report.tool.version,
        clean(&report.framework.title),
        if several {
            format!("{} accounts", report.accounts.len())
        } else {
            format!("account {}", clean(&report.accounts.join(", ")))
        },
        if report.regions.is_empty() {
            "-".to_string()
        } else {
            clean(&report.regions.join(", "))
        },
    ));
    if several {
        out.push_str(&format!(
            "Organization · {} accounts · score {} / 100 · coverage {:.1}% · {}\n",
            report.accounts.len(),
            report
                .score
                .map_or("n/a".to_string(), |s| format!("{s:.1}")),
            report.coverage,
            counts_line(&report.counts),
        ));
        out.push_str(&accounts(report, opts.color).to_string());
        out.push_str("\n\n");
    }
    out.push_str(&sections(report, opts.color).to_string());
    out.push('\n');
    let attention: Vec<_> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    if attention.is_empty() {
        out.push_str("\nNo failing or unevaluated findings.\n");
    } else {
        out.push_str(&format!(
            "\nFindings that need attention ({}):\n",
            attention.len()
        ));
        // The account column only when there is more than one to tell apart.
        let header: &[&str] = if several {
            &[
                "Status", "Check", "TOM", "Severity", "Account", "Region", "Resource", "Finding",
            ]
        } else {
            &[
                "Status", "Check", "TOM", "Severity", "Region", "Resource", "Finding",
            ]
        };
        let mut t = table(header, opts.color);
        for f in attention {
            let mut finding = clean(&f.message);
            if opts.details {
                if !f.evidence.is_null() {
                    finding.push_str(&format!("\nevidence: {}", clean(&f.evidence.to_string())));
                }
                finding.push_str(&format!("\nfix: {}", clean(&f.remediation)));
            }
            let mut row = vec![
                status_cell(f.status),
                Cell::new(clean(&f.check_id)),
                Cell::new(clean(&f.sections.join(" "))),
                Cell::new(f.severity.as_str()),
            ];
            if several {
                row.push(Cell::new(clean(&f.account)));
            }
            row.extend([
                Cell::new(clean(&f.region)),
                Cell::new(clean(short_resource(&f.resource))),
                Cell::new(finding),
            ]);
            t.add_row(row);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    let c = &report.counts;
    out.push_str(&format!(
        "\nScore {} / 100 · coverage {:.1}% · {}\n",
        report
            .score
            .map_or("n/a".to_string(), |s| format!("{s:.1}")),
        report.coverage,
        counts_line(c),
    ));
    let throttled = match report.stats.throttled {
        0 => String::new(),
        n => format!(", {n} throttled"),
    };
    out.push_str(&format!(
        "Scanned in {:.1} s with {} AWS requests ({} retries{throttled}). Score: severity-weighted share of passing resources per check; see README.\n",
        report.stats.duration_ms as f64 / 1000.0,
        report.stats.requests,
        report.stats.retries,
    ));
    out
}

/// The accounts, worst first: see [`worst_first`].
fn accounts(report: &Report, color: bool) -> Table {
    let mut t = table(
        &[
            "Account", "Name", "Score", "Coverage", "Pass", "Fail", "Error", "Manual", "Note",
        ],
        color,
    );
    for a in worst_first(&report.account_summaries) {
        t.add_row(vec![
            Cell::new(clean(&a.id)),
            Cell::new(clean(a.name.as_deref().unwrap_or(""))),
            Cell::new(a.score.map_or("-".into(), |v| format!("{v:.1}")))
                .set_alignment(CellAlignment::Right),
            Cell::new(a.coverage.map_or("-".into(), |v| format!("{v:.1}%")))
                .set_alignment(CellAlignment::Right),
            num(a.counts.pass),
            num(a.counts.fail),
            num(a.counts.error),
            num(a.counts.manual),
            match &a.error {
                Some(e) => Cell::new(format!("not read: {}", clean(e))).fg(Color::Yellow),
                None => Cell::new(""),
            },
        ]);
    }
    t
}

/// Accounts that could not be read first, then by score (none, then lowest), then by
/// failures, most first: the account that needs a person most leads.
pub(crate) fn worst_first(accounts: &[AccountSummary]) -> Vec<&AccountSummary> {
    let mut sorted: Vec<&AccountSummary> = accounts.iter().collect();
    sorted.sort_by(|a, b| {
        let key = |x: &AccountSummary| (x.error.is_none(), x.score.is_some());
        key(a)
            .cmp(&key(b))
            .then(a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
            .then(b.counts.fail.cmp(&a.counts.fail))
            .then(a.id.cmp(&b.id))
    });
    sorted
}

fn sections(report: &Report, color: bool) -> Table {
    let mut t = table(
        &[
            "TOM",
            "Section / measure",
            "Pass",
            "Fail",
            "Error",
            "Manual",
            "Attested",
            "Score",
        ],
        color,
    );
    for s in &report.sections {
        let title = match &s.parent {
            None => clean(&s.title),
            Some(_) => format!("  {}", truncate(&clean(&s.title), 70)),
        };
        let score = match (s.score, s.counts.manual, s.counts.attested) {
            (Some(v), _, _) => format!("{v:.1}"),
            (None, m, a) if m + a > 0 => {
                if m > 0 {
                    "manual".into()
                } else {
                    "attested".into()
                }
            }
            _ => "-".into(),
        };
        let mut id = Cell::new(clean(&s.id));
        let mut title_cell = Cell::new(title);
        if s.parent.is_none() {
            id = id.add_attribute(comfy_table::Attribute::Bold);
            title_cell = title_cell.add_attribute(comfy_table::Attribute::Bold);
        }
        t.add_row(vec![
            id,
            title_cell,
            num(s.counts.pass),
            num(s.counts.fail),
            num(s.counts.error),
            num(s.counts.manual),
            num(s.counts.attested),
            Cell::new(score).set_alignment(CellAlignment::Right),
        ]);
    }
    t
}

pub(super) fn table(header: &[&str], color: bool) -> Table {
    let mut t = Table::new();
    if !color {
        // No ANSI codes in files, pipes and CI logs, nor for NO_COLOR users.
        t.force_no_tty();
    }
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    if t.width().is_none() {
        t.set_width(DEFAULT_WIDTH);
    }
    t
}

fn num(n: u32) -> Cell {
    Cell::new(if n == 0 { String::new() } else { n.to_string() })
        .set_alignment(CellAlignment::Right)
}

fn status_cell(s: Status) -> Cell {
    colored(Cell::new(s.as_str()), s)
}

/// A cell in the colour of a status (green pass, red fail, yellow error).
pub(super) fn colored(cell: Cell, s: Status) -> Cell {
    match s {
        Status::Fail => cell.fg(Color::Red),
        Status::Error => cell.fg(Color::Yellow),
        Status::Pass => cell.fg(Color::Green),
        _ => cell,
    }
}

pub(super) fn counts_line(c: &Counts) -> String {
    Status::ALL
        .iter()
        .filter(|s| c.get(**s) > 0)
        .map(|s| format!("{} {}", c.get(*s), s.as_str().replace('_', " ")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The part of an ARN a person reads (`user/alice`, `vpc/vpc-0abc`, a bucket name); the
/// account and region are on the same row already, and the full ARN is in the JSON.
pub(super) fn short_resource(arn: &str) -> &str {
    match arn.strip_prefix("arn:") {
        Some(rest) => rest.splitn(5, ':').nth(4).unwrap_or(arn),
        None => arn,
    }
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_CELL, clean, short_resource};

    #[test]
    fn long_values_are_cut_for_the_table() {
        let huge = "x".repeat(200_000);
        let shown = clean(&huge);
        assert_eq!(
            shown.chars().count(),
            MAX_CELL + 1,
            "the cut is marked with …"
        );
        assert!(shown.ends_with('…'));
    }

    #[test]
    fn arns_shorten_to_what_a_person_reads() {
        assert_eq!(
            short_resource("arn:aws:iam::123456789012:user/alice"),
            "user/alice"
        );
        assert_eq!(short_resource("arn:aws:iam::123456789012:root"), "root");
        assert_eq!(short_resource("arn:aws:s3:::acme-logs"), "acme-logs");
        assert_eq!(
            short_resource(
                "arn:aws:logs:eu-west-1:123456789012:log-group:trail:metric-filter/root"
            ),
            "log-group:trail:metric-filter/root"
        );
        assert_eq!(short_resource("not-an-arn"), "not-an-arn");
        assert_eq!(short_resource(""), "");
    }
}
