//! `tariffs diff FROM TO`: what changed between two dates, snapshots or revisions.

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use similar::TextDiff;

use super::{Out, Outcome};
use crate::audit::markdown::escape;
use crate::cli::{DiffArgs, DiffFilterArgs, DiffFormat, OnlyArg};
use crate::code::Code;
use crate::compare::{self, Side, SideInfo};
use crate::csv_out::{CsvWriter, Formulas};
use crate::diff::{self, Change, Diff, Filter, Only};
use crate::error::Error;
use crate::state::{CodeState, Field, Origin};
use crate::store::DataRepo;

#[derive(Serialize)]
struct Report<'a> {
    from: &'a SideInfo,
    to: &'a SideInfo,
    added: &'a [CodeState],
    removed: &'a [CodeState],
    changed: &'a [diff::Changed],
    unchanged: usize,
}

/// The diff filters of the command line, checked.
pub fn filter(args: &DiffFilterArgs) -> Result<Filter, Error> {
    let codes = args
        .code
        .iter()
        .map(|c| {
            Code::parse(c.trim()).ok_or_else(|| {
                Error::Usage(format!("--code `{c}`: expected six digits, like 560011"))
            })
        })
        .collect::<Result<_, _>>()?;
    let fields = args
        .field
        .iter()
        .map(|f| {
            Field::from_name(f).ok_or_else(|| {
                let all: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                Error::Usage(format!("--field `{f}`: expected one of {}", all.join(", ")))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Filter {
        codes,
        fields,
        min_change_percent: args.min_change,
        only: args.only.map(|o| match o {
            OnlyArg::Added => Only::Added,
            OnlyArg::Removed => Only::Removed,
            OnlyArg::Changed => Only::Changed,
        }),
    })
}

pub fn run(args: DiffArgs) -> Result<Outcome, Error> {
    if args.csv_raw && (args.format != DiffFormat::Csv || args.text) {
        return Err(Error::Usage(
            "--csv-raw applies to --format csv only".into(),
        ));
    }
    let repo = DataRepo::open(&args.repo.repo)?;
    let filter = filter(&args.filter)?;
    if compare::are_revisions(&repo, &args.from, &args.to)? {
        return revisions(&repo, &args, &filter);
    }
    if args.text {
        let git = crate::store::GitRepo::open(repo.root())?;
        let from = compare::side(&repo, git.as_ref(), &args.from, args.profession.as_deref())?;
        let to = compare::side(&repo, git.as_ref(), &args.to, args.profession.as_deref())?;
        return text_diff(&args, &from, &to);
    }
    let c = compare::compare(
        &repo,
        &args.from,
        &args.to,
        args.profession.as_deref(),
        &filter,
    )?;
    let d = &c.diff;
    let report = Report {
        from: &c.from.info,
        to: &c.to.info,
        added: &d.added,
        removed: &d.removed,
        changed: &d.changed,
        unchanged: d.unchanged,
    };
    match args.format {
        DiffFormat::Json => Out::json(&report),
        DiffFormat::Csv => Out::print(&csv(d, Formulas::raw_if(args.csv_raw))?),
        DiffFormat::Markdown => Out::print(&markdown(&report)),
        DiffFormat::Text => Out::print(&text(&report)),
    }
    Ok(Outcome::from_bad(!d.is_empty()))
}

/// `diff REV REV`: every snapshot at one revision against the other.
fn revisions(repo: &DataRepo, args: &DiffArgs, filter: &Filter) -> Result<Outcome, Error> {
    let all = compare::compare_revisions(repo, &args.from, &args.to, filter)?;
    let changed = all.iter().any(|s| !s.comparison.diff.is_empty());
    match args.format {
        DiffFormat::Json => {
            let snapshots: Vec<serde_json::Value> = all
                .iter()
                .map(|s| {
                    let d = &s.comparison.diff;
                    let mut v = serde_json::to_value(Report {
                        from: &s.comparison.from.info,
                        to: &s.comparison.to.info,
                        added: &d.added,
                        removed: &d.removed,
                        changed: &d.changed,
                        unchanged: d.unchanged,
                    })
                    .expect("reports serialize");
                    v["snapshot"] = s.snapshot.clone().into();
                    v
                })
                .collect();
            Out::json(
                &serde_json::json!({ "from": args.from, "to": args.to, "snapshots": snapshots }),
            );
        }
        _ => {
            let mut out = String::new();
            for s in all.iter().filter(|s| !s.comparison.diff.is_empty()) {
                let d = &s.comparison.diff;
                let report = Report {
                    from: &s.comparison.from.info,
                    to: &s.comparison.to.info,
                    added: &d.added,
                    removed: &d.removed,
                    changed: &d.changed,
                    unchanged: d.unchanged,
                };
                out.push_str(&format!("== {}\n", s.snapshot));
                out.push_str(&match args.format {
                    DiffFormat::Markdown => markdown(&report),
                    DiffFormat::Csv => csv(d, Formulas::raw_if(args.csv_raw))?,
                    _ => text(&report),
                });
                out.push('\n');
            }
            if !changed {
                out.push_str(&format!(
                    "no differences between {} and {}\n",
                    args.from, args.to
                ));
            }
            Out::print(&out);
        }
    }
    Ok(Outcome::from_bad(changed))
}

fn text_diff(args: &DiffArgs, from: &Side, to: &Side) -> Result<Outcome, Error> {
    let (Some(old), Some(new)) = (&from.yaml, &to.yaml) else {
        return Err(Error::Usage(
            "--text compares two snapshots, not dates".into(),
        ));
    };
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&args.from, &args.to)
        .to_string();
    Out::print(&text);
    Ok(Outcome::from_bad(!text.is_empty()))
}

/// `+14.98%`
fn percent(change: &Change) -> String {
    change.percent().map_or(String::new(), |p| {
        if p.is_sign_negative() {
            format!("{p}%")
        } else {
            format!("+{p}%")
        }
    })
}

/// `sources/...:26 (page 2) @1a2b3c4d` for people; the snapshot when no
/// line is known; the commit's short hash when known.
pub fn cite(origin: &Origin) -> String {
    // A `REV:` prefix is replaced by the commit it names, which stays true.
    let source = match origin.source.split_once(':') {
        Some((_, path)) if origin.commit.is_some() => path,
        _ => &origin.source,
    };
    let place = match (origin.source_line, origin.source_page) {
        (Some(line), Some(page)) => format!("{source}:{line} (page {page})"),
        (Some(line), None) => format!("{source}:{line}"),
        _ => origin.snapshot.to_string(),
    };
    match &origin.commit {
        Some(commit) => format!("{place} @{}", &commit[..commit.len().min(10)]),
        None => place,
    }
}

/// `derived: 0.927692 × 24 = 22.26 (relative value borrowed from 2024-01-01)`
fn derivation(state: &CodeState, field: Field) -> Option<String> {
    let d = state.derived.get(&field)?;
    let borrowed: Vec<String> = d
        .inputs
        .iter()
        .filter_map(|i| {
            i.borrowed_from.map(|b| {
                format!(
                    "{} borrowed from the table of {b}",
                    i.field.replace('_', " ")
                )
            })
        })
        .collect();
    let mut text = format!("derived: {}", d.formula);
    if !borrowed.is_empty() {
        text.push_str(&format!(" ({})", borrowed.join(", ")));
    }
    Some(text)
}

/// Where one side states a field, or `—` when it does not.
fn side_cite(state: &CodeState, field: Field) -> String {
    if state.get(field).is_some() {
        cite(state.origin_of(field))
    } else {
        "—".into()
    }
}

/// A short description of a code's state: `M 24, key value 1.066667, fee
/// 25.60`, or with several key letters `N 8 × 3.372107 + Q 30 × 0.195645, fee 32.85`.
fn summary(state: &CodeState) -> String {
    let get = |f| state.get(f).map(|v| v.to_string());
    let mut parts = Vec::new();
    let terms = get(Field::KeyTerms);
    let several = terms.is_some();
    if let Some(terms) = terms {
        parts.push(terms);
    } else if let Some(rv) = get(Field::RelativeValue) {
        let letter = get(Field::KeyLetter).filter(|l| l != "null");
        parts.push(letter.map_or(rv.clone(), |l| format!("{l} {rv}")));
    }
    let key_value = (!several).then_some((Field::KeyValue, "key value"));
    for (field, name) in key_value.into_iter().chain([(Field::Fee, "fee")]) {
        if let Some(v) = get(field) {
            parts.push(format!(
                "{name} {}",
                if v == "null" { "(*)".into() } else { v }
            ));
        }
    }
    parts.join(", ")
}

/// `1 code`, `89 codes`
fn codes(n: usize) -> String {
    if n == 1 {
        "1 code".into()
    } else {
        format!("{n} codes")
    }
}

fn side_line(info: &SideInfo) -> String {
    match info.kind {
        "date" => format!(
            "{} at {} ({})",
            info.profession,
            info.date,
            info.snapshots.join(", ")
        ),
        _ => format!("{} (effective {})", info.spec, info.date),
    }
}

fn text(r: &Report<'_>) -> String {
    let bold = Style::new().bold();
    let red = AnsiColor::Red.on_default();
    let green = AnsiColor::Green.on_default();
    let yellow = AnsiColor::Yellow.on_default();
    let mut out = format!(
        "{bold}from{bold:#} {}\n{bold}to{bold:#}   {}\n",
        side_line(r.from),
        side_line(r.to)
    );
    let old_width = r
        .changed
        .iter()
        .flat_map(|c| &c.changes)
        .map(|ch| ch.old.to_string().chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    if !r.changed.is_empty() {
        out.push_str(&format!(
            "\n{bold}changed{bold:#} ({})\n",
            codes(r.changed.len())
        ));
        for c in r.changed {
            for (i, ch) in c.changes.iter().enumerate() {
                let code = if i == 0 {
                    c.code.to_string()
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "  {yellow}{code:6}{yellow:#}  {:<27} {:>old_width$} → {}  {}\n",
                    ch.field.name(),
                    ch.old.to_string(),
                    ch.new,
                    percent(ch),
                ));
                out.push_str(&format!(
                    "          {} → {}\n",
                    side_cite(&c.old, ch.field),
                    side_cite(&c.new, ch.field)
                ));
                for (side, state) in [("old", &c.old), ("new", &c.new)] {
                    if let Some(how) = derivation(state, ch.field) {
                        out.push_str(&format!("          {side} {how}\n"));
                    }
                }
            }
        }
    }
    for (title, list, style, sign) in [
        ("added", r.added, green, "+"),
        ("removed", r.removed, red, "-"),
    ] {
        if !list.is_empty() {
            out.push_str(&format!(
                "\n{bold}{title}{bold:#} ({})\n",
                codes(list.len())
            ));
            for s in list {
                out.push_str(&format!(
                    "  {style}{sign} {}{style:#}  {}  {}\n",
                    s.code,
                    summary(s),
                    cite(&s.origin)
                ));
            }
        }
    }
    out.push_str(&format!("\nunchanged: {}\n", codes(r.unchanged)));
    out
}

fn csv(d: &Diff, formulas: Formulas) -> Result<String, Error> {
    let mut w = CsvWriter::new(Vec::new(), formulas);
    w.record([
        "status",
        "code",
        "field",
        "old",
        "new",
        "relative_change",
        "old_source",
        "new_source",
        "old_derived",
        "new_derived",
    ])?;
    for c in &d.changed {
        for ch in &c.changes {
            let rel = ch
                .relative()
                .map(|r| r.round_dp(6).to_string())
                .unwrap_or_default();
            w.record([
                "changed",
                c.code.as_str(),
                ch.field.name(),
                &ch.old.to_string(),
                &ch.new.to_string(),
                &rel,
                &side_cite(&c.old, ch.field),
                &side_cite(&c.new, ch.field),
                &derivation(&c.old, ch.field).unwrap_or_default(),
                &derivation(&c.new, ch.field).unwrap_or_default(),
            ])?;
        }
    }
    for (status, list) in [("added", &d.added), ("removed", &d.removed)] {
        for s in list {
            let (old, new) = if status == "added" {
                (String::new(), cite(&s.origin))
            } else {
                (cite(&s.origin), String::new())
            };
            w.record([status, s.code.as_str(), "", "", "", "", &old, &new, "", ""])?;
        }
    }
    let bytes = w.finish()?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

/// Every text from the data goes through [`escape`] (no HTML, no link from a document).
fn markdown(r: &Report<'_>) -> String {
    let cell = escape;
    let mut out = format!(
        "# Tariff changes: {} → {}\n\n- from: {}\n- to: {}\n\n| | codes |\n|---|---:|\n| changed | {} |\n| added | {} |\n| removed | {} |\n| unchanged | {} |\n",
        cell(&r.from.spec),
        cell(&r.to.spec),
        cell(&side_line(r.from)),
        cell(&side_line(r.to)),
        r.changed.len(),
        r.added.len(),
        r.removed.len(),
        r.unchanged
    );
    if !r.changed.is_empty() {
        out.push_str("\n## Changed\n\n| code | field | old | new | change | old source | new source | derived |\n|---|---|---:|---:|---:|---|---|---|\n");
        for c in r.changed {
            for ch in &c.changes {
                let derived: Vec<String> = [("old", &c.old), ("new", &c.new)]
                    .iter()
                    .filter_map(|(side, s)| derivation(s, ch.field).map(|d| format!("{side} {d}")))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    c.code,
                    ch.field.name(),
                    cell(&ch.old.to_string()),
                    cell(&ch.new.to_string()),
                    percent(ch),
                    cell(&side_cite(&c.old, ch.field)),
                    cell(&side_cite(&c.new, ch.field)),
                    cell(&derived.join("; "))
                ));
            }
        }
    }
    for (title, list) in [("Added", r.added), ("Removed", r.removed)] {
        if !list.is_empty() {
            out.push_str(&format!(
                "\n## {title}\n\n| code | values | source |\n|---|---|---|\n"
            ));
            for s in list {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    s.code,
                    cell(&summary(s)),
                    cell(&cite(&s.origin))
                ));
            }
        }
    }
    out
}
