//! The arithmetic and consistency rules of a tariff table.
//!
//! Every rule works on exact decimals. The rules only need the rows; where the
//! rows came from (a source line with spans, or a snapshot) is told by a
//! [`Locate`] implementation, so the same checks run at import time and on
//! snapshots already in `parsed/`.

use rustc_hash::{FxHashMap, FxHashSet};

use rust_decimal::Decimal;

use crate::code::Code;
use crate::decimal::{self, to_document_style as doc};
use crate::findings::{self, Cell, Finding, Locate, Location, Rule};
use crate::model::{KeyTerm, TariffRow, TariffTable};

/// Runs every rule on `table`; findings are in row order.
pub fn check(table: &TariffTable, locate: &dyn Locate) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, row) in table.rows.iter().enumerate() {
        check_row(index, row, locate, &mut findings);
    }
    check_duplicates(table, locate, &mut findings);
    check_shares(table, locate, &mut findings);
    check_fee_notes(table, locate, &mut findings);
    findings::sort(&mut findings);
    findings
}

fn check_row(index: usize, row: &TariffRow, locate: &dyn Locate, out: &mut Vec<Finding>) {
    let at = |cell| locate.location(index, row, cell);
    let code = row.code();
    check_terms(row, at, out);
    for (value, cell) in [
        (row.ambulatory_code, Cell::AmbulatoryCode),
        (row.hospitalized_code, Cell::HospitalizedCode),
    ] {
        if let Some(c) = value.filter(|c| !c.check_digit_ok()) {
            let digit = c.expected_check_digit();
            out.push(
                Finding::new(
                    Rule::CheckDigit,
                    at(cell),
                    format!("code {c} fails the check digit"),
                )
                .expected_found(
                    format!("last digit {digit} ({} mod 7 = {digit})", &c[..5]),
                    c.to_string(),
                )
                .for_code(c),
            );
        }
    }
    let (what, formula) = formula(row);
    let Some(computed) = row.reference_fee() else {
        // Nothing below can be checked against a fee that cannot be computed.
        out.push(overflow(
            at(Cell::KeyValue),
            code,
            format!("{what} does not fit in a decimal (28 digits): {formula}"),
        ));
        check_order(row, at, out);
        check_pair(row, at, out);
        return;
    };
    if let Some(fee) = row.fee.filter(|fee| *fee != computed) {
        out.push(
            Finding::new(
                Rule::FeeMismatch,
                at(Cell::Fee),
                format!(
                    "fee is not {what} rounded to the cent: {formula} = {}, document says {}",
                    doc(computed),
                    doc(fee)
                ),
            )
            .expected_found(doc(computed), doc(fee))
            .for_code(code),
        );
    }
    // A free fee still has a reference amount: key value × relative value
    // (or the sum of its terms).
    let base = row.fee.unwrap_or(computed);
    let base_name = if row.fee.is_some() { "the fee" } else { what };
    for (value, cell, who) in [
        (
            row.intervention_preferential,
            Cell::InterventionPreferential,
            "preferential",
        ),
        (
            row.intervention_standard,
            Cell::InterventionStandard,
            "standard",
        ),
    ] {
        if value > base {
            out.push(
                Finding::new(
                    Rule::InterventionExceedsFee,
                    at(cell),
                    format!("{who} intervention is larger than {base_name}"),
                )
                .expected_found(format!("at most {}", doc(base)), doc(value))
                .for_code(code),
            );
        } else if decimal::exact_sub(base, value).is_none() {
            out.push(overflow(
                at(cell),
                code,
                format!(
                    "the personal share {} − {} does not fit in a decimal (28 digits)",
                    doc(base),
                    doc(value)
                ),
            ));
        }
    }
    check_order(row, at, out);
    check_pair(row, at, out);
}

/// What a row's fee is made of, in words, and its formula as the document
/// writes numbers: `1,066667 × 24`, or for several key letters
/// `N 8 × 3,372107 + Q 30 × 0,195645`.
fn formula(row: &TariffRow) -> (&'static str, String) {
    if row.key_terms.is_empty() {
        (
            "key value × relative value",
            format!("{} × {}", doc(row.key_value), doc(row.relative_value)),
        )
    } else {
        (
            "the sum of its key letters' terms",
            KeyTerm::formula(&row.key_terms, doc),
        )
    }
}

/// The snapshot contract of a row of several key letters: its terms name
/// distinct letters, in the order of the letters, and the single fields
/// repeat the first term. A parse always keeps it; a hand-edited snapshot
/// may not.
fn check_terms(row: &TariffRow, at: impl Fn(Cell) -> Location, out: &mut Vec<Finding>) {
    let terms = &row.key_terms;
    if terms.is_empty() {
        return;
    }
    let mut canonical = terms.clone();
    canonical.sort_by_key(|t| t.key_letter);
    let single = |letter: Option<char>, value: Decimal, relative: Decimal| {
        let letter = letter.map_or("none".to_string(), |c| c.to_string());
        format!(
            "key_letter {letter}, key_value {}, relative_value {}",
            doc(value),
            doc(relative)
        )
    };
    let found = format!(
        "key_terms {}; {}",
        KeyTerm::formula(terms, doc),
        single(row.key_letter, row.key_value, row.relative_value)
    );
    let finding = |message: String| {
        Finding::new(Rule::KeyTermsInconsistent, at(Cell::Row), message).for_code(row.code())
    };
    if let Some(twice) = canonical
        .windows(2)
        .find(|w| w[0].key_letter == w[1].key_letter)
    {
        let letter = twice[0].key_letter;
        out.push(finding(format!(
            "key_terms name key letter {letter} twice: {found}"
        )));
        return;
    }
    let first = canonical[0];
    let mut wrong = Vec::new();
    if canonical != *terms {
        wrong.push("key_terms are not in the order of their key letters");
    }
    if (row.key_letter, row.key_value, row.relative_value)
        != (Some(first.key_letter), first.key_value, first.coefficient)
    {
        wrong.push("the single fields do not repeat the first term (by letter)");
    }
    if !wrong.is_empty() {
        let expected = format!(
            "key_terms {}; {}",
            KeyTerm::formula(&canonical, doc),
            single(Some(first.key_letter), first.key_value, first.coefficient)
        );
        out.push(finding(wrong.join("; ")).expected_found(expected, found));
    }
}

/// An `arithmetic-overflow` finding for the row of `code`.
fn overflow(location: Location, code: Code, message: String) -> Finding {
    Finding::new(Rule::ArithmeticOverflow, location, message).for_code(code)
}

fn check_order(row: &TariffRow, at: impl Fn(Cell) -> Location, out: &mut Vec<Finding>) {
    if row.intervention_preferential < row.intervention_standard {
        out.push(
            Finding::new(
                Rule::PreferentialBelowStandard,
                at(Cell::InterventionPreferential),
                "preferential intervention is smaller than the standard one",
            )
            .expected_found(
                format!("at least {}", doc(row.intervention_standard)),
                doc(row.intervention_preferential),
            )
            .for_code(row.code()),
        );
    }
}

fn check_pair(row: &TariffRow, at: impl Fn(Cell) -> Location, out: &mut Vec<Finding>) {
    if let (Some(amb), Some(hos)) = (row.ambulatory_code, row.hospitalized_code) {
        if hos.number() != amb.number() + 11 {
            out.push(
                Finding::new(
                    Rule::CodePair,
                    at(Cell::HospitalizedCode),
                    format!("AMB and HOS codes {amb} / {hos} do not differ by 11"),
                )
                .expected_found(
                    format!("{amb} + 11 = {}", amb.number() + 11),
                    hos.to_string(),
                )
                .for_code(amb),
            );
        }
    }
}

fn check_duplicates(table: &TariffTable, locate: &dyn Locate, out: &mut Vec<Finding>) {
    // Found first, built after: the findings vector grows once, not by
    // doubling, when a generated table repeats codes a million times.
    let mut first_seen: FxHashMap<Code, usize> = FxHashMap::default();
    let mut repeats = Vec::new();
    for (index, row) in table.rows.iter().enumerate() {
        for (code, cell) in [
            (row.ambulatory_code, Cell::AmbulatoryCode),
            (row.hospitalized_code, Cell::HospitalizedCode),
        ] {
            let Some(code) = code else { continue };
            match first_seen.get(&code) {
                Some(&first) => repeats.push((index, cell, code, first)),
                None => {
                    first_seen.insert(code, index);
                }
            }
        }
    }
    out.reserve(repeats.len());
    for (index, cell, code, first) in repeats {
        let first_line = table.rows[first].source_line;
        out.push(
            Finding::new(
                Rule::DuplicateCode,
                locate.location(index, &table.rows[index], cell),
                "this code is already on an earlier row",
            )
            .expected_found(
                "each code on one row only",
                format!("also on line {first_line}"),
            )
            .for_code(code),
        );
    }
}

/// The personal share of a row: what the patient pays, preferential and
/// standard; `None` when the amounts overflow (reported by [`check_row`]).
fn share(row: &TariffRow) -> Option<(Decimal, Decimal)> {
    let base = match row.fee {
        Some(fee) => fee,
        None => row.reference_fee()?,
    };
    Some((
        decimal::exact_sub(base, row.intervention_preferential)?,
        decimal::exact_sub(base, row.intervention_standard)?,
    ))
}

/// Personal shares are fixed amounts per category, so a share seen on one row
/// only is suspicious. Rows that already have an error are left out: they
/// would only repeat that error as a warning, and should not vouch for others.
/// So are rows with no intervention at all (a travel pseudocode the convention
/// says is "pas remboursée"): the patient pays everything, which is no share.
fn check_shares(table: &TariffTable, locate: &dyn Locate, out: &mut Vec<Finding>) {
    let flagged: FxHashSet<Code> = out
        .iter()
        .filter(|f| f.is_error())
        .filter_map(|f| f.code)
        .collect();
    let clean: Vec<(usize, &TariffRow, (Decimal, Decimal))> = table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.codes().any(|c| flagged.contains(&c)))
        .filter(|(_, r)| {
            !(r.intervention_preferential.is_zero() && r.intervention_standard.is_zero())
        })
        .filter_map(|(i, r)| Some((i, r, share(r)?)))
        .collect();
    let mut counts: FxHashMap<(Decimal, Decimal), usize> = FxHashMap::default();
    for (_, _, share) in &clean {
        *counts.entry(*share).or_default() += 1;
    }
    let mut common: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    common.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let known = common
        .iter()
        .take(6)
        .map(|((p, s), _)| format!("{} / {}", doc(*p), doc(*s)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut warnings = Vec::new();
    for (index, row, (p, s)) in clean {
        if counts[&(p, s)] == 1 {
            warnings.push(
                Finding::new(
                    Rule::ShareOutlier,
                    locate.location(index, row, Cell::Row),
                    format!(
                        "personal share {} / {} (fee − interventions) matches no other row",
                        doc(p),
                        doc(s)
                    ),
                )
                .expected_found(
                    format!("a share other rows have ({known})"),
                    format!("{} / {}", doc(p), doc(s)),
                )
                .for_code(row.code()),
            );
        }
    }
    out.append(&mut warnings);
}

fn check_fee_notes(table: &TariffTable, locate: &dyn Locate, out: &mut Vec<Finding>) {
    for (index, row) in table.rows.iter().enumerate() {
        if row.fee.is_none() && row.fee_note.is_none() {
            out.push(
                Finding::new(
                    Rule::MissingFeeNote,
                    locate.location(index, row, Cell::Fee),
                    "free fee `(*)` without the footnote that explains it",
                )
                .for_code(row.code()),
            );
        }
    }
}
