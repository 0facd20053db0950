//! Golden files: every document in `sources/` re-parses to its file in
//! `parsed/`, byte for byte, and every snapshot matches its JSON Schema.

mod common;

use inami_tariffs::canonical;
use inami_tariffs::pipeline;
use inami_tariffs::source::{self, ReadOptions};
use inami_tariffs::store::DataRepo;

#[test]
fn every_source_reparses_to_its_snapshot_byte_for_byte() {
    let repo = DataRepo::open(&common::root()).unwrap();
    let sources = repo.sources().unwrap();
    assert!(!sources.is_empty(), "sources/ holds documents");
    let mut snapshots = Vec::new();
    for path in sources {
        let mut doc = source::read(&path, &ReadOptions::default()).unwrap();
        doc.path = repo.relative(&path).into();
        let done = pipeline::process(doc).unwrap();
        assert!(
            !done.has_errors(),
            "{}: {:?}",
            path.display(),
            done.findings
        );
        assert_eq!(
            done.filing.source_path,
            repo.relative(&path),
            "stored at its own path"
        );
        let stored = std::fs::read_to_string(repo.path(&done.filing.snapshot_path))
            .unwrap_or_else(|e| panic!("{}: {e}", done.filing.snapshot_path));
        assert!(
            stored == done.filing.yaml,
            "{} differs from a rebuild of {}: run `tariffs rebuild` and review the diff",
            done.filing.snapshot_path,
            path.display()
        );
        snapshots.push(done.filing.snapshot_path);
    }
    let mut on_disk: Vec<String> = repo
        .snapshots()
        .unwrap()
        .iter()
        .map(|p| repo.relative(p))
        .collect();
    on_disk.sort();
    snapshots.sort();
    assert_eq!(on_disk, snapshots, "every snapshot has a source");
}

#[test]
fn every_snapshot_matches_the_json_schema() {
    let repo = DataRepo::open(&common::root()).unwrap();
    let snapshots = repo.snapshots().unwrap();
    assert!(!snapshots.is_empty());
    for path in snapshots {
        let text = std::fs::read_to_string(&path).unwrap();
        let schema = canonical::declared_schema(&text)
            .and_then(canonical::json_schema_for)
            .expect("a snapshot declares its schema");
        let findings = canonical::schema_findings(&path, &text, schema).unwrap();
        assert!(findings.is_empty(), "{}: {findings:#?}", path.display());
    }
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let path = common::root().join("parsed/physiotherapy/2024-01-01-tariff.yaml");
    let good = std::fs::read_to_string(&path).unwrap();
    for (from, to, field) in [
        ("fee: '25.60'", "fee: 25.60", "/rows/1/fee"),
        (
            "ambulatory_code: '560011'",
            "ambulatory_code: '56001'",
            "/rows/1/ambulatory_code",
        ),
        ("language: fr", "language: de", "/language"),
        ("  source_line: 26\n", "", "/rows/1"),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{from} is in the snapshot");
        let findings = canonical::schema_findings(&path, &bad, canonical::TARIFF_SCHEMA).unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f.message.starts_with(&format!("at {field}"))),
            "{to:?} should be refused at {field}: {findings:#?}"
        );
    }
}
