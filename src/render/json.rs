use std::io::Write;

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing into memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streamed into `out`, never held whole as a string.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
