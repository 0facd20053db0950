//! A convention between a profession and the insurers: the key values,
//! fees and indemnities it sets, each with the date it applies from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::letter;
use super::sources::{Language, LanguageSource, Position, SourceRef};
use crate::code::Code;

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

/// A convention's title in another language, and where each entry stands in
/// that language's source (one per entry, in the snapshot's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionTranslation {
    /// The title in that language.
    pub title: String,
    /// Where each key-value list stands in that source.
    pub key_values: Vec<Position>,
    /// Where each stated fee stands in that source.
    pub stated_fees: Vec<Position>,
    /// Where each indemnity stands in that source.
    pub indemnities: Vec<Position>,
}
