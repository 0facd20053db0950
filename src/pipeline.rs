//! One document through stages 1-4: source → parse → validate → canonical YAML.
//!
//! `import` and `rebuild` both go through [`process`], so a snapshot rebuilt
//! from `sources/` is byte for byte the one an import wrote. Stages 2 and 3
//! alone (the records and every finding, no YAML) are [`parse_and_validate`].

use crate::canonical;
use crate::error::Error;
use crate::findings::{self, Finding, Rule};
use crate::layout::{DocumentId, DocumentKind};
use crate::parse::{self, tariff::SourceLocator, ParsedDocument};
use crate::source::SourceDocument;
use crate::validate;
use crate::validate::convention::{FeeCheck, Tables};

/// Where a document is filed in a data repository: its source and its
/// snapshot, and the snapshot's YAML.
#[derive(Debug, Clone)]
pub struct Filing {
    /// Profession, kind and effective date.
    pub id: DocumentId,
    /// Where the source is stored (`sources/...`).
    pub source_path: String,
    /// Where the snapshot is written (`parsed/...`).
    pub snapshot_path: String,
    /// The canonical YAML.
    pub yaml: String,
}

/// A document processed: its snapshot, row count and findings.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The source as read.
    pub doc: SourceDocument,
    /// The records parsed from it.
    pub parsed: ParsedDocument,
    /// Where it goes in a data repository, and its canonical YAML.
    pub filing: Filing,
    /// Number of records (rows of a table; lists, fees and indemnities of a convention).
    pub rows: usize,
    /// What the document holds, in words (`197 rows`).
    pub summary: String,
    /// Every finding of the reader and the validators.
    pub findings: Vec<Finding>,
    /// For a convention: which stated fees could be checked, and which not.
    pub fee_check: Option<FeeCheck>,
}

impl Processed {
    /// Whether any finding is an error (such a document must not be imported).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// A document read and checked: stages 2 and 3.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The records parsed from it.
    pub parsed: ParsedDocument,
    /// Every finding of the reader and the rules, in the order of the source.
    pub findings: Vec<Finding>,
    /// For a convention: which stated fees could be checked against a key
    /// value, and which not (and why).
    pub fee_check: Option<FeeCheck>,
}

/// Parses and validates a document: the records and every finding about them.
pub fn parse_and_validate(doc: &SourceDocument) -> Result<Checked, Error> {
    parse_and_validate_with(doc, &Tables::default())
}

/// Like [`parse_and_validate`], with what the repository's tariff tables say
/// (for the convention checks that compare with them).
pub fn parse_and_validate_with(doc: &SourceDocument, tables: &Tables) -> Result<Checked, Error> {
    let doc = &*parse::text::normalize_document(doc);
    let parsed = parse::parse(doc)?;
    let (mut findings, fee_check) = match &parsed {
        ParsedDocument::Tariff(t) => {
            let locate = SourceLocator::new(doc, &t.spans);
            // The rule findings may be many: the parse findings join them, not the reverse.
            let mut all = validate::tariff::check(&t.table, &locate);
            all.extend(t.findings.iter().cloned());
            (all, None)
        }
        ParsedDocument::Convention(c) => {
            let (mut all, fee_check) = validate::convention::check(&c.convention, doc, tables);
            all.extend(c.findings.iter().cloned());
            (all, Some(fee_check))
        }
    };
    findings::sort(&mut findings);
    Ok(Checked {
        parsed,
        findings,
        fee_check,
    })
}

/// Parses, validates and serializes one document.
pub fn process(doc: SourceDocument) -> Result<Processed, Error> {
    process_with(doc, &Tables::default())
}

/// Like [`process`], checking a convention against the repository's tariff tables.
pub fn process_with(doc: SourceDocument, tables: &Tables) -> Result<Processed, Error> {
    let Checked {
        parsed,
        findings,
        fee_check,
    } = parse_and_validate_with(&doc, tables)?;
    let unparsed = findings.iter().any(|f| f.rule == Rule::UnparsedRow);
    let (empty, what) = match &parsed {
        ParsedDocument::Tariff(t) => (t.table.rows.is_empty(), "a tariff title but no rows"),
        ParsedDocument::Convention(c) => {
            let c = &c.convention;
            let none =
                c.key_values.is_empty() && c.stated_fees.is_empty() && c.indemnities.is_empty();
            (
                none,
                "a convention title but no key values, fees or indemnities",
            )
        }
    };
    if empty && !unparsed {
        return Err(Error::UnknownDocument {
            path: doc.path.clone(),
            reason: format!("it has {what}: nothing to import"),
        });
    }
    let (id, source_path, yaml, rows, summary) = match &parsed {
        ParsedDocument::Tariff(t) => {
            let id = DocumentId {
                profession: t.table.profession.clone(),
                kind: DocumentKind::Tariff,
                effective_from: t.table.effective_from,
            };
            let rows = t.table.rows.len();
            let yaml = canonical::tariff_to_yaml(&t.table);
            (
                id,
                t.table.source.file.clone(),
                yaml,
                rows,
                format!("{rows} rows"),
            )
        }
        ParsedDocument::Convention(c) => {
            let (read, reported) = (c.statements_read, c.statements_reported);
            let c = &c.convention;
            let id = DocumentId {
                profession: c.profession.clone(),
                kind: DocumentKind::Convention,
                effective_from: c.effective_from,
            };
            let (k, f, i) = (c.key_values.len(), c.stated_fees.len(), c.indemnities.len());
            let summary = format!(
                "{k} key-value lists, {f} stated fees, {i} indemnities; {read} statements read, {reported} unreadable"
            );
            (
                id,
                c.source.file.clone(),
                canonical::convention_to_yaml(c),
                k + f + i,
                summary,
            )
        }
    };
    let filing = Filing {
        snapshot_path: id.snapshot_path(),
        source_path,
        yaml,
        id,
    };
    Ok(Processed {
        doc,
        parsed,
        filing,
        rows,
        summary,
        findings,
        fee_check,
    })
}
