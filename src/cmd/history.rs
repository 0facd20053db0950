//! `tariffs history CODE`: every dated value of a code, oldest first.

use super::{Out, Outcome};
use crate::cli::{Format, HistoryArgs};
use crate::code::Code;
use crate::error::Error;
use crate::history::{Entry, FIELDS};
use crate::state::Field;
use crate::Repository;

pub fn run(args: HistoryArgs) -> Result<Outcome, Error> {
    let repo = Repository::open(&args.repo.repo)?;
    let code = Code::parse(args.code.trim()).ok_or_else(|| {
        Error::Usage(format!(
            "`{}` is not a code: expected six digits, like 560011",
            args.code
        ))
    })?;
    let entries = repo.history(code)?;
    if entries.is_empty() {
        return Err(Error::Usage(format!(
            "code {code} is in no snapshot of {}",
            repo.root().display()
        )));
    }
    match args.format {
        Format::Json => Out::json(&entries),
        Format::Text => Out::print(&render(code, &entries)),
    }
    Ok(Outcome::Clean)
}

fn render(code: Code, entries: &[Entry]) -> String {
    // Codes of one key letter have no terms: no column of dots for them.
    let fields: Vec<Field> = FIELDS
        .into_iter()
        .filter(|f| *f != Field::KeyTerms || entries.iter().any(|e| e.fields.contains_key(f)))
        .collect();
    let mut header = vec!["effective".to_string()];
    header.extend(
        fields
            .iter()
            .map(|f| f.name().replace("intervention_", "interv_")),
    );
    header.extend(["snapshot".to_string(), "commit".to_string()]);
    let mut rows = vec![header];
    for e in entries {
        let mut row = vec![e.effective_from.to_string()];
        row.extend(
            fields
                .iter()
                .map(|f| e.fields.get(f).map_or("·".into(), |v| v.to_string())),
        );
        row.push(e.snapshot.clone());
        row.push(
            e.commit
                .as_deref()
                .map_or("(not committed)".into(), |c| c[..12].to_string()),
        );
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("history of {code}\n");
    for (i, row) in rows.into_iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        // Under each entry: where its values were stated, and re-issues.
        if let Some(e) = i.checked_sub(1).and_then(|i| entries.get(i)) {
            if e.reissue {
                out.push_str("    re-issue: replaces an earlier version of this snapshot\n");
            }
            let mut cited: Vec<(String, Vec<&str>)> = Vec::new();
            for (field, origin) in &e.citations {
                let place = super::diff::cite(origin);
                match cited.iter_mut().find(|(p, _)| *p == place) {
                    Some((_, fields)) => fields.push(field.name()),
                    None => cited.push((place, vec![field.name()])),
                }
            }
            for (place, fields) in cited {
                out.push_str(&format!("    {}: {place}\n", fields.join(", ")));
            }
        }
    }
    out
}
