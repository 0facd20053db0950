//! End to end: `tariffs show CODE`.

mod common;

use predicates::str::contains;

#[test]
fn show_prints_a_row_for_people_and_for_tools() {
    common::tariffs(&common::root())
        .args(["show", "560011"])
        .assert()
        .success()
        .stdout(contains("key value        M = 1,066667"))
        .stdout(contains("fee              25,60 EUR"));
    let output = common::tariffs(&common::root())
        .args(["show", "560545", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["code"], "560545");
    assert_eq!(shown["row"]["ambulatory_code"], "560534");
    assert_eq!(shown["row"]["fee"], "25.60");
    assert_eq!(shown["effective_from"], "2024-01-01");
}

#[test]
fn unknown_and_malformed_codes_exit_2() {
    common::tariffs(&common::root())
        .args(["show", "999994"])
        .assert()
        .code(2)
        .stderr(contains("code 999994 is in no snapshot"));
    common::tariffs(&common::root())
        .args(["show", "56001"])
        .assert()
        .code(2)
        .stderr(contains("expected six digits"));
}

#[test]
fn show_gives_the_terms_of_a_fee_of_several_key_letters() {
    let repo = common::doctors_repo();
    common::tariffs(repo.path())
        .args(["show", "105755"])
        .assert()
        .success()
        .stdout(contains("key value        N = 3,372107, Q = 0,195645"))
        .stdout(contains("relative value   N 8 + Q 30"))
        .stdout(contains("fee              32,85 EUR"));
    let (code, shown) =
        common::json_of(common::tariffs(repo.path()).args(["show", "105755", "--format", "json"]));
    assert_eq!(code, Some(0));
    let terms = serde_json::json!([
        {"key_letter": "N", "key_value": "3.372107", "coefficient": "8"},
        {"key_letter": "Q", "key_value": "0.195645", "coefficient": "30"},
    ]);
    assert_eq!(shown["row"]["key_terms"], terms);
    assert_eq!(shown["state"]["key_terms"], terms);
    assert_eq!(shown["row"]["key_letter"], "N", "the first term");
    assert_eq!(shown["row"]["fee"], "32.85");
    // A code of one key letter has no terms.
    let (_, single) =
        common::json_of(common::tariffs(repo.path()).args(["show", "471015", "--format", "json"]));
    assert_eq!(single["row"].get("key_terms"), None);
    assert_eq!(single["state"].get("key_terms"), None);
    common::tariffs(repo.path())
        .args(["show", "105755", "--date", "2025-06-01"])
        .assert()
        .success()
        .stdout(contains(
            "key_terms                  N 8 × 3.372107 + Q 30 × 0.195645",
        ));
}
