//! The NomenSoft cross-check: a generated table of 2,500 / 5,000 / 10,000
//! codes against its NomenSoft export (five records a code), to show that
//! the cost grows linearly with the codes.
//!
//! Run: `cargo bench --bench crosscheck`. Only the comparison is timed;
//! the table and the export are read once, before.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use inami_tariffs::model::{Nomenclature, TariffTable};
use inami_tariffs::nomensoft::{self, crosscheck};
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline;
use inami_tariffs::source::SourceDocument;

/// The five categories of a code, with the amounts of the generated rows.
const RECORDS: [(&str, &str); 5] = [
    ("Honoraire", "25.600000"),
    (
        "Intervention de l'assurance avec régime préférentiel",
        "23.100000",
    ),
    (
        "Intervention de l'assurance sans régime préférentiel",
        "19.350000",
    ),
    (
        "Quote-part personnelle avec régime préférentiel",
        "2.500000",
    ),
    (
        "Quote-part personnelle sans régime préférentiel",
        "6.250000",
    ),
];

fn generated(codes: usize) -> (TariffTable, Nomenclature) {
    let mut table = String::from(
        "Tarifs ; Kinésithérapeutes ; 01-01-2024\nI. a) Prestations effectuées au cabinet du kinésithérapeute\n",
    );
    let mut export = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dataroot>\n");
    for i in 0..codes {
        let stem = 10_000 + i;
        let code = format!("{stem:05}{}", stem % 7);
        table.push_str(&format!(
            " M = 1,066667 {code} - = M 24 25,60 23,10 19,35\n"
        ));
        for (words, fee) in RECORDS {
            export.push_str(&format!(
                "  <NOMEN_HONORAIRES>\n    <nomen_code>{code}</nomen_code>\n    <dbegin_fee>2024-01-01</dbegin_fee>\n    <dend_fee>2999-12-31</dend_fee>\n    <fee_code_desc_fr>{}</fee_code_desc_fr>\n    <fee>{fee}</fee>\n  </NOMEN_HONORAIRES>\n",
                words.replace('\'', "&apos;")
            ));
        }
    }
    export.push_str("</dataroot>\n");
    let doc = SourceDocument::from_text("generated.txt", &table);
    let Ok(ParsedDocument::Tariff(t)) = pipeline::parse_and_validate(&doc).map(|c| c.parsed) else {
        panic!("the generated table parses");
    };
    let read = nomensoft::read(Path::new("generated.xml"), export.as_bytes(), "x").unwrap();
    assert!(read.findings.is_empty(), "{:?}", read.findings);
    (t.table, read.nomenclature)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("nomensoft cross-check");
    group.sample_size(10);
    for codes in [2_500, 5_000, 10_000] {
        let (table, export) = generated(codes);
        let done = crosscheck::check([&table], &[&export]);
        assert_eq!(done.codes_compared, codes);
        assert!(done.findings.is_empty());
        group.throughput(Throughput::Elements(codes as u64));
        group.bench_with_input(BenchmarkId::from_parameter(codes), &codes, |b, _| {
            b.iter(|| crosscheck::check([black_box(&table)], &[black_box(&export)]))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
