//! Comparisons as auditors ask for them: two sides of a data repository —
//! dates, snapshot files, `REV:path`, or two whole revisions — resolved to
//! states, completed with derived values ([`crate::derive`]), every origin
//! stamped with its commit, and diffed ([`crate::diff`]).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::canonical;
use crate::catalog;
use crate::derive::{self, Relatives};
use crate::diff::{self, Diff, Filter};
use crate::error::Error;
use crate::model::Snapshot;
use crate::state::State;
use crate::store::DataRepo;
use crate::store::GitRepo;

/// One side of a comparison, as reports describe it.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// What the user wrote.
    pub spec: String,
    /// `date`, `snapshot` or `revision`.
    pub kind: &'static str,
    /// The date (for a date side), else the snapshot's effective date.
    pub date: NaiveDate,
    /// The profession whose state this side is.
    pub profession: String,
    /// The snapshots the side was made from.
    pub snapshots: Vec<String>,
    /// The full hash of the commit the side was read at (`None` for the work
    /// tree outside git).
    pub commit: Option<String>,
}

/// A side: what it is, and the state it gives.
#[derive(Debug, Clone)]
pub struct Side {
    /// What the side is and where it was read.
    pub info: SideInfo,
    /// Every code of the side, completed with derived values and commits.
    pub state: State,
    /// The canonical YAML, when the side is one snapshot (for `diff --text`).
    pub yaml: Option<String>,
}

/// Two sides and what differs between them.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The old side.
    pub from: Side,
    /// The new side.
    pub to: Side,
    /// What differs from `from` to `to`, after the filter.
    pub diff: Diff,
}

/// Whether a side is a date (`2024-01-01`).
fn as_date(spec: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(spec, "%Y-%m-%d").ok()
}

/// Compares two sides, each a date, a snapshot file or `REV:path`.
pub fn compare(
    repo: &DataRepo,
    from: &str,
    to: &str,
    profession: Option<&str>,
    filter: &Filter,
) -> Result<Comparison, Error> {
    let git = GitRepo::open(repo.root())?;
    let commits = match &git {
        Some(git) => git.last_commits("parsed/")?,
        None => HashMap::new(),
    };
    let mut from = side(repo, git.as_ref(), from, profession)?;
    let mut to = side(repo, git.as_ref(), to, profession)?;
    let snapshots = catalog::list(repo)?;
    for s in [&mut from, &mut to] {
        let relatives = Relatives::load(repo, &snapshots, &s.info.profession)?;
        derive::complete(&mut s.state, s.info.date, &relatives);
        stamp(&mut s.state, git.as_ref(), &commits);
        if s.info.commit.is_none() && s.info.kind != "date" {
            s.info.commit = s
                .info
                .snapshots
                .first()
                .and_then(|p| commits.get(p))
                .cloned();
        }
    }
    let mut d = diff::diff(&from.state, &to.state);
    d.filter(filter);
    Ok(Comparison { from, to, diff: d })
}

/// Stamps every origin with the commit of its snapshot: `REV:path` resolved
/// to the commit REV names, a work-tree path to the last commit that changed it.
fn stamp(state: &mut State, git: Option<&GitRepo>, commits: &HashMap<String, String>) {
    let mut resolved: HashMap<String, Option<Arc<str>>> = HashMap::new();
    let mut commit_of = |snapshot: &str| -> Option<Arc<str>> {
        if let Some(c) = resolved.get(snapshot) {
            return c.clone();
        }
        let c = match snapshot.split_once(':') {
            Some((rev, _)) => git.and_then(|g| g.resolve_commit(rev).ok()).map(Arc::from),
            None => commits.get(snapshot).map(|c| Arc::from(c.as_str())),
        };
        resolved.insert(snapshot.to_string(), c.clone());
        c
    };
    // Collect first: stamping borrows the state mutably.
    let mut needed = BTreeSet::new();
    for s in state.codes.values() {
        needed.insert(s.origin.snapshot.to_string());
        needed.extend(s.origins.values().map(|o| o.snapshot.to_string()));
        for d in s.derived.values() {
            needed.extend(d.inputs.iter().map(|i| i.origin.snapshot.to_string()));
        }
    }
    let table: HashMap<String, Option<Arc<str>>> = needed
        .into_iter()
        .map(|s| (s.clone(), commit_of(&s)))
        .collect();
    state.stamp_commits(&|s| table.get(s).cloned().flatten());
}

/// Reads a side: a date, a snapshot file, or `REV:path`.
pub fn side(
    repo: &DataRepo,
    git: Option<&GitRepo>,
    spec: &str,
    profession: Option<&str>,
) -> Result<Side, Error> {
    if let Some(date) = as_date(spec) {
        let snapshots = catalog::list(repo)?;
        let profession = catalog::pick_profession(&snapshots, profession)?;
        let (state, used) = catalog::state_at(repo, &snapshots, &profession, date)?;
        if used.is_empty() {
            return Err(Error::Usage(format!(
                "no {profession} snapshot is in force on {date}"
            )));
        }
        let info = SideInfo {
            spec: spec.into(),
            kind: "date",
            date,
            profession,
            snapshots: used,
            commit: git.and_then(|g| g.resolve_commit("HEAD").ok()),
        };
        return Ok(Side {
            info,
            state,
            yaml: None,
        });
    }
    let on_disk = [Path::new(spec).to_path_buf(), repo.path(spec)]
        .into_iter()
        .find(|p| p.is_file());
    let (bytes, commit) = match on_disk {
        Some(path) => (crate::canonical::bounds::read_file(&path)?.into_bytes(), None),
        None if spec.contains(':') => {
            let git = git.ok_or_else(|| {
                Error::Usage(format!(
                    "`{spec}` is a git revision, but {} is no git repository",
                    repo.root().display()
                ))
            })?;
            let rev = spec.split_once(':').map_or(spec, |(r, _)| r);
            (git.read_spec(spec)?, Some(git.resolve_commit(rev)?))
        }
        None => {
            return Err(Error::Usage(format!(
                "`{spec}` is neither a date (2024-01-01), a snapshot file, REV:path, nor (with another revision) a git revision"
            )))
        }
    };
    let snapshot = canonical::read_snapshot_bytes(spec, &bytes)?;
    let info = SideInfo {
        spec: spec.into(),
        kind: "snapshot",
        date: snapshot.effective_from(),
        profession: snapshot.profession().to_string(),
        snapshots: vec![spec.into()],
        commit,
    };
    Ok(Side {
        info,
        state: catalog::state_of(&snapshot, spec),
        yaml: Some(String::from_utf8_lossy(&bytes).into_owned()),
    })
}

/// Whether two sides are both plain git revisions (`HEAD~1 HEAD`).
pub fn are_revisions(repo: &DataRepo, from: &str, to: &str) -> Result<bool, Error> {
    let plain = |s: &str| {
        as_date(s).is_none()
            && !s.contains(':')
            && !Path::new(s).is_file()
            && !repo.path(s).is_file()
    };
    if !(plain(from) && plain(to)) {
        return Ok(false);
    }
    Ok(match GitRepo::open(repo.root())? {
        Some(git) => git.resolve_commit(from).is_ok() && git.resolve_commit(to).is_ok(),
        None => false,
    })
}

/// One snapshot compared at two revisions.
#[derive(Debug, Clone)]
pub struct SnapshotComparison {
    /// The snapshot's repository-relative path.
    pub snapshot: String,
    /// The snapshot at the first revision against the second.
    pub comparison: Comparison,
}

/// Every snapshot of the repository at one revision against the other: a
/// snapshot present on one side only is all added (or all removed).
pub fn compare_revisions(
    repo: &DataRepo,
    from: &str,
    to: &str,
    filter: &Filter,
) -> Result<Vec<SnapshotComparison>, Error> {
    let git = GitRepo::open(repo.root())?
        .ok_or_else(|| Error::Usage(format!("{} is no git repository", repo.root().display())))?;
    let (from_commit, to_commit) = (git.resolve_commit(from)?, git.resolve_commit(to)?);
    let read = |commit: &str| -> Result<HashMap<String, Snapshot>, Error> {
        git.files_at(commit, "parsed/")?
            .into_iter()
            .filter(|(p, _)| p.ends_with(".yaml"))
            .map(|(p, bytes)| {
                let label = format!("{commit}:{p}");
                Ok((p, canonical::read_snapshot_bytes(&label, &bytes)?))
            })
            .collect()
    };
    let (old, new) = (read(&from_commit)?, read(&to_commit)?);
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for path in paths {
        let make = |spec: &str,
                    commit: &str,
                    snapshot: Option<&Snapshot>,
                    other: Option<&Snapshot>|
         -> Side {
            let label = format!("{commit}:{path}");
            let shown = snapshot.or(other).expect("on one side at least");
            Side {
                info: SideInfo {
                    spec: spec.to_string(),
                    kind: "revision",
                    date: shown.effective_from(),
                    profession: shown.profession().to_string(),
                    snapshots: snapshot.map(|_| label.clone()).into_iter().collect(),
                    commit: Some(commit.to_string()),
                },
                state: snapshot
                    .map(|s| catalog::state_of(s, &label))
                    .unwrap_or_default(),
                yaml: None,
            }
        };
        let mut from_side = make(from, &from_commit, old.get(path), new.get(path));
        let mut to_side = make(to, &to_commit, new.get(path), old.get(path));
        for s in [&mut from_side, &mut to_side] {
            derive::complete(&mut s.state, s.info.date, &Relatives::default());
            stamp(&mut s.state, Some(&git), &HashMap::new());
        }
        let mut d = diff::diff(&from_side.state, &to_side.state);
        d.filter(filter);
        out.push(SnapshotComparison {
            snapshot: path.clone(),
            comparison: Comparison {
                from: from_side,
                to: to_side,
                diff: d,
            },
        });
    }
    Ok(out)
}
