//! `tariffs import FILE...`: parse, validate, store and commit; all or nothing.

use serde::Serialize;

use super::{print_findings, Out, Outcome};
use crate::catalog::{self, Snapshot};
use crate::cli::{Format, ImportArgs};
use crate::diff::{self, Diff};
use crate::error::Error;
use crate::layout::{PARSED_DIR, SOURCES_DIR};
use crate::pipeline::{self, Processed};
use crate::source;
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
    // Conventions are checked against the tariff tables already imported;
    // those are read only when a convention is among the files.
    let mut tables: Option<Tables> = None;
    let mut processed = Vec::new();
    for file in &args.files {
        let doc = source::read(file, &options)?;
        if tables.is_none() && crate::parse::convention::is_convention(&doc) {
            tables = Some(match DataRepo::open(&args.repo.repo) {
                Ok(repo) => catalog::tables(&repo)?,
                Err(_) => Tables::default(),
            });
        }
        let none = Tables::default();
        processed.push(pipeline::process_with(
            doc,
            tables.as_ref().unwrap_or(&none),
        )?);
    }
    refuse_two_versions_of_one_document(&processed)?;
    let all_findings: Vec<Finding> = processed.iter().flat_map(|p| p.findings.clone()).collect();
    let (errors, warnings) = validate::count(&all_findings);
    let blocked = errors > 0;
    let stored = if blocked || args.dry_run {
        Stored::default()
    } else {
        store(&args, &processed)?
    };
    match args.format {
        Format::Json => Out::json(&ImportReport {
            dry_run: args.dry_run,
            documents: processed.iter().map(document_report).collect(),
            errors,
            warnings,
            written: stored.written,
            commit: stored.commit,
        }),
        Format::Text => print_text(&processed, blocked, args.dry_run, &stored),
    }
    Ok(Outcome::from_bad(blocked))
}

/// Writes the documents into the data repository and commits them.
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
    let writes = files_to_write(processed);
    let removes = stale_sources(&repo, processed)?;
    let (Some(git), false) = (&git, args.no_commit) else {
        stored.written = repo.write_files(&writes)?;
        for path in &removes {
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
    let mut unchanged = removes.is_empty();
    for write in &writes {
        unchanged &= git.head_file(&write.path)?.as_deref() == Some(&write.bytes[..]);
    }
    if unchanged {
        return Ok(stored);
    }
    let message = commit_message(&repo, git, processed)?;
    let author = git.signature(args.author.as_deref())?;
    let commit = git.commit_files(&writes, &removes, &message, &author)?;
    stored.written = writes
        .iter()
        .map(|w| w.path.clone())
        .chain(removes)
        .collect();
    stored.commit = Some(commit.to_string());
    stored.message = Some(message);
    Ok(stored)
}

/// The stored source and the snapshot of every document.
fn files_to_write(processed: &[Processed]) -> Vec<FileWrite> {
    processed
        .iter()
        .flat_map(|p| {
            [
                FileWrite {
                    path: p.snapshot.source_path.clone(),
                    bytes: p.doc.bytes.clone(),
                },
                FileWrite {
                    path: p.snapshot.snapshot_path.clone(),
                    bytes: p.snapshot.yaml.clone().into_bytes(),
                },
            ]
        })
        .collect()
}

/// Sources of the same documents in another language or format: a re-issue
/// replaces them, so `sources/` keeps one source per snapshot.
fn stale_sources(repo: &DataRepo, processed: &[Processed]) -> Result<Vec<String>, Error> {
    let mut stale = Vec::new();
    for path in repo.sources()? {
        let path = repo.relative(&path);
        let replaced = processed.iter().any(|p| {
            path.starts_with(&p.snapshot.id.source_stem()) && path != p.snapshot.source_path
        });
        if replaced {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// Subject, body (what changed) and trailers of an import commit.
fn commit_message(
    repo: &DataRepo,
    git: &GitRepo,
    processed: &[Processed],
) -> Result<String, Error> {
    let titles: Vec<String> = processed.iter().map(title).collect();
    let subject = match titles.as_slice() {
        [one] => one.clone(),
        many => format!("import {} documents: {}", many.len(), many.join("; ")),
    };
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    for p in processed {
        let (against, before) = previous_state(repo, git, p)?;
        let after = Snapshot::from_parsed(&p.parsed).state(&p.snapshot.snapshot_path);
        body.push(describe_changes(
            &title(p),
            &against,
            &diff::diff(&before, &after),
        ));
        trailers.extend([
            format!("Effective-Date: {}", p.snapshot.id.effective_from),
            format!("Document-Kind: {}", p.snapshot.id.kind.word()),
            format!("Profession: {}", p.snapshot.id.profession),
            format!("Source-File: {}", p.snapshot.source_path),
            format!("Source-SHA256: {}", p.doc.sha256),
            format!("Rows: {}", p.rows),
        ]);
    }
    Ok(format!(
        "{subject}\n\n{}\n\n{}\n",
        body.join("\n\n"),
        trailers.join("\n")
    ))
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
fn describe_changes(title: &str, against: &str, d: &Diff) -> String {
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
        .take(8)
        .collect();
    lines.extend(shown);
    for (sign, list) in [("+", &d.added), ("-", &d.removed)] {
        if !list.is_empty() {
            let codes: Vec<String> = list.iter().take(8).map(|s| s.code.to_string()).collect();
            let more = if list.len() > 8 { ", ..." } else { "" };
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

fn refuse_two_versions_of_one_document(processed: &[Processed]) -> Result<(), Error> {
    for (i, a) in processed.iter().enumerate() {
        if let Some(b) = processed[..i]
            .iter()
            .find(|b| b.snapshot.snapshot_path == a.snapshot.snapshot_path)
        {
            return Err(Error::Usage(format!(
                "{} and {} are both {}: import them one at a time",
                b.doc.display_path(),
                a.doc.display_path(),
                a.snapshot.snapshot_path
            )));
        }
    }
    Ok(())
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

fn print_text(processed: &[Processed], blocked: bool, dry_run: bool, stored: &Stored) {
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
    if stored.initialized {
        lines.push_str("initialized a git repository for the data\n");
    }
    let verdict = if blocked {
        "not imported: fix the errors above; nothing was written".to_string()
    } else if dry_run {
        "dry run: nothing was written".to_string()
    } else if stored.written.is_empty() {
        "already imported: nothing changed, no commit made".to_string()
    } else {
        let mut v = format!("wrote {}", stored.written.join(", "));
        if let (Some(id), Some(message)) = (&stored.commit, &stored.message) {
            let summary = message.split("\n\n").take(2).collect::<Vec<_>>().join("\n");
            v.push_str(&format!("\ncommitted {}: {summary}", &id[..12]));
        }
        v
    };
    lines.push_str(&verdict);
    lines.push('\n');
    Out::print(&lines);
}
