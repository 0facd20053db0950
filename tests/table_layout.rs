//! Tables: whatever a row's code looks like and wherever the row stands, it
//! is a row or an `unparsed-row` finding; dates that disagree are findings.
//! Never 196 rows with no error.

use inami_tariffs::findings::Finding;
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline::{self, Checked};
use inami_tariffs::source::SourceDocument;

const SEED: &str = include_str!("../sources/physiotherapy/2024-01-01-tariff.fr.txt");
const CONVENTION: &str = include_str!("../sources/physiotherapy/2021-01-01-convention.fr.txt");

fn read(text: &str) -> Result<(usize, Vec<Finding>), String> {
    let doc = SourceDocument::from_text("t.fr.txt", text);
    let Checked {
        parsed, findings, ..
    } = pipeline::parse_and_validate(&doc).map_err(|e| e.to_string())?;
    let rows = match parsed {
        ParsedDocument::Tariff(t) => t.table.rows.len(),
        ParsedDocument::Convention(c) => c.convention.key_values.len(),
    };
    Ok((
        rows,
        findings.into_iter().filter(Finding::is_error).collect(),
    ))
}

fn edit_line(n: usize, from: &str, to: &str) -> String {
    let mut lines: Vec<String> = SEED.split('\n').map(String::from).collect();
    assert!(lines[n - 1].contains(from), "line {n}: {}", lines[n - 1]);
    lines[n - 1] = lines[n - 1].replacen(from, to, 1);
    lines.join("\n")
}

#[test]
fn row_perturbations_give_the_rows_or_a_finding_at_the_line() {
    let cases = [
        ("letters in the code", edit_line(26, "560011", "56OO11")),
        ("a comma after the code", edit_line(26, "560011", "560011,")),
        ("seven digits", edit_line(26, "560011", "5600111")),
        (
            "a letter before the code",
            edit_line(26, "560011", "X560011"),
        ),
        ("a slash", edit_line(26, "560011 -", "560011/-")),
        (
            "glued to a heading",
            edit_line(26, " M = 1,066667", "I. M = 1,066667"),
        ),
        (
            "glued to the footnote mark",
            edit_line(26, " M = 1,066667", "(*) M = 1,066667"),
        ),
        (
            "a non-breaking space",
            edit_line(26, " 25,60", "\u{a0}25,60"),
        ),
        (
            "a zero-width space in the code",
            edit_line(26, "560011", "5600\u{200b}11"),
        ),
    ];
    for (name, text) in cases {
        let (rows, errors) = read(&text).unwrap();
        if rows == 197 && errors.is_empty() {
            continue;
        }
        assert!(
            errors
                .iter()
                .any(|f| f.location.line == Some(26) && f.rule.id() == "unparsed-row"),
            "{name}: {rows} rows, {errors:#?}"
        );
    }
}

#[test]
fn dates_that_disagree_are_findings() {
    let cases = [
        ("numeric application date", edit_line(16, "1er janvier 2024", "01-02-2024"), "conflicting-date"),
        ("abbreviated month", edit_line(16, "1er janvier 2024", "1er janv. 2025"), "conflicting-date"),
        ("impossible date", edit_line(16, "1er janvier 2024", "31 février 2024"), "unreadable-date"),
        (
            "a second application date",
            format!("{SEED}\nDate d’application : 1er février 2024\n"),
            "conflicting-date",
        ),
        (
            "a second title with its own rows",
            format!("{SEED}\nTarifs ; Kinésithérapeutes ; 01-02-2024\n M = 1,066667 567990 - = M 24 25,60 23,10 19,35\n"),
            "mixed-document",
        ),
    ];
    for (name, text, rule) in cases {
        let (_, errors) = read(&text).unwrap();
        assert!(
            errors.iter().any(|f| f.rule.id() == rule),
            "{name}: {errors:#?}"
        );
    }
}

#[test]
fn a_document_holds_one_kind() {
    // A convention followed by a whole table: the rows are findings.
    let (_, errors) = read(&format!("{CONVENTION}\n{SEED}")).unwrap();
    let mixed = errors
        .iter()
        .filter(|f| f.rule.id() == "mixed-document")
        .count();
    assert!(mixed >= 197, "{mixed}");
    // A convention statement inside a table is a finding.
    let (_, errors) = read(&edit_line(
        18,
        "AMB HOS",
        "AMB HOS\nles honoraires des prestations 560011 sont portés à 25 euros",
    ))
    .unwrap();
    assert!(
        errors.iter().any(|f| f.rule.id() == "mixed-document"),
        "{errors:#?}"
    );
}

#[test]
fn a_document_of_no_known_kind_says_what_was_looked_for() {
    let e = read("Hello\nworld\n").unwrap_err();
    assert!(e.contains("Tarifs ; Kinésithérapeutes"), "{e}");
    assert!(e.contains("CONVENTION ENTRE LES KINESITHERAPEUTES"), "{e}");
    assert!(e.contains("Wijzigingsclausule"), "{e}");
}
