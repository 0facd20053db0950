//! `tariffs import FILE...`: parse, validate, store and commit; all or nothing.

use serde::Serialize;

use super::{print_findings, Out, Outcome};
use crate::batch;
use crate::canonical;
use crate::catalog::{self, Snapshot};
use crate::cli::{Format, ImportArgs};
use crate::diff::{self, Diff};
use crate::error::Error;
use crate::layout::{PARSED_DIR, SOURCES_DIR};
use crate::pipeline::Processed;
use crate::placement::{self, Action, Placement};
use crate::state::State;
use crate::store::git::GitRepo;
use crate::store::{DataRepo, FileWrite, RepoLock};
use crate::validate::convention::Tables;
use crate::validate::{self, Finding};

/// The JSON report of an import.
#[derive(Debug, Serialize)]
struct ImportReport<'a> {
    dry_run: bool,
    documents: Vec<DocumentReport<'a>>,
    /// What the import does to each snapshot: `new`, `language`, `re-issue`,
    /// `language-mismatch`, `same-values`, `already-imported`.
    placements: Vec<PlacementReport<'a>>,
    errors: usize,
    warnings: usize,
    /// Repository paths written or removed (empty on a dry run or when nothing changed).
    written: Vec<String>,
    /// The commit made, if any.
    commit: Option<String>,
}

#[derive(Debug, Serialize)]
struct DocumentReport<'a> {
    file: String,
    kind: &'static str,
    profession: &'a str,
    effective_from: String,
    rows: usize,
    source: &'a str,
    snapshot: &'a str,
    findings: &'a [Finding],
}

#[derive(Debug, Serialize)]
struct PlacementReport<'a> {
    snapshot: &'a str,
    action: &'static str,
    summary: &'a str,
    /// Value changes against the snapshot in place (re-issues).
    changes: Option<ChangesReport>,
    /// Sources of other languages a replacing re-issue drops.
    dropped: &'a [String],
    findings: &'a [Finding],
}

fn placement_report(p: &Placement) -> PlacementReport<'_> {
    PlacementReport {
        snapshot: &p.snapshot_path,
        action: action_word(&p.action),
        summary: &p.summary,
        changes: p.changes.as_ref().map(changes_report),
        dropped: &p.dropped,
        findings: &p.findings,
    }
}

/// Value changes: `{"changed": [{"code", "field", "old", "new"}], "added": [...], "removed": [...]}`.
#[derive(Debug, Serialize)]
struct ChangesReport {
    changed: Vec<ChangeReport>,
    added: Vec<String>,
    removed: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ChangeReport {
    code: String,
    field: &'static str,
    old: String,
    new: String,
}

fn changes_report(d: &Diff) -> ChangesReport {
    ChangesReport {
        changed: d
            .changed
            .iter()
            .flat_map(|c| {
                c.changes.iter().map(|ch| ChangeReport {
                    code: c.code.to_string(),
                    field: ch.field.name(),
                    old: ch.old.to_string(),
                    new: ch.new.to_string(),
                })
            })
            .collect(),
        added: d.added.iter().map(|s| s.code.to_string()).collect(),
        removed: d.removed.iter().map(|s| s.code.to_string()).collect(),
    }
}

fn action_word(action: &Action) -> &'static str {
    match action {
        Action::New => "new",
        Action::AddLanguage { .. } => "language",
        Action::LanguageMismatch => "language-mismatch",
        Action::Reissue { .. } => "re-issue",
        Action::SameValues { .. } => "same-values",
        Action::AlreadyImported => "already-imported",
    }
}

/// What storing did.
#[derive(Debug, Default)]
struct Stored {
    written: Vec<String>,
    commit: Option<String>,
    message: Option<String>,
    initialized: bool,
}

pub fn run(args: ImportArgs) -> Result<Outcome, Error> {
    let options = super::read_options(args.timeout);
    let (files, skipped) = batch::expand(&args.files)?;
    for path in &skipped {
        super::note(&format!(
            "skipped {} (not a .pdf or .txt document)",
            path.display()
        ));
    }
    if files.is_empty() {
        return Err(Error::Usage("no .pdf or .txt document to import".into()));
    }
    // Conventions are checked against the tariff tables already imported.
    let tables = match DataRepo::open(&args.repo.repo) {
        Ok(repo) if repo.root().join(crate::layout::PARSED_DIR).is_dir() => catalog::tables(&repo)?,
        _ => Tables::default(),
    };
    let bar = progress_bar(files.len());
    let processed = batch::process(&files, &options, &tables, &|file: &std::path::Path| {
        bar.set_message(file.display().to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let repo = DataRepo::open(&args.repo.repo).ok();
    // Documents with errors are not placed: nothing will be written anyway.
    let placements = if processed.iter().any(Processed::has_errors) {
        Vec::new()
    } else {
        placement::place(repo.as_ref(), &processed, args.replace)?
    };
    let mut all_findings: Vec<Finding> =
        processed.iter().flat_map(|p| p.findings.clone()).collect();
    all_findings.extend(placements.iter().flat_map(|p| p.findings.clone()));
    let (errors, warnings) = validate::count(&all_findings);
    let blocked = errors > 0 || placements.iter().any(Placement::blocks);
    let stored = if blocked || args.dry_run {
        Stored::default()
    } else {
        store(&args, &processed)?
    };
    match args.format {
        Format::Json => Out::json(&ImportReport {
            dry_run: args.dry_run,
            documents: processed.iter().map(document_report).collect(),
            placements: placements.iter().map(placement_report).collect(),
            errors,
            warnings,
            written: stored.written,
            commit: stored.commit,
        }),
        Format::Text => print_text(&processed, &placements, blocked, args.dry_run, &stored),
    }
    Ok(Outcome::from_bad(blocked))
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
fn progress_bar(len: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} documents read  {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Writes the documents into the data repository and commits them: one
/// commit per document, in effective-date order, so `git log` reads as the
/// timeline.
fn store(args: &ImportArgs, processed: &[Processed]) -> Result<Stored, Error> {
    let root = &args.repo.repo;
    std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
    let repo = DataRepo::open(root)?;
    let mut stored = Stored::default();
    let git = match GitRepo::open(root)? {
        Some(git) => Some(git),
        None if args.no_commit => None,
        None => {
            stored.initialized = true;
            Some(GitRepo::init(root)?)
        }
    };
    let _lock = match &git {
        Some(git) => Some(RepoLock::acquire(&git.git_dir().join("tariffs.lock"))?),
        None => None,
    };
    if let Some(git) = &git {
        git.recover()?;
    }
    // Placed again under the lock: another import may have landed since.
    let placements = placement::place(Some(&repo), processed, args.replace)?;
    if placements.iter().any(Placement::blocks) {
        return Err(Error::repository(
            root,
            "the repository changed while this import was prepared: run it again".to_string(),
        ));
    }
    // The schemas go with the data, so the snapshots' `$schema` headers resolve.
    let schema_writes = schema_writes(&repo)?;
    let (Some(git), false) = (&git, args.no_commit) else {
        let mut writes: Vec<FileWrite> = placements.iter().flat_map(|p| p.writes.clone()).collect();
        if !writes.is_empty() {
            writes.extend(schema_writes);
        }
        stored.written = repo.write_files(&writes)?;
        for path in placements.iter().flat_map(|p| &p.removes) {
            let target = repo.path(path);
            std::fs::remove_file(&target).map_err(|e| Error::io(&target, e))?;
            stored.written.push(path.clone());
        }
        return Ok(stored);
    };
    let dirty = git.dirty_paths(&[SOURCES_DIR, PARSED_DIR])?;
    if !dirty.is_empty() {
        return Err(Error::repository(
            root,
            format!(
                "uncommitted changes in {}: commit or discard them first, or import with --no-commit",
                dirty.join(", ")
            ),
        ));
    }
    let author = git.signature(args.author.as_deref())?;
    let mut ordered: Vec<&Placement> = placements.iter().collect();
    ordered.sort_by_key(|p| placement::date(p));
    let mut messages = Vec::new();
    let mut schema_writes = Some(schema_writes);
    for pl in ordered {
        let mut unchanged = pl.removes.is_empty();
        for write in &pl.writes {
            unchanged &= git.head_file(&write.path)?.as_deref() == Some(&write.bytes[..]);
        }
        if unchanged {
            continue;
        }
        let message = commit_message(&repo, git, processed, std::slice::from_ref(pl))?;
        // The first commit also brings the schemas when they are missing or older.
        let mut writes = pl.writes.clone();
        writes.extend(schema_writes.take().unwrap_or_default());
        let commit = git.commit_files(&writes, &pl.removes, &message, &author)?;
        stored.written.extend(
            pl.writes
                .iter()
                .map(|w| w.path.clone())
                .chain(pl.removes.clone()),
        );
        stored.commit = Some(commit.to_string());
        messages.push(format!(
            "{} {}",
            &commit.to_string()[..12],
            message.lines().next().unwrap_or_default()
        ));
    }
    if !messages.is_empty() {
        stored.message = Some(messages.join("\n"));
    }
    Ok(stored)
}

/// Subject, body (what changed) and trailers of an import commit.
fn commit_message(
    repo: &DataRepo,
    git: &GitRepo,
    processed: &[Processed],
    placements: &[Placement],
) -> Result<String, Error> {
    let titles: Vec<String> = placements
        .iter()
        .map(|pl| match pl.action {
            // A first import keeps the subject it always had.
            Action::New => new_subject(processed, pl),
            _ => pl.subject(),
        })
        .collect();
    let subject = match titles.as_slice() {
        [one] => one.clone(),
        many => format!("import {} documents: {}", many.len(), many.join("; ")),
    };
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    for pl in placements {
        let p = &processed[pl.documents[0]];
        let (against, before) = previous_state(repo, git, p)?;
        let after = Snapshot::from_bytes(
            &pl.snapshot_path,
            &pl.writes
                .iter()
                .find(|w| w.path == pl.snapshot_path)
                .map_or_else(Vec::new, |w| w.bytes.clone()),
        )
        .map(|s| s.state(&pl.snapshot_path))
        .unwrap_or_else(|_| Snapshot::from_parsed(&p.parsed).state(&pl.snapshot_path));
        let changes = diff::diff(&before, &after);
        let mut paragraph = describe_changes(&pl.subject(), &against, &changes, reissue(pl));
        if !pl.dropped.is_empty() {
            paragraph.push_str(&format!(
                "\nDropped source(s) of another language: {}",
                pl.dropped.join(", ")
            ));
        }
        body.push(paragraph);
        trailers.push(format!("Import-Kind: {}", action_word(&pl.action)));
        trailers.push(format!(
            "Value-Changes: {}",
            placement::value_changes(&changes)
        ));
        for i in &pl.documents {
            let p = &processed[*i];
            trailers.extend([
                format!("Effective-Date: {}", p.snapshot.id.effective_from),
                format!("Document-Kind: {}", p.snapshot.id.kind.word()),
                format!("Profession: {}", p.snapshot.id.profession),
                format!("Source-File: {}", p.snapshot.source_path),
                format!("Source-SHA256: {}", p.doc.sha256),
                format!("Rows: {}", p.rows),
            ]);
        }
    }
    Ok(format!(
        "{subject}\n\n{}\n\n{}\n",
        body.join("\n\n"),
        trailers.join("\n")
    ))
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

/// `physiotherapy tariff 2024-01-01: 197 rows (fr + nl)`
fn new_subject(processed: &[Processed], pl: &Placement) -> String {
    let first = title(&processed[pl.documents[0]]);
    if pl.documents.len() < 2 {
        return first;
    }
    let languages: Vec<String> = pl
        .documents
        .iter()
        .map(|i| {
            let source = &processed[*i].snapshot.source_path;
            source.rsplit('.').nth(1).unwrap_or_default().to_string()
        })
        .collect();
    format!("{first} ({})", languages.join(" + "))
}

/// Whether a placement replaces a snapshot (its commit body lists every change).
fn reissue(pl: &Placement) -> bool {
    matches!(pl.action, Action::Reissue { .. })
}

/// `physiotherapy tariff 2024-01-01: 197 rows`
fn title(p: &Processed) -> String {
    format!(
        "{} {} {}: {}",
        p.snapshot.id.profession,
        p.snapshot.id.kind.word(),
        p.snapshot.id.effective_from,
        p.summary
    )
}

/// What a document is compared with: its own earlier version (a re-issue), or
/// else the state of its profession at its date.
fn previous_state(repo: &DataRepo, git: &GitRepo, p: &Processed) -> Result<(String, State), Error> {
    let path = &p.snapshot.snapshot_path;
    if let Some(bytes) = git.head_file(path)? {
        let old = Snapshot::from_bytes(path, &bytes)?;
        return Ok((format!("the previous version of {path}"), old.state(path)));
    }
    let snapshots = catalog::list(repo)?;
    let date = p.snapshot.id.effective_from;
    let (state, from) = catalog::state_at(repo, &snapshots, &p.snapshot.id.profession, date)?;
    let against = match from.as_slice() {
        [] => "an empty repository".to_string(),
        files => format!("the state at {date} ({})", files.join(", ")),
    };
    Ok((against, state))
}

/// The commit body paragraph of one document.
fn describe_changes(title: &str, against: &str, d: &Diff, every_change: bool) -> String {
    let mut lines = vec![format!(
        "{title}. Against {against}: codes added {}, removed {}, changed {}, unchanged {}.",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    )];
    let shown: Vec<String> = d
        .changed
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .map(move |ch| format!("  {} {} {} → {}", c.code, ch.field.name(), ch.old, ch.new))
        })
        .take(if every_change { usize::MAX } else { 8 })
        .collect();
    lines.extend(shown);
    for (sign, list) in [("+", &d.added), ("-", &d.removed)] {
        if !list.is_empty() {
            let shown = if every_change { list.len() } else { 8 };
            let codes: Vec<String> = list
                .iter()
                .take(shown)
                .map(|s| s.code.to_string())
                .collect();
            let more = if list.len() > shown { ", ..." } else { "" };
            lines.push(format!("  {sign} {}{more}", codes.join(", ")));
        }
    }
    lines.join("\n")
}

/// `stated fees: 42 codes in 6 statements checked, all correct; 21 not checked (...)`
fn fee_check_line(check: &crate::validate::convention::FeeCheck, findings: &[Finding]) -> String {
    let wrong = findings
        .iter()
        .filter(|f| f.rule == crate::validate::Rule::StatedFeeMismatch)
        .count();
    let verdict = if wrong == 0 {
        "all correct".to_string()
    } else {
        format!("{wrong} wrong")
    };
    let mut reasons: Vec<&str> = check.unchecked.iter().map(|(_, why)| *why).collect();
    reasons.dedup();
    let unchecked = match check.unchecked.len() {
        0 => String::new(),
        n => format!("; {n} codes not checked ({})", reasons.join("; ")),
    };
    format!(
        "  stated fees: {} codes in {} statements checked, {verdict}{unchecked}\n",
        check.codes_checked, check.statements_checked
    )
}

fn document_report(p: &Processed) -> DocumentReport<'_> {
    DocumentReport {
        file: p.doc.display_path(),
        kind: p.snapshot.id.kind.word(),
        profession: &p.snapshot.id.profession,
        effective_from: p.snapshot.id.effective_from.to_string(),
        rows: p.rows,
        source: &p.snapshot.source_path,
        snapshot: &p.snapshot.snapshot_path,
        findings: &p.findings,
    }
}

fn print_text(
    processed: &[Processed],
    placements: &[Placement],
    blocked: bool,
    dry_run: bool,
    stored: &Stored,
) {
    let mut lines = String::new();
    for p in processed {
        print_findings(&p.doc.display_path(), &p.findings);
        lines.push_str(&format!(
            "{}: {}\n",
            p.doc.display_path(),
            title(p).replacen(':', ",", 1)
        ));
        if let crate::parse::ParsedDocument::Convention(c) = &p.parsed {
            lines.push_str(&fee_check_line(&c.fee_check, &p.findings));
        }
    }
    let documents_blocked = processed.iter().any(|p| p.has_errors());
    for pl in placements
        .iter()
        .filter(|pl| !documents_blocked || pl.blocks())
    {
        print_findings(&pl.snapshot_path, &pl.findings);
        lines.push_str(&format!("{}\n", pl.summary));
        if let Some(changes) = &pl.changes {
            for c in &changes.changed {
                for ch in &c.changes {
                    lines.push_str(&format!(
                        "  {} {}: {} → {}\n",
                        c.code,
                        ch.field.name(),
                        ch.old,
                        ch.new
                    ));
                }
            }
            for (sign, list) in [("added", &changes.added), ("removed", &changes.removed)] {
                for s in list.iter() {
                    lines.push_str(&format!("  {} {sign}\n", s.code));
                }
            }
        }
    }
    if stored.initialized {
        lines.push_str("initialized a git repository for the data\n");
    }
    let reissue_refused = placements
        .iter()
        .any(|p| p.action == Action::Reissue { replaced: false });
    let errors = processed.iter().any(|p| p.has_errors())
        || placements.iter().any(|p| !p.findings.is_empty());
    let verdict = if blocked && !errors && reissue_refused {
        "not imported: a re-issue replaces a snapshot only with --replace; nothing was written"
            .to_string()
    } else if blocked {
        "not imported: fix the errors above; nothing was written".to_string()
    } else if dry_run {
        "dry run: nothing was written".to_string()
    } else if stored.written.is_empty() {
        "already imported: nothing changed, no commit made".to_string()
    } else {
        let mut v = format!("wrote {}", stored.written.join(", "));
        if let Some(commits) = &stored.message {
            v.push_str(&format!("\ncommitted:\n{commits}"));
        }
        v
    };
    lines.push_str(&verdict);
    lines.push('\n');
    Out::print(&lines);
}
