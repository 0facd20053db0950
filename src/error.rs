//! Errors that stop a command from running (exit code 2), or that come
//! after an import stored its data (exit codes 3 and 4).
//!
//! Findings about a document's content are not errors: they are data
//! ([`crate::findings::Finding`]). An [`Error`] means the tool could not do its
//! job at all: a file it cannot read, a document it does not recognize, a data
//! repository in a bad state. Each variant names the file it is about.

use std::path::{Path, PathBuf};

/// A failure to run, with the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A document that cannot be read at all (not a PDF, encrypted, no text
    /// layer, damaged, too large).
    #[error("{}: {reason}", path.display())]
    Unreadable {
        /// The document.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A document that is neither a tariff table nor a convention we know
    /// (title, profession, date).
    #[error("{}: not a known INAMI document: {reason}", path.display())]
    UnknownDocument {
        /// The document.
        path: PathBuf,
        /// What is missing or unknown.
        reason: String,
    },
    /// A snapshot that does not load (YAML or schema).
    #[error("{}: not a valid snapshot: {reason}", path.display())]
    BadSnapshot {
        /// The snapshot.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The data repository is not usable as it is (locked, dirty, not a
    /// folder, git failed).
    #[error("{}: {reason}", path.display())]
    Repository {
        /// The repository (or the file in it).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// An import made its commit, but could not then update the work tree
    /// (a full disk, a folder made read-only meanwhile). The data is safe in
    /// git; the next import finishes the job. Exit code 3.
    #[error(
        "{}: committed {commit}, but the work tree was not updated ({reason}): \
         fix that, then run `tariffs import` again (any document) to finish",
        path.display()
    )]
    Unfinished {
        /// The repository.
        path: PathBuf,
        /// The commit made (full hash).
        commit: String,
        /// What failed.
        reason: String,
    },
    /// An import stored its documents (committed them, or wrote them with
    /// `--no-commit`), then could not write its report to standard output
    /// (a full disk, `> /dev/full`). The data is in place; only the report
    /// is lost. Exit code 4.
    #[error("{}: {stored}, then the report could not be written: {reason}", path.display())]
    ReportNotWritten {
        /// The repository.
        path: PathBuf,
        /// What was stored: `committed <hash>`, or `wrote N files (no commit)`.
        stored: String,
        /// Why standard output could not be written.
        reason: String,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit code for this error: 3 for [`Error::Unfinished`]
    /// (committed, work tree behind), 4 for [`Error::ReportNotWritten`]
    /// (stored, report lost), 2 (could not run, nothing stored) for every other.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Unfinished { .. } => 3,
            Error::ReportNotWritten { .. } => 4,
            _ => 2,
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
