//! What a row is made of: its cells with their byte spans, and why a line
//! that should be a row is not one.

use std::ops::Range;

use nom::Offset;
use rust_decimal::Decimal;

use crate::code::Code;
use crate::findings::Cell;
use crate::model::KeyTerm;

/// The cells of one row, with their spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCells {
    /// The key letter (`M`), if the row names it.
    pub key_letter: Option<char>,
    /// The key value (`1,066667`).
    pub key_value: Decimal,
    /// The ambulatory code (`560011`), if any.
    pub ambulatory_code: Option<Code>,
    /// The hospitalized code, if any (`-` when none).
    pub hospitalized_code: Option<Code>,
    /// The relative value (`24`).
    pub relative_value: Decimal,
    /// Every term of a fee of two or three key letters, in the order of their
    /// key letters (not as printed); empty for a row of one key letter or
    /// none. The three fields above then hold its first term.
    pub key_terms: Vec<KeyTerm>,
    /// `None` for a free fee `(*)`.
    pub fee: Option<Decimal>,
    /// The preferential intervention.
    pub intervention_preferential: Decimal,
    /// The standard intervention.
    pub intervention_standard: Decimal,
    /// Where each cell stands in the line, for findings with a caret.
    pub spans: RowSpans,
}

/// Byte spans of a row's cells within its line.
///
/// Kept as `u32` pairs: one of these lives beside every row, and lines are short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSpans {
    /// The key value cell (of several key letters: from the first value to the last).
    pub key_value: Span,
    /// The ambulatory code cell.
    pub ambulatory_code: Span,
    /// The hospitalized code cell.
    pub hospitalized_code: Span,
    /// The relative value cell (of several key letters: from the first
    /// coefficient to the last).
    pub relative_value: Span,
    /// The fee cell.
    pub fee: Span,
    /// The preferential intervention cell.
    pub intervention_preferential: Span,
    /// The standard intervention cell.
    pub intervention_standard: Span,
}

/// A byte range in a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// First character (0-based, in characters).
    pub start: u32,
    /// One past the last character.
    pub end: u32,
}

impl Span {
    /// From the start of `self` to the end of `last`.
    pub(super) fn to(self, last: Span) -> Span {
        Span {
            start: self.start,
            end: last.end,
        }
    }

    pub(super) fn new(range: Range<usize>) -> Span {
        let narrow = |n: usize| u32::try_from(n).expect("a line is shorter than 4 GiB");
        Span {
            start: narrow(range.start),
            end: narrow(range.end),
        }
    }

    /// The span as a range of character indices.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl RowSpans {
    /// The span of `cell` in `line` (for [`Cell::Row`]: the line without its margins).
    pub fn get(&self, cell: Cell, line: &str) -> Range<usize> {
        let span = match cell {
            Cell::AmbulatoryCode => self.ambulatory_code,
            Cell::HospitalizedCode => self.hospitalized_code,
            Cell::KeyValue => self.key_value,
            Cell::RelativeValue => self.relative_value,
            Cell::Fee => self.fee,
            Cell::InterventionPreferential => self.intervention_preferential,
            Cell::InterventionStandard => self.intervention_standard,
            Cell::Row => return line.len() - line.trim_start().len()..line.trim_end().len(),
        };
        span.range()
    }
}

/// Why a line that should be a row is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSyntaxError {
    /// Byte offset in the line where the problem is.
    pub offset: usize,
    /// What the grammar expected there.
    pub expected: String,
    /// What stands there instead (a word, or `end of line`).
    pub found: String,
}

impl RowSyntaxError {
    /// The error at `rest`, the part of `line` the grammar could not read.
    pub(super) fn at(line: &str, rest: &str, expected: String) -> RowSyntaxError {
        let offset = line.offset(rest);
        let found = match rest.split_whitespace().next() {
            Some(word) => format!("`{word}`"),
            None => "end of line".to_string(),
        };
        RowSyntaxError {
            offset,
            expected,
            found,
        }
    }
}
