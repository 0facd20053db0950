//! Git, through `git2`: every document an import writes is one commit of
//! the data repository, and the commits of one import land together.
//!
//! This module is the only user of `git2`. An import is made crash-safe by a
//! journal: everything is prepared first (blobs, trees and commits, made in
//! memory and then written as one pack, which git ignores until a reference
//! points at them, and the new file contents in temporary files inside
//! `.git/`), then the branch is moved in one atomic reference update, the
//! commit point. Only then are the files renamed into the work tree and the
//! index updated. If the process dies before the commit point, the next
//! command that writes finds the journal and undoes the preparation; after
//! it, it finishes the job from the commit. Temporary files never live in
//! the work tree, so `sources/` and `parsed/` only ever hold complete files,
//! old or new.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Index, IndexEntry, IndexTime, ObjectType, Oid, Repository};

/// A commit author (re-exported so no other module names `git2`).
pub use git2::Signature;
use serde::{Deserialize, Serialize};

use super::{safe_target, FileWrite};
use crate::error::Error;

/// The author used when neither `--author` nor the git config names one.
pub const FALLBACK_AUTHOR: &str = "inami-tariffs <inami-tariffs@localhost>";

/// A data repository under git.
pub struct GitRepo {
    repo: Repository,
    root: PathBuf,
}

/// One commit, as `tariffs log` and `history` need it.
#[derive(Debug, Clone, Serialize)]
pub struct CommitInfo {
    /// The full hash.
    pub id: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Seconds since the epoch (committer time).
    pub time: i64,
    /// The subject line.
    pub summary: String,
    /// Trailers (`Effective-Date: 2024-01-01`), in order.
    pub trailers: Vec<(String, String)>,
}

/// The content of a file in one commit.
#[derive(Debug, Clone)]
pub struct FileVersion {
    /// The commit.
    pub commit: CommitInfo,
    /// The file's repository-relative path.
    pub path: String,
    /// The blob holding the file's bytes at that commit.
    pub blob: Oid,
}

/// The largest file read back from git: as large as a snapshot or a
/// source may be (256 MiB).
const MAX_BLOB_BYTES: u64 = crate::canonical::bounds::MAX_SNAPSHOT_BYTES;

/// The file in the staging folder that says the import had come to the
/// point of taking git's locks (the branch, then the index), so stale
/// `index.lock` and branch locks are its own.
const LOCKS_MARKER: &str = "git-locks-are-ours";

/// The name of the empty file that [`GitRepo::preflight`] renames into each
/// target folder to prove it can, then removes: this prefix and the process
/// id. Killed in between, an import leaves it behind; the next removes it
/// (see [`remove_stale_probes`]).
const PROBE_PREFIX: &str = ".tariffs-probe-";

/// The folders an import writes to, where a probe may be left behind.
const DATA_FOLDERS: [&str; 3] = ["sources", "parsed", "schema"];

/// What the journal of an unfinished import records.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    commit: String,
    branch: String,
    writes: Vec<String>,
    removes: Vec<String>,
}

fn git_error(root: &Path, e: git2::Error) -> Error {
    Error::repository(root, format!("git: {}", e.message()))
}

impl GitRepo {
    /// Opens the git repository whose work tree is `root`, if there is one.
    pub fn open(root: &Path) -> Result<Option<GitRepo>, Error> {
        match Repository::open(root) {
            Ok(repo) => Ok(Some(GitRepo {
                repo,
                root: root.to_path_buf(),
            })),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(root, e)),
        }
    }

    /// Creates a git repository with its work tree at `root`.
    pub fn init(root: &Path) -> Result<GitRepo, Error> {
        let repo = Repository::init(root).map_err(|e| git_error(root, e))?;
        Ok(GitRepo {
            repo,
            root: root.to_path_buf(),
        })
    }

    fn err(&self, e: git2::Error) -> Error {
        git_error(&self.root, e)
    }

    /// The `.git` folder.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// The signature for a commit: `--author`, else the git config, else the fallback.
    pub fn signature(&self, author: Option<&str>) -> Result<Signature<'static>, Error> {
        if let Some(author) = author {
            return parse_author(author).ok_or_else(|| {
                Error::Usage(format!(
                    "--author `{}`: expected `Name <email>`, without control characters or other angle brackets",
                    author.escape_debug()
                ))
            });
        }
        match self.repo.signature() {
            Ok(sig) => Ok(sig.to_owned()),
            Err(_) => Ok(parse_author(FALLBACK_AUTHOR).expect("the fallback parses")),
        }
    }

    /// Paths under `prefixes` that differ from HEAD (modified, staged or untracked).
    pub fn dirty_paths(&self, prefixes: &[&str]) -> Result<Vec<String>, Error> {
        let mut options = git2::StatusOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        for prefix in prefixes {
            options.pathspec(prefix);
        }
        let statuses = self
            .repo
            .statuses(Some(&mut options))
            .map_err(|e| self.err(e))?;
        Ok(statuses
            .iter()
            .filter(|s| !s.status().is_ignored())
            .filter_map(|s| s.path().ok().map(String::from))
            .collect())
    }

    /// The branch HEAD points at, and the commit it names (none when unborn).
    fn head(&self) -> Result<(String, Option<Oid>), Error> {
        let head = self.repo.find_reference("HEAD").map_err(|e| self.err(e))?;
        let branch = match head.symbolic_target().ok().flatten() {
            Some(name) => name.to_string(),
            None => {
                return Err(Error::repository(
                    &self.root,
                    "HEAD is detached: check out a branch before importing",
                ))
            }
        };
        let target = match self.repo.refname_to_id(&branch) {
            Ok(id) => Some(id),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(self.err(e)),
        };
        Ok((branch, target))
    }

    /// The bytes of `path` in the HEAD commit, if it is there.
    pub fn head_file(&self, path: &str) -> Result<Option<Vec<u8>>, Error> {
        let Some(head) = self.head()?.1 else {
            return Ok(None);
        };
        let tree = self
            .repo
            .find_commit(head)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))?;
        match tree.get_path(Path::new(path)) {
            Ok(entry) => Ok(Some(self.blob(entry.id())?)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.err(e)),
        }
    }

    /// The bytes named by a revision spec such as `HEAD~1:parsed/x.yaml`.
    pub fn read_spec(&self, spec: &str) -> Result<Vec<u8>, Error> {
        let object = self.repo.revparse_single(spec).map_err(|e| {
            Error::Usage(format!(
                "`{spec}` names nothing in {}: {}",
                self.root.display(),
                e.message()
            ))
        })?;
        if object.kind() != Some(ObjectType::Blob) {
            return Err(Error::Usage(format!(
                "`{spec}` is not a file (expected REV:path/to/snapshot.yaml)"
            )));
        }
        self.blob(object.id())
    }

    /// The full hash of the commit a revision names (`HEAD~1`, a tag, a hash).
    pub fn resolve_commit(&self, rev: &str) -> Result<String, Error> {
        let object = self.repo.revparse_single(rev).map_err(|e| {
            Error::Usage(format!(
                "`{rev}` names no commit in {}: {}",
                self.root.display(),
                e.message()
            ))
        })?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| Error::Usage(format!("`{rev}` is not a commit")))?;
        Ok(commit.id().to_string())
    }

    /// The files under `prefix` in the tree of a revision, with their bytes.
    pub fn files_at(&self, rev: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
        let id = Oid::from_str(&self.resolve_commit(rev)?).map_err(|e| self.err(e))?;
        let tree = self
            .repo
            .find_commit(id)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))?;
        let mut found = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                let path = format!("{dir}{}", entry.name().unwrap_or_default());
                if path.starts_with(prefix) {
                    found.push((path, entry.id()));
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(|e| self.err(e))?;
        found
            .into_iter()
            .map(|(path, id)| Ok((path, self.blob(id)?)))
            .collect()
    }

    /// The commit that last changed each file under `prefix` on the current branch.
    pub fn last_commits(
        &self,
        prefix: &str,
    ) -> Result<std::collections::HashMap<String, String>, Error> {
        Ok(self
            .file_versions(prefix)?
            .into_iter()
            .map(|v| (v.path, v.commit.id))
            .collect())
    }

    /// The bytes of a blob. Its size is read from the object header first:
    /// a blob larger than any snapshot may be is refused before it is
    /// loaded (what is committed is data, and data can be hostile).
    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, Error> {
        let odb = self.repo.odb().map_err(|e| self.err(e))?;
        let (size, _) = odb.read_header(id).map_err(|e| self.err(e))?;
        if size as u64 > MAX_BLOB_BYTES {
            return Err(Error::repository(
                &self.root,
                format!(
                    "git object {id} holds {} MiB, more than the {} MiB a snapshot or source may have",
                    size >> 20,
                    MAX_BLOB_BYTES >> 20
                ),
            ));
        }
        let blob = self.repo.find_blob(id).map_err(|e| self.err(e))?;
        Ok(blob.content().to_vec())
    }

    /// Commits `writes` and `removes` on the current branch, crash-safely (see
    /// the module doc). Returns the new commit id.
    pub fn commit_files(
        &self,
        writes: &[FileWrite],
        removes: &[String],
        message: &str,
        author: &Signature<'_>,
    ) -> Result<Oid, Error> {
        let mut commit = None;
        let writes: Vec<&FileWrite> = writes.iter().collect();
        self.commit_series(|series| {
            commit = Some(series.commit(&writes, removes, message, author)?);
            Ok(())
        })?;
        Ok(commit.expect("the series made its commit"))
    }

    /// Makes the commits that `make` asks of its [`Series`], one after
    /// another on the current branch, and lands them at once, crash-safely
    /// (see the module doc): their objects go to git as one pack, then the
    /// branch moves once (the commit point), then the work tree and index
    /// take the last commit's files. A batch of documents costs a handful of
    /// new files instead of a few per object and per commit. If `make`
    /// fails, nothing lands.
    pub fn commit_series(
        &self,
        make: impl FnOnce(&mut Series<'_>) -> Result<(), Error>,
    ) -> Result<Option<Oid>, Error> {
        self.recover()?;
        self.remove_stale_pack_temporaries();
        let (branch, parent) = self.head()?;
        // A second handle on the repository whose object database writes
        // to memory first: nothing of the series reaches disk until `land`.
        let repo = Repository::open(self.git_dir()).map_err(|e| self.err(e))?;
        let odb = repo.odb().map_err(|e| self.err(e))?;
        odb.add_new_mempack_backend(1000).map_err(|e| self.err(e))?;
        let mut series = Series {
            git: self,
            repo: &repo,
            tip: parent,
            commits: Vec::new(),
            paths: Vec::new(),
            touched: std::collections::HashSet::new(),
            subjects: Vec::new(),
            blobs: std::collections::HashMap::new(),
            disk: self.repo.odb().map_err(|e| self.err(e))?,
        };
        make(&mut series)?;
        let Some(tip) = series.tip.filter(|tip| Some(*tip) != parent) else {
            return Ok(None);
        };
        let made = series.new_commits_and_trees(&odb)?;
        let mut objects: Vec<_> = made.iter().map(|o| (o.kind(), o.data())).collect();
        let blobs = series.blobs.values().map(|b| (ObjectType::Blob, &b[..]));
        objects.extend(blobs);
        let mut writer = odb.packwriter().map_err(|e| self.err(e))?;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut writer);
        super::pack::write_whole_objects(&mut buffered, &objects)
            .and_then(|()| buffered.flush())
            .map_err(|e| Error::io(&self.git_dir().join("objects/pack"), e))?;
        drop(buffered);
        writer.commit().map_err(|e| self.err(e))?;
        // The branch will name these objects: each must be on disk now
        // (a miss makes libgit2 look for the new pack).
        let disk = &series.disk;
        let ids = made
            .iter()
            .map(|o| o.id())
            .chain(series.blobs.keys().copied());
        if let Some(missing) = ids.into_iter().find(|id| !disk.exists(*id)) {
            return Err(Error::repository(
                &self.root,
                format!(
                    "git object {missing} is not in the pack just written; nothing was changed"
                ),
            ));
        }
        let log = match series.subjects.as_slice() {
            [one] => format!("commit: {one}"),
            many => format!(
                "commit: {} commits by tariffs import, the last: {}",
                many.len(),
                many.last().map(String::as_str).unwrap_or_default()
            ),
        };
        let journal = series.journal(&branch, tip)?;
        // The new contents, from memory (the pack would inflate them again).
        let tip_tree = series.tree_of(tip)?;
        let contents = journal
            .writes
            .iter()
            .map(|path| series.content(&tip_tree, path))
            .collect::<Result<Vec<_>, Error>>()?;
        self.land(journal, &contents, parent, &log)?;
        Ok(Some(tip))
    }

    /// Removes the temporary files of packs that libgit2's indexer was
    /// writing when an import was killed (`objects/pack/pack_git2_*`): no
    /// reference names their objects, and git would report them as garbage
    /// forever. Only files an hour old are removed, so a pack that another
    /// libgit2 program is writing right now is left alone; failures are
    /// ignored (this is tidying, not the import).
    fn remove_stale_pack_temporaries(&self) {
        let dir = self.git_dir().join("objects/pack");
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        let hour = std::time::Duration::from_secs(3600);
        for entry in entries.flatten() {
            let stale = entry
                .file_name()
                .to_string_lossy()
                .starts_with("pack_git2_")
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > hour));
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Moves the branch to the journal's commit and updates the work tree,
    /// crash-safely: the new files are staged inside `.git/` first.
    /// `contents` are the new bytes of the journal's `writes`, in order.
    fn land(
        &self,
        journal: Journal,
        contents: &[std::borrow::Cow<'_, [u8]>],
        parent: Option<Oid>,
        log: &str,
    ) -> Result<(), Error> {
        let work = self.work_dir();
        let commit = Oid::from_str(&journal.commit).map_err(|e| self.err(e))?;
        let temps = stage_temporaries(&work, contents)?;
        // Everything that can fail after the commit point is tried before it.
        if let Err(e) = self.preflight(&journal, &work) {
            let _ = fs::remove_dir_all(&work);
            return Err(e);
        }
        write_atomically(
            &work.join("journal.json"),
            &serde_json::to_vec(&journal).expect("journal serializes"),
        )?;
        // From here on, git lock files left by a crash are this import's.
        write_file_synced(&work.join(LOCKS_MARKER), b"")?;
        let moved = match parent {
            Some(old) => self
                .repo
                .reference_matching(&journal.branch, commit, true, old, log),
            None => self.repo.reference(&journal.branch, commit, false, log),
        };
        if let Err(e) = moved {
            let _ = fs::remove_dir_all(&work);
            return Err(self.branch_not_moved(&journal.branch, &e));
        }
        // Committed. From here on, an interruption is finished by `recover`,
        // and a failure says so.
        #[cfg(debug_assertions)]
        if std::env::var_os("TARIFFS_TEST_FAIL_AFTER_COMMIT").is_some() {
            // A fault injected by the tests (debug builds only): the work
            // tree update fails as a full disk would make it fail.
            let injected = Error::repository(&self.root, "injected fault (a test)");
            return Err(self.unfinished(&journal, injected));
        }
        self.update_work_tree(&temps, &journal)
            .map_err(|e| self.unfinished(&journal, e))
    }

    /// Why the branch could not be moved to an import's commit, said as it
    /// is: another commit landed on it meanwhile, another git command holds
    /// its lock, or writing the reference (or its reflog) failed, as on a
    /// full disk. In every case the branch is where it was.
    fn branch_not_moved(&self, branch: &str, e: &git2::Error) -> Error {
        let reason = match e.code() {
            ErrorCode::Modified => format!(
                "the branch {branch} moved while importing (another commit landed on it); \
                 nothing was changed: import again"
            ),
            ErrorCode::Locked => format!(
                "{} exists: another git command is running here, or one crashed; \
                 nothing was changed (if none is running, remove that file and import again)",
                self.git_dir().join(format!("{branch}.lock")).display()
            ),
            _ => format!(
                "could not move the branch {branch} to the new commit ({}); nothing was changed",
                e.message()
            ),
        };
        Error::repository(&self.root, reason)
    }

    /// Renames the staged files into place, then [`GitRepo::finish`].
    fn update_work_tree(&self, temps: &[PathBuf], journal: &Journal) -> Result<(), Error> {
        for (temp, path) in temps.iter().zip(&journal.writes) {
            let target = safe_target(&self.root, path)?;
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            fs::rename(temp, &target).map_err(|e| Error::io(&target, e))?;
        }
        self.finish(journal)
    }

    fn unfinished(&self, journal: &Journal, cause: Error) -> Error {
        Error::Unfinished {
            path: self.root.clone(),
            commit: journal.commit.clone(),
            reason: cause.to_string(),
        }
    }

    /// Checks, before the branch moves, what the work tree update will need:
    /// every path safe to write, every target folder writable from the
    /// staging folder (a rename, so the same file system too), and git's
    /// index not locked by someone else.
    fn preflight(&self, journal: &Journal, work: &Path) -> Result<(), Error> {
        let index_lock = self.git_dir().join("index.lock");
        if index_lock.exists() {
            return Err(Error::repository(
                &self.root,
                format!(
                    "{} exists: another git command is running here, or one crashed; \
                     if none is running, remove that file and import again",
                    index_lock.display()
                ),
            ));
        }
        let mut folders = std::collections::BTreeSet::new();
        for path in journal.writes.iter().chain(&journal.removes) {
            let target = safe_target(&self.root, path)?;
            folders.insert(target.parent().map(Path::to_path_buf).unwrap_or_default());
        }
        let probe = work.join("probe.tmp");
        for folder in folders {
            fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
            fs::write(&probe, b"").map_err(|e| Error::io(&probe, e))?;
            let landed = folder.join(format!("{PROBE_PREFIX}{}", std::process::id()));
            fs::rename(&probe, &landed).map_err(|e| Error::io(&folder, e))?;
            fs::remove_file(&landed).map_err(|e| Error::io(&landed, e))?;
        }
        Ok(())
    }

    /// The work tree files and index after the commit point, then the journal removed.
    fn finish(&self, journal: &Journal) -> Result<(), Error> {
        for path in &journal.removes {
            let target = safe_target(&self.root, path)?;
            match fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&target, e)),
            }
        }
        let mut index = self.repo.index().map_err(|e| self.err(e))?;
        let tree = Oid::from_str(&journal.commit)
            .and_then(|c| self.repo.find_commit(c))
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))?;
        for path in &journal.writes {
            // The blob is in the commit already: the entry names it, with
            // the file's stat data, rather than hashing the file again.
            let id = tree
                .get_path(Path::new(path))
                .map_err(|e| self.err(e))?
                .id();
            let target = self.root.join(path);
            let meta = fs::metadata(&target).map_err(|e| Error::io(&target, e))?;
            index
                .add(&stat_entry(path, id, &meta))
                .map_err(|e| self.err(e))?;
        }
        for path in &journal.removes {
            match index.remove_path(Path::new(path)) {
                Ok(()) => {}
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(self.err(e)),
            }
        }
        index.write().map_err(|e| self.err(e))?;
        let work = self.work_dir();
        fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))
    }

    /// Finishes or undoes an import that was interrupted (see the module doc).
    /// Called under the import lock.
    pub fn recover(&self) -> Result<bool, Error> {
        remove_stale_probes(&self.root)?;
        let work = self.work_dir();
        let journal_path = work.join("journal.json");
        let journal: Journal = match fs::read(&journal_path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(j) => j,
                // A journal cut short was never acted on: the branch did not move.
                Err(_) => {
                    fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
                    return Ok(true);
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if work.exists() {
                    fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
                    return Ok(true);
                }
                return Ok(false);
            }
            Err(e) => return Err(Error::io(&journal_path, e)),
        };
        self.check_journal(&journal, &journal_path)?;
        // The interrupted import may have died holding git's lock files:
        // they are removed only if its marker says it had come to take them
        // (never a lock another git command holds).
        if work.join(LOCKS_MARKER).exists() {
            let _ = fs::remove_file(self.git_dir().join("index.lock"));
            let _ = fs::remove_file(self.git_dir().join(format!("{}.lock", journal.branch)));
        }
        let committed = self
            .repo
            .refname_to_id(&journal.branch)
            .ok()
            .map(|id| id.to_string());
        if committed.as_deref() != Some(journal.commit.as_str()) {
            fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
            return Ok(true);
        }
        let commit = Oid::from_str(&journal.commit).map_err(|e| self.err(e))?;
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))?;
        for path in &journal.writes {
            let entry = tree.get_path(Path::new(path)).map_err(|e| self.err(e))?;
            let bytes = self.blob(entry.id())?;
            let target = self.root.join(path);
            let temp = work.join("recovered.tmp");
            write_atomically(&temp, &bytes)?;
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            fs::rename(&temp, &target).map_err(|e| Error::io(&target, e))?;
        }
        self.finish(&journal)?;
        Ok(true)
    }

    /// A journal is read from disk, so it is checked like any input: its
    /// paths must be plain paths under the data folders, and its branch a
    /// valid local branch name.
    fn check_journal(&self, journal: &Journal, path: &Path) -> Result<(), Error> {
        let branch_ok = journal.branch.starts_with("refs/heads/")
            && git2::Reference::is_valid_name(&journal.branch)
            && !journal.branch.contains("..");
        let bad = |why: String| {
            Error::repository(
                path,
                format!("the journal of an interrupted import is not trustworthy: {why}; nothing was done (look at it, then remove {})", path.display()),
            )
        };
        if !branch_ok {
            return Err(bad(format!("`{}` is not a local branch", journal.branch)));
        }
        for p in journal.writes.iter().chain(&journal.removes) {
            safe_target(&self.root, p).map_err(|e| bad(e.to_string()))?;
        }
        Ok(())
    }

    fn work_dir(&self) -> PathBuf {
        self.git_dir().join("tariffs-import")
    }

    /// Commits of the current branch, newest first.
    pub fn log(&self) -> Result<Vec<CommitInfo>, Error> {
        let Some(head) = self.head()?.1 else {
            return Ok(Vec::new());
        };
        let mut walk = self.repo.revwalk().map_err(|e| self.err(e))?;
        walk.push(head).map_err(|e| self.err(e))?;
        walk.map(|id| {
            let commit = self
                .repo
                .find_commit(id.map_err(|e| self.err(e))?)
                .map_err(|e| self.err(e))?;
            Ok(commit_info(&commit))
        })
        .collect()
    }

    /// Every version of every file under `prefix` that a commit of the
    /// current branch introduced, oldest first.
    pub fn file_versions(&self, prefix: &str) -> Result<Vec<FileVersion>, Error> {
        let mut versions = Vec::new();
        let mut commits = self.log()?;
        commits.reverse();
        let mut previous: std::collections::HashMap<String, Oid> = Default::default();
        for info in commits {
            let id = Oid::from_str(&info.id).map_err(|e| self.err(e))?;
            let tree = self
                .repo
                .find_commit(id)
                .and_then(|c| c.tree())
                .map_err(|e| self.err(e))?;
            let mut present = Vec::new();
            tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob) {
                    let path = format!("{dir}{}", entry.name().unwrap_or_default());
                    if path.starts_with(prefix) {
                        present.push((path, entry.id()));
                    }
                }
                git2::TreeWalkResult::Ok
            })
            .map_err(|e| self.err(e))?;
            for (path, blob) in present {
                if previous.get(&path) != Some(&blob) {
                    previous.insert(path.clone(), blob);
                    versions.push(FileVersion {
                        commit: info.clone(),
                        path,
                        blob,
                    });
                }
            }
        }
        Ok(versions)
    }
}

fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let message = commit.message().unwrap_or_default();
    let trailers = git2::message_trailers_strs(message)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author: format!(
            "{} <{}>",
            String::from_utf8_lossy(author.name_bytes()),
            String::from_utf8_lossy(author.email_bytes())
        ),
        time: commit.time().seconds(),
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string(),
        trailers,
    }
}

/// An index entry for a file of the work tree whose blob is known, with the
/// stat data git compares to tell an unchanged file without reading it.
#[cfg(unix)]
fn stat_entry(path: &str, id: Oid, meta: &fs::Metadata) -> IndexEntry {
    use std::os::unix::fs::MetadataExt;
    // The index stores 32-bit fields; git truncates the same way.
    let time = |secs: i64, nanos: i64| IndexTime::new(secs as i32, nanos as u32);
    IndexEntry {
        ctime: time(meta.ctime(), meta.ctime_nsec()),
        mtime: time(meta.mtime(), meta.mtime_nsec()),
        dev: meta.dev() as u32,
        ino: meta.ino() as u32,
        mode: 0o100644,
        uid: meta.uid(),
        gid: meta.gid(),
        file_size: meta.size() as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Elsewhere, no stat data: git re-reads the file to compare it.
#[cfg(not(unix))]
fn stat_entry(path: &str, id: Oid, meta: &fs::Metadata) -> IndexEntry {
    index_entry(path, id, meta.len() as usize)
}

fn index_entry(path: &str, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Parses `Name <email>`: one pair of angle brackets, a name and an email
/// without control characters (a newline would forge commit headers that
/// `git fsck` rejects) or angle brackets.
pub fn parse_author(text: &str) -> Option<Signature<'static>> {
    let (name, rest) = text.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    let (name, email) = (name.trim(), email.trim());
    let clean =
        |s: &str| !s.is_empty() && !s.chars().any(|c| c.is_control() || c == '<' || c == '>');
    if !clean(name) || !clean(email) {
        return None;
    }
    Signature::now(name, email).ok()
}

/// Removes the write probes ([`PROBE_PREFIX`]) that an import killed in its
/// preflight, or whose removal failed, left in the data folders: otherwise
/// every later import would refuse to run over "uncommitted changes". The
/// caller holds the import lock, and only an import holding it makes
/// probes, so none of them is in use. Only empty regular files named
/// exactly like a probe are removed, and no symlink is followed.
fn remove_stale_probes(root: &Path) -> Result<(), Error> {
    let is_folder = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    let mut folders: Vec<PathBuf> = Vec::new();
    for top in DATA_FOLDERS
        .map(|f| root.join(f))
        .into_iter()
        .filter(|p| is_folder(p))
    {
        let Ok(entries) = fs::read_dir(&top) else {
            continue;
        };
        folders.extend(entries.flatten().map(|e| e.path()).filter(|p| is_folder(p)));
        folders.push(top);
    }
    for folder in folders {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let is_probe = name
                .to_str()
                .and_then(|n| n.strip_prefix(PROBE_PREFIX))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
            let empty_file = || entry.metadata().is_ok_and(|m| m.is_file() && m.len() == 0);
            if is_probe && empty_file() {
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    }
    Ok(())
}

/// Writes each new content to a temporary file inside `work` (in `.git/`).
///
/// They are renamed into place after the commit point; if that is
/// interrupted, `recover` rewrites every file from the commit's blobs, so
/// they need not survive a crash and are not flushed one by one. What must
/// be on disk before the commit point is the journal.
fn stage_temporaries(work: &Path, contents: &[impl AsRef<[u8]>]) -> Result<Vec<PathBuf>, Error> {
    fs::create_dir_all(work).map_err(|e| Error::io(work, e))?;
    contents
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let temp = work.join(format!("{i}.tmp"));
            fs::write(&temp, bytes.as_ref()).map_err(|e| Error::io(&temp, e))?;
            Ok(temp)
        })
        .collect()
}

fn write_file_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Writes `path` through a temporary sibling and a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let temp = path.with_extension("partial");
    write_file_synced(&temp, bytes)?;
    fs::rename(&temp, path).map_err(|e| Error::io(path, e))
}

/// Commits in the making (see [`GitRepo::commit_series`]): each one's
/// objects are written to memory, on top of the one before.
pub struct Series<'a> {
    git: &'a GitRepo,
    repo: &'a Repository,
    tip: Option<Oid>,
    /// The commits made, in order.
    commits: Vec<Oid>,
    /// Every path written or removed, in the order first touched.
    paths: Vec<String>,
    /// The same paths, to look up.
    touched: std::collections::HashSet<String>,
    subjects: Vec<String>,
    /// The bytes of every blob the series made that the repository did not
    /// hold: packed and staged from here, never read back from git (which
    /// would hash them again to verify them).
    blobs: std::collections::HashMap<Oid, Vec<u8>>,
    /// The object database on disk, without the series' objects.
    disk: git2::Odb<'a>,
}

impl<'a> Series<'a> {
    fn err(&self, e: git2::Error) -> Error {
        self.git.err(e)
    }

    /// The bytes of `path` in the series' last commit (HEAD before the
    /// first), if it is there.
    pub fn file(&self, path: &str) -> Result<Option<std::borrow::Cow<'_, [u8]>>, Error> {
        let Some(tip) = self.tip else {
            return Ok(None);
        };
        let id = match self.tree_of(tip)?.get_path(Path::new(path)) {
            Ok(entry) => entry.id(),
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(self.err(e)),
        };
        self.blob(id).map(Some)
    }

    /// The tree of one of the series' commits (or of the commit it starts from).
    fn tree_of(&self, commit: Oid) -> Result<git2::Tree<'a>, Error> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))
    }

    /// The bytes of `path` in `tree` (a tree of the series): borrowed when
    /// the series made its blob.
    fn content(
        &self,
        tree: &git2::Tree<'_>,
        path: &str,
    ) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
        let entry = tree.get_path(Path::new(path)).map_err(|e| self.err(e))?;
        self.blob(entry.id())
    }

    /// A blob's bytes: the series' own, or read from disk.
    fn blob(&self, id: Oid) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
        if let Some(bytes) = self.blobs.get(&id) {
            return Ok(std::borrow::Cow::Borrowed(bytes));
        }
        Ok(std::borrow::Cow::Owned(self.git.blob(id)?))
    }

    /// Makes a commit of `writes` and `removes` on top of the series' last one.
    pub fn commit(
        &mut self,
        writes: &[&FileWrite],
        removes: &[String],
        message: &str,
        author: &Signature<'_>,
    ) -> Result<Oid, Error> {
        let tree = self.build_tree(writes, removes)?;
        let parents = match self.tip {
            Some(id) => vec![self.repo.find_commit(id).map_err(|e| self.err(e))?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let commit = self
            .repo
            .commit(None, author, author, message, &tree, &parent_refs)
            .map_err(|e| self.err(e))?;
        self.tip = Some(commit);
        self.commits.push(commit);
        for path in writes.iter().map(|w| &w.path).chain(removes) {
            if self.touched.insert(path.clone()) {
                self.paths.push(path.clone());
            }
        }
        self.subjects
            .push(message.lines().next().unwrap_or_default().to_string());
        Ok(commit)
    }

    fn build_tree(
        &mut self,
        writes: &[&FileWrite],
        removes: &[String],
    ) -> Result<git2::Tree<'a>, Error> {
        let mut index = Index::new().map_err(|e| self.err(e))?;
        if let Some(tip) = self.tip {
            let tree = self.tree_of(tip)?;
            index.read_tree(&tree).map_err(|e| self.err(e))?;
        }
        for write in writes {
            let id = self.repo.blob(&write.bytes).map_err(|e| self.err(e))?;
            let old = self.disk.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH);
            if !old && !self.blobs.contains_key(&id) {
                self.blobs.insert(id, write.bytes.clone());
            }
            index
                .add(&index_entry(&write.path, id, write.bytes.len()))
                .map_err(|e| self.err(e))?;
        }
        for path in removes {
            let _ = index.remove_path(Path::new(path));
        }
        let id = index.write_tree_to(self.repo).map_err(|e| self.err(e))?;
        self.repo.find_tree(id).map_err(|e| self.err(e))
    }

    /// The commits and trees the series made, read from `memory`: its
    /// commits, and the trees they reach that the disk does not hold (its
    /// new blobs are in [`Series::blobs`]).
    fn new_commits_and_trees<'o>(
        &self,
        memory: &'o git2::Odb<'_>,
    ) -> Result<Vec<git2::OdbObject<'o>>, Error> {
        let mut seen = std::collections::HashSet::new();
        let mut ids = self.commits.clone();
        let mut trees = Vec::new();
        for commit in &self.commits {
            let commit = self.repo.find_commit(*commit).map_err(|e| self.err(e))?;
            trees.push(commit.tree_id());
        }
        // Only new trees are opened: what an old tree reaches is old too.
        while let Some(id) = trees.pop() {
            if self.disk.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH) || !seen.insert(id) {
                continue;
            }
            ids.push(id);
            let tree = self.repo.find_tree(id).map_err(|e| self.err(e))?;
            let subtrees = tree.iter().filter(|e| e.kind() == Some(ObjectType::Tree));
            trees.extend(subtrees.map(|e| e.id()));
        }
        ids.into_iter()
            .map(|id| memory.read(id).map_err(|e| self.err(e)))
            .collect()
    }

    /// What the work tree must become: every touched path that the last
    /// commit holds is written, every other one removed.
    fn journal(&self, branch: &str, tip: Oid) -> Result<Journal, Error> {
        let tree = self.tree_of(tip)?;
        let (mut writes, mut removes) = (Vec::new(), Vec::new());
        for path in &self.paths {
            match tree.get_path(Path::new(path)) {
                Ok(_) => writes.push(path.clone()),
                Err(e) if e.code() == ErrorCode::NotFound => removes.push(path.clone()),
                Err(e) => return Err(self.err(e)),
            }
        }
        Ok(Journal {
            commit: tip.to_string(),
            branch: branch.to_string(),
            writes,
            removes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one failure that is a moved branch: libgit2 says the reference
    /// no longer holds the value the import started from (`Modified`).
    #[test]
    fn only_a_stale_branch_is_called_moved() {
        let dir = tempfile::tempdir().unwrap();
        let git = GitRepo::init(dir.path()).unwrap();
        let author = Signature::now("a", "a@b").unwrap();
        let tree = git.repo.treebuilder(None).unwrap().write().unwrap();
        let tree = git.repo.find_tree(tree).unwrap();
        let commit = |parents: &[&git2::Commit<'_>]| {
            git.repo
                .commit(None, &author, &author, "m", &tree, parents)
                .unwrap()
        };
        let first = commit(&[]);
        let second = commit(&[&git.repo.find_commit(first).unwrap()]);
        let branch = "refs/heads/main";
        git.repo.reference(branch, second, false, "m").unwrap();
        let Err(stale) = git.repo.reference_matching(branch, first, true, first, "m") else {
            panic!("the branch holds the second commit, not the first");
        };
        assert_eq!(stale.code(), ErrorCode::Modified);
        let said = git.branch_not_moved(branch, &stale).to_string();
        assert!(said.contains("moved while importing"), "{said}");
        let other = git2::Error::new(ErrorCode::GenericError, git2::ErrorClass::Os, "disk full");
        let said = git.branch_not_moved(branch, &other).to_string();
        assert!(!said.contains("moved while"), "{said}");
        assert!(said.contains("could not move the branch refs/heads/main to the new commit (disk full); nothing was changed"), "{said}");
    }
}
