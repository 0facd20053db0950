//! `tariffs validate [PATH...]`: re-check snapshots (schema, then arithmetic).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{print_findings, Out, Outcome};
use crate::canonical;
use crate::catalog;
use crate::cli::{Format, ValidateArgs};
use crate::error::Error;
use crate::findings::{self, Cell, Finding, Locate, Location, Rule};
use crate::layout;
use crate::model::{LanguageSource, Nomenclature, Snapshot, SourceFormat, SourceRef, TariffRow};
use crate::nomensoft::crosscheck::{self, CrossCheck};
use crate::parse::row::parse_row;
use crate::source::SourceDocument;
use crate::store::DataRepo;
use crate::validate;

#[derive(Debug, Serialize)]
struct SnapshotReport {
    file: String,
    findings: Vec<Finding>,
    /// For a NomenSoft snapshot: what the repository's cross-check compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    cross_check: Option<CrossCheckReport>,
}

#[derive(Debug, Serialize)]
struct CrossCheckReport {
    /// Codes the tariff tables and NomenSoft both cover on a table's date.
    codes_compared: usize,
    /// Values compared (fee, interventions, personal shares).
    values_compared: usize,
    /// `nomensoft-mismatch` findings of this snapshot.
    differences: usize,
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
            cross_check: None,
        });
    }
    // The cross-check's findings go to the NomenSoft snapshot they cite.
    let mut cross_line = None;
    if let Some((exports, done)) = cross_check(&repo)? {
        cross_line = Some(format!(
            "NomenSoft cross-check: {} codes compared with the tariff tables ({} values), {} differ\n",
            done.codes_compared,
            done.values_compared,
            done.findings.len()
        ));
        for (snapshot, n) in &exports {
            let Some(report) = reports.iter_mut().find(|r| r.file == *snapshot) else {
                continue;
            };
            let mine: Vec<Finding> = done
                .findings
                .iter()
                .filter(|f| *f.location.file == *n.source.file)
                .cloned()
                .collect();
            report.cross_check = Some(CrossCheckReport {
                codes_compared: done.codes_compared,
                values_compared: done.values_compared,
                differences: mine.len(),
            });
            report.findings.extend(mine);
        }
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
            if let Some(line) = cross_line {
                Out::print(&line);
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
    if canonical::declared_schema(&text).is_some_and(|s| s.starts_with("inami-tariffs/nomensoft/"))
    {
        return check_nomensoft(repo, path, &label, &text);
    }
    let mut findings = match canonical::read_snapshot(&label, &text)? {
        Snapshot::Tariff(table) => {
            let (source, mut findings) =
                stored_sources(repo, &label, &text, &table.source, &table.sources)?;
            let locate = SnapshotLocator {
                snapshot: path.to_path_buf(),
                source_file: table.source.file.as_str().into(),
                source,
            };
            findings.extend(validate::tariff::check(&table, &locate));
            findings
        }
        Snapshot::Convention(convention) => {
            let (source, mut findings) =
                stored_sources(repo, &label, &text, &convention.source, &convention.sources)?;
            // Findings are placed in the stored source when it is at hand.
            let source =
                source.unwrap_or_else(|| SourceDocument::from_text(&convention.source.file, ""));
            let tables = catalog::tables(repo)?;
            findings.extend(validate::convention::check(&convention, &source, &tables).0);
            findings
        }
    };
    findings::sort(&mut findings);
    Ok(findings)
}

/// A NomenSoft snapshot: its stored export, and what one export must
/// satisfy (check digits, periods, one value per code, category and date,
/// fees made of key letters).
fn check_nomensoft(
    repo: &DataRepo,
    path: &Path,
    label: &str,
    text: &str,
) -> Result<Vec<Finding>, Error> {
    let n = canonical::read_nomensoft(path, text)?;
    // The export is hashed, not read as text (no finding is placed in it).
    let source = SourceRef {
        file: n.source.file.clone(),
        sha256: n.source.sha256.clone(),
        format: SourceFormat::Pdf,
    };
    let (_, mut findings) = stored_sources(repo, label, text, &source, &[])?;
    findings.extend(crate::nomensoft::checks::check(&n.fees, &n.source.file));
    findings::sort(&mut findings);
    Ok(findings)
}

/// NomenSoft snapshots with their paths.
type Exports = Vec<(String, Nomenclature)>;

/// The NomenSoft cross-check of the whole repository: every tariff table
/// against every NomenSoft snapshot. `None` when there is no NomenSoft data.
fn cross_check(repo: &DataRepo) -> Result<Option<(Exports, CrossCheck)>, Error> {
    let exports = catalog::nomensoft_exports(repo)?;
    if exports.is_empty() {
        return Ok(None);
    }
    let tables = catalog::tariff_tables(repo)?;
    let at: Vec<&Nomenclature> = exports.iter().map(|(_, n)| n).collect();
    let done = crosscheck::check(&tables, &at);
    Ok(Some((exports, done)))
}

/// Checks every source a snapshot names (`source`, then `sources[]`): inside
/// the repository, stored, and with the SHA-256 the snapshot states. Returns
/// the text of `source` when it is a text source that checks out (to place
/// findings in), and a finding for each source that does not.
fn stored_sources(
    repo: &DataRepo,
    label: &str,
    snapshot: &str,
    source: &SourceRef,
    sources: &[LanguageSource],
) -> Result<(Option<SourceDocument>, Vec<Finding>), Error> {
    let mut findings = Vec::new();
    let mut text = None;
    let mut seen = Vec::new();
    let every = std::iter::once(source).chain(sources.iter().map(|l| &l.source));
    for (i, s) in every.enumerate() {
        if seen.contains(&(&s.file, &s.sha256)) {
            continue;
        }
        seen.push((&s.file, &s.sha256));
        let at = |needle: &str| location_in_snapshot(label, snapshot, needle);
        let path = match layout::inside(repo.root(), &s.file) {
            Ok(path) => path,
            Err(why) => {
                findings.push(Finding::new(
                    Rule::SourcePath,
                    at(&s.file),
                    format!("the source file `{}` {why}; it was not read", s.file),
                ));
                continue;
            }
        };
        let (sha256, bytes) = match read_and_digest(&path, s.format)? {
            Stored::Read(sha256, bytes) => (sha256, bytes),
            stored @ (Stored::Missing | Stored::NotAFile) => {
                let what = match stored {
                    Stored::Missing => "no stored source at",
                    _ => "the stored source is no regular file:",
                };
                findings.push(Finding::new(
                    Rule::SourceMismatch,
                    at(&s.file),
                    format!("{what} {}", s.file),
                ));
                continue;
            }
        };
        if sha256 != s.sha256 {
            findings.push(
                Finding::new(
                    Rule::SourceMismatch,
                    at(&s.sha256),
                    format!(
                        "the stored source {} is not the one the snapshot was made from",
                        s.file
                    ),
                )
                .expected_found(s.sha256.clone(), sha256),
            );
            continue;
        }
        if i == 0 {
            text = bytes
                .and_then(|b| String::from_utf8(b).ok())
                .map(|t| SourceDocument::from_text(&s.file, &t));
        }
    }
    Ok((text, findings))
}

/// Source text larger than this is hashed but not kept to place findings in.
const MAX_SOURCE_TEXT: usize = 256 << 20;

/// A stored source as `validate` sees it.
enum Stored {
    Missing,
    /// A folder, a FIFO, a device: never opened (a FIFO would block).
    NotAFile,
    /// Its SHA-256, and its bytes when it is text and not too large (a PDF
    /// is hashed as it is read, not held).
    Read(String, Option<Vec<u8>>),
}

fn read_and_digest(path: &Path, format: SourceFormat) -> Result<Stored, Error> {
    let io = |e| Error::io(path, e);
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Stored::Missing),
        Err(e) => return Err(io(e)),
        Ok(m) if !m.is_file() => return Ok(Stored::NotAFile),
        Ok(_) => {}
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut kept = (format == SourceFormat::Text).then(Vec::new);
    let mut chunk = vec![0; 1 << 16];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        hasher.update(&chunk[..n]);
        if let Some(bytes) = &mut kept {
            if bytes.len() + n > MAX_SOURCE_TEXT {
                kept = None;
            } else {
                bytes.extend_from_slice(&chunk[..n]);
            }
        }
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Stored::Read(sha256, kept))
}

/// The line of the snapshot that holds `needle` (a source's file or digest),
/// with a caret under it; the whole snapshot when no line does.
fn location_in_snapshot(label: &str, snapshot: &str, needle: &str) -> Location {
    let doc = SourceDocument::from_text(label, snapshot);
    let found = doc
        .lines
        .iter()
        .find_map(|l| Some((l, l.text.find(needle).filter(|_| !needle.is_empty())?)));
    match found {
        Some((line, at)) => Location::in_line(&label.into(), line, at, needle.chars().count()),
        None => Location::file(label),
    }
}

/// Places findings at the row's line in the stored source; when the source
/// text is at hand, re-reads the line for the caret.
struct SnapshotLocator {
    snapshot: PathBuf,
    source_file: Arc<str>,
    source: Option<SourceDocument>,
}

impl Locate for SnapshotLocator {
    fn location(&self, _: usize, row: &TariffRow, cell: Cell) -> Location {
        let found = self.source.as_ref().and_then(|d| d.line(row.source_line));
        let Some(line) = found else {
            return Location {
                file: format!(
                    "{} (row from {})",
                    self.snapshot.display(),
                    self.source_file
                )
                .into(),
                line: Some(row.source_line),
                page: row.source_page,
                ..Location::default()
            };
        };
        let span = parse_row(&line.text)
            .map(|cells| cells.spans.get(cell, &line.text))
            .unwrap_or(0..line.text.len());
        let width = line.text[span.clone()].chars().count();
        Location::in_line(&self.source_file, line, span.start, width)
    }
}
