//! Property tests: decimal parsing, the row grammar and the YAML round trip.

use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use inami_tariffs::canonical;
use inami_tariffs::code::Code;
use inami_tariffs::decimal;
use inami_tariffs::model::{KeyTerm, Language, SourceFormat, SourceRef, TariffRow, TariffTable};
use inami_tariffs::parse::row::parse_row;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A decimal as documents print it: digits, then maybe a separator and digits.
fn printed_decimal() -> impl Strategy<Value = (String, String)> {
    ("[0-9]{1,9}", proptest::option::of("[0-9]{1,8}")).prop_map(|(int, frac)| match frac {
        Some(frac) => (format!("{int},{frac}"), format!("{int}.{frac}")),
        None => (int.clone(), int),
    })
}

fn amount() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000).prop_map(|cents| Decimal::new(cents, 2))
}

fn code() -> impl Strategy<Value = Code> {
    (10000u32..99999).prop_map(|stem| Code::parse(&format!("{stem}{}", stem % 7)).unwrap())
}

fn key_value() -> impl Strategy<Value = Decimal> {
    (1i64..9_999_999).prop_map(|v| Decimal::new(v, 6))
}

fn coefficient() -> impl Strategy<Value = Decimal> {
    (1i64..100_000, 0u32..3).prop_map(|(v, scale)| Decimal::new(v, scale))
}

/// The terms of a fee of several key letters (distinct letters, two or
/// three), or none (a row of one key letter), twice as often.
fn key_terms() -> impl Strategy<Value = Vec<KeyTerm>> {
    let letters: Vec<char> = ('A'..='Z').collect();
    let several = proptest::sample::subsequence(letters, 2..=3)
        .prop_flat_map(|letters| {
            let n = letters.len();
            (
                Just(letters).prop_shuffle(),
                proptest::collection::vec((key_value(), coefficient()), n),
            )
        })
        .prop_map(|(letters, numbers)| {
            letters
                .into_iter()
                .zip(numbers)
                .map(|(key_letter, (key_value, coefficient))| KeyTerm {
                    key_letter,
                    key_value,
                    coefficient,
                })
                .collect()
        });
    prop_oneof![2 => Just(Vec::new()), 1 => several]
}

fn row() -> impl Strategy<Value = TariffRow> {
    (
        (proptest::option::of(code()), proptest::option::of(code())),
        proptest::option::of(proptest::char::range('A', 'Z')),
        key_value(),
        coefficient(),
        key_terms(),
        proptest::option::of(amount()),
        (amount(), amount()),
        (1usize..100_000, proptest::option::of(1u32..500)),
        proptest::option::of("[ -~]{0,40}"),
    )
        .prop_map(
            |((amb, hos), letter, kv, rv, terms, fee, (p, s), (line, page), text)| {
                let amb = if amb.is_none() && hos.is_none() {
                    Code::parse("560011")
                } else {
                    amb
                };
                // A row of several key letters repeats its first term in the single fields.
                let (letter, kv, rv) = match terms.first() {
                    Some(t) => (Some(t.key_letter), t.key_value, t.coefficient),
                    None => (letter, kv, rv),
                };
                TariffRow {
                    ambulatory_code: amb,
                    hospitalized_code: hos,
                    setting: text.clone().map(Into::into),
                    article: text.map(|t| format!("Article 7, § 1 : {t}").into()),
                    key_letter: letter,
                    key_value: kv,
                    relative_value: rv,
                    key_terms: terms,
                    fee,
                    fee_note: fee.is_none().then(|| "se référer à l'article 4".into()),
                    intervention_preferential: p,
                    intervention_standard: s,
                    source_line: line,
                    source_page: page,
                }
            },
        )
}

fn table() -> impl Strategy<Value = TariffTable> {
    (proptest::collection::vec(row(), 0..20), any::<bool>()).prop_map(|(rows, dutch)| TariffTable {
        schema: "inami-tariffs/tariff/1".into(),
        profession: "physiotherapy".into(),
        effective_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        title: "Tarifs ; Kinésithérapeutes ; 01-01-2024".into(),
        language: if dutch { Language::Nl } else { Language::Fr },
        source: SourceRef {
            file: "sources/physiotherapy/2024-01-01-tariff.fr.txt".into(),
            sha256: "0".repeat(64),
            format: SourceFormat::Text,
        },
        rows,
        sources: Vec::new(),
        translations: Default::default(),
    })
}

/// Prints a row the way a tariff table does.
fn print_row(r: &TariffRow) -> String {
    let doc = |d: Decimal| decimal::to_document_style(d);
    let code = |c: &Option<Code>| c.map_or("-".to_string(), |c| c.to_string());
    let fee = r.fee.map_or("(*)".to_string(), doc);
    let tail = format!(
        "{} {} {}",
        fee,
        doc(r.intervention_preferential),
        doc(r.intervention_standard)
    );
    if !r.key_terms.is_empty() {
        let values: Vec<String> = r
            .key_terms
            .iter()
            .map(|t| format!("{} = {}", t.key_letter, doc(t.key_value)))
            .collect();
        let sum: Vec<String> = r
            .key_terms
            .iter()
            .map(|t| format!("{} {}", t.key_letter, doc(t.coefficient)))
            .collect();
        return format!(
            " {} {} {} = {} {tail}",
            values.join(" "),
            code(&r.ambulatory_code),
            code(&r.hospitalized_code),
            sum.join(" + ")
        );
    }
    match &r.key_letter {
        Some(l) => format!(
            " {l} = {} {} {} = {l} {} {tail}",
            doc(r.key_value),
            code(&r.ambulatory_code),
            code(&r.hospitalized_code),
            doc(r.relative_value)
        ),
        None => format!(
            "{} {} {} {} {tail}",
            doc(r.key_value),
            code(&r.ambulatory_code),
            code(&r.hospitalized_code),
            doc(r.relative_value)
        ),
    }
}

proptest! {
    #[test]
    fn decimal_parsing_agrees_with_decimal_from_str((comma, point) in printed_decimal()) {
        let expected = Decimal::from_str(&point).unwrap();
        let parsed = decimal::parse(&comma).unwrap();
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(parsed.to_string(), expected.to_string(), "scale is kept");
        prop_assert_eq!(decimal::parse(&point), Some(expected));
    }

    #[test]
    fn decimal_parsing_accepts_nothing_from_str_refuses(text in "[-0-9,. a-z]{0,12}") {
        if let Some(d) = decimal::parse(&text) {
            prop_assert_eq!(Decimal::from_str(&text.replace(',', ".")), Ok(d));
        }
    }

    #[test]
    fn printed_rows_parse_back_to_the_same_cells(r in row()) {
        let line = print_row(&r);
        let cells = parse_row(&line).map_err(|e| TestCaseError::fail(format!("{line}: {e:?}")))?;
        // Terms printed in any order read in the order of their letters, the
        // single fields repeating the first.
        let mut terms = r.key_terms.clone();
        terms.sort_by_key(|t| t.key_letter);
        let single = terms.first().map_or((r.key_letter, r.key_value, r.relative_value), |t| {
            (Some(t.key_letter), t.key_value, t.coefficient)
        });
        prop_assert_eq!(&cells.key_terms, &terms);
        prop_assert_eq!(cells.key_letter, single.0);
        prop_assert_eq!(cells.key_value.to_string(), single.1.to_string());
        prop_assert_eq!(cells.relative_value.to_string(), single.2.to_string());
        prop_assert_eq!(cells.fee, r.fee);
        prop_assert_eq!(cells.ambulatory_code, r.ambulatory_code);
        prop_assert_eq!(cells.hospitalized_code, r.hospitalized_code);
        prop_assert_eq!(cells.intervention_preferential, r.intervention_preferential);
        prop_assert_eq!(cells.intervention_standard, r.intervention_standard);
    }

    #[test]
    fn yaml_written_read_and_written_again_is_identical(t in table()) {
        let first = canonical::tariff_to_yaml(&t);
        let read = canonical::tariff_from_yaml(Path::new("t.yaml"), &first)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{first}")))?;
        prop_assert_eq!(&read, &t);
        prop_assert_eq!(canonical::tariff_to_yaml(&read), first);
    }
}

/// Strings that stress quoting: quotes, colons, hashes, spaces, newlines, unicode.
fn awkward_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[ -~éü°§\n\t]{0,30}|'[a-z' ]{0,10}'|null|~|true|- x|#a|a: b|\"q\"",
    )
    .unwrap()
}

proptest! {
    #[test]
    fn the_fast_reader_agrees_with_serde_yaml(t in table(), texts in proptest::collection::vec(awkward_text(), 3)) {
        let mut t = t;
        t.title = texts[0].clone();
        for row in &mut t.rows {
            row.setting = Some(texts[1].as_str().into());
            row.fee_note = Some(texts[2].as_str().into());
        }
        let yaml = canonical::tariff_to_yaml(&t);
        let by_serde: TariffTable = serde_yaml::from_str(&yaml).unwrap();
        prop_assert_eq!(&by_serde, &t);
        if let Some(fast) = canonical::fast::read_tariff(&yaml) {
            prop_assert_eq!(fast, t);
        }
    }
}

proptest! {
    /// Not only agrees when it reads: with plain headings, the fast reader
    /// reads every table, rows of several key letters included.
    #[test]
    fn the_fast_reader_reads_every_row_the_writer_writes(t in table()) {
        let mut t = t;
        for row in &mut t.rows {
            row.setting = Some("I. Consultations".into());
            row.article = None;
        }
        let yaml = canonical::tariff_to_yaml(&t);
        let fast = canonical::fast::read_tariff(&yaml);
        prop_assert!(fast.is_some(), "not read:\n{}", yaml);
        prop_assert_eq!(fast.unwrap(), t);
    }
}

#[test]
fn the_fast_reader_reads_the_shipped_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("parsed/physiotherapy/2024-01-01-tariff.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let fast = canonical::fast::read_tariff(&text).expect("canonical form");
    let by_serde: TariffTable = serde_yaml::from_str(&text).unwrap();
    assert_eq!(fast, by_serde);
}
