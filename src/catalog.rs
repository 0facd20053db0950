//! The snapshots of a data repository: list them, load them, and compose the
//! state of a profession at a date (the rule is in [`crate::state`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::canonical;
use crate::error::Error;
use crate::layout::{DocumentId, DocumentKind};
use crate::model::{Convention, Nomenclature, Snapshot, TariffTable};
use crate::state::{Field, Origin, State, Statement, Value};
use crate::store::DataRepo;

/// A snapshot file in the work tree, known by its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef {
    /// Repository-relative path.
    pub path: String,
    /// Profession, kind and effective date, read from the path.
    pub id: DocumentId,
}

/// What a snapshot states on its own: a table's rows; for a convention,
/// every dated statement applied in date order (its state at the end of its
/// period). `label` names the snapshot in the origins (a path or `REV:path`).
pub fn state_of(snapshot: &Snapshot, label: &str) -> State {
    match snapshot {
        Snapshot::Tariff(t) => State::from_table(t, label),
        Snapshot::Convention(c) => {
            let mut state = State::default();
            for statement in convention_statements(c, label) {
                state.apply_statement(&statement);
            }
            state
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
        return canonical::read_snapshot_bytes(&snapshot.path, bytes);
    }
    let path = repo.path(&snapshot.path);
    let text = canonical::bounds::read_file(&path)?;
    canonical::read_snapshot(&snapshot.path, &text)
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
            state_of(&load(repo, base)?, &base.path),
            vec![base.path.clone()],
            Some(base.id.effective_from),
        ),
        None => (State::default(), Vec::new(), None),
    };
    // Conventions that may hold statements dated after the base and up to the date.
    let mut statements = Vec::new();
    for snapshot in snapshots.iter().filter(|s| {
        s.id.profession == profession
            && s.id.kind == DocumentKind::Convention
            && s.id.effective_from <= date
    }) {
        let Snapshot::Convention(c) = load(repo, snapshot)? else {
            continue;
        };
        let before = statements.len();
        statements.extend(
            convention_statements(&c, &snapshot.path)
                .into_iter()
                .filter(|s| s.date <= date && base_date.is_none_or(|b| s.date > b)),
        );
        if statements.len() > before {
            used.push(snapshot.path.clone());
        }
    }
    // Stable: statements of one date keep their order in the document.
    statements.sort_by_key(|s| s.date);
    for statement in &statements {
        state.apply_statement(statement);
    }
    Ok((state, used))
}

/// Every date a state of `profession` starts: its snapshots' dates and its
/// conventions' statements'.
pub fn state_dates(
    repo: &DataRepo,
    snapshots: &[SnapshotRef],
    profession: &str,
) -> Result<BTreeSet<NaiveDate>, Error> {
    let mut dates = BTreeSet::new();
    for s in snapshots.iter().filter(|s| s.id.profession == profession) {
        dates.insert(s.id.effective_from);
        if let Snapshot::Convention(c) = load(repo, s)? {
            dates.extend(convention_statements(&c, &s.path).iter().map(|s| s.date));
        }
    }
    Ok(dates)
}

/// The dated statements of a convention, for the state: key values set
/// `key_letter` and `key_value`; stated fees and indemnity amounts set `fee`.
/// Statements without a date are left out: they are never applied.
pub fn convention_statements(c: &Convention, label: &str) -> Vec<Statement> {
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
    let mut statements = Vec::new();
    for list in &c.key_values {
        let Some(date) = list.effective_from else {
            continue;
        };
        let mut fields = vec![(Field::KeyValue, Value::Amount(list.value))];
        if let Some(letter) = list.key_letter {
            fields.insert(0, (Field::KeyLetter, Value::Letter(letter)));
        }
        statements.push(Statement {
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
        statements.push(Statement {
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
        statements.push(Statement {
            date,
            codes: indemnity.pseudocodes.clone(),
            fields,
            origin: origin(date, indemnity.source_line, indemnity.source_page),
        });
    }
    statements
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
pub fn nomensoft_exports(repo: &DataRepo) -> Result<Vec<(String, Nomenclature)>, Error> {
    let prefix = format!(
        "{}/{}/",
        crate::layout::PARSED_DIR,
        crate::layout::NOMENSOFT_DIR
    );
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
