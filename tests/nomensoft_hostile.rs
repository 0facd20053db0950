//! Hostile NomenSoft exports: two values for one thing (records, fields,
//! JSON keys), JSON numbers that a float would round, XML that is not
//! well-formed, dates that are not dates, wrong check digits, exports in
//! the legacy encodings INAMI uses, and a repository of NomenSoft data only.
//!
//! Exports are written by the tests in the shape of the real per-code XML
//! record (`fixtures/nomensoft/nomensoft-302805-fees.xml`).

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, json_of, tariffs};

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dataroot>\n";

/// A fee record of nine lines (the first on the line it is placed at).
fn fee_record(code: &str, from: &str, fee: &str) -> String {
    format!(
        "  <NOMEN_HONORAIRES>\n    <nomen_code>{code}</nomen_code>\n    <dbegin_fee>{from}</dbegin_fee>\n    <dend_fee>2999-12-31</dend_fee>\n    <fee_code_cat>0</fee_code_cat>\n    <fee_code_desc_nl>Honorarium</fee_code_desc_nl>\n    <fee_code_desc_fr>Honoraire</fee_code_desc_fr>\n    <fee>{fee}</fee>\n  </NOMEN_HONORAIRES>\n"
    )
}

/// An export of `records`: record `i` starts on line 3 + 9 × i.
fn export(records: &[String]) -> String {
    format!("{HEADER}{}</dataroot>\n", records.concat())
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `import --dry-run --format json` of one file: exit code and its findings.
fn findings_of(repo: &Path, file: &Path) -> (Option<i32>, Vec<serde_json::Value>) {
    let (code, report) = json_of(
        tariffs(repo)
            .args(["import", "--dry-run", "--format", "json"])
            .arg(file),
    );
    let findings = report["exports"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("no export in {report}"));
    (code, findings)
}

fn real_302805() -> String {
    std::fs::read_to_string(fixture("nomensoft/nomensoft-302805-fees.xml")).unwrap()
}

fn real_105755() -> String {
    std::fs::read_to_string(fixture("nomensoft/gp-consultation-105755-2025.record.json")).unwrap()
}

// --- Two values for one thing -------------------------------------------

#[test]
fn two_records_for_one_code_category_and_date_are_a_conflict_naming_both() {
    // 25.61 then 25.60: the table says 25.60, so "the last one wins" would
    // hide the first; both are named instead, and nothing is imported.
    let repo = common::imported_repo();
    let file = write(
        repo.path(),
        "twice.xml",
        export(&[
            fee_record("560011", "2024-01-01", "25.610000"),
            fee_record("560011", "2024-01-01", "25.600000"),
        ]),
    );
    let (code, report) = json_of(
        tariffs(repo.path())
            .args(["import", "--format", "json"])
            .arg(&file),
    );
    assert_eq!(code, Some(1), "{report}");
    let findings = report["exports"][0]["findings"].as_array().unwrap();
    let conflict: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "nomensoft-conflict")
        .collect();
    assert_eq!(conflict.len(), 1, "{findings:?}");
    let f = conflict[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "560011");
    assert_eq!(f["line"], 12);
    let message = f["message"].as_str().unwrap();
    for part in [
        "560011 fee from 2024-01-01",
        "line 3 says 25.610000",
        "line 12 says 25.600000",
    ] {
        assert!(message.contains(part), "{part:?} in {message}");
    }
    assert!(!repo.path().join("parsed/nomensoft").exists());
}

#[test]
fn an_identical_record_given_twice_is_a_warning_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "same.xml",
        export(&[
            fee_record("560011", "2024-01-01", "25.600000"),
            fee_record("560011", "2024-01-01", "25.60"),
        ]),
    );
    let (code, findings) = findings_of(dir.path(), &file);
    assert_eq!(code, Some(0), "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "nomensoft-duplicate");
    assert_eq!(findings[0]["severity"], "warning");
    assert_eq!(findings[0]["line"], 12);
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("line 12 repeats line 3"), "{message}");
}

#[test]
fn validate_finds_two_values_for_one_code_in_a_snapshot() {
    let repo = common::repo_with(&fixture("nomensoft/nomensoft-302805-fees.xml"));
    let snapshot = repo.path().join("parsed/nomensoft/302805-2026-01-01.yaml");
    let yaml = std::fs::read_to_string(&snapshot).unwrap();
    let first = yaml.find("- code: '302805'").unwrap();
    let copy = yaml[first..]
        .replace("158.700000", "160.000000")
        .replace("source_line: 3", "source_line: 4");
    std::fs::write(&snapshot, format!("{yaml}{copy}")).unwrap();
    let out = tariffs(repo.path()).arg("validate").output().unwrap();
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error[nomensoft-conflict]: 302805 fee from 2026-01-01"),
        "{text}"
    );
}

#[test]
fn a_field_given_twice_in_a_record_is_an_error_naming_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = real_302805().replace(
        "<fee>158.700000</fee>",
        "<fee>158.700000</fee>\n    <fee>158.710000</fee>",
    );
    let file = write(dir.path(), "fee-twice.xml", text);
    let (code, findings) = findings_of(dir.path(), &file);
    assert_eq!(code, Some(1), "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "nomensoft-conflict");
    assert_eq!(f["line"], 13);
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("`fee` is given twice: line 12 says 158.700000, line 13 says 158.710000"),
        "{message}"
    );
}

#[test]
fn json_keys_given_twice_or_equal_when_lowercased_are_errors_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let record = real_105755();
    for (name, replacement, says) in [
        (
            "dup.json",
            "\"fee\": 32.86,\n  \"fee\": 32.85,",
            "`fee` is given twice: line 14 says 32.86, line 15 says 32.85",
        ),
        (
            "case.json",
            "\"fee\": 32.85,\n  \"FEE\": 32.86,",
            "`fee` is given twice (names are read without case): `fee` on line 14 says 32.85, `FEE` on line 15 says 32.86",
        ),
    ] {
        let file = write(
            dir.path(),
            name,
            record.replace("\"fee\": 32.85,", replacement),
        );
        let (code, findings) = findings_of(dir.path(), &file);
        assert_eq!(code, Some(1), "{name}: {findings:?}");
        let f = findings
            .iter()
            .find(|f| f["rule"] == "nomensoft-conflict")
            .unwrap_or_else(|| panic!("{name}: {findings:?}"));
        assert_eq!(f["line"], 15, "{name}");
        let message = f["message"].as_str().unwrap();
        assert!(message.contains(says), "{name}: {says:?} in {message}");
    }
}

// --- Numbers ------------------------------------------------------------

#[test]
fn json_numbers_are_read_as_their_decimal_text() {
    let repo = tempfile::tempdir().unwrap();
    // Through an f64, 32.850000000000001 would be 32.85 and check as the
    // sum of its terms; as written, it is not.
    let file = write(
        repo.path(),
        "long.json",
        real_105755().replace("\"fee\": 32.85,", "\"fee\": 32.850000000000001,"),
    );
    let (code, findings) = findings_of(repo.path(), &file);
    assert_eq!(code, Some(1), "{findings:?}");
    assert_eq!(findings[0]["rule"], "fee-mismatch");
    assert_eq!(findings[0]["found"], "32.850000000000001");

    // Trailing zeros are kept, as in the XML export.
    let file = write(
        repo.path(),
        "zeros.json",
        "{\"nomen_code\": 302805, \"dbegin_fee\": \"2026-01-01\", \"dend_fee\": \"2999-12-31\",\n \"fee_code_desc_fr\": \"Honoraire\", \"fee\": 158.700000}\n",
    );
    tariffs(repo.path())
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    let yaml = std::fs::read_to_string(repo.path().join("parsed/nomensoft/302805-2026-01-01.yaml"))
        .unwrap();
    assert!(yaml.contains("amount: '158.700000'"), "{yaml}");
}

// --- Well-formed XML ------------------------------------------------------

#[test]
fn xml_that_is_not_well_formed_exits_2_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let real = real_302805();
    let cases = [
        (
            "text-after.xml",
            format!("{real}trailing words\n"),
            "line 17: not a NomenSoft XML export: text after the root element: `trailing words`",
        ),
        (
            "second-root.xml",
            format!("{real}<dataroot>\n</dataroot>\n"),
            "line 17: not a NomenSoft XML export: a second root element <dataroot>",
        ),
        (
            "second-empty-root.xml",
            format!("{real}<other/>\n"),
            "line 17: not a NomenSoft XML export: a second root element <other>",
        ),
        (
            "text-before.xml",
            real.replacen("<dataroot", "words <dataroot", 1),
            "line 2: not a NomenSoft XML export: text before the root element: `words`",
        ),
        (
            "text-in-record.xml",
            real.replace("<fee>", "stray <fee>"),
            "line 12: not a NomenSoft XML export: text outside a field of <NOMEN_HONORAIRES>: `stray`",
        ),
        (
            "nested.xml",
            real.replace("<fee>158.700000</fee>", "<fee><x>158.700000</x></fee>"),
            "line 12: not a NomenSoft XML export: an element <x> inside the field <fee>",
        ),
    ];
    for (name, text, says) in cases {
        let file = write(dir.path(), name, text);
        let out = tariffs(dir.path())
            .args(["import", "--dry-run"])
            .arg(&file)
            .output()
            .unwrap();
        let text = said(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {text}");
        assert!(
            text.contains(&format!("{name}: {says}")),
            "{says:?} in {text}"
        );
    }
}

// --- Dates, periods, codes ------------------------------------------------

#[test]
fn dates_are_read_strictly() {
    let dir = tempfile::tempdir().unwrap();
    // A record with the date, and a good one (an export of no readable
    // record is not imported at all: see below).
    let with_date = |date: &str| {
        export(&[
            fee_record("560011", date, "25.600000"),
            fee_record("567011", "2024-01-01", "28.600000"),
        ])
    };
    for bad in [
        "-001-01-01",
        "2024-01-015",
        "2025-01-01junk",
        "2025-02-30",
        "1899-12-31",
        "3000-01-01",
        "2025-1-01",
        "+2025-01-01",
        "2025-01-01 12:00:00",
    ] {
        let file = write(dir.path(), "date.xml", with_date(bad));
        let (code, findings) = findings_of(dir.path(), &file);
        assert_eq!(code, Some(1), "{bad}: {findings:?}");
        assert_eq!(findings.len(), 1, "{bad}: {findings:?}");
        assert_eq!(findings[0]["rule"], "unreadable-statement", "{bad}");
        let message = findings[0]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`dbegin_fee` is `{bad}`, not a date")),
            "{bad}: {message}"
        );
    }
    // What the exports write is still read.
    for good in [
        "2026-01-01",
        "2026-01-01 00:00:00",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00.000",
        "01/01/2026",
    ] {
        let file = write(dir.path(), "date.xml", with_date(good));
        let (code, findings) = findings_of(dir.path(), &file);
        assert_eq!(code, Some(0), "{good}: {findings:?}");
    }
    // An export of no readable record: nothing to store, and why.
    let file = write(
        dir.path(),
        "none.xml",
        real_302805().replace("<dbegin_fee>2026-01-01<", "<dbegin_fee>2026-01-01junk<"),
    );
    let out = tariffs(dir.path())
        .args(["import", "--dry-run"])
        .arg(&file)
        .output()
        .unwrap();
    let text = said(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("none.xml: not a known INAMI document: no fee record could be read: line 3: a NomenSoft record that cannot be read: `dbegin_fee` is `2026-01-01junk`, not a date"),
        "{text}"
    );
}

#[test]
fn a_period_that_ends_before_it_starts_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "backwards.xml",
        real_302805().replace("<dend_fee>2999-12-31<", "<dend_fee>2025-12-31<"),
    );
    let (code, findings) = findings_of(dir.path(), &file);
    assert_eq!(code, Some(1), "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "invalid-period");
    assert_eq!(findings[0]["line"], 3);
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ends (2025-12-31) before it starts (2026-01-01)"),
        "{message}"
    );
}

#[test]
fn a_code_with_a_wrong_check_digit_is_a_check_digit_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "digit.xml",
        real_302805().replace(">302805<", ">302806<"),
    );
    let (code, findings) = findings_of(dir.path(), &file);
    assert_eq!(code, Some(1), "{findings:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "check-digit");
    assert_eq!(f["code"], "302806");
    assert_eq!(f["line"], 3);
    assert_eq!(f["expected"], "last digit 5 (30280 mod 7 = 5)");
}

// --- Encodings ------------------------------------------------------------

/// `text` in windows-1252 (Latin-1 letters, and `’` and `€`).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '’' => 0x92,
            '€' => 0x80,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u8,
            c => panic!("{c:?} is not in this test's windows-1252"),
        })
        .collect()
}

/// An intervention record whose French description has accents.
fn accented_export(encoding: &str) -> String {
    let record = fee_record("560011", "2024-01-01", "23.100000")
        .replace(">0<", ">1600<")
        .replace(">Honorarium<", ">Tegemoetkoming zonder voorkeurregeling<")
        .replace(
            ">Honoraire<",
            ">Intervention de l’assurance sans régime préférentiel<",
        );
    export(&[record]).replace("encoding=\"utf-8\"", &format!("encoding=\"{encoding}\""))
}

const ACCENTED: &str = "description_fr: Intervention de l’assurance sans régime préférentiel";

#[test]
fn a_windows_1252_export_is_decoded_and_stored_as_utf8() {
    let repo = tempfile::tempdir().unwrap();
    let bytes = windows_1252(&accented_export("windows-1252"));
    assert!(bytes.contains(&0xE9) && std::str::from_utf8(&bytes).is_err());
    let file = write(repo.path(), "inami-bulk.xml", &bytes);
    let out = tariffs(repo.path())
        .arg("import")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let yaml = std::fs::read_to_string(repo.path().join("parsed/nomensoft/560011-2024-01-01.yaml"))
        .unwrap();
    assert!(yaml.contains(ACCENTED), "{yaml}");
    assert!(yaml.contains("category: intervention_standard"), "{yaml}");
    // The export is stored as given, and rebuilds to the same snapshot.
    let stored =
        std::fs::read(repo.path().join("sources/nomensoft/560011-2024-01-01.xml")).unwrap();
    assert_eq!(stored, bytes);
    tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .success();
    tariffs(repo.path()).arg("validate").assert().success();
}

#[test]
fn latin_1_latin_9_and_utf_16_exports_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let latin9 = |text: &str| -> Vec<u8> {
        text.chars()
            .map(|c| match c {
                '€' => 0xA4,
                '’' => b'\'',
                c => u8::try_from(c as u32).unwrap(),
            })
            .collect()
    };
    let utf16 = |text: &str, big_endian: bool| -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend(pair);
        }
        bytes
    };
    let with_euro = |encoding: &str| {
        accented_export(encoding).replace("<fee>", "<author_doc>OA € 1</author_doc><fee>")
    };
    for (name, bytes, description) in [
        (
            "latin1.xml",
            latin9(&accented_export("ISO-8859-1").replace('’', "'")),
            ACCENTED.replace('’', "'"),
        ),
        (
            "latin9.xml",
            latin9(&with_euro("ISO-8859-15")),
            ACCENTED.replace('’', "'"),
        ),
        (
            "utf16le.xml",
            utf16(&with_euro("UTF-16"), false),
            ACCENTED.into(),
        ),
        (
            "utf16be.xml",
            utf16(&with_euro("UTF-16"), true),
            ACCENTED.into(),
        ),
    ] {
        let repo = tempfile::tempdir().unwrap();
        let file = write(dir.path(), name, &bytes);
        let out = tariffs(repo.path())
            .arg("import")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", said(&out));
        let yaml =
            std::fs::read_to_string(repo.path().join("parsed/nomensoft/560011-2024-01-01.yaml"))
                .unwrap();
        assert!(yaml.contains(&description), "{name}: {yaml}");
        if name != "latin1.xml" {
            assert!(yaml.contains("author_doc: OA € 1"), "{name}: {yaml}");
        }
    }
}

#[test]
fn an_encoding_that_cannot_be_read_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut bom_and_1252 = b"\xEF\xBB\xBF".to_vec();
    bom_and_1252.extend(accented_export("windows-1252").bytes());
    for (name, bytes, says) in [
        (
            "klingon.xml",
            accented_export("x-klingon").into_bytes(),
            "the XML declaration names the encoding `x-klingon`, which this tool does not know",
        ),
        (
            "utf16-no-bom.xml",
            accented_export("UTF-16").into_bytes(),
            "the XML declaration names UTF-16, but the file has no byte order mark",
        ),
        (
            "bom-and-1252.xml",
            bom_and_1252,
            "the XML declaration names `windows-1252`, but the file starts with the byte order mark of UTF-8",
        ),
        (
            "latin-in-utf8.xml",
            windows_1252(&accented_export("utf-8")),
            "not UTF-8 (invalid byte at line 9, offset",
        ),
    ] {
        let file = write(dir.path(), name, &bytes);
        let out = tariffs(dir.path())
            .args(["import", "--dry-run"])
            .arg(&file)
            .output()
            .unwrap();
        let text = said(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {text}");
        assert!(text.contains(name) && text.contains(says), "{says:?} in {text}");
    }
}

// --- A repository of NomenSoft data only ------------------------------------

#[test]
fn rebuild_works_in_a_repository_holding_only_nomensoft_data() {
    let repo = common::repo_with(&fixture("nomensoft/nomensoft-302805-fees.xml"));
    let out = tariffs(repo.path())
        .args(["rebuild", "--check"])
        .output()
        .unwrap();
    let text = said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "parsed/nomensoft/302805-2026-01-01.yaml: unchanged (1 NomenSoft fee records)"
        ),
        "{text}"
    );
    let snapshot = repo.path().join("parsed/nomensoft/302805-2026-01-01.yaml");
    std::fs::write(&snapshot, "schema: inami-tariffs/nomensoft/1\n").unwrap();
    let out = tariffs(repo.path()).arg("rebuild").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    tariffs(repo.path())
        .args(["rebuild", "--check"])
        .assert()
        .success();
}
