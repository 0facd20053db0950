//! A NomenSoft export as its snapshot holds it: one fee record per record
//! of the export, each amount exact, with its validity dates and the line of
//! the record that states it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::decimal;

/// The `schema` value of a NomenSoft snapshot.
pub const NOMENSOFT_SCHEMA_ID: &str = "inami-tariffs/nomensoft/1";

/// A NomenSoft export, as its snapshot holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomenclature {
    /// The schema id (`inami-tariffs/nomensoft/1`).
    pub schema: String,
    /// The stored export.
    pub source: ExportSource,
    /// Every fee record, in the export's order.
    pub fees: Vec<FeeRecord>,
}

/// Where a NomenSoft snapshot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSource {
    /// Path of the stored export, relative to the data repository.
    pub file: String,
    /// SHA-256 of the export's bytes, lowercase hex.
    pub sha256: String,
    /// `xml` or `json`.
    pub format: String,
}

/// One fee record: an amount of one category for one code, over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRecord {
    /// The nomenclature code.
    pub code: Code,
    /// What the amount is (fee, intervention, personal share), from the
    /// description words.
    pub category: Category,
    /// The fee code as the export gives it (`0`, `1300`, …), when it does.
    #[serde(default)]
    pub fee_code: Option<String>,
    /// The category's description in French, as written.
    #[serde(default)]
    pub description_fr: Option<String>,
    /// The category's description in Dutch, as written.
    #[serde(default)]
    pub description_nl: Option<String>,
    /// The amount, in euros, exact as written (`158.700000`).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// First day the amount applies.
    pub valid_from: NaiveDate,
    /// Last day it applies; `None` until further notice (`2999-12-31`).
    pub valid_until: Option<NaiveDate>,
    /// For a fee made of key letters: up to three terms, summed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_terms: Vec<RecordTerm>,
    /// The document that set the amount (`OA2025_362`), when given.
    #[serde(default)]
    pub author_doc: Option<String>,
    /// The line of the export where the record starts.
    pub source_line: usize,
}

/// One term of a NomenSoft record's fee made of key letters: coefficient ×
/// key value, as the export writes them (a letter is any text there; a
/// table row's terms are [`KeyTerm`](super::KeyTerm)s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTerm {
    /// The key letter (`N`).
    pub letter: String,
    /// Its coefficient (`8`).
    #[serde(with = "rust_decimal::serde::str")]
    pub coefficient: Decimal,
    /// The key letter's value (`3.372107`).
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

impl Nomenclature {
    /// The latest date the export's records start: its key date. When two
    /// exports cover one code, category and date, the later one counts.
    pub fn latest(&self) -> NaiveDate {
        self.fees
            .iter()
            .map(|f| f.valid_from)
            .max()
            .unwrap_or(NaiveDate::MIN)
    }
}

impl FeeRecord {
    /// Whether the record applies on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|end| date <= end)
    }

    /// Σ coefficient × key value, half-up to the cent; `None` without terms
    /// or when a product overflows.
    pub fn fee_from_terms(&self) -> Option<Decimal> {
        if self.key_terms.is_empty() {
            return None;
        }
        decimal::fee_of_terms(self.key_terms.iter().map(|t| (t.value, t.coefficient)))
    }
}

/// The category of a fee record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The fee (honoraire / honorarium).
    Fee,
    /// The insurance intervention with the preferential regime.
    InterventionPreferential,
    /// The insurance intervention without it.
    InterventionStandard,
    /// The personal share with the preferential regime.
    PersonalSharePreferential,
    /// The personal share without it.
    PersonalShareStandard,
    /// A description this tool does not know (reported, never guessed).
    Unknown,
}

impl Category {
    /// The category in words, for messages: `fee`, `preferential intervention`.
    pub fn words(self) -> &'static str {
        match self {
            Category::Fee => "fee",
            Category::InterventionPreferential => "preferential intervention",
            Category::InterventionStandard => "standard intervention",
            Category::PersonalSharePreferential => "preferential personal share",
            Category::PersonalShareStandard => "standard personal share",
            Category::Unknown => "amount of an unknown category",
        }
    }
}
