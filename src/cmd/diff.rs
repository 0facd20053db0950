//! `tariffs diff FROM TO`: what changed between two dates, snapshots or revisions.

use std::path::Path;

use anstyle::{AnsiColor, Style};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use similar::TextDiff;

use super::{Out, Outcome};
use crate::catalog::{self, Snapshot};
use crate::cli::{DiffArgs, DiffFormat};
use crate::diff::{self, Change, Diff};
use crate::error::Error;
use crate::state::{CodeState, Field, Origin, State};
use crate::store::git::GitRepo;
use crate::store::DataRepo;

/// One side of a comparison, as the report describes it.
#[derive(Debug, Serialize)]
struct SideInfo {
    /// What the user wrote.
    spec: String,
    /// `date` or `snapshot`.
    kind: &'static str,
    /// The date (for a date side), else the snapshot's effective date.
    date: NaiveDate,
    profession: String,
    /// The snapshots the side was made from.
    snapshots: Vec<String>,
}

struct Side {
    info: SideInfo,
    state: State,
    /// The canonical YAML, when the side is one snapshot (for `--text`).
    yaml: Option<String>,
}

#[derive(Serialize)]
struct Report<'a> {
    from: &'a SideInfo,
    to: &'a SideInfo,
    added: &'a [CodeState],
    removed: &'a [CodeState],
    changed: &'a [diff::Changed],
    unchanged: usize,
}

pub fn run(args: DiffArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let from = resolve(&repo, &args.from, args.profession.as_deref())?;
    let to = resolve(&repo, &args.to, args.profession.as_deref())?;
    if args.text {
        return text_diff(&args, &from, &to);
    }
    let d = diff::diff(&from.state, &to.state);
    let report = Report {
        from: &from.info,
        to: &to.info,
        added: &d.added,
        removed: &d.removed,
        changed: &d.changed,
        unchanged: d.unchanged,
    };
    match args.format {
        DiffFormat::Json => Out::json(&report),
        DiffFormat::Csv => Out::print(&csv(&d)?),
        DiffFormat::Markdown => Out::print(&markdown(&report)),
        DiffFormat::Text => Out::print(&text(&report)),
    }
    Ok(Outcome::from_bad(!d.is_empty()))
}

/// Reads a side: a date, a snapshot file, or `REV:path`.
fn resolve(repo: &DataRepo, spec: &str, profession: Option<&str>) -> Result<Side, Error> {
    if let Ok(date) = NaiveDate::parse_from_str(spec, "%Y-%m-%d") {
        let snapshots = catalog::list(repo)?;
        let profession = catalog::pick_profession(&snapshots, profession)?;
        let (state, used) = catalog::state_at(repo, &snapshots, &profession, date)?;
        if used.is_empty() {
            return Err(Error::Usage(format!(
                "no {profession} snapshot is in force on {date}"
            )));
        }
        let info = SideInfo {
            spec: spec.into(),
            kind: "date",
            date,
            profession,
            snapshots: used,
        };
        return Ok(Side {
            info,
            state,
            yaml: None,
        });
    }
    let on_disk = [Path::new(spec).to_path_buf(), repo.path(spec)]
        .into_iter()
        .find(|p| p.is_file());
    let bytes = match on_disk {
        Some(path) => std::fs::read(&path).map_err(|e| Error::io(&path, e))?,
        None if spec.contains(':') => {
            let git = GitRepo::open(repo.root())?.ok_or_else(|| {
                Error::Usage(format!(
                    "`{spec}` is a git revision, but {} is no git repository",
                    repo.root().display()
                ))
            })?;
            git.read_spec(spec)?
        }
        None => {
            return Err(Error::Usage(format!(
                "`{spec}` is neither a date (2024-01-01), a snapshot file, nor REV:path"
            )))
        }
    };
    let snapshot = Snapshot::from_bytes(spec, &bytes)?;
    let info = SideInfo {
        spec: spec.into(),
        kind: "snapshot",
        date: snapshot.effective_from(),
        profession: snapshot.profession().to_string(),
        snapshots: vec![spec.into()],
    };
    Ok(Side {
        info,
        state: snapshot.state(spec),
        yaml: Some(String::from_utf8_lossy(&bytes).into_owned()),
    })
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
    change.relative().map_or(String::new(), |r| {
        let p = (r * Decimal::ONE_HUNDRED).round_dp(2);
        if p.is_sign_negative() {
            format!("{p}%")
        } else {
            format!("+{p}%")
        }
    })
}

/// `sources/...:26 (page 2)` for people; the snapshot when no line is known.
fn cite(origin: &Origin) -> String {
    match (origin.source_line, origin.source_page) {
        (Some(line), Some(page)) => format!("{}:{line} (page {page})", origin.source),
        (Some(line), None) => format!("{}:{line}", origin.source),
        _ => origin.snapshot.to_string(),
    }
}

/// A short description of a code's state: `M 24, key value 1.066667, fee 25.60`.
fn summary(state: &CodeState) -> String {
    let get = |f| state.get(f).map(|v| v.to_string());
    let mut parts = Vec::new();
    if let Some(rv) = get(Field::RelativeValue) {
        let letter = get(Field::KeyLetter).filter(|l| l != "null");
        parts.push(letter.map_or(rv.clone(), |l| format!("{l} {rv}")));
    }
    for (field, name) in [(Field::KeyValue, "key value"), (Field::Fee, "fee")] {
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
                let place = if i == 0 {
                    format!("  {}", cite(&c.new.origin))
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "  {yellow}{code:6}{yellow:#}  {:<26} {:>old_width$} → {}  {}{place}\n",
                    ch.field.name(),
                    ch.old.to_string(),
                    ch.new,
                    percent(ch),
                ));
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

fn csv(d: &Diff) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "status",
        "code",
        "field",
        "old",
        "new",
        "relative_change",
        "old_source",
        "new_source",
    ];
    let io = |e: csv::Error| Error::Usage(format!("writing CSV: {e}"));
    w.write_record(header).map_err(io)?;
    for c in &d.changed {
        for ch in &c.changes {
            let rel = ch
                .relative()
                .map(|r| r.round_dp(6).to_string())
                .unwrap_or_default();
            w.write_record([
                "changed",
                c.code.as_str(),
                ch.field.name(),
                &ch.old.to_string(),
                &ch.new.to_string(),
                &rel,
                &cite(&c.old.origin),
                &cite(&c.new.origin),
            ])
            .map_err(io)?;
        }
    }
    for (status, list) in [("added", &d.added), ("removed", &d.removed)] {
        for s in list {
            let (old, new) = if status == "added" {
                (String::new(), cite(&s.origin))
            } else {
                (cite(&s.origin), String::new())
            };
            w.write_record([status, s.code.as_str(), "", "", "", "", &old, &new])
                .map_err(io)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Usage(format!("writing CSV: {e}")))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}

fn markdown(r: &Report<'_>) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "# Tariff changes: {} → {}\n\n- from: {}\n- to: {}\n\n| | codes |\n|---|---:|\n| changed | {} |\n| added | {} |\n| removed | {} |\n| unchanged | {} |\n",
        r.from.spec,
        r.to.spec,
        cell(&side_line(r.from)),
        cell(&side_line(r.to)),
        r.changed.len(),
        r.added.len(),
        r.removed.len(),
        r.unchanged
    );
    if !r.changed.is_empty() {
        out.push_str("\n## Changed\n\n| code | field | old | new | change | source |\n|---|---|---:|---:|---:|---|\n");
        for c in r.changed {
            for ch in &c.changes {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    c.code,
                    ch.field.name(),
                    cell(&ch.old.to_string()),
                    cell(&ch.new.to_string()),
                    percent(ch),
                    cell(&cite(&c.new.origin))
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
