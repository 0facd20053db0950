//! Versioning benchmarks: diff of two generated 100,000-row snapshots, and
//! the history of a code over 50 committed snapshots.
//!
//! Run: `cargo bench --bench versions`. Targets: each under 1 s.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use inami_tariffs::canonical;
use inami_tariffs::catalog;
use inami_tariffs::code::Code;
use inami_tariffs::diff;
use inami_tariffs::history;
use inami_tariffs::model::{Language, SourceFormat, SourceRef, TariffRow, TariffTable};
use inami_tariffs::store::{DataRepo, FileWrite, Mode, Transaction};
use rust_decimal::Decimal;

/// A table of `rows` distinct codes; `revision` shifts some fees.
fn table(rows: usize, date: NaiveDate, revision: u32) -> TariffTable {
    let setting: std::sync::Arc<str> = "I. a) Prestations effectuées au cabinet".into();
    let article: std::sync::Arc<str> = "Article 7, § 1, 1° : prestations".into();
    let rows = (0..rows)
        .map(|i| {
            let stem = i as u32 % 100_000;
            let code = Code::parse(&format!("{stem:05}{}", stem % 7)).unwrap();
            let bump = if (i as u32).is_multiple_of(10) {
                revision
            } else {
                0
            };
            let fee = Decimal::new(2560 + i64::from(bump), 2);
            TariffRow {
                ambulatory_code: Some(code),
                hospitalized_code: None,
                setting: Some(setting.clone()),
                article: Some(article.clone()),
                key_letter: Some('M'),
                key_value: Decimal::new(1_066_667, 6),
                relative_value: Decimal::new(24, 0),
                key_terms: Vec::new(),
                fee: Some(fee),
                fee_note: None,
                intervention_preferential: Decimal::new(2310, 2),
                intervention_standard: Decimal::new(1935, 2),
                source_line: i + 20,
                source_page: None,
            }
        })
        .collect();
    TariffTable {
        schema: "inami-tariffs/tariff/1".into(),
        profession: "physiotherapy".into(),
        effective_from: date,
        title: "Tarifs ; Kinésithérapeutes ; generated".into(),
        language: Language::Fr,
        source: SourceRef {
            file: format!("sources/physiotherapy/{date}-tariff.fr.txt"),
            sha256: "0".repeat(64),
            format: SourceFormat::Text,
        },
        rows,
        sources: Vec::new(),
        translations: Default::default(),
    }
}

fn bench_diff(c: &mut Criterion) {
    let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let old = canonical::tariff_to_yaml(&table(100_000, date, 0));
    let new = canonical::tariff_to_yaml(&table(100_000, date, 5));
    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    group.bench_function("two 100,000-row snapshots (read both, diff)", |b| {
        b.iter(|| {
            let a = canonical::read_snapshot("old.yaml", black_box(&old)).unwrap();
            let b = canonical::read_snapshot("new.yaml", black_box(&new)).unwrap();
            let d = diff::diff(
                &catalog::state_of(&a, "old.yaml"),
                &catalog::state_of(&b, "new.yaml"),
            );
            assert_eq!(d.changed.len(), 10_000);
        })
    });
    group.bench_function(
        "for comparison: one 100,000-row snapshot read by serde_yaml",
        |b| {
            b.iter(|| {
                let t: TariffTable = serde_yaml::from_str(black_box(&old)).unwrap();
                assert_eq!(t.rows.len(), 100_000);
            })
        },
    );
    group.finish();
}

fn bench_history(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..50u32 {
        let date = NaiveDate::from_ymd_opt(2000 + n as i32, 1, 1).unwrap();
        let t = table(200, date, n);
        let write = FileWrite {
            path: format!("parsed/physiotherapy/{date}-tariff.yaml"),
            bytes: canonical::tariff_to_yaml(&t).into_bytes(),
        };
        let transaction = Transaction::begin(dir.path(), Mode::Commit).unwrap();
        let message = format!("snapshot {n}");
        transaction
            .commit(Some("bench <bench@localhost>"), |series| {
                series.commit(&[&write], &[], &message).map(drop)
            })
            .unwrap();
    }
    let repo = DataRepo::open(dir.path()).unwrap();
    let code = Code::parse("000000").unwrap();
    let mut group = c.benchmark_group("history");
    group.sample_size(10);
    group.bench_function("one code over 50 snapshots", |b| {
        b.iter(|| {
            let h = history::of_code(black_box(&repo), code).unwrap();
            assert_eq!(h.len(), 50);
        })
    });
    group.finish();
}

criterion_group!(benches, bench_diff, bench_history);
criterion_main!(benches);
