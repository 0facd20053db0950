//! NomenSoft against the tariff tables: wherever both cover a code on a
//! date, the fee and both interventions must be equal, and NomenSoft's
//! personal shares must be the fee minus the intervention. Where both give
//! the fee's key letters (NomenSoft's `key_letter1..3`, the row's key letter
//! or its `key_terms`), the terms must be the same too, in any order.
//!
//! The records are indexed by code and category once, so the work grows
//! with the rows and records, not with their product (10,000 codes: about
//! 15 ms, where a scan of every record for each code took 26 s; see
//! `benches/crosscheck.rs`).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::code::Code;
use crate::findings::{Finding, Location, Rule};
use crate::model::{Category, FeeRecord, Nomenclature};
use crate::model::{TariffRow, TariffTable};

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
    let index = Index::new(exports);
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
                    let Some((record, export)) = index.record_for(code, category, date) else {
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
                compared |= compare_terms(table, row, code, &index, &mut out);
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

/// The records of every export by code and category, each with its
/// export and the export's key date (computed once, not per lookup).
struct Index<'a> {
    records: FxHashMap<(Code, Category), Vec<Indexed<'a>>>,
}

struct Indexed<'a> {
    record: &'a FeeRecord,
    export: &'a Nomenclature,
    latest: NaiveDate,
}

impl<'a> Index<'a> {
    fn new(exports: &[&'a Nomenclature]) -> Index<'a> {
        let mut records: FxHashMap<_, Vec<_>> = FxHashMap::default();
        for &export in exports {
            let latest = export.latest();
            for record in &export.fees {
                records
                    .entry((record.code, record.category))
                    .or_default()
                    .push(Indexed {
                        record,
                        export,
                        latest,
                    });
            }
        }
        Index { records }
    }

    /// The record of `code` and `category` in force on `date`: the latest
    /// export's (by [`Nomenclature::latest`]), and in it the one that
    /// started last; of equals, the last (an export gives one value for a
    /// code, category and date: see [`super::checks`]).
    fn record_for(
        &self,
        code: Code,
        category: Category,
        date: NaiveDate,
    ) -> Option<(&'a FeeRecord, &'a Nomenclature)> {
        self.records
            .get(&(code, category))?
            .iter()
            .inspect(|_| count_examined())
            .filter(|i| i.record.covers(date))
            .max_by_key(|i| (i.latest, i.record.valid_from))
            .map(|i| (i.record, i.export))
    }
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
    index: &Index<'_>,
    out: &mut CrossCheck,
) -> bool {
    let Some((record, export)) = index.record_for(code, Category::Fee, table.effective_from) else {
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

/// What a mismatch names: a share as the table gives it, fee − intervention.
fn category_words(category: Category) -> &'static str {
    match category {
        Category::PersonalSharePreferential => "preferential personal share (fee − intervention)",
        Category::PersonalShareStandard => "standard personal share (fee − intervention)",
        Category::Unknown => "amount",
        other => other.words(),
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
    let table_at = match row.source_page {
        Some(page) => format!("{}:{} (page {page})", table.source.file, row.source_line),
        None => format!("{}:{}", table.source.file, row.source_line),
    };
    let location = Location {
        line: Some(record.source_line),
        ..Location::file(export.source.file.clone())
    };
    Finding::new(
        Rule::NomensoftMismatch,
        location,
        format!(
            "{code} {what} on {}: the tariff table {table_at} says {table_value}, NomenSoft {}:{} says {nomensoft_value}",
            table.effective_from,
            export.source.file,
            record.source_line,
        ),
    )
    .expected_found(table_value, nomensoft_value)
    .for_code(code)
}

#[cfg(test)]
thread_local! {
    /// Records the lookups of this thread examined (see the test below).
    static EXAMINED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one record examined by a lookup: tests see the work without timing it.
fn count_examined() {
    #[cfg(test)]
    EXAMINED.with(|n| n.set(n.get() + 1));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ParsedDocument;
    use crate::pipeline;
    use crate::source::SourceDocument;

    /// A table of `codes` rows and its NomenSoft export (five records a code).
    fn generated(codes: usize) -> (TariffTable, Nomenclature) {
        let mut table = String::from(
            "Tarifs ; Kinésithérapeutes ; 01-01-2024\nI. a) Prestations effectuées au cabinet du kinésithérapeute\n",
        );
        let mut export = String::from("<?xml version=\"1.0\"?>\n<dataroot>\n");
        for i in 0..codes {
            let stem = 10_000 + i;
            let code = format!("{stem:05}{}", stem % 7);
            table.push_str(&format!(
                " M = 1,066667 {code} - = M 24 25,60 23,10 19,35\n"
            ));
            for (words, fee) in [
                ("Honoraire", "25.60"),
                ("Intervention avec régime préférentiel", "23.10"),
                ("Intervention sans régime préférentiel", "19.35"),
                ("Quote-part personnelle avec régime préférentiel", "2.50"),
                ("Quote-part personnelle sans régime préférentiel", "6.25"),
            ] {
                export.push_str(&format!(
                    "<R><nomen_code>{code}</nomen_code><dbegin_fee>2024-01-01</dbegin_fee><fee_code_desc_fr>{words}</fee_code_desc_fr><fee>{fee}</fee></R>\n"
                ));
            }
        }
        export.push_str("</dataroot>\n");
        let doc = SourceDocument::from_text("generated.txt", &table);
        let Ok(ParsedDocument::Tariff(t)) = pipeline::parse_and_validate(&doc).map(|c| c.parsed)
        else {
            panic!("a table");
        };
        let read =
            super::super::read(std::path::Path::new("g.xml"), export.as_bytes(), "x").unwrap();
        assert!(read.findings.is_empty(), "{:?}", read.findings);
        (t.table, read.nomenclature)
    }

    /// Records examined to cross-check `codes` codes.
    fn examined(codes: usize) -> usize {
        let (table, export) = generated(codes);
        EXAMINED.with(|n| n.set(0));
        let done = check([&table], &[&export]);
        assert_eq!(done.codes_compared, codes);
        assert!(done.findings.is_empty(), "{:?}", done.findings);
        EXAMINED.with(|n| n.get())
    }

    #[test]
    fn the_work_grows_linearly_with_the_codes() {
        // Every record examined once per lookup of its own code: twice the
        // codes, twice the work (a scan of every record for each code made
        // it four times).
        let (small, large) = (examined(250), examined(500));
        assert!(large <= 2 * small + 10, "{small} then {large}");
        assert!(
            large <= 500 * 6 * 2,
            "{large} records examined for 500 codes"
        );
    }
}
