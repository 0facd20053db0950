//! Hostile repositories: a forged recovery journal, symlinked data folders,
//! git's own locks, a forged author, two imports without git, a failure
//! after the commit point, a full disk at the branch update and leftovers
//! of killed imports. Nothing outside the repository is ever touched, no
//! lock `tariffs` did not take is removed, and a failure is either "nothing
//! changed" (exit 2, saying why: never a moved branch that did not move) or
//! "committed, work tree behind" (exit 3).

mod common;

use std::path::Path;

use common::{git, imported_repo, reissue, tariffs};

fn head(repo: &Path) -> String {
    git(repo, &["rev-parse", "HEAD"]).trim().to_string()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Leaves a journal in `.git/tariffs-import/` that names `commit` (HEAD, so
/// recovery acts on it) and the given paths and branch.
fn forge_journal(repo: &Path, branch: &str, writes: &[&str], removes: &[&str]) {
    let work = repo.join(".git/tariffs-import");
    std::fs::create_dir_all(&work).unwrap();
    let journal = serde_json::json!({
        "commit": head(repo),
        "branch": branch,
        "writes": writes,
        "removes": removes,
    });
    std::fs::write(work.join("journal.json"), journal.to_string()).unwrap();
}

/// Commits `parsed/` as it is in the work tree.
fn commit_parsed(repo: &Path, message: &str) {
    git(repo, &["add", "parsed"]);
    let identity = ["-c", "user.name=a", "-c", "user.email=a@b"];
    git(repo, &[&identity[..], &["commit", "-qm", message]].concat());
}

/// `tariffs import` of the seed table in `repo`.
fn import_seed(repo: &Path) -> std::process::Output {
    tariffs(repo)
        .arg("import")
        .arg(common::seed_table())
        .output()
        .unwrap()
}

fn current_branch(repo: &Path) -> String {
    git(repo, &["symbolic-ref", "HEAD"]).trim().to_string()
}

#[test]
fn a_journal_naming_a_file_outside_the_repository_deletes_nothing() {
    let outer = tempfile::tempdir().unwrap();
    let repo_dir = outer.path().join("repo");
    std::fs::create_dir(&repo_dir).unwrap();
    let repo = imported_repo();
    // The repository inside `outer`, so `../victim.txt` names a real file.
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", repo.path().display()))
        .arg(&repo_dir)
        .status()
        .unwrap();
    assert!(status.success());
    let victim = outer.path().join("victim.txt");
    std::fs::write(&victim, "not yours").unwrap();
    let branch = current_branch(&repo_dir);
    forge_journal(&repo_dir, &branch, &[], &["../victim.txt"]);

    let out = tariffs(&repo_dir)
        .arg("import")
        .arg(reissue())
        .arg("--replace")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("the journal of an interrupted import is not trustworthy"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not yours");
}

#[test]
fn a_journal_naming_a_branch_outside_refs_heads_deletes_nothing() {
    let repo = imported_repo();
    forge_journal(repo.path(), "../../victim2", &[], &[]);
    let out = tariffs(repo.path())
        .arg("import")
        .arg(reissue())
        .arg("--replace")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("is not a local branch"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_symlinked_parsed_folder_is_refused_and_nothing_is_written_through_it() {
    let repo = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    std::os::unix::fs::symlink(outside.path(), repo.path().join("parsed")).unwrap();
    commit_parsed(repo.path(), "link");
    let before = head(repo.path());
    let out = import_seed(repo.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("is a symlink; tariffs never writes through one"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(head(repo.path()), before, "no commit");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);

    // Without git too.
    let plain = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), plain.path().join("sources")).unwrap();
    let out = tariffs(plain.path())
        .args(["import", "--no-commit"])
        .arg(common::seed_table())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert!(
        !plain.path().join("parsed").exists(),
        "nothing half-written"
    );
}

#[test]
fn git_index_lock_held_by_another_command_is_left_alone() {
    let repo = imported_repo();
    let lock = repo.path().join(".git/index.lock");
    std::fs::write(&lock, "held by git").unwrap();
    let before = head(repo.path());
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("index.lock exists"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "held by git");
    assert_eq!(head(repo.path()), before, "no commit");
}

#[test]
fn a_target_folder_that_cannot_be_made_stops_the_import_before_the_commit() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    // `parsed/physiotherapy` is a file: the snapshot's folder cannot be made.
    std::fs::create_dir(repo.path().join("parsed")).unwrap();
    std::fs::write(repo.path().join("parsed/physiotherapy"), "a file").unwrap();
    commit_parsed(repo.path(), "file");
    let before = head(repo.path());
    let out = import_seed(repo.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(head(repo.path()), before, "the branch did not move");
    assert!(!repo.path().join("sources").exists(), "nothing written");
}

#[test]
fn a_failure_after_the_commit_point_is_exit_3_and_the_next_import_finishes() {
    let repo = imported_repo();
    let before = head(repo.path());
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .env("TARIFFS_TEST_FAIL_AFTER_COMMIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let after = head(repo.path());
    assert_ne!(after, before, "the commit was made");
    assert!(
        stderr_of(&out).contains(&format!(
            "committed {after}, but the work tree was not updated"
        )),
        "{}",
        stderr_of(&out)
    );
    // The next import (the same document, already imported) finishes the job.
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(head(repo.path()), after);
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
    git(repo.path(), &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn an_author_with_a_newline_is_refused() {
    let repo = imported_repo();
    let before = head(repo.path());
    for author in [
        "Eve <eve@x>\ncommitter Mallory <m@x> 0 +0000",
        "Eve\u{1b}[31m <eve@x>",
        "Eve <eve@x> <other@x>",
    ] {
        let out = tariffs(repo.path())
            .args(["import", "--replace", "--author", author])
            .arg(reissue())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{author:?}: {}",
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).contains("expected `Name <email>`"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(head(repo.path()), before);
    git(repo.path(), &["fsck", "--strict", "--no-progress"]);
}

#[test]
fn an_import_without_git_takes_the_lock_too() {
    let dir = tempfile::tempdir().unwrap();
    let lock_path = dir.path().join(".tariffs.lock");
    let held = std::fs::File::create(&lock_path).unwrap();
    held.lock().unwrap();
    let out = tariffs(dir.path())
        .args(["import", "--no-commit"])
        .arg(common::seed_table())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("another `tariffs import` is running"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("parsed").exists());
    drop(held);
    tariffs(dir.path())
        .args(["import", "--no-commit"])
        .arg(common::seed_table())
        .assert()
        .success();
}

/// An import that follows an interrupted one is placed against the work
/// tree as the interrupted one finished it: here the re-issue drops the
/// Dutch source that the interrupted import had added.
#[test]
fn an_import_after_an_interrupted_one_is_placed_against_its_finished_work_tree() {
    let repo = imported_repo();
    let dutch = common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt");
    let out = tariffs(repo.path())
        .arg("import")
        .arg(&dutch)
        .env("TARIFFS_TEST_FAIL_AFTER_COMMIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("dropped the source(s)"), "{said}");
    assert!(!repo
        .path()
        .join("sources/physiotherapy/2024-01-01-tariff.nl.txt")
        .exists());
    tariffs(repo.path()).arg("validate").assert().success();
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
}

/// A pack that libgit2 was writing when an import was killed is removed by
/// a later import once it is an hour old; a fresh one is left alone (it may
/// be another program's, being written).
#[test]
fn stale_pack_temporaries_of_a_killed_import_are_removed() {
    let repo = imported_repo();
    let pack_dir = repo.path().join(".git/objects/pack");
    std::fs::create_dir_all(&pack_dir).unwrap();
    let stale = pack_dir.join("pack_git2_a1b2c3");
    let fresh = pack_dir.join("pack_git2_d4e5f6");
    std::fs::write(&stale, b"PACK half written").unwrap();
    std::fs::write(&fresh, b"PACK being written").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .assert()
        .success();
    assert!(!stale.exists(), "the stale temporary pack is gone");
    assert!(fresh.exists(), "a recent one is left alone");
}

/// A write probe left in a data folder by an import killed between making
/// and removing it (or whose removal failed) is removed by the next import,
/// which would otherwise refuse to run over "uncommitted changes".
#[test]
fn a_write_probe_left_by_a_killed_import_is_removed_by_the_next() {
    let repo = imported_repo();
    // A process id that cannot be running: above the kernel's maximum.
    let probes = [
        "parsed/physiotherapy/.tariffs-probe-4194305",
        "sources/physiotherapy/.tariffs-probe-4194306",
        "schema/.tariffs-probe-4194307",
    ];
    for probe in probes {
        std::fs::write(repo.path().join(probe), b"").unwrap();
    }
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    for probe in probes {
        assert!(!repo.path().join(probe).exists(), "{probe} is gone");
    }
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
}

/// A branch update that fails for want of disk space (its reflog written to
/// `/dev/full`) is reported as what it is, never as "the branch moved while
/// importing"; nothing lands, and the next import, with room, succeeds.
#[cfg(unix)]
#[test]
fn a_full_disk_at_the_branch_update_is_not_called_a_moved_branch() {
    let repo = imported_repo();
    let before = head(repo.path());
    let branch = current_branch(repo.path());
    let reflog = repo.path().join(".git/logs").join(&branch);
    let kept = std::fs::read(&reflog).unwrap();
    std::fs::remove_file(&reflog).unwrap();
    std::os::unix::fs::symlink("/dev/full", &reflog).unwrap();
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("moved"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "could not move the branch {branch} to the new commit"
        )) && stderr.contains("No space left on device")
            && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(head(repo.path()), before, "the branch did not move");
    assert_eq!(git(repo.path(), &["status", "--porcelain"]), "");
    std::fs::remove_file(&reflog).unwrap();
    std::fs::write(&reflog, kept).unwrap();
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_ne!(head(repo.path()), before);
}

/// A branch locked by another git command (its `.lock` file) is said to be
/// locked, not to have moved; the lock is left alone.
#[test]
fn a_locked_branch_is_not_called_a_moved_branch() {
    let repo = imported_repo();
    let before = head(repo.path());
    let branch = current_branch(repo.path());
    let lock = repo.path().join(".git").join(format!("{branch}.lock"));
    std::fs::write(&lock, "held by git").unwrap();
    let out = tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(reissue())
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("moved"), "{stderr}");
    assert!(
        stderr.contains(&format!("{} exists", lock.display()))
            && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(head(repo.path()), before);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "held by git");
}
