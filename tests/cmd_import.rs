//! End to end: `tariffs import` on temporary data repositories.

mod common;

use predicates::str::contains;

#[test]
fn import_writes_the_source_and_the_canonical_snapshot() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success()
        .stdout(contains("physiotherapy tariff 2024-01-01, 197 rows"))
        .stdout(contains(
            "wrote sources/physiotherapy/2024-01-01-tariff.fr.txt",
        ));
    assert_eq!(
        common::files_in(repo.path()),
        [
            "parsed/physiotherapy/2024-01-01-tariff.yaml",
            "sources/physiotherapy/2024-01-01-tariff.fr.txt"
        ]
    );
    let written = std::fs::read(
        repo.path()
            .join("parsed/physiotherapy/2024-01-01-tariff.yaml"),
    );
    let shipped = std::fs::read(common::root().join("parsed/physiotherapy/2024-01-01-tariff.yaml"));
    assert_eq!(
        written.unwrap(),
        shipped.unwrap(),
        "same bytes as the shipped snapshot"
    );
    let source = std::fs::read(
        repo.path()
            .join("sources/physiotherapy/2024-01-01-tariff.fr.txt"),
    );
    assert_eq!(
        source.unwrap(),
        std::fs::read(common::seed_table()).unwrap()
    );
}

#[test]
fn importing_the_same_document_again_changes_nothing() {
    let repo = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        common::tariffs(repo.path())
            .arg("import")
            .arg(common::seed_table())
            .assert()
            .success();
    }
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success()
        .stdout(contains("already imported: nothing changed"));
}

#[test]
fn dry_run_and_json_report() {
    let repo = tempfile::tempdir().unwrap();
    let output = common::tariffs(repo.path())
        .args(["import", "--dry-run", "--format", "json"])
        .arg(common::fixture("invalid/four-faults.fr.txt"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], 4);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["written"], serde_json::json!([]));
    let findings = report["documents"][0]["findings"].as_array().unwrap();
    let first = &findings[0];
    assert_eq!(first["rule"], "fee-mismatch");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 26);
    assert_eq!(first["column"], 31);
    assert_eq!(first["expected"], "25,60");
    assert_eq!(first["found"], "25,61");
    assert_eq!(first["code"], "560011");
    assert!(common::files_in(repo.path()).is_empty());
}

#[test]
fn one_bad_file_blocks_the_whole_import() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"))
        .arg(common::fixture("invalid/duplicate-code.fr.txt"))
        .assert()
        .code(1)
        .stdout(contains("error[duplicate-code]"))
        .stdout(contains("nothing was written"));
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("invalid/duplicate-code.fr.txt"))
        .assert()
        .code(1)
        .stdout(contains("nothing was written"));
    assert!(common::files_in(repo.path()).is_empty());
}

#[test]
fn documents_that_cannot_be_read_exit_2_naming_the_file() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("notes.txt"), "Hello\nworld\n").unwrap();
    std::fs::write(repo.path().join("latin1.txt"), b"Tarifs \xe9\n").unwrap();
    for (file, message) in [
        (
            "notes.txt",
            "notes.txt: not a known INAMI document: no title",
        ),
        ("latin1.txt", "latin1.txt: not UTF-8 text"),
        ("missing.txt", "missing.txt: No such file"),
    ] {
        common::tariffs(repo.path())
            .args(["import", file])
            .assert()
            .code(2)
            .stderr(contains(message));
    }
    common::tariffs(repo.path()).arg("import").assert().code(2);
}

#[test]
fn help_teaches_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    common::tariffs(tmp.path())
        .args(["import", "--help"])
        .assert()
        .success()
        .stdout(contains("--dry-run"))
        .stdout(contains("Example: tariffs import"));
}

/// A folder of documents in one command: every `.pdf` and `.txt` under it,
/// one commit per document in effective-date order.
fn batch_folder(with_fault: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("tables");
    std::fs::create_dir_all(&nested).unwrap();
    let copy = |from: std::path::PathBuf, to: &std::path::Path| {
        std::fs::copy(from, to).unwrap();
    };
    copy(
        common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf"),
        &nested.join("tarifs.fr.pdf"),
    );
    copy(
        common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"),
        &nested.join("tarieven.nl.txt"),
    );
    copy(
        common::fixture("pdf/convention-kine-2021.fr.writer.pdf"),
        &dir.path().join("convention.pdf"),
    );
    std::fs::write(dir.path().join("README.md"), "not a document").unwrap();
    if with_fault {
        copy(
            common::fixture("invalid/four-faults.fr.txt"),
            &nested.join("faulty.fr.txt"),
        );
    }
    dir
}

#[test]
fn a_folder_imports_in_one_command_convention_first() {
    let folder = batch_folder(false);
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(folder.path())
        .assert()
        .success()
        .stderr(contains("skipped"))
        .stderr(contains("README.md"));
    let log = common::git(repo.path(), &["log", "--reverse", "--format=%s"]);
    let subjects: Vec<&str> = log.lines().collect();
    assert_eq!(subjects.len(), 2, "one commit per document: {subjects:?}");
    assert!(
        subjects[0].starts_with("physiotherapy convention 2021-01-01"),
        "{subjects:?}"
    );
    assert!(
        subjects[1].starts_with("physiotherapy tariff 2024-01-01: 197 rows (fr + nl)"),
        "{subjects:?}"
    );
    assert_eq!(
        common::files_in(repo.path()),
        [
            "parsed/physiotherapy/2021-01-01-convention.yaml",
            "parsed/physiotherapy/2024-01-01-tariff.yaml",
            "sources/physiotherapy/2021-01-01-convention.fr.pdf",
            "sources/physiotherapy/2024-01-01-tariff.fr.pdf",
            "sources/physiotherapy/2024-01-01-tariff.nl.txt",
        ]
    );
    // The table's message is made against the convention committed just
    // before it in the same import.
    let body = common::git(repo.path(), &["log", "-1", "--format=%B"]);
    assert!(
        body.contains(
            "Against the state at 2024-01-01 (parsed/physiotherapy/2021-01-01-convention.yaml)"
        ),
        "{body}"
    );
    // The objects of both commits landed as one pack, which git accepts.
    common::git(repo.path(), &["fsck", "--strict", "--no-progress"]);
    let counts = common::git(repo.path(), &["count-objects", "-v"]);
    let has = |line: &str| counts.lines().any(|l| l == line);
    assert!(has("count: 0"), "no loose objects: {counts}");
    assert!(has("packs: 1"), "one pack: {counts}");
    assert_eq!(common::git(repo.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_folder_interrupted_after_its_commit_point_is_finished_by_the_next_import() {
    let folder = batch_folder(false);
    let repo = tempfile::tempdir().unwrap();
    let out = common::tariffs(repo.path())
        .arg("import")
        .arg(folder.path())
        .env("TARIFFS_TEST_FAIL_AFTER_COMMIT", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("but the work tree was not updated"),
        "{stderr}"
    );
    // Both commits are on the branch; the work tree does not show them yet.
    let log = common::git(repo.path(), &["log", "--format=%s"]);
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(common::files_in(repo.path()).is_empty());
    // The next import finds the journal, finishes the work tree, then has
    // nothing new to write.
    common::tariffs(repo.path())
        .arg("import")
        .arg(folder.path())
        .assert()
        .success();
    assert_eq!(common::git(repo.path(), &["log", "--format=%s"]), log);
    assert_eq!(common::files_in(repo.path()).len(), 5);
    assert_eq!(common::git(repo.path(), &["status", "--porcelain"]), "");
    common::git(repo.path(), &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn a_faulty_document_in_the_folder_blocks_everything() {
    let folder = batch_folder(true);
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(folder.path())
        .assert()
        .code(1)
        .stdout(contains("faulty.fr.txt:26:31"))
        .stdout(contains("nothing was written"));
    assert!(common::files_in(repo.path()).is_empty());
}

/// A document that cannot be read stops the batch: no document is started
/// after it, and the error names it.
#[test]
fn the_first_unreadable_document_stops_the_batch() {
    use inami_tariffs::{batch, source::ReadOptions, validate::convention::Tables};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let folder = tempfile::tempdir().unwrap();
    let bad = folder.path().join("a-bad.fr.txt");
    std::fs::write(&bad, [0xff, 0xfe, 0x00]).unwrap();
    let mut files = vec![bad.clone()];
    for i in 0..40 {
        let copy = folder.path().join(format!("table-{i:02}.fr.txt"));
        std::fs::copy(common::seed_table(), &copy).unwrap();
        files.push(copy);
    }
    let done = AtomicUsize::new(0);
    let counted = |_: &std::path::Path| {
        done.fetch_add(1, Ordering::Relaxed);
    };
    let tables = Tables::from_tables(std::iter::empty());
    let Err(error) = batch::process(&files, &ReadOptions::default(), &tables, &counted) else {
        panic!("the batch should fail");
    };
    assert!(error.to_string().contains("a-bad.fr.txt"), "{error}");
    let done = done.into_inner();
    assert!(
        done < files.len(),
        "{done} of {} documents were read",
        files.len()
    );
}

/// A folder whose documents are reached through symlinks (to a file, to a
/// folder), beside a FIFO, a dangling link, symlink loops, a non-document
/// and a hidden file: the links are followed, every entry not imported is
/// named on standard error with its reason (the hidden file excepted, as
/// documented), and in `skipped` of the JSON report; a document reached
/// twice is imported once, and the import exits 0.
#[cfg(unix)]
#[test]
fn a_folder_follows_symlinks_and_names_everything_it_skips() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let dutch = outside.path().join("nl");
    std::fs::create_dir(&dutch).unwrap();
    std::fs::copy(common::seed_table(), outside.path().join("tarifs.fr.txt")).unwrap();
    std::fs::copy(
        common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"),
        dutch.join("tarieven.nl.txt"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    let at = |name: &str| folder.join(name);
    symlink(outside.path().join("tarifs.fr.txt"), at("table.fr.txt")).unwrap();
    symlink(at("table.fr.txt"), at("again.fr.txt")).unwrap();
    symlink(&dutch, at("dutch")).unwrap();
    symlink(at("nowhere.txt"), at("gone.txt")).unwrap();
    symlink(&folder, at("loop")).unwrap();
    symlink(at("self.txt"), at("self.txt")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(at("pipe.txt"))
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(at("README.md"), "not a document").unwrap();
    std::fs::write(at(".hidden.txt"), "passed over in silence").unwrap();

    let repo = tempfile::tempdir().unwrap();
    let out = common::tariffs(repo.path())
        .arg("import")
        .arg(&folder)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let shown = |p: &str| at(p).display().to_string();
    for line in [
        format!("skipped: {}: a FIFO, not a regular file", shown("pipe.txt")),
        format!(
            "skipped: {}: a symlink whose target does not exist",
            shown("gone.txt")
        ),
        format!(
            "skipped: {}: symlink loop (leads back to {})",
            shown("loop"),
            folder.display()
        ),
        format!("skipped: {}: symlink loop", shown("self.txt")),
        format!(
            "skipped: {}: not a .pdf or .txt document, nor an .xml NomenSoft export",
            shown("README.md")
        ),
        format!(
            "skipped: {}: the same file as {}, imported once",
            shown("table.fr.txt"),
            shown("again.fr.txt")
        ),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}\nin\n{stderr}");
    }
    assert!(!stderr.contains(".hidden.txt"), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("skipped: "))
            .count(),
        6,
        "{stderr}"
    );
    let log = common::git(repo.path(), &["log", "--format=%s"]);
    assert_eq!(log, "physiotherapy tariff 2024-01-01: 197 rows (fr + nl)\n");

    let (code, json) = common::json_of(
        common::tariffs(repo.path())
            .args(["import", "--dry-run", "--format", "json"])
            .arg(&folder),
    );
    assert_eq!(code, Some(0));
    let skipped = json["skipped"].as_array().expect("a list of skipped paths");
    assert_eq!(skipped.len(), 6, "{skipped:?}");
    assert!(skipped
        .iter()
        .any(|s| s["path"] == shown("pipe.txt") && s["reason"] == "a FIFO, not a regular file"));
}

/// The same folder reached by two links is searched once, and said so.
#[cfg(unix)]
#[test]
fn a_folder_reached_twice_is_searched_once() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(common::seed_table(), outside.path().join("tarifs.fr.txt")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    symlink(outside.path(), dir.path().join("a")).unwrap();
    symlink(outside.path(), dir.path().join("b")).unwrap();
    common::tariffs(dir.path())
        .args(["import", "--dry-run"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(contains(format!(
            "skipped: {}: the same folder as {}, searched once",
            dir.path().join("b").display(),
            dir.path().join("a").display()
        )));
}
