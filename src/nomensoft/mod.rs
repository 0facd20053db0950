//! NomenSoft: INAMI's nomenclature as a database, read from its exports
//! and used as a cross-check of the tariff tables.
//!
//! An export (XML from the NomenSoft application, or JSON records built from
//! its bulk export) becomes a [`Nomenclature`] snapshot: one [`FeeRecord`]
//! per record, each amount exact, with its validity dates and the line of
//! the record that states it. What a record's fee code means is read from
//! its description words, in French or Dutch ([`category`]); a description
//! it does not know is a warning that names it, never a guess.
//!
//! Where a snapshot lives: NomenSoft covers every profession and its
//! records name none, so its snapshots sit under `parsed/nomensoft/`, keyed
//! by what the export covers: its first and last code and the latest date
//! its records start (`parsed/nomensoft/302805-2026-01-01.yaml`). The same
//! export imported twice lands on the same files; an export of the same
//! codes that changed meanwhile has a later date, so it is a new snapshot
//! beside the old one, and both stay cited.
//!
//! What one export must satisfy is in [`checks`] (import and `validate`
//! run the same checks); [`crosscheck`] compares the snapshots with the
//! tariff tables.

pub mod category;
pub mod checks;
pub mod crosscheck;
pub mod encoding;
pub mod placement;
pub mod records;

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::code::Code;
use crate::decimal;
use crate::error::Error;
use crate::findings::{Finding, Location, Rule};
use crate::model::{
    Category, ExportSource, FeeRecord, Nomenclature, RecordTerm, NOMENSOFT_SCHEMA_ID,
};
use records::{RawField, RawRecord};

/// A `dend_fee` of 2999-12-31 means "until further notice".
const OPEN_END: &str = "2999-12-31";

/// An export read: the snapshot and what was found on the way.
#[derive(Debug, Clone)]
pub struct Read {
    /// The records (`source.file` still names the file as given).
    pub nomenclature: Nomenclature,
    /// Records that could not be read, unknown categories, fees that do not
    /// add up.
    pub findings: Vec<Finding>,
}

/// Whether a path names a NomenSoft export (by extension: `.xml`, `.json`).
pub fn is_export(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xml") || e.eq_ignore_ascii_case("json"))
}

/// Reads an export's bytes into records, interprets and checks them.
pub fn read(path: &Path, bytes: &[u8], sha256: &str) -> Result<Read, Error> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = encoding::decode(path, bytes, !json)?;
    let records = if json {
        records::from_json(path, &text)?
    } else {
        records::from_xml(path, &text)?
    };
    let file = path.display().to_string();
    let mut findings = Vec::new();
    let mut fees = Vec::new();
    for record in &records {
        match interpret(record, &file, &mut findings) {
            Some(fee) => fees.push(fee),
            None => continue,
        }
    }
    if fees.is_empty() && findings.is_empty() {
        return Err(Error::UnknownDocument {
            path: path.to_path_buf(),
            reason: "no record holds a code and a fee (`nomen_code`, `fee`)".into(),
        });
    }
    findings.extend(checks::check(&fees, &file));
    Ok(Read {
        nomenclature: Nomenclature {
            schema: NOMENSOFT_SCHEMA_ID.into(),
            source: ExportSource {
                file,
                sha256: sha256.to_string(),
                format: if json { "json" } else { "xml" }.into(),
            },
            fees,
        },
        findings,
    })
}

/// One record → a fee record; what cannot be read is a finding.
fn interpret(record: &RawRecord, file: &str, findings: &mut Vec<Finding>) -> Option<FeeRecord> {
    let location = Location {
        line: Some(record.line),
        ..Location::file(file.to_string())
    };
    let unreadable = |what: String| {
        Finding::new(
            Rule::UnreadableStatement,
            location.clone(),
            format!("a NomenSoft record that cannot be read: {what}"),
        )
    };
    let code_text = record.get("nomen_code").unwrap_or_default();
    for (kept, other) in &record.repeated {
        let finding = given_twice(kept, other, file);
        findings.push(match Code::parse(code_text) {
            Some(code) => finding.for_code(code),
            None => finding,
        });
    }
    let Some(code) = Code::parse(code_text) else {
        findings.push(unreadable(format!(
            "`nomen_code` is `{code_text}`, not a six-digit code"
        )));
        return None;
    };
    let Some(amount) = record.get("fee").and_then(decimal::parse) else {
        findings.push(
            unreadable(format!(
                "`fee` is `{}`, not an amount",
                record.get("fee").unwrap_or("")
            ))
            .for_code(code),
        );
        return None;
    };
    // The error is the finding's message (a `Finding` is large to carry).
    let date = |field: &str| -> Result<Option<NaiveDate>, String> {
        let Some(text) = record.get(field) else {
            return Ok(None);
        };
        parse_date(text)
            .map(Some)
            .ok_or_else(|| format!("`{field}` is `{text}`, not a date"))
    };
    let (valid_from, valid_until) = match (date("dbegin_fee"), date("dend_fee")) {
        (Ok(Some(from)), Ok(until)) => (from, until),
        (Ok(None), _) => {
            findings.push(unreadable("no `dbegin_fee`".into()).for_code(code));
            return None;
        }
        (Err(why), _) | (_, Err(why)) => {
            findings.push(unreadable(why).for_code(code));
            return None;
        }
    };
    let valid_until = valid_until.filter(|d| d.to_string() != OPEN_END);
    let (fr, nl) = (
        record.get("fee_code_desc_fr"),
        record.get("fee_code_desc_nl"),
    );
    let category = category::of(fr, nl);
    if category == Category::Unknown {
        findings.push(
            Finding::new(
                Rule::UnknownFeeCategory,
                location.clone(),
                format!(
                    "a fee category this tool does not know: `{}` / `{}`; its amount is kept but not compared",
                    fr.unwrap_or("—"),
                    nl.unwrap_or("—")
                ),
            )
            .for_code(code),
        );
    }
    let key_terms = match key_terms(record) {
        Ok(terms) => terms,
        Err(why) => {
            findings.push(unreadable(why).for_code(code));
            return None;
        }
    };
    Some(FeeRecord {
        code,
        category,
        fee_code: record
            .get("fee_code")
            .or(record.get("feecode"))
            .or(record
                .get("fee_code_cat")
                .filter(|_| record.table != "json"))
            .map(str::to_string),
        description_fr: fr.map(str::to_string),
        description_nl: nl.map(str::to_string),
        amount,
        valid_from,
        valid_until,
        key_terms,
        author_doc: record.get("author_doc").map(str::to_string),
        source_line: record.line,
    })
}

/// `key_letter1..3`, `key_coeff1..3`, `key_letter1..3_value` (the bulk
/// export's summary fields), when present.
fn key_terms(record: &RawRecord) -> Result<Vec<RecordTerm>, String> {
    let mut terms = Vec::new();
    for i in 1..=3 {
        let Some(letter) = record.get(&format!("key_letter{i}")) else {
            continue;
        };
        let number = |field: String| -> Result<Decimal, String> {
            let text = record.get(&field).ok_or(format!("`{field}` is missing"))?;
            decimal::parse(text).ok_or(format!("`{field}` is `{text}`, not a number"))
        };
        terms.push(RecordTerm {
            letter: letter.to_string(),
            coefficient: number(format!("key_coeff{i}"))?,
            value: number(format!("key_letter{i}_value"))?,
        });
    }
    Ok(terms)
}

/// A field given twice in one record (`nomensoft-conflict`, at the second):
/// which value the record means cannot be told.
fn given_twice(kept: &RawField, other: &RawField, file: &str) -> Finding {
    let says = |f: &RawField| match f.text.as_str() {
        "" => "is empty".to_string(),
        text => format!("says {text}"),
    };
    // Names that differ but for case are named, so the reader finds both.
    let same_name = kept.name == other.name;
    let note = if same_name {
        ""
    } else {
        " (names are read without case)"
    };
    let at = |f: &RawField| match same_name {
        true => format!("line {}", f.line),
        false => format!("`{}` on line {}", f.name, f.line),
    };
    Finding::new(
        Rule::NomensoftConflict,
        Location {
            line: Some(other.line),
            ..Location::file(file.to_string())
        },
        format!(
            "`{}` is given twice{note}: {} {}, {} {}; a record gives each field once",
            kept.name.to_lowercase(),
            at(kept),
            says(kept),
            at(other),
            says(other)
        ),
    )
}

/// The years a date may have: NomenSoft writes 2999-12-31 for "until
/// further notice", and the nomenclature is younger than 1900. A year
/// outside is a typing error or a sentinel this tool does not know.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// A day as the exports write it: `2026-01-01`, the same at midnight
/// (`2025-01-01 00:00:00`, `2025-01-01T00:00:00`, with or without
/// fractions of a second), or `01/01/2025`. Nothing before or after it,
/// four-digit years in [`YEARS`], two-digit months and days.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let (day, time) = text.split_at_checked(10)?;
    if !time.is_empty() && !time.strip_prefix([' ', 'T']).is_some_and(is_midnight) {
        return None;
    }
    let b = day.as_bytes();
    let (year, month, day) = match (b[2], b[4], b[5], b[7]) {
        (_, b'-', _, b'-') => (&day[..4], &day[5..7], &day[8..]),
        (b'/', _, b'/', _) => (&day[6..], &day[3..5], &day[..2]),
        _ => return None,
    };
    let number = |digits: &str| -> Option<u32> {
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let year = i32::try_from(number(year)?)
        .ok()
        .filter(|y| YEARS.contains(y))?;
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?)
}

/// `00:00:00`, `00:00:00.000`.
fn is_midnight(time: &str) -> bool {
    let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
    clock == "00:00:00" && !fraction.is_empty() && fraction.bytes().all(|b| b == b'0')
}

/// Where an export is stored and snapshot: `<first code>[-<last code>]-<latest valid_from>`.
pub fn key(nomenclature: &Nomenclature) -> Option<String> {
    let first = nomenclature.fees.iter().map(|f| f.code).min()?;
    let last = nomenclature.fees.iter().map(|f| f.code).max()?;
    let latest = nomenclature.latest();
    Some(if first == last {
        format!("{first}-{latest}")
    } else {
        format!("{first}-{last}-{latest}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_105755() -> String {
        // ../shared/real/gp-consultation-105755-2025.record.json, shortened.
        r#"{"nomen_code": 105755, "dbegin_fee": "2025-01-01 00:00:00",
            "dend_fee": "2999-12-31 00:00:00", "fee_code_desc_nl": "Honorarium",
            "fee_code_desc_fr": "Honoraire", "feecode": 0, "fee": 32.85,
            "key_letter1": "N", "key_coeff1": "8", "key_letter1_value": "3,372107",
            "key_letter2": "Q", "key_coeff2": "30", "key_letter2_value": "0,195645",
            "key_letter3": null}"#
            .to_string()
    }

    #[test]
    fn a_fee_of_two_key_letters_checks_as_their_sum() {
        let read = read(Path::new("r.json"), record_105755().as_bytes(), "x").unwrap();
        assert!(read.findings.is_empty(), "{:?}", read.findings);
        let fee = &read.nomenclature.fees[0];
        assert_eq!(fee.key_terms.len(), 2);
        assert_eq!(fee.fee_from_terms().unwrap().to_string(), "32.85");
        assert_eq!(fee.valid_until, None);
        assert_eq!(key(&read.nomenclature).unwrap(), "105755-2025-01-01");
    }

    #[test]
    fn a_fee_that_is_not_the_sum_of_its_terms_is_a_fee_mismatch() {
        let text = record_105755().replace("32.85", "32.86");
        let read = read(Path::new("r.json"), text.as_bytes(), "x").unwrap();
        assert_eq!(read.findings.len(), 1);
        let f = &read.findings[0];
        assert_eq!(f.rule, Rule::FeeMismatch);
        assert_eq!(f.expected.as_deref(), Some("32.85"));
        assert_eq!(f.found.as_deref(), Some("32.86"));
    }

    #[test]
    fn an_unknown_category_is_a_warning_that_names_it() {
        let text = record_105755()
            .replace("\"Honoraire\"", "\"Supplément\"")
            .replace("\"Honorarium\"", "\"Supplement\"");
        let read = read(Path::new("r.json"), text.as_bytes(), "x").unwrap();
        let f = &read.findings[0];
        assert_eq!(f.rule, Rule::UnknownFeeCategory);
        assert!(!f.is_error());
        assert!(f.message.contains("`Supplément` / `Supplement`"));
    }
}
