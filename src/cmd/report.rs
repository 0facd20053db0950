//! `tariffs report FROM TO`: an audit report, HTML or Markdown.

use super::{Out, Outcome};
use crate::audit;
use crate::cli::{ReportArgs, ReportFormat};
use crate::compare;
use crate::error::Error;
use crate::store::DataRepo;

pub fn run(args: ReportArgs) -> Result<Outcome, Error> {
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
        Some(path) => std::fs::write(path, text).map_err(|e| Error::io(path, e))?,
        None => Out::print(&text),
    }
    Ok(Outcome::Clean)
}
