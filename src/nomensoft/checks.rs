//! What is checked within one export, on import and again by `validate`:
//! codes pass the check digit, periods do not end before they start, one
//! code, category and date has one value, and a fee of key letters is the
//! sum of its terms.
//!
//! Two records for one code, category and start date that differ (in
//! amount, end or key-letter terms) are an error naming both
//! (`nomensoft-conflict`): which one the export means cannot be told, and
//! the cross-check would silently take one. The same record given twice
//! says nothing new: a warning naming both (`nomensoft-duplicate`); both
//! are kept. Records of an unknown category are not compared (their
//! descriptions differ when their meanings do).

use std::collections::hash_map::Entry;

use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::findings::{Finding, Location, Rule};
use crate::model::{Category, FeeRecord};

/// Every finding about the records of one export, cited at their lines in
/// `file`.
pub fn check(fees: &[FeeRecord], file: &str) -> Vec<Finding> {
    let at = |fee: &FeeRecord| Location {
        line: Some(fee.source_line),
        ..Location::file(file.to_string())
    };
    let mut findings = Vec::new();
    check_digits(fees, &at, &mut findings);
    check_periods(fees, &at, &mut findings);
    check_conflicts(fees, &at, &mut findings);
    check_fees(fees, &at, &mut findings);
    findings
}

/// A code that fails the check digit, once, at its first record.
fn check_digits(fees: &[FeeRecord], at: &dyn Fn(&FeeRecord) -> Location, out: &mut Vec<Finding>) {
    let mut seen = FxHashSet::default();
    for fee in fees.iter().filter(|f| !f.code.check_digit_ok()) {
        if !seen.insert(fee.code) {
            continue;
        }
        let code = fee.code;
        let digit = code.expected_check_digit();
        out.push(
            Finding::new(
                Rule::CheckDigit,
                at(fee),
                format!("code {code} fails the check digit"),
            )
            .expected_found(
                format!("last digit {digit} ({} mod 7 = {digit})", &code[..5]),
                code.to_string(),
            )
            .for_code(code),
        );
    }
}

/// A record whose end is before its start.
fn check_periods(fees: &[FeeRecord], at: &dyn Fn(&FeeRecord) -> Location, out: &mut Vec<Finding>) {
    for fee in fees {
        let Some(until) = fee.valid_until.filter(|&until| until < fee.valid_from) else {
            continue;
        };
        out.push(
            Finding::new(
                Rule::InvalidPeriod,
                at(fee),
                format!(
                    "{} {}: the record ends ({until}) before it starts ({})",
                    fee.code,
                    fee.category.words(),
                    fee.valid_from
                ),
            )
            .for_code(fee.code),
        );
    }
}

/// Records of one code, category and start date after the first: a
/// conflict when they differ, a duplicate when they do not.
fn check_conflicts(
    fees: &[FeeRecord],
    at: &dyn Fn(&FeeRecord) -> Location,
    out: &mut Vec<Finding>,
) {
    let mut first = FxHashMap::default();
    for fee in fees.iter().filter(|f| f.category != Category::Unknown) {
        let earlier = match first.entry((fee.code, fee.category, fee.valid_from)) {
            Entry::Vacant(e) => {
                e.insert(fee);
                continue;
            }
            Entry::Occupied(e) => *e.get(),
        };
        let what = format!(
            "{} {} from {}",
            fee.code,
            fee.category.words(),
            fee.valid_from
        );
        let finding = if same(earlier, fee) {
            Finding::new(
                Rule::NomensoftDuplicate,
                at(fee),
                format!(
                    "{what}: line {} repeats line {} ({})",
                    fee.source_line,
                    earlier.source_line,
                    value(earlier, (false, false))
                ),
            )
        } else {
            // The end and the terms are named when they are what differs.
            let shown = (
                earlier.valid_until != fee.valid_until,
                terms(earlier) != terms(fee),
            );
            Finding::new(
                Rule::NomensoftConflict,
                at(fee),
                format!(
                    "{what} is given twice: line {} says {}, line {} says {}",
                    earlier.source_line,
                    value(earlier, shown),
                    fee.source_line,
                    value(fee, shown)
                ),
            )
        };
        out.push(finding.for_code(fee.code));
    }
}

/// Whether two records of one code, category and date say the same: the
/// amounts by value (`25.60` is `25.600000`), the end, the terms.
fn same(a: &FeeRecord, b: &FeeRecord) -> bool {
    a.amount == b.amount && a.valid_until == b.valid_until && terms(a) == terms(b)
}

/// The key-letter terms by value, in letter order.
fn terms(fee: &FeeRecord) -> Vec<(&str, Decimal, Decimal)> {
    let mut terms: Vec<_> = fee
        .key_terms
        .iter()
        .map(|t| {
            (
                t.letter.as_str(),
                t.coefficient.normalize(),
                t.value.normalize(),
            )
        })
        .collect();
    terms.sort();
    terms
}

/// A record's amount as a message gives it, with its end and its terms
/// when asked: `25.60 until 2024-12-31 (N 8 × 3.372107)`.
fn value(fee: &FeeRecord, (end, with_terms): (bool, bool)) -> String {
    let mut text = fee.amount.to_string();
    if end {
        match fee.valid_until {
            Some(until) => text.push_str(&format!(" until {until}")),
            None => text.push_str(" until further notice"),
        }
    }
    if with_terms {
        match fee.key_terms.is_empty() {
            true => text.push_str(" (no key letters)"),
            false => text.push_str(&format!(" ({})", formula(fee))),
        }
    }
    text
}

/// `N 8 × 3.372107 + Q 30 × 0.195645`.
fn formula(fee: &FeeRecord) -> String {
    fee.key_terms
        .iter()
        .map(|t| format!("{} {} × {}", t.letter, t.coefficient, t.value))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A fee made of key letters must be the sum of its terms, to the cent.
fn check_fees(fees: &[FeeRecord], at: &dyn Fn(&FeeRecord) -> Location, out: &mut Vec<Finding>) {
    for fee in fees.iter().filter(|f| f.category == Category::Fee) {
        if fee.key_terms.is_empty() {
            continue;
        }
        match fee.fee_from_terms() {
            None => out.push(
                Finding::new(
                    Rule::ArithmeticOverflow,
                    at(fee),
                    "the key letters' terms do not fit in a decimal",
                )
                .for_code(fee.code),
            ),
            Some(sum) if sum != fee.amount => out.push(
                Finding::new(
                    Rule::FeeMismatch,
                    at(fee),
                    format!(
                        "fee is not the sum of its key letters' terms rounded to the cent: {} = {sum}",
                        formula(fee)
                    ),
                )
                .expected_found(sum.to_string(), fee.amount.to_string())
                .for_code(fee.code),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The findings of an export of JSON records, one a line.
    fn findings(records: &[&str]) -> Vec<Finding> {
        let text = format!("[\n{}\n]", records.join(",\n"));
        super::super::read(Path::new("r.json"), text.as_bytes(), "x")
            .unwrap()
            .findings
    }

    const FEE: &str = r#"{"nomen_code": "560011", "dbegin_fee": "2024-01-01", "dend_fee": "2999-12-31", "fee_code_desc_fr": "Honoraire", "fee": "25.60"}"#;

    #[test]
    fn records_that_differ_only_in_their_end_or_terms_conflict_and_say_so() {
        let ended = FEE.replace("2999-12-31", "2024-06-30");
        let f = &findings(&[FEE, &ended])[0];
        assert_eq!(f.rule, Rule::NomensoftConflict);
        assert_eq!(f.location.line, Some(3));
        assert_eq!(
            f.message,
            "560011 fee from 2024-01-01 is given twice: line 2 says 25.60 until further notice, line 3 says 25.60 until 2024-06-30"
        );
        let termed = FEE.replace(
            r#""fee": "25.60""#,
            r#""fee": "25.60", "key_letter1": "M", "key_coeff1": "24", "key_letter1_value": "1.066667""#,
        );
        let f = &findings(&[FEE, &termed])[0];
        assert!(
            f.message.ends_with(
                "line 2 says 25.60 (no key letters), line 3 says 25.60 (M 24 × 1.066667)"
            ),
            "{}",
            f.message
        );
    }

    #[test]
    fn other_dates_or_categories_are_no_conflict_and_a_third_record_is_named_too() {
        let later = FEE.replace("2024-01-01", "2025-01-01");
        let share = FEE.replace(
            "Honoraire",
            "Quote-part personnelle sans régime préférentiel",
        );
        assert!(findings(&[FEE, &later, &share]).is_empty());
        let other = FEE.replace("25.60", "25.70");
        let found = findings(&[FEE, FEE, &other]);
        let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
        assert_eq!(rules, [Rule::NomensoftDuplicate, Rule::NomensoftConflict]);
        assert!(found[1]
            .message
            .contains("line 2 says 25.60, line 4 says 25.70"));
    }
}
