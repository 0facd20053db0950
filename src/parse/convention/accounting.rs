//! The accounting of a convention: every statement that carries a code and
//! an amount was read, and no tariff table hides in the prose.
//!
//! The readers mark the text they read (or reported). Here the text is cut
//! into statements (at `;`, `:`, sentence ends and bullets); a statement
//! with a code outside those marks and an amount in euros (or a key value) is
//! an `unreadable-statement`: a wording the grammar does not know must never
//! pass for prose. Lines that parse as tariff rows, and tariff titles, are
//! `mixed-document` findings: a document holds one kind.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::grammar::{AMOUNT_TOKEN, CODE_TOKEN};
use super::lists::shorten;
use super::Reader;
use crate::findings::{Finding, Location, Rule};
use crate::parse::{row, title};
use crate::source::SourceDocument;

/// Where one statement ends and the next begins.
static STATEMENT_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[;:]\s|\.\s+(?:\p{Lu}|§|[-–—•])|\s[–—•]\s").expect("valid regex")
});

/// What the reader knows how to read, for the finding's "expected".
const KNOWN: &str = "a statement the reader knows: a key-value item (`- 0,927692 pour les prestations 560011, ...;`), a stated fee (`les honoraires des prestations ... sont portés à 25 euros`), or an indemnity (`L'indemnité s'élève à 6,50 euro pour les prestations ...`), or their Dutch wordings";

pub(super) fn check(reader: &mut Reader<'_>, doc: &SourceDocument) {
    let rows = rows_in_prose(reader, doc);
    unread_statements(reader, &rows);
}

/// `rows`: the lines already reported as tariff rows, not reported twice.
fn unread_statements(reader: &mut Reader<'_>, rows: &HashSet<usize>) {
    let text = reader.text().to_string();
    let read = merged(reader.read.clone());
    let is_read = |at: usize| {
        let i = read.partition_point(|r| r.start <= at);
        i > 0 && read[i - 1].contains(&at)
    };
    let mut start = 0;
    let mut ends: Vec<usize> = STATEMENT_END
        .find_iter(&text)
        .map(|m| m.start() + 1)
        .collect();
    ends.push(text.len());
    for end in ends {
        let statement = start..end.max(start);
        start = end;
        let body = &text[statement.clone()];
        let unread = CODE_TOKEN
            .captures_iter(body)
            .map(|c| statement.start + c.get(1).expect("group").start())
            .find(|at| !is_read(*at) && !rows.contains(&reader.position(*at).line));
        let Some(at) = unread else { continue };
        if !AMOUNT_TOKEN.is_match(body) {
            continue;
        }
        reader.unreadable(
            at..at + 6,
            "this statement carries a code and an amount but matches no statement the reader knows",
            KNOWN,
            format!("`{}`", shorten(body)),
        );
    }
}

/// Ranges sorted and merged where they overlap.
fn merged(mut ranges: Vec<std::ops::Range<usize>>) -> Vec<std::ops::Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Reports tariff rows and titles in the prose; returns their line numbers.
fn rows_in_prose(reader: &mut Reader<'_>, doc: &SourceDocument) -> HashSet<usize> {
    let mut lines = HashSet::new();
    let file: Arc<str> = doc.display_path().into();
    for line in &doc.lines {
        let (what, expected) = if row::parse_row(&line.text).is_ok() {
            (
                "a tariff row inside a convention: a document holds one kind",
                "convention prose",
            )
        } else if title::is_tariff_title(&line.text) {
            (
                "a tariff table's title inside a convention: a document holds one kind",
                "convention prose",
            )
        } else {
            continue;
        };
        lines.insert(line.number);
        let trimmed = line.text.trim_start();
        let at = line.text.len() - trimmed.len();
        let location = Location::in_line(&file, line, at, trimmed.trim_end().chars().count());
        reader.findings.push(
            Finding::new(Rule::MixedDocument, location, what)
                .expected_found(expected, "a tariff row (import the table on its own)"),
        );
    }
    lines
}
