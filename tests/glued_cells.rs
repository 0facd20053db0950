//! Glued cells (issue 20): a row whose cells touch, in a text file or in a
//! PDF whose glyph spacing closes the gaps between them, is read whole or
//! reported at its line; never dropped with exit 0 and 196 of 197 rows.
//!
//! `tests/fixtures/invalid/glued-cells.fr.txt` holds the text cases with
//! their exact report; here, each case on its own, and the PDF cases, each
//! built with the spacing operator it is about.

// PDF geometry: points are floats; no amount is computed here.
#![allow(clippy::float_arithmetic)]

mod common;

use std::path::Path;

use serde_json::Value;

const SEED: &str = include_str!("../sources/physiotherapy/2024-01-01-tariff.fr.txt");
/// The row every case glues, and its line in the seed.
const ROW: &str = " M = 1,166667 561610 - = M 24 28,00 25,50 21,75";
const ROW_LINE: usize = 128;

/// The seed with its row of 561610 replaced by `row`.
fn seed_with(row: &str) -> String {
    let mut lines: Vec<&str> = SEED.split('\n').collect();
    assert_eq!(lines[ROW_LINE - 1], ROW);
    lines[ROW_LINE - 1] = row;
    lines.join("\n")
}

/// `import --dry-run --format json` of `path`: the exit code and the report.
fn dry_run(path: &Path) -> (Option<i32>, Value) {
    let repo = tempfile::tempdir().unwrap();
    common::json_of(
        common::tariffs(repo.path())
            .args(["import", "--dry-run", "--format", "json"])
            .arg(path),
    )
}

/// The error findings of a dry-run report.
fn errors(report: &Value) -> Vec<&Value> {
    report["documents"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect()
}

/// The one error of the report: an `unparsed-row` at `line`; the import
/// exits 1 with the 196 other rows read.
fn reported_at(path: &Path, line: usize) -> Value {
    let (code, report) = dry_run(path);
    let errors = errors(&report);
    assert_eq!(code, Some(1), "{}: {report:#}", path.display());
    assert_eq!(errors.len(), 1, "{}: {errors:#?}", path.display());
    assert_eq!(errors[0]["rule"], "unparsed-row", "{errors:#?}");
    assert_eq!(errors[0]["line"], line, "{errors:#?}");
    assert_eq!(report["documents"][0]["rows"], 196, "{}", path.display());
    errors[0].clone()
}

/// A text table with the row of 561610 written as `row`.
fn text_table(dir: &Path, name: &str, row: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.fr.txt"));
    std::fs::write(&path, seed_with(row)).unwrap();
    path
}

// ------------------------------------------------------------------- text

/// The key value touches the code: before, the line was not taken for a
/// row (its key value has twelve decimals), and the row was lost.
#[test]
fn a_key_value_glued_to_its_code_is_reported_at_the_glue() {
    let dir = tempfile::tempdir().unwrap();
    let row = " M = 1,166667561610 - = M 24 28,00 25,50 21,75";
    let error = reported_at(&text_table(dir.path(), "glued", row), ROW_LINE);
    assert_eq!(error["column"], row.find("561610").unwrap() + 1);
    assert_eq!(
        error["expected"],
        "a space between the key value `1,166667` and the AMB code `561610`"
    );
    assert_eq!(error["found"], "`1,166667561610`");
}

/// Three amounts with a space between each: the amount pattern took the
/// separating space with the first and counted two.
#[test]
fn a_line_of_three_single_spaced_amounts_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = text_table(dir.path(), "amounts", " 28,00 25,50 21,75");
    reported_at(&path, ROW_LINE);
}

/// Cells glued in other places: the row is reported at its line, with the
/// caret where the cells touch when one space makes it a row.
#[test]
fn cells_glued_anywhere_are_reported_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "whole",
            "M=1,166667561610-=M2428,0025,5021,75",
            "M=1,166667561610-=M2428,0025,5021,75",
            "the cells of a row separated by spaces",
        ),
        (
            "amounts",
            " M = 1,166667 561610 - = M 24 28,0025,5021,75",
            "28,0025,5021,75",
            "the cells of a row separated by spaces",
        ),
        (
            "code-dash",
            " M = 1,166667 561610- = M 24 28,00 25,50 21,75",
            "-",
            "a space between the AMB code `561610` and the HOS code `-`",
        ),
        (
            "letter-coefficient",
            " M = 1,166667 561610 - =M24 28,00 25,50 21,75",
            "24",
            "a space between `=M` and the relative value `24`",
        ),
        (
            "spaced-out",
            "M = 1 , 1 6 6 6 6 7 5 6 1 6 1 0 - = M 2 4 2 8 , 0 0 2 5 , 5 0 2 1 , 7 5",
            "M",
            "a row's cells, each written without spaces inside it",
        ),
    ];
    for (name, row, at, expected) in cases {
        let error = reported_at(&text_table(dir.path(), name, row), ROW_LINE);
        assert_eq!(error["column"], row.find(at).unwrap() + 1, "{name}");
        assert!(
            error["expected"].as_str().unwrap().starts_with(expected),
            "{name}: {error:#}"
        );
    }
}

/// Two cells glued where a space could go in several places: each reading
/// is named, none is chosen.
#[test]
fn an_ambiguous_glue_names_every_reading_and_picks_none() {
    let dir = tempfile::tempdir().unwrap();
    let row = " M = 1,166667 561610 - = M 24 28,0025,50 21,75";
    let error = reported_at(&text_table(dir.path(), "ambiguous", row), ROW_LINE);
    assert_eq!(error["column"], row.find("28,00").unwrap() + 1);
    assert_eq!(
        error["expected"],
        "a space between two of its cells: it reads as `28,0 025,50`, `28,00 25,50` \
         or `28,002 5,50`, and which one is meant is not guessed"
    );
    assert_eq!(error["found"], "`28,0025,50`");
}

// -------------------------------------------------------------------- PDF

/// The seed table as a PDF, one row drawn as a case says.
mod pdf {
    use super::common::pdf::{from_operations, win_ansi};
    use pdf_extract::content::Operation;
    use pdf_extract::{Object, StringFormat};

    pub const SIZE: f64 = 8.0;
    const LEADING: f64 = 1.6;
    const PER_PAGE: usize = 40;

    pub fn real(v: f64) -> Object {
        Object::Real(v as f32)
    }

    pub fn text(s: &str) -> Object {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    }

    pub fn op(name: &str, operands: Vec<Object>) -> Operation {
        Operation::new(name, operands)
    }

    /// `BT /F1 size Tf x y Td … ET` around `body`.
    pub fn text_object(size: f64, x: f64, y: f64, body: Vec<Operation>) -> Vec<Operation> {
        let mut ops = vec![
            op("BT", vec![]),
            op("Tf", vec![Object::Name(b"F1".to_vec()), real(size)]),
            op("Td", vec![real(x), real(y)]),
        ];
        ops.extend(body);
        ops.push(op("ET", vec![]));
        ops
    }

    /// The seed table, its rows cut into cells at fixed columns and other
    /// lines drawn whole (as `common::pdf::table_pdf` lays it out), but the
    /// row of 561610 drawn by `row(x, y)` at the start of its line.
    pub fn seed_with_row(row: &dyn Fn(f64, f64) -> Vec<Operation>) -> Vec<u8> {
        let seed = super::SEED;
        let lines: Vec<&str> = seed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let mut pages: Vec<Vec<Operation>> = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if i % PER_PAGE == 0 {
                pages.push(Vec::new());
            }
            let ops = pages.last_mut().unwrap();
            let y = 560.0 - (i % PER_PAGE) as f64 * SIZE * LEADING;
            if *line == super::ROW.trim() {
                ops.extend(row(30.0, y));
                // The text state outlives `ET`: the rows after are set plainly.
                for (name, value) in [("Tc", 0.0), ("Tw", 0.0), ("Tz", 100.0), ("Ts", 0.0)] {
                    ops.push(op(name, vec![real(value)]));
                }
            } else if inami_tariffs::parse::row::parse_row(line).is_ok() {
                for (column, cell) in line.split_whitespace().enumerate() {
                    let x = 30.0 + column as f64 * 45.0;
                    ops.extend(text_object(SIZE, x, y, vec![op("Tj", vec![text(cell)])]));
                }
            } else {
                let tj = op(
                    "Tj",
                    vec![Object::String(win_ansi(line), StringFormat::Literal)],
                );
                ops.extend(text_object(SIZE, 30.0, y, vec![tj]));
            }
        }
        from_operations(pages)
    }

    /// Helvetica's width of `c`, in thousandths of the font size (the
    /// characters of a row).
    pub fn width(c: char) -> f64 {
        match c {
            '0'..='9' => 556.0,
            ',' | ' ' => 278.0,
            '-' => 333.0,
            '=' => 584.0,
            'M' => 833.0,
            other => panic!("no width for {other:?}"),
        }
    }
}

use pdf::{op, real, text, text_object, SIZE};
use pdf_extract::content::Operation;
use pdf_extract::Object;

/// What became of the row of 561610.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// 197 rows, the seed's data, and `import --dry-run` exits 0.
    Read,
    /// An `unparsed-row` error at the row's line, the 196 others read, exit 1.
    Reported,
    /// Anything else: the rows, the exit code and the row's line of text.
    Lost(String),
}

/// Writes `bytes` to a folder that outlives the test (so a case can be run
/// by hand: `tariffs extract FILE`) and says what became of the row.
fn check(name: &str, bytes: &[u8]) -> Outcome {
    let dir = std::env::temp_dir().join("inami-tariffs-glued-cells");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    // One line of text per line drawn: the row's is its place among them.
    let number = SEED
        .lines()
        .filter(|l| !l.trim().is_empty())
        .position(|l| l == ROW)
        .unwrap()
        + 1;
    let doc = inami_tariffs::source::read(&path, &Default::default()).unwrap();
    let line = &doc.line(number).unwrap().text;
    let (code, report) = dry_run(&path);
    let rows = &report["documents"][0]["rows"];
    let errors = errors(&report);
    let at_the_row =
        |e: &&Value| e["rule"] == "unparsed-row" && e["line"] == number && e["page"].is_u64();
    match code {
        Some(0) if *rows == 197 && same_rows_as_the_seed(&path) => Outcome::Read,
        Some(1) if *rows == 196 && errors.len() == 1 && errors.iter().all(at_the_row) => {
            Outcome::Reported
        }
        _ => Outcome::Lost(format!("exit {code:?}, {rows} rows, {errors:?}: {line:?}")),
    }
}

fn same_rows_as_the_seed(path: &Path) -> bool {
    let seed = common::table(&common::seed_table());
    let table = common::table(path);
    table.rows.len() == seed.rows.len()
        && table
            .rows
            .iter()
            .zip(&seed.rows)
            .all(|(p, s)| common::data(p) == common::data(s))
}

/// A drawing of the row, named, and what must become of it.
type Case = (
    &'static str,
    Box<dyn Fn(f64, f64) -> Vec<Operation>>,
    Outcome,
);

/// Builds each case's PDF: every one must come out as it says.
fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for (name, row, expected) in cases {
        let outcome = check(name, &pdf::seed_with_row(&*row));
        if outcome != expected {
            failures.push(format!("{name}: {outcome:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The row as one string: `Tj` of its text, after `setup` (`Tc`, `Tw`, …).
fn one_string(setup: Vec<Operation>, size: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut body = setup.clone();
        body.push(op("Tj", vec![text(ROW.trim())]));
        text_object(size, x, y, body)
    }
}

/// The row by `TJ`: each glyph a string, followed by `kern` thousandths of
/// the font size (positive: closer); cells parted by a space glyph.
fn kerned(kern: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut array = Vec::new();
        for c in ROW.trim().chars() {
            array.push(text(&c.to_string()));
            array.push(real(kern));
        }
        text_object(SIZE, x, y, vec![op("TJ", vec![Object::Array(array)])])
    }
}

/// The row by `TJ` without space glyphs: cells parted by `gap` points.
fn cells_apart(gap: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut array = Vec::new();
        for cell in ROW.split_whitespace() {
            array.push(text(cell));
            array.push(real(-gap / SIZE * 1000.0));
        }
        text_object(SIZE, x, y, vec![op("TJ", vec![Object::Array(array)])])
    }
}

fn tc(v: f64) -> Operation {
    op("Tc", vec![real(v)])
}

fn tw(v: f64) -> Operation {
    op("Tw", vec![real(v)])
}

/// The cases, one PDF each: the spacing operators that glued the
/// row's cells (before, every one gave 196 rows and exit 0). Cells that
/// stand apart by a tenth of an em beyond the text's own letter spacing
/// are read; cells closer than that are reported.
#[test]
fn a_row_glued_by_glyph_spacing_is_read_or_reported_never_lost() {
    let cases: Vec<Case> = vec![
        // Letters 0.6 pt closer: spaces still 0.2 em wide beyond that.
        (
            "tc-0.6",
            Box::new(one_string(vec![tc(-0.6)], SIZE)),
            Outcome::Read,
        ),
        // Spaces 2 pt narrower: 0.22 pt left, 0.03 em: the cells touch.
        (
            "tw-2",
            Box::new(one_string(vec![tw(-2.0)], SIZE)),
            Outcome::Reported,
        ),
        // Spaces 1 pt narrower: 1.2 pt, 0.15 em.
        (
            "tw-1",
            Box::new(one_string(vec![tw(-1.0)], SIZE)),
            Outcome::Read,
        ),
        // Every glyph kerned 0.06 em closer by TJ (spaces too).
        ("tj-kern-60", Box::new(kerned(60.0)), Outcome::Read),
        // 0.12 em closer: letters overlap by 0.12 em, and spaces are 0.04 em
        // wide, 0.16 em more than the letter spacing.
        ("tj-kern-120", Box::new(kerned(120.0)), Outcome::Read),
        // Kerning that eats the spaces whole: the cells overlap.
        ("tj-kern-300", Box::new(kerned(300.0)), Outcome::Reported),
        // Cells parted by 1 pt of TJ, no space glyph (0.125 em).
        ("tj-gap-1pt", Box::new(cells_apart(1.0)), Outcome::Read),
        // Cells parted by 0.3 pt of TJ (0.04 em): they touch.
        (
            "tj-gap-0.3pt",
            Box::new(cells_apart(0.3)),
            Outcome::Reported,
        ),
        // Tiny fonts: the spaces shrink with the glyphs.
        (
            "font-0.5pt",
            Box::new(one_string(vec![], 0.5)),
            Outcome::Read,
        ),
        (
            "font-0.1pt",
            Box::new(one_string(vec![], 0.1)),
            Outcome::Read,
        ),
        // Tiny and tight: spaces gone.
        (
            "font-0.5pt-tc",
            Box::new(one_string(vec![tc(-0.2)], 0.5)),
            Outcome::Reported,
        ),
    ];
    run(cases);
}

/// The row glyph by glyph, each by its own `Td` from the row's start, at
/// its advance plus `nudge` points (negative: closer, as a `Tc` would).
fn glyph_by_glyph(nudge: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut ops = Vec::new();
        let mut at = x;
        for c in ROW.trim().chars() {
            if c != ' ' {
                ops.extend(text_object(
                    SIZE,
                    at,
                    y,
                    vec![op("Tj", vec![text(&c.to_string())])],
                ));
            }
            at += pdf::width(c) / 1000.0 * SIZE + nudge;
        }
        ops
    }
}

/// The row's cells each by its own `Tj`, `gutter` points apart, in
/// columns as wide as an amount: numbers right-aligned, the rest left.
fn right_aligned(gutter: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    let width = |cell: &str| -> f64 { cell.chars().map(|c| pdf::width(c) / 1000.0 * SIZE).sum() };
    move |x, y| {
        let mut ops = Vec::new();
        let mut left = x;
        for cell in ROW.split_whitespace() {
            let numeric = cell.starts_with(|c: char| c.is_ascii_digit());
            let column = if numeric {
                width(cell).max(width("28,00"))
            } else {
                width(cell)
            };
            let at = left + column - width(cell);
            ops.extend(text_object(SIZE, at, y, vec![op("Tj", vec![text(cell)])]));
            left += column + gutter;
        }
        ops
    }
}

/// The row glyph by glyph from its last glyph to its first, each at its
/// place: drawn backwards, but clear of one another.
fn right_to_left() -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut glyphs = glyph_by_glyph(0.0)(x, y);
        let objects: Vec<Vec<Operation>> = glyphs.chunks(5).map(<[Operation]>::to_vec).collect();
        glyphs = objects.into_iter().rev().flatten().collect();
        glyphs
    }
}

/// Each cell by its own `Tj` in one text object, `Ts` raising the cells
/// after the codes by `rise` points.
fn risen(rise: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut body = Vec::new();
        for (i, cell) in ROW.split_whitespace().enumerate() {
            body.push(op("Ts", vec![real(if i >= 5 { rise } else { 0.0 })]));
            body.push(op("Tj", vec![text(&format!("{cell} "))]));
        }
        text_object(SIZE, x, y, body)
    }
}

/// The row drawn twice, the second time `offset` points to the right (a
/// bold faked by overprinting).
fn overprinted(offset: f64) -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut ops = one_string(vec![], SIZE)(x, y);
        ops.extend(one_string(vec![], SIZE)(x + offset, y));
        ops
    }
}

/// The row, and another drawn over it 1 pt to the right.
fn row_over_row() -> impl Fn(f64, f64) -> Vec<Operation> {
    move |x, y| {
        let mut ops = one_string(vec![], SIZE)(x, y);
        let other = op(
            "Tj",
            vec![text("M = 1,066667 560011 - = M 24 25,60 23,10 19,35")],
        );
        ops.extend(text_object(SIZE, x + 1.0, y, vec![other]));
        ops
    }
}

/// Other spacing and layout, beyond the cases.
#[test]
fn other_spacings_and_layouts_are_read_or_reported() {
    let tz = |v: f64| op("Tz", vec![real(v)]);
    let cases: Vec<Case> = vec![
        // Horizontal scaling: glyphs and spaces narrower alike, down to
        // where a space is less than a tenth of the (scaled) font size.
        (
            "tz-50",
            Box::new(one_string(vec![tz(50.0)], SIZE)),
            Outcome::Read,
        ),
        (
            "tz-20",
            Box::new(one_string(vec![tz(20.0)], SIZE)),
            Outcome::Read,
        ),
        (
            "tz-50-tc-0.6",
            Box::new(one_string(vec![tz(50.0), tc(-0.6)], SIZE)),
            Outcome::Read,
        ),
        (
            "tz-5",
            Box::new(one_string(vec![tz(5.0)], SIZE)),
            Outcome::Reported,
        ),
        // Letter-spaced and word-spaced.
        (
            "tc+2",
            Box::new(one_string(vec![tc(2.0)], SIZE)),
            Outcome::Read,
        ),
        (
            "tw+6",
            Box::new(one_string(vec![tw(6.0)], SIZE)),
            Outcome::Read,
        ),
        // Negative spacing wider than the spaces, then than the glyphs
        // (the text runs backwards over itself).
        (
            "tc-3",
            Box::new(one_string(vec![tc(-3.0)], SIZE)),
            Outcome::Reported,
        ),
        (
            "tc-6",
            Box::new(one_string(vec![tc(-6.0)], SIZE)),
            Outcome::Reported,
        ),
        ("tj-kern-700", Box::new(kerned(700.0)), Outcome::Reported),
        // Each glyph by its own Td: at its advance, 0.6 pt closer (as a
        // Tc the pen does not know), 2 pt closer (overlapping), and from
        // the last glyph to the first.
        ("glyphs", Box::new(glyph_by_glyph(0.0)), Outcome::Read),
        (
            "glyphs-closer",
            Box::new(glyph_by_glyph(-0.6)),
            Outcome::Read,
        ),
        (
            "glyphs-overlapping",
            Box::new(glyph_by_glyph(-2.0)),
            Outcome::Reported,
        ),
        (
            "glyphs-right-to-left",
            Box::new(right_to_left()),
            Outcome::Read,
        ),
        // Cells as separate strings, amounts right-aligned: 1 pt apart,
        // then 0.3 pt.
        (
            "right-aligned-1pt",
            Box::new(right_aligned(1.0)),
            Outcome::Read,
        ),
        (
            "right-aligned-0.3pt",
            Box::new(right_aligned(0.3)),
            Outcome::Reported,
        ),
        // Cells raised by a text rise: within the row's band, or joining it.
        ("rise-2pt", Box::new(risen(2.0)), Outcome::Read),
        ("rise-4pt", Box::new(risen(4.0)), Outcome::Read),
        // A bold faked by drawing the row twice, 0.3 pt apart: read once.
        ("overprinted", Box::new(overprinted(0.3)), Outcome::Read),
        // Another row drawn over it, 1 pt to the right.
        ("row-over-row", Box::new(row_over_row()), Outcome::Reported),
    ];
    run(cases);
}

/// Negative character spacing and `TJ` kerning from mild to absurd: the
/// row is read or reported at every step, never lost.
#[test]
fn no_spacing_loses_the_row() {
    let mut cases: Vec<Case> = Vec::new();
    for spacing in [-1.0, -2.0, -4.0, -4.45, -5.0, -10.0] {
        let name = Box::leak(format!("sweep-tc{spacing}").into_boxed_str());
        cases.push((
            name,
            Box::new(one_string(vec![tc(spacing)], SIZE)),
            Outcome::Read,
        ));
    }
    for kern in [200.0, 500.0, 1000.0] {
        let name = Box::leak(format!("sweep-kern{kern}").into_boxed_str());
        cases.push((name, Box::new(kerned(kern)), Outcome::Read));
    }
    let lost: Vec<String> = cases
        .into_iter()
        .filter_map(
            |(name, row, _)| match check(name, &pdf::seed_with_row(&*row)) {
                Outcome::Lost(why) => Some(format!("{name}: {why}")),
                _ => None,
            },
        )
        .collect();
    assert!(lost.is_empty(), "{lost:#?}");
}
