//! One import's hold on a data repository ([`Transaction`]): the lock, the
//! recovery of an import that was interrupted, then either commits (after
//! checking that nothing under the data folders is uncommitted) or plain
//! writes (`--no-commit`). The lock is released when the transaction ends,
//! however it ends.

use std::fs;
use std::path::{Path, PathBuf};

use git2::Oid;

use super::commits::CommitSeries;
use super::files::{safe_target, DataRepo, FileWrite};
use super::git::GitRepo;
use crate::error::Error;
use crate::layout::{PARSED_DIR, SOURCES_DIR};

/// The lock file of a data folder without git (`--no-commit`).
pub const NO_GIT_LOCK: &str = ".tariffs.lock";

/// The lock file of a data repository under git, inside `.git/`.
const GIT_LOCK: &str = "tariffs.lock";

/// How a [`Transaction`] stores what it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Commit, under git (a git repository is created where there is none).
    Commit,
    /// Write the files and commit nothing (`--no-commit`).
    Write,
}

/// An import's transaction on a data repository: begun under an exclusive
/// lock, with any interrupted import finished or undone, then ended by
/// [`Transaction::commit`] or [`Transaction::write`].
pub struct Transaction {
    root: PathBuf,
    mode: Mode,
    /// The repository's git, if it has one (in [`Mode::Commit`], always).
    git: Option<GitRepo>,
    /// Whether [`Transaction::begin`] created the git repository.
    initialized: bool,
    /// Whether it finished or undid an interrupted import.
    recovered: bool,
    _lock: RepoLock,
}

impl Transaction {
    /// Begins a transaction on the data folder `root` (made if missing):
    /// takes the lock (in `.git/`, or [`NO_GIT_LOCK`] in a folder without
    /// git), then finishes or undoes an import that was interrupted. In
    /// [`Mode::Commit`], a folder without git becomes a git repository.
    pub fn begin(root: &Path, mode: Mode) -> Result<Transaction, Error> {
        fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        let (git, initialized) = match (GitRepo::open(root)?, mode) {
            (Some(git), _) => (Some(git), false),
            (None, Mode::Write) => (None, false),
            (None, Mode::Commit) => (Some(GitRepo::init(root)?), true),
        };
        // Without git there is no `.git/` to hold the lock: a hidden file in
        // the data folder holds it (documents in hidden files are never read).
        let lock = match &git {
            Some(git) => RepoLock::acquire(&git.git_dir().join(GIT_LOCK))?,
            None => RepoLock::acquire(&root.join(NO_GIT_LOCK))?,
        };
        let recovered = match &git {
            Some(git) => git.recover()?,
            None => false,
        };
        Ok(Transaction {
            root: root.to_path_buf(),
            mode,
            git,
            initialized,
            recovered,
            _lock: lock,
        })
    }

    /// Whether beginning created the git repository.
    pub fn initialized(&self) -> bool {
        self.initialized
    }

    /// Whether the repository may hold something else than when HEAD named
    /// `head` (see [`head_commit`]), so that what was decided from it must
    /// be decided again: HEAD moved (another import landed), an interrupted
    /// import was just finished, or there is no commit to tell by.
    pub fn changed_since(&self, head: Option<&str>) -> bool {
        let Some(git) = &self.git else {
            return true;
        };
        self.recovered || head.is_none() || git.resolve_commit("HEAD").ok().as_deref() != head
    }

    /// Ends the transaction with the commits `make` asks of its
    /// [`CommitSeries`] (see [`GitRepo::commit_series`]), by `author`
    /// (`Name <email>`; else the git config's, else
    /// [`super::git::FALLBACK_AUTHOR`]). Refused if anything under
    /// `sources/` or `parsed/` is not committed. Returns the last commit.
    pub fn commit(
        self,
        author: Option<&str>,
        make: impl FnOnce(&mut CommitSeries<'_>) -> Result<(), Error>,
    ) -> Result<Option<Oid>, Error> {
        let (Some(git), Mode::Commit) = (&self.git, self.mode) else {
            return Err(self.not_in(Mode::Write));
        };
        let dirty = git.dirty_paths(&[SOURCES_DIR, PARSED_DIR])?;
        if !dirty.is_empty() {
            return Err(Error::repository(
                &self.root,
                format!(
                    "uncommitted changes in {}: commit or discard them first, or import with --no-commit",
                    dirty.join(", ")
                ),
            ));
        }
        let author = git.signature(author)?;
        git.commit_series(&author, make)
    }

    /// Ends the transaction by writing `writes` (those whose content
    /// differs, atomically: see [`DataRepo::write_files`]) and removing
    /// `removes`, committing nothing. Returns the paths written, then those
    /// removed.
    pub fn write(self, writes: &[FileWrite], removes: &[String]) -> Result<Vec<String>, Error> {
        if self.mode != Mode::Write {
            return Err(self.not_in(Mode::Commit));
        }
        let mut written = DataRepo::open(&self.root)?.write_files(writes)?;
        for path in removes {
            let target = safe_target(&self.root, path)?;
            fs::remove_file(&target).map_err(|e| Error::io(&target, e))?;
            written.push(path.clone());
        }
        Ok(written)
    }

    /// The misuse of ending a transaction begun in `mode` the other way.
    fn not_in(&self, mode: Mode) -> Error {
        Error::repository(
            &self.root,
            format!("a transaction begun to {mode:?} cannot end the other way (a bug)"),
        )
    }
}

/// The commit HEAD names, when `root` is a git repository with one: noted
/// before an import prepares, to tell under the lock whether the
/// repository changed since ([`Transaction::changed_since`]).
pub fn head_commit(root: &Path) -> Option<String> {
    GitRepo::open(root).ok()??.resolve_commit("HEAD").ok()
}

/// An exclusive lock on a data repository, held while an import runs.
///
/// An OS file lock (not a marker file): the system releases it when the
/// process ends, however it ends, so a killed import leaves no stale lock.
#[derive(Debug)]
struct RepoLock {
    _file: fs::File,
}

impl RepoLock {
    /// Takes the lock file `path`, or says that another import holds it.
    fn acquire(path: &Path) -> Result<RepoLock, Error> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(RepoLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::repository(
                path,
                "another `tariffs import` is running on this repository; try again when it ends",
            )),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::file;

    fn commit_one(root: &Path, file: &FileWrite) -> Result<Option<Oid>, Error> {
        Transaction::begin(root, Mode::Commit)?
            .commit(None, |series| series.commit(&[file], &[], "one").map(drop))
    }

    #[test]
    fn one_transaction_at_a_time_and_the_lock_ends_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        let first = Transaction::begin(&root, Mode::Commit).unwrap();
        assert!(first.initialized());
        assert!(root.join(".git").join(GIT_LOCK).is_file());
        let Err(second) = Transaction::begin(&root, Mode::Commit) else {
            panic!("the first transaction holds the lock");
        };
        assert!(second
            .to_string()
            .contains("another `tariffs import` is running"));
        drop(first);
        let again = Transaction::begin(&root, Mode::Write).unwrap();
        assert!(!again.initialized());
    }

    #[test]
    fn without_git_a_write_locks_the_folder_and_creates_no_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let txn = Transaction::begin(root, Mode::Write).unwrap();
        assert!(!root.join(".git").exists());
        assert!(root.join(NO_GIT_LOCK).is_file());
        assert!(Transaction::begin(root, Mode::Write).is_err());
        assert!(txn.changed_since(None), "no git: nothing to tell by");
        let writes = [file("parsed/a.yaml", "a"), file("parsed/b.yaml", "b")];
        let written = txn.write(&writes, &[]).unwrap();
        assert_eq!(written, ["parsed/a.yaml", "parsed/b.yaml"]);
        let txn = Transaction::begin(root, Mode::Write).unwrap();
        let removes = ["parsed/b.yaml".to_string()];
        let written = txn.write(&[file("parsed/a.yaml", "a")], &removes).unwrap();
        assert_eq!(
            written,
            ["parsed/b.yaml"],
            "an unchanged file is not written"
        );
        assert!(!root.join("parsed/b.yaml").exists());
        let txn = Transaction::begin(root, Mode::Write).unwrap();
        assert!(
            txn.commit(None, |_| Ok(())).is_err(),
            "a write does not commit"
        );
    }

    #[test]
    fn a_commit_is_refused_over_uncommitted_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        commit_one(root, &file("parsed/a.yaml", "a"))
            .unwrap()
            .unwrap();
        fs::write(root.join("parsed/stray.yaml"), "x").unwrap();
        let said = commit_one(root, &file("parsed/b.yaml", "b"))
            .unwrap_err()
            .to_string();
        assert!(
            said.contains("uncommitted changes in parsed/stray.yaml"),
            "{said}"
        );
        assert!(!root.join("parsed/b.yaml").exists());
        fs::remove_file(root.join("parsed/stray.yaml")).unwrap();
        let txn = Transaction::begin(root, Mode::Commit).unwrap();
        let said = txn.commit(Some("no email"), |_| Ok(())).unwrap_err();
        assert!(matches!(said, Error::Usage(_)), "{said}");
    }

    #[test]
    fn a_repository_has_changed_when_head_moved_or_an_import_was_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(head_commit(root), None);
        commit_one(root, &file("parsed/a.yaml", "a")).unwrap();
        let before = head_commit(root).unwrap();
        let txn = Transaction::begin(root, Mode::Commit).unwrap();
        assert!(!txn.changed_since(Some(&before)));
        assert!(txn.changed_since(None));
        drop(txn);
        commit_one(root, &file("parsed/a.yaml", "b")).unwrap();
        let txn = Transaction::begin(root, Mode::Commit).unwrap();
        assert!(txn.changed_since(Some(&before)), "another import landed");
        drop(txn);
        let after = head_commit(root).unwrap();
        // What an import killed while staging leaves behind.
        fs::create_dir_all(root.join(".git/tariffs-import")).unwrap();
        let txn = Transaction::begin(root, Mode::Commit).unwrap();
        assert!(
            txn.changed_since(Some(&after)),
            "an interrupted import was undone"
        );
    }
}
