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

/// The snapshot contract of a row of several key letters, broken by hand
/// in 105755 (`N 8 + Q 30`) without touching its fee: each edit is one
/// `key-terms-inconsistent` error at the row's source line.
#[test]
fn hand_edited_key_terms_that_break_the_contract_are_caught() {
    const SINGLE: &str = "  key_letter: 'N'\n  key_value: '3.372107'\n  relative_value: '8'\n";
    const N: &str = "  - key_letter: 'N'\n    key_value: '3.372107'\n    coefficient: '8'\n";
    const Q: &str = "  - key_letter: Q\n    key_value: '0.195645'\n    coefficient: '30'\n";
    let q_first = "  key_letter: Q\n  key_value: '0.195645'\n  relative_value: '30'\n";
    let n_twice = "  - key_letter: 'N'\n    key_value: '0.195645'\n    coefficient: '30'\n";
    for (name, from, to, says) in [
        (
            "letter",
            SINGLE,
            SINGLE.replace("'N'", "Q"),
            "the single fields do not repeat the first term",
        ),
        (
            "relative value",
            SINGLE,
            SINGLE.replace("'8'", "'9'"),
            "the single fields do not repeat the first term",
        ),
        (
            "duplicate",
            Q,
            n_twice.to_string(),
            "key_terms name key letter N twice",
        ),
        (
            "order",
            &format!("{SINGLE}  key_terms:\n{N}{Q}") as &str,
            format!("{q_first}  key_terms:\n{Q}{N}"),
            "key_terms are not in the order of their key letters",
        ),
    ] {
        let repo = common::doctors_repo();
        let path = repo.path().join("parsed/medicine/2025-01-01-tariff.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen(from, &to, 1);
        assert_ne!(edited, text, "{name}");
        std::fs::write(&path, edited).unwrap();
        let output = common::tariffs(repo.path())
            .arg("validate")
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}: {stdout}");
        assert_eq!(stdout.matches("error[").count(), 1, "{name}: {stdout}");
        assert!(
            stdout.contains(&format!("error[key-terms-inconsistent]: {says}"))
                && stdout.contains("--> sources/medicine/2025-01-01-tariff.fr.txt:13"),
            "{name}: {stdout}"
        );
    }
}
