//! Conventions: prose → key-value lists, stated fees and indemnities, in
//! French and in Dutch, statement by statement.
//!
//! A convention is prose with hard line breaks and page numbers. Its lines
//! are joined into one text (`text`) and its statements are read there with
//! one bilingual grammar (`grammar`):
//!
//! - key values (`lists`): a heading "A partir du 1er juillet 2021, la
//!   valeur du facteur de multiplication M est fixée à :" / "Vanaf 1 juli 2021
//!   wordt de waarde van de vermenigvuldigingsfactor M vastgesteld op:" and its
//!   items "- 0,927692 pour les prestations 560011, ... ;" / "- 0,927692 voor
//!   de verstrekkingen 560011, ... ;", each read on its own;
//! - stated fees (`fees`): "les honoraires des prestations ... (prestations
//!   M 24 ...) sont portés à 25 euros" / "worden de honoraria van de
//!   verstrekkingen ... op 25 euro gebracht", and fees whose date is left open;
//! - indemnities (`indemnities`): amounts with their pseudocodes, the
//!   pseudocode table, travel indemnities and their reimbursement rates.
//!
//! Nothing is skipped in silence: an item or statement that cannot be read is
//! an `unreadable-statement` finding at its line, and the reader goes on with
//! the next one. Afterwards `accounting` checks that every statement carrying
//! a code and an amount was read, and that no table row hides in the prose.

mod accounting;
mod codes;
mod fees;
mod grammar;
mod header;
mod indemnities;
mod lists;
mod text;

use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::code::Code;
use crate::decimal;
use crate::error::Error;
use crate::findings::{Finding, Rule};
use crate::layout::{DocumentId, DocumentKind};
use crate::model::{Convention, SourceRef, CONVENTION_SCHEMA_ID};
use crate::parse::dates;
use crate::parse::title::CONVENTION_TITLES as LOOKED_FOR;
use crate::source::SourceDocument;

use text::{Joined, Position};

/// A convention read from its text, what could not be read, and counts.
#[derive(Debug, Clone)]
pub struct ReadConvention {
    /// What the text states.
    pub convention: Convention,
    /// Statements that could not be read, and other findings of the reader.
    pub findings: Vec<Finding>,
    /// Statements read into the convention (list items count one each).
    pub statements_read: usize,
    /// Statements reported as unreadable.
    pub statements_reported: usize,
}

/// Whether a document is a convention (one of the known titles opens it).
pub fn is_convention(doc: &SourceDocument) -> bool {
    header::title(doc).is_some()
}

/// Reads a convention. An error (exit 2) when its title, profession or
/// period cannot be found; everything else that cannot be read is a finding.
pub fn parse(doc: &SourceDocument) -> Result<ReadConvention, Error> {
    let unknown = |reason: String| Error::UnknownDocument {
        path: doc.path.clone(),
        reason,
    };
    let title = header::title(doc).ok_or_else(|| unknown(format!("no {LOOKED_FOR}")))?;
    let profession = header::profession(doc, &title).ok_or_else(|| {
        unknown(format!(
            "no known profession in the title or the first lines (`{}`)",
            title.text
        ))
    })?;
    let joined = Joined::new(doc);
    let period =
        header::period(&joined.text).ok_or_else(|| unknown(header::PERIOD_LOOKED_FOR.into()))?;
    let mut reader = Reader {
        joined: &joined,
        start: period.start,
        findings: Vec::new(),
        read: Vec::new(),
        reported: 0,
    };
    let key_values = lists::read(&mut reader);
    let stated_fees = fees::read(&mut reader);
    let indemnities = indemnities::read(&mut reader);
    accounting::check(&mut reader, doc);
    let id = DocumentId {
        profession: profession.to_string(),
        kind: DocumentKind::Convention,
        effective_from: period.start,
    };
    let statements_read = key_values.len() + stated_fees.len() + indemnities.len();
    let Reader {
        mut findings,
        reported,
        ..
    } = reader;
    crate::findings::sort(&mut findings);
    Ok(ReadConvention {
        convention: Convention {
            schema: CONVENTION_SCHEMA_ID.to_string(),
            profession: profession.to_string(),
            effective_from: period.start,
            title: title.text,
            language: title.language,
            source: SourceRef {
                file: id.source_path(title.language, doc.format),
                sha256: doc.sha256.clone(),
                format: doc.format,
            },
            concluded_on: header::concluded_on(&joined.text),
            effective_until: period.end,
            key_values,
            stated_fees,
            indemnities,
            sources: Vec::new(),
            translations: Default::default(),
        },
        findings,
        statements_read,
        statements_reported: reported,
    })
}

/// What the statement readers share: the text, the convention's start, the
/// findings so far, and the spans of text already read.
struct Reader<'a> {
    joined: &'a Joined<'a>,
    start: NaiveDate,
    findings: Vec<Finding>,
    /// Byte ranges of the joined text that statements were read from.
    read: Vec<Range<usize>>,
    /// How many `unreadable-statement` findings were made.
    reported: usize,
}

impl Reader<'_> {
    fn text(&self) -> &str {
        &self.joined.text
    }

    fn position(&self, offset: usize) -> Position {
        self.joined.position(offset)
    }

    /// Marks a span of the text as read.
    fn mark_read(&mut self, span: Range<usize>) {
        self.read.push(span);
    }

    /// Reports a statement that cannot be read, with a caret under `span`.
    fn unreadable(&mut self, span: Range<usize>, message: &str, expected: &str, found: String) {
        self.reported += 1;
        let location = self.joined.location(span.start, span.len());
        self.findings.push(
            Finding::new(Rule::UnreadableStatement, location, message.to_string())
                .expected_found(expected.to_string(), found),
        );
        // What was reported is accounted for: the sweep does not report it again.
        self.read.push(span);
    }

    /// Reads a code list at `span`; a token that is not a code is reported.
    fn codes(&mut self, span: Range<usize>, what: &str) -> Option<Vec<Code>> {
        match codes::read(&self.text()[span.clone()]) {
            Ok(codes) => Some(codes),
            Err(bad) => {
                let at = span.start + bad.offset;
                let width = if bad.token.is_empty() {
                    1
                } else {
                    bad.token.len()
                };
                self.unreadable(
                    at..at + width,
                    &format!("{what}: this code list holds something that is not a code"),
                    "a code of six digits (a list like `560011, 560092 et 560114`)",
                    format!("`{}`", bad.token),
                );
                None
            }
        }
    }

    /// The amount in euros at `span`; a number too long for a decimal is reported.
    fn euros(&mut self, span: Range<usize>) -> Option<Decimal> {
        let value = euros(&self.text()[span.clone()]);
        if value.is_none() {
            self.too_long(span);
        }
        value
    }

    /// The number at `span`; a number too long for a decimal is reported.
    fn number(&mut self, span: Range<usize>) -> Option<Decimal> {
        let value = number(&self.text()[span.clone()]);
        if value.is_none() {
            self.too_long(span);
        }
        value
    }

    /// Reports a number the grammar matched that no decimal holds.
    fn too_long(&mut self, span: Range<usize>) {
        let written = &self.text()[span.clone()];
        let shown: String = written.chars().take(40).collect();
        let more = if shown.len() < written.len() {
            "…"
        } else {
            ""
        };
        self.unreadable(
            span,
            "this number has more digits than a decimal holds",
            "a number of at most 28 digits",
            format!("`{shown}{more}`"),
        );
    }

    /// The date a statement gives at `span` (`1er juillet 2021`); an
    /// impossible or unknown date is reported.
    fn date(&mut self, span: Range<usize>) -> Option<NaiveDate> {
        let written = &self.text()[span.clone()];
        let date = dates::find_written(written);
        if date.is_none() {
            let location = self.joined.location(span.start, span.len());
            self.findings.push(
                Finding::new(Rule::UnreadableDate, location, "this date cannot be read")
                    .expected_found(
                        "a date like `1er juillet 2021` or `1 juli 2021`",
                        format!("`{}`", written.trim()),
                    ),
            );
        }
        date
    }

    /// The date a statement applies from: the one it gives, never before the
    /// convention's start.
    fn from(&self, date: Option<NaiveDate>) -> NaiveDate {
        date.map_or(self.start, |d| d.max(self.start))
    }
}

/// An amount in euros as stated, with cents (`25` → `25.00`) so that it
/// compares and prints like the amounts of tables; `None` when it has more
/// digits than a decimal holds (28), which the grammar does not limit.
fn euros(text: &str) -> Option<Decimal> {
    let mut value = decimal::parse(text)?;
    if value.scale() < 2 {
        value.rescale(2);
    }
    Some(value)
}

/// A percentage or plain number matched by the grammar; `None` when it has
/// more than 28 digits.
fn number(text: &str) -> Option<Decimal> {
    decimal::parse(text)
}
