//! End to end: imports become git commits; re-issues, idempotence, safety.

mod common;

use predicates::prelude::*;
use predicates::str::contains;

#[test]
fn an_import_is_one_commit_with_trailers() {
    let repo = common::imported_repo();
    let log = common::git(repo.path(), &["log", "--format=%s"]);
    assert_eq!(log, "physiotherapy tariff 2024-01-01: 197 rows\n");
    let body = common::git(repo.path(), &["log", "-1", "--format=%B"]);
    for trailer in [
        "Effective-Date: 2024-01-01",
        "Document-Kind: tariff",
        "Source-File: sources/physiotherapy/2024-01-01-tariff.fr.txt",
        "Source-SHA256: 3f6d4220684f9815495f2913fe90b3ae2661aa6238195b2bdc0023bb92af971c",
    ] {
        assert!(body.contains(trailer), "{trailer} in\n{body}");
    }
    let trailers = common::git(
        repo.path(),
        &[
            "log",
            "-1",
            "--format=%(trailers:key=Effective-Date,valueonly)",
        ],
    );
    assert_eq!(
        trailers.trim(),
        "2024-01-01",
        "plain git reads the trailers"
    );
    assert_eq!(common::git(repo.path(), &["status", "--porcelain"]), "");
    common::git(repo.path(), &["fsck", "--strict"]);
}

#[test]
fn a_reissue_is_a_second_commit_and_the_diff_shows_exactly_its_three_changes() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .success()
        .stdout(contains("560011 fee: 25.60 → 25.70"));
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "2"
    );
    let output = common::tariffs(repo.path())
        .args([
            "diff",
            &format!("HEAD~1:{}", common::SNAPSHOT),
            common::SNAPSHOT,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "differences exit 1");
    let d: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes = |key: &str| -> Vec<String> {
        d[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes("added"), ["567394"]);
    assert_eq!(codes("removed"), ["560092"]);
    assert_eq!(codes("changed"), ["560011"]);
    let changes = &d["changed"][0]["changes"];
    assert_eq!(changes["fee"], serde_json::json!(["25.60", "25.70"]));
    assert_eq!(
        changes["key_value"],
        serde_json::json!(["1.066667", "1.070833"])
    );
    assert_eq!(
        changes["intervention_preferential"],
        serde_json::json!(["23.10", "23.20"])
    );
    assert_eq!(
        changes["intervention_standard"],
        serde_json::json!(["19.35", "19.45"])
    );
    assert_eq!(changes.as_object().unwrap().len(), 4);
    assert_eq!(d["unchanged"], 195);
    assert_eq!(
        d["changed"][0]["from"]["source"],
        "HEAD~1:sources/physiotherapy/2024-01-01-tariff.fr.txt"
    );
    assert_eq!(d["changed"][0]["from"]["source_line"], 26);

    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .success()
        .stdout(contains(
            "already imported: nothing changed, no commit made",
        ));
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "2"
    );
}

#[test]
fn history_keeps_both_versions_of_a_reissued_table() {
    let repo = common::reissued_repo();
    let (code, h) = common::json_of(
        common::tariffs(repo.path()).args(["history", "560011", "--format", "json"]),
    );
    assert_eq!(code, Some(0));
    let fees: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fee"].as_str().unwrap())
        .collect();
    assert_eq!(fees, ["25.60", "25.70"]);
    let head = common::git(repo.path(), &["rev-parse", "HEAD"]);
    assert_eq!(h[1]["commit"], head.trim());
    assert_eq!(h[1]["snapshot"], common::SNAPSHOT);
    assert_eq!(h[0]["effective_from"], "2024-01-01");
    common::tariffs(repo.path())
        .args(["history", "560092"])
        .assert()
        .success()
        .stdout(contains("0.927692"));
}

#[test]
fn log_lists_imports() {
    let repo = common::reissued_repo();
    let (_, log) = common::json_of(common::tariffs(repo.path()).args(["log", "--format", "json"]));
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["effective_date"][0], "2024-01-01");
    assert_eq!(log[0]["kind"][0], "tariff");
    assert_eq!(log[0]["rows"][0], "197");
    common::tariffs(repo.path())
        .arg("log")
        .assert()
        .success()
        .stdout(contains("tariff         197 rows"));
}

#[test]
fn uncommitted_changes_block_an_import_unless_no_commit() {
    let repo = common::imported_repo();
    let snapshot = repo.path().join(common::SNAPSHOT);
    let text = std::fs::read_to_string(&snapshot).unwrap();
    std::fs::write(&snapshot, text.replacen("fee: '25.60'", "fee: '99.99'", 1)).unwrap();
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .code(2)
        .stderr(contains(
            "uncommitted changes in parsed/physiotherapy/2024-01-01-tariff.yaml",
        ));
    common::tariffs(repo.path())
        .args(["import", "--no-commit", "--replace"])
        .arg(common::reissue())
        .assert()
        .success();
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "1"
    );
    assert!(std::fs::read_to_string(&snapshot)
        .unwrap()
        .contains("fee: '25.70'"));
}

#[test]
fn author_from_the_flag_and_a_bad_author_is_refused() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .args(["import", "--author", "Ann Auditor <ann@example.org>"])
        .arg(common::seed_table())
        .assert()
        .success();
    assert_eq!(
        common::git(repo.path(), &["log", "-1", "--format=%an <%ae>"]).trim(),
        "Ann Auditor <ann@example.org>"
    );
    common::tariffs(repo.path())
        .args(["import", "--replace", "--author", "nobody"])
        .arg(common::reissue())
        .assert()
        .code(2)
        .stderr(contains("expected `Name <email>`"));
}

#[test]
fn a_dutch_source_of_the_same_table_joins_the_french_one_without_changing_a_value() {
    let repo = common::imported_repo();
    let before = common::git(repo.path(), &["rev-parse", "HEAD"]);
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"))
        .assert()
        .success()
        .stdout(contains(
            "adds the nl source beside the fr one: 197 records agree",
        ));
    assert_eq!(
        common::files_in(repo.path()),
        [
            common::SNAPSHOT,
            "sources/physiotherapy/2024-01-01-tariff.fr.txt",
            "sources/physiotherapy/2024-01-01-tariff.nl.txt"
        ]
    );
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "2",
        "one commit adds the Dutch source"
    );
    assert!(common::git(repo.path(), &["log", "-1", "--format=%s"]).starts_with("add language to"));
    common::tariffs(repo.path())
        .arg("log")
        .assert()
        .success()
        .stdout(contains("language by"))
        .stdout(contains("0 value changes"))
        .stdout(contains("sources/physiotherapy/2024-01-01-tariff.nl.txt"));
    // Adding a language changes no value.
    common::tariffs(repo.path())
        .args([
            "diff",
            &format!("{}:{}", before.trim(), common::SNAPSHOT),
            common::SNAPSHOT,
        ])
        .assert()
        .code(0);
    common::tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .success();
    assert_eq!(common::git(repo.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_dutch_value_that_differs_is_refused_naming_both_files() {
    let repo = common::imported_repo();
    let text = std::fs::read_to_string(common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"))
        .unwrap()
        .replacen("25,60 23,10 19,35", "25,60 23,10 19,45", 1);
    let dutch = repo.path().join("tarieven.nl.txt");
    std::fs::write(&dutch, text).unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(&dutch)
        .assert()
        .code(1)
        .stdout(contains("error[language-mismatch]"))
        .stdout(contains(
            "sources/physiotherapy/2024-01-01-tariff.fr.txt:26",
        ))
        .stdout(contains("tarieven.nl.txt:26"))
        .stdout(contains("expected 19.35, found 19.45"))
        .stdout(contains("nothing was written"));
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "1"
    );
    assert_eq!(
        common::git(
            repo.path(),
            &["status", "--porcelain", "--", "sources", "parsed"]
        ),
        ""
    );
}

#[test]
fn a_reissue_without_replace_lists_its_changes_and_writes_nothing() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::reissue())
        .assert()
        .code(1)
        .stdout(contains("re-issue of parsed/physiotherapy/2024-01-01-tariff.yaml: 3 codes changed, added or removed"))
        .stdout(contains("560011 fee: 25.60 → 25.70"))
        .stdout(contains("567394 added"))
        .stdout(contains("560092 removed"))
        .stdout(contains("only with --replace"));
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "1"
    );
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .success();
    assert!(common::git(repo.path(), &["log", "-1", "--format=%s"]).starts_with("re-issue of"));
}

#[test]
fn a_pdf_of_an_imported_text_is_not_a_reissue_and_the_pdf_is_kept() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf"))
        .assert()
        .success()
        .stdout(contains("not a re-issue"));
    assert_eq!(
        common::files_in(repo.path()),
        [
            common::SNAPSHOT,
            "sources/physiotherapy/2024-01-01-tariff.fr.pdf"
        ]
    );
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success()
        .stdout(contains("the PDF in place is kept"));
    assert_eq!(
        common::git(repo.path(), &["rev-list", "--count", "HEAD"]).trim(),
        "2"
    );
}

/// `validate` and `rebuild --check` pass in `repo`.
fn consistent(repo: &std::path::Path) {
    common::tariffs(repo).arg("validate").assert().success();
    common::tariffs(repo)
        .args(["rebuild", "--check"])
        .assert()
        .success();
}

#[test]
fn a_pdf_replacing_a_text_with_another_language_writes_that_language_too() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf"))
        .arg(common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"))
        .assert()
        .success()
        .stdout(contains("the PDF replaces the text source"))
        .stdout(contains("adds the nl source"));
    assert_eq!(
        common::files_in(repo.path()),
        [
            common::SNAPSHOT,
            "sources/physiotherapy/2024-01-01-tariff.fr.pdf",
            "sources/physiotherapy/2024-01-01-tariff.nl.txt",
        ]
    );
    assert!(common::git(repo.path(), &["log", "-1", "--format=%s"]).contains("nl source added"));
    consistent(repo.path());
}

#[test]
fn a_pdf_in_the_snapshots_second_language_replaces_that_text() {
    let repo = common::repo_with(&common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt"));
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::seed_table())
        .assert()
        .success();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf"))
        .assert()
        .success()
        .stdout(contains("the PDF replaces the text source"));
    assert_eq!(
        common::files_in(repo.path()),
        [
            common::SNAPSHOT,
            "sources/physiotherapy/2024-01-01-tariff.fr.pdf",
            "sources/physiotherapy/2024-01-01-tariff.nl.txt",
        ]
    );
    consistent(repo.path());
}

#[test]
fn a_running_import_locks_the_repository() {
    let repo = common::imported_repo();
    let lock = std::fs::File::create(repo.path().join(".git/tariffs.lock")).unwrap();
    lock.lock().unwrap();
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .code(2)
        .stderr(contains("another `tariffs import` is running"));
    lock.unlock().unwrap();
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(common::reissue())
        .assert()
        .success();
}

/// The seed table with `from` replaced by `to` once, written beside `repo`'s data.
fn edited_seed(repo: &std::path::Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    assert!(text.contains(from), "{from}");
    let path = repo.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path
}

fn commits(repo: &std::path::Path) -> String {
    common::git(repo, &["rev-list", "--count", "HEAD"])
        .trim()
        .to_string()
}

/// A same-language re-issue that corrects only a heading or the `(*)`
/// note: they are part of the snapshot (and `diff` counts them), so it is
/// a re-issue like any other, refused without `--replace`, stored with it.
#[test]
fn a_reissue_that_corrects_only_a_heading_or_the_note_is_a_reissue() {
    let setting = "I. a) Prestations effectuées au cabinet du kinésithérapeute";
    let article = "Article 7, § 1, 1° : prestations effectuées aux bénéficiaires non visés";
    let note = "(*) se référer à l'article 4, § 1er de la convention nationale";
    for (from, to, change) in [
        (
            setting,
            "I. a) Prestations effectuées au cabinet du kinésithérapeute (corrigé)",
            "560011 setting: I. a) Prestations effectuées au cabinet du kinésithérapeute, situé en dehors d'un hôpital ou d'un service médical organisé → I. a) Prestations effectuées au cabinet du kinésithérapeute (corrigé), situé",
        ),
        (
            article,
            "Article 7, § 1, 1° : prestations effectuées aux bénéficiaires NON visés",
            "560011 article: Article 7, § 1, 1° : prestations effectuées aux bénéficiaires non visés par le 2°, 3°, 4°, 5°, 6°, 7° ou 8° → Article 7, § 1, 1° : prestations effectuées aux bénéficiaires NON visés",
        ),
        (
            note,
            "(*) se référer à l'article 4, § 1er de la convention nationale 2024-2025",
            "560055 fee_note: se référer à l'article 4, § 1er de la convention nationale → se référer à l'article 4, § 1er de la convention nationale 2024-2025",
        ),
    ] {
        let repo = common::imported_repo();
        let corrected = edited_seed(repo.path(), "corrected.fr.txt", from, to);
        common::tariffs(repo.path())
            .arg("import")
            .arg(&corrected)
            .assert()
            .code(1)
            .stdout(contains(
                "re-issue of parsed/physiotherapy/2024-01-01-tariff.yaml",
            ))
            .stdout(contains(change))
            .stdout(contains("only with --replace"))
            .stdout(contains("PDF").not());
        assert_eq!(commits(repo.path()), "1", "{to}: nothing stored");
        common::tariffs(repo.path())
            .args(["import", "--replace"])
            .arg(&corrected)
            .assert()
            .success()
            .stdout(contains(change));
        assert_eq!(commits(repo.path()), "2", "{to}: stored with --replace");
        let subject = common::git(repo.path(), &["log", "-1", "--format=%s"]);
        assert!(subject.starts_with("re-issue of"), "{subject}");
        let snapshot = std::fs::read_to_string(repo.path().join(common::SNAPSHOT)).unwrap();
        assert!(snapshot.contains(to.trim_start_matches("(*) ")), "{to}");
        // `diff` and the import agree on what changed.
        common::tariffs(repo.path())
            .args(["diff", &format!("HEAD~1:{}", common::SNAPSHOT), common::SNAPSHOT])
            .assert()
            .code(1)
            .stdout(contains(if from == note { "fee_note" } else if from == article { "article" } else { "setting" }));
        assert_eq!(
            common::git(repo.path(), &["status", "--porcelain", "--", "sources", "parsed"]),
            ""
        );
    }
}

/// A corrected title is a change to the snapshot as well.
#[test]
fn a_reissue_that_corrects_only_the_title_is_a_reissue() {
    let repo = common::imported_repo();
    let corrected = edited_seed(
        repo.path(),
        "corrected.fr.txt",
        " Tarifs ; Kinésithérapeutes ; 01-01-2024.",
        " Tarifs ; Kinesitherapeutes ; 01-01-2024.",
    );
    common::tariffs(repo.path())
        .arg("import")
        .arg(&corrected)
        .assert()
        .code(1)
        .stdout(contains(
            "title (fr): Tarifs ; Kinésithérapeutes ; 01-01-2024 → Tarifs ; Kinesitherapeutes ; 01-01-2024",
        ));
    assert_eq!(commits(repo.path()), "1");
    common::tariffs(repo.path())
        .args(["import", "--replace", "--format", "json"])
        .arg(&corrected)
        .assert()
        .success()
        .stdout(contains(r#""field": "title""#));
    assert_eq!(commits(repo.path()), "2");
}

/// The same values and words from other bytes of a text: nothing to store,
/// and the message speaks of the source in place, not of a PDF there is not.
#[test]
fn the_same_text_in_other_bytes_keeps_the_text_in_place_and_says_so() {
    let repo = common::imported_repo();
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let other_bytes = repo.path().join("again.fr.txt");
    std::fs::write(&other_bytes, format!("{text}\n\n")).unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(&other_bytes)
        .assert()
        .success()
        .stdout(contains("not a re-issue"))
        .stdout(contains(
            "the source in place is kept (sources/physiotherapy/2024-01-01-tariff.fr.txt)",
        ))
        .stdout(contains("PDF").not());
    assert_eq!(commits(repo.path()), "1");
}

/// A re-issue of one language of a bilingual snapshot is compared with that
/// language: its one value change, not every heading of the other language.
#[test]
fn a_dutch_reissue_of_a_bilingual_snapshot_lists_only_its_own_changes() {
    let repo = common::imported_repo();
    let dutch = common::fixture("tariff/tarieven-kine-2024-01-01.nl.txt");
    common::tariffs(repo.path())
        .arg("import")
        .arg(&dutch)
        .assert()
        .success();
    let text = std::fs::read_to_string(&dutch).unwrap();
    let article = "Artikel 7, § 1, 1° : verstrekkingen verleend aan rechthebbenden niet bedoeld";
    assert!(text.contains(article));
    let corrected = repo.path().join("tarieven.nl.txt");
    std::fs::write(
        &corrected,
        text.replacen(
            article,
            "Artikel 7, § 1, 1° : verstrekkingen verleend aan rechthebbenden NIET bedoeld",
            1,
        ),
    )
    .unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(&corrected)
        .assert()
        .code(1)
        .stdout(contains(
            "5 codes changed, added or removed (5 value changes)",
        ))
        .stdout(contains("560011 article: Artikel 7"))
        .stdout(contains("setting").not());
    assert_eq!(commits(repo.path()), "2");
    common::tariffs(repo.path())
        .args(["import", "--replace"])
        .arg(&corrected)
        .assert()
        .success();
    let trailer = common::git(
        repo.path(),
        &[
            "log",
            "-1",
            "--format=%(trailers:key=Value-Changes,valueonly)",
        ],
    );
    assert_eq!(
        trailer.trim(),
        "5",
        "the commit counts what the import listed"
    );
}

/// Two renderings of one language in one import that differ only in a
/// heading are not one source said twice: the import asks for one at a time.
#[test]
fn two_renderings_of_one_language_with_other_headings_are_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let corrected = edited_seed(
        dir.path(),
        "corrected.fr.txt",
        "Article 7, § 1, 1° : prestations effectuées aux bénéficiaires non visés",
        "Article 7, § 1, 1° : prestations effectuées aux bénéficiaires NON visés",
    );
    common::tariffs(dir.path())
        .args(["import", "--dry-run"])
        .arg(common::seed_table())
        .arg(&corrected)
        .assert()
        .code(2)
        .stderr(contains(
            "differ (in values, headings or notes): import them one at a time",
        ));
}
