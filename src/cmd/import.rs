//! `tariffs import FILE...`: parse, validate, store and commit; all or nothing.

use serde::Serialize;

use std::path::Path;

use super::{print_findings, Out, Outcome};
use crate::batch;
use crate::cli::{Format, ImportArgs};
use crate::diff::Diff;
use crate::error::Error;
use crate::findings::Finding;
use crate::import::{self, title, Import, ImportOptions};
use crate::nomensoft::placement::{ExportAction, ExportPlacement};
use crate::pipeline::Processed;
use crate::placement::{Action, DocumentChange, Placement};

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
    /// NomenSoft exports: file, snapshot, action, fee records, cross-check
    /// counts and findings.
    exports: Vec<ExportReport<'a>>,
    /// Repository paths written or removed (empty on a dry run or when nothing changed).
    written: &'a [String],
    /// The commit made, if any.
    commit: Option<&'a str>,
    /// What the folders named held that is not imported: `{path, reason}`.
    skipped: &'a [batch::Skipped],
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
struct ExportReport<'a> {
    file: String,
    snapshot: &'a str,
    /// `new`, `already-imported`, `re-issue`.
    action: &'static str,
    fee_records: usize,
    codes_compared: usize,
    values_compared: usize,
    findings: &'a [Finding],
}

fn export_report(e: &ExportPlacement) -> ExportReport<'_> {
    ExportReport {
        file: e.file.display().to_string(),
        snapshot: &e.snapshot_path,
        action: match e.action {
            ExportAction::New => "new",
            ExportAction::AlreadyImported => "already-imported",
            ExportAction::Reissue { .. } => "re-issue",
        },
        fee_records: e.nomenclature.fees.len(),
        codes_compared: e.cross_check.codes_compared,
        values_compared: e.cross_check.values_compared,
        findings: &e.findings,
    }
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
        action: p.action.word(),
        summary: &p.summary,
        changes: p
            .changes
            .as_ref()
            .map(|d| changes_report(d, &p.document_changes)),
        dropped: &p.dropped,
        findings: &p.findings,
    }
}

/// Value changes: `{"changed": [{"code", "field", "old", "new"}], "added":
/// [...], "removed": [...], "document": [{"field", "language", "old", "new"}]}`.
#[derive(Debug, Serialize)]
struct ChangesReport {
    changed: Vec<ChangeReport>,
    added: Vec<String>,
    removed: Vec<String>,
    /// Changes to the document's own fields: its title in a language, a
    /// convention's `concluded_on` or `effective_until`.
    document: Vec<DocumentChangeReport>,
}

#[derive(Debug, Serialize)]
struct DocumentChangeReport {
    field: &'static str,
    /// The language of a title; null for a date.
    language: Option<&'static str>,
    old: String,
    new: String,
}

#[derive(Debug, Serialize)]
struct ChangeReport {
    code: String,
    field: &'static str,
    old: String,
    new: String,
}

fn changes_report(d: &Diff, document: &[DocumentChange]) -> ChangesReport {
    ChangesReport {
        document: document
            .iter()
            .map(|c| DocumentChangeReport {
                field: c.field,
                language: c.language.map(|l| l.code()),
                old: c.old.clone(),
                new: c.new.clone(),
            })
            .collect(),
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

pub fn run(args: ImportArgs) -> Result<Outcome, Error> {
    let batch::Expanded {
        documents: files,
        skipped,
    } = batch::expand(&args.files)?;
    for s in &skipped {
        super::note(&format!("skipped: {}: {}", s.path.display(), s.reason));
    }
    if files.is_empty() {
        return Err(Error::Usage("no .pdf or .txt document to import".into()));
    }
    let options = ImportOptions {
        dry_run: args.dry_run,
        no_commit: args.no_commit,
        replace: args.replace,
        author: args.author.clone(),
        read: super::read_options(&args.read),
    };
    let bar = progress_bar(files.len());
    let done = import::import(&args.repo.repo, &files, &options, &|file: &Path| {
        bar.set_message(file.display().to_string());
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    match args.format {
        Format::Json => Out::json(&ImportReport {
            dry_run: args.dry_run,
            documents: done.processed.iter().map(document_report).collect(),
            placements: done.placements.iter().map(placement_report).collect(),
            exports: done.exports.iter().map(export_report).collect(),
            errors: done.errors,
            warnings: done.warnings,
            written: &done.stored.written,
            commit: done.stored.commit.as_deref(),
            skipped: &skipped,
        }),
        Format::Text => print_text(&done, args.dry_run),
    }
    report_written(&args.repo.repo, &done.stored)?;
    Ok(Outcome::from_bad(done.blocked))
}

/// Once an import has stored something, a report that could not be written
/// (a full disk, `> /dev/full`) is no "could not run": the error says what
/// was stored, then that the report was lost (exit 4). With nothing stored,
/// the failed write is left to `main`, as for any command (exit 2).
fn report_written(repo: &Path, stored: &import::Stored) -> Result<(), Error> {
    if stored.written.is_empty() {
        return Ok(());
    }
    let Some(reason) = super::take_write_error() else {
        return Ok(());
    };
    let what = match (&stored.commit, &stored.message) {
        (Some(commit), Some(message)) if message.lines().count() > 1 => format!(
            "committed {commit} (the last of {} commits)",
            message.lines().count()
        ),
        (Some(commit), _) => format!("committed {commit}"),
        (None, _) => format!(
            "wrote {} (no commit: --no-commit)",
            stored.written.join(", ")
        ),
    };
    Err(Error::ReportNotWritten {
        path: repo.to_path_buf(),
        stored: what,
        reason,
    })
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

/// `stated fees: 42 codes in 6 statements checked, all correct; 21 not checked (...)`
fn fee_check_line(check: &crate::validate::convention::FeeCheck, findings: &[Finding]) -> String {
    let wrong = findings
        .iter()
        .filter(|f| f.rule == crate::findings::Rule::StatedFeeMismatch)
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
        kind: p.filing.id.kind.word(),
        profession: &p.filing.id.profession,
        effective_from: p.filing.id.effective_from.to_string(),
        rows: p.rows,
        source: &p.filing.source_path,
        snapshot: &p.filing.snapshot_path,
        findings: &p.findings,
    }
}

fn print_text(done: &Import, dry_run: bool) {
    let (processed, placements, blocked, stored) = (
        &done.processed,
        &done.placements,
        done.blocked,
        &done.stored,
    );
    let mut lines = String::new();
    for p in processed {
        print_findings(&p.doc.display_path(), &p.findings);
        lines.push_str(&format!(
            "{}: {}\n",
            p.doc.display_path(),
            title(p).replacen(':', ",", 1)
        ));
        if let Some(check) = &p.fee_check {
            lines.push_str(&fee_check_line(check, &p.findings));
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
        for c in &pl.document_changes {
            lines.push_str(&format!("  {}: {} → {}\n", c.name(), c.old, c.new));
        }
    }
    for e in &done.exports {
        print_findings(&e.nomenclature.source.file, &e.findings);
        lines.push_str(&format!("{}\n", e.summary()));
    }
    if stored.initialized {
        lines.push_str("initialized a git repository for the data\n");
    }
    let reissue_refused = placements
        .iter()
        .any(|p| p.action == Action::Reissue { replaced: false })
        || done
            .exports
            .iter()
            .any(|e| e.action == ExportAction::Reissue { replaced: false });
    let errors = processed.iter().any(|p| p.has_errors())
        || placements.iter().any(|p| !p.findings.is_empty())
        || done
            .exports
            .iter()
            .any(|e| e.findings.iter().any(Finding::is_error));
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
