//! `tariffs extract FILE`: the numbered lines the parser sees, page by page.

use super::{Out, Outcome};
use crate::cli::ExtractArgs;
use crate::error::Error;
use crate::source;

pub fn run(args: ExtractArgs) -> Result<Outcome, Error> {
    let doc = source::read(&args.file, &super::read_options(args.timeout))?;
    let width = doc.lines.len().to_string().len();
    let mut out = String::new();
    let mut page = None;
    for line in &doc.lines {
        if line.page != page {
            page = line.page;
            if let Some(p) = page {
                out.push_str(&format!("{:>width$}   ── page {p} ──\n", ""));
            }
        }
        out.push_str(&format!("{:>width$} | {}\n", line.number, line.text));
    }
    Out::print(&out);
    Ok(Outcome::Clean)
}
