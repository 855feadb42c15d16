//! Renderers: one file per format, each a function of the finished [`Report`].

mod json;
mod table;

use std::io::Write;
use std::path::Path;

use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable tables for a terminal.
    Table,
    /// The versioned JSON report (`schema_version`; README "The report").
    Json,
}

impl Format {
    pub fn render(self, report: &Report) -> String {
        match self {
            Format::Table => table::render(report),
            Format::Json => json::render(report),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
        }
    }
}

/// Resource names, tags and error messages come from the scanned account or the network.
/// Drop control characters (terminal escapes) and bidirectional overrides (text that
/// displays other than it reads) before they reach a terminal.
pub fn sanitize_terminal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !matches!(*c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}'))
        .collect()
}

/// Writes a file whole or not at all: a temporary file beside it, then a rename, so a
/// reader (or a crash) never sees half a report.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_bidi_overrides_are_removed() {
        let hostile = "bucket\u{1b}[2J\u{1b}]0;pwned\u{7}-\u{202E}gnp.exe\r\nnext";
        assert_eq!(sanitize_terminal(hostile), "bucket[2J]0;pwned-gnp.exenext");
    }

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new report").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/dir/r.json"), b"x").is_err());
    }
}
