//! Glued cells (issue 20): a row whose cells touch, in a text file or in a
//! PDF whose glyph spacing closes the gaps between them, is read whole or
//! reported at its line; never dropped with exit 0 and 196 of 197 rows.
//!
//! `tests/fixtures/invalid/glued-cells.fr.txt` holds the text cases with
//! their exact report; here, each case on its own, and the PDF cases, each
//! built with the spacing operator it is about.

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
