//! The 2024 table parses to exactly the figures the seed's README lists.

mod common;

use std::collections::HashSet;

use inami_tariffs::findings::{Rule, Severity};
use inami_tariffs::parse::{self, ParsedDocument};
use inami_tariffs::pipeline;
use inami_tariffs::source::{self, ReadOptions};

fn table() -> inami_tariffs::model::TariffTable {
    let doc = source::read(&common::seed_table(), &ReadOptions::default()).unwrap();
    let ParsedDocument::Tariff(parsed) = parse::parse(&doc).unwrap() else {
        panic!("a tariff table")
    };
    parsed.table
}

#[test]
fn seed_row_counts() {
    let t = table();
    let rows = &t.rows;
    assert_eq!(rows.len(), 197);
    let codes: Vec<_> = rows.iter().flat_map(|r| r.codes()).collect();
    assert_eq!(codes.len(), 209);
    assert_eq!(
        codes.iter().collect::<HashSet<_>>().len(),
        209,
        "no code repeated"
    );
    assert_eq!(rows.iter().filter(|r| r.fee.is_none()).count(), 21);
    let both = |r: &&inami_tariffs::model::TariffRow| {
        r.ambulatory_code.is_some() && r.hospitalized_code.is_some()
    };
    assert_eq!(rows.iter().filter(both).count(), 12);
    assert_eq!(
        rows.iter().filter(|r| r.ambulatory_code.is_none()).count(),
        14
    );
    assert_eq!(rows.iter().filter(|r| r.key_letter.is_none()).count(), 5);
    let relative = |v: &str| {
        rows.iter()
            .filter(|r| r.relative_value.to_string() == v)
            .count()
    };
    assert_eq!(relative("34.62"), 12);
    assert_eq!(relative("14.5"), 9);
}

#[test]
fn seed_metadata_and_first_row_are_exact() {
    let t = table();
    assert_eq!(t.title, "Tarifs ; Kinésithérapeutes ; 01-01-2024");
    assert_eq!(t.effective_from.to_string(), "2024-01-01");
    assert_eq!(t.profession, "physiotherapy");
    let r = t.rows.iter().find(|r| r.code() == "560011").unwrap();
    assert_eq!(r.key_value.to_string(), "1.066667");
    assert_eq!(r.fee.unwrap().to_string(), "25.60");
    assert_eq!(r.intervention_preferential.to_string(), "23.10");
    assert_eq!(r.intervention_standard.to_string(), "19.35");
    assert_eq!(r.source_line, 26);
    assert!(r
        .setting
        .as_deref()
        .unwrap()
        .starts_with("I. a) Prestations effectuées au cabinet"));
    assert!(r
        .article
        .as_deref()
        .unwrap()
        .starts_with("Article 7, § 1, 1° :"));
    let travel = t.rows.iter().find(|r| r.code() == "639111").unwrap();
    assert_eq!(
        travel.article.as_deref(),
        Some("Indemnité pour les frais de déplacement du kinésithérapeute")
    );
    assert_eq!(travel.key_value.to_string(), "1.310000");
    let free = t.rows.iter().find(|r| r.code() == "560055").unwrap();
    assert_eq!(
        free.fee_note.as_deref(),
        Some("se référer à l'article 4, § 1er de la convention nationale")
    );
    let wrapped = t.rows.iter().find(|r| r.code() == "560416").unwrap();
    assert!(wrapped
        .setting
        .as_deref()
        .unwrap()
        .ends_with("ou pour des bénéficiaires y séjournant"));
}

#[test]
fn seed_has_no_error_finding_and_every_fee_checks_out() {
    let doc = source::read(&common::seed_table(), &ReadOptions::default()).unwrap();
    let findings = pipeline::parse_and_validate(&doc).unwrap().findings;
    assert!(
        findings.iter().all(|f| f.severity == Severity::Warning),
        "{findings:#?}"
    );
    assert!(!findings.iter().any(|f| f.rule == Rule::FeeMismatch));
}
