//! Stage 2 of the pipeline: text lines → typed records, one module per family.
//!
//! [`parse`] recognizes what a document is from its title and hands it to the
//! parser of its family. Families share [`dates`] and [`metadata`] helpers; the
//! row grammar of tariff tables is in [`row`]. Reading only: the rules are
//! `validate`'s, and `pipeline` runs both.

pub mod convention;
pub mod dates;
pub mod metadata;
pub mod row;
pub mod tariff;
pub mod text;
pub mod title;

use crate::error::Error;
use crate::findings::Finding;
use crate::model::{Bilingual, Shared, Snapshot};
use crate::source::SourceDocument;

pub use tariff::ParsedTariff;

/// A parsed document of any family.
#[derive(Debug, Clone)]
pub enum ParsedDocument {
    /// A tariff table.
    Tariff(ParsedTariff),
    /// A convention.
    Convention(ParsedConvention),
}

impl ParsedDocument {
    /// The snapshot the document makes.
    pub fn snapshot(&self) -> Snapshot {
        match self {
            ParsedDocument::Tariff(t) => Snapshot::Tariff(t.table.clone()),
            ParsedDocument::Convention(c) => Snapshot::Convention(c.convention.clone()),
        }
    }

    /// Its profession, date, title, language and source.
    pub fn shared(&self) -> Shared<'_> {
        match self {
            ParsedDocument::Tariff(t) => t.table.shared(),
            ParsedDocument::Convention(c) => c.convention.shared(),
        }
    }
}

/// A parsed convention, and what could not be read.
#[derive(Debug, Clone)]
pub struct ParsedConvention {
    /// What the text states.
    pub convention: crate::model::Convention,
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
