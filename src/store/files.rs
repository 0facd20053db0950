//! The files of a data repository on disk ([`DataRepo`]: `sources/`,
//! `parsed/`, `schema/`), read and written without git.
//!
//! Writes are atomic per file: each file is written to a temporary name in
//! its destination folder, flushed, then renamed over the target, so a reader
//! never sees half a snapshot. All temporaries of one import are written
//! before the first rename, so a failure while writing leaves no target touched.
//! Every path written is checked first ([`safe_target`]).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::layout::{PARSED_DIR, SOURCES_DIR};

/// A file to place in the repository.
#[derive(Debug, Clone)]
pub struct FileWrite {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The bytes to write.
    pub bytes: Vec<u8>,
}

/// A data repository: a folder with `sources/` and `parsed/`.
#[derive(Debug, Clone)]
pub struct DataRepo {
    root: PathBuf,
    /// Files committed by the import under way that the work tree does not
    /// show yet (`None`: removed); reads see them (see [`DataRepo::pend`]).
    pending: BTreeMap<String, Option<Vec<u8>>>,
}

impl DataRepo {
    /// Opens the repository at `root`, which must be an existing folder.
    pub fn open(root: &Path) -> Result<DataRepo, Error> {
        if !root.is_dir() {
            return Err(Error::repository(root, "not a folder"));
        }
        Ok(DataRepo {
            root: root.to_path_buf(),
            pending: BTreeMap::new(),
        })
    }

    /// The repository's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of a repository-relative path.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Records files as written or removed before the work tree shows it:
    /// an import commits documents one after another and updates the work
    /// tree once at the end, and each commit's message is made against the
    /// ones before.
    pub fn pend<'w>(
        &mut self,
        writes: impl IntoIterator<Item = &'w FileWrite>,
        removes: &[String],
    ) {
        for write in writes {
            self.pending
                .insert(write.path.clone(), Some(write.bytes.clone()));
        }
        for path in removes {
            self.pending.insert(path.clone(), None);
        }
    }

    /// The bytes of a file the import under way has committed but not yet
    /// written to the work tree (see [`DataRepo::pend`]).
    pub fn pending(&self, relative: &str) -> Option<&[u8]> {
        self.pending.get(relative)?.as_deref()
    }

    /// The current bytes of a repository file, if it exists.
    pub fn read(&self, relative: &str) -> Result<Option<Vec<u8>>, Error> {
        if let Some(pending) = self.pending.get(relative) {
            return Ok(pending.clone());
        }
        let path = self.path(relative);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Writes the files whose content differs; returns the paths written.
    pub fn write_files(&self, files: &[FileWrite]) -> Result<Vec<String>, Error> {
        // Every target checked before anything is written.
        let targets = files
            .iter()
            .map(|f| safe_target(&self.root, &f.path))
            .collect::<Result<Vec<_>, _>>()?;
        let mut pending = Vec::new();
        for (file, target) in files.iter().zip(targets) {
            if self.read(&file.path)?.as_deref() == Some(&file.bytes[..]) {
                continue;
            }
            match write_temporary(&target, &file.bytes) {
                Ok(temp) => pending.push((temp, target, file.path.clone())),
                Err(e) => {
                    for (temp, _, _) in &pending {
                        let _ = fs::remove_file(temp);
                    }
                    return Err(e);
                }
            }
        }
        let mut written = Vec::new();
        for (temp, target, relative) in pending {
            fs::rename(&temp, &target).map_err(|e| Error::io(&target, e))?;
            written.push(relative);
        }
        Ok(written)
    }

    /// Every snapshot under `parsed/`, sorted.
    pub fn snapshots(&self) -> Result<Vec<PathBuf>, Error> {
        self.files_under(PARSED_DIR, |p| p.extension().is_some_and(|e| e == "yaml"))
    }

    /// Every stored source under `sources/` (not READMEs), sorted.
    pub fn sources(&self) -> Result<Vec<PathBuf>, Error> {
        self.files_under(SOURCES_DIR, |p| {
            p.extension().is_some_and(|e| e == "txt" || e == "pdf")
        })
    }

    /// Every stored NomenSoft export (`sources/nomensoft/*.xml|json`), sorted.
    pub fn nomensoft_sources(&self) -> Result<Vec<PathBuf>, Error> {
        let dir = format!("{SOURCES_DIR}/{}", crate::layout::NOMENSOFT_DIR);
        self.files_under(&dir, |p| {
            p.extension().is_some_and(|e| e == "xml" || e == "json")
        })
    }

    fn files_under(&self, dir: &str, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, Error> {
        let mut found = Vec::new();
        let mut stack = vec![self.root.join(dir)];
        while let Some(dir) = stack.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(&dir, e)),
            };
            for entry in entries {
                let path = entry.map_err(|e| Error::io(&dir, e))?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if keep(&path) {
                    found.push(path);
                }
            }
        }
        if self.pending.is_empty() {
            found.sort();
            return Ok(found);
        }
        let mut found: std::collections::BTreeSet<PathBuf> = found.into_iter().collect();
        let prefix = format!("{dir}/");
        for (relative, content) in &self.pending {
            let path = self.root.join(relative);
            match content {
                Some(_) if relative.starts_with(&prefix) && keep(&path) => {
                    found.insert(path);
                }
                None => {
                    found.remove(&path);
                }
                Some(_) => {}
            }
        }
        Ok(found.into_iter().collect())
    }

    /// A path relative to the repository root, with `/` separators (paths
    /// outside the repository are shown as given).
    pub fn relative(&self, path: &Path) -> String {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return path.display().to_string();
        };
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The folders of a data repository that `tariffs` writes into.
pub const WRITABLE_DIRS: [&str; 3] = [SOURCES_DIR, PARSED_DIR, "schema"];

/// Where a repository-relative path to be written or removed lands, checked:
/// a plain path (no `..`, not absolute) under one of [`WRITABLE_DIRS`], no
/// folder on the way (the data folders included) a symlink, and the file
/// itself not a symlink. A symlinked `parsed/` committed by someone else
/// would otherwise make an import write outside the repository.
pub fn safe_target(root: &Path, relative: &str) -> Result<PathBuf, Error> {
    let refuse =
        |why: &str| Error::repository(root, format!("refusing to write `{relative}`: {why}"));
    let path = Path::new(relative);
    let plain = !relative.is_empty()
        && !relative.contains('\0')
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Err(refuse("not a plain path below the repository"));
    }
    if !WRITABLE_DIRS.iter().any(|d| path.starts_with(d)) || path.components().count() < 2 {
        return Err(refuse("not under sources/, parsed/ or schema/"));
    }
    let mut here = root.to_path_buf();
    for component in path.components() {
        here.push(component);
        match fs::symlink_metadata(&here) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse(&format!(
                    "{} is a symlink; tariffs never writes through one (replace it with a folder)",
                    here.display()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(Error::io(&here, e)),
        }
    }
    Ok(root.join(path))
}

/// Writes `bytes` next to `target` under a temporary name and syncs it.
fn write_temporary(target: &Path, bytes: &[u8]) -> Result<PathBuf, Error> {
    let dir = target.parent().expect("repository paths have a folder");
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = target.file_name().expect("repository paths name a file");
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    write_synced(&temp, bytes)?;
    Ok(temp)
}

/// Creates (or truncates) `path`, writes `bytes` and flushes them to disk.
pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::file;

    #[test]
    fn only_plain_paths_under_the_data_folders_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            safe_target(root, "parsed/p/a.yaml").unwrap(),
            root.join("parsed/p/a.yaml")
        );
        for bad in [
            "",
            "parsed",
            "../parsed/a.yaml",
            "/etc/passwd",
            "notes/a.txt",
            "parsed/../x",
        ] {
            assert!(safe_target(root, bad).is_err(), "{bad:?}");
        }
        #[cfg(unix)]
        {
            let elsewhere = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(elsewhere.path(), root.join("sources")).unwrap();
            let said = safe_target(root, "sources/p/a.txt")
                .unwrap_err()
                .to_string();
            assert!(said.contains("is a symlink"), "{said}");
        }
    }

    #[test]
    fn only_changed_files_are_written_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let repo = DataRepo::open(dir.path()).unwrap();
        let first = [file("parsed/p/a.yaml", "a"), file("parsed/p/b.yaml", "b")];
        assert_eq!(
            repo.write_files(&first).unwrap(),
            ["parsed/p/a.yaml", "parsed/p/b.yaml"]
        );
        let second = [file("parsed/p/a.yaml", "a"), file("parsed/p/b.yaml", "B")];
        assert_eq!(repo.write_files(&second).unwrap(), ["parsed/p/b.yaml"]);
        assert_eq!(repo.read("parsed/p/b.yaml").unwrap().unwrap(), b"B");
        let names: Vec<_> = fs::read_dir(dir.path().join("parsed/p"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn pending_files_are_read_and_listed_before_the_work_tree_shows_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut repo = DataRepo::open(dir.path()).unwrap();
        repo.write_files(&[file("parsed/p/old.yaml", "old")])
            .unwrap();
        repo.pend(
            &[file("parsed/p/new.yaml", "new")],
            &["parsed/p/old.yaml".to_string()],
        );
        assert_eq!(repo.read("parsed/p/new.yaml").unwrap().unwrap(), b"new");
        assert_eq!(repo.read("parsed/p/old.yaml").unwrap(), None);
        let listed: Vec<String> = repo
            .snapshots()
            .unwrap()
            .iter()
            .map(|p| repo.relative(p))
            .collect();
        assert_eq!(listed, ["parsed/p/new.yaml"]);
    }
}
