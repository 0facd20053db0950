//! `tariffs export`: the state at a date as CSV, JSON, JSON lines and SQLite.

mod common;

use std::process::Command as Std;

fn convention_and_2024() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for file in [
        common::root().join("sources/physiotherapy/2021-01-01-convention.fr.txt"),
        common::seed_table(),
    ] {
        common::tariffs(repo.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    repo
}

/// `export --format sqlite` of the repository, opened.
fn sqlite_export(repo: &std::path::Path) -> rusqlite::Connection {
    let db = repo.join("out.sqlite");
    common::tariffs(repo)
        .args(["export", "--format", "sqlite", "-o"])
        .arg(&db)
        .assert()
        .code(0);
    rusqlite::Connection::open(&db).unwrap()
}

fn head(repo: &std::path::Path) -> String {
    let out = Std::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn csv_has_a_record_per_code_with_values_and_origins() {
    let repo = convention_and_2024();
    let out = common::tariffs(repo.path())
        .args(["export", "--date", "2024-01-01", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let header = csv.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 209, "one record per code, AMB and HOS alike");
    let r = records
        .iter()
        .find(|r| &r[col("code")] == "560011")
        .unwrap();
    assert_eq!(&r[col("fee")], "25.60");
    assert_eq!(
        &r[col("fee_source")],
        "sources/physiotherapy/2024-01-01-tariff.fr.txt"
    );
    assert_eq!(&r[col("fee_line")], "26");
    assert_eq!(&r[col("fee_commit")], head(repo.path()));
    assert_eq!(&r[col("personal_share_preferential")], "2.50");
    assert_eq!(&r[col("personal_share_standard")], "6.25");
    // The HOS code of a two-code row is a record of its own.
    let hos = records
        .iter()
        .find(|r| &r[col("code")] == "560545")
        .unwrap();
    assert_eq!(&hos[col("ambulatory_code")], "560534");
}

#[test]
fn json_and_jsonl_give_the_same_records() {
    let repo = convention_and_2024();
    let json = common::tariffs(repo.path())
        .args(["export", "--format", "json", "--date", "2021-07-01"])
        .output()
        .unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let jsonl = common::tariffs(repo.path())
        .args(["export", "--format", "jsonl", "--date", "2021-07-01"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(all, lines);
    let r = all.iter().find(|r| r["code"] == "560416").unwrap();
    assert_eq!(r["key_value"], "0.921875");
    assert_eq!(
        r["origins"]["key_value"]["line"], 283,
        "the list item that set it"
    );
    assert_eq!(
        r["origins"]["fee"]["line"], 200,
        "the sentence that stated it"
    );
}

#[test]
fn all_dates_and_sqlite_hold_every_dated_state() {
    let repo = convention_and_2024();
    let conn = sqlite_export(repo.path());
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM codes"), 209);
    assert_eq!(count("SELECT count(DISTINCT date) FROM history"), 3);
    assert_eq!(count("SELECT count(*) FROM snapshots"), 2);
    let fee: String = conn
        .query_row(
            "SELECT fee FROM history WHERE code = '560416' AND date = '2021-07-01'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fee, "14.75");
    let all = common::tariffs(repo.path())
        .args(["export", "--all-dates", "--format", "jsonl"])
        .output()
        .unwrap();
    let n = String::from_utf8(all.stdout).unwrap().lines().count() as i64;
    assert_eq!(n, count("SELECT count(*) FROM history"));
    if Std::new("sqlite3").arg("-version").output().is_ok() {
        let out = Std::new("sqlite3")
            .arg(repo.path().join("out.sqlite"))
            .arg("SELECT count(*) FROM codes;")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "209");
    }
}

#[test]
fn sqlite_needs_an_output_file() {
    let repo = convention_and_2024();
    common::tariffs(repo.path())
        .args(["export", "--format", "sqlite"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("-o FILE"));
}

#[test]
fn a_fee_of_several_key_letters_exports_its_terms_in_columns_added_last() {
    let repo = common::doctors_repo();
    let out = common::tariffs(repo.path())
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let header = csv.headers().unwrap().clone();
    let last: Vec<&str> = header.iter().skip(header.len() - 5).collect();
    assert_eq!(
        last,
        [
            "key_terms",
            "key_terms_source",
            "key_terms_line",
            "key_terms_page",
            "key_terms_commit"
        ],
        "added after every older column"
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let record = |code: &str| records.iter().find(|r| &r[col("code")] == code).unwrap();
    let gp = record("105755");
    assert_eq!(&gp[col("key_terms")], "N 8 × 3.372107 + Q 30 × 0.195645");
    assert_eq!(&gp[col("key_terms_line")], "13");
    assert_eq!(&gp[col("fee")], "32.85");
    assert_eq!(
        &record("102012")[col("key_terms")],
        "I 2 × 2.004150 + N 8 × 3.372107 + Q 30 × 0.195645"
    );
    assert_eq!(&record("471026")[col("key_terms")], "", "one key letter");
    let json = common::tariffs(repo.path())
        .args(["export", "--format", "json"])
        .output()
        .unwrap();
    let all: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let gp = all.iter().find(|r| r["code"] == "105755").unwrap();
    assert_eq!(gp["key_terms"][1]["key_letter"], "Q");
    assert_eq!(gp["key_terms"][1]["coefficient"], "30");
    assert_eq!(gp["origins"]["key_terms"]["line"], 13);
    let k = all.iter().find(|r| r["code"] == "471030").unwrap();
    assert_eq!(k.get("key_terms"), None);
    let conn = sqlite_export(repo.path());
    let terms: String = conn
        .query_row(
            "SELECT key_terms FROM codes WHERE code = '101076'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(terms, "N 10 × 3.372107 + Q 30 × 0.195645");
}
