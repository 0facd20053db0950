//! One module per subcommand, each with `run(args) -> Result<Outcome, Error>`.
//!
//! This is the only layer that prints. Output goes through [`Out`], which
//! turns a closed pipe (`tariffs show ... | head`) into a quiet success.

pub mod diff;
pub mod export;
pub mod extract;
pub mod history;
pub mod import;
pub mod log;
pub mod rebuild;
pub mod report;
pub mod show;
pub mod validate;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::error::Error;

/// How a command ended, when it could run at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: everything checked out.
    Clean,
    /// Exit 1: error findings, or differences found.
    Findings,
}

impl Outcome {
    /// `Findings` if `bad`, else `Clean`.
    pub fn from_bad(bad: bool) -> Outcome {
        if bad {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }

    /// The process exit code.
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Import(args) => import::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Show(args) => show::run(args),
        Command::Rebuild(args) => rebuild::run(args),
        Command::Diff(args) => diff::run(args),
        Command::History(args) => history::run(args),
        Command::Log(args) => log::run(args),
        Command::Export(args) => export::run(args),
        Command::Report(args) => report::run(args),
        Command::Extract(args) => extract::run(args),
        Command::ExtractPdfWorker { file } => Ok(match crate::source::pdf::run_worker(&file) {
            0 => Outcome::Clean,
            _ => Outcome::Findings,
        }),
    }
}

/// Source-reading options for the binary: PDFs are extracted in a child
/// process of this executable (see [`crate::source::pdf`]).
pub fn read_options(timeout_seconds: u64) -> crate::source::ReadOptions {
    let isolation = match std::env::current_exe() {
        Ok(exe) => crate::source::pdf::Isolation::Subprocess(exe),
        Err(_) => crate::source::pdf::Isolation::InProcess,
    };
    crate::source::ReadOptions {
        pdf_timeout: std::time::Duration::from_secs(timeout_seconds),
        isolation,
    }
}

/// Standard output, where a closed pipe ends the program quietly with success.
pub struct Out;

impl Out {
    /// Prints `text` as is.
    pub fn print(text: &str) {
        // anstream drops color codes when standard output is not a terminal.
        let mut stdout = anstream::stdout().lock();
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }

    /// Prints a value as pretty JSON followed by a newline.
    pub fn json<T: serde::Serialize>(value: &T) {
        let text = serde_json::to_string_pretty(value).expect("reports always serialize");
        Out::print(&format!("{text}\n"));
    }
}

/// Writes a message for people on standard error.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Prints findings as text (with carets) followed by a one-line summary for `what`.
pub fn print_findings(what: &str, findings: &[crate::validate::Finding]) {
    let mut text = String::new();
    for finding in findings {
        text.push_str(&crate::report::render(finding));
        text.push('\n');
    }
    if !findings.is_empty() {
        let (errors, warnings) = crate::validate::count(findings);
        text.push_str(&format!(
            "{what}: {}\n",
            crate::report::summary(errors, warnings)
        ));
    }
    Out::print(&text);
}
