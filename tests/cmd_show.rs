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
