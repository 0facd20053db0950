//! A Dutch table (same rows under Dutch headings) gives the same data.
//!
//! The fixture is made from the French seed by `tests/fixtures/tariff/make-dutch.py`.

mod common;

use inami_tariffs::model::Language;
use inami_tariffs::parse::{self, ParsedDocument};
use inami_tariffs::source::{self, ReadOptions};

fn parse_file(path: &std::path::Path) -> inami_tariffs::model::TariffTable {
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    let (parsed, findings) = parse::parse_and_validate(&doc).unwrap();
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
