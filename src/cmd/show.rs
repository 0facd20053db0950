//! `tariffs show CODE`: the row of a code in the latest snapshot that lists it.

use serde::Serialize;

use super::{Out, Outcome};
use crate::canonical;
use crate::cli::{Format, ShowArgs};
use crate::decimal::to_document_style as doc;
use crate::error::Error;
use crate::model::{TariffRow, TariffTable};
use crate::state::{CodeState, Field, State};
use crate::store::DataRepo;

/// The one JSON shape of `show`, with or without `--date`: the row of the
/// latest table (without `--date`; `null` with it), and the code's state
/// (the row's values without `--date`; the state at the date with it).
#[derive(Debug, Serialize)]
struct Shown<'a> {
    code: &'a str,
    profession: &'a str,
    /// The date asked for (`null` without `--date`).
    date: Option<chrono::NaiveDate>,
    /// The date of the table shown (without `--date`).
    effective_from: Option<String>,
    /// The table shown (without `--date`).
    snapshot: Option<String>,
    /// The snapshots the state was made from.
    snapshots: Vec<String>,
    row: Option<&'a TariffRow>,
    state: &'a CodeState,
}

pub fn run(args: ShowArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let code = args.code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Usage(format!(
            "`{code}` is not a nomenclature code: expected six digits, like 560011"
        )));
    }
    if let Some(date) = args.date {
        return show_at_date(&repo, code, date, args.profession.as_deref(), args.format);
    }
    let Some((snapshot, table)) = latest_table_with(&repo, code)? else {
        return Err(Error::Usage(format!(
            "code {code} is in no snapshot under {}/parsed",
            repo.root().display()
        )));
    };
    let row = table
        .rows
        .iter()
        .find(|r| r.has_code(code))
        .expect("the table was chosen because it lists the code");
    match args.format {
        Format::Json => {
            let state = State::from_table(&table, &snapshot);
            let state = state
                .codes
                .get(&row.code())
                .expect("the row's code is in its table's state");
            Out::json(&Shown {
                code,
                profession: &table.profession,
                date: None,
                effective_from: Some(table.effective_from.to_string()),
                snapshot: Some(snapshot.clone()),
                snapshots: vec![snapshot.clone()],
                row: Some(row),
                state,
            })
        }
        Format::Text => Out::print(&render(code, &snapshot, &table, row)),
    }
    Ok(Outcome::Clean)
}

/// The code in the state of its profession at `date`.
fn show_at_date(
    repo: &DataRepo,
    code: &str,
    date: chrono::NaiveDate,
    profession: Option<&str>,
    format: Format,
) -> Result<Outcome, Error> {
    let crate::repository::DatedState {
        profession,
        state,
        snapshots: used,
        ..
    } = crate::Repository::open(repo.root())?.state_at(date, profession)?;
    // A HOS code is found under the AMB code of its row.
    let found = state.codes.values().find(|s| {
        s.code == code
            || s.get(Field::HospitalizedCode)
                .is_some_and(|v| v.to_string() == code)
    });
    let Some(found) = found else {
        return Err(Error::Usage(format!(
            "code {code} has no {profession} state on {date}"
        )));
    };
    match format {
        Format::Json => Out::json(&Shown {
            code,
            profession: &profession,
            date: Some(date),
            effective_from: None,
            snapshot: None,
            snapshots: used.clone(),
            row: None,
            state: found,
        }),
        Format::Text => {
            let mut out = format!("{code}  {profession} on {date} ({})\n", used.join(", "));
            for (field, value) in &found.fields {
                out.push_str(&format!("  {:<26} {value}\n", field.name()));
            }
            for (field, why) in &found.not_derived {
                out.push_str(&format!("  {:<26} not derived: {why}\n", field.name()));
            }
            let origin = &found.origin;
            let line = origin
                .source_line
                .map_or(String::new(), |l| format!(":{l}"));
            out.push_str(&format!(
                "  {:<26} {}{line} (from {})\n",
                "last set by", origin.source, origin.effective_from
            ));
            Out::print(&out);
        }
    }
    Ok(Outcome::Clean)
}

/// The tariff snapshot with the latest `effective_from` that lists `code`.
fn latest_table_with(repo: &DataRepo, code: &str) -> Result<Option<(String, TariffTable)>, Error> {
    let mut best: Option<(String, TariffTable)> = None;
    for path in repo.snapshots()? {
        if !path.to_string_lossy().ends_with("-tariff.yaml") {
            continue;
        }
        let text = canonical::bounds::read_file(&path)?;
        let table = canonical::read_tariff(&path, &text)?;
        let newer = best
            .as_ref()
            .is_none_or(|(_, b)| table.effective_from > b.effective_from);
        if newer && table.rows.iter().any(|r| r.has_code(code)) {
            best = Some((repo.relative(&path), table));
        }
    }
    Ok(best)
}

/// The key values and the relative value as the document prints them:
/// `M = 1,066667` and `M 24`, or `N = 3,372107, Q = 0,195645` and `N 8 + Q 30`.
fn key_cells(row: &TariffRow) -> (String, String) {
    let terms = row.terms();
    if terms.is_empty() {
        return (doc(row.key_value), doc(row.relative_value));
    }
    let values: Vec<String> = terms
        .iter()
        .map(|t| format!("{} = {}", t.key_letter, doc(t.key_value)))
        .collect();
    let sum: Vec<String> = terms
        .iter()
        .map(|t| format!("{} {}", t.key_letter, doc(t.coefficient)))
        .collect();
    (values.join(", "), sum.join(" + "))
}

fn render(code: &str, snapshot: &str, table: &TariffTable, row: &TariffRow) -> String {
    let or_dash = |v: Option<&str>| v.unwrap_or("-").to_string();
    let (key_value, relative) = key_cells(row);
    let fee = match row.fee {
        Some(fee) => format!("{} EUR", doc(fee)),
        None => format!("free (*) {}", or_dash(row.fee_note.as_deref())),
    };
    let place = match row.source_page {
        Some(page) => format!("{}:{} (page {page})", table.source.file, row.source_line),
        None => format!("{}:{}", table.source.file, row.source_line),
    };
    [
        format!(
            "{code}  {} tariff from {}",
            table.profession, table.effective_from
        ),
        format!(
            "  AMB / HOS        {} / {}",
            or_dash(row.ambulatory_code.as_deref()),
            or_dash(row.hospitalized_code.as_deref())
        ),
        format!("  setting          {}", or_dash(row.setting.as_deref())),
        format!("  article          {}", or_dash(row.article.as_deref())),
        format!("  key value        {key_value}"),
        format!("  relative value   {relative}"),
        format!("  fee              {fee}"),
        format!(
            "  intervention     {} EUR preferential, {} EUR standard",
            doc(row.intervention_preferential),
            doc(row.intervention_standard)
        ),
        format!("  source           {place}"),
        format!("  snapshot         {snapshot}"),
    ]
    .join("\n")
        + "\n"
}
