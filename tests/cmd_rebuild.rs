//! End to end: `tariffs rebuild [--check]`, the main job on shipped data.

mod common;

use predicates::str::contains;

#[test]
fn shipped_data_rebuilds_unchanged() {
    common::tariffs(&common::root())
        .args(["rebuild", "--check"])
        .assert()
        .success()
        .stdout(contains(
            "parsed/physiotherapy/2024-01-01-tariff.yaml: unchanged (197 rows)",
        ));
}

#[test]
fn a_stale_snapshot_is_reported_with_a_diff_then_rebuilt() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success();
    let snapshot = repo
        .path()
        .join("parsed/physiotherapy/2024-01-01-tariff.yaml");
    let text = std::fs::read_to_string(&snapshot).unwrap();
    std::fs::write(
        &snapshot,
        text.replacen("source_line: 26", "source_line: 27", 1),
    )
    .unwrap();
    common::tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .code(1)
        .stdout(contains("differs from a rebuild"))
        .stdout(contains("-  source_line: 27\n+  source_line: 26"));
    common::tariffs(repo.path())
        .arg("rebuild")
        .assert()
        .success()
        .stdout(contains("rewritten"));
    assert_eq!(std::fs::read_to_string(&snapshot).unwrap(), text);
}

#[test]
fn a_snapshot_without_source_is_reported() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success();
    let orphan = repo
        .path()
        .join("parsed/physiotherapy/2023-01-01-tariff.yaml");
    std::fs::write(orphan, "x: 1\n").unwrap();
    common::tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .code(1)
        .stdout(contains("2023-01-01-tariff.yaml: no source under sources/"));
}
