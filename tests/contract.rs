//! The snapshot contract, as downstream code meets it: every snapshot loads
//! in PyYAML (a YAML 1.1 reader) to the values serde_yaml reads, serializes to
//! JSON, and validates with Python's `jsonschema` against `schema/`, also
//! when a field it does not know is added.
//!
//! Needs `python3` with `pyyaml` and `jsonschema` (`.ci/run` installs them).
//! Without them the test fails under CI (`CI` set) and is skipped with a
//! message elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const CHECK: &str = r#"
import json, sys, yaml, jsonschema
schema_dir, extra = sys.argv[1], sys.argv[2] == "extra"
out = []
for path in sys.argv[3:]:
    with open(path, encoding="utf-8") as f:
        snapshot = yaml.safe_load(f)
    if extra:
        snapshot["added_by_a_later_version"] = {"any": ["thing"]}
        snapshot[next(k for k in snapshot if isinstance(snapshot[k], list))][0]["also_new"] = 1
    kind = snapshot["schema"].split("/")[1]
    with open(f"{schema_dir}/{kind}.schema.json", encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.validate(snapshot, schema)
    out.append(json.loads(json.dumps(snapshot)))
print(json.dumps(out))
"#;

fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import yaml, jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 with pyyaml and jsonschema is required under CI (.ci/run installs them)"
        );
        eprintln!("SKIPPED: python3 with pyyaml and jsonschema is not installed");
    }
    ok
}

/// Runs the Python check; returns what PyYAML read, as JSON.
fn python_reads(schema_dir: &Path, files: &[PathBuf], extra: bool) -> serde_json::Value {
    let output = Command::new("python3")
        .arg("-c")
        .arg(CHECK)
        .arg(schema_dir)
        .arg(if extra { "extra" } else { "plain" })
        .args(files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What serde_yaml reads from the same files.
fn serde_yaml_reads(files: &[PathBuf]) -> serde_json::Value {
    serde_json::Value::Array(
        files
            .iter()
            .map(|f| serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap())
            .collect(),
    )
}

fn snapshots(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walk(&root.join("parsed"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn every_shipped_snapshot_loads_alike_in_pyyaml_and_validates() {
    if !python_ready() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = snapshots(root);
    assert!(files.len() >= 2, "{files:?}");
    let pyyaml = python_reads(&root.join("schema"), &files, false);
    assert_eq!(
        pyyaml,
        serde_yaml_reads(&files),
        "PyYAML (YAML 1.1) and serde_yaml read different values"
    );
    // A consumer pinned to version 1 keeps working when fields are added.
    python_reads(&root.join("schema"), &files, true);
}

#[test]
fn a_snapshot_with_a_retyped_value_would_be_caught() {
    if !python_ready() {
        return;
    }
    // The check above would fail on a plain date: PyYAML makes it a date,
    // which is neither JSON nor the schema's string.
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = snapshots(root).into_iter().next().unwrap();
    let text = std::fs::read_to_string(&shipped)
        .unwrap()
        .replace("effective_from: '2024-01-01'", "effective_from: 2024-01-01")
        .replace("effective_from: '2021-01-01'", "effective_from: 2021-01-01");
    let file = dir.path().join("plain-date.yaml");
    std::fs::write(&file, text).unwrap();
    let output = Command::new("python3")
        .arg("-c")
        .arg(CHECK)
        .arg(root.join("schema"))
        .arg("plain")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success(), "a plain date must not pass");
}

#[test]
fn a_fresh_data_repository_gets_its_schemas_and_its_snapshots_validate_against_them() {
    let repo = tempfile::tempdir().unwrap();
    for file in [
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sources/physiotherapy/2021-01-01-convention.fr.txt"),
        common::seed_table(),
        common::doctors_table(),
        common::fixture("nomensoft/nomensoft-302805-fees.xml"),
        common::fixture("nomensoft/gp-consultation-105755-2025.record.json"),
    ] {
        common::tariffs(repo.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    // The `$schema` header of each snapshot resolves inside the data repository.
    let files = snapshots(repo.path());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let header = text.lines().next().unwrap();
        let target = header.split("$schema=").nth(1).unwrap();
        assert!(file.parent().unwrap().join(target).is_file(), "{header}");
    }
    assert_eq!(
        common::git(
            repo.path(),
            &[
                "log",
                "--reverse",
                "--format=%s",
                "--name-only",
                "--",
                "schema"
            ]
        )
        .matches("schema/")
        .count(),
        4,
        "the first import commits the schema folder"
    );
    if !python_ready() {
        return;
    }
    let schema = repo.path().join("schema");
    assert_eq!(
        python_reads(&schema, &files, false),
        serde_yaml_reads(&files)
    );
    python_reads(&schema, &files, true);
}
