//! Parse + validate throughput: the 2024 table, and generated tables of
//! 10,000 / 100,000 / 1,000,000 rows to show that cost grows linearly.
//!
//! Run: `cargo bench --bench parse`. Target: under 1 s for a million rows on one core.
//!
//! A generated table cycles through the 100,000 six-digit codes that pass the
//! check digit, so past that size codes repeat and `duplicate-code` fires: the
//! million-row figure includes building those findings.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use inami_tariffs::pipeline;
use inami_tariffs::source::SourceDocument;

fn generated_table(rows: usize) -> String {
    let mut text = String::with_capacity(rows * 52 + 200);
    text.push_str("Tarifs ; Kinésithérapeutes ; 01-01-2024\n");
    text.push_str("I. a) Prestations effectuées au cabinet du kinésithérapeute\n");
    text.push_str("  Article 7, § 1, 1° : prestations effectuées aux bénéficiaires\n");
    for i in 0..rows {
        let stem = (10_000 + i) % 100_000;
        let code = format!("{stem:05}{}", stem % 7);
        text.push_str(&format!(
            " M = 1,066667 {code} - = M 24 25,60 23,10 19,35\n"
        ));
        if i % 40 == 39 {
            text.push_str(
                "(*) se référer à l'article 4, § 1er de la convention nationale\n AMB HOS\n",
            );
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let seed = include_str!("../sources/physiotherapy/2024-01-01-tariff.fr.txt");
    c.bench_function("parse+validate 2024 table (197 rows)", |b| {
        b.iter_with_large_drop(|| {
            let doc = SourceDocument::from_text("seed.txt", black_box(seed));
            pipeline::parse_and_validate(&doc).unwrap()
        })
    });
    let mut group = c.benchmark_group("parse+validate generated");
    group.sample_size(10);
    for rows in [10_000, 100_000, 1_000_000] {
        let text = generated_table(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rows), &text, |b, text| {
            b.iter_with_large_drop(|| {
                let doc = SourceDocument::from_text("generated.txt", black_box(text));
                pipeline::parse_and_validate(&doc).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
