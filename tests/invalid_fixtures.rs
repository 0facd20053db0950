//! Invalid documents and the exact report they produce.
//!
//! Each `tests/fixtures/invalid/NAME.fr.txt` is the 2024 seed (or, for
//! `key-terms-*`, the doctors' table) with faults planted; `NAME.expected` beside it is the output of
//! `tariffs import --dry-run NAME.fr.txt` run in that folder. The exit code
//! must be 1 when the report holds an error, 0 when only warnings.
//! `BLESS=1 cargo test --test invalid_fixtures` rewrites the `.expected` files
//! (review the diff before committing).

mod common;

use std::path::Path;

fn run_fixture(path: &Path) {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let output = common::tariffs(dir)
        .args(["import", "--dry-run", "--repo"])
        .arg(repo.path())
        .arg(name)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let expected_path = path.with_extension("").with_extension("expected");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, &stdout).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", expected_path.display()));
    assert_eq!(
        stdout,
        expected,
        "{name}: report differs from {}",
        expected_path.display()
    );
    let code = if expected.contains("\nerror[") || expected.starts_with("error[") {
        1
    } else {
        0
    };
    assert_eq!(output.status.code(), Some(code), "{name}");
    assert!(
        common::files_in(repo.path()).is_empty(),
        "{name}: a dry run writes nothing"
    );
}

fn fixtures_in(folder: &str) -> Vec<std::path::PathBuf> {
    let mut fixtures: Vec<_> = std::fs::read_dir(common::fixture(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    fixtures.sort();
    fixtures
}

#[test]
fn every_invalid_fixture_gives_its_expected_report() {
    let fixtures = fixtures_in("invalid");
    assert!(fixtures.len() >= 7, "fixtures are there");
    for path in fixtures {
        run_fixture(&path);
    }
}

/// `tests/fixtures/convention/invalid/`: the 2021 convention with one
/// unreadable statement planted in each, and the report each gives. Every
/// one exits 1 with an error at the planted line, writes nothing, and still
/// reads the statements around it.
#[test]
fn every_invalid_convention_gives_its_expected_report() {
    let fixtures = fixtures_in("convention/invalid");
    assert!(fixtures.len() >= 10, "fixtures are there");
    for path in fixtures {
        run_fixture(&path);
        let expected =
            std::fs::read_to_string(path.with_extension("").with_extension("expected")).unwrap();
        assert!(expected.contains("error["), "{}: an error", path.display());
        assert!(
            expected.contains("statements read"),
            "{}: the summary counts",
            path.display()
        );
    }
}

#[test]
fn four_planted_faults_give_four_findings_on_their_lines_and_write_nothing() {
    let fixture = common::fixture("invalid/four-faults.fr.txt");
    let repo = tempfile::tempdir().unwrap();
    let output = common::tariffs(repo.path())
        .arg("import")
        .arg(&fixture)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let headers: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .collect();
    assert_eq!(headers.len(), 4, "{stdout}");
    for (rule, line) in [
        ("fee-mismatch", 26),
        ("check-digit", 32),
        ("intervention-exceeds-fee", 38),
        ("unparsed-row", 56),
    ] {
        let at = format!("four-faults.fr.txt:{line}:");
        assert!(
            stdout.contains(&format!("error[{rule}]")) && stdout.contains(&at),
            "{rule} at line {line}:\n{stdout}"
        );
    }
    assert!(stdout.contains("1,066667 × 24 = 25,60, document says 25,61"));
    assert!(common::files_in(repo.path()).is_empty(), "nothing written");
}
