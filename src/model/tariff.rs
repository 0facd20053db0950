//! A tariff table: one row per code, each with its key letter(s), fee and
//! interventions, as of the table's date.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::letter;
use super::sources::{Language, LanguageSource, SourceRef};
use crate::code::Code;
use crate::decimal;

/// The `schema` value of a tariff snapshot.
pub const TARIFF_SCHEMA_ID: &str = "inami-tariffs/tariff/1";

/// A tariff table: one row per nomenclature code, as of `effective_from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TariffTable {
    /// The schema id (`inami-tariffs/tariff/1`).
    pub schema: String,
    /// Profession slug, e.g. `physiotherapy`.
    pub profession: String,
    /// The date from which the table applies.
    pub effective_from: NaiveDate,
    /// The title, as the document states it.
    pub title: String,
    /// The language of the document (of `source`).
    pub language: Language,
    /// The source document the rows were read from.
    pub source: SourceRef,
    /// Every row, in document order.
    pub rows: Vec<TariffRow>,
    /// Every source of the snapshot, `source` first, when the table was
    /// imported in more than one language (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<LanguageSource>,
    /// What the other languages' sources say in words, and where each row
    /// stands in them (absent for a table in one language).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Language, TableTranslation>,
}

/// A tariff table's title and row headings in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTranslation {
    /// The title as the other language's source states it.
    pub title: String,
    /// One per row of the snapshot, in the same order.
    pub rows: Vec<RowTranslation>,
}

/// A row as the other language's source states it: its headings and position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowTranslation {
    /// The code of the row.
    pub code: Code,
    /// The setting heading over the row, in that language.
    pub setting: Option<Arc<str>>,
    /// The article heading over the row, in that language.
    pub article: Option<Arc<str>>,
    /// The note on the fee, in that language.
    pub fee_note: Option<Arc<str>>,
    /// The line of that source that holds the row.
    pub source_line: usize,
    /// The page of that line, for PDF sources.
    pub source_page: Option<u32>,
}

/// One row of a tariff table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffRow {
    /// Code for ambulatory care (column AMB); `None` for `-`.
    pub ambulatory_code: Option<Code>,
    /// Code for hospitalized patients (column HOS); `None` for `-`.
    pub hospitalized_code: Option<Code>,
    /// The setting heading the row sits under (`I. a) Prestations ...`).
    /// Shared between the rows under one heading.
    pub setting: Option<Arc<str>>,
    /// The article heading the row sits under (`Article 7, § 1, 1° : ...`).
    pub article: Option<Arc<str>>,
    /// Key letter (`M` for physiotherapy); `None` for travel indemnities;
    /// the first term's (by letter) for a fee of several key letters (see
    /// `key_terms`).
    #[serde(with = "letter")]
    pub key_letter: Option<char>,
    #[serde(with = "rust_decimal::serde::str")]
    /// The value of the key letter (`M = 1,066667`), in euros.
    pub key_value: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    /// The relative value (coefficient of the key letter, `M 24`).
    pub relative_value: Decimal,
    /// Every term of a fee of two or three key letters (`N 8 + Q 30`), in
    /// the order of their key letters (alphabetical, whatever the order
    /// printed); empty, and absent from the YAML, for a row of one key
    /// letter or none. When present it is authoritative: `key_letter`,
    /// `key_value` and `relative_value` repeat its first term only (the term
    /// of the alphabetically first letter), for readers that know one letter
    /// per row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_terms: Vec<KeyTerm>,
    /// The fee in EUR; `None` for a free fee printed `(*)`.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub fee: Option<Decimal>,
    /// The footnote that explains a free fee.
    pub fee_note: Option<Arc<str>>,
    #[serde(with = "rust_decimal::serde::str")]
    /// What the insurance pays with preferential reimbursement.
    pub intervention_preferential: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    /// What the insurance pays with standard reimbursement.
    pub intervention_standard: Decimal,
    /// Line in the source text (or in the text extracted from a PDF).
    pub source_line: usize,
    /// Page of the source PDF, `None` for text sources.
    pub source_page: Option<u32>,
}

/// One term of a fee made of key letters: the key letter's value × its
/// coefficient (`N = 3,372107` and `N 8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyTerm {
    /// The key letter (`N`).
    #[serde(with = "letter::one")]
    pub key_letter: char,
    /// The value of the key letter, in euros, as printed.
    #[serde(with = "rust_decimal::serde::str")]
    pub key_value: Decimal,
    /// The coefficient of the key letter in the relative value (`8`).
    #[serde(with = "rust_decimal::serde::str")]
    pub coefficient: Decimal,
}

impl KeyTerm {
    /// The index of the one term of `letter` among `terms`; `None` when no
    /// letter is given, or none or several terms have it.
    pub fn only_of(terms: &[KeyTerm], letter: Option<char>) -> Option<usize> {
        let mut matching = terms
            .iter()
            .enumerate()
            .filter(|(_, t)| Some(t.key_letter) == letter);
        match (matching.next(), matching.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        }
    }

    /// The letters of `terms`, joined: `N, Q`.
    pub fn letters(terms: &[KeyTerm]) -> String {
        let letters: Vec<String> = terms.iter().map(|t| t.key_letter.to_string()).collect();
        letters.join(", ")
    }

    /// `N 8 × 3,372107 + Q 30 × 0,195645`, each number written by `number`
    /// (a decimal comma for findings, a point for data).
    pub fn formula(terms: &[KeyTerm], number: impl Fn(Decimal) -> String) -> String {
        terms
            .iter()
            .map(|t| {
                format!(
                    "{} {} × {}",
                    t.key_letter,
                    number(t.coefficient),
                    number(t.key_value)
                )
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

impl TariffRow {
    /// What the fee must be: key value × relative value, or for a row of
    /// several key letters the sum of its terms, half-up to the cent (for a
    /// free fee, the reference its interventions are checked against);
    /// `None` when the arithmetic does not fit in a decimal.
    pub fn reference_fee(&self) -> Option<Decimal> {
        if self.key_terms.is_empty() {
            decimal::fee_of(self.key_value, self.relative_value)
        } else {
            decimal::fee_of_terms(self.key_terms.iter().map(|t| (t.key_value, t.coefficient)))
        }
    }

    /// The row's key-letter terms: `key_terms`, or the one key letter with
    /// its value and relative value as a single term (none without a letter).
    pub fn terms(&self) -> Cow<'_, [KeyTerm]> {
        match (self.key_terms.is_empty(), self.key_letter) {
            (false, _) => Cow::Borrowed(&self.key_terms),
            (true, Some(key_letter)) => Cow::Owned(vec![KeyTerm {
                key_letter,
                key_value: self.key_value,
                coefficient: self.relative_value,
            }]),
            (true, None) => Cow::Borrowed(&[]),
        }
    }

    /// The code a row is known by: the ambulatory one, else the hospitalized one.
    pub fn code(&self) -> Code {
        self.ambulatory_code
            .or(self.hospitalized_code)
            .expect("a row has at least one code")
    }

    /// Every code printed on the row (one or two).
    pub fn codes(&self) -> impl Iterator<Item = Code> {
        self.ambulatory_code
            .into_iter()
            .chain(self.hospitalized_code)
    }

    /// Whether the row carries `code` in either column.
    pub fn has_code(&self, code: &str) -> bool {
        self.codes().any(|c| c.as_str() == code)
    }
}
