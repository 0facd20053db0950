//! Indemnities: amounts attested with pseudocodes, and how much of them the
//! insurance pays back.
//!
//! - "L'indemnité s'élève à 6,50 euro pour les prestations ... L'indemnité
//!   pour ces prestations est attestée au moyen du pseudocode 639855
//!   (ambulant) – 639866 (hospitalisé)" / "De vergoeding bedraagt 6,50 euro
//!   voor de verstrekkingen ... geattesteerd met de pseudocode 639855 ...";
//! - the pseudocode table: "562671 3,74 EUR Par prestation, de la 1ère à la
//!   9ème prestation de 560011, ..." / "Per verstrekking, van de 1ste tot de
//!   9de verstrekking van ...";
//! - travel indemnities (§ 4): a maximum per travel, one pseudocode per group
//!   of codes, each with its rate;
//! - rates: "remboursée à 60% ... et 15% ...", "intégralement remboursée",
//!   "n'est pas remboursée" / "terugbetaald ten belope van 60% ... en 15%
//!   ...", "volledig terugbetaald", "niet terugbetaald". A rate stated after
//!   the indemnities of a section, on its own ("L'indemnité est
//!   intégralement remboursée"), applies to those of them that have none.

use std::ops::Range;

use rust_decimal::Decimal;

use super::grammar::{
    INDEMNITY, PSEUDOCODES, RATE, SECTION, STANDARD_WORDS, TABLE_INDEMNITY, TRAVEL_CLAUSE,
    TRAVEL_END, TRAVEL_MAXIMUM,
};
use super::{number, Reader};
use crate::code::Code;
use crate::model::{Indemnity, Reimbursement};

/// How far after an indemnity's amount its pseudocode may be named.
const PSEUDOCODE_REACH: usize = 300;

/// An indemnity read, and where its statement is in the text.
struct Read {
    indemnity: Indemnity,
    at: usize,
}

/// Reads every indemnity, in the order of the text.
pub(super) fn read(reader: &mut Reader<'_>) -> Vec<Indemnity> {
    let mut out = simple(reader);
    out.extend(table(reader));
    out.extend(travel(reader));
    out.sort_by_key(|r| r.at);
    let (rates, too_long) = rates(reader.text());
    for span in too_long {
        reader.too_long(span);
    }
    apply_section_rates(reader.text(), &mut out, &rates);
    out.into_iter().map(|r| r.indemnity).collect()
}

fn indemnity(
    reader: &Reader<'_>,
    at: usize,
    pseudocodes: Vec<Code>,
    amount: Decimal,
    applies_to: Vec<Code>,
) -> Read {
    let position = reader.position(at);
    Read {
        indemnity: Indemnity {
            pseudocodes,
            amount,
            maximum: false,
            reimbursement: None,
            applies_to,
            effective_from: Some(reader.start),
            source_line: position.line,
            source_page: position.page,
        },
        at,
    }
}

fn simple(reader: &mut Reader<'_>) -> Vec<Read> {
    let found: Vec<(Range<usize>, Range<usize>, Range<usize>)> = INDEMNITY
        .captures_iter(reader.text())
        .map(|c| {
            (
                c.get(0).expect("whole match").range(),
                c.name("amount")
                    .or(c.name("amount2"))
                    .expect("one form matched")
                    .range(),
                c.name("codes")
                    .or(c.name("codes2"))
                    .expect("one form matched")
                    .range(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for (i, (whole, amount, codes)) in found.iter().enumerate() {
        let Some(applies_to) = reader.codes(codes.clone(), "indemnity") else {
            reader.mark_read(whole.clone());
            continue;
        };
        // The pseudocode is named in the same or the next sentence, before the next indemnity.
        let reach_end = found
            .get(i + 1)
            .map_or(reader.text().len(), |n| n.0.start)
            .min(whole.end + PSEUDOCODE_REACH)
            .min(reader.text().len());
        let reach = whole.end..floor_char(reader.text(), reach_end);
        let Some(p) = PSEUDOCODES.captures(&reader.text()[reach.clone()]) else {
            reader.unreadable(
                whole.clone(),
                "this indemnity names no pseudocode",
                "`... est attestée au moyen du pseudocode 639855` (`... geattesteerd met de pseudocode 639855`) after the amount",
                "no pseudocode in the next sentence".into(),
            );
            continue;
        };
        let pseudo_end = reach.start + p.get(0).expect("whole match").end();
        let pseudocodes = [p.name("first"), p.name("second")]
            .into_iter()
            .flatten()
            .filter_map(|m| Code::parse(m.as_str()))
            .collect();
        reader.mark_read(whole.start..pseudo_end);
        let Some(amount) = reader.euros(amount.clone()) else {
            continue;
        };
        let mut read = indemnity(reader, whole.start, pseudocodes, amount, applies_to);
        // A rate in the sentence right after the pseudocode belongs to this indemnity.
        let next = reader.text()[pseudo_end..reach_end.max(pseudo_end)].to_string();
        if let Some(rate) = RATE.captures(&next) {
            read.indemnity.reimbursement = reimbursement(&rate);
        }
        out.push(read);
    }
    out
}

fn table(reader: &mut Reader<'_>) -> Vec<Read> {
    let found: Vec<_> = TABLE_INDEMNITY
        .captures_iter(reader.text())
        .map(|c| {
            let pseudo: Vec<Code> = [c.name("first"), c.name("second")]
                .into_iter()
                .flatten()
                .filter_map(|m| Code::parse(m.as_str()))
                .collect();
            (
                c.get(0).expect("whole match").range(),
                pseudo,
                c.name("amount").expect("group").range(),
                c.name("codes").expect("group").range(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for (whole, pseudo, amount, codes) in found {
        let Some(applies_to) = reader.codes(codes, "pseudocode table row") else {
            reader.mark_read(whole);
            continue;
        };
        reader.mark_read(whole.clone());
        let Some(amount) = reader.euros(amount) else {
            continue;
        };
        out.push(indemnity(reader, whole.start, pseudo, amount, applies_to));
    }
    out
}

/// § 4: a maximum per travel, one pseudocode per group of codes, and the rate
/// at which each is reimbursed.
fn travel(reader: &mut Reader<'_>) -> Vec<Read> {
    let Some(max) = TRAVEL_MAXIMUM.captures(reader.text()) else {
        return Vec::new();
    };
    let whole = max.get(0).expect("whole match").range();
    let usual = max.name("usual").expect("group").range();
    let exception = Code::parse(&max["code"]);
    let exception_amount = max.name("exception").expect("group").range();
    reader.mark_read(whole.clone());
    let (Some(usual), Some(exception_amount)) =
        (reader.euros(usual), reader.euros(exception_amount))
    else {
        return Vec::new();
    };
    let section_end = TRAVEL_END
        .find(&reader.text()[whole.end..])
        .map_or(reader.text().len(), |m| whole.end + m.start());
    let section = whole.end..section_end;
    let clauses: Vec<(Range<usize>, Vec<Code>, Option<Code>)> = TRAVEL_CLAUSE
        .captures_iter(&reader.text()[section.clone()])
        .map(|c| {
            let codes = six_digit_codes(&c["codes"]);
            let span = c.get(0).expect("whole match").range();
            (
                section.start + span.start..section.start + span.end,
                codes,
                Code::parse(&c["pseudo"]),
            )
        })
        .collect();
    let mut out: Vec<Read> = Vec::new();
    for (i, (span, applies_to, pseudocode)) in clauses.iter().enumerate() {
        let Some(pseudocode) = *pseudocode else {
            continue;
        };
        let tail_end = clauses.get(i + 1).map_or(section.end, |n| n.0.start);
        let rate = RATE
            .captures(&reader.text()[span.end..tail_end])
            .and_then(|r| reimbursement(&r));
        reader.mark_read(span.start..tail_end);
        let amount = if exception.is_some_and(|e| applies_to.contains(&e)) {
            exception_amount
        } else {
            usual
        };
        match out
            .iter_mut()
            .find(|x| x.indemnity.pseudocodes == [pseudocode])
        {
            Some(existing) => {
                existing.indemnity.applies_to.extend(applies_to);
                existing.indemnity.reimbursement = existing.indemnity.reimbursement.take().or(rate);
            }
            None => {
                let mut read = indemnity(
                    reader,
                    span.start,
                    vec![pseudocode],
                    amount,
                    applies_to.clone(),
                );
                read.indemnity.maximum = true;
                read.indemnity.reimbursement = rate;
                out.push(read);
            }
        }
    }
    out
}

/// The six-digit codes in a clause's prose (`560313, 560350 et 560394
/// mentionnées au §1er, 1°, II, et 561654`).
fn six_digit_codes(text: &str) -> Vec<Code> {
    super::grammar::CODE_TOKEN
        .captures_iter(text)
        .filter_map(|c| Code::parse(&c[1]))
        .collect()
}

/// The rate a statement gives; `None` when a percentage has more digits than
/// a decimal holds (reported once, by [`read`]).
fn reimbursement(rate: &regex::Captures<'_>) -> Option<Reimbursement> {
    let all = |percent: i64| Reimbursement {
        preferential: Decimal::new(percent, 0),
        standard: Decimal::new(percent, 0),
    };
    if rate.name("none").is_some() {
        return Some(all(0));
    }
    if rate.name("full").is_some() {
        return Some(all(100));
    }
    let (first, second) = (number(&rate["first"])?, number(&rate["second"])?);
    // "15% pour les non-préférentiels et 60% pour les préférentiels": the words say which is which.
    if STANDARD_WORDS.is_match(&rate["between"]) && !STANDARD_WORDS.is_match(&rate["after"]) {
        Some(Reimbursement {
            preferential: second,
            standard: first,
        })
    } else {
        Some(Reimbursement {
            preferential: first,
            standard: second,
        })
    }
}

/// Every rate statement of the text: where it is, and the rate; and the
/// spans of the percentages too long to read.
fn rates(text: &str) -> (Vec<(usize, Reimbursement)>, Vec<Range<usize>>) {
    let mut read = Vec::new();
    let mut too_long = Vec::new();
    for c in RATE.captures_iter(text) {
        match reimbursement(&c) {
            Some(rate) => read.push((c.get(0).expect("whole match").start(), rate)),
            None => too_long.extend(
                [c.name("first"), c.name("second")]
                    .into_iter()
                    .flatten()
                    .filter(|m| number(m.as_str()).is_none())
                    .map(|m| m.range()),
            ),
        }
    }
    (read, too_long)
}

/// A rate stated on its own after some indemnities of a section applies to
/// those that have none (§ 6: "L'indemnité est intégralement remboursée").
fn apply_section_rates(text: &str, indemnities: &mut [Read], rates: &[(usize, Reimbursement)]) {
    for read in indemnities
        .iter_mut()
        .filter(|r| r.indemnity.reimbursement.is_none())
    {
        let section_end = SECTION
            .find(&text[read.at..])
            .map_or(text.len(), |m| read.at + m.start());
        if let Some((_, rate)) = rates
            .iter()
            .find(|(at, _)| *at > read.at && *at < section_end)
        {
            read.indemnity.reimbursement = Some(rate.clone());
        }
    }
}

/// The largest char boundary at or below `at`.
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
