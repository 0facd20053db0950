//! The typed records every stage shares: a tariff table and its rows.
//!
//! The serde layout of [`TariffTable`] *is* the canonical YAML contract
//! (`schema/tariff.schema.json`): field names and order here are public and may
//! only grow. Amounts and key values are [`Decimal`]s written as strings, so the
//! scale the document printed survives a round trip.
//!
//! Glossary (EN / FR / NL): `fee` honoraires / honorarium; `key_letter` lettre
//! clé / sleutelletter; `key_value` valeur de la lettre clé (facteur de
//! multiplication) / waarde van de sleutelletter; `relative_value` valeur relative
//! / betrekkelijke waarde; `intervention_preferential` intervention de
//! l'assurance, bénéficiaires avec régime préférentiel / verzekeringstegemoetkoming,
//! rechthebbenden met voorkeurregeling; `intervention_standard` the same without
//! the preferential regime / zonder voorkeurregeling; `key_terms` the key
//! letters of a fee made of several (`N 8 + Q 30`), each with its value and
//! its `coefficient` (the letter's share of the relative value).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::decimal;

/// The `schema` value of a tariff snapshot.
pub const TARIFF_SCHEMA_ID: &str = "inami-tariffs/tariff/1";

/// Language of a document (`fr` or `nl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French.
    Fr,
    /// Dutch.
    Nl,
}

impl Language {
    /// The two-letter code used in file names and YAML.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::Nl => "nl",
        }
    }
}

/// How the source document reached the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// UTF-8 text (as a PDF extraction gives it).
    Text,
    /// PDF, read by glyph positions.
    Pdf,
}

impl SourceFormat {
    /// The file extension a source of this format is stored under.
    pub fn extension(self) -> &'static str {
        match self {
            SourceFormat::Text => "txt",
            SourceFormat::Pdf => "pdf",
        }
    }
}

/// Where a snapshot came from: the stored source file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Path of the stored source, relative to the data repository.
    pub file: String,
    /// SHA-256 of the source bytes, lowercase hex.
    pub sha256: String,
    /// Text or PDF.
    pub format: SourceFormat,
}

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

/// One source of a bilingual snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageSource {
    /// The language of this source.
    pub language: Language,
    #[serde(flatten)]
    /// The stored source.
    pub source: SourceRef,
}

/// A tariff table's title and row headings in another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTranslation {
    /// The title as the other language's source states it.
    pub title: String,
    /// One per row of the snapshot, in the same order.
    pub rows: Vec<RowTranslation>,
}

/// A row as the other language's source states it: its headings and place.
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

/// A convention's title in another language, and where each entry stands in
/// that language's source (one per entry, in the snapshot's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionTranslation {
    /// The title in that language.
    pub title: String,
    /// Where each key-value list stands in that source.
    pub key_values: Vec<Place>,
    /// Where each stated fee stands in that source.
    pub stated_fees: Vec<Place>,
    /// Where each indemnity stands in that source.
    pub indemnities: Vec<Place>,
}

/// A line, and the page of a PDF source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The line (1-based).
    pub source_line: usize,
    /// The page, for PDF sources.
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

/// Key letters are written as plain strings (`key_letter: M`, not `'M'`).
mod letter {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(letter: &Option<char>, s: S) -> Result<S::Ok, S::Error> {
        match letter {
            Some(c) => s.serialize_str(c.encode_utf8(&mut [0; 4])),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<char>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| {
            let mut chars = t.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(serde::de::Error::custom(format!(
                    "`{t}` is not one key letter"
                ))),
            }
        })
        .transpose()
    }

    /// The same for a letter that is always there (a term of a fee).
    pub mod one {
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(letter: &char, s: S) -> Result<S::Ok, S::Error> {
            super::serialize(&Some(*letter), s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<char, D::Error> {
            super::deserialize(d)?
                .ok_or_else(|| serde::de::Error::custom("a key letter is required, not null"))
        }
    }
}

/// The `schema` value of a convention snapshot.
pub const CONVENTION_SCHEMA_ID: &str = "inami-tariffs/convention/1";

/// A convention between a profession and the insurers: key values, fees and
/// indemnities it sets, each with the date it applies from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convention {
    /// The schema id (`inami-tariffs/convention/1`).
    pub schema: String,
    /// The profession (`physiotherapy`).
    pub profession: String,
    /// Start of the convention's period.
    pub effective_from: NaiveDate,
    /// The title, as the document states it.
    pub title: String,
    /// The language of the document (of `source`).
    pub language: Language,
    /// The source document the statements were read from.
    pub source: SourceRef,
    /// The day the convention was concluded.
    pub concluded_on: Option<NaiveDate>,
    /// Last day of the convention's period.
    pub effective_until: Option<NaiveDate>,
    /// Key values set for lists of codes.
    pub key_values: Vec<KeyValueList>,
    /// Fees the text states outright.
    pub stated_fees: Vec<StatedFee>,
    /// Indemnities attested with pseudocodes.
    pub indemnities: Vec<Indemnity>,
    /// Every source, `source` first, when imported in more than one language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<LanguageSource>,
    /// The other languages' titles, and where each entry stands in them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Language, ConventionTranslation>,
}

/// `- 0,927692 pour les prestations 560011, 560092, ...`: a key value for codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyValueList {
    #[serde(with = "letter")]
    /// The key letter (`M`), when the text names it.
    pub key_letter: Option<char>,
    #[serde(with = "rust_decimal::serde::str")]
    /// The key value, in euros.
    pub value: Decimal,
    /// `None` when the text leaves the date open.
    pub effective_from: Option<NaiveDate>,
    /// The codes the value applies to.
    pub codes: Vec<Code>,
    /// The line that states the value.
    pub source_line: usize,
    /// The page of that line, for PDF sources.
    #[serde(default)]
    pub source_page: Option<u32>,
}

/// "les honoraires des prestations ... sont portés à 25 euros".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedFee {
    #[serde(with = "rust_decimal::serde::str")]
    /// The fee, in euros.
    pub amount: Decimal,
    /// `None` when the text leaves the date open.
    pub effective_from: Option<NaiveDate>,
    #[serde(with = "letter")]
    /// The key letter, when the text names it.
    pub key_letter: Option<char>,
    /// The relative value when the text gives it (`prestations M 24`).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub relative_value: Option<Decimal>,
    /// The codes the fee applies to.
    pub codes: Vec<Code>,
    /// The line that states the value.
    pub source_line: usize,
    /// The page of that line, for PDF sources.
    #[serde(default)]
    pub source_page: Option<u32>,
}

/// How much of an indemnity the insurance pays back, in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reimbursement {
    #[serde(with = "rust_decimal::serde::str")]
    /// Percent paid back with preferential reimbursement.
    pub preferential: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    /// Percent paid back with standard reimbursement.
    pub standard: Decimal,
}

/// An indemnity attested with pseudocodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indemnity {
    /// The pseudocodes that attest the indemnity.
    pub pseudocodes: Vec<Code>,
    #[serde(with = "rust_decimal::serde::str")]
    /// The amount, in euros.
    pub amount: Decimal,
    /// `true` when the amount is a maximum ("à maximum 1,13 euros").
    pub maximum: bool,
    /// How much the insurance pays back, when the text says.
    pub reimbursement: Option<Reimbursement>,
    /// The codes the indemnity goes with.
    pub applies_to: Vec<Code>,
    /// `None` when the text leaves the date open.
    pub effective_from: Option<NaiveDate>,
    /// The line that states the amount.
    pub source_line: usize,
    /// The page of that line, for PDF sources.
    #[serde(default)]
    pub source_page: Option<u32>,
}
