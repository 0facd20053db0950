//! Hostile inputs (issue 14): amounts too large for a decimal, snapshots
//! built to be slow to parse, and snapshots that point outside the
//! repository. Each must end in a finding or a clean error, never a panic,
//! a hang, or a file read from outside.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use proptest::prelude::*;
use rust_decimal::Decimal;

use common::{imported_repo, SNAPSHOT};
use inami_tariffs::audit::{self, Report, Series};
use inami_tariffs::code::Code;
use inami_tariffs::compare::SideInfo;
use inami_tariffs::derive::{self, Relatives};
use inami_tariffs::diff::{self, Filter};
use inami_tariffs::findings::{Cell, Locate, Location};
use inami_tariffs::model::{
    Convention, Indemnity, KeyTerm, KeyValueList, Language, Reimbursement, SourceFormat, SourceRef,
    StatedFee, TariffRow, TariffTable,
};
use inami_tariffs::source::SourceDocument;
use inami_tariffs::state::{Field, State};
use inami_tariffs::validate::{self, convention::Tables};

/// A key value of 28 digits: the most a decimal holds, times 24 is more.
const HUGE: &str = "9999999999999999999999999999";

/// A one-row table whose key value is `key_value` (as printed).
fn table_text(key_value: &str) -> String {
    format!(
        "Tarifs ; Kinésithérapeutes ; 01-01-2024\n\
         I. a) Prestations effectuées au cabinet\n\
         M = {key_value} 560011 - = M 24 25,60 23,10 19,35\n"
    )
}

/// The seed snapshot of an imported repository with one value replaced.
fn edit_snapshot(repo: &Path, from: &str, to: &str) {
    let path = repo.join(SNAPSHOT);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

// ---------------------------------------------------------------- overflow

#[test]
fn a_28_digit_key_value_is_an_overflow_finding_at_import_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.fr.txt"), table_text(HUGE)).unwrap();
    common::tariffs(dir.path())
        .args(["import", "t.fr.txt"])
        .assert()
        .code(1)
        .stdout(contains("error[arithmetic-overflow]"))
        .stdout(contains(format!("{HUGE} × 24")))
        .stderr(contains("panicked").not());
    assert!(!dir.path().join("parsed").exists(), "nothing was written");
}

#[test]
fn a_28_digit_key_value_in_a_stored_source_fails_rebuild_with_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir
        .path()
        .join("sources/physiotherapy/2024-01-01-tariff.fr.txt");
    std::fs::create_dir_all(source.parent().unwrap()).unwrap();
    std::fs::write(&source, table_text(HUGE)).unwrap();
    common::tariffs(dir.path())
        .args(["rebuild", "--check"])
        .assert()
        .code(1)
        .stdout(contains("error[arithmetic-overflow]"))
        .stderr(contains("panicked").not());
}

#[test]
fn a_28_digit_key_value_in_a_snapshot_fails_validate_with_a_finding() {
    let repo = imported_repo();
    edit_snapshot(
        repo.path(),
        "key_value: '1.066667'",
        &format!("key_value: '{HUGE}'"),
    );
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[arithmetic-overflow]"))
        .stdout(contains(format!("{HUGE} × 24")))
        .stderr(contains("panicked").not());
}

#[test]
fn a_relative_change_too_large_for_percent_prints_in_every_format() {
    let repo = imported_repo();
    let snapshot = repo.path().join(SNAPSHOT);
    let text = std::fs::read_to_string(&snapshot).unwrap();
    // From 1 to the largest decimal: the relative change fits, × 100 does not.
    let old = text.replacen("fee: '25.60'", "fee: '1'", 1);
    let new = text.replacen("fee: '25.60'", &format!("fee: '{}'", Decimal::MAX), 1);
    std::fs::write(repo.path().join("old.yaml"), old).unwrap();
    std::fs::write(repo.path().join("new.yaml"), new).unwrap();
    for format in ["text", "csv", "markdown", "json"] {
        common::tariffs(repo.path())
            .args(["diff", "old.yaml", "new.yaml", "--format", format])
            .assert()
            .code(1)
            .stdout(contains(Decimal::MAX.to_string()))
            .stderr(contains("panicked").not());
    }
    for format in ["markdown", "html"] {
        let out = repo.path().join(format!("report.{format}"));
        common::tariffs(repo.path())
            .args(["report", "old.yaml", "new.yaml", "--format", format, "-o"])
            .arg(&out)
            .assert()
            .success()
            .stderr(contains("panicked").not());
        assert!(std::fs::read_to_string(&out)
            .unwrap()
            .contains(&Decimal::MAX.to_string()));
    }
}

#[test]
fn a_convention_number_longer_than_a_decimal_is_unreadable_not_a_panic() {
    let text =
        std::fs::read_to_string(common::fixture("convention/convention-kine-2021.fr.txt")).unwrap();
    let long = "1234567890123456789012345678901";
    for (from, to) in [
        (
            "sont portés à 25 euros",
            format!("sont portés à {long} euros"),
        ),
        ("remboursée à 60%", format!("remboursée à {long}%")),
        ("- 0,927692 pour", format!("- 0,{long} pour")),
        ("à maximum 1,13 euros", format!("à maximum {long},13 euros")),
        (
            "(prestations M 24 de la",
            format!("(prestations M {long} de la"),
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("c.fr.txt"), text.replacen(from, &to, 1)).unwrap();
        common::tariffs(dir.path())
            .args(["import", "--dry-run", "c.fr.txt"])
            .assert()
            .code(1)
            .stdout(contains(
                "error[unreadable-statement]: this number has more digits than a decimal holds",
            ))
            .stdout(contains("expected a number of at most 28 digits"))
            .stderr(contains("panicked").not());
    }
}

/// Findings placed in the file only: the property tests look at panics.
struct Nowhere;

impl Locate for Nowhere {
    fn location(&self, _: usize, _: &TariffRow, _: Cell) -> Location {
        Location::file("t")
    }
}

/// Any decimal at all, with the extremes (±MAX, 28 digits, scale 28) often.
fn extreme() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::ZERO),
        Just(Decimal::new(1, 28)),
        Just(HUGE.parse::<Decimal>().unwrap()),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, negative, scale)| Decimal::from_parts(
                lo, mid, hi, negative, scale
            )),
        (0i64..10_000_000, 0u32..=6).prop_map(|(v, scale)| Decimal::new(v, scale)),
    ]
}

fn code() -> impl Strategy<Value = Code> {
    (10000u32..10010).prop_map(|stem| Code::parse(&format!("{stem}{}", stem % 7)).unwrap())
}

/// Rows of one key letter, or of two or three (`N`, `Q`, `I`), with extreme amounts.
fn row() -> impl Strategy<Value = TariffRow> {
    (
        code(),
        (extreme(), extreme()),
        proptest::collection::vec((extreme(), extreme()), 0..=3),
        proptest::option::of(extreme()),
        (extreme(), extreme()),
    )
        .prop_map(|(code, (kv, rv), terms, fee, (p, s))| TariffRow {
            ambulatory_code: Some(code),
            hospitalized_code: None,
            setting: None,
            article: None,
            key_letter: Some('M'),
            key_value: kv,
            relative_value: rv,
            // One term is a row of one key letter: no list.
            key_terms: match terms.len() {
                0 | 1 => Vec::new(),
                _ => terms
                    .into_iter()
                    .zip(['N', 'Q', 'I'])
                    .map(|((key_value, coefficient), key_letter)| KeyTerm {
                        key_letter,
                        key_value,
                        coefficient,
                    })
                    .collect(),
            },
            fee,
            fee_note: None,
            intervention_preferential: p,
            intervention_standard: s,
            source_line: 1,
            source_page: None,
        })
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn source() -> SourceRef {
    SourceRef {
        file: "sources/physiotherapy/2024-01-01-tariff.fr.txt".into(),
        sha256: "0".repeat(64),
        format: SourceFormat::Text,
    }
}

fn table(rows: Vec<TariffRow>, effective_from: &str) -> TariffTable {
    TariffTable {
        schema: "inami-tariffs/tariff/1".into(),
        profession: "physiotherapy".into(),
        effective_from: date(effective_from),
        title: "Tarifs ; Kinésithérapeutes".into(),
        language: Language::Fr,
        source: source(),
        rows,
        sources: Vec::new(),
        translations: Default::default(),
    }
}

fn convention(
    kv: Decimal,
    (amount, relative): (Decimal, Option<Decimal>),
    (indemnity, rate): (Decimal, Decimal),
    codes: Vec<Code>,
) -> Convention {
    let from = Some(date("2021-01-01"));
    Convention {
        schema: "inami-tariffs/convention/1".into(),
        profession: "physiotherapy".into(),
        effective_from: date("2021-01-01"),
        title: "Convention".into(),
        language: Language::Fr,
        source: source(),
        concluded_on: None,
        effective_until: None,
        key_values: vec![KeyValueList {
            key_letter: Some('M'),
            value: kv,
            effective_from: from,
            codes: codes.clone(),
            source_line: 1,
            source_page: None,
        }],
        stated_fees: vec![StatedFee {
            amount,
            effective_from: from,
            key_letter: Some('M'),
            relative_value: relative,
            codes: codes.clone(),
            source_line: 2,
            source_page: None,
        }],
        indemnities: vec![Indemnity {
            pseudocodes: codes.clone(),
            amount: indemnity,
            maximum: false,
            reimbursement: Some(Reimbursement {
                preferential: rate,
                standard: rate,
            }),
            applies_to: codes,
            effective_from: from,
            source_line: 3,
            source_page: None,
        }],
        sources: Vec::new(),
        translations: Default::default(),
    }
}

/// A state with its fees and personal shares derived, as diff and report see it.
fn derived_state(table: &TariffTable) -> State {
    let mut state = State::from_table(table, "t.yaml");
    let mut relatives = Relatives::default();
    relatives.add(&state, table.effective_from);
    derive::complete(&mut state, table.effective_from, &relatives);
    state
}

fn side(date: NaiveDate) -> SideInfo {
    SideInfo {
        spec: "t.yaml".into(),
        kind: "snapshot",
        date,
        profession: "physiotherapy".into(),
        snapshots: vec!["t.yaml".into()],
        commit: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_tariff_rules_never_panic_on_extreme_amounts(
        rows in proptest::collection::vec(row(), 0..8)
    ) {
        let findings = validate::tariff::check(&table(rows, "2024-01-01"), &Nowhere);
        for f in &findings {
            prop_assert!(!f.message.is_empty());
        }
    }

    #[test]
    fn the_convention_rules_never_panic_on_extreme_amounts(
        kv in extreme(),
        fee in (extreme(), proptest::option::of(extreme())),
        indemnity in (extreme(), extreme()),
        rows in proptest::collection::vec(row(), 0..4),
    ) {
        let codes: Vec<Code> = rows.iter().filter_map(|r| r.ambulatory_code).collect();
        let c = convention(kv, fee, indemnity, codes);
        let tables = Tables::from_tables([&table(rows, "2024-01-01")]);
        let doc = SourceDocument::from_text("c.txt", "a\nb\nc\n");
        validate::convention::check(&c, &doc, &tables);
    }

    #[test]
    fn diff_and_report_never_panic_on_extreme_amounts(
        old in proptest::collection::vec(row(), 0..6),
        new in proptest::collection::vec(row(), 0..6),
        min_change in proptest::option::of(extreme()),
    ) {
        let (old, new) = (table(old, "2024-01-01"), table(new, "2025-01-01"));
        let mut d = diff::diff(&derived_state(&old), &derived_state(&new));
        d.filter(&Filter { min_change_percent: min_change, ..Filter::default() });
        for ch in d.changed.iter().flat_map(|c| &c.changes) {
            let _ = (ch.relative(), ch.percent());
        }
        let series = d
            .changed
            .iter()
            .map(|c| Series {
                code: c.code,
                field: Field::Fee,
                points: c
                    .changes
                    .iter()
                    .filter_map(|ch| Some((old.effective_from, ch.old.amount()?, false)))
                    .chain(c.changes.iter().filter_map(|ch| {
                        Some((new.effective_from, ch.new.amount()?, true))
                    }))
                    .collect(),
            })
            .collect();
        let report = Report {
            from: side(old.effective_from),
            to: side(new.effective_from),
            distribution: audit::distribution(&d.changed),
            added: d.added,
            removed: d.removed,
            changed: d.changed,
            unchanged: d.unchanged,
            series,
        };
        prop_assert!(!audit::html::render(&report).is_empty());
        prop_assert!(!audit::markdown::render(&report).is_empty());
    }
}

// ------------------------------------------------------ snapshots are data

/// A repository whose tariff snapshot is replaced by `text`.
fn repo_with_snapshot(text: &str) -> tempfile::TempDir {
    let repo = imported_repo();
    std::fs::write(repo.path().join(SNAPSHOT), text).unwrap();
    repo
}

#[test]
fn a_snapshot_of_100_000_nested_brackets_is_refused_before_parsing() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let text = format!(
            "schema: inami-tariffs/tariff/1\nrows: {}{}\n",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let repo = repo_with_snapshot(&text);
        for args in [&["validate"][..], &["show", "560011"]] {
            common::tariffs(repo.path())
                .args(args)
                .assert()
                .code(2)
                .stderr(contains(SNAPSHOT))
                .stderr(contains(
                    "nested more than 128 levels deep (`[` or `{`) by line 2: refused before parsing",
                ));
        }
    }
}

#[test]
fn brackets_hidden_in_quotes_do_not_hide_the_nesting() {
    // Every `]` is inside a quoted scalar, so none closes a level.
    let text = format!(
        "schema: inami-tariffs/convention/1\nkey_values: {}\n",
        "[ 'x]', ".repeat(200)
    );
    let repo = repo_with_snapshot(&text);
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("nested more than 128 levels deep"));
}

#[test]
fn a_snapshot_larger_than_the_limit_is_refused_unread() {
    let repo = imported_repo();
    // Sparse: the length is over the limit, the disk holds nothing.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(repo.path().join(SNAPSHOT))
        .unwrap();
    file.set_len((256 << 20) + 1).unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains(
            "268435457 bytes, more than the 268435456 a snapshot may have: not read",
        ));
}

// ------------------------------------- sources: checked, and never outside

const SOURCE: &str = "sources/physiotherapy/2024-01-01-tariff.fr.txt";

/// Line 26 of the seed table: printed under a finding on 560011 when the
/// source is read.
const LINE_26: &str = "M = 1,066667 560011 - = M 24 25,60 23,10 19,35";

#[test]
fn a_stored_source_that_changed_is_a_source_mismatch() {
    let repo = imported_repo();
    let source = repo.path().join(SOURCE);
    let mut bytes = std::fs::read(&source).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&source, &bytes).unwrap();
    let found = inami_tariffs::source::sha256_hex(&bytes);
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[source-mismatch]"))
        .stdout(contains(format!(
            "the stored source {SOURCE} is not the one the snapshot was made from"
        )))
        .stdout(contains(format!("found {found}")));
    std::fs::remove_file(&source).unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains(format!("no stored source at {SOURCE}")));
}

#[test]
fn every_source_of_a_bilingual_snapshot_is_checked() {
    let repo = imported_repo();
    let text = std::fs::read_to_string(repo.path().join(SNAPSHOT)).unwrap();
    let sha = |s: &str| {
        let line = s.lines().find(|l| l.contains("sha256:")).unwrap();
        line.split_whitespace().last().unwrap().to_string()
    };
    let nl = "sources/physiotherapy/2024-01-01-tariff.nl.txt";
    std::fs::write(repo.path().join(nl), "Tarieven\n").unwrap();
    let sources = format!(
        "sources:\n\
         - language: fr\n  file: {SOURCE}\n  sha256: {}\n  format: text\n\
         - language: nl\n  file: {nl}\n  sha256: {}\n  format: text\n",
        sha(&text),
        "0".repeat(64)
    );
    std::fs::write(repo.path().join(SNAPSHOT), format!("{text}{sources}")).unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains(format!(
            "the stored source {nl} is not the one the snapshot was made from"
        )))
        .stdout(contains("1 error, 0 warnings"));
}

/// A repository whose snapshot has a wrong fee on 560011 (so a finding
/// shows the source line when the source is read) and whose only copy of
/// the source, with the digest the snapshot states, is outside it.
fn repo_with_source_outside() -> (tempfile::TempDir, tempfile::TempDir) {
    let repo = imported_repo();
    edit_snapshot(repo.path(), "fee: '25.60'", "fee: '25.66'");
    let outside = tempfile::tempdir().unwrap();
    std::fs::rename(repo.path().join(SOURCE), outside.path().join("source.txt")).unwrap();
    (repo, outside)
}

#[test]
fn a_source_file_with_dot_dot_is_not_read() {
    let (repo, outside) = repo_with_source_outside();
    // From the repository root, `sources/../..` is the temporary folder.
    let climb = format!(
        "sources/../../{}/source.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    assert!(
        repo.path().join(&climb).is_file(),
        "the path does lead to it"
    );
    edit_snapshot(
        repo.path(),
        &format!("file: {SOURCE}"),
        &format!("file: {climb}"),
    );
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[source-path]"))
        .stdout(contains(format!(
            "the source file `{climb}` is not a plain path below the repository"
        )))
        .stdout(contains("error[fee-mismatch]"))
        .stdout(contains(LINE_26).not());
}

#[cfg(unix)]
#[test]
fn a_source_file_through_a_symlink_out_of_the_repository_is_not_read() {
    let (repo, outside) = repo_with_source_outside();
    let folder = repo.path().join("sources/physiotherapy");
    std::fs::remove_dir(&folder).unwrap();
    std::fs::rename(
        outside.path().join("source.txt"),
        outside.path().join("2024-01-01-tariff.fr.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), &folder).unwrap();
    assert!(
        repo.path().join(SOURCE).is_file(),
        "the path does lead to it"
    );
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[source-path]"))
        .stdout(contains("leads outside the repository through a symlink"))
        .stdout(contains("error[fee-mismatch]"))
        .stdout(contains(LINE_26).not());
}
