//! `tariffs validate [PATH...]`: re-check snapshots (schema, then arithmetic).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::{print_findings, Out, Outcome};
use crate::canonical;
use crate::catalog::{self, Snapshot};
use crate::cli::{Format, ValidateArgs};
use crate::error::Error;
use crate::model::TariffRow;
use crate::parse::row::parse_row;
use crate::parse::tariff::place_in_line;
use crate::source::SourceDocument;
use crate::store::DataRepo;
use crate::validate::tariff::{Cell, Locate};
use crate::validate::{self, Finding, Place};

#[derive(Debug, Serialize)]
struct SnapshotReport {
    file: String,
    findings: Vec<Finding>,
}

pub fn run(args: ValidateArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let paths = if args.paths.is_empty() {
        repo.snapshots()?
    } else {
        args.paths.clone()
    };
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "no snapshots to validate under {}/parsed",
            repo.root().display()
        )));
    }
    let mut reports = Vec::new();
    for path in &paths {
        reports.push(SnapshotReport {
            file: repo.relative(path),
            findings: check_snapshot(&repo, path)?,
        });
    }
    let bad = reports
        .iter()
        .any(|r| r.findings.iter().any(Finding::is_error));
    match args.format {
        Format::Json => Out::json(&reports),
        Format::Text => {
            for r in &reports {
                print_findings(&r.file, &r.findings);
                if r.findings.is_empty() {
                    Out::print(&format!("{}: ok\n", r.file));
                }
            }
        }
    }
    Ok(Outcome::from_bad(bad))
}

/// Every finding about one snapshot: schema violations, or else rule findings.
///
/// The schema is checked once, here; the snapshot is then read typed, once.
pub fn check_snapshot(repo: &DataRepo, path: &Path) -> Result<Vec<Finding>, Error> {
    let text = canonical::bounds::read_file(path)?;
    let label = path.display().to_string();
    let schema = canonical::declared_schema(&text)
        .and_then(canonical::json_schema_for)
        .ok_or_else(|| Error::BadSnapshot {
            path: path.to_path_buf(),
            reason: "no `schema: inami-tariffs/...` line: not a snapshot of this tool".into(),
        })?;
    let schema_findings = canonical::schema_findings(path, &text, schema)?;
    if !schema_findings.is_empty() {
        return Ok(schema_findings);
    }
    let mut findings = match Snapshot::from_yaml(&label, &text)? {
        Snapshot::Tariff(table) => {
            let locate = SnapshotLocator {
                snapshot: path.to_path_buf(),
                source_file: table.source.file.as_str().into(),
                source: source_text(repo, &table.source.file, &table.source.sha256),
            };
            validate::tariff::check(&table, &locate)
        }
        Snapshot::Convention(convention) => {
            // Findings are placed in the stored source when it is at hand.
            let source = source_text(repo, &convention.source.file, &convention.source.sha256)
                .unwrap_or_else(|| SourceDocument::from_text(&convention.source.file, ""));
            let tables = catalog::tables(repo)?;
            validate::convention::check(&convention, &source, &tables).0
        }
    };
    validate::sort(&mut findings);
    Ok(findings)
}

/// The stored source text, when it is text and still the one the snapshot names.
fn source_text(repo: &DataRepo, file: &str, sha256: &str) -> Option<SourceDocument> {
    let bytes = repo.read(file).ok()??;
    let text = std::str::from_utf8(&bytes).ok()?;
    let doc = SourceDocument::from_text(file, text);
    (doc.sha256 == sha256).then_some(doc)
}

/// Places findings at the row's line in the stored source; when the source
/// text is at hand, re-reads the line for the caret.
struct SnapshotLocator {
    snapshot: PathBuf,
    source_file: Arc<str>,
    source: Option<SourceDocument>,
}

impl Locate for SnapshotLocator {
    fn place(&self, _: usize, row: &TariffRow, cell: Cell) -> Place {
        let found = self.source.as_ref().and_then(|d| d.line(row.source_line));
        let Some(line) = found else {
            return Place {
                file: format!(
                    "{} (row from {})",
                    self.snapshot.display(),
                    self.source_file
                )
                .into(),
                line: Some(row.source_line),
                page: row.source_page,
                ..Place::default()
            };
        };
        let span = parse_row(&line.text)
            .map(|cells| cells.spans.get(cell, &line.text))
            .unwrap_or(0..line.text.len());
        let width = line.text[span.clone()].chars().count();
        place_in_line(&self.source_file, line, span.start, width)
    }
}
