//! Many documents at once: folders expanded, documents read and parsed on
//! every core, results kept in the order they were given.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::Error;
use crate::pipeline::{self, Processed};
use crate::source::{self, ReadOptions};
use crate::validate::convention::Tables;

/// The documents named by files and folders: folders are searched
/// recursively for `.pdf` and `.txt` documents and `.xml` NomenSoft exports (sorted by path); anything else
/// found there is returned as skipped. Files named directly are kept as they are.
pub fn expand(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let mut documents = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort();
            for f in found {
                if is_document(&f) {
                    documents.push(f);
                } else {
                    skipped.push(f);
                }
            }
        } else {
            documents.push(path.clone());
        }
    }
    Ok((documents, skipped))
}

fn is_document(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["pdf", "txt", "xml"]
            .iter()
            .any(|d| e.eq_ignore_ascii_case(d))
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        // Hidden files and folders (`.git`, `.DS_Store`) are no documents.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() {
            out.push(path);
        }
    }
    Ok(())
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
