//! NomenSoft exports: imported as snapshots, checked (fees of several key
//! letters), and cross-checked with the tariff tables.
//!
//! Fixtures (`tests/fixtures/nomensoft/`): the real per-code XML record of
//! 302805 and the real JSON record of 105755 (copied from `../shared/real/`),
//! and `kine-2024-from-table.xml`, generated from the 2024 table by
//! `make-export.py` in the real record's shape.

mod common;

use std::path::Path;

use common::{fixture, imported_repo, json_of, tariffs};

fn export_2024() -> std::path::PathBuf {
    fixture("nomensoft/kine-2024-from-table.xml")
}

fn stderr_and_stdout(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The 2024 export with one fee changed: 560011's (its first fee record).
fn export_with_560011_at(dir: &Path, fee: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(export_2024()).unwrap();
    let at = text.find("<nomen_code>560011</nomen_code>").unwrap();
    let fee_at = at + text[at..].find("<fee>25.600000</fee>").unwrap();
    let changed = format!(
        "{}<fee>{fee}</fee>{}",
        &text[..fee_at],
        &text[fee_at + "<fee>25.600000</fee>".len()..]
    );
    let path = dir.join("kine-2024-changed.xml");
    std::fs::write(&path, changed).unwrap();
    path
}

#[test]
fn an_export_of_the_2024_table_cross_checks_with_no_finding() {
    let repo = imported_repo();
    let (code, report) = json_of(
        tariffs(repo.path())
            .args(["import", "--format", "json"])
            .arg(export_2024()),
    );
    assert_eq!(code, Some(0), "{report}");
    let export = &report["exports"][0];
    assert_eq!(export["action"], "new");
    assert_eq!(export["fee_records"], 982);
    assert_eq!(export["codes_compared"], 209);
    assert_eq!(export["findings"].as_array().unwrap().len(), 0);

    let out = tariffs(repo.path()).arg("validate").output().unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("NomenSoft cross-check: 209 codes compared with the tariff tables (982 values), 0 differ"),
        "{text}"
    );
    // The snapshot is rebuilt from its stored export, byte for byte.
    tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .success();
}

#[test]
fn one_fee_changed_is_exactly_one_nomensoft_mismatch_naming_both_sides() {
    let repo = imported_repo();
    let dir = tempfile::tempdir().unwrap();
    let changed = export_with_560011_at(dir.path(), "25.700000");
    let (code, report) = json_of(
        tariffs(repo.path())
            .args(["import", "--format", "json"])
            .arg(&changed),
    );
    assert_eq!(code, Some(1), "{report}");
    let findings = report["exports"][0]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "nomensoft-mismatch");
    assert_eq!(f["code"], "560011");
    assert_eq!(f["expected"], "25.60");
    assert_eq!(f["found"], "25.700000");
    assert_eq!(f["file"], changed.display().to_string());
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("sources/physiotherapy/2024-01-01-tariff.fr.txt:26 says 25.60"),
        "{message}"
    );
    assert!(message.contains("kine-2024-changed.xml:"), "{message}");
    assert!(report["written"].as_array().unwrap().is_empty());
    assert!(
        !repo.path().join("parsed/nomensoft").exists(),
        "nothing written"
    );
}

#[test]
fn a_table_and_an_export_in_one_import_are_checked_against_each_other() {
    // A folder with the re-issued table and the export of the 2024 table:
    // they disagree on 560011 (fee and both personal shares).
    let folder = tempfile::tempdir().unwrap();
    for f in [common::reissue(), export_2024()] {
        std::fs::copy(&f, folder.path().join(f.file_name().unwrap())).unwrap();
    }
    let repo = tempfile::tempdir().unwrap();
    let out = tariffs(repo.path())
        .arg("import")
        .arg(folder.path())
        .output()
        .unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        text.matches("error[nomensoft-mismatch]").count(),
        3,
        "{text}"
    );
    assert!(text.contains("560011"), "{text}");
    assert!(text.contains("208 codes compared"), "{text}");
    assert!(!repo.path().join("parsed").exists(), "nothing written");

    // The 2024 table and its export, both new: compared, and they agree.
    let repo = tempfile::tempdir().unwrap();
    tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .arg(export_2024())
        .assert()
        .success();
    let body = common::git(repo.path(), &["log", "-1", "--format=%b"]);
    assert!(body.contains("209 codes compared, all equal"), "{body}");
}

#[test]
fn a_replaced_table_is_not_what_an_export_of_the_same_import_is_checked_against() {
    // The 2024 table in place; its re-issue replaces it in the same import
    // as the export of the 2024 table, which the re-issue contradicts.
    let repo = imported_repo();
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .arg(export_2024())
        .output()
        .unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        text.matches("error[nomensoft-mismatch]").count(),
        3,
        "{text}"
    );
    assert!(text.contains("208 codes compared"), "{text}");
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "1"
    );
}

#[test]
fn validate_finds_a_table_and_an_export_that_disagree() {
    // The export first (nothing to compare with), then a re-issued table
    // that NomenSoft contradicts: the table's import is refused…
    let repo = common::repo_with(&export_2024());
    let out = tariffs(repo.path())
        .arg("import")
        .arg(common::reissue())
        .output()
        .unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error[nomensoft-mismatch]: 560011 fee on 2024-01-01"),
        "{text}"
    );
    // …and `validate` says the same of a repository where both landed.
    tariffs(repo.path())
        .args(["import", "--no-commit"])
        .arg(common::seed_table())
        .assert()
        .success();
    let snapshot = repo
        .path()
        .join("parsed/nomensoft/560011-639833-2024-01-01.yaml");
    let yaml = std::fs::read_to_string(&snapshot).unwrap();
    let first_fee = yaml.find("amount: '25.600000'").unwrap();
    let edited = format!(
        "{}amount: '25.700000'{}",
        &yaml[..first_fee],
        &yaml[first_fee + "amount: '25.600000'".len()..]
    );
    std::fs::write(&snapshot, edited).unwrap();
    let out = tariffs(repo.path()).arg("validate").output().unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("209 codes compared with the tariff tables (982 values), 1 differ"),
        "{text}"
    );
}

#[test]
fn the_105755_record_imports_and_its_fee_checks_as_two_key_letters() {
    let repo = tempfile::tempdir().unwrap();
    let record = fixture("nomensoft/gp-consultation-105755-2025.record.json");
    tariffs(repo.path())
        .arg("import")
        .arg(&record)
        .assert()
        .success();
    let yaml = std::fs::read_to_string(repo.path().join("parsed/nomensoft/105755-2025-01-01.yaml"))
        .unwrap();
    for line in [
        "- code: '105755'",
        "category: fee",
        "amount: '32.85'",
        "valid_from: '2025-01-01'",
        "valid_until: null",
        "- letter: 'N'\n    coefficient: '8'\n    value: '3.372107'",
        "- letter: Q\n    coefficient: '30'\n    value: '0.195645'",
    ] {
        assert!(yaml.contains(line), "{line:?} in\n{yaml}");
    }
    // 8 × 3,372107 + 30 × 0,195645 = 32,846 → 32,85; a record saying 32,86 is wrong.
    let wrong = repo.path().join("wrong.json");
    let text = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&wrong, text.replace("\"fee\": 32.85", "\"fee\": 32.86")).unwrap();
    let out = tariffs(repo.path())
        .args(["import", "--dry-run"])
        .arg(&wrong)
        .output()
        .unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error[fee-mismatch]: fee is not the sum of its key letters' terms"),
        "{text}"
    );
    assert!(text.contains("expected 32.85, found 32.86"), "{text}");
}

#[test]
fn the_real_302805_record_imports_as_it_is() {
    let repo = tempfile::tempdir().unwrap();
    let out = tariffs(repo.path())
        .arg("import")
        .arg(fixture("nomensoft/nomensoft-302805-fees.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_and_stdout(&out));
    let yaml = std::fs::read_to_string(repo.path().join("parsed/nomensoft/302805-2026-01-01.yaml"))
        .unwrap();
    for line in [
        "file: sources/nomensoft/302805-2026-01-01.xml",
        "format: xml",
        "category: fee",
        "fee_code: '0'",
        "description_fr: Honoraire",
        "amount: '158.700000'",
        "valid_from: '2026-01-01'",
        "valid_until: null",
        "author_doc: OA2025_362",
        "source_line: 3",
    ] {
        assert!(yaml.contains(line), "{line:?} in\n{yaml}");
    }
    // Imported again: nothing changes.
    let out = tariffs(repo.path())
        .arg("import")
        .arg(fixture("nomensoft/nomensoft-302805-fees.xml"))
        .output()
        .unwrap();
    let text = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("already imported"), "{text}");
}

#[test]
fn other_values_for_the_same_codes_and_date_need_replace() {
    let repo = tempfile::tempdir().unwrap();
    let real = fixture("nomensoft/nomensoft-302805-fees.xml");
    tariffs(repo.path())
        .arg("import")
        .arg(&real)
        .assert()
        .success();
    let other = repo.path().join("302805-other.xml");
    let text = std::fs::read_to_string(&real).unwrap();
    std::fs::write(&other, text.replace("158.700000", "160.000000")).unwrap();
    let out = tariffs(repo.path())
        .arg("import")
        .arg(&other)
        .output()
        .unwrap();
    let said = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("import with --replace to replace it"),
        "{said}"
    );
    tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(&other)
        .assert()
        .success();
    let yaml = std::fs::read_to_string(repo.path().join("parsed/nomensoft/302805-2026-01-01.yaml"))
        .unwrap();
    assert!(yaml.contains("amount: '160.000000'"));
    let log = common::git(repo.path(), &["log", "--format=%s"]);
    assert!(
        log.starts_with("re-issue of nomensoft 302805-2026-01-01"),
        "{log}"
    );
}

#[test]
fn an_unknown_category_is_a_warning_naming_it() {
    let repo = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("nomensoft/nomensoft-302805-fees.xml")).unwrap();
    let odd = repo.path().join("odd.xml");
    std::fs::write(
        &odd,
        text.replace(">Honoraire<", ">Supplément<")
            .replace(">Honorarium<", ">Supplement<"),
    )
    .unwrap();
    let out = tariffs(repo.path())
        .args(["import", "--dry-run"])
        .arg(&odd)
        .output()
        .unwrap();
    let said = stderr_and_stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("warning[unknown-fee-category]: a fee category this tool does not know: `Supplément` / `Supplement`"),
        "{said}"
    );
}

#[test]
fn malformed_or_truncated_xml_exits_2_naming_the_file_and_line() {
    let repo = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("nomensoft/nomensoft-302805-fees.xml")).unwrap();
    let cut = repo.path().join("cut.xml");
    std::fs::write(&cut, &text[..text.find("<fee>").unwrap()]).unwrap();
    let broken = repo.path().join("broken.xml");
    std::fs::write(&broken, text.replace("</fee>", "</fees>")).unwrap();
    for (file, says) in [
        (
            &cut,
            "cut.xml: line 12: not a NomenSoft XML export: the file ends inside",
        ),
        (&broken, "broken.xml: line 12: not a NomenSoft XML export:"),
    ] {
        let out = tariffs(repo.path())
            .args(["import", "--dry-run"])
            .arg(file)
            .output()
            .unwrap();
        let said = stderr_and_stdout(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains(says), "{says:?} in {said}");
    }
}
