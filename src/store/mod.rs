//! Stage 5: the data repository on disk (`sources/`, `parsed/`, `schema/`)
//! and its git history. The store is the only user of `git2`.
//!
//! One idea per module:
//!
//! | module | job |
//! |---|---|
//! | `files` | the files on disk ([`DataRepo`]), written atomically, every path checked ([`safe_target`]) |
//! | `git` | the handle on the git repository ([`GitRepo`]): open, create, HEAD, the author |
//! | `revisions` | the read side: the log, the files of a revision, every version of a file |
//! | `stage` | the work tree and index around a commit, and the check for uncommitted changes |
//! | `journal` | landing commits crash-safely: preflight, the journal, the commit point, then finishing, or recovering after a crash |
//! | `commits` | an import's commits, made in memory ([`CommitSeries`]) and written as one pack (`pack`), then landed |
//! | `transaction` | what an import drives ([`Transaction`]): lock, recover, check, then commit or write |
//!
//! Each module uses only modules listed above it.

mod commits;
mod files;
mod git;
mod journal;
mod pack;
mod revisions;
mod stage;
#[cfg(test)]
mod testing;
mod transaction;

pub use commits::CommitSeries;
pub use files::{safe_target, DataRepo, FileWrite, WRITABLE_DIRS};
pub use git::{parse_author, GitRepo, Signature, FALLBACK_AUTHOR};
pub use revisions::{CommitInfo, FileVersion};
pub use transaction::{head_commit, Mode, Transaction, NO_GIT_LOCK};
