//! Where a finding is: a file, and in it a line, a page and the cells a
//! caret goes under.

use std::sync::Arc;

use serde::Serialize;

use crate::model::TariffRow;
use crate::source::SourceLine;

/// Where a finding is: a file, and inside it a line, page and column span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Shared: a million findings in one file do not copy its name.
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: Option<usize>,
    /// 1-based page number (PDF sources).
    pub page: Option<u32>,
    /// 1-based column (in characters) where the caret starts.
    pub column: Option<usize>,
    /// Number of characters the caret covers.
    #[serde(skip)]
    pub width: usize,
    /// The text of the line, to show under the message.
    #[serde(skip)]
    pub text: Option<arcstr::Substr>,
}

impl Location {
    /// A whole file, no position inside it.
    pub fn file(file: impl Into<Arc<str>>) -> Location {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    /// A location in a source line at byte `offset`, covering `width` characters.
    pub fn in_line(file: &Arc<str>, line: &SourceLine, offset: usize, width: usize) -> Location {
        Location {
            file: file.clone(),
            line: Some(line.number),
            page: line.page,
            column: Some(line.text[..offset].chars().count() + 1),
            width,
            text: Some(line.text.clone()),
        }
    }

    /// A whole source line, the spaces around its text aside (at least one
    /// character wide).
    pub fn whole_line(file: &Arc<str>, line: &SourceLine) -> Location {
        let trimmed = line.text.trim_start();
        let width = trimmed.trim_end().chars().count().max(1);
        Location::in_line(file, line, line.text.len() - trimmed.len(), width)
    }

    /// `file:line:column` (as far as known), for one-line messages.
    pub fn short(&self) -> String {
        let mut s = self.file.to_string();
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                s.push_str(&format!(":{col}"));
            }
        }
        s
    }
}

/// A cell of a tariff row, for pointing at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The whole row.
    Row,
    /// The ambulatory code.
    AmbulatoryCode,
    /// The hospitalized code.
    HospitalizedCode,
    /// The key value.
    KeyValue,
    /// The relative value.
    RelativeValue,
    /// The fee.
    Fee,
    /// The preferential intervention.
    InterventionPreferential,
    /// The standard intervention.
    InterventionStandard,
}

/// Tells where row `index` of a table (and one of its cells) is, for
/// findings: in the source just parsed, or in the source a snapshot cites.
pub trait Locate {
    /// The location of row `index` (its `cell`, or the whole row), in the document.
    fn location(&self, index: usize, row: &TariffRow, cell: Cell) -> Location;
}
