//! `tariffs report`: the audit report, checked as a person sees it, in a
//! real headless Chromium (Debian's `chromium`, which `.ci/run` installs).
//! Without Chromium the browser test fails under CI (`CI` set) and is
//! skipped with a message elsewhere.

mod common;

use std::path::Path;
use std::process::Command;

use predicates::str::contains;

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

/// The codes whose key value changed between the two sides (the revalued ones).
fn revalued(repo: &Path) -> Vec<String> {
    let (_, d) = common::json_of(common::tariffs(repo).args([
        "diff",
        "2021-01-01",
        "2024-01-01",
        "--format",
        "json",
    ]));
    d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["changes"]["key_value"].is_array() && !c["changes"]["key_value"][0].is_null())
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required under CI (.ci/run installs Debian's chromium)"
        );
        eprintln!("SKIPPED: no chromium on this machine");
    }
    found
}

fn headless(browser: &str, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn the_report_renders_in_chromium_with_a_row_and_a_chart_per_changed_code() {
    let repo = convention_and_2024();
    let html = repo.path().join("report.html");
    common::tariffs(repo.path())
        .args(["report", "2021-01-01", "2024-01-01", "-o"])
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    let changed: usize = page
        .split("<p id=\"counts\"><b>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .parse()
        .unwrap();
    let Some(browser) = chromium() else { return };
    let profile = tempfile::tempdir().unwrap();
    let out = headless(browser, profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(dom.contains("data-ready=\"yes\""), "the page's script ran");
    assert!(
        !dom.contains("data-errors"),
        "no console error: {}",
        &dom[..dom.len().min(400)]
    );
    assert_eq!(
        dom.matches("class=\"code-row\"").count(),
        changed,
        "one row per changed code"
    );
    assert_eq!(
        dom.matches("<svg class=\"series\"").count(),
        changed,
        "one chart per changed code"
    );
    let revalued = revalued(repo.path());
    assert_eq!(revalued.len(), 89);
    for code in &revalued {
        assert!(
            dom.contains(&format!("data-code=\"{code}\"")),
            "a row for {code}"
        );
    }
    // The screenshot a person would look at.
    let shot = repo.path().join("report.png");
    let status = headless(browser, profile.path())
        .arg("--window-size=1200,1600")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real screenshot"
    );
}

#[test]
fn the_report_loads_nothing_from_the_network() {
    let repo = convention_and_2024();
    let out = common::tariffs(repo.path())
        .args(["report", "2021-01-01", "2024-01-01"])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for needle in [
        "http://", "https://", "src=", "href=", "@import", "url(", "<link", "//cdn",
    ] {
        assert!(!page.contains(needle), "the page holds `{needle}`");
    }
    assert!(page.contains("@page { size: A4"), "it prints on A4");
}

#[test]
fn the_markdown_report_has_the_same_content() {
    let repo = convention_and_2024();
    common::tariffs(repo.path())
        .args([
            "report",
            "2021-01-01",
            "2024-01-01",
            "--format",
            "markdown",
            "--code",
            "560011",
        ])
        .assert()
        .success()
        .stdout(contains("# Tariff audit: 2021-01-01 → 2024-01-01"))
        .stdout(contains("1 codes changed"))
        .stdout(contains(
            "fee: 22.26 → 25.60 (old derived: 0.927692 × 24 = 22.26)",
        ))
        .stdout(contains(
            "sources/physiotherapy/2021-01-01-convention.fr.txt:233 @",
        ))
        .stdout(contains(
            "sources/physiotherapy/2024-01-01-tariff.fr.txt:26 @",
        ));
}

#[test]
fn citations_carry_pages_when_the_convention_came_from_its_pdf() {
    let repo = tempfile::tempdir().unwrap();
    for file in [
        common::fixture("pdf/convention-kine-2021.fr.writer.pdf"),
        common::seed_table(),
    ] {
        common::tariffs(repo.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    let (_, d) = common::json_of(common::tariffs(repo.path()).args([
        "diff",
        "2021-01-01",
        "2024-01-01",
        "--format",
        "json",
        "--code",
        "560011",
    ]));
    let from = &d["changed"][0]["citations"]["key_value"]["from"];
    assert!(from["source_page"].is_u64(), "{from}");
    assert!(from["source"].as_str().unwrap().ends_with(".pdf"));
    common::tariffs(repo.path())
        .args([
            "report",
            "2021-01-01",
            "2024-01-01",
            "--format",
            "markdown",
            "--code",
            "560011",
        ])
        .assert()
        .success()
        .stdout(contains("(page "));
}
