//! The rules of a convention: its stated fees must follow from its key
//! values, codes must pass the check digit, no code may get two values for
//! one date, and where a tariff table of the repository lists a travel
//! pseudocode, its interventions must follow the convention's rates.
//!
//! What the tariff tables say comes in as [`Tables`]; without them (a
//! convention checked on its own) the rules that need them check less, and
//! [`FeeCheck`] says what was left unchecked and why.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::code::Code;
use crate::decimal::{fee_of, round_to_cent, to_document_style as printed};
use crate::findings::{self, Finding, Location, Rule};
use crate::model::{Convention, TariffRow, TariffTable};
use crate::source::SourceDocument;

/// What the stated-fee check could and could not check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeCheck {
    /// How many statements with a stated fee were checked.
    pub statements_checked: usize,
    /// How many codes those statements checked.
    pub codes_checked: usize,
    /// Codes not checked, with the reason.
    pub unchecked: Vec<(Code, &'static str)>,
}

/// What the repository's tariff tables say of each code (the latest table
/// listing it), for the checks that compare a convention with them.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// The row of each code in the latest table, with that table's snapshot path.
    pub rows: HashMap<Code, (TariffRow, String)>,
}

impl Tables {
    /// Collects rows from tables, later tables overriding earlier ones.
    pub fn from_tables<'a>(tables: impl IntoIterator<Item = &'a TariffTable>) -> Tables {
        let mut rows = HashMap::new();
        for table in tables {
            for row in &table.rows {
                for code in row.codes() {
                    rows.insert(code, (row.clone(), table.source.file.clone()));
                }
            }
        }
        Tables { rows }
    }
}

/// The key value of `code` in force at `date`, and the list it comes from.
fn key_value_at(c: &Convention, code: Code, date: NaiveDate) -> Option<(Decimal, usize)> {
    c.key_values
        .iter()
        .filter(|l| l.codes.contains(&code) && l.effective_from.is_some_and(|d| d <= date))
        .max_by_key(|l| l.effective_from)
        .map(|l| (l.value, l.source_line))
}

/// A location on a source line, with the caret under `needle` when the
/// line (from the source, when it is at hand) holds it.
fn location(doc: &SourceDocument, line: usize, needle: Option<&str>) -> Location {
    let file: Arc<str> = doc.display_path().into();
    let Some(source) = doc.line(line) else {
        return Location {
            file,
            line: Some(line),
            ..Location::default()
        };
    };
    match needle.and_then(|n| Some((source.text.find(n)?, n.chars().count()))) {
        Some((at, width)) => Location::in_line(&file, source, at, width),
        None => Location {
            column: None,
            ..Location::in_line(&file, source, 0, 0)
        },
    }
}

/// Runs the convention rules.
pub fn check(c: &Convention, doc: &SourceDocument, tables: &Tables) -> (Vec<Finding>, FeeCheck) {
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
                    location(doc, line, None),
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
                        location(doc, list.source_line, Some(&printed(list.value))),
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
        let mut wrong: BTreeMap<(usize, Decimal), (Decimal, Vec<Code>)> = BTreeMap::new();
        for code in &fee.codes {
            match key_value_at(c, *code, date) {
                None => fee_check
                    .unchecked
                    .push((*code, "no key value for it at that date")),
                Some((value, line)) => {
                    fee_check.codes_checked += 1;
                    if fee_of(value, relative) != Some(fee.amount) {
                        wrong
                            .entry((line, relative))
                            .or_insert((value, Vec::new()))
                            .1
                            .push(*code);
                    }
                }
            }
        }
        for ((line, relative), (value, codes)) in wrong {
            let Some(computed) = fee_of(value, relative) else {
                findings.push(
                    Finding::new(
                        Rule::ArithmeticOverflow,
                        location(doc, line, Some(&printed(value))),
                        format!(
                            "key value {} × {} (line {}) does not fit in a decimal (28 digits)",
                            printed(value),
                            printed(relative),
                            fee.source_line
                        ),
                    )
                    .for_code(codes[0]),
                );
                continue;
            };
            let names: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            findings.push(
                Finding::new(
                    Rule::StatedFeeMismatch,
                    location(doc, line, Some(&printed(value))),
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
    findings.extend(indemnity_rates(c, doc, tables));
    findings::sort(&mut findings);
    (findings, fee_check)
}

/// Where a table lists a pseudocode, its interventions must be its fee at
/// the convention's rates (639133: 1,13 at 60% / 15% → 0,68 / 0,17).
fn indemnity_rates(c: &Convention, doc: &SourceDocument, tables: &Tables) -> Vec<Finding> {
    let mut findings = Vec::new();
    for indemnity in &c.indemnities {
        let Some(rate) = &indemnity.reimbursement else {
            continue;
        };
        for pseudo in &indemnity.pseudocodes {
            let Some((row, file)) = tables.rows.get(pseudo) else {
                continue;
            };
            let base = row.fee.unwrap_or(indemnity.amount);
            let share = |percent: Decimal| {
                let share = base
                    .checked_mul(percent)?
                    .checked_div(Decimal::ONE_HUNDRED)?;
                Some(round_to_cent(share))
            };
            let (Some(preferential), Some(standard)) =
                (share(rate.preferential), share(rate.standard))
            else {
                findings.push(
                    Finding::new(
                        Rule::ArithmeticOverflow,
                        location(doc, indemnity.source_line, Some(pseudo.as_str())),
                        format!(
                            "{} at {}% / {}% (pseudocode {pseudo}) does not fit in a decimal (28 digits)",
                            printed(base),
                            rate.preferential,
                            rate.standard
                        ),
                    )
                    .for_code(*pseudo),
                );
                continue;
            };
            let expected = (preferential, standard);
            let found = (row.intervention_preferential, row.intervention_standard);
            if expected != found {
                findings.push(
                    Finding::new(
                        Rule::IndemnityRate,
                        location(doc, indemnity.source_line, Some(pseudo.as_str())),
                        format!(
                            "{file}:{} gives pseudocode {pseudo} interventions {} / {}, not {} at {}% / {}%",
                            row.source_line,
                            printed(found.0),
                            printed(found.1),
                            printed(base),
                            rate.preferential,
                            rate.standard
                        ),
                    )
                    .expected_found(
                        format!("{} / {}", printed(expected.0), printed(expected.1)),
                        format!("{} / {}", printed(found.0), printed(found.1)),
                    )
                    .for_code(*pseudo),
                );
            }
        }
    }
    findings
}
