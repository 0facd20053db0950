//! End to end: `tariffs diff` sides (dates, files, revisions) and formats.

mod common;

use predicates::str::contains;

use common::reissued_repo;

fn head1() -> String {
    format!("HEAD~1:{}", common::SNAPSHOT)
}

#[test]
fn no_difference_exits_0() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .args(["diff", common::SNAPSHOT, "2024-06-30"])
        .assert()
        .success()
        .stdout(contains("unchanged: 197 codes"));
}

/// The short hashes of HEAD~1 and HEAD, as citations print them.
fn commits(repo: &std::path::Path) -> (String, String) {
    let short = |rev: &str| common::git(repo, &["rev-parse", rev]).trim()[..10].to_string();
    (short("HEAD~1"), short("HEAD"))
}

#[test]
fn text_report_cites_both_sides_with_commits() {
    let repo = reissued_repo();
    let (old, new) = commits(repo.path());
    common::tariffs(repo.path())
        .args(["diff", &head1(), common::SNAPSHOT])
        .assert()
        .code(1)
        .stdout(contains("560011  key_value"))
        .stdout(contains("1.066667 → 1.070833  +0.39%"))
        .stdout(contains(format!(
            "sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @{old} → sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @{new}"
        )))
        // A removed row cites the commit, which stays true after later imports.
        .stdout(contains(format!("- 560092  M 24, key value 0.927692, fee 22.26  sources/physiotherapy/2024-01-01-tariff.fr.txt:32 @{old}")))
        .stdout(contains("unchanged: 195 codes"));
}

#[test]
fn csv_has_one_line_per_changed_field() {
    let repo = reissued_repo();
    let output = common::tariffs(repo.path())
        .args(["diff", &head1(), common::SNAPSHOT, "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "status,code,field,old,new,relative_change,old_source,new_source,old_derived,new_derived"
    );
    assert_eq!(lines.len(), 1 + 4 + 2, "{text}");
    let (old, new) = commits(repo.path());
    let expected = format!("changed,560011,fee,25.60,25.70,0.003906,sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @{old},sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @{new},,");
    assert!(lines.contains(&expected.as_str()), "{text}");
    assert!(lines.iter().any(|l| l.starts_with("added,567394,")));
    assert!(lines.iter().any(|l| l.starts_with("removed,560092,")));
}

#[test]
fn markdown_report() {
    let repo = reissued_repo();
    common::tariffs(repo.path())
        .args(["diff", &head1(), common::SNAPSHOT, "--format", "markdown"])
        .assert()
        .code(1)
        .stdout(contains("| changed | 1 |"))
        .stdout(contains("| 560011 | fee | 25.60 | 25.70 | +0.39% |"))
        .stdout(contains("## Removed"));
}

#[test]
fn unified_text_diff_of_the_yaml() {
    let repo = reissued_repo();
    common::tariffs(repo.path())
        .args(["diff", "--text", &head1(), common::SNAPSHOT])
        .assert()
        .code(1)
        .stdout(contains("-  fee: '25.60'\n+  fee: '25.70'"));
    common::tariffs(repo.path())
        .args(["diff", "--text", "2024-01-01", common::SNAPSHOT])
        .assert()
        .code(2)
        .stderr(contains("--text compares two snapshots"));
}

#[test]
fn bad_sides_exit_2() {
    let repo = common::imported_repo();
    for (spec, message) in [
        (
            "2023-01-01",
            "no physiotherapy snapshot is in force on 2023-01-01",
        ),
        ("nothing-here", "neither a date"),
        ("HEAD~5:parsed/x.yaml", "names nothing"),
    ] {
        common::tariffs(repo.path())
            .args(["diff", spec, common::SNAPSHOT])
            .assert()
            .code(2)
            .stderr(contains(message));
    }
}
