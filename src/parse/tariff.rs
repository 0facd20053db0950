//! Tariff tables: lines → rows with their headings, and row accounting.
//!
//! Each line is one of: a row (see [`super::row`]), a setting heading
//! (`I. a) ...`, a Roman numeral), an article heading (`Article 7, § 1, 1° :`,
//! `Artikel 7, ...`) or the travel-indemnity heading, the `(*)` footnote, page
//! furniture, or prose. Headings are carried down to the rows under them. A
//! line that is none of these but looks like a row (a six-digit code and an
//! amount) is an `unparsed-row` finding: nothing that might be a row is
//! dropped silently.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::metadata::Metadata;
use super::row::{self, parse_row, RowSpans, RowSyntaxError};
use super::title;
use crate::findings::{Cell, Finding, Locate, Location, Rule};
use crate::layout::{DocumentId, DocumentKind};
use crate::model::{SourceRef, TariffRow, TariffTable, TARIFF_SCHEMA_ID};
use crate::source::{SourceDocument, SourceLine};

/// A parsed table, the spans of its rows' cells, and what did not parse.
#[derive(Debug, Clone)]
pub struct ParsedTariff {
    /// The table as read.
    pub table: TariffTable,
    /// Cell spans, one per row, for pointing at cells in the source.
    pub spans: Vec<RowSpans>,
    /// Rows that could not be read, and other findings of the reader.
    pub findings: Vec<Finding>,
}

static SETTING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[IVX]+\.\s+(?:[a-z]\)\s+)?\S").expect("valid regex"));
static ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Article|Artikel|Art\.)\s+\d+\s*,\s*§|^(?:Indemnité|Vergoeding)\b")
        .expect("valid regex")
});
static FOOTNOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(\*\)\s*(\S.*)$").expect("valid regex"));
/// A six-digit code standing alone, and an amount with decimals.
static CODE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)\d{6}(?:\s|$)").expect("valid regex"));
static AMOUNT_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d[,.]\d{2}").expect("valid regex"));
/// A key value (`1,066667`): six decimals are printed only in rows. More
/// digits may follow: a code glued to it (`1,166667561610`).
static KEY_VALUE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d[,.]\d{6}").expect("valid regex"));
/// A run of digits and the decimal separators between them: one number
/// (`25,50`), or several glued together (`28,0025,5021,75`).
static NUMBER_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[,.]\d+)*").expect("valid regex"));
/// Convention prose: a key-value item or a stated fee, in French or Dutch.
static STATEMENT_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*[-–—•]\s*\d+[,.]\d+\s+(?:pour|voor)\s+(?:les|la|de)\s+(?:prestations?|verstrekking(?:en)?)\b|\b(?:les honoraires des prestations|l'honoraire de la prestation|de honoraria van de verstrekkingen|het honorarium van de verstrekking)\s+\d{6}")
        .expect("valid regex")
});

/// Whether a line looks like a row: a six-digit code and an amount, a key
/// value, or three amounts with cents. Such a line is a row or a finding,
/// whatever its code looks like (`56OO11`, `560011,`, seven digits),
/// whatever stands before it (a heading, a footnote mark), and whatever
/// separates its cells: cells glued together (`1,166667561610`,
/// `28,0025,5021,75`, as a PDF whose glyph spacing closes the gaps gives
/// them) or spaced out character by character (`2 8 , 0 0`, `28 , 00`).
pub fn looks_like_row(line: &str) -> bool {
    shaped_like_row(line) || shaped_like_row(&join_single_characters(line))
}

fn shaped_like_row(line: &str) -> bool {
    (CODE_LIKE.is_match(line) && AMOUNT_LIKE.is_match(line))
        || KEY_VALUE_LIKE.is_match(line)
        || NUMBER_RUN
            .find_iter(line)
            .map(|run| amounts_with_cents(run.as_str()))
            .sum::<usize>()
            >= 3
}

/// How many amounts with cents a run of digits and separators holds: one
/// for `25,50`; for glued amounts (`28,0025,5021,75`: one separator char
/// throughout, two decimals and at least one digit of the next amount
/// between separators, two decimals at the end), one per separator. A
/// date (`01.02.2024`) or a key value holds none.
fn amounts_with_cents(run: &str) -> usize {
    let parts: Vec<&str> = run.split([',', '.']).collect();
    let [_, middle @ .., last] = parts.as_slice() else {
        return 0;
    };
    let one_separator = run.contains(',') != run.contains('.');
    if one_separator && last.len() == 2 && middle.iter().all(|part| part.len() >= 3) {
        parts.len() - 1
    } else {
        0
    }
}

/// The line with every one-character word written together with the
/// words beside it (`M = 1 , 1 6` → `M=1,16`, `57 , 12 05` → `57,12 05`):
/// text spaced out character by character, as letter-spaced glyphs give
/// it, shows the shape of its cells.
fn join_single_characters(line: &str) -> String {
    let mut joined = String::with_capacity(line.len());
    let mut last_single = true;
    for word in line.split_whitespace() {
        let single = word.chars().nth(1).is_none();
        if !(joined.is_empty() || single || last_single) {
            joined.push(' ');
        }
        joined.push_str(word);
        last_single = single;
    }
    joined
}

/// Parses the rows of a tariff table whose metadata is known.
pub fn parse(doc: &SourceDocument, meta: &Metadata) -> ParsedTariff {
    let id = DocumentId {
        profession: meta.profession.clone(),
        kind: DocumentKind::Tariff,
        effective_from: meta.effective_from,
    };
    let mut walker = Walker {
        rows: Vec::with_capacity(doc.lines.len()),
        spans: Vec::with_capacity(doc.lines.len()),
        ..Walker::default()
    };
    for line in &doc.lines {
        walker.line(doc, line);
    }
    let Walker {
        mut rows,
        spans,
        findings,
        footnote,
        ..
    } = walker;
    for row in rows.iter_mut().filter(|r| r.fee.is_none()) {
        row.fee_note = footnote.clone();
    }
    let table = TariffTable {
        schema: TARIFF_SCHEMA_ID.to_string(),
        profession: meta.profession.clone(),
        effective_from: meta.effective_from,
        title: meta.title.clone(),
        language: meta.language,
        source: SourceRef {
            file: id.source_path(meta.language, doc.format),
            sha256: doc.sha256.clone(),
            format: doc.format,
        },
        rows,
        sources: Vec::new(),
        translations: Default::default(),
    };
    ParsedTariff {
        table,
        spans,
        findings,
    }
}

/// The state carried from line to line: the headings in force and what was read.
#[derive(Default)]
struct Walker {
    setting: Option<Arc<str>>,
    article: Option<Arc<str>>,
    /// A setting heading may wrap onto the next line, which then starts in lowercase.
    setting_may_continue: bool,
    footnote: Option<Arc<str>>,
    rows: Vec<TariffRow>,
    spans: Vec<RowSpans>,
    findings: Vec<Finding>,
}

impl Walker {
    fn line(&mut self, doc: &SourceDocument, line: &SourceLine) {
        let text = line.text.trim();
        if text.is_empty() {
            return;
        }
        let may_continue = std::mem::take(&mut self.setting_may_continue);
        // A row first; then anything shaped like a row, even glued to a
        // heading (`I. M = 1,066667 560011 ...`), is a finding, never a heading.
        if let Ok(cells) = parse_row(&line.text) {
            self.row(line, cells);
        } else if looks_like_row(&line.text) {
            let error = parse_row(&line.text).expect_err("the row did not parse above");
            let error = row::explain(&line.text, error);
            self.findings.push(unparsed_row(doc, line, &error));
        } else if STATEMENT_LIKE.is_match(text) || title::is_convention_title(text) {
            self.findings.push(statement_in_table(doc, line));
        } else if SETTING.is_match(text) {
            self.setting = Some(collapse_spaces(text).into());
            self.article = None;
            self.setting_may_continue = true;
        } else if may_continue && text.starts_with(char::is_lowercase) {
            if let Some(setting) = &mut self.setting {
                *setting = format!("{setting} {}", collapse_spaces(text)).into();
            }
        } else if ARTICLE.is_match(text) {
            self.article = Some(collapse_spaces(text).into());
        } else if let Some(caps) = FOOTNOTE.captures(text) {
            self.footnote
                .get_or_insert_with(|| collapse_spaces(&caps[1]).into());
        }
        // Anything else is page furniture (column titles, dates, `AMB HOS`) or prose.
    }
}

impl Walker {
    fn row(&mut self, line: &SourceLine, cells: crate::parse::row::RowCells) {
        self.rows.push(TariffRow {
            ambulatory_code: cells.ambulatory_code,
            hospitalized_code: cells.hospitalized_code,
            setting: self.setting.clone(),
            article: self.article.clone(),
            key_letter: cells.key_letter,
            key_value: cells.key_value,
            relative_value: cells.relative_value,
            key_terms: cells.key_terms,
            fee: cells.fee,
            fee_note: None,
            intervention_preferential: cells.intervention_preferential,
            intervention_standard: cells.intervention_standard,
            source_line: line.number,
            source_page: line.page,
        });
        self.spans.push(cells.spans);
    }
}

/// A convention statement or title inside a table.
fn statement_in_table(doc: &SourceDocument, line: &SourceLine) -> Finding {
    Finding::new(
        Rule::MixedDocument,
        Location::whole_line(&doc.display_path().into(), line),
        "convention prose inside a tariff table: a document holds one kind",
    )
    .expected_found(
        "table rows, headings or page furniture",
        "a convention statement (import the convention on its own)",
    )
}

fn unparsed_row(doc: &SourceDocument, line: &SourceLine, error: &RowSyntaxError) -> Finding {
    let width = line.text[error.offset..]
        .split_whitespace()
        .next()
        .map_or(1, |w| w.chars().count());
    let location = Location::in_line(&doc.display_path().into(), line, error.offset, width);
    Finding::new(
        Rule::UnparsedRow,
        location,
        "this line looks like a tariff row but does not parse",
    )
    .expected_found(error.expected.clone(), error.found.clone())
}

/// Heading text as stored: runs of spaces collapsed, and typographic
/// apostrophes (’ ‘) written `'`, so that the same table typeset by different
/// tools gives the same headings.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['’', '‘'], "'")
}

/// Locates rows of a freshly parsed table in their source, cell by cell.
pub struct SourceLocator<'a> {
    doc: &'a SourceDocument,
    spans: &'a [RowSpans],
    name: Arc<str>,
}

impl<'a> SourceLocator<'a> {
    /// A locator for `doc`, with the cell spans of each row (in row order).
    pub fn new(doc: &'a SourceDocument, spans: &'a [RowSpans]) -> SourceLocator<'a> {
        SourceLocator {
            doc,
            spans,
            name: doc.display_path().into(),
        }
    }
}

impl Locate for SourceLocator<'_> {
    fn location(&self, index: usize, row: &TariffRow, cell: Cell) -> Location {
        let Some(line) = self.doc.line(row.source_line) else {
            return Location::file(self.name.clone());
        };
        let span = self.spans[index].get(cell, &line.text);
        let width = line.text[span.clone()].chars().count();
        Location::in_line(&self.name, line, span.start, width)
    }
}
