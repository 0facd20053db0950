//! Errors that stop a command from running (exit code 2).
//!
//! Findings about a document's content are not errors: they are data
//! ([`crate::validate::Finding`]). An [`Error`] means the tool could not do its
//! job at all: a file it cannot read, a document it does not recognize, a data
//! repository in a bad state. Each variant names the file it is about.

use std::path::{Path, PathBuf};

/// A failure to run, with the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("{}: not a known INAMI document: {reason}", path.display())]
    UnknownDocument { path: PathBuf, reason: String },
    #[error("{}: not a valid snapshot: {reason}", path.display())]
    BadSnapshot { path: PathBuf, reason: String },
    #[error("{}: {reason}", path.display())]
    Repository { path: PathBuf, reason: String },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A problem with the data repository at `path`.
    pub fn repository(path: &Path, reason: impl Into<String>) -> Error {
        Error::Repository {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}
