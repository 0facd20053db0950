//! Conventions: what the 2021 convention sets, its checks, and how it joins
//! diff and history with the 2024 table.

mod common;

use std::collections::HashSet;

use inami_tariffs::model::Convention;
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline::{self, Checked};
use inami_tariffs::source::{self, ReadOptions};
use predicates::str::contains;

fn convention(path: &std::path::Path) -> Convention {
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    let Checked {
        parsed,
        findings,
        fee_check,
    } = pipeline::parse_and_validate(&doc).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
    let ParsedDocument::Convention(c) = parsed else {
        panic!("a convention")
    };
    let fee_check = fee_check.expect("a convention's stated fees are checked");
    assert_eq!(fee_check.statements_checked, 6);
    assert_eq!(fee_check.codes_checked, 42);
    c.convention
}

fn text_path() -> std::path::PathBuf {
    common::fixture("convention/convention-kine-2021.fr.txt")
}

#[test]
fn key_values_of_the_2021_convention() {
    let c = convention(&text_path());
    assert_eq!(c.effective_from.to_string(), "2021-01-01");
    assert_eq!(c.effective_until.unwrap().to_string(), "2021-12-31");
    assert_eq!(c.concluded_on.unwrap().to_string(), "2020-12-22");
    assert_eq!(c.key_values.len(), 26);
    let assignments: usize = c.key_values.iter().map(|l| l.codes.len()).sum();
    assert_eq!(assignments, 192);
    let distinct: HashSet<_> = c.key_values.iter().flat_map(|l| &l.codes).collect();
    assert_eq!(distinct.len(), 180);
    let july: Vec<_> = c
        .key_values
        .iter()
        .filter(|l| l.effective_from.unwrap().to_string() == "2021-07-01")
        .collect();
    assert_eq!(july.len(), 1);
    assert_eq!(july[0].value.to_string(), "0.921875");
    assert_eq!(july[0].codes.len(), 12);
    let first = &c.key_values[0];
    assert_eq!(
        (first.key_letter, first.value.to_string(), first.codes.len()),
        (Some('M'), "0.927692".into(), 24)
    );
    assert_eq!(first.source_line, 233, "the line of the list");
    let pair = c
        .key_values
        .iter()
        .find(|l| l.value.to_string() == "0.836667")
        .unwrap();
    assert_eq!(pair.codes, ["561713", "561724"], "`en` joins the last item");
}

#[test]
fn stated_fees_and_indemnities_of_the_2021_convention() {
    let c = convention(&text_path());
    let dated: Vec<_> = c
        .stated_fees
        .iter()
        .filter(|f| f.effective_from.is_some())
        .collect();
    assert_eq!(dated.len(), 6);
    assert_eq!(dated.iter().map(|f| f.codes.len()).sum::<usize>(), 42);
    let july = dated
        .iter()
        .find(|f| f.effective_from.unwrap().to_string() == "2021-07-01")
        .unwrap();
    assert_eq!(
        (
            july.amount.to_string(),
            july.relative_value.unwrap().to_string(),
            july.codes.len()
        ),
        ("14.75".into(), "16".into(), 12)
    );
    let open: Vec<_> = c
        .stated_fees
        .iter()
        .filter(|f| f.effective_from.is_none())
        .collect();
    assert_eq!(
        open.len(),
        3,
        "fees from `la date de leur introduction` keep no date"
    );
    let amount = |pseudo: &str| {
        let i = c
            .indemnities
            .iter()
            .find(|i| i.pseudocodes.iter().any(|p| *p == pseudo))
            .unwrap();
        (
            i.amount.to_string(),
            i.pseudocodes
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        amount("639855"),
        ("6.50".into(), vec!["639855".into(), "639866".into()])
    );
    assert_eq!(amount("639892").0, "4.07");
    assert_eq!(
        amount("639870"),
        ("5.17".into(), vec!["639870".into(), "639881".into()])
    );
    assert_eq!(amount("562671").0, "3.74");
    assert_eq!(amount("562715").0, "2.74");
    let travel = |pseudo: &str| {
        let i = c
            .indemnities
            .iter()
            .find(|i| i.pseudocodes == [pseudo])
            .unwrap();
        let r = i.reimbursement.as_ref().unwrap();
        (
            i.amount.to_string(),
            i.maximum,
            r.preferential.to_string(),
            r.standard.to_string(),
        )
    };
    assert_eq!(
        travel("639133"),
        ("1.13".into(), true, "60".into(), "15".into())
    );
    assert_eq!(
        travel("639155"),
        ("1.13".into(), true, "60".into(), "15".into())
    );
    assert_eq!(
        travel("639192"),
        ("1.13".into(), true, "60".into(), "15".into())
    );
    assert_eq!(
        travel("639170"),
        ("1.13".into(), true, "0".into(), "0".into())
    );
    assert_eq!(
        travel("639111"),
        ("1.31".into(), true, "100".into(), "100".into())
    );
    let table = c
        .indemnities
        .iter()
        .find(|i| i.pseudocodes == ["562671"])
        .unwrap();
    assert_eq!(
        table.applies_to,
        ["560011", "560114", "560210", "560313"],
        "`ou` joins the last item"
    );
}

#[test]
fn the_pdf_of_the_convention_gives_the_same_data() {
    let text = convention(&text_path());
    let pdf = convention(&common::fixture("pdf/convention-kine-2021.fr.writer.pdf"));
    let strip = |mut c: Convention| {
        c.source = text.source.clone();
        c.key_values.iter_mut().for_each(|l| l.source_line = 0);
        c.stated_fees.iter_mut().for_each(|f| f.source_line = 0);
        c.indemnities.iter_mut().for_each(|i| i.source_line = 0);
        c.key_values.iter_mut().for_each(|l| l.source_page = None);
        c.stated_fees.iter_mut().for_each(|f| f.source_page = None);
        c.indemnities.iter_mut().for_each(|i| i.source_page = None);
        c
    };
    assert_eq!(strip(pdf.clone()), strip(text.clone()));
    // Every entry read from the PDF cites its page: the page its value is on.
    let lines = inami_tariffs::source::read(
        &common::fixture("pdf/convention-kine-2021.fr.writer.pdf"),
        &ReadOptions::default(),
    )
    .unwrap()
    .lines;
    let page_of = |line: usize| lines[line - 1].page;
    for list in &pdf.key_values {
        assert!(list.source_page.is_some(), "{list:?}");
        assert_eq!(list.source_page, page_of(list.source_line));
        let item = &lines[list.source_line - 1].text;
        assert!(
            item.contains(&inami_tariffs::decimal::to_document_style(list.value)),
            "line {} holds the value: {item}",
            list.source_line
        );
    }
    assert!(pdf.stated_fees.iter().all(|f| f.source_page.is_some()));
    assert!(pdf.indemnities.iter().all(|i| i.source_page.is_some()));
    assert!(text.key_values.iter().all(|l| l.source_page.is_none()));
}

#[test]
fn an_altered_key_value_breaks_its_stated_fee_and_nothing_is_written() {
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(common::fixture("convention/altered-key-value.fr.txt"))
        .assert()
        .code(1)
        .stdout(contains("error[stated-fee-mismatch]"))
        .stdout(contains("altered-key-value.fr.txt:272:"))
        .stdout(contains(
            "0,846667 × 24 = 20,32 for 561713, 561724, but line 184 states a fee of 20,08 euros",
        ))
        .stdout(contains("nothing was written"));
    assert!(common::files_in(repo.path()).is_empty());
}

fn convention_and_2024() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    for file in [text_path(), common::seed_table()] {
        common::tariffs(repo.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    repo
}

#[test]
fn diff_2021_against_2024() {
    let repo = convention_and_2024();
    let output = common::tariffs(repo.path())
        .args(["diff", "2021-01-01", "2024-01-01", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let d: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let changed = d["changed"].as_array().unwrap();
    let key_value_changed = changed
        .iter()
        .filter(|c| c["changes"]["key_value"].is_array() && !c["changes"]["key_value"][0].is_null())
        .count();
    assert_eq!(key_value_changed, 89, "revalued codes");
    // Every revalued code shows its fee change: the 2021 side states the
    // fee, or it is derived (key value × relative value of the 2024 table,
    // borrowed, the nearest table listing the code).
    for c in changed
        .iter()
        .filter(|c| c["changes"]["key_value"].is_array() && !c["changes"]["key_value"][0].is_null())
    {
        let fee = &c["changes"]["fee"];
        assert!(fee.is_array(), "{}: a fee change", c["code"]);
        let derived = &c["derivations"]["fee"]["from"];
        assert!(
            fee[0].is_string() && (derived.is_null() || derived["formula"].is_string()),
            "{c}"
        );
        assert!(c["citations"]["fee"]["from"]["commit"].is_string());
        assert!(c["citations"]["fee"]["to"]["commit"].is_string());
    }
    let c560011 = changed.iter().find(|c| c["code"] == "560011").unwrap();
    assert_eq!(
        c560011["changes"]["key_value"],
        serde_json::json!(["0.927692", "1.066667"])
    );
    assert_eq!(
        c560011["changes"]["fee"],
        serde_json::json!(["22.26", "25.60"])
    );
    let how = &c560011["derivations"]["fee"]["from"];
    assert_eq!(how["formula"], "0.927692 × 24 = 22.26");
    assert_eq!(how["inputs"][0]["origin"]["source_line"], 233);
    assert_eq!(how["inputs"][1]["borrowed_from"], "2024-01-01");
    assert!(
        c560011["derivations"]["fee"]["to"].is_null(),
        "the 2024 fee is stated"
    );
    let added: Vec<&str> = d["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for code in ["567011", "567033", "562505"] {
        assert!(added.contains(&code), "{code} added: {added:?}");
    }
    let output = common::tariffs(repo.path())
        .args(["diff", "2021-07-01", "2024-01-01", "--format", "json"])
        .output()
        .unwrap();
    let d: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let c560416 = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "560416")
        .unwrap();
    assert_eq!(
        c560416["changes"]["key_value"],
        serde_json::json!(["0.921875", "1.075000"])
    );
    // One origin per field: the key value cites its list item (line 283),
    // the fee the sentence that stated it (line 200), each side its own.
    let cite = &c560416["citations"];
    assert_eq!(cite["key_value"]["from"]["source_line"], 283);
    assert_eq!(cite["fee"]["from"]["source_line"], 200);
    assert_eq!(cite["key_value"]["to"]["source_line"], 356);
    assert_eq!(
        cite["key_value"]["from"]["source"],
        "sources/physiotherapy/2021-01-01-convention.fr.txt"
    );
}

#[test]
fn history_of_560416_across_the_convention_and_the_table() {
    let repo = convention_and_2024();
    let output = common::tariffs(repo.path())
        .args(["history", "560416", "--format", "json"])
        .output()
        .unwrap();
    let h: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let seen: Vec<(String, String)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["effective_from"].as_str().unwrap().into(),
                e["key_value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("2021-01-01".into(), "0.826875".into()),
            ("2021-07-01".into(), "0.921875".into()),
            ("2024-01-01".into(), "1.075000".into())
        ]
    );
    assert_eq!(h[2]["fee"], "17.20");
    assert_eq!(h[1]["fee"], "14.75");
}

#[test]
fn travel_pseudocodes_in_a_table_must_follow_the_convention_rates() {
    let repo = tempfile::tempdir().unwrap();
    let table = std::fs::read_to_string(common::seed_table()).unwrap();
    let bad = table.replace(
        "1,130000 639133 - 1 1,13 0,68 0,17",
        "1,130000 639133 - 1 1,13 0,70 0,17",
    );
    assert_ne!(bad, table);
    let bad_path = repo.path().join("table.txt");
    std::fs::write(&bad_path, bad).unwrap();
    common::tariffs(repo.path())
        .args(["import", "table.txt", "--no-commit"])
        .assert()
        .success();
    std::fs::remove_file(&bad_path).unwrap();
    common::tariffs(repo.path())
        .args(["import", "--dry-run"])
        .arg(text_path())
        .assert()
        .code(1)
        .stdout(contains("error[indemnity-rate]"))
        .stdout(contains(
            "gives pseudocode 639133 interventions 0,70 / 0,17, not 1,13 at 60% / 15%",
        ))
        .stdout(contains("expected 0,68 / 0,17, found 0,70 / 0,17"));
    // With the table as published, every rate checks out.
    let good = tempfile::tempdir().unwrap();
    for file in [common::seed_table(), text_path()] {
        common::tariffs(good.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    common::tariffs(good.path())
        .arg("validate")
        .assert()
        .success();
}

#[test]
fn show_at_a_date_uses_the_convention_then_the_table() {
    let repo = convention_and_2024();
    let at = |date: &str, code: &str| -> serde_json::Value {
        let output = common::tariffs(repo.path())
            .args(["show", code, "--date", date, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    assert_eq!(at("2021-03-01", "560416")["state"]["key_value"], "0.826875");
    let july = at("2021-07-01", "560416");
    assert_eq!(july["state"]["key_value"], "0.921875");
    assert_eq!(july["state"]["fee"], "14.75");
    assert_eq!(at("2024-01-01", "560416")["state"]["fee"], "17.20");
    assert_eq!(
        at("2024-01-01", "560545")["state"]["ambulatory_code"],
        "560534"
    );
    common::tariffs(repo.path())
        .args(["show", "560011", "--date", "2019-01-01"])
        .assert()
        .code(2)
        .stderr(contains(
            "code 560011 has no physiotherapy state on 2019-01-01",
        ));
}

#[test]
fn the_dutch_convention_gives_the_same_data_and_joins_the_french_snapshot() {
    let fr = convention(&text_path());
    let nl = convention(&common::fixture("convention/convention-kine-2021.nl.txt"));
    assert_eq!(nl.language, inami_tariffs::model::Language::Nl);
    let strip = |mut c: Convention| {
        c.source = fr.source.clone();
        c.title = String::new();
        c.language = fr.language;
        c.key_values.iter_mut().for_each(|l| l.source_line = 0);
        c.stated_fees.iter_mut().for_each(|f| f.source_line = 0);
        c.indemnities.iter_mut().for_each(|i| i.source_line = 0);
        c
    };
    assert_eq!(strip(nl), strip(fr.clone()));
    let repo = tempfile::tempdir().unwrap();
    for file in [
        text_path(),
        common::fixture("convention/convention-kine-2021.nl.txt"),
    ] {
        common::tariffs(repo.path())
            .arg("import")
            .arg(file)
            .assert()
            .success();
    }
    let snapshot = std::fs::read_to_string(
        repo.path()
            .join("parsed/physiotherapy/2021-01-01-convention.yaml"),
    )
    .unwrap();
    assert!(snapshot.contains("sources/physiotherapy/2021-01-01-convention.nl.txt"));
    assert!(snapshot.contains("title: NATIONALE OVEREENKOMST"));
    common::tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .success();
    // A Dutch key value that differs is a language mismatch, and nothing is written.
    let changed =
        std::fs::read_to_string(common::fixture("convention/convention-kine-2021.nl.txt"))
            .unwrap()
            .replace("0,612500 voor", "0,612600 voor");
    let file = repo.path().join("overeenkomst.nl.txt");
    std::fs::write(&file, changed).unwrap();
    let other = tempfile::tempdir().unwrap();
    common::tariffs(other.path())
        .arg("import")
        .arg(text_path())
        .assert()
        .success();
    common::tariffs(other.path())
        .arg("import")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(contains("error[language-mismatch]"))
        .stdout(contains("0.6125"))
        .stdout(contains("0.6126"));
}
