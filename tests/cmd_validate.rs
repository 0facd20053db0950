//! End to end: `tariffs validate` re-checks snapshots.

mod common;

use predicates::str::contains;

use common::{imported_repo, SNAPSHOT};

#[test]
fn shipped_snapshots_validate() {
    common::tariffs(&common::root())
        .arg("validate")
        .assert()
        .success()
        .stdout(contains(format!("{SNAPSHOT}: ok")));
}

#[test]
fn an_edited_fee_is_caught_at_its_source_line_with_a_caret() {
    let repo = imported_repo();
    let path = repo.path().join(SNAPSHOT);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("fee: '25.60'", "fee: '25.66'", 1)).unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains("error[fee-mismatch]"))
        .stdout(contains("1,066667 × 24 = 25,60, document says 25,66"))
        .stdout(contains(
            "--> sources/physiotherapy/2024-01-01-tariff.fr.txt:26:31",
        ));
}

#[test]
fn a_snapshot_breaking_the_schema_is_reported_by_field() {
    let repo = imported_repo();
    let path = repo.path().join(SNAPSHOT);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("key_value: '1.066667'", "key_value: 1.066667", 1),
    )
    .unwrap();
    common::tariffs(repo.path())
        .args(["validate", "--format", "json"])
        .assert()
        .code(1)
        .stdout(contains("\"rule\": \"schema\""))
        .stdout(contains("at /rows/1/key_value"));
}

#[test]
fn an_empty_repository_cannot_be_validated() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(2)
        .stderr(contains("no snapshots"));
}

/// `key_terms` is authoritative: a term's value edited in the snapshot
/// (the single fields, which repeat the first term, untouched) breaks the fee.
#[test]
fn an_edited_term_of_a_fee_of_several_key_letters_is_caught() {
    let repo = common::doctors_repo();
    let path = repo.path().join("parsed/medicine/2025-01-01-tariff.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(
        "  - key_letter: Q\n    key_value: '0.195645'",
        "  - key_letter: Q\n    key_value: '0.295645'",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    common::tariffs(repo.path())
        .arg("validate")
        .assert()
        .code(1)
        .stdout(contains(
            "error[fee-mismatch]: fee is not the sum of its key letters' terms rounded to the cent: \
             N 8 × 3,372107 + Q 30 × 0,295645 = 35,85, document says 32,85",
        ))
        .stdout(contains("--> sources/medicine/2025-01-01-tariff.fr.txt:13:50"));
}
