//! `tariffs log`: the imports recorded in git, newest first.

use serde::Serialize;

use super::{Out, Outcome};
use crate::cli::{Format, LogArgs};
use crate::error::Error;
use crate::store::DataRepo;
use crate::store::GitRepo;

/// One import commit.
#[derive(Debug, Serialize)]
struct Import {
    commit: String,
    /// `Name <email>`.
    author: String,
    time: i64,
    summary: String,
    /// `new`, `language`, `re-issue` or `same-values` (absent in older commits).
    import_kind: Option<String>,
    /// Value changes the commit made to the state (absent in older commits).
    value_changes: Option<usize>,
    effective_date: Vec<String>,
    kind: Vec<String>,
    profession: Vec<String>,
    rows: Vec<String>,
    source_file: Vec<String>,
}

pub fn run(args: LogArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let git = GitRepo::open(repo.root())?.ok_or_else(|| {
        Error::Usage(format!(
            "{} is no git repository: nothing was committed there",
            repo.root().display()
        ))
    })?;
    let imports: Vec<Import> = git
        .log()?
        .into_iter()
        .filter(|c| c.trailers.iter().any(|(k, _)| k == "Document-Kind"))
        .map(|c| {
            let all = |key: &str| -> Vec<String> {
                c.trailers
                    .iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            Import {
                import_kind: all("Import-Kind").into_iter().next(),
                value_changes: all("Value-Changes")
                    .iter()
                    .filter_map(|v| v.parse::<usize>().ok())
                    .reduce(|a, b| a + b),
                author: c.author.clone(),
                effective_date: all("Effective-Date"),
                kind: all("Document-Kind"),
                profession: all("Profession"),
                rows: all("Rows"),
                source_file: all("Source-File"),
                commit: c.id,
                time: c.time,
                summary: c.summary,
            }
        })
        .collect();
    match args.format {
        Format::Json => Out::json(&imports),
        Format::Text => {
            let mut out = String::new();
            for i in &imports {
                let time = chrono::DateTime::from_timestamp(i.time, 0)
                    .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string());
                out.push_str(&format!("{}  {time}  {}\n", &i.commit[..12], i.summary));
                let changes = i
                    .value_changes
                    .map_or(String::new(), |n| format!(", {n} value changes"));
                let kind = i.import_kind.as_deref().unwrap_or("import");
                out.push_str(&format!("    {kind} by {}{changes}\n", i.author));
                for (((date, kind), rows), file) in i
                    .effective_date
                    .iter()
                    .zip(&i.kind)
                    .zip(&i.rows)
                    .zip(&i.source_file)
                {
                    let unit = if kind == "tariff" { "rows" } else { "entries" };
                    out.push_str(&format!(
                        "    {date}  {kind:<10}  {rows:>6} {unit:<7}  {file}\n"
                    ));
                }
            }
            if imports.is_empty() {
                out.push_str("no imports yet\n");
            }
            Out::print(&out);
        }
    }
    Ok(Outcome::Clean)
}
