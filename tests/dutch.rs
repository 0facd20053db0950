//! A Dutch table (same rows under Dutch headings) gives the same data.
//!
//! The fixture is made from the French seed by `tests/fixtures/tariff/make-dutch.py`.

mod common;

use inami_tariffs::model::{Bilingual, Language};
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline::{self, Checked};
use inami_tariffs::source::{self, ReadOptions};

fn parse_file(path: &std::path::Path) -> inami_tariffs::model::TariffTable {
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    let Checked {
        parsed, findings, ..
    } = pipeline::parse_and_validate(&doc).unwrap();
    assert!(findings.iter().all(|f| !f.is_error()), "{findings:#?}");
    let ParsedDocument::Tariff(t) = parsed else {
        panic!("a tariff table")
    };
    t.table
}

#[test]
fn dutch_headings_give_the_same_rows() {
    let fr = parse_file(&common::seed_table());
    let nl = parse_file(&common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"));
    assert_eq!(nl.language, Language::Nl);
    assert_eq!(nl.title, "Tarieven ; Kinesitherapeuten ; 01-01-2024");
    assert_eq!(nl.profession, fr.profession);
    assert_eq!(nl.effective_from, fr.effective_from);
    assert_eq!(
        nl.source.file,
        "sources/physiotherapy/2024-01-01-tariff.nl.txt"
    );
    assert_eq!(nl.rows.len(), fr.rows.len());
    for (n, f) in nl.rows.iter().zip(&fr.rows) {
        let strip = |r: &inami_tariffs::model::TariffRow| {
            let mut r = r.clone();
            r.setting = None;
            r.article = None;
            r.fee_note = None;
            r
        };
        assert_eq!(strip(n), strip(f));
        assert!(
            n.setting.as_deref().unwrap().contains("Verstrekkingen"),
            "{n:?}"
        );
        assert_eq!(n.fee.is_none(), n.fee_note.is_some());
    }
    let travel = nl.rows.iter().find(|r| r.code() == "639111").unwrap();
    assert_eq!(
        travel.article.as_deref(),
        Some("Vergoeding voor de verplaatsingskosten van de kinesitherapeut")
    );
}

fn doc_and_table(
    path: &std::path::Path,
    text: Option<String>,
) -> (source::SourceDocument, inami_tariffs::model::TariffTable) {
    let doc = match text {
        Some(text) => source::SourceDocument::from_text(path, &text),
        None => source::read(path, &ReadOptions::default()).unwrap(),
    };
    let parsed = pipeline::parse_and_validate(&doc).unwrap().parsed;
    let ParsedDocument::Tariff(t) = parsed else {
        panic!("a tariff table")
    };
    (doc, t.table)
}

#[test]
fn the_dutch_table_reconciles_with_the_french_one_and_adds_its_words() {
    let (_, mut fr) = doc_and_table(&common::seed_table(), None);
    let path = common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt");
    let (nl_doc, nl) = doc_and_table(&path, None);
    let translation = inami_tariffs::reconcile::tables(&fr, &nl, &nl_doc).unwrap();
    assert_eq!(translation.rows.len(), 197);
    assert_eq!(
        translation.title,
        "Tarieven ; Kinesitherapeuten ; 01-01-2024"
    );
    let before = fr.rows.clone();
    fr.add_language(nl.language, &nl.source, translation);
    assert_eq!(fr.rows, before, "adding a language changes no value");
    let languages: Vec<_> = fr.sources.iter().map(|s| s.language).collect();
    assert_eq!(languages, [Language::Fr, Language::Nl]);
    assert!(fr.translations[&Language::Nl].rows[0]
        .setting
        .as_deref()
        .unwrap()
        .contains("praktijkkamer"));
}

/// A bilingual snapshot taken in one of its languages is that language's
/// document again (what a re-issue in that language is compared with).
#[test]
fn a_bilingual_snapshot_in_each_language_is_that_languages_document() {
    use inami_tariffs::reconcile;
    let (_, fr) = doc_and_table(&common::seed_table(), None);
    let path = common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt");
    let (nl_doc, nl) = doc_and_table(&path, None);
    let mut both = fr.clone();
    let translation = reconcile::tables(&both, &nl, &nl_doc).unwrap();
    both.add_language(nl.language, &nl.source, translation);
    assert_eq!(both.in_language(Language::Fr).unwrap(), fr);
    assert_eq!(both.in_language(Language::Nl).unwrap(), nl);
    assert_eq!(fr.in_language(Language::Nl), None);

    let convention = |file: &str| {
        let doc = source::read(&common::fixture(file), &ReadOptions::default()).unwrap();
        let parsed = pipeline::parse_and_validate(&doc).unwrap().parsed;
        let ParsedDocument::Convention(c) = parsed else {
            panic!("a convention")
        };
        (doc, c.convention)
    };
    let (_, fr) = convention("convention/convention-kine-2021.fr.txt");
    let (nl_doc, nl) = convention("convention/convention-kine-2021.nl.txt");
    let mut both = fr.clone();
    let translation = reconcile::conventions(&both, &nl, &nl_doc).unwrap();
    both.add_language(nl.language, &nl.source, translation);
    assert_eq!(both.in_language(Language::Fr).unwrap(), fr);
    let in_dutch = both.in_language(Language::Nl).unwrap();
    assert_eq!(in_dutch.title, nl.title);
    assert_eq!(in_dutch.source, nl.source);
    assert_eq!(in_dutch.key_values, nl.key_values);
    assert_eq!(in_dutch.stated_fees, nl.stated_fees);
    assert_eq!(in_dutch.indemnities, nl.indemnities);
}

#[test]
fn a_dutch_intervention_that_differs_is_one_language_mismatch_naming_both_files() {
    let (_, fr) = doc_and_table(&common::seed_table(), None);
    let path = common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "25,60 23,10 19,35",
        "25,60 23,10 19,45",
        1,
    );
    let (nl_doc, nl) = doc_and_table(&path, Some(text));
    let findings = inami_tariffs::reconcile::tables(&fr, &nl, &nl_doc).unwrap_err();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.rule.id(), "language-mismatch");
    assert_eq!(f.location.line, Some(26));
    assert!(
        f.message
            .contains("sources/physiotherapy/2024-01-01-tariff.fr.txt:26"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("tarieven-kine-2024-01-01.nl.txt:26"),
        "{}",
        f.message
    );
    assert_eq!(f.expected.as_deref(), Some("19.35"));
    assert_eq!(f.found.as_deref(), Some("19.45"));
}
