//! Fees of several key letters in tariff tables (doctors' tables): a small
//! doctors' table reads to its golden snapshot, and the fee check agrees
//! with a sum computed here on integers.
//!
//! `BLESS=1 cargo test --test key_terms` rewrites the golden snapshot
//! (review the diff before committing).

mod common;

use std::path::Path;

use inami_tariffs::findings::Rule;
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline::{self, Checked};
use inami_tariffs::source::{self, ReadOptions, SourceDocument};
use proptest::prelude::*;

/// The doctors' table of the fixtures (French).
const TABLE: &str = "tariff/tarifs-medecins-2025-01-01.fr.txt";

#[test]
fn the_doctors_table_reads_to_its_golden_snapshot() {
    let path = common::fixture(TABLE);
    let done = pipeline::process(source::read(&path, &ReadOptions::default()).unwrap()).unwrap();
    assert!(done.findings.is_empty(), "{:#?}", done.findings);
    assert_eq!(
        done.filing.snapshot_path,
        "parsed/medicine/2025-01-01-tariff.yaml"
    );
    let golden = path.with_extension("yaml");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&golden, &done.filing.yaml).unwrap();
    }
    let expected = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", golden.display()));
    assert!(
        done.filing.yaml == expected,
        "{} differs from a parse of {TABLE}",
        golden.display()
    );
    // Only the four rows of several key letters carry the list.
    assert_eq!(expected.matches("  key_terms:\n").count(), 4);
}

#[test]
fn the_schema_refuses_terms_the_contract_forbids() {
    let golden = common::fixture(TABLE).with_extension("yaml");
    let good = std::fs::read_to_string(&golden).unwrap();
    let schema = inami_tariffs::canonical::TARIFF_SCHEMA;
    let findings = |text: &str| inami_tariffs::canonical::schema_findings(&golden, text, schema);
    assert!(findings(&good).unwrap().is_empty());
    let one_term = "  - key_letter: Q\n    key_value: '0.195645'\n    coefficient: '30'\n";
    for (from, to, at) in [
        (one_term, "", "at /rows/0/key_terms"),
        (
            "  - key_letter: Q\n",
            "  - key_letter: q\n",
            "at /rows/0/key_terms/1/key_letter",
        ),
        (
            "    coefficient: '30'\n",
            "    coefficient: 30\n",
            "at /rows/0/key_terms/1/coefficient",
        ),
        ("    key_value: '0.195645'\n", "", "at /rows/0/key_terms/1"),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{from:?} is in the snapshot");
        let found = findings(&bad).unwrap();
        assert!(
            found.iter().any(|f| f.message.starts_with(at)),
            "{to:?} should be refused {at}: {found:#?}"
        );
    }
}

#[test]
fn the_rows_hold_their_terms_and_repeat_the_first() {
    let table = common::table(&common::fixture(TABLE));
    let row = |code: &str| table.rows.iter().find(|r| r.has_code(code)).unwrap();
    let gp = row("105755");
    let terms: Vec<String> = gp
        .key_terms
        .iter()
        .map(|t| format!("{} {} × {}", t.key_letter, t.coefficient, t.key_value))
        .collect();
    assert_eq!(terms, ["N 8 × 3.372107", "Q 30 × 0.195645"]);
    assert_eq!(gp.key_letter, Some('N'));
    assert_eq!(gp.key_value.to_string(), "3.372107");
    assert_eq!(gp.relative_value.to_string(), "8");
    assert_eq!(gp.fee.unwrap().to_string(), "32.85");
    assert_eq!(row("102012").key_terms.len(), 3);
    assert_eq!(row("102034").fee, None, "a free fee of two key letters");
    let surgery = row("471026");
    assert!(surgery.key_terms.is_empty(), "one key letter: no list");
    assert_eq!(surgery.key_letter, Some('K'));
}

/// A table of one row, as a document.
fn one_row_table(row: &str) -> SourceDocument {
    SourceDocument::from_text(
        "t.fr.txt",
        &format!(" Tarifs ; Médecins ; 01-01-2025\n\n{row}\n"),
    )
}

/// Σ key value × coefficient half-up to the cent, on integers: values have
/// 6 decimals and coefficients 0 to 2, so every product is exact at 8.
fn fee_in_cents(terms: &[(i64, i64, u32)]) -> i128 {
    let at_scale_8: i128 = terms
        .iter()
        .map(|&(value, coefficient, scale)| {
            i128::from(value) * i128::from(coefficient) * 10i128.pow(2 - scale)
        })
        .sum();
    (at_scale_8 + 500_000) / 1_000_000
}

fn cents(amount: i128) -> String {
    format!("{},{:02}", amount / 100, amount % 100)
}

fn decimal(mantissa: i64, scale: u32) -> String {
    inami_tariffs::decimal::to_document_style(rust_decimal::Decimal::new(mantissa, scale))
}

proptest! {
    #[test]
    fn the_fee_check_agrees_with_a_sum_on_integers(
        terms in proptest::collection::vec((1i64..9_999_999, 1i64..100_000, 0u32..3), 2..=3),
        off_by in prop_oneof![3 => Just(0i128), 1 => -3i128..=3],
    ) {
        let letters = ['N', 'Q', 'I'];
        let values: Vec<String> = terms
            .iter()
            .zip(letters)
            .map(|(&(value, _, _), l)| format!("{l} = {}", decimal(value, 6)))
            .collect();
        let sum: Vec<String> = terms
            .iter()
            .zip(letters)
            .map(|(&(_, coefficient, scale), l)| format!("{l} {}", decimal(coefficient, scale)))
            .collect();
        let right = fee_in_cents(&terms);
        let printed = (right + off_by).max(0);
        let line = format!(
            " {} 105755 - = {} {} 0,00 0,00",
            values.join(" "),
            sum.join(" + "),
            cents(printed)
        );
        let Checked { parsed, findings, .. } =
            pipeline::parse_and_validate(&one_row_table(&line)).unwrap();
        let ParsedDocument::Tariff(t) = parsed else { panic!("a table") };
        prop_assert_eq!(t.table.rows.len(), 1, "{}", line);
        let mismatches: Vec<_> = findings.iter().filter(|f| f.rule == Rule::FeeMismatch).collect();
        if printed == right {
            prop_assert!(mismatches.is_empty(), "{}: {:?}", line, mismatches);
        } else {
            prop_assert_eq!(mismatches.len(), 1, "{}", line);
            let expected = cents(right);
            prop_assert_eq!(mismatches[0].expected.as_deref(), Some(expected.as_str()));
            prop_assert!(mismatches[0].message.contains(" + Q "), "{}", mismatches[0].message);
        }
    }
}

#[test]
fn an_overflowing_sum_is_a_finding_not_a_panic() {
    let huge = "9".repeat(28);
    let line = format!(" N = {huge} Q = {huge} 105755 - = N 9 + Q 9 1,00 0,00 0,00");
    let findings = pipeline::parse_and_validate(&one_row_table(&line))
        .unwrap()
        .findings;
    let overflow = findings
        .iter()
        .find(|f| f.rule == Rule::ArithmeticOverflow)
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        overflow
            .message
            .starts_with("the sum of its key letters' terms does not fit in a decimal"),
        "{}",
        overflow.message
    );
}

const DUTCH: &str = "tariff/tarieven-artsen-2025-01-01.nl.txt";

/// A copy of a fixture (same name, in a new folder) with `from` changed to `to` once.
fn edited(fixture: &str, from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let text = std::fs::read_to_string(common::fixture(fixture)).unwrap();
    assert!(text.contains(from), "{fixture}: {from}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Path::new(fixture).file_name().unwrap());
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    (dir, path)
}

/// Runs a command that must end with exit 1 and exactly one error; its output.
fn one_error(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(stdout.matches("error[").count(), 1, "{stdout}");
    stdout
}

/// Runs a command that must succeed; its output.
fn succeeds(cmd: &mut assert_cmd::Command) -> String {
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    stdout
}

#[test]
fn french_and_dutch_with_the_same_terms_make_one_snapshot() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture(TABLE))
        .arg(common::fixture(DUTCH))
        .assert()
        .success();
    let snapshot =
        std::fs::read_to_string(repo.path().join("parsed/medicine/2025-01-01-tariff.yaml"))
            .unwrap();
    assert!(snapshot.contains("translations:\n  nl:\n    title: Tarieven ; Artsen ; 01-01-2025"));
    assert_eq!(snapshot.matches("  key_terms:\n").count(), 4);
}

/// Q's value differs in the sixth decimal: the fee, the interventions and
/// the first term (the single fields) are the same in both languages.
#[test]
fn a_term_that_differs_between_the_languages_is_a_language_mismatch() {
    let (_dir, path) = edited(DUTCH, "Q = 0,195645 105755", "Q = 0,195646 105755");
    let repo = tempfile::tempdir().unwrap();
    let stdout = one_error(
        common::tariffs(repo.path())
            .arg("import")
            .arg(common::fixture(TABLE))
            .arg(&path),
    );
    assert!(
        stdout.contains("code 105755: the list of key-letter terms differs between the languages")
            && stdout.contains("fr.txt:13 says N 8 × 3.372107 + Q 30 × 0.195645, ")
            && stdout.contains("nl.txt:13 says N 8 × 3.372107 + Q 30 × 0.195646"),
        "{stdout}"
    );
    assert!(common::files_in(repo.path()).is_empty(), "nothing written");
}

/// 105755 printed with its terms in the other order, values likewise.
const SWAPPED: (&str, &str) = (
    "N = 3,372107 Q = 0,195645 105755 - = N 8 + Q 30",
    "Q = 0,195645 N = 3,372107 105755 - = Q 30 + N 8",
);

#[test]
fn terms_printed_in_another_order_are_no_language_mismatch() {
    let (_dir, path) = edited(DUTCH, SWAPPED.0, SWAPPED.1);
    let repo = tempfile::tempdir().unwrap();
    let stdout = succeeds(
        common::tariffs(repo.path())
            .arg("import")
            .arg(common::fixture(TABLE))
            .arg(&path),
    );
    assert!(
        !stdout.contains("differs between the languages"),
        "{stdout}"
    );
}

#[test]
fn terms_printed_in_another_order_are_no_reissue() {
    let repo = common::doctors_repo();
    let (_dir, path) = edited(TABLE, SWAPPED.0, SWAPPED.1);
    let stdout = succeeds(common::tariffs(repo.path()).arg("import").arg(&path));
    assert!(
        stdout.contains("the same values as the source in place")
            && !stdout.contains("105755 key_"),
        "{stdout}"
    );
}

const RECORD: &str = "nomensoft/gp-consultation-105755-2025.record.json";

#[test]
fn the_real_105755_record_cross_checks_with_the_table_fee_and_terms() {
    let repo = common::doctors_repo();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture(RECORD))
        .assert()
        .success();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "NomenSoft cross-check: 1 codes compared with the tariff tables (2 values), 0 differ",
        ));
}

/// Q's value changed in the sixth decimal: NomenSoft's fee is still 32,85,
/// so only the terms tell the two sources apart.
#[test]
fn a_nomensoft_term_that_differs_from_the_table_is_a_mismatch() {
    let repo = common::doctors_repo();
    let (_dir, path) = edited(RECORD, "\"0,195645\"", "\"0,195646\"");
    let stdout = one_error(
        common::tariffs(repo.path())
            .args(["import", "--dry-run"])
            .arg(&path),
    );
    assert!(
        stdout.contains(
            "error[nomensoft-mismatch]: 105755 key-letter terms on 2025-01-01: the tariff table sources/medicine/2025-01-01-tariff.fr.txt:13 says N 8 × 3.372107 + Q 30 × 0.195645, NomenSoft "
        ) && stdout.contains(".record.json:1 says N 8 × 3.372107 + Q 30 × 0.195646"),
        "{stdout}"
    );
}

/// The doctors' table re-issued with Q's value changed in the sixth decimal
/// (fees, interventions and the single fields unchanged): only the terms
/// tell the versions apart, and every report must show it.
#[test]
fn a_changed_term_shows_in_the_reissue_the_diff_and_the_history() {
    let repo = common::doctors_repo();
    let (_dir, path) = edited(TABLE, "Q = 0,195645 105755", "Q = 0,195646 105755");
    let refused = common::tariffs(repo.path())
        .arg("import")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(refused.stdout).unwrap();
    assert_eq!(refused.status.code(), Some(1), "a re-issue: {stdout}");
    assert!(stdout.contains("105755 key_terms"), "{stdout}");
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(&path)
        .assert()
        .success();
    let snapshot = "parsed/medicine/2025-01-01-tariff.yaml";
    let (code, diff) = common::json_of(common::tariffs(repo.path()).args([
        "diff",
        &format!("HEAD~1:{snapshot}"),
        snapshot,
        "--format",
        "json",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(diff["changed"].as_array().unwrap().len(), 1, "{diff:#}");
    let changed = &diff["changed"][0];
    assert_eq!(changed["code"], "105755");
    let changes = changed["changes"].as_object().unwrap();
    assert_eq!(changes.keys().collect::<Vec<_>>(), ["key_terms"]);
    assert_eq!(changes["key_terms"][1][1]["key_value"], "0.195646");
    assert_eq!(changed["citations"]["key_terms"]["to"]["source_line"], 13);
    // Q's value moved by 0.000511 %: `--min-change` weighs the term.
    for (min, kept) in [("0.0005", 1), ("0.0006", 0)] {
        let (_, filtered) = common::json_of(common::tariffs(repo.path()).args([
            "diff",
            &format!("HEAD~1:{snapshot}"),
            snapshot,
            "--format",
            "json",
            "--min-change",
            min,
        ]));
        assert_eq!(filtered["changed"].as_array().unwrap().len(), kept, "{min}");
    }
    common::tariffs(repo.path())
        .args(["diff", &format!("HEAD~1:{snapshot}"), snapshot])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "N 8 × 3.372107 + Q 30 × 0.195645 → N 8 × 3.372107 + Q 30 × 0.195646",
        ));
    let (_, history) = common::json_of(
        common::tariffs(repo.path()).args(["history", "105755", "--format", "json"]),
    );
    let terms: Vec<&serde_json::Value> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["key_terms"][1]["key_value"])
        .collect();
    assert_eq!(terms, ["0.195645", "0.195646"]);
    common::tariffs(repo.path())
        .args(["history", "105755"])
        .assert()
        .success()
        .stdout(predicates::str::contains("key_terms"))
        .stdout(predicates::str::contains("Q 30 × 0.195646"));
}

/// The committed PDF of the doctors' table (reportlab, rows as cells at
/// fixed columns, amounts right-aligned: `tariff/make-medecins-pdf.py`) gives the
/// rows of its text, with their page.
#[test]
fn the_doctors_pdf_gives_the_rows_of_its_text() {
    let pdf = common::table(&common::fixture(
        "tariff/tarifs-medecins-2025-01-01.fr.reportlab.pdf",
    ));
    let text = common::table(&common::fixture(TABLE));
    assert_eq!(pdf.source.file, "sources/medicine/2025-01-01-tariff.fr.pdf");
    assert_eq!(pdf.rows.len(), 7);
    for (p, t) in pdf.rows.iter().zip(&text.rows) {
        assert_eq!(common::data(p), common::data(t));
        assert_eq!(p.source_page, Some(1));
    }
}

/// The doctors' table drawn into a PDF as the other generated tables are
/// (`tests/common/pdf.rs`: every cell at its own place, in several orders):
/// the rows, terms included, are those of the text.
#[test]
fn the_doctors_table_as_a_pdf_gives_the_rows_of_its_text() {
    use common::pdf::{table_pdf, Order};
    let text = std::fs::read_to_string(common::fixture(TABLE)).unwrap();
    let from_text = common::table(&common::fixture(TABLE));
    let dir = tempfile::tempdir().unwrap();
    for (name, order) in [
        ("normal", Order::Normal),
        ("columns", Order::ColumnByColumn),
        ("reversed", Order::Reversed),
    ] {
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, table_pdf(&text, order, 1.6)).unwrap();
        let pdf = common::table(&path);
        assert_eq!(pdf.rows.len(), from_text.rows.len(), "{name}");
        for (p, t) in pdf.rows.iter().zip(&from_text.rows) {
            assert_eq!(common::data(p), common::data(t), "{name}");
            assert_eq!(p.source_page, Some(1));
        }
        assert_eq!(pdf.rows[0].key_terms.len(), 2, "{name}");
    }
}

/// A doctors' convention giving 105755 a value of the key letter K, which
/// none of its terms (`N 8 + Q 30`) has.
const K_FOR_105755: &str = " CONVENTION

ENTRE LES MEDECINS ET LES ORGANISMES ASSUREURS

La convention est conclue pour l'année 2025.

A partir du 1er juillet 2025, la valeur du facteur de multiplication K est fixée à :
- 1,700000 pour la prestation 105755.
";

/// The key value belongs to no term: the table's fields stay whole (no
/// `key_letter K` beside `key_terms N + Q`), and the state says why.
#[test]
fn a_key_value_for_a_letter_no_term_has_changes_nothing_and_says_why() {
    let repo = common::doctors_repo();
    let dir = tempfile::tempdir().unwrap();
    let convention = dir.path().join("convention-medecins-2025.fr.txt");
    std::fs::write(&convention, K_FOR_105755).unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(&convention)
        .assert()
        .success();
    let why = "the key value 1.700000 of sources/medicine/2025-01-01-convention.fr.txt:8 \
               (from 2025-07-01) is for key letter K, and the fee is a sum of the key letters N, Q";
    common::tariffs(repo.path())
        .args(["show", "105755", "--date", "2025-08-01"])
        .assert()
        .success()
        .stdout(predicates::str::contains("key_letter                 N\n"))
        .stdout(predicates::str::contains(
            "key_value                  3.372107\n",
        ))
        .stdout(predicates::str::contains("relative_value             8\n"))
        .stdout(predicates::str::contains(format!(
            "key_value                  not derived: {why}"
        )));
    let (code, shown) = common::json_of(common::tariffs(repo.path()).args([
        "show",
        "105755",
        "--date",
        "2025-08-01",
        "--format",
        "json",
    ]));
    assert_eq!(code, Some(0));
    let state = &shown["state"];
    assert_eq!(state["key_letter"], "N");
    assert_eq!(state["key_value"], "3.372107");
    assert_eq!(state["key_terms"][0]["key_value"], "3.372107");
    assert_eq!(state["fee"], "32.85");
    let said = state["not_derived"]["key_value"].as_str().unwrap();
    assert!(said.starts_with(why), "{said}");
}
