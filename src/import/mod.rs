//! An import as one transaction: read, parse and validate every document,
//! place each against what the repository holds, then write and commit, or
//! write nothing at all.
//!
//! [`import`] is what `tariffs import` runs; [`crate::Repository::import`]
//! calls it. Nothing here prints: the caller gets an [`Import`] report.
//! What each commit says is `messages`'.

use std::path::{Path, PathBuf};

use crate::batch;
use crate::canonical;
use crate::catalog;
use crate::error::Error;
use crate::findings::{self, Finding};
use crate::layout::PARSED_DIR;
use crate::model::{Nomenclature, TariffTable};
use crate::nomensoft;
use crate::nomensoft::crosscheck::{self, CrossCheck};
use crate::nomensoft::placement::{ExportAction, ExportPlacement};
use crate::pipeline::Processed;
use crate::placement::{self, Placement};
use crate::source::ReadOptions;
use crate::store::{self, CommitSeries, DataRepo, FileWrite, Mode, Transaction};
use crate::validate::convention::Tables;

mod messages;

pub use messages::title;
use messages::{commit_message, export_message};

/// The lock file of a data folder without git (`--no-commit`).
pub use crate::store::NO_GIT_LOCK;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Parse, validate and place only; write nothing.
    pub dry_run: bool,
    /// Write the files but make no git commit (the default commits, creating
    /// the git repository if the folder has none).
    pub no_commit: bool,
    /// Replace a snapshot by a re-issue (the same document with other values).
    pub replace: bool,
    /// Commit author, `Name <email>`; default: the repository's git config,
    /// else `inami-tariffs <inami-tariffs@localhost>`.
    pub author: Option<String>,
    /// How sources are read (PDF isolation and time limit).
    pub read: ReadOptions,
}

/// What an import did, or would do.
#[derive(Debug)]
pub struct Import {
    /// Every document read, in the order given, with its findings.
    pub processed: Vec<Processed>,
    /// What the import does to each snapshot (empty when a document has errors).
    pub placements: Vec<Placement>,
    /// Error findings, documents and placements together.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Whether the import was refused (errors, a language mismatch, a re-issue
    /// without `replace`): then nothing was written.
    pub blocked: bool,
    /// NomenSoft exports read and placed, in the order given.
    pub exports: Vec<ExportPlacement>,
    /// What was written and committed (nothing on a dry run or when blocked).
    pub stored: Stored,
}

impl Import {
    /// Every finding: the documents' and the placements'.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.processed
            .iter()
            .flat_map(|p| &p.findings)
            .chain(self.placements.iter().flat_map(|p| &p.findings))
            .chain(self.exports.iter().flat_map(|e| &e.findings))
    }
}

/// What storing did.
#[derive(Debug, Default)]
pub struct Stored {
    /// Repository paths written or removed.
    pub written: Vec<String>,
    /// The last commit made, if any.
    pub commit: Option<String>,
    /// One line per commit made: short hash and subject.
    pub message: Option<String>,
    /// Whether a git repository was created for the data.
    pub initialized: bool,
}

/// Imports `files` (documents, not folders: see [`batch::expand`]) into the
/// data repository at `root`, which is created if missing. `on_read` is
/// called as each document has been read (for a progress bar).
///
/// All or nothing: if any document has an error finding, or a placement
/// blocks, nothing is written and [`Import::blocked`] is set.
pub fn import(
    root: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
    on_read: &(dyn Fn(&Path) + Sync),
) -> Result<Import, Error> {
    let (export_files, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.iter().cloned().partition(|f| nomensoft::is_export(f));
    let repo = DataRepo::open(root)
        .ok()
        .filter(|r| r.root().join(PARSED_DIR).is_dir());
    // Conventions are checked against the tariff tables already imported;
    // tables and NomenSoft exports against each other (below).
    let tables = match &repo {
        Some(repo) => catalog::tariff_snapshots(repo)?,
        None => Vec::new(),
    };
    let mut processed = batch::process(
        &files,
        &options.read,
        &Tables::from_tables(tables.iter().map(|(_, t)| t)),
        on_read,
    )?;
    let mut exports = export_files
        .iter()
        .map(|f| {
            let placed =
                nomensoft::placement::place(f, &options.read, repo.as_ref(), options.replace);
            on_read(f);
            placed
        })
        .collect::<Result<Vec<_>, _>>()?;
    cross_check(&mut processed, &mut exports, &tables, repo.as_ref())?;
    let head_before = store::head_commit(root);
    // Documents with errors are not placed: nothing will be written anyway.
    let placements = if processed.iter().any(Processed::has_errors) {
        Vec::new()
    } else {
        placement::place(repo.as_ref(), &processed, options.replace)?
    };
    let all: Vec<Finding> = processed
        .iter()
        .flat_map(|p| p.findings.iter())
        .chain(placements.iter().flat_map(|p| p.findings.iter()))
        .chain(exports.iter().flat_map(|e| e.findings.iter()))
        .cloned()
        .collect();
    let (errors, warnings) = findings::count(&all);
    let blocked = errors > 0
        || placements.iter().any(Placement::blocks)
        || exports.iter().any(ExportPlacement::blocks);
    let mut placements = placements;
    let stored = if blocked || options.dry_run {
        Stored::default()
    } else {
        store(
            root,
            options,
            &processed,
            &mut placements,
            &exports,
            head_before.as_deref(),
        )?
    };
    Ok(Import {
        processed,
        placements,
        exports,
        errors,
        warnings,
        blocked,
        stored,
    })
}

/// The NomenSoft cross-check of an import, against the state it produces:
/// the repository's tariff tables (`stored`) and NomenSoft snapshots, with
/// this import's tables and exports in place of those at their snapshot
/// paths. Each imported table is checked against every export: a difference
/// is a `nomensoft-mismatch` of the table's document. Each imported export
/// is checked against every table, and counts what it compared; a difference
/// with a table that is not being imported is the export's finding (one with
/// an imported table is the table's already). The repository's NomenSoft
/// snapshots are read only when a table is being imported.
fn cross_check(
    processed: &mut [Processed],
    exports: &mut [ExportPlacement],
    stored: &[(String, TariffTable)],
    repo: Option<&DataRepo>,
) -> Result<(), Error> {
    fn table(p: &Processed) -> Option<&TariffTable> {
        match &p.parsed {
            crate::parse::ParsedDocument::Tariff(t) => Some(&t.table),
            _ => None,
        }
    }
    let imported: Vec<(&str, &TariffTable)> = processed
        .iter()
        .filter_map(|p| Some((p.filing.snapshot_path.as_str(), table(p)?)))
        .collect();
    // The exports as given: findings cite the files named on the command line.
    let given: Vec<(String, Nomenclature)> = exports
        .iter()
        .map(|e| {
            let mut n = e.nomenclature.clone();
            n.source.file = e.file.display().to_string();
            (e.snapshot_path.clone(), n)
        })
        .collect();
    let stored_exports = match repo.filter(|_| !imported.is_empty()) {
        Some(repo) => catalog::nomensoft_exports(repo)?,
        None => Vec::new(),
    };
    let exports_after: Vec<&Nomenclature> = after(
        stored_exports.iter().map(|(p, n)| (p.as_str(), n)),
        given.iter().map(|(p, n)| (p.as_str(), n)),
    )
    .into_iter()
    .map(|(_, n)| n)
    .collect();
    let tables_after = after(
        stored.iter().map(|(p, t)| (p.as_str(), t)),
        imported.iter().copied(),
    );
    let table_findings: Vec<Vec<Finding>> = processed
        .iter()
        .map(|p| match table(p) {
            Some(t) => crosscheck::check([t], &exports_after).findings,
            None => Vec::new(),
        })
        .collect();
    let export_checks: Vec<(CrossCheck, Vec<Finding>)> = given
        .iter()
        .map(|(_, as_given)| {
            let mut done = CrossCheck::default();
            let mut own = Vec::new();
            for (path, t) in &tables_after {
                let found = crosscheck::check([*t], &[as_given]);
                done.codes_compared += found.codes_compared;
                done.values_compared += found.values_compared;
                if !imported.iter().any(|(p, _)| p == path) {
                    own.extend(found.findings.iter().cloned());
                }
                done.findings.extend(found.findings);
            }
            (done, own)
        })
        .collect();
    for (p, found) in processed.iter_mut().zip(table_findings) {
        p.findings.extend(found);
    }
    for (e, (done, own)) in exports.iter_mut().zip(export_checks) {
        e.findings.extend(own);
        e.cross_check = done;
    }
    Ok(())
}

/// `stored` with `imported` in place of what is at the same path (the
/// first of the import's at a path: the others state the same values, or
/// block the import), and the rest of `imported` added.
fn after<'a, T>(
    stored: impl IntoIterator<Item = (&'a str, &'a T)>,
    imported: impl IntoIterator<Item = (&'a str, &'a T)>,
) -> Vec<(&'a str, &'a T)> {
    let imported: Vec<(&str, &T)> = imported.into_iter().collect();
    let mut all: Vec<(&str, &T)> = stored
        .into_iter()
        .filter(|(path, _)| !imported.iter().any(|(p, _)| p == path))
        .collect();
    for (path, t) in imported {
        if !all.iter().any(|(p, _)| *p == path) {
            all.push((path, t));
        }
    }
    all
}

/// Writes the documents into the data repository and commits them: one
/// commit per document, in effective-date order, so `git log` reads as the
/// timeline; NomenSoft exports after them, one commit each.
fn store(
    root: &Path,
    options: &ImportOptions,
    processed: &[Processed],
    placed: &mut Vec<Placement>,
    exports: &[ExportPlacement],
    head_before: Option<&str>,
) -> Result<Stored, Error> {
    let mode = match options.no_commit {
        true => Mode::Write,
        false => Mode::Commit,
    };
    // Under the lock, an interrupted import finished (or undone) first.
    let transaction = Transaction::begin(root, mode)?;
    let repo = DataRepo::open(root)?;
    let mut stored = Stored {
        initialized: transaction.initialized(),
        ..Stored::default()
    };
    // Placed again under the lock if another import may have landed since,
    // or if the work tree the placements were made against was just
    // finished (the work tree itself must be clean: the commit checks it).
    if transaction.changed_since(head_before) {
        // The import reports what it stored: these placements.
        *placed = placement::place(Some(&repo), processed, options.replace)?;
    }
    let placements = &*placed;
    if placements.iter().any(Placement::blocks) {
        return Err(Error::repository(
            root,
            "the repository changed while this import was prepared: run it again".to_string(),
        ));
    }
    // The schemas go with the data, so the snapshots' `$schema` headers resolve.
    let schema_writes = schema_writes(&repo)?;
    if mode == Mode::Write {
        let mut writes: Vec<FileWrite> = placements.iter().flat_map(|p| p.writes.clone()).collect();
        writes.extend(
            exports
                .iter()
                .filter(|e| writes_export(e))
                .flat_map(|e| e.writes.clone()),
        );
        if !writes.is_empty() {
            writes.extend(schema_writes);
        }
        let removes: Vec<String> = placements.iter().flat_map(|p| p.removes.clone()).collect();
        stored.written = transaction.write(&writes, &removes)?;
        return Ok(stored);
    }
    let mut ordered: Vec<&Placement> = placements.iter().collect();
    ordered.sort_by_key(|p| placement::date(p));
    let mut commits = Commits {
        repo,
        schema_writes: Some(schema_writes),
        stored: &mut stored,
        messages: Vec::new(),
    };
    transaction.commit(options.author.as_deref(), |series| {
        for pl in ordered {
            let mut unchanged = pl.removes.is_empty();
            for write in &pl.writes {
                unchanged &= series.file(&write.path)?.as_deref() == Some(&write.bytes[..]);
            }
            if unchanged {
                continue;
            }
            let message =
                commit_message(&commits.repo, series, processed, std::slice::from_ref(pl))?;
            commits.make(series, &pl.writes, &pl.removes, &message)?;
        }
        for export in exports.iter().filter(|e| writes_export(e)) {
            commits.make(series, &export.writes, &[], &export_message(export))?;
        }
        Ok(())
    })?;
    if !commits.messages.is_empty() {
        let message = commits.messages.join("\n");
        stored.message = Some(message);
    }
    Ok(stored)
}

/// The commits of an import, made one after another in a [`CommitSeries`].
struct Commits<'a> {
    /// The data repository, with the files of the commits made so far pending.
    repo: DataRepo,
    /// The schemas, for the first commit when they are missing or older.
    schema_writes: Option<Vec<FileWrite>>,
    stored: &'a mut Stored,
    /// `<short hash> <subject>` of each commit.
    messages: Vec<String>,
}

impl Commits<'_> {
    /// Makes one commit, and records it.
    fn make(
        &mut self,
        series: &mut CommitSeries<'_>,
        writes: &[FileWrite],
        removes: &[String],
        message: &str,
    ) -> Result<(), Error> {
        let schema = self.schema_writes.take().unwrap_or_default();
        let all: Vec<&FileWrite> = writes.iter().chain(&schema).collect();
        let commit = series.commit(&all, removes, message)?;
        self.repo.pend(all.iter().copied(), removes);
        let paths = writes.iter().map(|w| w.path.clone());
        self.stored
            .written
            .extend(paths.chain(removes.iter().cloned()));
        let id = commit.to_string();
        let subject = message.lines().next().unwrap_or_default();
        self.messages.push(format!("{} {subject}", &id[..12]));
        self.stored.commit = Some(id);
        Ok(())
    }
}

/// Whether an export's files are written (a new snapshot, or a re-issue
/// allowed to replace).
fn writes_export(export: &ExportPlacement) -> bool {
    matches!(
        export.action,
        ExportAction::New | ExportAction::Reissue { replaced: true }
    )
}

/// The schema files the repository lacks, or holds in an older version.
fn schema_writes(repo: &DataRepo) -> Result<Vec<FileWrite>, Error> {
    let mut writes = Vec::new();
    for (path, text) in canonical::SCHEMA_FILES {
        if repo.read(path)?.as_deref() != Some(text.as_bytes()) {
            writes.push(FileWrite {
                path: path.to_string(),
                bytes: text.as_bytes().to_vec(),
            });
        }
    }
    Ok(writes)
}
