//! The grammar of one row, written with `nom`: the cells in their order,
//! each under a label that a syntax error names (the module doc of
//! [`crate::parse::row`] draws a row).

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit1, satisfy, space0, space1};
use nom::combinator::{consumed, cut, eof, map_opt, not, opt, peek};
use nom::error::{context, ContextError, ErrorKind, ParseError};
use nom::{IResult, Offset, Parser};
use rust_decimal::Decimal;

use super::cells::{RowCells, RowSpans, RowSyntaxError, Span};
use super::terms::{self, Part, Parts, RawRow};
use crate::code::Code;
use crate::decimal;

/// Parses one line as a tariff row.
pub fn parse_row(line: &str) -> Result<RowCells, RowSyntaxError> {
    match row(line) {
        Ok((_, raw)) => terms::assemble(line, raw),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(RowSyntaxError::at(
            line,
            e.input,
            e.expected.unwrap_or("a tariff row").to_string(),
        )),
        Err(nom::Err::Incomplete(_)) => unreachable!("complete parsers never ask for more input"),
    }
}

/// Error type that keeps the innermost `context` label: the cell being read.
#[derive(Debug)]
struct RowError<'a> {
    input: &'a str,
    expected: Option<&'static str>,
}

impl<'a> ParseError<&'a str> for RowError<'a> {
    fn from_error_kind(input: &'a str, _: ErrorKind) -> Self {
        RowError {
            input,
            expected: None,
        }
    }

    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a> ContextError<&'a str> for RowError<'a> {
    fn add_context(_: &'a str, label: &'static str, mut other: Self) -> Self {
        other.expected.get_or_insert(label);
        other
    }
}

type Res<'a, O> = IResult<&'a str, O, RowError<'a>>;

fn row(line: &str) -> Res<'_, RawRow> {
    let (i, declared) = declarations(line)?;
    let (i, (ambulatory_code, amb_span)) = cell(line, space1, AMB_CODE, code)(i)?;
    let (i, (hospitalized_code, hos_span)) = cell(line, space1, HOS_CODE, code)(i)?;
    let (i, sum) = relative_value(line, i)?;
    let (i, (fee, fee_span)) = cell(line, space1, FEE, fee)(i)?;
    let (i, (intervention_preferential, pref_span)) =
        cell(line, space1, PREFERENTIAL, decimal_number)(i)?;
    let (i, (intervention_standard, std_span)) = cell(line, space1, STANDARD, decimal_number)(i)?;
    let (i, _) = cut(context(END, (space0, eof))).parse(i)?;
    let cells = RowCells {
        key_letter: None,
        key_value: Decimal::ZERO,
        ambulatory_code,
        hospitalized_code,
        relative_value: Decimal::ZERO,
        key_terms: Vec::new(),
        fee,
        intervention_preferential,
        intervention_standard,
        spans: RowSpans {
            key_value: Span::default(),
            ambulatory_code: amb_span,
            hospitalized_code: hos_span,
            relative_value: Span::default(),
            fee: fee_span,
            intervention_preferential: pref_span,
            intervention_standard: std_span,
        },
    };
    Ok((
        i,
        RawRow {
            declared,
            sum,
            cells,
        },
    ))
}

/// `M = 1,066667`, `N = 3,372107 Q = 0,195645`, or a bare `1,310000`: the
/// key values before the codes. A letter and `=` after a value start another
/// declaration; anything else is left to the AMB code.
fn declarations(line: &str) -> Res<'_, Parts> {
    let value = cell(line, space0, KEY_VALUE, decimal_number);
    let first = opt((space0, consumed(key_letter), space0, char('='))).map(|o| o.map(|l| l.1));
    let next = (space1, consumed(key_letter), space0, char('=')).map(|l| l.1);
    parts(line, line, (first, &value), (next, &value))
}

/// `= M 24`, `= N 8 + Q 30`, or a bare `1`: the coefficients after the codes.
/// Once `+` is read, a key letter and a coefficient must follow.
fn relative_value<'a>(line: &'a str, i: &'a str) -> Res<'a, Parts> {
    let first = opt((space1, char('='), space0, consumed(key_letter))).map(|o| o.map(|l| l.3));
    let term_letter = cut(context(TERM_LETTER, consumed(key_letter)));
    let next = (space1, char('+'), space0, term_letter).map(|l| l.3);
    parts(
        line,
        i,
        (first, cell(line, space1, RELATIVE, decimal_number)),
        (next, cell(line, space1, TERM, decimal_number)),
    )
}

/// One side of a row's key letters: a first number, its letter optional
/// (`(letter text, letter)`), then, only after a named first, one more
/// number for each letter `next` reads.
fn parts<'a>(
    line: &'a str,
    i: &'a str,
    (mut first, first_number): (
        impl Parser<&'a str, Output = Option<(&'a str, char)>, Error = RowError<'a>>,
        impl Fn(&'a str) -> Res<'a, (Decimal, Span)>,
    ),
    (mut next, next_number): (
        impl Parser<&'a str, Output = (&'a str, char), Error = RowError<'a>>,
        impl Fn(&'a str) -> Res<'a, (Decimal, Span)>,
    ),
) -> Res<'a, Parts> {
    let (i, letter) = first.parse(i)?;
    let letter = letter.map(|(text, c)| (c, line.offset(text)));
    let (mut i, (number, span)) = first_number(i)?;
    let mut parts = Parts::new(Part {
        letter,
        number,
        span,
    });
    if letter.is_none() {
        return Ok((i, parts));
    }
    while let Some((rest, (text, c))) = optional(next.parse(i))? {
        let (rest, (number, span)) = next_number(rest)?;
        parts.push(Part {
            letter: Some((c, line.offset(text))),
            number,
            span,
        });
        i = rest;
    }
    Ok((i, parts))
}

/// A parser's result with a plain error as `None` (nothing more to read
/// there), and a failure after a `cut` kept.
fn optional<'a, O>(result: Res<'a, O>) -> Result<Option<(&'a str, O)>, nom::Err<RowError<'a>>> {
    match result {
        Ok(done) => Ok(Some(done)),
        Err(nom::Err::Error(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

const KEY_VALUE: &str = "the key value (a number like 1,066667)";
const AMB_CODE: &str = "the AMB code (six digits, or `-`)";
const HOS_CODE: &str = "the HOS code (six digits, or `-`)";
const RELATIVE: &str = "the relative value (like `= M 24`, or `1` without key letter)";
const TERM_LETTER: &str = "a key letter after `+` (like `+ Q 30`)";
const TERM: &str = "the coefficient of the key letter (like `+ Q 30`)";
const FEE: &str = "the fee (an amount like 25,60, or `(*)`)";
const PREFERENTIAL: &str = "the preferential intervention (an amount like 23,10)";
const STANDARD: &str = "the standard intervention (an amount like 19,35)";
const END: &str = "the end of the row after the standard intervention";

/// A separator, then a labelled cell whose span is recorded.
///
/// Once a line has started like a row, every cell is `cut`: the error then
/// names the first cell that failed instead of a vague "not a row".
fn cell<'a, O>(
    line: &'a str,
    separator: fn(&'a str) -> Res<'a, &'a str>,
    label: &'static str,
    value: fn(&'a str) -> Res<'a, O>,
) -> impl Fn(&'a str) -> Res<'a, (O, Span)> {
    move |i| {
        let (i, (text, out)) =
            cut(context(label, (separator, consumed(value)).map(|(_, c)| c))).parse(i)?;
        let start = line.offset(text);
        Ok((i, (out, Span::new(start..start + text.len()))))
    }
}

/// Succeeds where a token ends: at a space or the end of the line.
fn token_end(i: &str) -> Res<'_, ()> {
    not(peek(satisfy(|c: char| !c.is_whitespace()))).parse(i)
}

fn key_letter(i: &str) -> Res<'_, char> {
    (satisfy(|c: char| c.is_ascii_uppercase()), token_end)
        .map(|(c, _)| c)
        .parse(i)
}

fn decimal_number(i: &str) -> Res<'_, Decimal> {
    // The hot path of the grammar: a single scan instead of recognize + convert.
    // A sign is not part of any cell.
    let unsigned = !i.starts_with('-');
    match decimal::scan(i.as_bytes()).filter(|_| unsigned) {
        Some((value, used)) => {
            let (rest, _) = token_end(&i[used..])?;
            Ok((rest, value))
        }
        None => Err(nom::Err::Error(RowError::from_error_kind(
            i,
            ErrorKind::Digit,
        ))),
    }
}

fn code(i: &str) -> Res<'_, Option<Code>> {
    let six_digits = map_opt(digit1, |d: &str| Code::parse(d).map(Some));
    (alt((char('-').map(|_| None), six_digits)), token_end)
        .map(|(c, _)| c)
        .parse(i)
}

fn fee(i: &str) -> Res<'_, Option<Decimal>> {
    alt((
        (tag("(*)"), token_end).map(|_| None),
        decimal_number.map(Some),
    ))
    .parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn key_letter_row() {
        let line = " M = 1,066667 560011 - = M 24 25,60 23,10 19,35";
        let r = parse_row(line).unwrap();
        assert_eq!(r.key_letter, Some('M'));
        assert_eq!(r.key_value.to_string(), "1.066667");
        assert_eq!(r.ambulatory_code.as_deref(), Some("560011"));
        assert_eq!(r.hospitalized_code, None);
        assert_eq!(r.relative_value, d("24"));
        assert_eq!(r.fee, Some(d("25.60")));
        assert_eq!(r.intervention_preferential, d("23.10"));
        assert_eq!(r.intervention_standard, d("19.35"));
        assert_eq!(&line[r.spans.fee.range()], "25,60");
        assert_eq!(&line[r.spans.key_value.range()], "1,066667");
    }

    #[test]
    fn free_fee_hos_only_and_both_codes() {
        let r = parse_row(" M = 0,451250 560055 - = M 24 (*) 8,33 4,58").unwrap();
        assert_eq!(r.fee, None);
        let r = parse_row(" M = 1,191667 - 567206 = M 24 28,60 26,10 22,35").unwrap();
        assert_eq!(r.ambulatory_code, None);
        assert_eq!(r.hospitalized_code.as_deref(), Some("567206"));
        let r = parse_row(" M = 1,066667 560534 560545 = M 24 25,60 23,10 19,35").unwrap();
        assert_eq!(r.ambulatory_code.as_deref(), Some("560534"));
        assert_eq!(r.hospitalized_code.as_deref(), Some("560545"));
    }

    #[test]
    fn travel_row_without_key_letter() {
        let r = parse_row("1,310000 639111 - 1 1,31 1,31 1,31").unwrap();
        assert_eq!(r.key_letter, None);
        assert_eq!(r.key_value.to_string(), "1.310000");
        assert_eq!(r.relative_value, d("1"));
    }

    #[test]
    fn decimal_relative_values_and_other_key_letters() {
        let r = parse_row(" M = 0,912081 561190 - = M 14,5 13,23 13,23 13,23").unwrap();
        assert_eq!(r.relative_value.to_string(), "14.5");
        let r = parse_row("W = 1,000000 423010 - = W 34,62 34,62 30,00 25,00").unwrap();
        assert_eq!(r.key_letter, Some('W'));
        assert_eq!(r.relative_value.to_string(), "34.62");
    }

    #[test]
    fn missing_last_column_names_the_cell_and_the_end_of_line() {
        let line = " M = 1,066667 560011 - = M 24 25,60 23,10";
        let e = parse_row(line).unwrap_err();
        assert_eq!(e.expected, STANDARD);
        assert_eq!(e.found, "end of line");
        assert_eq!(e.offset, line.len());
    }

    #[test]
    fn bad_code_and_trailing_text_are_reported_where_they_are() {
        let line = " M = 1,066667 56001 - = M 24 25,60 23,10 19,35";
        let e = parse_row(line).unwrap_err();
        assert_eq!(e.expected, AMB_CODE);
        assert_eq!(e.found, "`56001`");
        assert_eq!(e.offset, line.find("56001").unwrap());
        let e = parse_row(" M = 1,066667 560011 - = M 24 25,60 23,10 19,35 x").unwrap_err();
        assert_eq!(e.expected, END);
        assert_eq!(e.found, "`x`");
    }

    #[test]
    fn a_fee_of_two_key_letters_keeps_both_terms_in_order() {
        let line = " N = 3,372107 Q = 0,195645 105755 - = N 8 + Q 30 32,85 27,85 23,85";
        let r = parse_row(line).unwrap();
        let terms: Vec<String> = r
            .key_terms
            .iter()
            .map(|t| format!("{} {} {}", t.key_letter, t.key_value, t.coefficient))
            .collect();
        assert_eq!(terms, ["N 3.372107 8", "Q 0.195645 30"]);
        assert_eq!(
            (r.key_letter, r.key_value, r.relative_value),
            (Some('N'), d("3.372107"), d("8")),
            "the single fields hold the first term"
        );
        assert_eq!(r.ambulatory_code.as_deref(), Some("105755"));
        assert_eq!(r.fee, Some(d("32.85")));
        assert_eq!(&line[r.spans.key_value.range()], "3,372107 Q = 0,195645");
        assert_eq!(&line[r.spans.relative_value.range()], "8 + Q 30");
        assert_eq!(&line[r.spans.fee.range()], "32,85");
    }

    #[test]
    fn three_terms_in_any_order_with_points_and_tight_signs_read_in_letter_order() {
        let r = parse_row(
            "K = 1.5 N =3.372107 Q = 0.195645 105755 - =Q 30 +N 8 + K 2,5 (*) 27,85 23,85",
        )
        .unwrap();
        let letters: String = r.key_terms.iter().map(|t| t.key_letter).collect();
        assert_eq!(letters, "KNQ", "the order of the key letters");
        assert_eq!(r.key_terms[0].key_value, d("1.5"));
        assert_eq!(r.key_terms[0].coefficient, d("2.5"));
        assert_eq!(r.fee, None);
        assert_eq!(
            (r.key_letter, r.key_value, r.relative_value),
            (Some('K'), d("1.5"), d("2.5")),
            "the single fields hold the term of the first letter"
        );
    }

    #[test]
    fn the_same_terms_printed_in_another_order_are_the_same_row() {
        let line = " Q = 0,195645 N = 3,372107 105755 - = Q 30 + N 8 32,85 27,85 23,85";
        let swapped = parse_row(line).unwrap();
        let printed =
            parse_row(" N = 3,372107 Q = 0,195645 105755 - = N 8 + Q 30 32,85 27,85 23,85")
                .unwrap();
        assert_eq!(swapped.key_terms, printed.key_terms);
        assert_eq!(
            (
                swapped.key_letter,
                swapped.key_value,
                swapped.relative_value
            ),
            (
                printed.key_letter,
                printed.key_value,
                printed.relative_value
            )
        );
        // The spans are still the printed cells.
        assert_eq!(
            &line[swapped.spans.key_value.range()],
            "0,195645 N = 3,372107"
        );
        assert_eq!(&line[swapped.spans.relative_value.range()], "30 + N 8");
    }

    /// Where each malformed row of several key letters is reported.
    fn error_at(line: &str, cell: &str) -> RowSyntaxError {
        let e = parse_row(line).unwrap_err();
        assert_eq!(e.offset, line.find(cell).unwrap(), "{line}: {e:?}");
        e
    }

    #[test]
    fn four_terms_are_refused_at_the_fourth() {
        let e = error_at(
            " N = 3,372107 Q = 0,195645 K = 1,5 I = 2 105755 - = N 8 + Q 30 + K 1 + I 1 32,85 27,85 23,85",
            "I = 2",
        );
        assert!(e.expected.contains("at most 3 key letters"), "{e:?}");
        assert_eq!(e.found, "`I`");
        let e = error_at(
            " N = 3,372107 Q = 0,195645 K = 1,5 105755 - = N 8 + Q 30 + K 1 + I 1 32,85 27,85 23,85",
            "I 1",
        );
        assert!(e.expected.contains("at most 3 terms"), "{e:?}");
    }

    #[test]
    fn a_letter_twice_is_refused_at_its_second_place() {
        let e = error_at(
            " N = 3,372107 N = 0,195645 105755 - = N 8 + Q 30 32,85 27,85 23,85",
            "N = 0,19",
        );
        assert!(e.expected.contains("not given yet"), "{e:?}");
        let e = error_at(
            " N = 3,372107 Q = 0,195645 105755 - = N 8 + N 30 32,85 27,85 23,85",
            "N 30",
        );
        assert!(e.expected.contains("not in the sum yet"), "{e:?}");
        assert_eq!(e.found, "`N`");
    }

    #[test]
    fn letters_and_values_must_pair_up() {
        let e = error_at(
            " N = 3,372107 Q = 0,195645 105755 - = N 8 + K 30 32,85 27,85 23,85",
            "K 30",
        );
        assert_eq!(
            e.expected,
            "a key letter whose value the row gives before the codes (N, Q)"
        );
        assert_eq!(e.found, "`K`");
        let e = error_at(
            " N = 3,372107 Q = 0,195645 105755 - = N 8 32,85 27,85 23,85",
            " 32,85",
        );
        assert!(
            e.expected.starts_with("`+ Q …`: a term for key letter Q"),
            "{e:?}"
        );
        let e = error_at("3,372107 105755 - = N 8 + Q 30 32,85 27,85 23,85", "N 8");
        assert!(e.expected.contains("none is given"), "{e:?}");
        let e = error_at(
            " N = 3,372107 Q = 0,195645 105755 - 8 32,85 27,85 23,85",
            "8 ",
        );
        assert!(e.expected.contains("key letters N, Q"), "{e:?}");
        let e = error_at(" N = 3,372107 105755 - = N 8 + 30 32,85 27,85 23,85", "30 ");
        assert_eq!(e.expected, TERM_LETTER);
    }

    #[test]
    fn mismatched_key_letters_are_an_error() {
        let e = parse_row(" M = 1,066667 560011 - = W 24 25,60 23,10 19,35").unwrap_err();
        assert!(e.expected.contains("key letter M"), "{e:?}");
        assert_eq!(e.found, "`W`");
    }
}
