//! Conventions: prose → key-value lists, stated fees and indemnities.
//!
//! A convention is prose with hard line breaks and page numbers. Its lines
//! are joined into one text (page-number lines dropped, typographic
//! apostrophes made plain), with a map back from each position to its line,
//! and the statements are found there with regular expressions:
//!
//! - key values: a heading "A partir de l'entrée en vigueur de la présente
//!   convention (or: du 1er juillet 2021), la valeur du facteur de
//!   multiplication M est fixée à :" followed by items
//!   "- 0,927692 pour les prestations 560011, 560092, ... ;";
//! - stated fees: "les honoraires des prestations 561595, ... (prestations
//!   M 24 ...) sont portés à 25 euros [à partir du 1er juillet 2021]", and
//!   "un honoraire de 25 euros pour les prestations ..." in a paragraph whose
//!   date is left open ("à partir de la date de leur introduction");
//! - indemnities: "L'indemnité s'élève à 6,50 euro pour les prestations ...
//!   pseudocode 639855 (ambulant) – 639866", the pseudocode table of § 5
//!   ("562671 3,74 EUR Par prestation, ... de 560011, ..."), and the travel
//!   indemnities of § 4 with their reimbursement rates.
//!
//! Code lists accept commas, "et", "ou" and the Dutch "en" before the last item,
//! items wrapped across lines and pages, and pairs written `560534-560545`.
//! Statements apply from the convention's start unless the text gives
//! another date; a date earlier than the start is the start.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;

use super::{dates, metadata};
use crate::code::Code;
use crate::decimal;
use crate::error::Error;
use crate::layout::{DocumentId, DocumentKind};
use crate::model::{
    Convention, Indemnity, KeyValueList, Language, Reimbursement, SourceRef, StatedFee,
    CONVENTION_SCHEMA_ID,
};
use crate::source::SourceDocument;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// A list of codes: six digits, pairs `a-b`, separated by commas, et, en.
const CODES: &str =
    r"\d{6}(?:\s*-\s*\d{6})?(?:\s*(?:,|\bet\b|\ben\b|\bou\b)\s*\d{6}(?:\s*-\s*\d{6})?)*";
const AMOUNT: &str = r"\d+(?:,\d+)?";
const DATE: &str = r"\d{1,2}(?:er|e)?\s+\p{L}+\s+\d{4}";

static KEY_VALUE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:a|à) partir (?:de l'entrée en vigueur de la présente convention|du ({DATE}))\s*,\s*la valeur du facteur de multiplication ([A-Z]) est fixée à\s*:"
    ))
});
static KEY_VALUE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^\s*-\s*(\d+,\d+)\s+pour (?:les prestations|la prestation)\s+({CODES})\s*(?:;|\.|$)"
    ))
});
static STATED_FEE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:les honoraires des prestations|l'honoraire de la prestation)\s+({CODES})\s*\((?:prestations?\s+)?([A-Z])\s?({AMOUNT})[^)]*\)\s*sont portés à\s*({AMOUNT})\s*euros?(?:\s+à partir du ({DATE}))?"
    ))
});
static OPEN_FEE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"un honoraire de ({AMOUNT}) euros?(?: soit fixé)? pour les prestations ({CODES})"
    ))
});
static SIMPLE_INDEMNITY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"L'indemnité s'élève à ({AMOUNT}) euros? pour (?:les|la) prestations? ({CODES})\s*\.\s*L'indemnité pour (?:ces|cette) prestations? est attestée au moyen du pseudocode (\d{{6}})(?:\s*\(ambulant\)\s*[–-]\s*(\d{{6}}))?"
    ))
});
static TABLE_INDEMNITY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(\d{{6}})(?:-(\d{{6}}))? ({AMOUNT}) EUR Par prestation, de la 1ère à la \d+ème prestation de ({CODES})"
    ))
});
static TRAVEL_MAXIMUM: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"à maximum ({AMOUNT}) euros, sauf la prestation (\d{{6}}) pour laquelle l'indemnité est de maximum ({AMOUNT}) euros"
    ))
});
static TRAVEL_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"Pour (?:les|la) prestations? (.*?)(?:cette indemnité|l'indemnité)[^.]*?pseudocode (\d{6})")
});
static RATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"n'est pas remboursée|remboursée à (\d+)\s?% pour les patients à titre préférentiel et (\d+)\s?%|remboursée intégralement",
    )
});
static CODE: LazyLock<Regex> = LazyLock::new(|| re(r"(\d{6})(?:\s*-\s*(\d{6}))?"));
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\d{1,3}\s*$"));

/// The convention's text as one string, with the line each position came from.
struct Joined {
    text: String,
    /// `(offset in text, line number)`, ascending.
    starts: Vec<(usize, usize)>,
}

impl Joined {
    fn new(doc: &SourceDocument) -> Joined {
        let mut text = String::new();
        let mut starts = Vec::new();
        for line in &doc.lines {
            if PAGE_NUMBER.is_match(&line.text) || line.text.trim().is_empty() {
                continue;
            }
            starts.push((text.len(), line.number));
            let clean = line.text.replace(['’', '‘'], "'");
            text.push_str(&clean.split_whitespace().collect::<Vec<_>>().join(" "));
            text.push(' ');
        }
        Joined { text, starts }
    }

    /// The source line of a position in the joined text.
    fn line(&self, offset: usize) -> usize {
        let at = self.starts.partition_point(|(start, _)| *start <= offset);
        self.starts[at.saturating_sub(1)].1
    }
}

/// Whether a document is a convention (its first line says so).
pub fn is_convention(doc: &SourceDocument) -> bool {
    let first = doc
        .lines
        .iter()
        .map(|l| l.text.trim())
        .find(|t| !t.is_empty());
    matches!(first, Some(t) if t.eq_ignore_ascii_case("CONVENTION") || t.eq_ignore_ascii_case("OVEREENKOMST"))
}

/// Parses a convention.
pub fn parse(doc: &SourceDocument) -> Result<Convention, Error> {
    let unknown = |reason: &str| Error::UnknownDocument {
        path: doc.path.clone(),
        reason: reason.to_string(),
    };
    let joined = Joined::new(doc);
    let text = &joined.text;
    let heading: Vec<&str> = doc
        .lines
        .iter()
        .map(|l| l.text.trim())
        .filter(|t| !t.is_empty())
        .take(2)
        .collect();
    let title = heading.join(" ");
    let language = if heading[0].eq_ignore_ascii_case("OVEREENKOMST") {
        Language::Nl
    } else {
        Language::Fr
    };
    let profession = re(r"(?i)(?:ENTRE LES|TUSSEN DE) (\S+)")
        .captures(&title)
        .and_then(|c| metadata::profession_slug(&c[1]))
        .ok_or_else(|| {
            unknown("no profession in the title (`CONVENTION ENTRE LES KINESITHERAPEUTES ...`)")
        })?;
    let year = re(r"conclue pour l'année (\d{4})")
        .captures(text)
        .and_then(|c| c[1].parse::<i32>().ok())
        .ok_or_else(|| {
            unknown("no period found (`La convention est conclue pour l'année 2021`)")
        })?;
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("a valid year");
    let concluded_on = re(&format!(
        r"réunion de la Commission de conventions.*? du ({DATE})"
    ))
    .captures(text)
    .and_then(|c| dates::find_written(&c[1]));
    let id = DocumentId {
        profession: profession.to_string(),
        kind: DocumentKind::Convention,
        effective_from: start,
    };
    let at_or_after_start = |d: Option<NaiveDate>| Some(d.map_or(start, |d| d.max(start)));
    Ok(Convention {
        schema: CONVENTION_SCHEMA_ID.to_string(),
        profession: profession.to_string(),
        effective_from: start,
        title,
        language,
        source: SourceRef {
            file: id.source_path(language, doc.format),
            sha256: doc.sha256.clone(),
            format: doc.format,
        },
        concluded_on,
        effective_until: NaiveDate::from_ymd_opt(year, 12, 31),
        key_values: key_values(&joined, start),
        stated_fees: stated_fees(&joined, &at_or_after_start),
        indemnities: indemnities(&joined, start),
    })
}

fn amount(text: &str) -> Decimal {
    decimal::parse(text).expect("the pattern only matches decimals")
}

/// Every code of a list, pairs `a-b` giving both.
fn codes(list: &str) -> Vec<Code> {
    CODE.captures_iter(list)
        .flat_map(|c| [c.get(1), c.get(2)])
        .flatten()
        .filter_map(|m| Code::parse(m.as_str()))
        .collect()
}

fn key_values(joined: &Joined, start: NaiveDate) -> Vec<KeyValueList> {
    let text = &joined.text;
    let mut lists = Vec::new();
    for heading in KEY_VALUE_HEADING.captures_iter(text) {
        let date = heading
            .get(1)
            .and_then(|d| dates::find_written(d.as_str()))
            .unwrap_or(start);
        let letter = heading[2].chars().next();
        let mut at = heading.get(0).expect("whole match").end();
        while let Some(item) = KEY_VALUE_ITEM.captures(&text[at..]) {
            let whole = item.get(0).expect("whole match");
            let value = item.get(1).expect("value");
            lists.push(KeyValueList {
                key_letter: letter,
                value: amount(value.as_str()),
                effective_from: Some(date.max(start)),
                codes: codes(&item[2]),
                source_line: joined.line(at + value.start()),
            });
            at += whole.end();
        }
    }
    lists
}

fn stated_fees(
    joined: &Joined,
    dated: &dyn Fn(Option<NaiveDate>) -> Option<NaiveDate>,
) -> Vec<StatedFee> {
    let text = &joined.text;
    let mut fees: Vec<StatedFee> = STATED_FEE
        .captures_iter(text)
        .map(|c| StatedFee {
            amount: amount(&c[4]),
            effective_from: dated(c.get(5).and_then(|d| dates::find_written(d.as_str()))),
            key_letter: c[2].chars().next(),
            relative_value: Some(amount(&c[3])),
            codes: codes(&c[1]),
            source_line: joined.line(c.get(0).expect("whole match").start()),
        })
        .collect();
    for c in OPEN_FEE.captures_iter(text) {
        let whole = c.get(0).expect("whole match");
        // The paragraph says when: "à partir de la date de leur introduction dans la nomenclature".
        let before =
            &text[text[..whole.start()].rfind("Indépendamment").unwrap_or(0)..whole.start()];
        let open = before.contains("date de leur introduction");
        fees.push(StatedFee {
            amount: amount(&c[1]),
            effective_from: if open { None } else { dated(None) },
            key_letter: None,
            relative_value: None,
            codes: codes(&c[2]),
            source_line: joined.line(whole.start()),
        });
    }
    fees.sort_by_key(|f| f.source_line);
    fees
}

fn indemnities(joined: &Joined, start: NaiveDate) -> Vec<Indemnity> {
    let text = &joined.text;
    let mut out = Vec::new();
    let indemnity =
        |pseudocodes: Vec<Code>, amount: Decimal, applies_to: Vec<Code>, offset: usize| Indemnity {
            pseudocodes,
            amount,
            maximum: false,
            reimbursement: None,
            applies_to,
            effective_from: Some(start),
            source_line: joined.line(offset),
        };
    for c in SIMPLE_INDEMNITY.captures_iter(text) {
        let pseudo = [c.get(3), c.get(4)]
            .into_iter()
            .flatten()
            .filter_map(|m| Code::parse(m.as_str()))
            .collect();
        out.push(indemnity(
            pseudo,
            amount(&c[1]),
            codes(&c[2]),
            c.get(0).expect("match").start(),
        ));
    }
    for c in TABLE_INDEMNITY.captures_iter(text) {
        let pseudo = [c.get(1), c.get(2)]
            .into_iter()
            .flatten()
            .filter_map(|m| Code::parse(m.as_str()))
            .collect();
        out.push(indemnity(
            pseudo,
            amount(&c[3]),
            codes(&c[4]),
            c.get(0).expect("match").start(),
        ));
    }
    out.extend(travel_indemnities(joined, start));
    out.sort_by_key(|i| i.source_line);
    out
}

/// § 4: a maximum per travel, one pseudocode per group of codes, and the rate
/// at which each is reimbursed.
fn travel_indemnities(joined: &Joined, start: NaiveDate) -> Vec<Indemnity> {
    let text = &joined.text;
    let Some(max) = TRAVEL_MAXIMUM.captures(text) else {
        return Vec::new();
    };
    let (usual, exception, exception_amount) =
        (amount(&max[1]), Code::parse(&max[2]), amount(&max[3]));
    let section_end = text[max.get(0).expect("match").end()..]
        .find("Dans tous les cas")
        .map_or(text.len(), |i| i + max.get(0).expect("match").end());
    let section = max.get(0).expect("match").end()..section_end;
    let mut out: Vec<Indemnity> = Vec::new();
    let clauses: Vec<_> = TRAVEL_CLAUSE
        .captures_iter(&text[section.clone()])
        .collect();
    for (i, c) in clauses.iter().enumerate() {
        let whole = c.get(0).expect("match");
        let tail_end = clauses
            .get(i + 1)
            .map_or(section.len(), |n| n.get(0).expect("match").start());
        let rate = RATE
            .captures(&text[section.start + whole.end()..section.start + tail_end])
            .map(|r| {
                let percent = |m: Option<regex::Match>, all: i64| {
                    m.map_or(Decimal::new(all, 0), |m| amount(m.as_str()))
                };
                let all = if r[0].contains("intégralement") {
                    100
                } else {
                    0
                };
                Reimbursement {
                    preferential: percent(r.get(1), all),
                    standard: percent(r.get(2), all),
                }
            });
        let applies_to = codes(&c[1]);
        let Some(pseudocode) = Code::parse(&c[2]) else {
            continue;
        };
        let amount = if exception.is_some_and(|e| applies_to.contains(&e)) {
            exception_amount
        } else {
            usual
        };
        match out.iter_mut().find(|x| x.pseudocodes == [pseudocode]) {
            Some(existing) => {
                existing.applies_to.extend(applies_to);
                existing.reimbursement = existing.reimbursement.take().or(rate);
            }
            None => out.push(Indemnity {
                pseudocodes: vec![pseudocode],
                amount,
                maximum: true,
                reimbursement: rate,
                applies_to,
                effective_from: Some(start),
                source_line: joined.line(section.start + whole.start()),
            }),
        }
    }
    out
}
