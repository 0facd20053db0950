//! Many documents at once: folders expanded, documents read and parsed on
//! every core, results kept in the order they were given.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::Error;
use crate::pipeline::{self, Processed};
use crate::source::{self, ReadOptions};
use crate::validate::convention::Tables;

/// The documents named by files and folders, and what the folders held that
/// is not imported.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The documents to import: files named directly, as they are, then
    /// each folder's documents sorted by path; each file once.
    pub documents: Vec<PathBuf>,
    /// What the folders held that is not imported, sorted by path, with why.
    pub skipped: Vec<Skipped>,
}

/// An entry of a folder that an import passes over, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The path as the folder walk reached it.
    pub path: PathBuf,
    /// Why (`a FIFO, not a regular file`, `symlink loop`, ...).
    pub reason: String,
}

/// The documents named by files and folders. Folders are searched
/// recursively for `.pdf` and `.txt` documents and `.xml` NomenSoft
/// exports, following symlinks to files and to folders; hidden files and
/// folders (`.git`, `.DS_Store`) are passed over in silence, and everything
/// else that is not imported is returned as skipped, with why: another
/// extension, a FIFO, socket or device, a dangling symlink, a symlink loop,
/// a folder that cannot be read, and a document or folder reached a second
/// time (through a link: it is imported, or searched, once). Files named
/// directly are kept as they are (reading them says what is wrong), but
/// each file only once.
pub fn expand(paths: &[PathBuf]) -> Result<Expanded, Error> {
    let mut walk = Walk::default();
    for path in paths {
        if path.is_dir() {
            walk.root(path)?;
        } else {
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() => walk.document(path.clone(), identity(path, &meta)),
                _ => walk.out.documents.push(path.clone()),
            }
        }
    }
    walk.out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(walk.out)
}

fn is_document(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["pdf", "txt", "xml"]
            .iter()
            .any(|d| e.eq_ignore_ascii_case(d))
    })
}

/// What identifies a file or folder however it is reached: its device and
/// inode (on other systems, its canonical path).
#[cfg(unix)]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity(u64, u64);
#[cfg(not(unix))]
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity(PathBuf);

#[cfg(unix)]
fn identity(_path: &Path, meta: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt;
    Identity(meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &std::fs::Metadata) -> Identity {
    Identity(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// A walk through folders: what it found, and what it has seen.
#[derive(Default)]
struct Walk {
    out: Expanded,
    /// Every folder searched, with the path it was first reached by.
    folders: Vec<(Identity, PathBuf)>,
    /// Every document kept, with its path.
    files: Vec<(Identity, PathBuf)>,
}

impl Walk {
    /// Keeps a document, unless the same file was kept already.
    fn document(&mut self, path: PathBuf, id: Identity) {
        match self.files.iter().find(|(seen, _)| *seen == id) {
            Some((_, first)) => {
                let reason = format!("the same file as {}, imported once", first.display());
                self.skip(path, reason);
            }
            None => {
                self.files.push((id, path.clone()));
                self.out.documents.push(path);
            }
        }
    }

    /// Searches a folder named on the command line (one that cannot be
    /// read stops the import); its documents are kept in path order.
    fn root(&mut self, dir: &Path) -> Result<(), Error> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        let id = identity(dir, &meta);
        if let Some(first) = self.searched(&id) {
            let reason = format!("the same folder as {}, searched once", first.display());
            self.skip(dir.to_path_buf(), reason);
            return Ok(());
        }
        self.folders.push((id.clone(), dir.to_path_buf()));
        let mut found = Vec::new();
        self.folder(dir, &mut vec![id], &mut found)?;
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (file, id) in found {
            self.document(file, id);
        }
        Ok(())
    }

    /// The path a folder was first searched by, if it was.
    fn searched(&self, id: &Identity) -> Option<PathBuf> {
        let seen = self.folders.iter().find(|(seen, _)| seen == id);
        seen.map(|(_, path)| path.clone())
    }

    fn skip(&mut self, path: PathBuf, reason: impl Into<String>) {
        let reason = reason.into();
        self.out.skipped.push(Skipped { path, reason });
    }

    /// Searches `dir` (reached through `ancestors`, itself last), entries
    /// in name order so that "reached first" does not depend on the file
    /// system; the documents found go to `found`, with their identity.
    fn folder(
        &mut self,
        dir: &Path,
        ancestors: &mut Vec<Identity>,
        found: &mut Vec<(PathBuf, Identity)>,
    ) -> Result<(), Error> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            // Hidden files and folders (`.git`, `.DS_Store`) are no documents.
            if !entry.file_name().to_string_lossy().starts_with('.') {
                entries.push(entry.path());
            }
        }
        entries.sort();
        for path in entries {
            self.entry(path, ancestors, found);
        }
        Ok(())
    }

    /// One entry of a folder: followed if it is a link, then searched (a
    /// folder), found (a document) or skipped.
    fn entry(
        &mut self,
        path: PathBuf,
        ancestors: &mut Vec<Identity>,
        found: &mut Vec<(PathBuf, Identity)>,
    ) {
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) => return self.skip(path, unfollowable(&e)),
        };
        let id = identity(&path, &meta);
        if meta.is_dir() {
            if let Some(at) = ancestors.iter().position(|a| *a == id) {
                let back = path.ancestors().nth(ancestors.len() - at).unwrap_or(&path);
                let reason = format!("symlink loop (leads back to {})", back.display());
                return self.skip(path, reason);
            }
            if let Some(first) = self.searched(&id) {
                let reason = format!("the same folder as {}, searched once", first.display());
                return self.skip(path, reason);
            }
            self.folders.push((id.clone(), path.clone()));
            ancestors.push(id);
            if let Err(e) = self.folder(&path, ancestors, found) {
                self.skip(path, format!("cannot be read: {}", io_reason(&e)));
            }
            ancestors.pop();
        } else if !meta.is_file() {
            self.skip(path, format!("{}, not a regular file", kind_of(&meta)));
        } else if !is_document(&path) {
            let reason = "not a .pdf or .txt document, nor an .xml NomenSoft export";
            self.skip(path, reason);
        } else {
            found.push((path, id));
        }
    }
}

/// Why a path cannot be followed to a file or folder.
fn unfollowable(e: &std::io::Error) -> String {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return "symlink loop".into();
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "a symlink whose target does not exist".into(),
        _ => format!("cannot be read: {e}"),
    }
}

/// What the operating system said, without the path [`Error::Io`] repeats.
fn io_reason(e: &Error) -> String {
    match e {
        Error::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// `a FIFO`, `a socket`, `a device`: what a file that is not regular is.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

/// Reads, parses and validates every document, on all cores; `progress` is
/// called once per document done. The first error (a document that cannot
/// be read at all) stops the batch: no new document is started, and the
/// error of the first such document in the order of `files` is returned.
/// Otherwise the results are in the order of `files`.
pub fn process(
    files: &[PathBuf],
    options: &ReadOptions,
    tables: &Tables,
    progress: &(dyn Fn(&Path) + Sync),
) -> Result<Vec<Processed>, Error> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<Processed, Error>>>> =
        Mutex::new((0..files.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let done =
                    source::read(file, options).and_then(|doc| pipeline::process_with(doc, tables));
                if done.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                progress(file);
                results.lock().expect("no worker panics holding it")[i] = Some(done);
            });
        }
    });
    // Documents after a failure may not have been started (`None`).
    results
        .into_inner()
        .expect("the workers are done")
        .into_iter()
        .flatten()
        .collect()
}
