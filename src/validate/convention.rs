//! The rules of a convention: its stated fees must follow from its key
//! values, codes must pass the check digit, and no code may get two values
//! for one date.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Finding, Place, Rule};
use crate::code::Code;
use crate::decimal::{round_to_cent, to_document_style as printed};
use crate::model::Convention;
use crate::source::SourceDocument;

/// What the stated-fee check could and could not check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeCheck {
    pub statements_checked: usize,
    pub codes_checked: usize,
    /// Codes not checked, with the reason.
    pub unchecked: Vec<(Code, &'static str)>,
}

/// The key value of `code` in force at `date`, and the list it comes from.
fn key_value_at(c: &Convention, code: Code, date: NaiveDate) -> Option<(Decimal, usize)> {
    c.key_values
        .iter()
        .filter(|l| l.codes.contains(&code) && l.effective_from.is_some_and(|d| d <= date))
        .max_by_key(|l| l.effective_from)
        .map(|l| (l.value, l.source_line))
}

/// A place on a source line, with the line's text when the source is at hand.
fn place(doc: &SourceDocument, line: usize, needle: Option<&str>) -> Place {
    let text = doc.line(line).map(|l| l.text.clone());
    let column = needle
        .zip(text.as_deref())
        .and_then(|(n, t)| t.find(n).map(|at| t[..at].chars().count() + 1));
    Place {
        file: doc.display_path().into(),
        line: Some(line),
        page: doc.line(line).and_then(|l| l.page),
        column,
        width: needle.map_or(0, |n| n.chars().count()),
        text,
    }
}

/// Runs the convention rules.
pub fn check(c: &Convention, doc: &SourceDocument) -> (Vec<Finding>, FeeCheck) {
    let mut findings = Vec::new();
    let mut fee_check = FeeCheck::default();
    let all_codes = c
        .key_values
        .iter()
        .map(|l| (&l.codes, l.source_line))
        .chain(c.stated_fees.iter().map(|f| (&f.codes, f.source_line)))
        .chain(c.indemnities.iter().map(|i| (&i.applies_to, i.source_line)))
        .chain(
            c.indemnities
                .iter()
                .map(|i| (&i.pseudocodes, i.source_line)),
        );
    for (codes, line) in all_codes {
        for code in codes.iter().filter(|c| !c.check_digit_ok()) {
            let digit = code.expected_check_digit();
            findings.push(
                Finding::new(
                    Rule::CheckDigit,
                    place(doc, line, None),
                    format!("code {code} fails the check digit"),
                )
                .expected_found(
                    format!("last digit {digit} ({} mod 7 = {digit})", &code[..5]),
                    code.to_string(),
                )
                .for_code(*code),
            );
        }
    }
    let mut seen: BTreeMap<(Code, NaiveDate), (Decimal, usize)> = BTreeMap::new();
    for list in &c.key_values {
        let Some(date) = list.effective_from else {
            continue;
        };
        for code in &list.codes {
            match seen.get(&(*code, date)) {
                Some((value, line)) if *value != list.value => findings.push(
                    Finding::new(
                        Rule::ConflictingKeyValue,
                        place(doc, list.source_line, Some(&printed(list.value))),
                        format!("code {code} gets two key values from {date}"),
                    )
                    .expected_found(
                        format!("{} (line {line})", printed(*value)),
                        printed(list.value),
                    )
                    .for_code(*code),
                ),
                _ => {
                    seen.insert((*code, date), (list.value, list.source_line));
                }
            }
        }
    }
    for fee in &c.stated_fees {
        let (Some(relative), Some(date)) = (fee.relative_value, fee.effective_from) else {
            let why = if fee.effective_from.is_none() {
                "the text leaves its date open"
            } else {
                "no relative value in the text"
            };
            fee_check
                .unchecked
                .extend(fee.codes.iter().map(|c| (*c, why)));
            continue;
        };
        fee_check.statements_checked += 1;
        // Codes sharing one key value list are reported together.
        let mut wrong: BTreeMap<usize, (Decimal, Vec<Code>)> = BTreeMap::new();
        for code in &fee.codes {
            match key_value_at(c, *code, date) {
                None => fee_check
                    .unchecked
                    .push((*code, "no key value for it at that date")),
                Some((value, line)) => {
                    fee_check.codes_checked += 1;
                    if round_to_cent(value * relative) != fee.amount {
                        wrong
                            .entry(line)
                            .or_insert((value, Vec::new()))
                            .1
                            .push(*code);
                    }
                }
            }
        }
        for (line, (value, codes)) in wrong {
            let computed = round_to_cent(value * relative);
            let names: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            findings.push(
                Finding::new(
                    Rule::StatedFeeMismatch,
                    place(doc, line, Some(&printed(value))),
                    format!(
                        "key value {} × {} = {} for {}, but line {} states a fee of {} euros",
                        printed(value),
                        printed(relative),
                        printed(computed),
                        names.join(", "),
                        fee.source_line,
                        printed(fee.amount)
                    ),
                )
                .expected_found(printed(fee.amount), printed(computed))
                .for_code(codes[0]),
            );
        }
    }
    super::sort(&mut findings);
    (findings, fee_check)
}
