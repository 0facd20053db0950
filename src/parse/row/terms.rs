//! A row's key letters matched up: the values declared before the codes
//! (`N = 3,372107 Q = 0,195645`) with the terms of the relative value
//! (`= N 8 + Q 30`).
//!
//! A row of one key letter (or none) reads as it always has: the letter may
//! be printed on either side or both, and must then be the same. A row of
//! several must pair each declared letter with one term and each term with
//! one declared letter, three at most; the first failure is the row's
//! syntax error, with the caret on the cell at fault.
//!
//! The terms are kept in the order of their key letters, whatever the order
//! printed (`= Q 30 + N 8` reads as `N 8 + Q 30`): the same fee printed
//! otherwise is the same row, in a diff, a re-issue and between languages.
//! The spans still cover the cells as printed.

use rust_decimal::Decimal;

use super::cells::{RowCells, RowSyntaxError, Span};
use crate::model::KeyTerm;

/// The most key letters one fee sums (as in NomenSoft's `key_letter1..3`).
pub const MAX_TERMS: usize = 3;

/// The row as read, before its key letters are matched: every `L = value`
/// before the codes, every `L c` of the relative value, and the other cells
/// (key letter, key value and relative value not yet set).
pub struct RawRow {
    pub declared: Parts,
    pub sum: Parts,
    pub cells: RowCells,
}

/// One `L = value` before the codes, or one `L c` of the relative value:
/// the letter (with its byte offset) when printed, and the number.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub letter: Option<(char, usize)>,
    pub number: Decimal,
    pub span: Span,
}

/// The parts of one side, in the row's order. The first is kept apart so
/// that a row of one key letter (nearly every row) allocates nothing.
#[derive(Debug, Clone)]
pub struct Parts {
    first: Part,
    more: Vec<Part>,
}

impl Parts {
    pub fn new(first: Part) -> Parts {
        Parts {
            first,
            more: Vec::new(),
        }
    }

    pub fn push(&mut self, part: Part) {
        self.more.push(part);
    }

    fn iter(&self) -> impl Iterator<Item = &Part> {
        std::iter::once(&self.first).chain(&self.more)
    }

    fn letters(&self) -> impl Iterator<Item = (char, usize)> + '_ {
        self.iter().filter_map(|p| p.letter)
    }

    /// The span from the first part to the last.
    fn span(&self) -> Span {
        self.first
            .span
            .to(self.more.last().unwrap_or(&self.first).span)
    }
}

/// The cells of a row whose key letters match, or where they do not.
pub fn assemble(line: &str, raw: RawRow) -> Result<RowCells, RowSyntaxError> {
    let RawRow {
        declared,
        sum,
        mut cells,
    } = raw;
    if declared.more.is_empty() && sum.more.is_empty() {
        cells.key_letter = one_letter(line, declared.first, sum.first)?;
    } else {
        cells.key_terms = several(line, &declared, &sum)?;
        cells.key_letter = Some(cells.key_terms[0].key_letter);
    }
    let first = cells.key_terms.first();
    cells.key_value = first.map_or(declared.first.number, |t| t.key_value);
    cells.relative_value = first.map_or(sum.first.number, |t| t.coefficient);
    cells.spans.key_value = declared.span();
    cells.spans.relative_value = sum.span();
    Ok(cells)
}

/// `M = … = M 24`, `M = … 24`, `… = M 24` or `… 24`: the letter printed on
/// either side, the same on both.
fn one_letter(line: &str, declared: Part, term: Part) -> Result<Option<char>, RowSyntaxError> {
    if let (Some((first, _)), Some((second, at))) = (declared.letter, term.letter) {
        if first != second {
            return Err(RowSyntaxError::at(
                line,
                &line[at..],
                format!("key letter {first} (as in `{first} =` at the start of the row)"),
            ));
        }
    }
    Ok(declared.letter.or(term.letter).map(|(c, _)| c))
}

/// The terms of a row of several key letters, in the order of their key
/// letters (not of the sum: see the module's documentation).
fn several(line: &str, declared: &Parts, sum: &Parts) -> Result<Vec<KeyTerm>, RowSyntaxError> {
    let error = |at: usize, expected: String| Err(RowSyntaxError::at(line, &line[at..], expected));
    if let Some((_, at)) = declared.letters().nth(MAX_TERMS) {
        return error(
            at,
            format!("at most {MAX_TERMS} key letters with their values before the codes"),
        );
    }
    if let Some((_, at)) = sum.letters().nth(MAX_TERMS) {
        return error(
            at,
            format!("at most {MAX_TERMS} terms in the relative value (`= N 8 + Q 30 + K 2`)"),
        );
    }
    if let Some((c, at)) = repeated(declared) {
        return error(
            at,
            format!("a key letter not given yet (`{c} =` is earlier in the row)"),
        );
    }
    if let Some((c, at)) = repeated(sum) {
        return error(
            at,
            format!("a key letter not in the sum yet (`{c}` is earlier in the relative value)"),
        );
    }
    if sum.first.letter.is_none() {
        // Several values but a bare coefficient: the sum names no letter.
        return error(
            sum.first.span.start as usize,
            format!(
                "a sum of the key letters {} with their coefficients (like `= N 8 + Q 30`)",
                names(declared)
            ),
        );
    }
    let mut terms = Vec::with_capacity(declared.more.len() + 1);
    for term in sum.iter() {
        let (c, at) = term
            .letter
            .expect("after a named first term, every term names its letter");
        let Some(value) = declared
            .iter()
            .find(|d| d.letter.is_some_and(|(l, _)| l == c))
        else {
            let given = match names(declared) {
                none if none.is_empty() => "none is given, like `N = 3,372107`".to_string(),
                letters => letters,
            };
            return error(
                at,
                format!("a key letter whose value the row gives before the codes ({given})"),
            );
        };
        terms.push(KeyTerm {
            key_letter: c,
            key_value: value.number,
            coefficient: term.number,
        });
    }
    if let Some((c, _)) = declared
        .letters()
        .find(|(c, _)| !terms.iter().any(|t| t.key_letter == *c))
    {
        // The term is missing where the sum ends.
        return error(
            sum.span().end as usize,
            format!("`+ {c} …`: a term for key letter {c}, whose value the row gives (`{c} =`)"),
        );
    }
    terms.sort_by_key(|t| t.key_letter);
    Ok(terms)
}

/// The second occurrence of a letter already given on that side.
fn repeated(parts: &Parts) -> Option<(char, usize)> {
    let letters: Vec<(char, usize)> = parts.letters().collect();
    letters
        .iter()
        .enumerate()
        .find(|(i, (c, _))| letters[..*i].iter().any(|(earlier, _)| earlier == c))
        .map(|(_, found)| *found)
}

/// `N, Q`: the letters a side names (empty when it names none).
fn names(parts: &Parts) -> String {
    let letters: Vec<String> = parts.letters().map(|(c, _)| c.to_string()).collect();
    letters.join(", ")
}
