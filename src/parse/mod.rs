//! Stage 2 of the pipeline: text lines → typed records, one module per family.
//!
//! [`parse`] recognizes what a document is from its title and hands it to the
//! parser of its family. Families share [`dates`] and [`metadata`] helpers; the
//! row grammar of tariff tables is in [`row`].

pub mod convention;
pub mod dates;
pub mod metadata;
pub mod row;
pub mod tariff;
pub mod text;

use crate::error::Error;
use crate::source::SourceDocument;
use crate::validate::{self, Finding};

pub use tariff::ParsedTariff;

/// A parsed document of any family.
#[derive(Debug, Clone)]
pub enum ParsedDocument {
    /// A tariff table.
    Tariff(ParsedTariff),
    /// A convention.
    Convention(ParsedConvention),
}

/// A parsed convention, what could not be read, and what its stated-fee
/// check covered.
#[derive(Debug, Clone)]
pub struct ParsedConvention {
    /// What the text states.
    pub convention: crate::model::Convention,
    /// Which stated fees could be checked against a tariff table, and which not.
    pub fee_check: validate::convention::FeeCheck,
    /// Statements that could not be read, rows in the prose, unreadable dates.
    pub findings: Vec<Finding>,
    /// Statements read into the convention (each list item, fee, indemnity).
    pub statements_read: usize,
    /// Statements reported as `unreadable-statement`.
    pub statements_reported: usize,
}

/// Recognizes the document and parses it.
///
/// Returns an error (exit 2) when the document is of no known family; content
/// problems are findings inside the result.
pub fn parse(doc: &SourceDocument) -> Result<ParsedDocument, Error> {
    let doc = &*text::normalize_document(doc);
    if convention::is_convention(doc) {
        let read = convention::parse(doc)?;
        return Ok(ParsedDocument::Convention(ParsedConvention {
            convention: read.convention,
            fee_check: Default::default(),
            findings: read.findings,
            statements_read: read.statements_read,
            statements_reported: read.statements_reported,
        }));
    }
    let (meta, mut findings) = metadata::read(doc)?;
    let mut parsed = tariff::parse(doc, &meta);
    findings.append(&mut parsed.findings);
    parsed.findings = findings;
    Ok(ParsedDocument::Tariff(parsed))
}

/// Parses and validates a document: the records and every finding about them.
pub fn parse_and_validate(doc: &SourceDocument) -> Result<(ParsedDocument, Vec<Finding>), Error> {
    parse_and_validate_with(doc, &validate::convention::Tables::default())
}

/// Like [`parse_and_validate`], with what the repository's tariff tables say
/// (for the convention checks that compare with them).
pub fn parse_and_validate_with(
    doc: &SourceDocument,
    tables: &validate::convention::Tables,
) -> Result<(ParsedDocument, Vec<Finding>), Error> {
    let doc = &*text::normalize_document(doc);
    let mut parsed = parse(doc)?;
    let mut findings = match &mut parsed {
        ParsedDocument::Tariff(t) => {
            let locate = tariff::SourceLocator::new(doc, &t.spans);
            // The rule findings may be many: the parse findings join them, not the reverse.
            let mut all = validate::tariff::check(&t.table, &locate);
            all.extend(t.findings.iter().cloned());
            all
        }
        ParsedDocument::Convention(c) => {
            let (mut findings, fee_check) = validate::convention::check(&c.convention, doc, tables);
            c.fee_check = fee_check;
            findings.extend(c.findings.iter().cloned());
            findings
        }
    };
    validate::sort(&mut findings);
    Ok((parsed, findings))
}
