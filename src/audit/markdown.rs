//! The audit report as Markdown: the same content as the HTML page, with
//! the charts as small tables of dated values.

use std::fmt::Write;

use super::{headline_change, Report};
use crate::cmd::diff::cite;
use crate::compare::SideInfo;
use crate::state::CodeState;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn side(name: &str, s: &SideInfo) -> String {
    format!(
        "- {name}: `{}` — {} {} at {} ({}; commit {})\n",
        s.spec,
        s.profession,
        s.kind,
        s.date,
        s.snapshots.join(", "),
        s.commit.as_deref().unwrap_or("not committed")
    )
}

/// The report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "# Tariff audit: {} → {}\n\n## Summary\n\n",
        r.from.spec, r.to.spec
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
                    format!(" ({side} derived: {})", d.formula)
                })
            };
            fields.push(format!(
                "{}: {} → {}{}{}",
                ch.field.name(),
                ch.old,
                ch.new,
                derived(&c.old, "old"),
                derived(&c.new, "new")
            ));
            let cite_side = |s: &CodeState| {
                if s.get(ch.field).is_some() {
                    cite(s.origin_of(ch.field))
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
            cell(&fields.join("<br>")),
            cell(&from.join("<br>")),
            cell(&to.join("<br>")),
            series.field.name(),
            cell(&points.join(", "))
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
            let _ = writeln!(out, "| {} | {} |", s.code, cell(&cite(&s.origin)));
        }
    }
    out
}
