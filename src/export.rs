//! Exports for analysts: the state of a profession at a date, one record per
//! code, as CSV, JSON, JSON lines or SQLite.
//!
//! A record holds every field of the code's state (see [`crate::state`]),
//! the derived fee where the state has a key value and a relative value but
//! no stated fee, the personal shares (fee − intervention, both categories),
//! and the origin of each value: source file, line, page, and the commit that
//! brought the snapshot it was read from. A row with both an AMB and a HOS
//! code gives one record per code. With `all_dates`, one record per code and
//! dated state: every date a snapshot or a convention entry starts, so the
//! whole history is one table.
//!
//! A code of several key letters also has its terms (`key_terms`): in JSON a
//! list of `{key_letter, key_value, coefficient}`, in CSV and SQLite the
//! column `key_terms` (`N 8 × 3.372107 + Q 30 × 0.195645`) with its origin
//! columns, after all the others so that readers by position keep working.
//!
//! The CSV neutralises cells a spreadsheet would run as formulas (see
//! [`crate::csv_out`]); the SQLite database is built beside its path and
//! renamed over it (see [`crate::output`] and [`write_sqlite`]).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog;
use crate::code::Code;
use crate::csv_out::{CsvWriter, Formulas};
use crate::error::Error;
use crate::model::KeyTerm;
use crate::output::OutputFile;
use crate::state::{CodeState, Field, Origin, Value};
use crate::store::DataRepo;
use crate::store::GitRepo;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The date of the state (default: the latest date any snapshot starts).
    pub date: Option<NaiveDate>,
    /// The profession (default: the only one there is).
    pub profession: Option<String>,
    /// One record per code and dated state instead of one state.
    pub all_dates: bool,
}

/// Every field, in the order of the canonical YAML.
pub const FIELDS: [Field; 11] = [
    Field::AmbulatoryCode,
    Field::HospitalizedCode,
    Field::Setting,
    Field::Article,
    Field::KeyLetter,
    Field::KeyValue,
    Field::RelativeValue,
    Field::Fee,
    Field::FeeNote,
    Field::InterventionPreferential,
    Field::InterventionStandard,
];

/// Fields added after the first version of the export: their columns come
/// after every other column.
pub const ADDED_FIELDS: [Field; 1] = [Field::KeyTerms];

/// Where a value came from, with the commit that brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The source document (repository-relative).
    pub file: String,
    /// The line of the source that states the value.
    pub line: Option<usize>,
    /// The page of that line, for PDF sources.
    pub page: Option<u32>,
    /// The snapshot holding the value.
    pub snapshot: String,
    /// Full hash of the commit that last changed the snapshot (`None` outside git).
    pub commit: Option<String>,
}

/// One code in one dated state.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The profession (`physiotherapy`).
    pub profession: String,
    /// The date of the state.
    pub date: NaiveDate,
    /// The code.
    pub code: Code,
    /// Every field the state knows, by name (`null` where stated as none);
    /// `key_terms` is apart, below.
    pub values: Vec<(&'static str, Option<String>)>,
    /// The terms of a fee of several key letters, as stated (empty for a
    /// code of one key letter or none).
    pub key_terms: Vec<KeyTerm>,
    /// Key value × relative value (or the sum of a fee's key-letter terms),
    /// half-up to the cent, when no fee is stated.
    pub fee_derived: Option<Decimal>,
    /// Fee (stated, else derived) − preferential intervention.
    pub personal_share_preferential: Option<Decimal>,
    /// Fee (stated, else derived) − standard intervention.
    pub personal_share_standard: Option<Decimal>,
    /// The origin of each value, by field name.
    pub origins: Vec<(&'static str, Citation)>,
}

/// A snapshot the records were read from.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    /// The snapshot's repository-relative path.
    pub path: String,
    /// `tariff` or `convention`.
    pub kind: String,
    /// The profession.
    pub profession: String,
    /// The date from which the document applies.
    pub effective_from: NaiveDate,
    /// Full hash of the commit that last changed the snapshot (`None` outside git).
    pub commit: Option<String>,
}

/// An export: the records of the state asked for, every dated state (for
/// SQLite's `history` table), and the snapshots behind them.
#[derive(Debug, Clone)]
pub struct Export {
    /// One record per code of the state asked for (every dated state with `all_dates`).
    pub records: Vec<Record>,
    /// One record per code and dated state, whatever was asked (SQLite's `history` table).
    pub history: Vec<Record>,
    /// Every snapshot of the profession.
    pub snapshots: Vec<SnapshotInfo>,
}

/// Collects the records of a data repository.
pub fn collect(repo: &DataRepo, options: &ExportOptions) -> Result<Export, Error> {
    let snapshots = catalog::list(repo)?;
    let profession = catalog::pick_profession(&snapshots, options.profession.as_deref())?;
    let commits = snapshot_commits(repo)?;
    let dates = catalog::state_dates(repo, &snapshots, &profession)?;
    let latest = dates.iter().next_back().copied();
    let date = options
        .date
        .or(latest)
        .ok_or_else(|| Error::Usage(format!("no snapshots for profession `{profession}`")))?;
    let relatives = crate::derive::Relatives::load(repo, &snapshots, &profession)?;
    let state_records = |date: NaiveDate| -> Result<Vec<Record>, Error> {
        let (mut state, _) = catalog::state_at(repo, &snapshots, &profession, date)?;
        crate::derive::complete(&mut state, date, &relatives);
        Ok(state
            .codes
            .values()
            .flat_map(|s| records_of(&profession, date, s, &commits))
            .collect())
    };
    let mut history = Vec::new();
    for d in &dates {
        history.extend(state_records(*d)?);
    }
    let records = if options.all_dates {
        history.clone()
    } else {
        state_records(date)?
    };
    let snapshots = snapshots
        .iter()
        .filter(|s| s.id.profession == profession)
        .map(|s| SnapshotInfo {
            path: s.path.clone(),
            kind: s.id.kind.word().to_string(),
            profession: s.id.profession.clone(),
            effective_from: s.id.effective_from,
            commit: commits.get(&s.path).cloned(),
        })
        .collect();
    Ok(Export {
        records,
        history,
        snapshots,
    })
}

/// The commit that last changed each snapshot, when the repository is a git one.
fn snapshot_commits(repo: &DataRepo) -> Result<HashMap<String, String>, Error> {
    let Some(git) = GitRepo::open(repo.root())? else {
        return Ok(HashMap::new());
    };
    git.last_commits("parsed/")
}

/// The records of one code state: one per code it carries (AMB and HOS).
fn records_of(
    profession: &str,
    date: NaiveDate,
    state: &CodeState,
    commits: &HashMap<String, String>,
) -> Vec<Record> {
    let mut codes: Vec<Code> = [Field::AmbulatoryCode, Field::HospitalizedCode]
        .iter()
        .filter_map(|f| match state.get(*f) {
            Some(Value::Code(c)) => Some(*c),
            _ => None,
        })
        .collect();
    if codes.is_empty() {
        codes.push(state.code);
    }
    // Stated values only: derived ones have their own columns.
    let values: Vec<(&'static str, Option<String>)> = FIELDS
        .iter()
        .filter(|f| !state.derived.contains_key(f))
        .filter_map(|f| {
            let value = state.get(*f)?;
            Some((f.name(), (*value != Value::Null).then(|| value.to_string())))
        })
        .collect();
    let key_terms = match state.get(Field::KeyTerms) {
        Some(Value::Terms(terms)) if !state.derived.contains_key(&Field::KeyTerms) => {
            terms.to_vec()
        }
        _ => Vec::new(),
    };
    let origins: Vec<(&'static str, Citation)> = FIELDS
        .iter()
        .filter(|f| state.get(**f).is_some())
        .chain(ADDED_FIELDS.iter().filter(|_| !key_terms.is_empty()))
        .map(|f| (f.name(), citation(state.origin_of(*f), commits)))
        .collect();
    let amount = |f: Field| state.get(f).and_then(Value::amount);
    let fee_derived = amount(Field::Fee).filter(|_| state.derived.contains_key(&Field::Fee));
    let share = amount;
    codes
        .into_iter()
        .map(|code| Record {
            profession: profession.to_string(),
            date,
            code,
            values: values.clone(),
            key_terms: key_terms.clone(),
            fee_derived,
            personal_share_preferential: share(Field::PersonalSharePreferential),
            personal_share_standard: share(Field::PersonalShareStandard),
            origins: origins.clone(),
        })
        .collect()
}

fn citation(origin: &Origin, commits: &HashMap<String, String>) -> Citation {
    Citation {
        file: origin.source.to_string(),
        line: origin.source_line,
        page: origin.source_page,
        snapshot: origin.snapshot.to_string(),
        commit: commits.get(origin.snapshot.as_ref()).cloned(),
    }
}

/// The flat columns of a record, for CSV and SQLite, in order.
pub fn columns() -> Vec<String> {
    let mut cols: Vec<String> = ["profession", "date", "code"].map(String::from).to_vec();
    cols.extend(FIELDS.iter().map(|f| f.name().to_string()));
    cols.extend(
        [
            "fee_derived",
            "personal_share_preferential",
            "personal_share_standard",
        ]
        .map(String::from),
    );
    for f in FIELDS {
        for part in ["source", "line", "page", "commit"] {
            cols.push(format!("{}_{part}", f.name()));
        }
    }
    for f in ADDED_FIELDS {
        cols.push(f.name().to_string());
        for part in ["source", "line", "page", "commit"] {
            cols.push(format!("{}_{part}", f.name()));
        }
    }
    cols
}

/// A record as flat cells, in the order of [`columns`] (`None` is empty / NULL).
pub fn cells(record: &Record) -> Vec<Option<String>> {
    let mut out = vec![
        Some(record.profession.clone()),
        Some(record.date.to_string()),
        Some(record.code.to_string()),
    ];
    let value = |name: &str| {
        record
            .values
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.clone())
    };
    out.extend(FIELDS.iter().map(|f| value(f.name())));
    out.push(record.fee_derived.map(|d| d.to_string()));
    out.push(record.personal_share_preferential.map(|d| d.to_string()));
    out.push(record.personal_share_standard.map(|d| d.to_string()));
    let origin = |f: Field| match record.origins.iter().find(|(n, _)| *n == f.name()) {
        Some((_, c)) => [
            Some(c.file.clone()),
            c.line.map(|l| l.to_string()),
            c.page.map(|p| p.to_string()),
            c.commit.clone(),
        ],
        None => [None, None, None, None],
    };
    for f in FIELDS {
        out.extend(origin(f));
    }
    for f in ADDED_FIELDS {
        out.push(added_value(record, f));
        out.extend(origin(f));
    }
    out
}

/// The cell of an added field: `N 8 × 3.372107 + Q 30 × 0.195645` for `key_terms`.
fn added_value(record: &Record, field: Field) -> Option<String> {
    let terms = &record.key_terms;
    (field == Field::KeyTerms && !terms.is_empty())
        .then(|| KeyTerm::formula(terms, |d| d.to_string()))
}

/// Writes records as CSV with a header row, with the cells a spreadsheet
/// would run as formulas neutralised (see [`crate::csv_out`]).
pub fn write_csv(records: &[Record], out: impl Write) -> Result<(), Error> {
    write_csv_with(records, out, Formulas::Neutralised)
}

/// Writes records as CSV with a header row, formulas as asked.
pub fn write_csv_with(
    records: &[Record],
    out: impl Write,
    formulas: Formulas,
) -> Result<(), Error> {
    let mut csv = CsvWriter::new(out, formulas);
    csv.record(columns().iter().map(String::as_str))?;
    for record in records {
        csv.record(cells(record).iter().map(|c| c.as_deref().unwrap_or("")))?;
    }
    csv.finish().map(drop)
}

/// A record as a JSON object: the flat values, derived values, and origins by field.
pub fn to_json(record: &Record) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("profession".into(), record.profession.clone().into());
    map.insert("date".into(), record.date.to_string().into());
    map.insert("code".into(), record.code.to_string().into());
    for (name, value) in &record.values {
        map.insert((*name).into(), value.clone().into());
    }
    if !record.key_terms.is_empty() {
        let terms = serde_json::to_value(&record.key_terms).expect("terms serialize");
        map.insert(Field::KeyTerms.name().into(), terms);
    }
    let decimal = |d: Option<Decimal>| serde_json::Value::from(d.map(|d| d.to_string()));
    map.insert("fee_derived".into(), decimal(record.fee_derived));
    map.insert(
        "personal_share_preferential".into(),
        decimal(record.personal_share_preferential),
    );
    map.insert(
        "personal_share_standard".into(),
        decimal(record.personal_share_standard),
    );
    let origins: serde_json::Map<String, serde_json::Value> = record
        .origins
        .iter()
        .map(|(n, c)| {
            (
                (*n).to_string(),
                serde_json::to_value(c).expect("serializes"),
            )
        })
        .collect();
    map.insert("origins".into(), origins.into());
    map.into()
}

/// Writes an SQLite database at `path` with tables `codes` (the records),
/// `history` (every dated state) and `snapshots`.
///
/// The database is built in a temporary file beside `path` and renamed over
/// it (see [`crate::output`]): only a regular file is replaced, and only
/// whole. A database in use is not replaced: a write-ahead log
/// (`PATH-wal`) or a rollback journal (`PATH-journal`) beside it holds
/// another program's writes, which would be lost, or would corrupt the new
/// database when SQLite found them beside it.
pub fn write_sqlite(export: &Export, path: &Path) -> Result<(), Error> {
    refuse_database_in_use(path)?;
    let file = OutputFile::create(path)?;
    fill_sqlite(export, file.path()).map_err(|e| {
        Error::Usage(format!(
            "{}: cannot write the database: {e}",
            path.display()
        ))
    })?;
    refuse_database_in_use(path)?;
    file.commit()
}

/// Refuses a database that has a write-ahead log or a journal beside it.
fn refuse_database_in_use(path: &Path) -> Result<(), Error> {
    for suffix in ["-wal", "-journal"] {
        let mut beside = path.as_os_str().to_owned();
        beside.push(suffix);
        let beside = std::path::PathBuf::from(beside);
        if std::fs::symlink_metadata(&beside).is_ok() {
            return Err(Error::Usage(format!(
                "{}: the database is in use: {} beside it holds writes of another \
                 program, which replacing the database would lose; close that program \
                 (opening and closing the database with `sqlite3` finishes writes \
                 interrupted by a crash), or export to another path",
                path.display(),
                beside.display()
            )));
        }
    }
    Ok(())
}

/// Creates the tables of an export in the (new, empty) database at `path`.
fn fill_sqlite(export: &Export, path: &Path) -> Result<(), rusqlite::Error> {
    let mut db = rusqlite::Connection::open(path)?;
    let columns = columns();
    let defs: Vec<String> = columns.iter().map(|c| format!("{c} TEXT")).collect();
    let tx = db.transaction()?;
    for table in ["codes", "history"] {
        tx.execute_batch(&format!(
            "CREATE TABLE {table} ({});
             CREATE INDEX {table}_code ON {table}(code);
             CREATE INDEX {table}_date ON {table}(profession, date);",
            defs.join(", ")
        ))?;
        let marks = vec!["?"; columns.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO {table} VALUES ({marks})"))?;
        let rows = if table == "codes" {
            &export.records
        } else {
            &export.history
        };
        for record in rows {
            insert.execute(rusqlite::params_from_iter(cells(record)))?;
        }
    }
    tx.execute_batch(
        "CREATE TABLE snapshots (path TEXT PRIMARY KEY, kind TEXT, profession TEXT, effective_from TEXT, commit_id TEXT);",
    )
    ?;
    for s in &export.snapshots {
        tx.execute(
            "INSERT INTO snapshots VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                s.path,
                s.kind,
                s.profession,
                s.effective_from.to_string(),
                s.commit
            ],
        )?;
    }
    tx.commit()?;
    // Closed before the file is renamed: nothing of it is left open.
    db.close().map_err(|(_, e)| e)
}
