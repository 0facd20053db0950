//! A fast reader for tariff snapshots in exactly the canonical form.
//!
//! `serde_yaml` reads about 30 MB/s, so a 100,000-row snapshot takes a
//! second; diff and history read many. Snapshots are written only by this
//! crate, in one fixed layout, so that layout can be read line by line. The
//! reader accepts nothing else: a snapshot edited into any other valid YAML
//! shape (another quoting style, a block scalar, a reordered or unknown key)
//! makes it return `None`, and the caller falls back to `serde_yaml`. A
//! property test checks that both readers agree on whatever the writer writes.

use std::iter::Peekable;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::code::Code;
use crate::decimal;
use crate::model::{KeyTerm, Language, SourceFormat, SourceRef, TariffRow, TariffTable};

/// Reads a canonical tariff snapshot, or `None` if it is not in canonical form.
pub fn read_tariff(text: &str) -> Option<TariffTable> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let mut top = |key: &str| field(lines.next()?, "", key);
    let schema = string(top("schema")?)?;
    let profession = string(top("profession")?)?;
    let effective_from = date(top("effective_from")?)?;
    let title = string(top("title")?)?;
    let language = match top("language")? {
        "fr" => Language::Fr,
        "nl" => Language::Nl,
        _ => return None,
    };
    if !top("source")?.is_empty() {
        return None;
    }
    let mut nested = |key: &str| field(lines.next()?, "  ", key);
    let file = string(nested("file")?)?;
    let sha256 = string(nested("sha256")?)?;
    let format = match nested("format")? {
        "text" => SourceFormat::Text,
        "pdf" => SourceFormat::Pdf,
        _ => return None,
    };
    let rows_line = lines.next()?;
    let mut rows = Vec::new();
    if rows_line == "rows: []" {
        lines.next().is_none().then_some(())?;
    } else {
        (rows_line == "rows:").then_some(())?;
        let mut lines = lines.peekable();
        while lines.peek().is_some() {
            rows.push(row(&mut lines)?);
        }
    }
    Some(TariffTable {
        schema,
        profession,
        effective_from,
        title,
        language,
        source: SourceRef {
            file,
            sha256,
            format,
        },
        rows,
        sources: Vec::new(),
        translations: Default::default(),
    })
}

/// The raw value of `key: value` at `indent`.
fn field<'a>(line: &'a str, indent: &str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(indent)?
        .strip_prefix(key)?
        .strip_prefix(':')?;
    match rest {
        "" => Some(""),
        _ => rest.strip_prefix(' '),
    }
}

fn row<'a, I: Iterator<Item = &'a str>>(lines: &mut Peekable<I>) -> Option<TariffRow> {
    let mut first = true;
    let mut next = |lines: &mut Peekable<I>, key: &str| {
        let line = lines.next()?;
        let indent = if std::mem::take(&mut first) {
            "- "
        } else {
            "  "
        };
        field(line, indent, key)
    };
    Some(TariffRow {
        ambulatory_code: nullable(next(lines, "ambulatory_code")?, code)?,
        hospitalized_code: nullable(next(lines, "hospitalized_code")?, code)?,
        setting: nullable(next(lines, "setting")?, |s| string(s).map(Into::into))?,
        article: nullable(next(lines, "article")?, |s| string(s).map(Into::into))?,
        key_letter: nullable(next(lines, "key_letter")?, letter)?,
        key_value: amount(next(lines, "key_value")?)?,
        relative_value: amount(next(lines, "relative_value")?)?,
        key_terms: key_terms(lines)?,
        fee: nullable(next(lines, "fee")?, amount)?,
        fee_note: nullable(next(lines, "fee_note")?, |s| string(s).map(Into::into))?,
        intervention_preferential: amount(next(lines, "intervention_preferential")?)?,
        intervention_standard: amount(next(lines, "intervention_standard")?)?,
        source_line: next(lines, "source_line")?.parse().ok()?,
        source_page: nullable(next(lines, "source_page")?, |s| s.parse().ok())?,
    })
}

/// A row's `key_terms` list, which only rows of several key letters have
/// (empty when the next line is not `  key_terms:`).
fn key_terms<'a>(lines: &mut Peekable<impl Iterator<Item = &'a str>>) -> Option<Vec<KeyTerm>> {
    if lines.peek() != Some(&"  key_terms:") {
        return Some(Vec::new());
    }
    lines.next();
    let mut terms = Vec::new();
    while lines.peek().is_some_and(|l| l.starts_with("  - ")) {
        terms.push(KeyTerm {
            key_letter: letter(field(lines.next()?, "  - ", "key_letter")?)?,
            key_value: amount(field(lines.next()?, "    ", "key_value")?)?,
            coefficient: amount(field(lines.next()?, "    ", "coefficient")?)?,
        });
    }
    // The writer leaves an empty list out: `key_terms:` with no item is not its form.
    (!terms.is_empty()).then_some(terms)
}

/// `null` → `Some(None)`; a value → `Some(Some(v))`; unreadable → `None`.
fn nullable<T>(raw: &str, read: impl FnOnce(&str) -> Option<T>) -> Option<Option<T>> {
    match raw {
        "null" => Some(None),
        _ => read(raw).map(Some),
    }
}

/// A string scalar: plain, or single-quoted (`''` is a quote). Anything
/// else (double quotes, block scalars, anchors, tags) is left to serde_yaml.
fn string(raw: &str) -> Option<String> {
    if let Some(inner) = raw.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        // A lone quote inside would have ended the scalar.
        if inner.replace("''", "").contains('\'') {
            return None;
        }
        return Some(inner.replace("''", "'"));
    }
    let plain = !raw.is_empty()
        && !raw.starts_with(['"', '|', '>', '&', '*', '!', '[', '{', '%', '@', '`', ' '])
        && !raw.ends_with(' ')
        && !raw.contains(" #")
        && !matches!(raw, "null" | "~" | "true" | "false");
    plain.then(|| raw.to_string())
}

fn code(raw: &str) -> Option<Code> {
    Code::parse(&string(raw)?)
}

fn letter(raw: &str) -> Option<char> {
    let raw = unquoted(raw);
    let mut chars = raw.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_uppercase() => Some(c),
        _ => None,
    }
}

fn amount(raw: &str) -> Option<Decimal> {
    let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
    // The canonical form writes a point; a comma is not how it writes amounts.
    decimal::parse(inner).filter(|_| !inner.contains(','))
}

/// A scalar without the single quotes that keep YAML 1.1 readers from retyping it.
fn unquoted(raw: &str) -> &str {
    raw.strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or(raw)
}

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(unquoted(raw), "%Y-%m-%d").ok()
}
