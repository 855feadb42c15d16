//! The report for tickets and pull requests: the same content as the table, in
//! GitHub-flavoured Markdown. Values from the account are escaped, so a `|`, a line
//! break or markup in a resource name cannot break a table or inject a link.

use std::fmt::Write;

use crate::check::Status;
use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let score = report.score.map_or("n/a".into(), |s| format!("{s:.1}"));
    let several = report.accounts.len() > 1;
    let who = if several {
        format!("Organization of {} accounts", report.accounts.len())
    } else {
        format!("Account {}", esc(&report.accounts.join(", ")))
    };
    let _ = writeln!(
        out,
        "# TOM posture: {}\n\n**Score {score} / 100**, coverage {:.1}%. {who}, regions {}, scanned {} by tomscan {}.\n",
        esc(&report.framework.title),
        report.coverage,
        esc(&report.regions.join(", ")),
        report.scanned_at.format("%Y-%m-%d %H:%M UTC"),
        esc(&report.tool.version),
    );
    if several {
        out.push_str("## Accounts\n\nWorst first.\n\n");
        out.push_str(
            "| Account | Name | Score | Coverage | Pass | Fail | Error | Manual | Note |\n",
        );
        out.push_str("|---|---|--:|--:|--:|--:|--:|--:|---|\n");
        for a in super::table::worst_first(&report.account_summaries) {
            let c = &a.counts;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                esc(&a.id),
                esc(a.name.as_deref().unwrap_or("")),
                a.score.map_or("-".into(), |v| format!("{v:.1}")),
                a.coverage.map_or("-".into(), |v| format!("{v:.1}%")),
                c.pass,
                c.fail,
                c.error,
                c.manual,
                a.error
                    .as_deref()
                    .map_or(String::new(), |e| format!("not read: {}", esc(e))),
            );
        }
        out.push('\n');
    }
    out.push_str("## Sections and measures\n\n");
    out.push_str("| TOM | Section / measure | Pass | Fail | Error | Manual | Attested | Score |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|\n");
    for s in &report.sections {
        let (id, title) = match &s.parent {
            None => (
                format!("**{}**", esc(&s.id)),
                format!("**{}**", esc(&s.title)),
            ),
            Some(_) => (esc(&s.id), esc(&s.title)),
        };
        let c = &s.counts;
        let _ = writeln!(
            out,
            "| {id} | {title} | {} | {} | {} | {} | {} | {} |",
            c.pass,
            c.fail,
            c.error,
            c.manual,
            c.attested,
            s.score.map_or("-".into(), |v| format!("{v:.1}")),
        );
    }
    let attention: Vec<_> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .collect();
    let _ = writeln!(
        out,
        "\n## Findings that need attention ({})\n",
        attention.len()
    );
    if attention.is_empty() {
        out.push_str("No failing or unevaluated findings.\n");
    }
    for f in attention {
        let _ = writeln!(
            out,
            "### {} {} · {} · {}\n",
            f.status.as_str(),
            esc(&f.check_id),
            esc(&f.sections.join(", ")),
            f.severity.as_str(),
        );
        let _ = writeln!(out, "- **Resource:** `{}`", code(&f.resource));
        let _ = writeln!(
            out,
            "- **Account / region:** {} / {}",
            esc(&f.account),
            esc(&f.region)
        );
        let _ = writeln!(out, "- **Finding:** {}", esc(&f.message));
        if !f.evidence.is_null() {
            let _ = writeln!(out, "- **Evidence:** `{}`", code(&f.evidence.to_string()));
        }
        let _ = writeln!(out, "- **Remediation:** {}\n", esc(&f.remediation));
    }
    let c = &report.counts;
    let _ = writeln!(
        out,
        "---\n{} pass · {} fail · {} error · {} not applicable · {} manual · {} attested · {} waived. Score: {}",
        c.pass,
        c.fail,
        c.error,
        c.not_applicable,
        c.manual,
        c.attested,
        c.waived,
        esc(&report.scoring.formula),
    );
    out
}

/// Text in Markdown: control characters dropped, line breaks flattened (a table row is
/// one line), and every inline character with a Markdown or HTML meaning escaped.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in super::sanitize_terminal(&s.replace(['\r', '\n'], " ")).chars() {
        // Inline specials only: values never start a line (they follow a label), so
        // list, heading and numbering markers cannot take effect.
        if "\\`*_[]<>|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text inside an inline code span: backticks cannot close it early (they become
/// `'`), line breaks are flattened, and a `|` is escaped for the enclosing table or list.
pub(super) fn code(s: &str) -> String {
    super::sanitize_terminal(&s.replace(['\r', '\n'], " "))
        .replace('`', "'")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::{code, esc};

    #[test]
    fn values_cannot_break_out() {
        assert_eq!(esc("a|b\nc"), "a\\|b c");
        assert_eq!(esc("[x](http://evil)"), "\\[x\\](http://evil)");
        assert_eq!(esc("*bold* _it_ &lt;"), "\\*bold\\* \\_it\\_ \\&lt;");
        assert_eq!(esc("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(code("a`b|c\nd"), "a'b\\|c d");
    }
}
