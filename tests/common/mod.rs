//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod pdf;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (where `sources/` and `parsed/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file under `tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    root().join("tests/fixtures").join(relative)
}

/// The 2024 tariff table shipped in `sources/`.
pub fn seed_table() -> PathBuf {
    root().join("sources/physiotherapy/2024-01-01-tariff.fr.txt")
}

/// The tariff table a document parses to; no error finding allowed.
pub fn table(path: &Path) -> inami_tariffs::model::TariffTable {
    use inami_tariffs::parse::ParsedDocument;
    use inami_tariffs::pipeline::{self, Checked};
    use inami_tariffs::source::{self, ReadOptions};
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    let Checked {
        parsed, findings, ..
    } = pipeline::parse_and_validate(&doc).unwrap();
    assert!(
        findings.iter().all(|f| !f.is_error()),
        "{}: {findings:#?}",
        path.display()
    );
    let ParsedDocument::Tariff(t) = parsed else {
        panic!("a tariff table")
    };
    t.table
}

/// A row without its position in the source.
pub fn data(row: &inami_tariffs::model::TariffRow) -> inami_tariffs::model::TariffRow {
    inami_tariffs::model::TariffRow {
        source_line: 0,
        source_page: None,
        ..row.clone()
    }
}

/// The `tariffs` binary, run in `dir`.
pub fn tariffs(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tariffs").expect("the binary is built");
    cmd.current_dir(dir);
    cmd
}

/// Every file under `dir` but `.git/`, relative, sorted (to check what was written).
/// The data files of a folder: `.git` and the `schema/` every import
/// writes are left out (tests of the schema folder look at it directly).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            // `.tariffs.lock` holds the lock of a folder without git.
            if path
                .file_name()
                .is_some_and(|n| n == ".git" || n == ".tariffs.lock")
                || path == dir.join("schema")
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Runs plain `git` in `dir` and returns its standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The re-issued 2024 table: 560011 revalued, 560092 removed, 567394 added.
pub fn reissue() -> PathBuf {
    fixture("tariff/tarifs-kine-2024-01-01-reissue.fr.txt")
}

/// The small doctors' table: fees of two and three key letters (105755 =
/// N 8 + Q 30) and rows of the key letter K.
pub fn doctors_table() -> PathBuf {
    fixture("tariff/tarifs-medecins-2025-01-01.fr.txt")
}

/// A new data repository with `document` imported and committed.
pub fn repo_with(document: &Path) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    tariffs(repo.path())
        .arg("import")
        .arg(document)
        .assert()
        .success();
    repo
}

/// A data repository with the doctors' table imported and committed.
pub fn doctors_repo() -> tempfile::TempDir {
    repo_with(&doctors_table())
}

/// A data repository with the 2024 table imported and committed.
pub fn imported_repo() -> tempfile::TempDir {
    repo_with(&seed_table())
}

/// A data repository with the 2024 table, then its re-issue, committed.
pub fn reissued_repo() -> tempfile::TempDir {
    let repo = imported_repo();
    tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .assert()
        .success();
    repo
}

/// Runs a command that prints JSON: its exit code and the parsed output.
pub fn json_of(cmd: &mut Command) -> (Option<i32>, serde_json::Value) {
    let output = cmd.output().expect("the command runs");
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), value)
}

pub const SNAPSHOT: &str = "parsed/physiotherapy/2024-01-01-tariff.yaml";
