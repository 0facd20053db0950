//! Helpers shared by the integration tests.
#![allow(dead_code)]

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

/// The `tariffs` binary, run in `dir`.
pub fn tariffs(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tariffs").expect("the binary is built");
    cmd.current_dir(dir);
    cmd
}

/// Every file under `dir`, relative, sorted (to check that nothing was written).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
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
