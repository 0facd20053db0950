//! `tariffs export`: the state at a date as CSV, JSON, JSON lines or SQLite.

use super::{Out, Outcome};
use crate::cli::{ExportArgs, ExportFormat};
use crate::csv_out::Formulas;
use crate::error::Error;
use crate::export::{self, ExportOptions};
use crate::output;
use crate::Repository;

pub fn run(args: ExportArgs) -> Result<Outcome, Error> {
    if args.format == ExportFormat::Sqlite && args.output.is_none() {
        return Err(Error::Usage(
            "--format sqlite writes a database file: say where with -o FILE".into(),
        ));
    }
    if args.csv_raw && args.format != ExportFormat::Csv {
        return Err(Error::Usage(
            "--csv-raw applies to --format csv only".into(),
        ));
    }
    // Refused before the work rather than after it.
    if let Some(path) = &args.output {
        output::check_target(path)?;
    }
    let repo = Repository::open(&args.repo.repo)?;
    let options = ExportOptions {
        date: args.date,
        profession: args.profession.clone(),
        all_dates: args.all_dates,
    };
    let done = repo.export(&options)?;
    let text = match args.format {
        ExportFormat::Sqlite => {
            let path = args.output.as_deref().expect("checked above");
            export::write_sqlite(&done, path)?;
            return Ok(Outcome::Clean);
        }
        ExportFormat::Csv => {
            let mut bytes = Vec::new();
            let formulas = Formulas::raw_if(args.csv_raw);
            export::write_csv_with(&done.records, &mut bytes, formulas)?;
            String::from_utf8(bytes).expect("CSV of UTF-8 values")
        }
        ExportFormat::Json => {
            let all: Vec<_> = done.records.iter().map(export::to_json).collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&all).expect("records serialize")
            )
        }
        ExportFormat::Jsonl => done
            .records
            .iter()
            .map(|r| format!("{}\n", export::to_json(r)))
            .collect(),
    };
    match &args.output {
        Some(path) => output::write(path, text.as_bytes())?,
        None => Out::print(&text),
    }
    Ok(Outcome::Clean)
}
