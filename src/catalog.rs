//! The snapshots of a data repository: list them, load them, and compose the
//! state of a profession at a date (the rule is in [`crate::state`]).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use crate::canonical;
use crate::error::Error;
use crate::layout::{DocumentId, DocumentKind};
use crate::model::TariffTable;
use std::sync::Arc;

use crate::model::Convention;
use crate::parse::ParsedDocument;
use crate::state::{Entry, Field, Origin, State, Value};
use crate::store::DataRepo;

/// A snapshot file in the work tree, known by its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef {
    /// Repository-relative path.
    pub path: String,
    /// Profession, kind and effective date, read from the path.
    pub id: DocumentId,
}

/// A loaded snapshot of any family.
#[derive(Debug, Clone)]
pub enum Snapshot {
    /// A tariff table snapshot.
    Tariff(TariffTable),
    /// A convention snapshot.
    Convention(Convention),
}

impl Snapshot {
    /// Reads snapshot text; `label` names it in errors (a path or `REV:path`).
    pub fn from_yaml(label: &str, text: &str) -> Result<Snapshot, Error> {
        let path = Path::new(label);
        match canonical::declared_schema(text) {
            Some(s) if s.starts_with("inami-tariffs/tariff/") => {
                Ok(Snapshot::Tariff(canonical::read_tariff(path, text)?))
            }
            Some(s) if s.starts_with("inami-tariffs/convention/") => {
                canonical::bounds::check(path, text)?;
                let convention = serde_yaml::from_str(text).map_err(|e| Error::BadSnapshot {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
                Ok(Snapshot::Convention(convention))
            }
            other => Err(Error::BadSnapshot {
                path: path.to_path_buf(),
                reason: format!(
                    "unknown schema {}: expected inami-tariffs/tariff/1 or inami-tariffs/convention/1",
                    other.map_or("(none)".to_string(), |s| format!("`{s}`"))
                ),
            }),
        }
    }

    /// Reads bytes (from a file or a git blob).
    pub fn from_bytes(label: &str, bytes: &[u8]) -> Result<Snapshot, Error> {
        canonical::bounds::check_size(Path::new(label), bytes.len() as u64)?;
        let text = std::str::from_utf8(bytes).map_err(|_| Error::BadSnapshot {
            path: label.into(),
            reason: "not UTF-8".into(),
        })?;
        Snapshot::from_yaml(label, text)
    }

    /// The snapshot a freshly parsed document makes.
    pub fn from_parsed(parsed: &ParsedDocument) -> Snapshot {
        match parsed {
            ParsedDocument::Tariff(t) => Snapshot::Tariff(t.table.clone()),
            ParsedDocument::Convention(c) => Snapshot::Convention(c.convention.clone()),
        }
    }

    /// The date from which the snapshot's document applies.
    pub fn effective_from(&self) -> NaiveDate {
        match self {
            Snapshot::Tariff(t) => t.effective_from,
            Snapshot::Convention(c) => c.effective_from,
        }
    }

    /// The profession the snapshot's document is about (`physiotherapy`).
    pub fn profession(&self) -> &str {
        match self {
            Snapshot::Tariff(t) => &t.profession,
            Snapshot::Convention(c) => &c.profession,
        }
    }

    /// What this snapshot states on its own: for a convention, every dated
    /// entry applied in date order (its state at the end of its period).
    pub fn state(&self, label: &str) -> State {
        match self {
            Snapshot::Tariff(t) => State::from_table(t, label),
            Snapshot::Convention(c) => {
                let mut state = State::default();
                for entry in convention_entries(c, label) {
                    state.apply_entry(&entry);
                }
                state
            }
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
    if let Some(bytes) = repo.pending(&snapshot.path) {
        return Snapshot::from_bytes(&snapshot.path, bytes);
    }
    let path = repo.path(&snapshot.path);
    let text = canonical::bounds::read_file(&path)?;
    Snapshot::from_yaml(&snapshot.path, &text)
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
    let (mut state, mut used, base_date) = match base {
        Some(base) => (
            load(repo, base)?.state(&base.path),
            vec![base.path.clone()],
            Some(base.id.effective_from),
        ),
        None => (State::default(), Vec::new(), None),
    };
    // Conventions that may hold entries dated after the base and up to the date.
    let mut entries = Vec::new();
    for snapshot in snapshots.iter().filter(|s| {
        s.id.profession == profession
            && s.id.kind == DocumentKind::Convention
            && s.id.effective_from <= date
    }) {
        let Snapshot::Convention(c) = load(repo, snapshot)? else {
            continue;
        };
        let before = entries.len();
        entries.extend(
            convention_entries(&c, &snapshot.path)
                .into_iter()
                .filter(|e| e.date <= date && base_date.is_none_or(|b| e.date > b)),
        );
        if entries.len() > before {
            used.push(snapshot.path.clone());
        }
    }
    // Stable: entries of one date keep their order in the document.
    entries.sort_by_key(|e| e.date);
    for entry in &entries {
        state.apply_entry(entry);
    }
    Ok((state, used))
}

/// The dated statements of a convention, as state entries: key values set
/// `key_letter` and `key_value`; stated fees and indemnity amounts set `fee`.
/// Statements without a date are left out: they are never applied.
pub fn convention_entries(c: &Convention, label: &str) -> Vec<Entry> {
    let source: Arc<str> = match label.split_once(':') {
        Some((rev, _)) => format!("{rev}:{}", c.source.file).into(),
        None => c.source.file.as_str().into(),
    };
    let snapshot: Arc<str> = label.into();
    let origin = |date: NaiveDate, line: usize, page: Option<u32>| Origin {
        snapshot: snapshot.clone(),
        source: source.clone(),
        effective_from: date,
        source_line: Some(line),
        source_page: page,
        commit: None,
    };
    let mut entries = Vec::new();
    for list in &c.key_values {
        let Some(date) = list.effective_from else {
            continue;
        };
        let mut fields = vec![(Field::KeyValue, Value::Amount(list.value))];
        if let Some(letter) = list.key_letter {
            fields.insert(0, (Field::KeyLetter, Value::Letter(letter)));
        }
        entries.push(Entry {
            date,
            codes: list.codes.clone(),
            fields,
            origin: origin(date, list.source_line, list.source_page),
        });
    }
    for fee in &c.stated_fees {
        let Some(date) = fee.effective_from else {
            continue;
        };
        let mut fields = vec![(Field::Fee, Value::Amount(fee.amount))];
        if let Some(rv) = fee.relative_value {
            fields.push((Field::RelativeValue, Value::Amount(rv)));
        }
        entries.push(Entry {
            date,
            codes: fee.codes.clone(),
            fields,
            origin: origin(date, fee.source_line, fee.source_page),
        });
    }
    for indemnity in &c.indemnities {
        let Some(date) = indemnity.effective_from else {
            continue;
        };
        let fields = vec![(Field::Fee, Value::Amount(indemnity.amount))];
        entries.push(Entry {
            date,
            codes: indemnity.pseudocodes.clone(),
            fields,
            origin: origin(date, indemnity.source_line, indemnity.source_page),
        });
    }
    entries
}

/// What the work tree's tariff tables say of each code, for convention checks.
pub fn tables(repo: &DataRepo) -> Result<crate::validate::convention::Tables, Error> {
    let tables = tariff_tables(repo)?;
    Ok(crate::validate::convention::Tables::from_tables(&tables))
}

/// Every tariff table of the work tree, oldest first.
pub fn tariff_tables(repo: &DataRepo) -> Result<Vec<TariffTable>, Error> {
    Ok(tariff_snapshots(repo)?
        .into_iter()
        .map(|(_, t)| t)
        .collect())
}

/// Every tariff table of the work tree with its snapshot's path, oldest first.
pub fn tariff_snapshots(repo: &DataRepo) -> Result<Vec<(String, TariffTable)>, Error> {
    let mut snapshots: Vec<SnapshotRef> = list(repo)?
        .into_iter()
        .filter(|s| s.id.kind == DocumentKind::Tariff)
        .collect();
    snapshots.sort_by_key(|s| s.id.effective_from);
    let mut tables = Vec::new();
    for s in snapshots {
        if let Snapshot::Tariff(t) = load(repo, &s)? {
            tables.push((s.path, t));
        }
    }
    Ok(tables)
}

/// Every NomenSoft snapshot of the work tree (`parsed/nomensoft/*.yaml`),
/// with its path, sorted by path.
pub fn nomensoft_exports(
    repo: &DataRepo,
) -> Result<Vec<(String, crate::nomensoft::Nomenclature)>, Error> {
    let prefix = format!("{}/{}/", crate::layout::PARSED_DIR, crate::nomensoft::DIR);
    let mut found = Vec::new();
    for path in repo.snapshots()? {
        let relative = repo.relative(&path);
        if !relative.starts_with(&prefix) {
            continue;
        }
        let text = canonical::bounds::read_file(&path)?;
        found.push((relative, canonical::read_nomensoft(&path, &text)?));
    }
    Ok(found)
}
