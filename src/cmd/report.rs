//! `tariffs report FROM TO`: an audit report, HTML or Markdown.

use super::{Out, Outcome};
use crate::audit;
use crate::cli::{ReportArgs, ReportFormat};
use crate::compare;
use crate::error::Error;
use crate::output;
use crate::store::DataRepo;

pub fn run(args: ReportArgs) -> Result<Outcome, Error> {
    // Refused before the work rather than after it.
    if let Some(path) = &args.output {
        output::check_target(path)?;
    }
    let repo = DataRepo::open(&args.repo.repo)?;
    let filter = super::diff::filter(&args.filter)?;
    let comparison = compare::compare(
        &repo,
        &args.from,
        &args.to,
        args.profession.as_deref(),
        &filter,
    )?;
    let report = audit::build(&repo, comparison)?;
    let text = match args.format {
        ReportFormat::Html => audit::html::render(&report),
        ReportFormat::Markdown => audit::markdown::render(&report),
    };
    match &args.output {
        Some(path) => output::write(path, text.as_bytes())?,
        None => Out::print(&text),
    }
    Ok(Outcome::Clean)
}
