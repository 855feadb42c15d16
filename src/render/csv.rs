//! One row per finding, for spreadsheets. Written by the `csv` crate (quoting is its
//! job); every cell a spreadsheet would run as a formula is neutralised here.

use crate::report::Report;

const HEADER: [&str; 10] = [
    "account",
    "region",
    "check",
    "measures",
    "severity",
    "status",
    "resource",
    "message",
    "evidence",
    "remediation",
];

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// The rows written one finding at a time, so a large report is never held twice.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(out);
    out.write_record(HEADER)?;
    for f in &report.findings {
        let evidence = if f.evidence.is_null() {
            String::new()
        } else {
            f.evidence.to_string()
        };
        let row = [
            f.account.as_str(),
            &f.region,
            &f.check_id,
            &f.sections.join(" "),
            f.severity.as_str(),
            f.status.as_str(),
            &f.resource,
            &f.message,
            &evidence,
            &f.remediation,
        ];
        out.write_record(row.map(neutralise))?;
    }
    out.flush()
}

/// OWASP CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is a formula to Excel, LibreOffice and Sheets. A leading `'` makes it text.
fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_become_text() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-1+1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert!(neutralise(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(neutralise("arn:aws:s3:::bucket"), "arn:aws:s3:::bucket");
    }
}
