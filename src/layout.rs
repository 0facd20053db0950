//! Where things live in a data repository.
//!
//! ```text
//! sources/<profession>/<effective_from>-<kind>.<lang>.<ext>   the document as published
//! parsed/<profession>/<effective_from>-<kind>.yaml            its canonical snapshot
//! sources/nomensoft/<key>.<xml|json>, parsed/nomensoft/<key>.yaml   a NomenSoft export
//! ```
//!
//! Both paths derive from the document's own metadata, so importing the same
//! document twice lands on the same files, and a re-issued table replaces the
//! snapshot of its date.

use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;

use crate::model::{Language, SourceFormat};

/// The folder of sources, relative to the data repository.
pub const SOURCES_DIR: &str = "sources";
/// The folder of snapshots, relative to the data repository.
pub const PARSED_DIR: &str = "parsed";
/// The folder of NomenSoft snapshots and sources (under `parsed/` and
/// `sources/`): NomenSoft covers every profession and names none.
pub const NOMENSOFT_DIR: &str = "nomensoft";

/// The families of documents the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocumentKind {
    /// A yearly tariff table: one row per code.
    Tariff,
    /// A convention: prose that sets key values and fees, with dates.
    Convention,
}

impl DocumentKind {
    /// The word used in file names and commit subjects.
    pub fn word(self) -> &'static str {
        match self {
            DocumentKind::Tariff => "tariff",
            DocumentKind::Convention => "convention",
        }
    }
}

/// The identity of a document in the repository: profession, kind and date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId {
    /// The profession, as the snapshot path names it (`physiotherapy`).
    pub profession: String,
    /// Table or convention.
    pub kind: DocumentKind,
    /// The date from which the document applies.
    pub effective_from: NaiveDate,
}

impl DocumentId {
    /// `sources/physiotherapy/2024-01-01-tariff.fr.txt`
    pub fn source_path(&self, language: Language, format: SourceFormat) -> String {
        format!(
            "{SOURCES_DIR}/{}/{}-{}.{}.{}",
            self.profession,
            self.effective_from,
            self.kind.word(),
            language.code(),
            format.extension()
        )
    }

    /// Reads a snapshot path back (`parsed/<profession>/<date>-<kind>.yaml`).
    pub fn from_snapshot_path(path: &str) -> Option<DocumentId> {
        let rest = path.strip_prefix(PARSED_DIR)?.strip_prefix('/')?;
        let (profession, file) = rest.split_once('/')?;
        let stem = file.strip_suffix(".yaml")?;
        let (date, kind) = (stem.get(..10)?, stem.get(11..)?);
        let kind = match kind {
            "tariff" => DocumentKind::Tariff,
            "convention" => DocumentKind::Convention,
            _ => return None,
        };
        Some(DocumentId {
            profession: profession.to_string(),
            kind,
            effective_from: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
        })
    }

    /// The stored-source path without language and extension
    /// (`sources/physiotherapy/2024-01-01-tariff.`): every source of this
    /// document starts with it, whatever its language or format.
    pub fn source_stem(&self) -> String {
        format!(
            "{SOURCES_DIR}/{}/{}-{}.",
            self.profession,
            self.effective_from,
            self.kind.word()
        )
    }

    /// `parsed/physiotherapy/2024-01-01-tariff.yaml`
    pub fn snapshot_path(&self) -> String {
        format!(
            "{PARSED_DIR}/{}/{}-{}.yaml",
            self.profession,
            self.effective_from,
            self.kind.word()
        )
    }
}

/// The file a repository-relative path read from a file (a snapshot's
/// `source.file`) names, or why it may not be read.
///
/// Such a path is data: `../../etc/passwd`, `/etc/passwd` or a path through
/// a symlink to a folder outside would make the tool read, and print, a file
/// of someone else's. Only plain names below the root are accepted, and an
/// existing file must still be inside the root once every symlink is
/// resolved; the path returned is that resolved one. A path naming nothing
/// is returned as it is: reading it says it is missing.
pub fn inside(root: &Path, relative: &str) -> Result<PathBuf, &'static str> {
    let path = Path::new(relative);
    if relative.is_empty() || relative.contains('\0') {
        return Err("is empty or holds a NUL byte");
    }
    if path.is_absolute() || path.has_root() {
        return Err("is an absolute path");
    }
    if !path.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err("is not a plain path below the repository (`..` or `.`)");
    }
    let joined = root.join(path);
    if std::fs::symlink_metadata(&joined).is_err() {
        return Ok(joined);
    }
    let outside = "leads outside the repository through a symlink";
    let root = std::fs::canonicalize(root).map_err(|_| outside)?;
    let resolved = std::fs::canonicalize(&joined).map_err(|_| outside)?;
    if resolved.starts_with(&root) {
        Ok(resolved)
    } else {
        Err(outside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_read_from_a_file_stays_inside_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let inside_file = root.join("sources/a.txt");
        std::fs::create_dir_all(inside_file.parent().unwrap()).unwrap();
        std::fs::write(&inside_file, "a").unwrap();
        assert!(inside(&root, "sources/a.txt").is_ok());
        assert!(inside(&root, "sources/missing.txt").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "sources/../../x",
            "./sources/a.txt",
            "a\0b",
        ] {
            assert!(inside(&root, bad).is_err(), "{bad:?}");
        }
        #[cfg(unix)]
        {
            let outside = dir.path().join("outside");
            std::fs::create_dir_all(&outside).unwrap();
            std::fs::write(outside.join("secret.txt"), "s").unwrap();
            std::os::unix::fs::symlink(&outside, root.join("sources/link")).unwrap();
            assert!(inside(&root, "sources/link/secret.txt").is_err());
            std::os::unix::fs::symlink(&inside_file, root.join("sources/b.txt")).unwrap();
            assert!(inside(&root, "sources/b.txt").is_ok());
        }
    }

    #[test]
    fn paths_follow_the_documented_layout() {
        let id = DocumentId {
            profession: "physiotherapy".into(),
            kind: DocumentKind::Tariff,
            effective_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        };
        assert_eq!(
            id.source_path(Language::Fr, SourceFormat::Text),
            "sources/physiotherapy/2024-01-01-tariff.fr.txt"
        );
        assert_eq!(
            id.snapshot_path(),
            "parsed/physiotherapy/2024-01-01-tariff.yaml"
        );
    }
}
