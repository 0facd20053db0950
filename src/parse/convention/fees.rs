//! Stated fees: "les honoraires des prestations ... (prestations M 24 ...)
//! sont portés à 25 euros [à partir du 1er juillet 2021]" / "worden de
//! honoraria van de verstrekkingen ... (verstrekkingen M 24 ...) [vanaf 1 juli
//! 2021] op 25 euro gebracht", and the fees of a paragraph whose date is left
//! open ("un honoraire de 25 euros pour les prestations ..." under "à partir
//! de la date de leur introduction dans la nomenclature").

use std::ops::Range;

use super::grammar::{FEE_VERB, FROM_DATE, OPEN_DATE, OPEN_FEE, RELATIVE_VALUE, STATED_FEE};
use super::Reader;
use crate::model::StatedFee;

/// Reads every stated fee, in the order of the text.
pub(super) fn read(reader: &mut Reader<'_>) -> Vec<StatedFee> {
    let mut fees = stated(reader);
    fees.extend(open(reader));
    fees.sort_by_key(|f| f.source_line);
    fees
}

struct Found {
    whole: Range<usize>,
    codes: Range<usize>,
    amount: Range<usize>,
    paren: Option<Range<usize>>,
    /// Where a date may stand: around the verb and after the amount.
    around: [Range<usize>; 2],
}

fn stated(reader: &mut Reader<'_>) -> Vec<StatedFee> {
    let text = reader.text();
    let found: Vec<Found> = STATED_FEE
        .captures_iter(text)
        .filter(|c| {
            FEE_VERB.is_match(&c["gap"])
                || FEE_VERB.is_match(&c["tail"])
                || verb_before(text, c.get(0).expect("whole match").start())
        })
        .map(|c| Found {
            whole: c.get(0).expect("whole match").range(),
            codes: c.name("codes").expect("group").range(),
            amount: c.name("amount").expect("group").range(),
            paren: c.name("paren").map(|m| m.range()),
            around: [
                c.name("gap").expect("group").range(),
                c.name("tail").expect("group").range(),
            ],
        })
        .collect();
    let mut fees = Vec::new();
    for f in found {
        let Some(codes) = reader.codes(f.codes.clone(), "stated fee") else {
            reader.mark_read(f.whole.clone());
            continue;
        };
        let sentence = sentence_start(reader.text(), f.whole.start)..f.whole.start;
        let date = [sentence, f.around[0].clone(), f.around[1].clone()]
            .into_iter()
            .find_map(|span| date_in(reader, span));
        let relative = f.paren.as_ref().and_then(|p| {
            let c = RELATIVE_VALUE.captures(&reader.text()[p.clone()])?;
            let value = c.name("value").expect("group").range();
            Some((
                c["letter"].chars().next(),
                p.start + value.start..p.start + value.end,
            ))
        });
        reader.mark_read(f.whole.clone());
        let relative = match relative {
            Some((letter, span)) => match reader.number(span) {
                Some(value) => Some((letter, value)),
                None => continue,
            },
            None => None,
        };
        let Some(amount) = reader.euros(f.amount) else {
            continue;
        };
        let position = reader.position(f.whole.start);
        fees.push(StatedFee {
            amount,
            effective_from: Some(reader.from(date)),
            key_letter: relative.and_then(|r| r.0),
            relative_value: relative.map(|r| r.1),
            codes,
            source_line: position.line,
            source_page: position.page,
        });
    }
    fees
}

/// Whether the verb stands before the fees, in the same sentence
/// ("bedragen de honoraria van de verstrekkingen ... 27,50 euro").
fn verb_before(text: &str, at: usize) -> bool {
    FEE_VERB.is_match(&text[sentence_start(text, at)..at])
}

/// The date "à partir du ..." / "vanaf ..." in a span of text, if any.
fn date_in(reader: &mut Reader<'_>, span: Range<usize>) -> Option<chrono::NaiveDate> {
    let at = FROM_DATE
        .captures(&reader.text()[span.clone()])?
        .name("date")
        .expect("group")
        .range();
    reader.date(span.start + at.start..span.start + at.end)
}

/// Where the sentence holding `offset` starts.
pub(super) fn sentence_start(text: &str, offset: usize) -> usize {
    let before = &text[..offset];
    before
        .match_indices(". ")
        .filter(|(i, _)| {
            // A decimal point or an abbreviation (`Art. 3`) is no sentence end.
            text[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '§')
        })
        .last()
        .map_or(0, |(i, _)| i + 2)
}

fn open(reader: &mut Reader<'_>) -> Vec<StatedFee> {
    let found: Vec<(Range<usize>, Range<usize>, Range<usize>)> = OPEN_FEE
        .captures_iter(reader.text())
        .map(|c| {
            (
                c.get(0).expect("whole match").range(),
                c.name("amount").expect("group").range(),
                c.name("codes").expect("group").range(),
            )
        })
        .collect();
    let mut fees = Vec::new();
    for (whole, amount, codes) in found {
        let Some(codes) = reader.codes(codes, "stated fee") else {
            reader.mark_read(whole.clone());
            continue;
        };
        let sentence = sentence_start(reader.text(), whole.start)..whole.start;
        let open = OPEN_DATE.is_match(&reader.text()[sentence.clone()]);
        let date = if open {
            None
        } else {
            let stated = date_in(reader, sentence);
            Some(reader.from(stated))
        };
        reader.mark_read(whole.clone());
        let Some(amount) = reader.euros(amount) else {
            continue;
        };
        let position = reader.position(whole.start);
        fees.push(StatedFee {
            amount,
            effective_from: date,
            key_letter: None,
            relative_value: None,
            codes,
            source_line: position.line,
            source_page: position.page,
        });
    }
    fees
}
