//! An import's commits: made one after another in memory
//! ([`CommitSeries`], on a libgit2 mempack), written to git as one pack
//! (`super::pack`), then landed at once through the journal
//! (`super::journal`): one branch update and one work tree and index update
//! for the whole series ([`GitRepo::commit_series`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::Path;

use git2::{ErrorCode, Index, ObjectType, Oid, Repository};

use super::files::FileWrite;
use super::git::{GitRepo, Signature};
use super::journal::Journal;
use super::stage::index_entry;
use crate::error::Error;

/// Commits in the making (see [`GitRepo::commit_series`]): each one's
/// objects are written to memory, on top of the one before.
pub struct CommitSeries<'a> {
    git: &'a GitRepo,
    /// A second handle on the repository, whose object database writes to
    /// memory first.
    repo: &'a Repository,
    /// The author (and committer) of every commit.
    author: &'a Signature<'a>,
    tip: Option<Oid>,
    /// The commits made, in order.
    commits: Vec<Oid>,
    /// Every path written or removed, in the order first touched.
    paths: Vec<String>,
    /// The same paths, to look up.
    touched: HashSet<String>,
    subjects: Vec<String>,
    /// The bytes of every blob the series made that the repository did not
    /// hold: packed and staged from here, never read back from git (which
    /// would hash them again to verify them).
    blobs: HashMap<Oid, Vec<u8>>,
    /// The object database on disk, without the series' objects.
    disk: git2::Odb<'a>,
}

impl GitRepo {
    /// Makes the commits that `make` asks of its [`CommitSeries`], by
    /// `author`, one after another on the current branch, and lands them at
    /// once, crash-safely (see `super::journal`): their objects go to git as
    /// one pack, then the branch moves once (the commit point), then the
    /// work tree and index take the last commit's files. A batch of
    /// documents costs a handful of new files instead of a few per object
    /// and per commit. If `make` fails, nothing lands. Returns the last
    /// commit, if `make` made any.
    pub fn commit_series(
        &self,
        author: &Signature<'_>,
        make: impl FnOnce(&mut CommitSeries<'_>) -> Result<(), Error>,
    ) -> Result<Option<Oid>, Error> {
        self.recover()?;
        self.remove_stale_pack_temporaries();
        let (branch, parent) = self.head()?;
        // A second handle on the repository whose object database writes
        // to memory first: nothing of the series reaches disk until `land`.
        let repo = Repository::open(self.git_dir()).map_err(|e| self.err(e))?;
        let memory = repo.odb().map_err(|e| self.err(e))?;
        memory
            .add_new_mempack_backend(1000)
            .map_err(|e| self.err(e))?;
        let mut series = CommitSeries {
            git: self,
            repo: &repo,
            author,
            tip: parent,
            commits: Vec::new(),
            paths: Vec::new(),
            touched: HashSet::new(),
            subjects: Vec::new(),
            blobs: HashMap::new(),
            disk: self.repo.odb().map_err(|e| self.err(e))?,
        };
        make(&mut series)?;
        let Some(tip) = series.tip.filter(|tip| Some(*tip) != parent) else {
            return Ok(None);
        };
        series.pack(&memory)?;
        let journal = series.journal(&branch, tip)?;
        // The new contents, from memory (the pack would inflate them again).
        let tip_tree = series.tree_of(tip)?;
        let contents = journal
            .writes
            .iter()
            .map(|path| series.content(&tip_tree, path))
            .collect::<Result<Vec<_>, Error>>()?;
        self.land(journal, &contents, parent, &series.reflog_message())?;
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
}

impl<'a> CommitSeries<'a> {
    fn err(&self, e: git2::Error) -> Error {
        self.git.err(e)
    }

    /// The bytes of `path` in the series' last commit (HEAD before the
    /// first), if it is there.
    pub fn file(&self, path: &str) -> Result<Option<Cow<'_, [u8]>>, Error> {
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

    /// Makes a commit of `writes` and `removes` on top of the series' last one.
    pub fn commit(
        &mut self,
        writes: &[&FileWrite],
        removes: &[String],
        message: &str,
    ) -> Result<Oid, Error> {
        let tree = self.build_tree(writes, removes)?;
        let parents = match self.tip {
            Some(id) => vec![self.repo.find_commit(id).map_err(|e| self.err(e))?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let commit = self
            .repo
            .commit(None, self.author, self.author, message, &tree, &parent_refs)
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

    /// The tree of one of the series' commits (or of the commit it starts from).
    fn tree_of(&self, commit: Oid) -> Result<git2::Tree<'a>, Error> {
        self.repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| self.err(e))
    }

    /// The bytes of `path` in `tree` (a tree of the series): borrowed when
    /// the series made its blob.
    fn content(&self, tree: &git2::Tree<'_>, path: &str) -> Result<Cow<'_, [u8]>, Error> {
        let entry = tree.get_path(Path::new(path)).map_err(|e| self.err(e))?;
        self.blob(entry.id())
    }

    /// A blob's bytes: the series' own, or read from disk.
    fn blob(&self, id: Oid) -> Result<Cow<'_, [u8]>, Error> {
        if let Some(bytes) = self.blobs.get(&id) {
            return Ok(Cow::Borrowed(bytes));
        }
        Ok(Cow::Owned(self.git.blob(id)?))
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

    /// Writes the series' new objects to git as one pack (its commits and
    /// trees read from `memory`, its blobs from [`CommitSeries::blobs`]),
    /// and checks that git finds each of them on disk.
    fn pack(&self, memory: &git2::Odb<'_>) -> Result<(), Error> {
        let made = self.new_commits_and_trees(memory)?;
        let mut objects: Vec<_> = made.iter().map(|o| (o.kind(), o.data())).collect();
        let blobs = self.blobs.values().map(|b| (ObjectType::Blob, &b[..]));
        objects.extend(blobs);
        let mut writer = memory.packwriter().map_err(|e| self.err(e))?;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut writer);
        super::pack::write_whole_objects(&mut buffered, &objects)
            .and_then(|()| buffered.flush())
            .map_err(|e| Error::io(&self.git.git_dir().join("objects/pack"), e))?;
        drop(buffered);
        writer.commit().map_err(|e| self.err(e))?;
        // The branch will name these objects: each must be on disk now
        // (a miss makes libgit2 look for the new pack).
        let ids = made
            .iter()
            .map(|o| o.id())
            .chain(self.blobs.keys().copied());
        if let Some(missing) = ids.into_iter().find(|id| !self.disk.exists(*id)) {
            return Err(Error::repository(
                &self.git.root,
                format!(
                    "git object {missing} is not in the pack just written; nothing was changed"
                ),
            ));
        }
        Ok(())
    }

    /// The commits and trees the series made, read from `memory`: its
    /// commits, and the trees they reach that the disk does not hold (its
    /// new blobs are in [`CommitSeries::blobs`]).
    fn new_commits_and_trees<'o>(
        &self,
        memory: &'o git2::Odb<'_>,
    ) -> Result<Vec<git2::OdbObject<'o>>, Error> {
        let mut seen = HashSet::new();
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

    /// The reflog message of the branch update: the commit's subject, or
    /// how many commits landed and the last one's.
    fn reflog_message(&self) -> String {
        match self.subjects.as_slice() {
            [one] => format!("commit: {one}"),
            many => format!(
                "commit: {} commits by tariffs import, the last: {}",
                many.len(),
                many.last().map(String::as_str).unwrap_or_default()
            ),
        }
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
    use crate::store::testing::{self, file};

    fn author() -> Signature<'static> {
        Signature::now("t", "t@localhost").unwrap()
    }

    fn packs(git: &GitRepo) -> usize {
        let dir = git.git_dir().join("objects/pack");
        fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
            .count()
    }

    #[test]
    fn a_series_lands_as_one_pack_that_git_reads_back() {
        let (dir, git) = testing::repo();
        let (a, b) = (file("parsed/a.yaml", "a1"), file("sources/p/b.txt", "b1"));
        let a2 = file("parsed/a.yaml", "a2");
        let mut first = None;
        let tip = git
            .commit_series(&author(), |series| {
                first = Some(series.commit(&[&a, &b], &[], "first\n\nbody")?);
                assert_eq!(series.file("parsed/a.yaml")?.as_deref(), Some(&b"a1"[..]));
                series.commit(&[&a2], &["sources/p/b.txt".to_string()], "second")?;
                assert_eq!(series.file("sources/p/b.txt")?, None);
                Ok(())
            })
            .unwrap()
            .unwrap();
        assert_eq!(packs(&git), 1);
        // Another handle, as `git` itself would read the repository.
        let other = Repository::open(dir.path()).unwrap();
        let head = other.head().unwrap().peel_to_commit().unwrap();
        assert_eq!(head.id(), tip);
        assert_eq!(head.summary().unwrap(), Some("second"));
        let parent = head.parent(0).unwrap();
        assert_eq!(Some(parent.id()), first);
        assert_eq!(parent.parent_count(), 0);
        let read = |commit: &git2::Commit<'_>, path: &str| {
            let entry = commit.tree().unwrap().get_path(Path::new(path)).ok()?;
            Some(other.find_blob(entry.id()).unwrap().content().to_vec())
        };
        assert_eq!(read(&parent, "parsed/a.yaml").unwrap(), b"a1");
        assert_eq!(read(&parent, "sources/p/b.txt").unwrap(), b"b1");
        assert_eq!(read(&head, "parsed/a.yaml").unwrap(), b"a2");
        assert_eq!(read(&head, "sources/p/b.txt"), None);
        // The work tree and index hold the last commit.
        assert_eq!(fs::read(dir.path().join("parsed/a.yaml")).unwrap(), b"a2");
        assert!(!dir.path().join("sources/p/b.txt").exists());
        assert!(git.dirty_paths(&["parsed", "sources"]).unwrap().is_empty());
        let log = other.reflog(&git.head().unwrap().0).unwrap();
        let said = log.get(0).unwrap().message().unwrap().unwrap().to_string();
        assert_eq!(
            said,
            "commit: 2 commits by tariffs import, the last: second"
        );
        // A second series starts from the first one's last commit.
        let next = git
            .commit_series(&author(), |series| {
                assert_eq!(series.file("parsed/a.yaml")?.as_deref(), Some(&b"a2"[..]));
                series.commit(&[&a], &[], "third").map(drop)
            })
            .unwrap()
            .unwrap();
        assert_eq!(git.log().unwrap()[0].id, next.to_string());
        assert_eq!(fs::read(dir.path().join("parsed/a.yaml")).unwrap(), b"a1");
    }

    #[test]
    fn a_series_that_fails_or_makes_nothing_lands_nothing() {
        let (dir, git) = testing::repo();
        let a = file("parsed/a.yaml", "a");
        let failed = git.commit_series(&author(), |series| {
            series.commit(&[&a], &[], "first")?;
            Err(Error::Usage("stop".to_string()))
        });
        assert!(failed.is_err());
        let none = git.commit_series(&author(), |_| Ok(())).unwrap();
        assert_eq!(none, None);
        assert_eq!(git.head().unwrap().1, None);
        assert_eq!(packs(&git), 0);
        assert!(!dir.path().join("parsed").exists());
        assert!(!git.git_dir().join("tariffs-import").exists());
    }
}
