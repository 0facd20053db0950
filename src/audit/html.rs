//! The audit report as one self-contained HTML page.
//!
//! Everything is inline: the style, a small script (sorting and filtering
//! the table, nothing else), and the charts as SVG. The page references no
//! URL at all, so it opens the same from a mail attachment, offline, years
//! later. Every text from the data is HTML-escaped.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use rust_decimal::Decimal;

use super::{headline_change, Report, Series};
use crate::cmd::diff::cite;
use crate::compare::SideInfo;
use crate::diff::Changed;
use crate::state::CodeState;

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1f24; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e3e5ea; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f3f4f7; cursor: pointer; user-select: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #a3261b; } .down { color: #1e6b2f; }
.cite { font-size: .85em; color: #55606e; word-break: break-all; }
.derived { font-style: italic; color: #6b4fa0; }
.controls { margin: .6em 0; }
.controls input { font: inherit; padding: .25em .5em; width: 22em; }
svg.series, svg.distribution { display: block; }
.sides td:first-child { font-weight: 600; width: 5em; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10px; }
  .controls { display: none; }
  th { cursor: auto; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); document.body.dataset.errors = errors.join(' | '); });
  var log = console.error;
  console.error = function () { errors.push([].join.call(arguments, ' ')); document.body.dataset.errors = errors.join(' | '); log.apply(console, arguments); };
  var table = document.getElementById('changed');
  if (table) {
    var body = table.tBodies[0];
    var rows = function () { return Array.prototype.slice.call(body.rows); };
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.addEventListener('click', function () {
        var key = th.dataset.key, asc = th.dataset.dir !== 'asc';
        th.dataset.dir = asc ? 'asc' : 'desc';
        rows().sort(function (a, b) {
          var x = a.dataset[key] || '', y = b.dataset[key] || '';
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        }).forEach(function (r) { body.appendChild(r); });
      });
    });
    var filter = document.getElementById('filter');
    filter.addEventListener('input', function () {
      var q = filter.value.toLowerCase();
      rows().forEach(function (r) { r.hidden = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0; });
    });
  }
  document.body.dataset.ready = 'yes';
})();
"#;

/// The report as one HTML document.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let title = format!("Tariff audit: {} → {}", r.from.spec, r.to.spec);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        text(&title),
        text(&title)
    );
    summary(&mut out, r);
    changed(&mut out, r);
    listed(&mut out, "Added codes", "added", &r.added);
    listed(&mut out, "Removed codes", "removed", &r.removed);
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

fn side_row(out: &mut String, name: &str, side: &SideInfo) {
    let commit = side
        .commit
        .as_deref()
        .map_or("not committed".to_string(), |c| c.to_string());
    let _ = writeln!(
        out,
        "<tr><td>{name}</td><td>{} — {} {} at {}<div class=\"cite\">{} · commit {}</div></td></tr>",
        text(&side.spec),
        text(&side.profession),
        side.kind,
        side.date,
        text(&side.snapshots.join(", ")),
        text(&commit)
    );
}

fn summary(out: &mut String, r: &Report) {
    out.push_str("<h2>Summary</h2>\n<table class=\"sides\">\n");
    side_row(out, "from", &r.from);
    side_row(out, "to", &r.to);
    out.push_str("</table>\n");
    let _ = writeln!(
        out,
        "<p id=\"counts\"><b>{}</b> codes changed, <b>{}</b> added, <b>{}</b> removed, {} unchanged.</p>",
        r.changed.len(),
        r.added.len(),
        r.removed.len(),
        r.unchanged
    );
    out.push_str("<h3>Distribution of the relative changes (fee, else key value)</h3>\n");
    out.push_str(&distribution_chart(&r.distribution));
}

fn distribution_chart(buckets: &[(String, usize)]) -> String {
    if buckets.is_empty() {
        return "<p>No relative change to show.</p>\n".into();
    }
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let (bar, gap, height) = (46usize, 8usize, 120usize);
    let width = buckets.len() * (bar + gap) + gap;
    let mut svg = format!(
        "<svg class=\"distribution\" width=\"{width}\" height=\"{}\" role=\"img\" aria-label=\"distribution of relative changes\">\n",
        height + 36
    );
    for (i, (label, n)) in buckets.iter().enumerate() {
        let h = n * height / max;
        let x = gap + i * (bar + gap);
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#4a6fa5\"><title>{}: {n} codes</title></rect><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
            height - h + 12,
            text(label),
            x + bar / 2,
            height - h + 10,
            x + bar / 2,
            height + 26,
            text(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// `+14.98%`, with its class for color.
fn percent(r: Option<Decimal>) -> (String, &'static str) {
    let Some(p) = r.and_then(crate::diff::percent) else {
        return (String::new(), "");
    };
    if p.is_sign_negative() {
        (format!("{p}%"), "down")
    } else {
        (format!("+{p}%"), "up")
    }
}

fn changed(out: &mut String, r: &Report) {
    let _ = write!(
        out,
        "<h2>Changed codes ({})</h2>\n<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: a code, a field, a file…\" aria-label=\"filter\"></div>\n",
        r.changed.len()
    );
    out.push_str("<table id=\"changed\">\n<thead><tr><th data-key=\"code\">code</th><th data-key=\"change\" class=\"num\">change</th><th data-key=\"fields\">old → new</th><th>cited from</th><th>cited to</th><th>over time</th></tr></thead>\n<tbody>\n");
    for (c, series) in r.changed.iter().zip(&r.series) {
        row(out, c, series);
    }
    out.push_str("</tbody>\n</table>\n");
}

fn row(out: &mut String, c: &Changed, series: &Series) {
    let (change, class) = percent(headline_change(c));
    let sort_key = headline_change(c).map_or(String::new(), |d| d.round_dp(6).to_string());
    let fields: Vec<&str> = c.changes.iter().map(|ch| ch.field.name()).collect();
    let _ = write!(
        out,
        "<tr class=\"code-row\" data-code=\"{}\" data-change=\"{}\" data-fields=\"{}\"><td>{}</td><td class=\"num {class}\">{}</td><td>",
        attr(c.code.as_str()),
        attr(&sort_key),
        attr(&fields.join(" ")),
        text(c.code.as_str()),
        text(&change)
    );
    let (mut from, mut to) = (String::new(), String::new());
    for ch in &c.changes {
        let derived = |s: &CodeState, side: &str| {
            s.derived.get(&ch.field).map_or(String::new(), |d| {
                format!(
                    " <span class=\"derived\" title=\"{}\">({side} derived: {})</span>",
                    attr(&d.formula),
                    text(&d.formula)
                )
            })
        };
        let (p, pclass) = percent(ch.relative());
        let _ = write!(
            out,
            "<div><b>{}</b>: {} → {} <span class=\"{pclass}\">{}</span>{}{}</div>",
            text(ch.field.name()),
            text(&ch.old.to_string()),
            text(&ch.new.to_string()),
            text(&p),
            derived(&c.old, "old"),
            derived(&c.new, "new")
        );
        let cite_side = |s: &CodeState| {
            if s.get(ch.field).is_some() {
                cite(s.origin_of(ch.field))
            } else {
                "—".to_string()
            }
        };
        let _ = write!(
            from,
            "<div class=\"cite\">{}: {}</div>",
            text(ch.field.name()),
            text(&cite_side(&c.old))
        );
        let _ = write!(
            to,
            "<div class=\"cite\">{}: {}</div>",
            text(ch.field.name()),
            text(&cite_side(&c.new))
        );
    }
    let _ = writeln!(
        out,
        "</td><td>{from}</td><td>{to}</td><td>{}</td></tr>",
        chart(series)
    );
}

/// A small line chart of a code's values over its dated states. The
/// coordinates are computed in decimals too: no float near an amount.
fn chart(s: &Series) -> String {
    let d = |n: i64| Decimal::new(n, 0);
    let (w, h, pad) = (d(170), d(46), d(6));
    let values: Vec<Decimal> = s.points.iter().map(|p| p.1).collect();
    let lo = values.iter().copied().min().unwrap_or_default();
    let hi = values.iter().copied().max().unwrap_or_default();
    // Values from a snapshot may be extreme (−7.9 × 10²⁸ to 7.9 × 10²⁸):
    // a span or offset that overflows puts the point on the baseline.
    let span = hi.checked_sub(lo).filter(|s| s > &Decimal::ZERO);
    let n = d(i64::try_from(values.len().max(2) - 1).unwrap_or(1));
    let xy = |i: usize, v: Decimal| {
        let i = d(i64::try_from(i).unwrap_or(0));
        let x = pad + (w - pad - pad) * i / n;
        let height = span
            .and_then(|span| v.checked_sub(lo)?.checked_div(span))
            .unwrap_or_default();
        let y = h - pad - (h - pad - pad) * height;
        (x.round_dp(1), y.round_dp(1))
    };
    let mut svg = format!(
        "<svg class=\"series\" width=\"{w}\" height=\"{}\" role=\"img\" aria-label=\"{} of {} over time\">",
        h + d(12),
        s.field.name(),
        s.code
    );
    let line: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = xy(i, *v);
            format!("{x},{y}")
        })
        .collect();
    let _ = write!(
        svg,
        "<polyline fill=\"none\" stroke=\"#4a6fa5\" stroke-width=\"1.5\" points=\"{}\"/>",
        line.join(" ")
    );
    for (i, (date, value, derived)) in s.points.iter().enumerate() {
        let (x, y) = xy(i, *value);
        let fill = if *derived { "#fff" } else { "#4a6fa5" };
        let how = if *derived { " (derived)" } else { "" };
        let _ = write!(
            svg,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"2.6\" fill=\"{fill}\" stroke=\"#4a6fa5\"><title>{date}: {} {value}{how}</title></circle>",
            s.field.name()
        );
    }
    if let (Some(first), Some(last)) = (s.points.first(), s.points.last()) {
        let _ = write!(
            svg,
            "<text x=\"{pad}\" y=\"{}\" font-size=\"8\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"8\" text-anchor=\"end\">{}</text>",
            h + d(10),
            first.0,
            w - pad,
            h + d(10),
            last.0
        );
    }
    svg.push_str("</svg>");
    svg
}

fn listed(out: &mut String, title: &str, id: &str, list: &[CodeState]) {
    if list.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2>{title} ({})</h2>\n<table id=\"{id}\"><thead><tr><th>code</th><th>values</th><th>cited</th></tr></thead><tbody>\n",
        list.len()
    );
    for s in list {
        let values: Vec<String> = [
            crate::state::Field::KeyValue,
            crate::state::Field::RelativeValue,
            crate::state::Field::KeyTerms,
            crate::state::Field::Fee,
        ]
        .iter()
        .filter_map(|f| Some(format!("{} {}", f.name(), s.get(*f)?)))
        .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"cite\">{}</td></tr>",
            text(s.code.as_str()),
            text(&values.join(", ")),
            text(&cite(&s.origin))
        );
    }
    out.push_str("</tbody></table>\n");
}
