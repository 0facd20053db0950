//! The snapshots of a data repository: list them, load them, and compose the
//! state of a profession at a date (the rule is in [`crate::state`]).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use crate::canonical;
use crate::error::Error;
use crate::layout::{DocumentId, DocumentKind};
use crate::model::TariffTable;
use crate::state::State;
use crate::store::DataRepo;

/// A snapshot file in the work tree, known by its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef {
    /// Repository-relative path.
    pub path: String,
    pub id: DocumentId,
}

/// A loaded snapshot of any family.
#[derive(Debug, Clone)]
pub enum Snapshot {
    Tariff(TariffTable),
}

impl Snapshot {
    /// Reads snapshot text; `label` names it in errors (a path or `REV:path`).
    pub fn from_yaml(label: &str, text: &str) -> Result<Snapshot, Error> {
        let path = Path::new(label);
        let schema = text
            .lines()
            .find_map(|l| l.strip_prefix("schema: "))
            .map(str::trim);
        match schema {
            Some(s) if s.starts_with("inami-tariffs/tariff/") => {
                Ok(Snapshot::Tariff(canonical::read_tariff(path, text)?))
            }
            other => Err(Error::BadSnapshot {
                path: path.to_path_buf(),
                reason: format!(
                    "unknown schema {}: expected inami-tariffs/tariff/1",
                    other.map_or("(none)".to_string(), |s| format!("`{s}`"))
                ),
            }),
        }
    }

    /// Reads bytes (from a file or a git blob).
    pub fn from_bytes(label: &str, bytes: &[u8]) -> Result<Snapshot, Error> {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::BadSnapshot {
            path: label.into(),
            reason: "not UTF-8".into(),
        })?;
        Snapshot::from_yaml(label, text)
    }

    pub fn effective_from(&self) -> NaiveDate {
        match self {
            Snapshot::Tariff(t) => t.effective_from,
        }
    }

    pub fn profession(&self) -> &str {
        match self {
            Snapshot::Tariff(t) => &t.profession,
        }
    }

    /// What this snapshot states on its own.
    pub fn state(&self, label: &str) -> State {
        match self {
            Snapshot::Tariff(t) => State::from_table(t, label),
        }
    }
}

/// The snapshots under `parsed/` whose names follow the layout, sorted by path.
pub fn list(repo: &DataRepo) -> Result<Vec<SnapshotRef>, Error> {
    Ok(repo
        .snapshots()?
        .iter()
        .filter_map(|p| {
            let path = repo.relative(p);
            let id = DocumentId::from_snapshot_path(&path)?;
            Some(SnapshotRef { path, id })
        })
        .collect())
}

/// Loads one snapshot of the work tree.
pub fn load(repo: &DataRepo, snapshot: &SnapshotRef) -> Result<Snapshot, Error> {
    let path = repo.path(&snapshot.path);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    Snapshot::from_bytes(&snapshot.path, &bytes)
}

/// The professions that have snapshots.
pub fn professions(snapshots: &[SnapshotRef]) -> BTreeSet<String> {
    snapshots.iter().map(|s| s.id.profession.clone()).collect()
}

/// The profession to work on: the one asked for, or the only one there is.
pub fn pick_profession(snapshots: &[SnapshotRef], asked: Option<&str>) -> Result<String, Error> {
    let known = professions(snapshots);
    match asked {
        Some(p) if known.contains(p) => Ok(p.to_string()),
        Some(p) => Err(Error::Usage(format!(
            "no snapshots for profession `{p}` (there are: {})",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ))),
        None if known.len() == 1 => Ok(known.into_iter().next().expect("one")),
        None if known.is_empty() => Err(Error::Usage("no snapshots under parsed/".into())),
        None => Err(Error::Usage(format!(
            "several professions have snapshots ({}): say which with --profession",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The state of `profession` at `date`, and the snapshots it was made from.
pub fn state_at(
    repo: &DataRepo,
    snapshots: &[SnapshotRef],
    profession: &str,
    date: NaiveDate,
) -> Result<(State, Vec<String>), Error> {
    let base = snapshots
        .iter()
        .filter(|s| s.id.profession == profession && s.id.kind == DocumentKind::Tariff)
        .filter(|s| s.id.effective_from <= date)
        .max_by_key(|s| s.id.effective_from);
    let Some(base) = base else {
        return Ok((State::default(), Vec::new()));
    };
    let state = load(repo, base)?.state(&base.path);
    Ok((state, vec![base.path.clone()]))
}
