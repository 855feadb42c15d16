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

/// Reads a whole input file, or says which one could not be read.
pub fn read(kind: &'static str, path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Read {
        kind,
        path: path.display().to_string(),
        source,
    })
}

impl Input<'_> {
    /// The file as `T`; toml's message names the line, the column and the missing,
    /// unknown or mistyped key.
    pub fn toml<T: DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(self.text).map_err(|e| InputError::Parse {
            kind: self.kind,
            path: self.path.to_string(),
            message: e.to_string().trim_end().to_string(),
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
}
