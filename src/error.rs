//! Tool failures: the run could not be done at all (exit code 2).
//! Findings are not errors; they are [`crate::diag::Diagnostic`]s.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// The root does not exist or is not a folder.
    BadRoot { root: PathBuf, reason: String },
    /// A PATH argument does not exist or lies outside the root.
    BadPath { path: PathBuf, reason: String },
    /// An `--exclude` pattern is not a valid glob.
    BadGlob { pattern: String, reason: String },
    /// A rule id that no rule has.
    UnknownRule { id: String },
    /// The configuration could not be read or is invalid (already rendered).
    Config(String),
    /// git could not answer (`--changed-since`).
    Git { what: String },
    /// Writing the output failed.
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRoot { root, reason } => {
                write!(f, "cannot use `{}` as the root: {reason}", root.display())
            }
            Error::BadPath { path, reason } => {
                write!(f, "cannot check `{}`: {reason}", path.display())
            }
            Error::BadGlob { pattern, reason } => {
                write!(f, "invalid --exclude pattern `{pattern}`: {reason}")
            }
            Error::UnknownRule { id } => {
                write!(f, "unknown rule `{id}`; `reftree rules` lists them")
            }
            Error::Config(msg) => f.write_str(msg),
            Error::Git { what } => f.write_str(what),
            Error::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for Error {}
