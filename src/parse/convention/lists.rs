//! Key-value lists: a heading, then items read one by one.
//!
//! An item runs from its bullet to its `;` (or the `.` that ends the list, or
//! the next bullet when a `;` is missing). Each item is read on its own: one
//! that cannot be read is reported and the next one is still read, so a
//! misprint costs one finding, never the rest of the list.

use std::sync::LazyLock;

use regex::Regex;

use super::grammar::{
    BULLET, FROM_DATE, FROM_START, HEADING_VERB, KEY_VALUE_HEADING, KEY_VALUE_ITEM,
    KEY_VALUE_NUMBER,
};
use super::Reader;
use crate::model::KeyValueList;

/// What the reader expects of an item, for findings.
const ITEM: &str = "a list item like `- 0,927692 pour les prestations 560011, 560092 ;` (`- 0,927692 voor de verstrekkingen 560011 ;`)";

static ITEM_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:(?:et|en|ou|of)\s+)?(?P<bullet>{BULLET})\s*"
    ))
    .expect("valid regex")
});
/// Where an item ends: its `;`, a sentence end, or a bullet with no `;` before it.
static ITEM_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r";|\.(?:\s|$)|\s[–—•]\s|\s-\s+(?:\d+[,.]\d|pour\b|voor\b)").expect("valid regex")
});
/// After an item that ended a sentence, only an item that starts like one continues the list.
static ITEM_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)^\s*{BULLET}\s*(?:\d|pour\b|voor\b)")).expect("valid regex")
});

/// Reads every key-value list of the text.
pub(super) fn read(reader: &mut Reader<'_>) -> Vec<KeyValueList> {
    let headings: Vec<_> = KEY_VALUE_HEADING
        .captures_iter(reader.text())
        .filter(|c| HEADING_VERB.is_match(&c["before"]) || HEADING_VERB.is_match(&c["after"]))
        .map(|c| {
            let whole = c.get(0).expect("whole match");
            let before = c.name("before").expect("group").range();
            let after = c.name("after").expect("group").range();
            let letter = c.name("letter").expect("group");
            (
                whole.range(),
                before,
                after,
                letter.as_str().chars().next(),
                letter.range(),
            )
        })
        .collect();
    let mut lists = Vec::new();
    for (whole, before, after, letter, letter_span) in headings {
        reader.mark_read(whole.clone());
        // A heading whose date cannot be read is reported; its items are
        // still read and checked, but not kept under a date that is not theirs.
        let date = heading_date(reader, before, after);
        let mut read = Vec::new();
        let found = items(
            reader,
            whole.end,
            letter,
            date.unwrap_or(reader.start),
            &mut read,
        );
        if date.is_some() {
            lists.append(&mut read);
        }
        if found == 0 {
            reader.unreadable(
                letter_span,
                "this key-value heading is followed by no list item",
                ITEM,
                "no item after the heading".into(),
            );
        }
    }
    lists
}

/// The date a heading gives: "à partir du 1er juillet 2021" / "vanaf 1 juli
/// 2021", or the convention's start ("de l'entrée en vigueur de la présente
/// convention", or no date at all); `None` when its date cannot be read.
fn heading_date(
    reader: &mut Reader<'_>,
    before: std::ops::Range<usize>,
    after: std::ops::Range<usize>,
) -> Option<chrono::NaiveDate> {
    for span in [before, after] {
        let found = FROM_DATE
            .captures(&reader.text()[span.clone()])
            .map(|c| c.name("date").expect("group").range());
        if let Some(date) = found {
            let date = reader.date(span.start + date.start..span.start + date.end)?;
            return Some(reader.from(Some(date)));
        }
        if FROM_START.is_match(&reader.text()[span]) {
            return Some(reader.start);
        }
    }
    Some(reader.start)
}

/// Reads the items after a heading; returns how many there were.
fn items(
    reader: &mut Reader<'_>,
    mut at: usize,
    letter: Option<char>,
    date: chrono::NaiveDate,
    lists: &mut Vec<KeyValueList>,
) -> usize {
    let mut count = 0;
    let mut sentence_ended = false;
    loop {
        let rest = &reader.text()[at..];
        if sentence_ended && !ITEM_LIKE.is_match(rest) {
            break;
        }
        let Some(start) = ITEM_START.captures(rest) else {
            break;
        };
        let body_start = at + start.get(0).expect("whole match").end();
        let item_start = at + start.name("bullet").expect("group").start();
        let (body_end, next, ends_sentence) = item_end(reader.text(), body_start);
        count += 1;
        if let Some(list) = item(reader, item_start, body_start..body_end, letter, date) {
            lists.push(list);
        }
        at = next;
        sentence_ended = ends_sentence;
    }
    count
}

/// Where the item whose body starts at `from` ends: the end of its body,
/// where the next item may start, and whether a sentence ended there.
fn item_end(text: &str, from: usize) -> (usize, usize, bool) {
    match ITEM_END.find(&text[from..]) {
        Some(m) => {
            let end = from + m.start();
            let separator = m.as_str();
            if separator.starts_with(';') || separator.starts_with('.') {
                (end, from + m.start() + 1, separator.starts_with('.'))
            } else {
                // A bullet: the next item starts at it.
                (end, end, false)
            }
        }
        None => (text.len(), text.len(), true),
    }
}

/// Reads one item; reports it and returns `None` when it cannot be read.
fn item(
    reader: &mut Reader<'_>,
    item_start: usize,
    body: std::ops::Range<usize>,
    letter: Option<char>,
    date: chrono::NaiveDate,
) -> Option<KeyValueList> {
    let text = reader.text()[body.clone()].to_string();
    let whole = item_start..body.end.max(item_start + 1);
    let Some(c) = KEY_VALUE_ITEM.captures(&text) else {
        unreadable_item(reader, whole, body.start, &text);
        return None;
    };
    let value = c.name("value").expect("group");
    let value_span = body.start + value.start()..body.start + value.end();
    if !KEY_VALUE_NUMBER.is_match(value.as_str()) {
        reader.unreadable(
            value_span,
            "this list item's key value is not a number",
            "a key value like `0,927692`",
            format!("`{}`", value.as_str()),
        );
        return None;
    }
    let Some(key_value) = reader.number(value_span.clone()) else {
        reader.mark_read(whole);
        return None;
    };
    let codes_range = c.name("codes").expect("group").range();
    let Some(codes) = reader.codes(
        body.start + codes_range.start..body.start + codes_range.end,
        "list item",
    ) else {
        reader.mark_read(whole);
        return None;
    };
    reader.mark_read(whole);
    let position = reader.position(value_span.start);
    Some(KeyValueList {
        key_letter: letter,
        value: key_value,
        effective_from: Some(date),
        codes,
        source_line: position.line,
        source_page: position.page,
    })
}

/// Reports an item the grammar does not match, pointing at the part that
/// goes wrong: a missing value, a value that is not one number, or the words
/// after the value.
fn unreadable_item(
    reader: &mut Reader<'_>,
    whole: std::ops::Range<usize>,
    body: usize,
    text: &str,
) {
    // One finding per item: the sweep of unread statements skips it.
    reader.mark_read(whole.clone());
    let first = text.split_whitespace().next().unwrap_or("");
    if first.eq_ignore_ascii_case("pour") || first.eq_ignore_ascii_case("voor") {
        let found = "no value before `pour`/`voor`".to_string();
        return reader.unreadable(whole, "this list item has no key value", ITEM, found);
    }
    if KEY_VALUE_NUMBER.is_match(first) {
        let after = text.find(first).map_or(0, |i| i + first.len());
        let rest = text[after..].trim_start();
        let at = body + text.len() - rest.len();
        return reader.unreadable(
            at..at + rest.len().clamp(1, 40),
            "this list item cannot be read after its value",
            "`pour les prestations` / `pour la prestation` (`voor de verstrekkingen`) and six-digit codes",
            format!("`{}`", shorten(rest)),
        );
    }
    let found = format!("`{}`", shorten(text));
    reader.unreadable(whole, "this list item cannot be read", ITEM, found);
}

/// The start of a long text, for messages.
pub(super) fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
