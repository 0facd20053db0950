//! The history of one code: every dated value across snapshots and commits.
//!
//! Versions come from git (every version of every snapshot the current
//! branch ever held, so a re-issued table keeps its first version too) and
//! from snapshots in the work tree that are not committed yet. Entries are
//! ordered by effective date, then by commit order; an entry equal to the
//! one before it is dropped.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::canonical;
use crate::catalog;
use crate::code::Code;
use crate::error::Error;
use crate::layout::PARSED_DIR;
use crate::model::Snapshot;
use crate::state::{Field, State, Value};
use crate::store::DataRepo;
use crate::store::GitRepo;

/// The fields a history shows (`key_terms` only for codes of several key letters).
pub const FIELDS: [Field; 7] = [
    Field::KeyLetter,
    Field::KeyValue,
    Field::RelativeValue,
    Field::KeyTerms,
    Field::Fee,
    Field::InterventionPreferential,
    Field::InterventionStandard,
];

/// One dated value of a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The date from which this snapshot's values apply.
    pub effective_from: NaiveDate,
    /// The fields known at that date (a convention states only some).
    pub fields: BTreeMap<Field, Value>,
    /// The snapshot stating them.
    pub snapshot: String,
    /// The commit the snapshot came from; `None` when not committed.
    pub commit: Option<String>,
    /// Where each value was stated: source file, line, page (and commit).
    pub citations: BTreeMap<Field, crate::state::Origin>,
    /// A later version of a snapshot that replaced an earlier one with
    /// other values (a re-issue of the same document).
    pub reissue: bool,
}

impl Serialize for Entry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len() + 3))?;
        map.serialize_entry("effective_from", &self.effective_from)?;
        for (field, value) in &self.fields {
            map.serialize_entry(field.name(), value)?;
        }
        map.serialize_entry("snapshot", &self.snapshot)?;
        map.serialize_entry("commit", &self.commit)?;
        let citations: BTreeMap<&str, &crate::state::Origin> =
            self.citations.iter().map(|(f, o)| (f.name(), o)).collect();
        map.serialize_entry("citations", &citations)?;
        map.serialize_entry("reissue", &self.reissue)?;
        map.end()
    }
}

/// A snapshot version to read: where it is, and the commit it came from.
struct Version {
    path: String,
    commit: Option<String>,
    bytes: Vec<u8>,
}

/// The history of `code` in the data repository.
pub fn of_code(repo: &DataRepo, code: Code) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    let mut seen_paths: HashMap<String, BTreeMap<Field, Value>> = HashMap::new();
    for version in versions(repo)? {
        let snapshot = canonical::read_snapshot_bytes(&version.path, &version.bytes)?;
        for (date, state) in dated_states(&snapshot, &version.path) {
            let found = state.codes.get(&code).or_else(|| {
                // The HOS code of an AMB/HOS row is found under the AMB code.
                state
                    .codes
                    .values()
                    .find(|s| s.get(Field::HospitalizedCode) == Some(&Value::Code(code)))
            });
            if let Some(found) = found {
                let fields: BTreeMap<Field, Value> = FIELDS
                    .iter()
                    .filter_map(|f| Some((*f, found.get(*f)?.clone())))
                    .collect();
                let citations = fields
                    .keys()
                    .map(|f| {
                        let mut origin = found.origin_of(*f).clone();
                        origin.commit = version.commit.as_deref().map(Into::into);
                        (*f, origin)
                    })
                    .collect();
                // A snapshot that held other values for this code before: a re-issue.
                let key = format!("{}@{date}", version.path);
                let reissue = seen_paths.get(&key).is_some_and(|before| *before != fields);
                seen_paths.insert(key, fields.clone());
                entries.push(Entry {
                    effective_from: date,
                    fields,
                    snapshot: version.path.clone(),
                    commit: version.commit.clone(),
                    citations,
                    reissue,
                });
            }
        }
    }
    // Stable: versions of one date stay in commit order.
    entries.sort_by_key(|e| e.effective_from);
    entries.dedup_by(|later, earlier| later.fields == earlier.fields);
    Ok(entries)
}

/// The states a snapshot gives over time: a table, one; a convention, one
/// per date at which its statements apply (all statements up to that date).
fn dated_states(snapshot: &Snapshot, label: &str) -> Vec<(NaiveDate, State)> {
    match snapshot {
        Snapshot::Tariff(t) => vec![(t.effective_from, State::from_table(t, label))],
        Snapshot::Convention(c) => {
            let mut statements = catalog::convention_statements(c, label);
            statements.sort_by_key(|s| s.date);
            let mut out: Vec<(NaiveDate, State)> = Vec::new();
            let mut state = State::default();
            for statement in statements {
                state.apply_statement(&statement);
                match out.last_mut() {
                    Some((date, last)) if *date == statement.date => *last = state.clone(),
                    _ => out.push((statement.date, state.clone())),
                }
            }
            out
        }
    }
}

/// Every committed version of every snapshot, then uncommitted work-tree ones.
fn versions(repo: &DataRepo) -> Result<Vec<Version>, Error> {
    let mut out = Vec::new();
    // Path → index in `out` of its latest committed version.
    let mut latest: HashMap<String, usize> = HashMap::new();
    if let Some(git) = GitRepo::open(repo.root())? {
        for v in git.file_versions(&format!("{PARSED_DIR}/"))? {
            if !v.path.ends_with(".yaml") {
                continue;
            }
            latest.insert(v.path.clone(), out.len());
            out.push(Version {
                bytes: git.blob(v.blob)?,
                path: v.path,
                commit: Some(v.commit.id),
            });
        }
    }
    for snapshot in catalog::list(repo)? {
        let path = repo.path(&snapshot.path);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let committed = latest.get(&snapshot.path).map(|&i| &out[i].bytes);
        if committed != Some(&bytes) {
            out.push(Version {
                path: snapshot.path,
                commit: None,
                bytes,
            });
        }
    }
    Ok(out)
}
