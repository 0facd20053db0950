//! The work tree and git's index around a commit: the new files staged in
//! temporary files, then renamed into place (or rewritten from the commit's
//! blobs), the removed ones deleted, and the index made to name the
//! commit's blobs; and the check that nothing under the data folders is
//! uncommitted ([`GitRepo::dirty_paths`]).
//!
//! The order these steps run in, and what makes them crash-safe, is the
//! journal's (`super::journal`).

use std::fs;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, IndexEntry, IndexTime, Oid};

use super::files::{safe_target, write_synced};
use super::git::GitRepo;
use crate::error::Error;

impl GitRepo {
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

    /// Renames each staged temporary (see [`stage_temporaries`]) over its
    /// path of `writes`, in order, making the folders on the way.
    pub(super) fn place_staged(&self, temps: &[PathBuf], writes: &[String]) -> Result<(), Error> {
        for (temp, path) in temps.iter().zip(writes) {
            let target = safe_target(&self.root, path)?;
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            fs::rename(temp, &target).map_err(|e| Error::io(&target, e))?;
        }
        Ok(())
    }

    /// Writes each of `writes` from its blob in `commit`, through a
    /// temporary file in `work` (when the staged temporaries are lost).
    pub(super) fn restore(&self, commit: Oid, writes: &[String], work: &Path) -> Result<(), Error> {
        let tree = self.tree_of(commit)?;
        for path in writes {
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
        Ok(())
    }

    /// Removes the files at `removes` from the work tree (one already gone is
    /// no failure).
    pub(super) fn remove_files(&self, removes: &[String]) -> Result<(), Error> {
        for path in removes {
            let target = safe_target(&self.root, path)?;
            match fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&target, e)),
            }
        }
        Ok(())
    }

    /// Makes git's index name `commit`'s blob for each of `writes` (files the
    /// work tree holds already) and drop each of `removes`.
    pub(super) fn update_index(
        &self,
        commit: Oid,
        writes: &[String],
        removes: &[String],
    ) -> Result<(), Error> {
        let mut index = self.repo.index().map_err(|e| self.err(e))?;
        let tree = self.tree_of(commit)?;
        for path in writes {
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
        for path in removes {
            match index.remove_path(Path::new(path)) {
                Ok(()) => {}
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(self.err(e)),
            }
        }
        index.write().map_err(|e| self.err(e))
    }
}

/// Writes each new content to a temporary file inside `work` (in `.git/`).
///
/// They are renamed into place after the commit point; if that is
/// interrupted, `recover` rewrites every file from the commit's blobs, so
/// they need not survive a crash and are not flushed one by one. What must
/// be on disk before the commit point is the journal.
pub(super) fn stage_temporaries(
    work: &Path,
    contents: &[impl AsRef<[u8]>],
) -> Result<Vec<PathBuf>, Error> {
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

/// Writes `path` through a temporary sibling and a rename.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let temp = path.with_extension("partial");
    write_synced(&temp, bytes)?;
    fs::rename(&temp, path).map_err(|e| Error::io(path, e))
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

/// An index entry without stat data: for an index that only builds a tree
/// (`size` is the file's length).
pub(super) fn index_entry(path: &str, id: Oid, size: usize) -> IndexEntry {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    fn strings(paths: &[&str]) -> Vec<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn staged_files_are_renamed_into_place_and_indexed_clean() {
        let (dir, git) = testing::repo();
        let writes = strings(&["parsed/p/a.yaml", "sources/p/a.txt"]);
        let commit = testing::commit(&git, None, &[(&writes[0], "yaml"), (&writes[1], "text")]);
        testing::set_branch(&git, commit);
        let work = git.git_dir().join("staging");
        let temps = stage_temporaries(&work, &[b"yaml".as_slice(), b"text"]).unwrap();
        assert!(temps.iter().all(|t| t.starts_with(&work)));
        git.place_staged(&temps, &writes).unwrap();
        assert_eq!(fs::read(dir.path().join(&writes[0])).unwrap(), b"yaml");
        assert_eq!(fs::read(dir.path().join(&writes[1])).unwrap(), b"text");
        assert!(temps.iter().all(|t| !t.exists()), "renamed, not copied");
        git.update_index(commit, &writes, &[]).unwrap();
        assert_eq!(
            git.dirty_paths(&["parsed", "sources"]).unwrap(),
            Vec::<String>::new()
        );
        let tree = git.tree_of(commit).unwrap();
        let blob = |p: &str| tree.get_path(Path::new(p)).unwrap().id();
        let indexed: Vec<(String, Oid)> = writes.iter().map(|p| (p.clone(), blob(p))).collect();
        assert_eq!(testing::index(&git), indexed);
    }

    #[test]
    fn removed_files_leave_the_work_tree_and_the_index() {
        let (dir, git) = testing::repo();
        let one = testing::commit(
            &git,
            None,
            &[("parsed/a.yaml", "a"), ("parsed/b.yaml", "b")],
        );
        testing::check_out(&git, one);
        let two = testing::commit(&git, Some(one), &[("parsed/a.yaml", "a")]);
        testing::set_branch(&git, two);
        let removes = strings(&["parsed/b.yaml", "parsed/never-there.yaml"]);
        git.remove_files(&removes).unwrap();
        git.update_index(two, &[], &removes).unwrap();
        assert!(!dir.path().join("parsed/b.yaml").exists());
        assert_eq!(git.dirty_paths(&["parsed"]).unwrap(), Vec::<String>::new());
        let paths: Vec<String> = testing::index(&git).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["parsed/a.yaml"]);
    }

    #[test]
    fn a_restored_file_holds_its_blob_and_nothing_is_left_beside_it() {
        let (dir, git) = testing::repo();
        let commit = testing::commit(&git, None, &[("parsed/p/a.yaml", "from the commit")]);
        fs::create_dir_all(dir.path().join("parsed/p")).unwrap();
        fs::write(dir.path().join("parsed/p/a.yaml"), "half a fi").unwrap();
        let work = tempfile::tempdir().unwrap();
        git.restore(commit, &strings(&["parsed/p/a.yaml"]), work.path())
            .unwrap();
        let folder = dir.path().join("parsed/p");
        assert_eq!(fs::read(folder.join("a.yaml")).unwrap(), b"from the commit");
        assert_eq!(fs::read_dir(&folder).unwrap().count(), 1);
        assert_eq!(fs::read_dir(work.path()).unwrap().count(), 0);
    }

    #[test]
    fn uncommitted_changes_are_found_under_the_prefixes_only() {
        let (dir, git) = testing::repo();
        let commit = testing::commit(&git, None, &[("parsed/a.yaml", "a")]);
        testing::check_out(&git, commit);
        assert!(git.dirty_paths(&["parsed"]).unwrap().is_empty());
        fs::write(dir.path().join("parsed/a.yaml"), "changed").unwrap();
        fs::create_dir_all(dir.path().join("sources/p")).unwrap();
        fs::write(dir.path().join("sources/p/new.txt"), "new").unwrap();
        fs::write(dir.path().join("notes.txt"), "elsewhere").unwrap();
        assert_eq!(
            git.dirty_paths(&["sources", "parsed"]).unwrap(),
            ["parsed/a.yaml", "sources/p/new.txt"]
        );
    }
}
