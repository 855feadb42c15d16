//! Renderers: one file per format, each a function of the finished [`Report`].

mod csv;
pub mod diff;
mod html;
mod json;
mod junit;
mod markdown;
pub mod metrics;
mod ocsf;
pub mod oscal;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable tables for a terminal.
    Table,
    /// The versioned JSON report (`schema_version`; README "The report").
    Json,
    /// The same content as the table, for tickets and pull requests.
    Markdown,
    /// One row per finding, for spreadsheets (formula cells neutralised).
    Csv,
    /// JUnit XML for CI: a suite per TOM section, a case per check and resource.
    Junit,
    /// OCSF 1.5.0 Compliance Finding events (class 2003), one per finding, for a SIEM.
    Ocsf,
    /// One self-contained HTML page for people: filterable, printable to PDF.
    Html,
    /// NIST OSCAL 1.1 assessment-results, for GRC platforms (`tomscan catalog --format
    /// oscal` writes the catalog its controls point at).
    Oscal,
}

/// How the terminal table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// ANSI colours (only for a terminal, and not under `NO_COLOR`).
    pub color: bool,
    /// Evidence and remediation under each finding.
    pub details: bool,
}

impl Format {
    /// The report in this format; a table without colour or details.
    pub fn render(self, report: &Report) -> String {
        self.render_with(report, &TableOptions::default())
    }

    pub fn render_with(self, report: &Report, table: &TableOptions) -> String {
        match self {
            Format::Table => table::render(report, table),
            Format::Json => json::render(report),
            Format::Markdown => markdown::render(report),
            Format::Csv => csv::render(report),
            Format::Junit => junit::render(report),
            Format::Ocsf => ocsf::render(report),
            Format::Html => html::render(report),
            Format::Oscal => oscal::render(report),
        }
    }

    /// The report in this format, written into `out`. The formats an organization's
    /// pipeline reads (JSON, CSV, OCSF) are streamed a finding at a time, as the
    /// findings themselves are (hundreds of megabytes for a large organization); the
    /// others are rendered first.
    pub fn write_into(
        self,
        report: &Report,
        table: &TableOptions,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        match self {
            Format::Json => json::write(report, out),
            Format::Csv => csv::write(report, out),
            Format::Ocsf => ocsf::write(report, out),
            other => out.write_all(other.render_with(report, table).as_bytes()),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Junit => "junit.xml",
            Format::Ocsf => "ocsf.json",
            Format::Html => "html",
            Format::Oscal => "oscal.json",
        }
    }

    /// `tomscan-<account, or "org" for several>-<UTC time>.<ext>`, for `--output-dir`.
    pub fn file_name(self, report: &Report) -> String {
        let who = match report.accounts.as_slice() {
            [one] => one
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect(),
            _ => "org".to_string(),
        };
        format!(
            "tomscan-{who}-{}.{}",
            report.scanned_at.format("%Y%m%dT%H%M%SZ"),
            self.extension()
        )
    }
}

/// Resource names, tags and error messages come from the scanned account or the network.
/// Drop control characters (C0 and C1: terminal escapes), bidirectional marks and
/// overrides (text that displays other than it reads), line and paragraph separators,
/// and invisible characters (zero-width space, byte-order mark) before they reach a
/// terminal.
pub fn sanitize_terminal(s: &str) -> String {
    s.chars().filter(|c| !is_hostile(*c)).collect()
}

/// [`sanitize_terminal`] line by line, for messages whose line breaks are tomscan's own
/// (errors on stderr).
pub fn sanitize_lines(s: &str) -> String {
    s.lines()
        .map(sanitize_terminal)
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200B}'..='\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
        )
}

/// Writes a file whole or not at all: a temporary file beside it, then a rename, so a
/// reader (or a crash) never sees half a report. Only a regular file is replaced that way
/// (through a symlink, the file it points to, keeping its permissions); a FIFO, a
/// terminal or `/dev/stdout` is written into, never replaced: renaming onto
/// `/dev/stdout` as root would swap the machine's symlink for a file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    Staged::new(path, |out| out.write_all(contents))?.commit()
}

/// Every staged file takes its place, in order; the error names the file. Staging all
/// of a run's files first ([`Staged::new`]), then committing them, writes them all or
/// none: a full disk, an unwritable directory or a target that is a directory fails the
/// staging and leaves every target as it was.
pub fn commit_all(staged: Vec<Staged>) -> Result<(), (PathBuf, std::io::Error)> {
    for s in staged {
        let path = s.path().to_path_buf();
        s.commit().map_err(|e| (path, e))?;
    }
    Ok(())
}

/// A file ready to take its place ([`Staged::commit`]): for a regular file (or a new
/// one), a synced temporary file beside it; for anything else (a FIFO, a terminal), the
/// open target and what is to be written into it.
pub struct Staged(Stage);

enum Stage {
    Replace {
        tmp: tempfile::NamedTempFile,
        target: PathBuf,
        // Declared after `tmp`, so dropped after it: a second Ctrl-C removes the
        // temporary file until it is renamed or removed.
        _unstage: crate::interrupt::Unstage,
    },
    WriteInto {
        out: std::fs::File,
        path: PathBuf,
        contents: Vec<u8>,
    },
}

impl Staged {
    /// Stages `path` with what `write` writes: streamed into the temporary file (a large
    /// organization's report need not be held in memory first), or kept in memory for a
    /// target that is written into at the commit.
    pub fn new(
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<Staged> {
        let stage = match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                let target = std::fs::canonicalize(path)?;
                let (tmp, _unstage) = temporary(&target, write, Some(meta.permissions()))?;
                Stage::Replace {
                    tmp,
                    target,
                    _unstage,
                }
            }
            Ok(_) => {
                let out = std::fs::OpenOptions::new().write(true).open(path)?;
                let mut contents = Vec::new();
                write(&mut contents)?;
                Stage::WriteInto {
                    out,
                    path: path.to_path_buf(),
                    contents,
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (tmp, _unstage) = temporary(path, write, None)?;
                Stage::Replace {
                    tmp,
                    target: path.to_path_buf(),
                    _unstage,
                }
            }
            Err(e) => return Err(e),
        };
        Ok(Staged(stage))
    }

    pub fn path(&self) -> &Path {
        match &self.0 {
            Stage::Replace { target, .. } => target,
            Stage::WriteInto { path, .. } => path,
        }
    }

    /// Takes its place: the rename, or the write into the target.
    pub fn commit(self) -> std::io::Result<()> {
        match self.0 {
            Stage::Replace { tmp, target, .. } => {
                tmp.persist(&target).map_err(|e| e.error)?;
                Ok(())
            }
            Stage::WriteInto {
                mut out, contents, ..
            } => {
                out.write_all(&contents)?;
                out.flush()
            }
        }
    }
}

/// What `write` writes, in a synced temporary file in `path`'s directory, with
/// `permissions`.
fn temporary(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<(tempfile::NamedTempFile, crate::interrupt::Unstage)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().make_in(dir, |p| {
        crate::interrupt::create_staged(p, |p| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            // A new report gets the mode any new file would (0666 less the umask), not
            // a temporary file's 0600: a metrics file node_exporter cannot read is no
            // metrics file.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
            options.open(p)
        })
    })?;
    let unstage = crate::interrupt::Unstage(tmp.path().to_path_buf());
    let mut out = std::io::BufWriter::new(tmp.as_file_mut());
    write(&mut out)?;
    out.flush()?;
    drop(out);
    if let Some(permissions) = permissions {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    Ok((tmp, unstage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_bidi_overrides_are_removed() {
        let hostile = "bucket\u{1b}[2J\u{1b}]0;pwned\u{7}-\u{202E}gnp.exe\r\nnext";
        assert_eq!(sanitize_terminal(hostile), "bucket[2J]0;pwned-gnp.exenext");
        let invisible = "a\u{2028}b\u{2029}c\u{061C}d\u{200B}e\u{FEFF}f\u{9B}g\u{200E}h";
        assert_eq!(sanitize_terminal(invisible), "abcdefgh");
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

    /// Stages every file, then commits them, as `cli::emit` does.
    fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), (PathBuf, std::io::Error)> {
        let staged = files
            .iter()
            .map(|(path, contents)| {
                Staged::new(path, |out| out.write_all(contents))
                    .map_err(|e| (path.to_path_buf(), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        commit_all(staged)
    }

    #[test]
    fn several_files_are_written_all_or_none() {
        let dir = tempfile::tempdir().unwrap();
        let (json, html) = (
            dir.path().join("report.json"),
            dir.path().join("report.html"),
        );
        std::fs::write(&json, "old").unwrap();
        // The second target cannot be written (it is a directory): the first stays old.
        std::fs::create_dir(&html).unwrap();
        let err = write_all_atomic(&[(&json, b"new"), (&html, b"<html>")]).unwrap_err();
        assert_eq!(err.0, html);
        assert_eq!(std::fs::read_to_string(&json).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
        std::fs::remove_dir(&html).unwrap();
        write_all_atomic(&[(&json, b"new"), (&html, b"<html>")]).unwrap();
        assert_eq!(std::fs::read_to_string(&json).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&html).unwrap(), "<html>");
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_report_keeps_its_mode_and_a_symlink_its_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    /// A new report is readable as any new file is (the umask decides), not 0600.
    #[cfg(unix)]
    #[test]
    fn a_new_report_gets_the_mode_of_a_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let report = dir.path().join("report.json");
        write_atomic(&report, b"new").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&report), mode(&plain));
    }

    /// A FIFO (like `/dev/stdout` in a pipe) is written into, not replaced by a file.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_into_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(!kind.is_file(), "the FIFO is still a FIFO");
    }
}
