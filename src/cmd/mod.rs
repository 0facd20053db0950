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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

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
pub fn run(mut cli: Cli) -> Result<Outcome, Error> {
    let color = match cli.color {
        crate::cli::ColorArg::Auto => anstream::ColorChoice::Auto,
        crate::cli::ColorArg::Always => anstream::ColorChoice::Always,
        crate::cli::ColorArg::Never => anstream::ColorChoice::Never,
    };
    color.write_global();
    if let Some(repo) = repo_of(&mut cli.command) {
        repo.repo = cli.repo.clone();
    }
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
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "tariffs",
                &mut out,
            );
            Out::print(&String::from_utf8_lossy(&out));
            Ok(Outcome::Clean)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| Error::Usage(format!("cannot render the manual: {e}")))?;
            Out::print(&String::from_utf8_lossy(&out));
            Ok(Outcome::Clean)
        }
        Command::ExtractPdfWorker { file, serve } => Ok(
            match crate::source::pdf::worker::run(file.as_deref(), serve) {
                0 => Outcome::Clean,
                _ => Outcome::Findings,
            },
        ),
    }
}

/// The repository argument of a command, if it has one.
fn repo_of(command: &mut Command) -> Option<&mut crate::cli::RepoArg> {
    Some(match command {
        Command::Import(a) => &mut a.repo,
        Command::Validate(a) => &mut a.repo,
        Command::Show(a) => &mut a.repo,
        Command::Rebuild(a) => &mut a.repo,
        Command::Diff(a) => &mut a.repo,
        Command::History(a) => &mut a.repo,
        Command::Log(a) => &mut a.repo,
        Command::Export(a) => &mut a.repo,
        Command::Report(a) => &mut a.repo,
        _ => return None,
    })
}

/// Source-reading options for the binary: PDFs are extracted in a child
/// process of this executable (see [`crate::source::pdf`]).
pub fn read_options(args: &crate::cli::ReadArgs) -> crate::source::ReadOptions {
    let isolation = match std::env::current_exe() {
        Ok(exe) => crate::source::pdf::Isolation::Subprocess(exe),
        Err(_) => crate::source::pdf::Isolation::InProcess,
    };
    crate::source::ReadOptions {
        pdf_timeout: std::time::Duration::from_secs(args.timeout),
        isolation,
        max_input_bytes: args.max_input_size.saturating_mul(1 << 20),
        max_memory: args.max_memory.saturating_mul(1 << 20),
    }
}

/// A closed pipe on standard output: later output is dropped, and the
/// command ends with the exit code it would have had.
static PIPE_CLOSED: AtomicBool = AtomicBool::new(false);
/// The first error writing standard output (other than a closed pipe).
static WRITE_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Standard output. A closed pipe (`tariffs diff ... | head -1`) is a quiet
/// end; any other write error (a full disk, `> /dev/full`) makes the command
/// exit 2 with a message (see [`write_error`]).
pub struct Out;

impl Out {
    /// Prints `text` as is.
    pub fn print(text: &str) {
        if PIPE_CLOSED.load(Ordering::Relaxed) {
            return;
        }
        // anstream drops color codes when standard output is not a terminal.
        let mut stdout = anstream::stdout().lock();
        if let Err(e) = stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                PIPE_CLOSED.store(true, Ordering::Relaxed);
            } else if let Ok(mut first) = WRITE_ERROR.lock() {
                first.get_or_insert(e.to_string());
            }
        }
    }

    /// Prints a value as pretty JSON followed by a newline.
    pub fn json<T: serde::Serialize>(value: &T) {
        let text = serde_json::to_string_pretty(value).expect("reports always serialize");
        Out::print(&format!("{text}\n"));
    }
}

/// The error that kept standard output from being written, if any.
pub fn write_error() -> Option<String> {
    WRITE_ERROR.lock().ok().and_then(|e| e.clone())
}

/// Takes the error that kept standard output from being written, for a
/// command that reports it in its own words (an import that stored its
/// data): `main` then has none left to report.
pub fn take_write_error() -> Option<String> {
    WRITE_ERROR.lock().ok().and_then(|mut e| e.take())
}

/// Writes a message for people on standard error.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Prints findings as text (with carets) followed by a one-line summary for `what`.
pub fn print_findings(what: &str, findings: &[crate::findings::Finding]) {
    let mut text = String::new();
    for finding in findings {
        text.push_str(&crate::findings::render(finding));
        text.push('\n');
    }
    if !findings.is_empty() {
        let (errors, warnings) = crate::findings::count(findings);
        text.push_str(&format!(
            "{what}: {}\n",
            crate::findings::summary(errors, warnings)
        ));
    }
    Out::print(&text);
}
