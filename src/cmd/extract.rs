//! `tariffs extract FILE`: the numbered lines the parser sees, page by page.

use serde::Serialize;

use super::{Out, Outcome};
use crate::cli::{ExtractArgs, Format};
use crate::error::Error;
use crate::source::{self, SourceDocument};

/// The JSON form: every line with its number and page.
#[derive(Debug, Serialize)]
struct Extracted<'a> {
    file: String,
    lines: Vec<Line<'a>>,
}

#[derive(Debug, Serialize)]
struct Line<'a> {
    line: usize,
    /// `null` for a text document.
    page: Option<u32>,
    text: &'a str,
}

pub fn run(args: ExtractArgs) -> Result<Outcome, Error> {
    let doc = source::read(&args.file, &super::read_options(&args.read))?;
    match args.format {
        Format::Text => Out::print(&numbered(&doc)),
        Format::Json => Out::json(&Extracted {
            file: args.file.display().to_string(),
            lines: doc
                .lines
                .iter()
                .map(|l| Line {
                    line: l.number,
                    page: l.page,
                    text: &l.text,
                })
                .collect(),
        }),
    }
    Ok(Outcome::Clean)
}

/// The lines, numbered, with a marker where each page begins.
fn numbered(doc: &SourceDocument) -> String {
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
    out
}
