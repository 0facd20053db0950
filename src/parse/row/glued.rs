//! Where a row's cells run together: what a line shaped like a row, that
//! the grammar refuses, is told.
//!
//! Cells touch when a PDF's glyph spacing closes the gap between them, or
//! after a slip of the keyboard: `1,166667561610` (a key value and a code),
//! `561610-`, `=M24`, `28,0025,50`. The grammar then fails after the glue,
//! at a cell that is not at fault (`1,166667561610` reads as a key value of
//! twelve decimals, and the row fails at its second code). So the line is
//! tried again with one space added at each place where two cells may
//! touch ([`glue_points`]), and
//!
//! - if exactly one such space makes it a row, that place is reported,
//!   naming both cells: "expected a space between the key value `1,166667`
//!   and the AMB code `561610`";
//! - if several do, each reading is named and none is chosen: a glued
//!   number is never split by guess;
//! - if none does, but the row is spaced out character by character, or a
//!   number holds two decimal separators (`28,0025,5021,75`: several
//!   numbers glued), that is said where it starts;
//! - otherwise the grammar's error stands.
//!
//! Nothing here reads a row: a line whose cells touch is always a finding.

use std::sync::LazyLock;

use regex::Regex;

use super::cells::{RowCells, RowSyntaxError};
use super::grammar::parse_row;

/// The most places tried in one line: a line is short, and a huge one
/// must not cost a parse per character.
const MAX_TRIALS: usize = 64;

/// A number and the digits glued to it: digits with separators between them.
static NUMBER_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[,.]\d+)*").expect("valid regex"));

/// Says where the cells of `line` run together, if they do; otherwise
/// returns the grammar's `error` as it is.
pub fn explain(line: &str, error: RowSyntaxError) -> RowSyntaxError {
    let words = words_to(line, error.offset);
    let fixes: Vec<(usize, RowCells)> = words
        .iter()
        .flat_map(|&(start, word)| glue_points(word).into_iter().map(move |p| start + p))
        .take(MAX_TRIALS)
        .filter_map(|at| Some((at, parse_row(&with_space(line, at)).ok()?)))
        .collect();
    match fixes.as_slice() {
        [(at, cells)] => one_space_missing(line, *at, cells),
        [] => spaced_out(line, error.offset)
            .or_else(|| numbers_run_together(&words))
            .unwrap_or(error),
        several => several_readings(line, several),
    }
}

/// `line` with a space inserted at byte `at`.
fn with_space(line: &str, at: usize) -> String {
    format!("{} {}", &line[..at], &line[at..])
}

/// The words of `line` (byte offset, text) up to the one holding byte
/// `offset`, or all of them when it is the end of the line.
fn words_to(line: &str, offset: usize) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        let at = line.len() - rest.len() + start;
        if at > offset {
            break;
        }
        let word = rest[start..]
            .split(char::is_whitespace)
            .next()
            .unwrap_or("");
        words.push((at, word));
        rest = &rest[start + word.len()..];
    }
    words
}

/// The word of `line` around byte `at`: (its start, its text).
fn word_at(line: &str, at: usize) -> (usize, &str) {
    let start = line[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = line[at..]
        .find(char::is_whitespace)
        .map_or(line.len(), |i| at + i);
    (start, &line[start..end])
}

/// Byte offsets in `word` where two cells may touch: where a digit meets a
/// letter or a sign (`561610-`, `M24`, `25,00x`), where two different signs
/// meet (`-=`), and between any two digits of a number no single cell
/// prints (two decimal separators, or seven digits on one side of its
/// separator: `28,0025,50`, `1,166667561610`).
fn glue_points(word: &str) -> Vec<usize> {
    let mut points: Vec<usize> = word
        .char_indices()
        .zip(word.chars().skip(1))
        .filter(|&((_, a), b)| kind(a) != kind(b) || (kind(a) == Kind::Sign && a != b))
        .map(|((i, a), _)| i + a.len_utf8())
        .collect();
    for run in NUMBER_RUN.find_iter(word) {
        let text = run.as_str();
        let separators = text.matches([',', '.']).count();
        if separators >= 2 || text.split([',', '.']).any(|part| part.len() >= 7) {
            points.extend(
                text.char_indices()
                    .zip(text.chars().skip(1))
                    .filter(|&((_, a), b)| a.is_ascii_digit() && b.is_ascii_digit())
                    .map(|((i, _), _)| run.start() + i + 1),
            );
        }
    }
    points.sort_unstable();
    points
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// A digit, or a decimal separator.
    Number,
    Letter,
    Sign,
}

fn kind(c: char) -> Kind {
    if c.is_ascii_digit() || c == ',' || c == '.' {
        Kind::Number
    } else if c.is_alphabetic() {
        Kind::Letter
    } else {
        Kind::Sign
    }
}

/// One space at `at` makes the line a row: the two cells it parts.
fn one_space_missing(line: &str, at: usize, cells: &RowCells) -> RowSyntaxError {
    let (start, word) = word_at(line, at);
    let (left, right) = word.split_at(at - start);
    // In the line with the space, the left cell ends at `at`, the right one
    // starts after the space.
    let left = named(cell_name(cells, |s, e| e == at && s < at), left);
    let right = named(cell_name(cells, |s, _| s == at + 1), right);
    RowSyntaxError {
        offset: at,
        expected: format!("a space between {left} and {right}"),
        found: format!("`{word}`"),
    }
}

/// `the key value `1,166667``, or the text alone when it is no whole cell.
fn named(name: Option<&str>, text: &str) -> String {
    match name {
        Some(name) => format!("the {name} `{text}`"),
        None => format!("`{text}`"),
    }
}

/// The cell of `cells` whose span (start, end) satisfies `at`.
fn cell_name(cells: &RowCells, at: impl Fn(usize, usize) -> bool) -> Option<&'static str> {
    let spans = &cells.spans;
    [
        (spans.key_value, "key value"),
        (spans.ambulatory_code, "AMB code"),
        (spans.hospitalized_code, "HOS code"),
        (spans.relative_value, "relative value"),
        (spans.fee, "fee"),
        (spans.intervention_preferential, "preferential intervention"),
        (spans.intervention_standard, "standard intervention"),
    ]
    .into_iter()
    .find(|(span, _)| at(span.start as usize, span.end as usize))
    .map(|(_, name)| name)
}

/// Several single spaces make the line a row: each reading, none chosen.
fn several_readings(line: &str, fixes: &[(usize, RowCells)]) -> RowSyntaxError {
    let (start, word) = word_at(line, fixes[0].0);
    let readings: Vec<String> = fixes
        .iter()
        .map(|&(at, _)| {
            let (start, glued) = word_at(line, at);
            let (left, right) = glued.split_at(at - start);
            format!("`{left} {right}`")
        })
        .collect();
    RowSyntaxError {
        offset: start,
        expected: format!(
            "a space between two of its cells: it reads as {}, and which one is meant is not guessed",
            or_list(&readings)
        ),
        found: format!("`{word}`"),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The error at `offset` lies in a run of one-character words, digits among
/// them: the row is spaced out character by character (`2 8 , 0 0`).
fn spaced_out(line: &str, offset: usize) -> Option<RowSyntaxError> {
    let single = |(_, w): &(usize, &str)| w.chars().nth(1).is_none();
    let words = words_to(line, usize::MAX);
    let index = words
        .iter()
        .rposition(|&(start, _)| start <= offset)
        .unwrap_or(0);
    let first = words[..=index]
        .iter()
        .rposition(|w| !single(w))
        .map_or(0, |i| i + 1);
    let run: Vec<&str> = words[first..]
        .iter()
        .take_while(|w| single(w))
        .map(|&(_, w)| w)
        .collect();
    let digits = run
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    if run.len() < 4 || digits < 2 || first > index {
        return None;
    }
    let shown: Vec<&str> = run.iter().take(12).copied().collect();
    let more = if run.len() > shown.len() { " …" } else { "" };
    Some(RowSyntaxError {
        offset: words[first].0,
        expected: "a row's cells, each written without spaces inside it".into(),
        found: format!(
            "`{}{more}`, spaced out character by character",
            shown.join(" ")
        ),
    })
}

/// A number with two decimal separators in one of `words`: several numbers
/// glued, without a single place to part them.
fn numbers_run_together(words: &[(usize, &str)]) -> Option<RowSyntaxError> {
    let &(start, word) = words.iter().find(|(_, word)| {
        NUMBER_RUN
            .find_iter(word)
            .any(|run| run.as_str().matches([',', '.']).count() >= 2)
    })?;
    Some(RowSyntaxError {
        offset: start,
        expected: "the cells of a row separated by spaces (numbers run together here)".into(),
        found: format!("`{word}`"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(line: &str) -> RowSyntaxError {
        explain(line, parse_row(line).unwrap_err())
    }

    #[test]
    fn one_missing_space_is_named_by_its_two_cells() {
        let line = " M = 1,166667561610 - = M 24 28,00 25,50 21,75";
        let e = explained(line);
        assert_eq!(e.offset, line.find("561610").unwrap());
        assert_eq!(
            e.expected,
            "a space between the key value `1,166667` and the AMB code `561610`"
        );
        let e = explained("1,130000 639133- 1 1,13 0,68 0,17");
        assert_eq!(
            e.expected,
            "a space between the AMB code `639133` and the HOS code `-`"
        );
    }

    #[test]
    fn a_row_that_fails_for_another_reason_keeps_the_grammars_error() {
        for line in [
            " M = 1,041667 563010 - = M 24 25.00x 23,00 19,50",
            " M = 1,066667 56OO11 - = M 24 25,60 23,10 19,35",
            " M = 1,166667 561595 - = M 24",
        ] {
            assert_eq!(explained(line), parse_row(line).unwrap_err(), "{line}");
        }
    }

    #[test]
    fn a_huge_line_is_tried_a_bounded_number_of_times() {
        // 400 000 characters, one word: a glue point at every character.
        let line = "1,5x".repeat(100_000);
        assert_eq!(explained(&line), parse_row(&line).unwrap_err());
    }
}
