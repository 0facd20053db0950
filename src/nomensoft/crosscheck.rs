//! NomenSoft against the tariff tables: wherever both cover a code on a
//! date, the fee and both interventions must be equal, and NomenSoft's
//! personal shares must be the fee minus the intervention. Where both give
//! the fee's key letters (NomenSoft's `key_letter1..3`, the row's key letter
//! or its `key_terms`), the terms must be the same too, in any order.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Category, FeeRecord, Nomenclature};
use crate::code::Code;
use crate::model::{TariffRow, TariffTable};
use crate::validate::{Finding, Place, Rule};

/// What a cross-check found and how much it compared.
#[derive(Debug, Clone, Default)]
pub struct CrossCheck {
    /// `nomensoft-mismatch` findings, at the NomenSoft record.
    pub findings: Vec<Finding>,
    /// Codes (of a table's date) that both sources cover.
    pub codes_compared: usize,
    /// Values compared.
    pub values_compared: usize,
}

/// Compares every table with every export.
pub fn check<'a>(
    tables: impl IntoIterator<Item = &'a TariffTable>,
    exports: &[&Nomenclature],
) -> CrossCheck {
    let mut out = CrossCheck::default();
    for table in tables {
        let date = table.effective_from;
        for row in &table.rows {
            for code in [row.ambulatory_code, row.hospitalized_code]
                .into_iter()
                .flatten()
            {
                let mut compared = false;
                for category in COMPARED {
                    let Some((record, export)) = record_for(exports, code, category, date) else {
                        continue;
                    };
                    let Some(table_value) = table_value(row, category) else {
                        continue;
                    };
                    compared = true;
                    out.values_compared += 1;
                    if table_value != record.amount {
                        out.findings.push(mismatch(
                            (table, row),
                            code,
                            category_words(category),
                            (table_value.to_string(), record.amount.to_string()),
                            (record, export),
                        ));
                    }
                }
                compared |= compare_terms(table, row, code, exports, &mut out);
                out.codes_compared += usize::from(compared);
            }
        }
    }
    out
}

const COMPARED: [Category; 5] = [
    Category::Fee,
    Category::InterventionPreferential,
    Category::InterventionStandard,
    Category::PersonalSharePreferential,
    Category::PersonalShareStandard,
];

/// The record of `code` and `category` in force on `date`: the latest
/// export's (by [`Nomenclature::latest`]), and in it the one that started last.
fn record_for<'a>(
    exports: &[&'a Nomenclature],
    code: Code,
    category: Category,
    date: NaiveDate,
) -> Option<(&'a FeeRecord, &'a Nomenclature)> {
    exports
        .iter()
        .flat_map(|e| e.fees.iter().map(move |f| (f, *e)))
        .filter(|(f, _)| f.code == code && f.category == category && f.covers(date))
        .max_by_key(|(f, e)| (e.latest(), f.valid_from))
}

/// What the table says for a category: stated values, and the personal
/// shares as fee − intervention (`None` for a free fee, or on overflow).
fn table_value(row: &TariffRow, category: Category) -> Option<Decimal> {
    match category {
        Category::Fee => row.fee,
        Category::InterventionPreferential => Some(row.intervention_preferential),
        Category::InterventionStandard => Some(row.intervention_standard),
        Category::PersonalSharePreferential => {
            crate::decimal::exact_sub(row.fee?, row.intervention_preferential)
        }
        Category::PersonalShareStandard => {
            crate::decimal::exact_sub(row.fee?, row.intervention_standard)
        }
        Category::Unknown => None,
    }
}

/// The row's key-letter terms against those of NomenSoft's fee record, when
/// both give some; whether they were compared.
fn compare_terms(
    table: &TariffTable,
    row: &TariffRow,
    code: Code,
    exports: &[&Nomenclature],
    out: &mut CrossCheck,
) -> bool {
    let Some((record, export)) = record_for(exports, code, Category::Fee, table.effective_from)
    else {
        return false;
    };
    let mine = row.terms();
    if mine.is_empty() || record.key_terms.is_empty() {
        return false;
    }
    out.values_compared += 1;
    let theirs: Vec<(String, Decimal, Decimal)> = record
        .key_terms
        .iter()
        .map(|t| (t.letter.clone(), t.coefficient, t.value))
        .collect();
    let ours: Vec<(String, Decimal, Decimal)> = mine
        .iter()
        .map(|t| (t.key_letter.to_string(), t.coefficient, t.key_value))
        .collect();
    if !same_terms(&ours, &theirs) {
        out.findings.push(mismatch(
            (table, row),
            code,
            "key-letter terms",
            (terms_text(&ours), terms_text(&theirs)),
            (record, export),
        ));
    }
    true
}

/// Equal as sets of (letter, coefficient, value), amounts by value.
fn same_terms(a: &[(String, Decimal, Decimal)], b: &[(String, Decimal, Decimal)]) -> bool {
    let sorted = |terms: &[(String, Decimal, Decimal)]| {
        let mut terms: Vec<(String, Decimal, Decimal)> = terms
            .iter()
            .map(|(l, c, v)| (l.clone(), c.normalize(), v.normalize()))
            .collect();
        terms.sort();
        terms
    };
    sorted(a) == sorted(b)
}

/// `N 8 × 3.372107 + Q 30 × 0.195645`.
fn terms_text(terms: &[(String, Decimal, Decimal)]) -> String {
    terms
        .iter()
        .map(|(l, c, v)| format!("{l} {c} × {v}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn category_words(category: Category) -> &'static str {
    match category {
        Category::Fee => "fee",
        Category::InterventionPreferential => "preferential intervention",
        Category::InterventionStandard => "standard intervention",
        Category::PersonalSharePreferential => "preferential personal share (fee − intervention)",
        Category::PersonalShareStandard => "standard personal share (fee − intervention)",
        Category::Unknown => "amount",
    }
}

/// A `nomensoft-mismatch` at NomenSoft's record: `what` of `code` differs,
/// `values` being the table's and NomenSoft's.
fn mismatch(
    (table, row): (&TariffTable, &TariffRow),
    code: Code,
    what: &str,
    (table_value, nomensoft_value): (String, String),
    (record, export): (&FeeRecord, &Nomenclature),
) -> Finding {
    let table_place = match row.source_page {
        Some(page) => format!("{}:{} (page {page})", table.source.file, row.source_line),
        None => format!("{}:{}", table.source.file, row.source_line),
    };
    let place = Place {
        line: Some(record.source_line),
        ..Place::file(export.source.file.clone())
    };
    Finding::new(
        Rule::NomensoftMismatch,
        place,
        format!(
            "{code} {what} on {}: the tariff table {table_place} says {table_value}, NomenSoft {}:{} says {nomensoft_value}",
            table.effective_from,
            export.source.file,
            record.source_line,
        ),
    )
    .expected_found(table_value, nomensoft_value)
    .for_code(code)
}
