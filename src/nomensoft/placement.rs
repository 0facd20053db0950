//! What importing a NomenSoft export does to a data repository: read it,
//! check it, and place it against the snapshot in place (as
//! [`crate::placement`] does for tables and conventions).

use std::path::{Path, PathBuf};

use super::crosscheck::CrossCheck;
use crate::canonical;
use crate::error::Error;
use crate::findings::Finding;
use crate::layout::{NOMENSOFT_DIR as DIR, PARSED_DIR, SOURCES_DIR};
use crate::model::Nomenclature;
use crate::source::{self, ReadOptions};
use crate::store::{DataRepo, FileWrite};

/// What happens to an export's snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportAction {
    /// A snapshot that did not exist.
    New,
    /// The same bytes again.
    AlreadyImported,
    /// Other values under the same key (the same codes and latest date):
    /// refused unless `replace`.
    Reissue {
        /// Whether the snapshot is replaced (`--replace`).
        replaced: bool,
    },
}

/// An export read, checked and placed.
#[derive(Debug, Clone)]
pub struct ExportPlacement {
    /// The file as given.
    pub file: PathBuf,
    /// The records, `source.file` naming the stored export.
    pub nomenclature: Nomenclature,
    /// Findings of the reader and of the cross-check.
    pub findings: Vec<Finding>,
    /// What the cross-check with the tariff tables compared (filled in by
    /// the import, which knows the tables it brings: see [`place`]).
    pub cross_check: CrossCheck,
    /// The action.
    pub action: ExportAction,
    /// The files to write (the export as given, and its snapshot).
    pub writes: Vec<FileWrite>,
    /// The snapshot's path.
    pub snapshot_path: String,
}

impl ExportPlacement {
    /// Whether the import must stop here.
    pub fn blocks(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
            || self.action == (ExportAction::Reissue { replaced: false })
    }

    /// One line for people.
    pub fn summary(&self) -> String {
        let what = format!(
            "{}: NomenSoft, {} fee records of {} codes; cross-check: {} codes compared with the tariff tables",
            self.file.display(),
            self.nomenclature.fees.len(),
            codes(&self.nomenclature),
            self.cross_check.codes_compared
        );
        if self.findings.iter().any(Finding::is_error) {
            return what;
        }
        let action = match self.action {
            ExportAction::New => format!("new snapshot {}", self.snapshot_path),
            ExportAction::AlreadyImported => format!("{}: already imported", self.snapshot_path),
            ExportAction::Reissue { replaced: true } => {
                format!("{}: replaced (re-issue)", self.snapshot_path)
            }
            ExportAction::Reissue { replaced: false } => format!(
                "{}: holds other values for the same codes and date; import with --replace to replace it",
                self.snapshot_path
            ),
        };
        format!("{what}\n{action}")
    }
}

fn codes(n: &Nomenclature) -> usize {
    let mut codes: Vec<_> = n.fees.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    codes.len()
}

/// Reads an export and places it against `repo`. The cross-check with the
/// tariff tables is left to the caller: it compares against the tables the
/// whole import produces, which include the tables it brings.
pub fn place(
    path: &Path,
    options: &ReadOptions,
    repo: Option<&DataRepo>,
    replace: bool,
) -> Result<ExportPlacement, Error> {
    let bytes = source::read_bytes(path, options)?;
    let ProcessedExport {
        nomenclature,
        mut findings,
        source_path,
        snapshot_path,
        yaml,
    } = process(path, &bytes)?;
    // Nothing is stored yet: findings cite the export as given.
    let given = path.display().to_string();
    for f in &mut findings {
        if *f.location.file == *source_path {
            f.location.file = given.as_str().into();
        }
    }
    let in_place = match repo {
        Some(repo) => repo.read(&snapshot_path)?,
        None => None,
    };
    let action = match in_place {
        None => ExportAction::New,
        Some(old) if old == yaml.as_bytes() => ExportAction::AlreadyImported,
        Some(_) => ExportAction::Reissue { replaced: replace },
    };
    Ok(ExportPlacement {
        file: path.to_path_buf(),
        nomenclature,
        findings,
        cross_check: CrossCheck::default(),
        action,
        writes: vec![
            FileWrite {
                path: source_path.clone(),
                bytes,
            },
            FileWrite {
                path: snapshot_path.clone(),
                bytes: yaml.into_bytes(),
            },
        ],
        snapshot_path,
    })
}

/// An export processed: its records and findings, where it is filed in a
/// data repository, and its snapshot's YAML (what [`crate::pipeline::Processed`]
/// is for a table or a convention).
#[derive(Debug, Clone)]
pub struct ProcessedExport {
    /// The records, `source.file` naming the stored export.
    pub nomenclature: Nomenclature,
    /// The reader's findings, citing the stored export.
    pub findings: Vec<Finding>,
    /// `sources/nomensoft/<key>.<xml|json>`.
    pub source_path: String,
    /// `parsed/nomensoft/<key>.yaml`.
    pub snapshot_path: String,
    /// The canonical YAML of the snapshot.
    pub yaml: String,
}

/// What an export's bytes become in a data repository: where they are
/// stored, and the snapshot (import and rebuild share this).
pub fn process(path: &Path, bytes: &[u8]) -> Result<ProcessedExport, Error> {
    let sha = source::sha256_hex(bytes);
    let read = super::read(path, bytes, &sha)?;
    let mut nomenclature = read.nomenclature;
    let key = super::key(&nomenclature).ok_or_else(|| no_record(path, &read.findings))?;
    let source_path = format!("{SOURCES_DIR}/{DIR}/{key}.{}", nomenclature.source.format);
    let snapshot_path = format!("{PARSED_DIR}/{DIR}/{key}.yaml");
    // Findings cite the export as it is stored.
    let given = path.display().to_string();
    let findings = read
        .findings
        .into_iter()
        .map(|mut f| {
            if *f.location.file == *given {
                f.location.file = source_path.as_str().into();
            }
            f
        })
        .collect();
    nomenclature.source.file = source_path.clone();
    let yaml = canonical::nomensoft_to_yaml(&nomenclature);
    Ok(ProcessedExport {
        nomenclature,
        findings,
        source_path,
        snapshot_path,
        yaml,
    })
}

/// No record could be read: there is nothing to store, and the findings
/// that say why are the error's reason (`line 3: …`).
fn no_record(path: &Path, findings: &[Finding]) -> Error {
    let why: Vec<String> = findings
        .iter()
        .filter(|f| f.is_error())
        .map(|f| match f.location.line {
            Some(line) => format!("line {line}: {}", f.message),
            None => f.message.to_string(),
        })
        .collect();
    let reason = match why.as_slice() {
        [] => "no fee record could be read".to_string(),
        [first, rest @ ..] if rest.len() > 2 => format!(
            "no fee record could be read: {first}; … and {} more",
            rest.len()
        ),
        all => format!("no fee record could be read: {}", all.join("; ")),
    };
    Error::UnknownDocument {
        path: path.to_path_buf(),
        reason,
    }
}
