//! The audit report as Markdown: the same content as the HTML page, with
//! the charts as small tables of dated values.
//!
//! Every text from the data (notes, headings, citations, the sides as
//! given) goes through [`escape`]: a Markdown renderer passes raw HTML
//! through to the page and makes links of `[…](…)` and `<…:…>`, so a note
//! `<img src=x onerror=…>` or `[voir](javascript:…)` would run in the
//! reader's browser. Escaped, it reads as the document printed it.

use std::fmt::Write;

use super::{headline_change, Report};
use crate::cmd::diff::cite;
use crate::compare::SideInfo;
use crate::state::CodeState;

/// A text from the data as Markdown that shows it as it is and does
/// nothing else, in a table cell or in a line of text:
///
/// - `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`: no HTML tag, no
///   autolink (`<javascript:…>`), no entity of the document's making; a
///   renderer shows the characters;
/// - `\`, `` ` ``, `[`, `]` and `|` get a backslash: no link or image
///   (`[…](javascript:…)`), no code span swallowing what follows, no table
///   cell ended early;
/// - a line break becomes a space, so the text stays in its row.
///
/// Everything else is left as it is, so ordinary text reads as it did.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A text from the data as a code span when it can be one (no backtick, no
/// line break: a code span shows its content as it is), else escaped.
fn code(text: &str) -> String {
    if text.contains(['`', '\n', '\r']) {
        escape(text)
    } else {
        format!("`{text}`")
    }
}

fn side(name: &str, s: &SideInfo) -> String {
    format!(
        "- {name}: {} — {} {} at {} ({}; commit {})\n",
        code(&s.spec),
        escape(&s.profession),
        s.kind,
        s.date,
        escape(&s.snapshots.join(", ")),
        escape(s.commit.as_deref().unwrap_or("not committed"))
    )
}

/// The report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "# Tariff audit: {} → {}\n\n## Summary\n\n",
        escape(&r.from.spec),
        escape(&r.to.spec)
    );
    out.push_str(&side("from", &r.from));
    out.push_str(&side("to", &r.to));
    let _ = write!(
        out,
        "\n{} codes changed, {} added, {} removed, {} unchanged.\n\n### Distribution of the relative changes (fee, else key value)\n\n| change | codes |\n|---|---:|\n",
        r.changed.len(),
        r.added.len(),
        r.removed.len(),
        r.unchanged
    );
    for (label, n) in &r.distribution {
        let _ = writeln!(out, "| {label} | {n} |");
    }
    let _ = write!(
        out,
        "\n## Changed codes ({})\n\n| code | change | old → new | cited from | cited to | over time |\n|---|---:|---|---|---|---|\n",
        r.changed.len()
    );
    for (c, series) in r.changed.iter().zip(&r.series) {
        let change = headline_change(c)
            .and_then(crate::diff::percent)
            .map_or(String::new(), |p| format!("{p:+}%"));
        let mut fields = Vec::new();
        let (mut from, mut to) = (Vec::new(), Vec::new());
        for ch in &c.changes {
            let derived = |s: &CodeState, side: &str| {
                s.derived.get(&ch.field).map_or(String::new(), |d| {
                    format!(" ({side} derived: {})", escape(&d.formula))
                })
            };
            fields.push(format!(
                "{}: {} → {}{}{}",
                ch.field.name(),
                escape(&ch.old.to_string()),
                escape(&ch.new.to_string()),
                derived(&c.old, "old"),
                derived(&c.new, "new")
            ));
            let cite_side = |s: &CodeState| {
                if s.get(ch.field).is_some() {
                    escape(&cite(s.origin_of(ch.field)))
                } else {
                    "—".into()
                }
            };
            from.push(format!("{}: {}", ch.field.name(), cite_side(&c.old)));
            to.push(format!("{}: {}", ch.field.name(), cite_side(&c.new)));
        }
        let points: Vec<String> = series
            .points
            .iter()
            .map(|(d, v, derived)| format!("{d} {v}{}", if *derived { "*" } else { "" }))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}: {} |",
            c.code,
            change,
            fields.join("<br>"),
            from.join("<br>"),
            to.join("<br>"),
            series.field.name(),
            points.join(", ")
        );
    }
    out.push_str("\n(`*`: derived)\n");
    for (title, list) in [("Added codes", &r.added), ("Removed codes", &r.removed)] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "\n## {title} ({})\n\n| code | cited |\n|---|---|\n",
            list.len()
        );
        for s in list.iter() {
            let _ = writeln!(out, "| {} | {} |", s.code, escape(&cite(&s.origin)));
        }
    }
    out
}
