//! The crash journal: how an import's commits land in the data repository
//! so that a crash at any moment leaves it whole, old or new.
//!
//! Everything is prepared first: the blobs, trees and commits (made in
//! memory and written as one pack, which git ignores until a reference
//! points at them: `super::commits`), and the new file contents, in
//! temporary files inside `.git/` ([`stage_temporaries`]). Then, in
//! [`GitRepo::land`]:
//!
//! 1. *preflight*: everything the work tree update will need is tried
//!    (each target folder takes a renamed file, git's `index.lock` is free);
//! 2. the *journal* (`.git/tariffs-import/journal.json`: the commit, the
//!    branch, the paths to write and to remove) is written and flushed, and
//!    a marker says git's locks are ours from here on;
//! 3. the branch is moved in one atomic reference update: the *commit
//!    point*;
//! 4. the staged files are renamed into the work tree, the removed ones
//!    deleted, the index updated, and the staging folder removed (`finish`).
//!
//! If the process dies before the commit point, the next command that
//! writes finds the journal ([`GitRepo::recover`]) and undoes the
//! preparation; after it, it finishes the job from the commit, rewriting
//! every file from the commit's blobs. Temporary files never live in the
//! work tree, so `sources/` and `parsed/` only ever hold complete files,
//! old or new. (The write probes of the preflight do, for an instant: a
//! probe left by a killed import is removed by the next.)

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid};
use serde::{Deserialize, Serialize};

use super::files::{safe_target, write_synced, WRITABLE_DIRS};
use super::git::GitRepo;
use super::stage::{stage_temporaries, write_atomically};
use crate::error::Error;

/// The file in the staging folder that says the import had come to the
/// point of taking git's locks (the branch, then the index), so stale
/// `index.lock` and branch locks are its own.
const LOCKS_MARKER: &str = "git-locks-are-ours";

/// The name of the empty file that the preflight renames into each
/// target folder to prove it can, then removes: this prefix and the process
/// id. Killed in between, an import leaves it behind; the next removes it
/// (see [`remove_stale_probes`]).
const PROBE_PREFIX: &str = ".tariffs-probe-";

/// What the journal of an unfinished import records: what the work tree
/// must become once the branch names `commit`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Journal {
    /// The last commit of the import (full hash).
    pub commit: String,
    /// The branch it lands on (`refs/heads/...`).
    pub branch: String,
    /// The paths the commit holds, to write from it.
    pub writes: Vec<String>,
    /// The paths it does not hold, to remove.
    pub removes: Vec<String>,
}

impl GitRepo {
    /// Moves the branch to the journal's commit and updates the work tree,
    /// crash-safely (see the module doc). `contents` are the new bytes of
    /// the journal's `writes`, in order; `parent` is the commit the branch
    /// must still name, and `log` the reflog message.
    pub(super) fn land(
        &self,
        journal: Journal,
        contents: &[impl AsRef<[u8]>],
        parent: Option<Oid>,
        log: &str,
    ) -> Result<(), Error> {
        let temps = self.prepare(&journal, contents)?;
        self.write_journal(&journal)?;
        self.move_branch(&journal, parent, log)?;
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

    /// Stages the new contents inside `.git/`, then the preflight; on a
    /// failure of the preflight, the staging folder is removed.
    fn prepare(
        &self,
        journal: &Journal,
        contents: &[impl AsRef<[u8]>],
    ) -> Result<Vec<PathBuf>, Error> {
        let work = self.work_dir();
        let temps = stage_temporaries(&work, contents)?;
        // Everything that can fail after the commit point is tried before it.
        if let Err(e) = self.preflight(journal, &work) {
            let _ = fs::remove_dir_all(&work);
            return Err(e);
        }
        Ok(temps)
    }

    /// Writes the journal, flushed, then the marker that git's lock files
    /// left by a crash from here on are this import's.
    fn write_journal(&self, journal: &Journal) -> Result<(), Error> {
        let work = self.work_dir();
        write_atomically(
            &work.join("journal.json"),
            &serde_json::to_vec(journal).expect("journal serializes"),
        )?;
        write_synced(&work.join(LOCKS_MARKER), b"")
    }

    /// The commit point: the branch moves from `parent` to the journal's
    /// commit, or the staging folder is removed and nothing changed.
    fn move_branch(&self, journal: &Journal, parent: Option<Oid>, log: &str) -> Result<(), Error> {
        let commit = Oid::from_str(&journal.commit).map_err(|e| self.err(e))?;
        let moved = match parent {
            Some(old) => self
                .repo
                .reference_matching(&journal.branch, commit, true, old, log),
            None => self.repo.reference(&journal.branch, commit, false, log),
        };
        moved.map(drop).map_err(|e| {
            let _ = fs::remove_dir_all(self.work_dir());
            self.branch_not_moved(&journal.branch, &e)
        })
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
        self.place_staged(temps, &journal.writes)?;
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
        self.remove_files(&journal.removes)?;
        let commit = Oid::from_str(&journal.commit).map_err(|e| self.err(e))?;
        self.update_index(commit, &journal.writes, &journal.removes)?;
        let work = self.work_dir();
        fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))
    }

    /// Finishes or undoes an import that was interrupted (see the module
    /// doc); says whether there was one. Called under the import lock.
    pub(super) fn recover(&self) -> Result<bool, Error> {
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
        self.restore(commit, &journal.writes, &work)?;
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

    /// The staging folder of an import, which holds its journal.
    fn work_dir(&self) -> PathBuf {
        self.git_dir().join("tariffs-import")
    }
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
    for top in WRITABLE_DIRS
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    /// What the import lands: `parsed/a.yaml` changed, `sources/p/c.txt`
    /// added, `parsed/b.yaml` removed.
    const OLD: [(&str, &str); 2] = [("parsed/a.yaml", "old"), ("parsed/b.yaml", "b")];
    const NEW: [(&str, &str); 2] = [("parsed/a.yaml", "new"), ("sources/p/c.txt", "c")];

    /// A repository at its commit of [`OLD`], work tree and index too, with
    /// the commit of [`NEW`] made on top (the branch not moved), and the
    /// journal that lands it.
    fn scene() -> (tempfile::TempDir, GitRepo, Oid, Journal) {
        let (dir, git) = testing::repo();
        let old = testing::commit(&git, None, &OLD);
        testing::check_out(&git, old);
        let new = testing::commit(&git, Some(old), &NEW);
        let journal = Journal {
            commit: new.to_string(),
            branch: git.head().unwrap().0,
            writes: NEW.iter().map(|(p, _)| p.to_string()).collect(),
            removes: vec!["parsed/b.yaml".to_string()],
        };
        (dir, git, old, journal)
    }

    /// The files of the data folders, with their contents, sorted.
    fn work_tree(root: &Path) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for top in WRITABLE_DIRS {
            let mut stack = vec![root.join(top)];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let relative = path.strip_prefix(root).unwrap().to_string_lossy();
                    found.push((relative.into_owned(), fs::read_to_string(&path).unwrap()));
                }
            }
        }
        found.sort();
        found
    }

    fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    /// The steps of [`GitRepo::land`] (and of `finish`) one by one, so that
    /// a crash can be simulated after any of them.
    const STEPS: usize = 9;
    /// The step after which the branch names the new commit.
    const COMMIT_POINT: usize = 5;

    fn run_steps(git: &GitRepo, journal: &Journal, old: Oid, steps: usize) {
        let work = git.work_dir();
        let contents: Vec<&[u8]> = NEW.iter().map(|(_, c)| c.as_bytes()).collect();
        let mut temps = Vec::new();
        for step in 0..steps {
            match step {
                0 => temps = stage_temporaries(&work, &contents).unwrap(),
                1 => git.preflight(journal, &work).unwrap(),
                // A journal cut short by the crash, then the whole journal.
                2 => fs::write(work.join("journal.json"), br#"{"commit":"ab"#).unwrap(),
                3 => git.write_journal(journal).unwrap(),
                4 => git.move_branch(journal, Some(old), "test").unwrap(),
                5 => git.place_staged(&temps[..1], &journal.writes[..1]).unwrap(),
                6 => git.place_staged(&temps[1..], &journal.writes[1..]).unwrap(),
                7 => git.remove_files(&journal.removes).unwrap(),
                8 => {
                    let new = Oid::from_str(&journal.commit).unwrap();
                    git.update_index(new, &journal.writes, &journal.removes)
                        .unwrap()
                }
                _ => unreachable!("{STEPS} steps"),
            }
        }
    }

    #[test]
    fn a_crash_after_any_step_is_undone_before_the_commit_point_and_finished_after() {
        for steps in 0..=STEPS {
            let (dir, git, old, journal) = scene();
            run_steps(&git, &journal, old, steps);
            assert_eq!(git.recover().unwrap(), steps > 0, "after {steps} steps");
            let (tip, files) = match steps < COMMIT_POINT {
                true => (old, owned(&OLD)),
                false => (Oid::from_str(&journal.commit).unwrap(), owned(&NEW)),
            };
            assert_eq!(git.head().unwrap().1, Some(tip), "after {steps} steps");
            assert_eq!(work_tree(dir.path()), files, "after {steps} steps");
            let dirty = git.dirty_paths(&WRITABLE_DIRS).unwrap();
            assert!(dirty.is_empty(), "after {steps} steps: {dirty:?}");
            assert!(!git.work_dir().exists(), "after {steps} steps");
            assert!(
                !git.recover().unwrap(),
                "after {steps} steps: recovered once"
            );
        }
    }

    #[test]
    fn landing_whole_leaves_nothing_to_recover() {
        let (dir, git, old, journal) = scene();
        let new = Oid::from_str(&journal.commit).unwrap();
        let contents: Vec<&[u8]> = NEW.iter().map(|(_, c)| c.as_bytes()).collect();
        git.land(journal, &contents, Some(old), "test").unwrap();
        assert_eq!(git.head().unwrap().1, Some(new));
        assert_eq!(work_tree(dir.path()), owned(&NEW));
        assert!(git.dirty_paths(&WRITABLE_DIRS).unwrap().is_empty());
        assert!(!git.recover().unwrap());
    }

    #[test]
    fn git_locks_left_by_a_crash_are_removed_only_once_the_journal_claims_them() {
        let (_dir, git, old, journal) = scene();
        let index_lock = git.git_dir().join("index.lock");
        run_steps(&git, &journal, old, 2);
        fs::write(&index_lock, b"").unwrap();
        git.recover().unwrap();
        assert!(
            index_lock.exists(),
            "not the import's: another git command's"
        );
        fs::remove_file(&index_lock).unwrap();
        run_steps(&git, &journal, old, 4);
        let branch_lock = git.git_dir().join(format!("{}.lock", journal.branch));
        fs::write(&index_lock, b"").unwrap();
        fs::write(&branch_lock, b"").unwrap();
        git.recover().unwrap();
        assert!(!index_lock.exists() && !branch_lock.exists());
    }

    #[test]
    fn a_journal_naming_a_path_outside_the_data_folders_is_refused() {
        let (dir, git, old, mut journal) = scene();
        journal.removes.push("../outside.txt".to_string());
        run_steps(&git, &journal, old, 1);
        git.write_journal(&journal).unwrap();
        let said = git.recover().unwrap_err().to_string();
        assert!(said.contains("not trustworthy"), "{said}");
        assert!(
            git.work_dir().join("journal.json").exists(),
            "left to look at"
        );
        assert_eq!(work_tree(dir.path()), owned(&OLD));
    }

    #[test]
    fn only_empty_files_named_like_a_probe_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("parsed/physiotherapy");
        fs::create_dir_all(&folder).unwrap();
        let probe = folder.join(format!("{PROBE_PREFIX}4194305"));
        let full = folder.join(format!("{PROBE_PREFIX}4194306"));
        let named = folder.join(format!("{PROBE_PREFIX}x"));
        fs::write(&probe, b"").unwrap();
        fs::write(&full, b"data").unwrap();
        fs::write(&named, b"").unwrap();
        remove_stale_probes(dir.path()).unwrap();
        assert!(!probe.exists());
        assert!(full.exists() && named.exists());
    }

    /// The one failure that is a moved branch: libgit2 says the reference
    /// no longer holds the value the import started from (`Modified`).
    #[test]
    fn only_a_stale_branch_is_called_moved() {
        let (_dir, git) = testing::repo();
        let first = testing::commit(&git, None, &[]);
        let second = testing::commit(&git, Some(first), &[]);
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
