//! Bad input files (the config, waivers, attestations, frameworks): one error for all
//! four loaders, naming the file and the line. A value that is wrong after parsing is
//! reported as `path:line: message`, the form editors and CI annotations jump to; a file
//! toml cannot read keeps toml's own message, which names the line, column and key.

use std::path::Path;

use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {kind} {path}: {source}")]
    Read {
        kind: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{kind} {path} is larger than {}, the most tomscan reads of one: is it the right file?",
        size(*limit)
    )]
    TooLarge {
        kind: &'static str,
        path: String,
        limit: u64,
    },
    #[error("invalid {kind} {path}: {message}")]
    Parse {
        kind: &'static str,
        path: String,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    At {
        path: String,
        line: usize,
        message: String,
    },
}

/// One input file: what it is (`"waiver file"`), where it came from, and its text.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub kind: &'static str,
    pub path: &'a str,
    pub text: &'a str,
}

/// The most tomscan reads of a TOML input (the config, waivers, attestations, a
/// framework): far above any real one (16 MiB is some 100,000 waivers), so that a wrong
/// path (a disk image, `/dev/zero`) is refused at once instead of read into memory.
pub const TOML_LIMIT: u64 = 16 << 20;

/// The most tomscan reads whole of a JSON input: an inventory (one account's, some
/// megabytes at most), or a report given as a pipe. A report file is streamed instead.
pub const JSON_LIMIT: u64 = 1 << 30;

/// Reads a whole TOML input file, or says which one could not be read.
pub fn read(kind: &'static str, path: &Path) -> Result<String, InputError> {
    read_at_most(kind, path, TOML_LIMIT)
}

/// Reads a whole input file of at most `limit` bytes. A larger one is refused before it
/// is read (a regular file) or as soon as it passes the limit (a pipe, a device).
pub fn read_at_most(kind: &'static str, path: &Path, limit: u64) -> Result<String, InputError> {
    let file = std::fs::File::open(path).map_err(unreadable(kind, path))?;
    if file.metadata().map_err(unreadable(kind, path))?.len() > limit {
        return Err(too_large(kind, path, limit));
    }
    read_within(kind, path, file, limit)
}

/// An input opened to be parsed as a stream: a regular file, which can be read as often
/// as a parser needs and at any size; or the whole text, within `limit`, of anything
/// else (a pipe, a device), which can be read only once.
pub enum Opened {
    File(std::fs::File),
    Text(String),
}

pub fn open(kind: &'static str, path: &Path, limit: u64) -> Result<Opened, InputError> {
    let file = std::fs::File::open(path).map_err(unreadable(kind, path))?;
    if file.metadata().map_err(unreadable(kind, path))?.is_file() {
        return Ok(Opened::File(file));
    }
    read_within(kind, path, file, limit).map(Opened::Text)
}

fn read_within(
    kind: &'static str,
    path: &Path,
    file: std::fs::File,
    limit: u64,
) -> Result<String, InputError> {
    use std::io::Read;
    let mut text = String::new();
    file.take(limit + 1)
        .read_to_string(&mut text)
        .map_err(unreadable(kind, path))?;
    if text.len() as u64 > limit {
        return Err(too_large(kind, path, limit));
    }
    Ok(text)
}

fn unreadable<'p>(
    kind: &'static str,
    path: &'p Path,
) -> impl Fn(std::io::Error) -> InputError + 'p {
    move |source| InputError::Read {
        kind,
        path: path.display().to_string(),
        source,
    }
}

fn too_large(kind: &'static str, path: &Path, limit: u64) -> InputError {
    InputError::TooLarge {
        kind,
        path: path.display().to_string(),
        limit,
    }
}

/// `16 MiB`, `1 GiB`: the limits are whole powers of two.
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

/// toml's message quotes the line it stopped on, whole: a line of a megabyte (a hostile
/// or broken file) would fill the terminal. Past this many characters, it is left out.
const QUOTED_LINE_LIMIT: usize = 200;

impl Input<'_> {
    /// The file as `T`; toml's message names the line, the column and the missing,
    /// unknown or mistyped key.
    pub fn toml<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(self.text).map_err(|e: toml::de::Error| {
            let full = e.to_string();
            let message = if full.lines().all(|l| l.len() <= QUOTED_LINE_LIMIT) {
                full.trim_end().to_string()
            } else {
                let at = e.span().map_or(0, |s| s.start);
                let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
                let column = self.text[line_start..at].chars().count() + 1;
                format!(
                    "TOML parse error at line {}, column {column} (the line is too long to quote): {}",
                    self.line(at),
                    e.message().trim_end()
                )
            };
            InputError::Parse {
                kind: self.kind,
                path: self.path.to_string(),
                message,
            }
        })
    }

    /// A problem with what is written at byte `offset` (a `toml::Spanned` start).
    pub fn at(&self, offset: usize, message: impl Into<String>) -> InputError {
        self.on_line(self.line(offset), message)
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    /// A problem with the value of `key` (the last part of a dotted key), on the line
    /// that sets it.
    pub fn key(&self, key: &str, message: impl Into<String>) -> InputError {
        self.on_line(line_of_key(self.text, key), message)
    }

    fn on_line(&self, line: usize, message: impl Into<String>) -> InputError {
        InputError::At {
            path: self.path.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line a key is set on (values only fail validation when the file sets them); 0
/// when no line sets it.
fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_from_one_by_offset_and_by_key() {
        let text = "a = 1\n[t]\n  bee = 2\n";
        let input = Input {
            kind: "config file",
            path: "x.toml",
            text,
        };
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, text.find("bee").unwrap()), 3);
        assert_eq!(line_of(text, 10_000), 4);
        assert_eq!(input.key("bee", "too big").to_string(), "x.toml:3: too big");
        assert_eq!(line_of_key(text, "be"), 0, "a key is matched whole");
    }

    #[test]
    fn a_parse_error_on_a_huge_line_does_not_quote_it() {
        let text = format!(
            "a = 1\nx = {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let input = Input {
            kind: "waiver file",
            path: "w.toml",
            text: &text,
        };
        let err = input.toml::<toml::Table>().unwrap_err().to_string();
        assert!(err.len() < 400, "{err}");
        assert!(
            err.starts_with("invalid waiver file w.toml: TOML parse error at line 2, column "),
            "{err}"
        );
        assert!(err.contains("recursion"), "{err}");
    }

    #[test]
    fn an_input_past_its_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(TOML_LIMIT + 1).unwrap();
        let err = read("waiver file", &path).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "waiver file {} is larger than 16 MiB, the most tomscan reads of one: is it the right file?",
                path.display()
            )
        );
        let err = read_at_most("report", Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{err}"
        );
    }
}
