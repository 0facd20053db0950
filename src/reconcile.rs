//! One document, two languages: the French and Dutch versions of a table or
//! convention are two sources of one snapshot, and must state the same values.
//!
//! [`tables`] and [`conventions`] compare a snapshot with the same document
//! read from its other language: rows are matched by code, convention entries
//! by their order (a translation states the same things in the same order),
//! and every value must be equal. Each difference is a `language-mismatch`
//! finding that names both files with line and page and shows both values.
//! When nothing differs, they return the translation that
//! [`Bilingual::add_language`](crate::model::Bilingual::add_language) adds to
//! the snapshot (the other source and its words: title, headings,
//! positions) without changing any value;
//! [`Bilingual::in_language`](crate::model::Bilingual::in_language) undoes it.
//!
//! [`same_table_values`] / [`same_convention_values`] tell a re-issue (other
//! values) from the same document in other bytes (a PDF of an imported text).

use std::collections::HashMap;
use std::fmt::Display;

use crate::code::Code;
use crate::findings::{self, Finding, Location, Rule};
use crate::model::{
    Convention, ConventionTranslation, KeyTerm, Position, RowTranslation, TableTranslation,
    TariffRow, TariffTable,
};
use crate::source::SourceDocument;

/// Where a value stands: a file, a line, maybe a page.
fn cite(file: &str, line: usize, page: Option<u32>) -> String {
    match page {
        Some(page) => format!("{file}:{line} (page {page})"),
        None => format!("{file}:{line}"),
    }
}

/// A finding placed on the new document's line.
fn mismatch(
    doc: &SourceDocument,
    line: usize,
    what: String,
    kept: String,
    found: String,
) -> Finding {
    let location = match doc.line(line) {
        Some(l) => Location::whole_line(&doc.display_path().into(), l),
        None => Location::file(doc.display_path()),
    };
    Finding::new(Rule::LanguageMismatch, location, what).expected_found(kept, found)
}

fn show<T: Display>(value: &Option<T>) -> String {
    value.as_ref().map_or("—".to_string(), |v| v.to_string())
}

/// The values of a row that both languages must state alike.
fn row_values(row: &TariffRow) -> [(&'static str, String); 9] {
    let terms = match row.key_terms.as_slice() {
        [] => "—".to_string(),
        terms => KeyTerm::formula(terms, |d| d.normalize().to_string()),
    };
    [
        ("AMB code", show(&row.ambulatory_code)),
        ("HOS code", show(&row.hospitalized_code)),
        ("key letter", show(&row.key_letter)),
        ("key value", row.key_value.normalize().to_string()),
        ("relative value", row.relative_value.normalize().to_string()),
        ("list of key-letter terms", terms),
        ("fee", show(&row.fee.map(|f| f.normalize()))),
        (
            "preferential intervention",
            row.intervention_preferential.normalize().to_string(),
        ),
        (
            "standard intervention",
            row.intervention_standard.normalize().to_string(),
        ),
    ]
}

/// Compares a table snapshot with the same table read in another language.
/// Returns the translation to add, or every difference.
pub fn tables(
    kept: &TariffTable,
    other: &TariffTable,
    other_doc: &SourceDocument,
) -> Result<TableTranslation, Vec<Finding>> {
    let mut findings = Vec::new();
    let by_code: HashMap<Code, &TariffRow> = other.rows.iter().map(|r| (r.code(), r)).collect();
    let kept_file = &kept.source.file;
    let mut rows = Vec::with_capacity(kept.rows.len());
    for row in &kept.rows {
        let code = row.code();
        let Some(theirs) = by_code.get(&code) else {
            findings.push(mismatch(
                other_doc,
                0,
                format!(
                    "code {code} is in {} but not in this {} source",
                    cite(kept_file, row.source_line, row.source_page),
                    other.language.code()
                ),
                format!("a row for {code}"),
                "none".into(),
            ));
            continue;
        };
        for ((name, mine), (_, their)) in row_values(row).into_iter().zip(row_values(theirs)) {
            if mine != their {
                findings.push(
                    mismatch(
                        other_doc,
                        theirs.source_line,
                        format!(
                            "code {code}: the {name} differs between the languages: {} says {mine}, {} says {their}",
                            cite(kept_file, row.source_line, row.source_page),
                            cite(&other_doc.display_path(), theirs.source_line, theirs.source_page),
                        ),
                        mine,
                        their,
                    )
                    .for_code(code),
                );
            }
        }
        rows.push(RowTranslation {
            code,
            setting: theirs.setting.clone(),
            article: theirs.article.clone(),
            fee_note: theirs.fee_note.clone(),
            source_line: theirs.source_line,
            source_page: theirs.source_page,
        });
    }
    let kept_codes: std::collections::HashSet<Code> = kept.rows.iter().map(|r| r.code()).collect();
    for theirs in other
        .rows
        .iter()
        .filter(|r| !kept_codes.contains(&r.code()))
    {
        findings.push(
            mismatch(
                other_doc,
                theirs.source_line,
                format!(
                    "code {} is in this {} source but not in {kept_file}",
                    theirs.code(),
                    other.language.code()
                ),
                "no such row".into(),
                format!("a row for {}", theirs.code()),
            )
            .for_code(theirs.code()),
        );
    }
    if findings.is_empty() {
        Ok(TableTranslation {
            title: other.title.clone(),
            rows,
        })
    } else {
        findings::sort(&mut findings);
        Err(findings)
    }
}

/// Whether two tables state the same values (their words and places aside).
pub fn same_table_values(a: &TariffTable, b: &TariffTable) -> bool {
    a.profession == b.profession
        && a.effective_from == b.effective_from
        && a.rows.len() == b.rows.len()
        && a.rows
            .iter()
            .zip(&b.rows)
            .all(|(x, y)| row_values(x) == row_values(y))
}

/// What a convention entry states, for comparing languages.
fn convention_values(c: &Convention) -> Vec<(String, String, Position)> {
    let mut out = Vec::new();
    for (i, l) in c.key_values.iter().enumerate() {
        out.push((
            format!("key-value list {}", i + 1),
            format!(
                "{} = {} from {} for {}",
                show(&l.key_letter),
                l.value.normalize(),
                show(&l.effective_from),
                codes(&l.codes)
            ),
            Position {
                source_line: l.source_line,
                source_page: l.source_page,
            },
        ));
    }
    for (i, f) in c.stated_fees.iter().enumerate() {
        out.push((
            format!("stated fee {}", i + 1),
            format!(
                "{} euros from {} ({} {}) for {}",
                f.amount.normalize(),
                show(&f.effective_from),
                show(&f.key_letter),
                show(&f.relative_value.map(|r| r.normalize())),
                codes(&f.codes)
            ),
            Position {
                source_line: f.source_line,
                source_page: f.source_page,
            },
        ));
    }
    for (i, x) in c.indemnities.iter().enumerate() {
        let rate = x.reimbursement.as_ref().map_or("—".to_string(), |r| {
            format!("{}% / {}%", r.preferential, r.standard)
        });
        out.push((
            format!("indemnity {}", i + 1),
            format!(
                "{} {} euros{} from {}, reimbursed {rate}, for {}",
                codes(&x.pseudocodes),
                x.amount.normalize(),
                if x.maximum { " at most" } else { "" },
                show(&x.effective_from),
                codes(&x.applies_to)
            ),
            Position {
                source_line: x.source_line,
                source_page: x.source_page,
            },
        ));
    }
    out
}

fn codes(codes: &[Code]) -> String {
    codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares a convention snapshot with the same convention in another
/// language, entry by entry in document order.
pub fn conventions(
    kept: &Convention,
    other: &Convention,
    other_doc: &SourceDocument,
) -> Result<ConventionTranslation, Vec<Finding>> {
    let mut findings = Vec::new();
    let (mine, theirs) = (convention_values(kept), convention_values(other));
    let other_file = other_doc.display_path();
    for ((what, m, at), (_, t, their_at)) in mine.iter().zip(&theirs) {
        if m != t {
            findings.push(mismatch(
                other_doc,
                their_at.source_line,
                format!(
                    "{what} differs between the languages: {} says {m}, {} says {t}",
                    cite(&kept.source.file, at.source_line, at.source_page),
                    cite(&other_file, their_at.source_line, their_at.source_page),
                ),
                m.clone(),
                t.clone(),
            ));
        }
    }
    for (what, value, at) in mine.iter().skip(theirs.len()) {
        findings.push(mismatch(
            other_doc,
            0,
            format!(
                "{what} ({}) has no counterpart in this {} source",
                cite(&kept.source.file, at.source_line, at.source_page),
                other.language.code()
            ),
            value.clone(),
            "none".into(),
        ));
    }
    for (what, value, at) in theirs.iter().skip(mine.len()) {
        findings.push(mismatch(
            other_doc,
            at.source_line,
            format!("{what} has no counterpart in {}", kept.source.file),
            "none".into(),
            value.clone(),
        ));
    }
    for (field, a, b) in [
        (
            "effective_from",
            Some(kept.effective_from),
            Some(other.effective_from),
        ),
        (
            "effective_until",
            kept.effective_until,
            other.effective_until,
        ),
        ("concluded_on", kept.concluded_on, other.concluded_on),
    ] {
        if a != b {
            findings.push(mismatch(
                other_doc,
                0,
                format!("the convention's {field} differs between the languages"),
                show(&a),
                show(&b),
            ));
        }
    }
    if !findings.is_empty() {
        findings::sort(&mut findings);
        return Err(findings);
    }
    let places = |items: &[(String, String, Position)], prefix: &str| -> Vec<Position> {
        items
            .iter()
            .filter(|(what, _, _)| what.starts_with(prefix))
            .map(|(_, _, at)| *at)
            .collect()
    };
    Ok(ConventionTranslation {
        title: other.title.clone(),
        key_values: places(&theirs, "key-value"),
        stated_fees: places(&theirs, "stated fee"),
        indemnities: places(&theirs, "indemnity"),
    })
}

/// Whether two conventions state the same values (their words and places aside).
pub fn same_convention_values(a: &Convention, b: &Convention) -> bool {
    let values = |c: &Convention| {
        convention_values(c)
            .into_iter()
            .map(|(w, v, _)| (w, v))
            .collect::<Vec<_>>()
    };
    a.effective_from == b.effective_from
        && a.effective_until == b.effective_until
        && values(a) == values(b)
}
