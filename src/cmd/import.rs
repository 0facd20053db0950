//! `tariffs import FILE...`: parse, validate, store; all or nothing.

use std::time::Duration;

use serde::Serialize;

use super::{print_findings, Out, Outcome};
use crate::cli::{Format, ImportArgs};
use crate::error::Error;
use crate::pipeline::{self, Processed};
use crate::source::{self, ReadOptions};
use crate::store::{DataRepo, FileWrite};
use crate::validate::{self, Finding};

/// The JSON report of an import.
#[derive(Debug, Serialize)]
struct ImportReport<'a> {
    dry_run: bool,
    documents: Vec<DocumentReport<'a>>,
    errors: usize,
    warnings: usize,
    /// Repository paths written (empty on a dry run or when nothing changed).
    written: Vec<String>,
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

pub fn run(args: ImportArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let options = ReadOptions {
        pdf_timeout: Duration::from_secs(args.timeout),
    };
    let mut processed = Vec::new();
    for file in &args.files {
        processed.push(pipeline::process(source::read(file, options)?)?);
    }
    refuse_two_versions_of_one_document(&processed)?;
    let all_findings: Vec<Finding> = processed.iter().flat_map(|p| p.findings.clone()).collect();
    let (errors, warnings) = validate::count(&all_findings);
    let blocked = errors > 0;
    let written = if blocked || args.dry_run {
        Vec::new()
    } else {
        repo.write_files(&files_to_write(&processed))?
    };
    match args.format {
        Format::Json => Out::json(&ImportReport {
            dry_run: args.dry_run,
            documents: processed.iter().map(document_report).collect(),
            errors,
            warnings,
            written,
        }),
        Format::Text => print_text(&processed, blocked, args.dry_run, &written),
    }
    Ok(Outcome::from_bad(blocked))
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

fn print_text(processed: &[Processed], blocked: bool, dry_run: bool, written: &[String]) {
    let mut lines = String::new();
    for p in processed {
        print_findings(&p.doc.display_path(), &p.findings);
        lines.push_str(&format!(
            "{}: {} {} {}, {} rows\n",
            p.doc.display_path(),
            p.snapshot.id.profession,
            p.snapshot.id.kind.word(),
            p.snapshot.id.effective_from,
            p.rows,
        ));
    }
    let verdict = if blocked {
        "not imported: fix the errors above; nothing was written".to_string()
    } else if dry_run {
        "dry run: nothing was written".to_string()
    } else if written.is_empty() {
        "already imported: nothing changed".to_string()
    } else {
        format!("wrote {}", written.join(", "))
    };
    lines.push_str(&verdict);
    lines.push('\n');
    Out::print(&lines);
}
