//! A data repository as a value: what a Rust program calls to import
//! documents and to ask questions across versions.
//!
//! Every method returns a typed report and prints nothing; the `tariffs`
//! binary is these calls plus flags and printing.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::catalog::{self, SnapshotRef};
use crate::code::Code;
use crate::compare::{self, Comparison, SnapshotComparison};
use crate::diff::Filter;
use crate::error::Error;
use crate::export::{self, Export, ExportOptions};
use crate::history;
use crate::import::{self, Import, ImportOptions};
use crate::state::State;
use crate::store::DataRepo;

/// A data repository: a folder holding `sources/`, `parsed/` and `schema/`,
/// usually a git repository (each import is a commit).
#[derive(Debug, Clone)]
pub struct Repository {
    data: DataRepo,
}

/// The state of one profession at a date.
#[derive(Debug, Clone)]
pub struct DatedState {
    /// The profession asked for (or the only one the repository holds).
    pub profession: String,
    /// The date asked for.
    pub date: NaiveDate,
    /// Every code known at that date, each value with its origin.
    pub state: State,
    /// The snapshots the state was made from (the table in force, then the
    /// conventions whose statements apply), repository-relative.
    pub snapshots: Vec<String>,
}

impl Repository {
    /// Opens the data repository at `root`, which must be a folder.
    pub fn open(root: impl AsRef<Path>) -> Result<Repository, Error> {
        Ok(Repository {
            data: DataRepo::open(root.as_ref())?,
        })
    }

    /// Opens the data repository at `root`, creating the folder if needed.
    /// The first import that writes makes it a git repository (unless it
    /// imports with [`ImportOptions::no_commit`]).
    pub fn create(root: impl AsRef<Path>) -> Result<Repository, Error> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        Repository::open(root)
    }

    /// The folder of the repository.
    pub fn root(&self) -> &Path {
        self.data.root()
    }

    /// The repository's files, for the lower-level modules.
    pub fn data(&self) -> &DataRepo {
        &self.data
    }

    /// Imports documents (files; expand folders first with
    /// [`crate::batch::expand`]): parse, validate, reconcile languages,
    /// store and commit, one commit per document in effective-date order.
    /// All or nothing: see [`Import::blocked`].
    pub fn import(&self, files: &[PathBuf], options: &ImportOptions) -> Result<Import, Error> {
        import::import(self.root(), files, options, &|_| {})
    }

    /// Like [`Repository::import`], calling `on_read` as each document has
    /// been read and parsed (documents are read on every core).
    pub fn import_with_progress(
        &self,
        files: &[PathBuf],
        options: &ImportOptions,
        on_read: &(dyn Fn(&Path) + Sync),
    ) -> Result<Import, Error> {
        import::import(self.root(), files, options, on_read)
    }

    /// Every snapshot under `parsed/`, by profession, kind and date.
    pub fn snapshots(&self) -> Result<Vec<SnapshotRef>, Error> {
        catalog::list(&self.data)
    }

    /// The state of a profession at a date: the tariff table in force, with
    /// the convention statements dated after it and up to `date` applied.
    /// `profession` may be left out when the repository holds only one.
    pub fn state_at(&self, date: NaiveDate, profession: Option<&str>) -> Result<DatedState, Error> {
        let snapshots = self.snapshots()?;
        let profession = catalog::pick_profession(&snapshots, profession)?;
        let (state, used) = catalog::state_at(&self.data, &snapshots, &profession, date)?;
        Ok(DatedState {
            profession,
            date,
            state,
            snapshots: used,
        })
    }

    /// Compares two sides, each a date (`2024-01-01`), a snapshot file or
    /// `REV:path`, with derived values and both sides' citations.
    pub fn diff(
        &self,
        from: &str,
        to: &str,
        profession: Option<&str>,
        filter: &Filter,
    ) -> Result<Comparison, Error> {
        compare::compare(&self.data, from, to, profession, filter)
    }

    /// Compares every snapshot at two git revisions (`HEAD~1`, `HEAD`).
    pub fn diff_revisions(
        &self,
        from: &str,
        to: &str,
        filter: &Filter,
    ) -> Result<Vec<SnapshotComparison>, Error> {
        compare::compare_revisions(&self.data, from, to, filter)
    }

    /// The values of one code in every snapshot that states it, oldest
    /// first, each cited with file, line, page and commit.
    pub fn history(&self, code: Code) -> Result<Vec<history::Entry>, Error> {
        history::of_code(&self.data, code)
    }

    /// The records of an export (write them with [`export::write_csv`],
    /// [`export::to_json`] or [`export::write_sqlite`]).
    pub fn export(&self, options: &ExportOptions) -> Result<Export, Error> {
        export::collect(&self.data, options)
    }
}
