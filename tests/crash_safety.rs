//! Imports killed (SIGKILL) at random moments leave the repository either as
//! before or fully updated: `git fsck` clean, the snapshot exactly the old or
//! the new version, no stray files. The next import finishes or undoes the
//! interrupted one, and the repository is then consistent.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use inami_tariffs::pipeline;
use inami_tariffs::source::{self, ReadOptions};

/// The snapshot bytes a document imports to.
fn snapshot_of(path: &Path) -> Vec<u8> {
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    pipeline::process(doc).unwrap().snapshot.yaml.into_bytes()
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn assert_consistent_after_kill(repo: &Path, versions: &[Vec<u8>; 2], round: usize) {
    common::git(repo, &["fsck", "--strict", "--no-progress"]);
    let snapshot = std::fs::read(repo.join(common::SNAPSHOT)).unwrap();
    assert!(
        versions.contains(&snapshot),
        "round {round}: snapshot is neither old nor new"
    );
    let files = common::files_in(repo);
    assert_eq!(
        files,
        [
            common::SNAPSHOT,
            "sources/physiotherapy/2024-01-01-tariff.fr.txt"
        ],
        "round {round}: stray files"
    );
}

#[test]
fn imports_killed_at_random_moments_never_corrupt_the_repository() {
    let repo = common::imported_repo();
    let documents = [common::seed_table(), common::reissue()];
    let versions = [snapshot_of(&documents[0]), snapshot_of(&documents[1])];
    let started = Instant::now();
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(&documents[1])
        .assert()
        .success();
    let one_import = started.elapsed().as_micros() as u64;
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut interrupted = 0;
    for round in 0..40 {
        let document = &documents[round % 2];
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tariffs"))
            .args(["import", "--replace"])
            .arg(document)
            .current_dir(repo.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(one_import * 12 / 10)));
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
        assert_consistent_after_kill(repo.path(), &versions, round);
        // The next import finishes or undoes the interrupted one.
        common::tariffs(repo.path())
            .args(["import", "--replace"])
            .arg(document)
            .assert()
            .success();
        assert_eq!(
            common::git(repo.path(), &["status", "--porcelain"]),
            "",
            "round {round}"
        );
        let snapshot = std::fs::read(repo.path().join(common::SNAPSHOT)).unwrap();
        assert_eq!(snapshot, versions[round % 2], "round {round}");
        let committed = common::git(
            repo.path(),
            &["show", &format!("HEAD:{}", common::SNAPSHOT)],
        );
        assert_eq!(
            committed.as_bytes(),
            &snapshot[..],
            "round {round}: HEAD matches the work tree"
        );
    }
    assert!(
        interrupted >= 10,
        "only {interrupted} of 40 imports were killed mid-way"
    );
}
