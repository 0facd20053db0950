//! Command-line flags of `tariffs` (clap). Parsing only: the work is in [`crate::cmd`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turns INAMI/RIZIV tariff documents into versioned, validated YAML.
///
/// A data repository is a folder with `sources/` (documents as published) and
/// `parsed/` (their canonical YAML snapshots). Commands work on the current
/// folder unless `--repo DIR` says otherwise.
///
/// Exit codes: 0 ok, 1 findings (errors in a document) or differences,
/// 2 could not run (unreadable file, unknown document, bad arguments, an
/// output that cannot be written; nothing imported), 3 an import committed
/// but could not update the work tree (the next import finishes it), 4 an
/// import stored its documents but could not write its report. A closed
/// pipe (`tariffs diff ... | head`) ends quietly with the code the command
/// would have had.
#[derive(Debug, Parser)]
#[command(name = "tariffs", version, max_term_width = 100)]
pub struct Cli {
    /// The data repository (a folder with `sources/` and `parsed/`), before
    /// or after the subcommand.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// Color: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, validate, store and commit documents (tariff tables and
    /// conventions, as text or PDF).
    ///
    /// Each FILE is parsed and every row checked (fee = key value × relative
    /// value, check digits, interventions, duplicates, personal shares; for a
    /// convention, its stated fees and rates). If any file has an error
    /// finding, nothing is written and the exit code is 1. Otherwise the
    /// source is copied to `sources/<profession>/<date>-<kind>.<lang>.<ext>`,
    /// its snapshot written to `parsed/<profession>/<date>-<kind>.yaml`, and
    /// both committed to git in one commit (unless --no-commit).
    ///
    /// A folder imports every `.pdf` and `.txt` document under it, one commit
    /// per document in effective-date order; symlinks are followed, and what
    /// is not imported (other files, FIFOs, dangling links, loops) is named
    /// on standard error with the reason.
    ///
    /// Example: tariffs import --dry-run sources/physiotherapy/2024-01-01-tariff.fr.txt
    /// Example: tariffs import --repo my-data tests/fixtures/pdf/
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),
    /// Re-check snapshots in `parsed/`: JSON Schema, then every arithmetic rule.
    ///
    /// Example: tariffs validate parsed/physiotherapy/2024-01-01-tariff.yaml
    #[command(verbatim_doc_comment)]
    Validate(ValidateArgs),
    /// Show what a code costs: the row of the latest tariff table listing it,
    /// or with --date, the state at that date (tables and conventions).
    ///
    /// Example: tariffs show 560416 --date 2021-07-01 --format json
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
    /// Re-parse every file under `sources/` and rewrite (or, with --check,
    /// compare) its snapshot in `parsed/`.
    ///
    /// Example: tariffs rebuild --check   # exit 1 if any snapshot would change
    #[command(verbatim_doc_comment)]
    Rebuild(RebuildArgs),
    /// Compare two versions: dates, snapshot files or git revisions of them.
    ///
    /// FROM and TO are each
    ///   a date (2021-01-01): the state of the profession at that date;
    ///   a snapshot file (parsed/physiotherapy/2024-01-01-tariff.yaml);
    ///   a git revision of one (HEAD~1:parsed/physiotherapy/2024-01-01-tariff.yaml);
    ///   or both a git revision (HEAD~1 HEAD): every snapshot of the repository
    ///   at one revision against the other.
    /// State at a date: the latest tariff table in force, then the convention
    /// entries dated after it (see the README). Where a side has a key value
    /// and a relative value but no stated fee, the fee is derived (key value ×
    /// relative value, half-up to the cent; the relative value borrowed from
    /// the nearest table when none is in force), and so are the personal
    /// shares (fee − intervention); derived values are marked as such.
    /// Every changed field cites both sides: file, line, page and commit.
    /// Exit 0 when there is no difference, 1 when there are, 2 on error.
    ///
    /// Example: tariffs diff 2021-01-01 2024-01-01 --format markdown
    /// Example: tariffs diff 2021-01-01 2024-01-01 --field fee --min-change 10
    #[command(verbatim_doc_comment)]
    Diff(DiffArgs),
    /// Every dated value of a code across all snapshots and their git history.
    ///
    /// Example: tariffs history 560416 --format json
    #[command(verbatim_doc_comment)]
    History(HistoryArgs),
    /// The imports recorded in git: dates, kinds, row counts.
    ///
    /// Example: tariffs log
    #[command(verbatim_doc_comment)]
    Log(LogArgs),
    /// Export the state at a date for analysts: one record per code with
    /// every field, the derived fee, the personal shares, and where each value
    /// came from (file, line, page, commit).
    ///
    /// --format csv | json | jsonl write to standard output (or -o FILE);
    /// --format sqlite writes a database (-o FILE is required) with tables
    /// `codes` (the state asked for), `history` (every dated state) and
    /// `snapshots`, indexed by code and date.
    ///
    /// CSV cells that a spreadsheet would run as formulas get a leading
    /// apostrophe (OWASP's advice against CSV injection); --csv-raw writes
    /// them as stored.
    ///
    /// Example: tariffs export --date 2024-01-01 --format csv
    /// Example: tariffs export --format sqlite -o tariffs.sqlite
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
    /// Write an audit report of a comparison: one self-contained HTML file
    /// (nothing loaded from the network; prints on A4) or Markdown.
    ///
    /// FROM and TO are as for `diff`. The report holds a summary (the sides
    /// with their snapshots and commits, the counts, the distribution of the
    /// relative changes as a chart), a sortable, filterable table of every
    /// changed code with old → new per field and both citations, and for each
    /// changed code a chart of its values over every dated state. The
    /// filters of `diff` apply.
    ///
    /// Example: tariffs report 2021-01-01 2024-01-01 -o report.html
    /// Example: tariffs report 2021-01-01 2024-01-01 --format markdown
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Print the text the parser sees in a document: for a PDF, the lines
    /// rebuilt from glyph positions, numbered as `source_line`, with page markers.
    ///
    /// Example: tariffs extract tests/fixtures/pdf/tarifs-kine-2024-01-01.fr.writer.pdf
    #[command(verbatim_doc_comment)]
    Extract(ExtractArgs),
    /// Print a shell completion script: bash, zsh, fish or powershell.
    ///
    /// Example: tariffs completions bash > tariffs.bash   # then: source tariffs.bash
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l -` or a `man1` folder.
    ///
    /// Example: tariffs man > tariffs.1
    #[command(verbatim_doc_comment)]
    Man,
    /// Internal: extract a PDF in a child process (see `source::pdf`).
    #[command(name = "__extract-pdf", hide = true)]
    ExtractPdfWorker {
        /// The PDF; default: its bytes on standard input.
        file: Option<PathBuf>,
        /// Extract PDFs one after another, in frames on standard input.
        #[arg(long)]
        serve: bool,
    },
}

/// Output format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page.
    Html,
    /// The same content as Markdown.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The old side: a date, a snapshot file, or REV:path.
    pub from: String,
    /// The new side: a date, a snapshot file, or REV:path.
    pub to: String,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Write to FILE instead of standard output: whole, through a temporary
    /// file beside it renamed over it. Only a regular file is replaced; a
    /// link, pipe, device or folder at FILE is refused (exit 2).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The profession, for dates (default: the only one in the repository).
    #[arg(long)]
    pub profession: Option<String>,
    #[command(flatten)]
    pub filter: DiffFilterArgs,
}

/// Output format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of records.
    Json,
    /// One JSON record per line.
    Jsonl,
    /// An SQLite database (needs -o FILE).
    Sqlite,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub repo: RepoArg,
    /// The date of the state (default: the latest date a snapshot or a
    /// convention entry starts).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<chrono::NaiveDate>,
    /// One record per code and dated state: the whole history in one table.
    #[arg(long, conflicts_with = "date")]
    pub all_dates: bool,
    /// The profession (default: the only one in the repository).
    #[arg(long)]
    pub profession: Option<String>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// With --format csv: write every cell exactly as stored. By default a
    /// cell that a spreadsheet would run as a formula (one beginning with
    /// = + - @, a tab or a carriage return, and not a number like -1.25)
    /// gets a leading apostrophe, as OWASP advises against CSV injection.
    /// For programs that read the CSV, not for spreadsheets.
    #[arg(long)]
    pub csv_raw: bool,
    /// Write to FILE instead of standard output: whole, through a temporary
    /// file beside it renamed over it. Only a regular file is replaced; a
    /// link, pipe, device or folder at FILE is refused (exit 2).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people (findings, where a command has them, with the source line and a caret).
    Text,
    /// For tools: one JSON document on standard output.
    Json,
}

/// The data repository a command works on: the global `--repo DIR`,
/// filled in by [`crate::cmd::run`].
#[derive(Debug, Args, Default)]
pub struct RepoArg {
    #[arg(skip)]
    pub repo: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Documents to import: tariff tables or conventions, as UTF-8 text or PDF.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Parse and validate only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Write the files but make no git commit (the default commits, creating
    /// the git repository if DIR has none).
    #[arg(long)]
    pub no_commit: bool,
    /// Commit author, `Name <email>`; default: the repository's git config,
    /// else `inami-tariffs <inami-tariffs@localhost>`.
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,
    /// Replace a snapshot by a re-issue: the same document (profession, kind,
    /// date, language) with other values. Without it, such an import lists
    /// the value changes, writes nothing and exits 1.
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Snapshots to check; default: every `parsed/**/*.yaml` of the repository.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A six-digit nomenclature code (AMB or HOS), e.g. 560011.
    pub code: String,
    /// The state at this date (YYYY-MM-DD): the tariff table in force, then
    /// the convention entries dated after it.
    #[arg(long, value_name = "DATE")]
    pub date: Option<chrono::NaiveDate>,
    /// The profession, with --date (default: the only one in the repository).
    #[arg(long)]
    pub profession: Option<String>,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RebuildArgs {
    #[command(flatten)]
    pub repo: RepoArg,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Compare only: report snapshots that would change, write nothing.
    #[arg(long)]
    pub check: bool,
    /// Output format: text, or one JSON object (`snapshots`: path, status,
    /// sources, summary; `ok`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Aligned, colored on a terminal.
    Text,
    /// `{"from", "to", "added", "removed", "changed", "unchanged"}`.
    Json,
    /// One line per changed field (and per added or removed code).
    Csv,
    /// A report with tables.
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old side: a date, a snapshot file, or REV:path.
    pub from: String,
    /// The new side: a date, a snapshot file, or REV:path.
    pub to: String,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// With --format csv: write every cell exactly as stored. By default a
    /// cell that a spreadsheet would run as a formula (one beginning with
    /// = + - @, a tab or a carriage return, and not a number like -1.25)
    /// gets a leading apostrophe, as OWASP advises against CSV injection.
    /// For programs that read the CSV, not for spreadsheets.
    #[arg(long)]
    pub csv_raw: bool,
    /// Show a unified diff of the two canonical YAML files instead (snapshots only).
    #[arg(long)]
    pub text: bool,
    /// The profession, for dates (default: the only one in the repository).
    #[arg(long)]
    pub profession: Option<String>,
    #[command(flatten)]
    pub filter: DiffFilterArgs,
}

/// What a diff (or report) shows.
#[derive(Debug, Args, Clone, Default)]
pub struct DiffFilterArgs {
    /// Only these codes (AMB or HOS).
    #[arg(long, value_name = "CODE", num_args = 1..)]
    pub code: Vec<String>,
    /// Only these fields (fee, key_value, relative_value, intervention_preferential, ...).
    #[arg(long, value_name = "FIELD", num_args = 1..)]
    pub field: Vec<String>,
    /// Only changed codes with an amount that moved by at least PERCENT (either way).
    #[arg(long, value_name = "PERCENT")]
    pub min_change: Option<rust_decimal::Decimal>,
    /// Only added, removed or changed codes.
    #[arg(long, value_enum)]
    pub only: Option<OnlyArg>,
}

/// `--only added|removed|changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnlyArg {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A six-digit code, e.g. 560416.
    pub code: String,
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub repo: RepoArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Limits on reading one document.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Time limit for extracting the text of one PDF, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Memory a PDF extraction may use, in MiB (a hard limit on its worker
    /// process; past it the document is refused, never read short).
    #[arg(long, value_name = "MIB", default_value_t = crate::source::DEFAULT_MAX_MEMORY >> 20,
          value_parser = clap::value_parser!(u64).range(64..))]
    pub max_memory: u64,
    /// The largest document read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = crate::source::DEFAULT_MAX_INPUT_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_input_size: u64,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// A PDF (or text) document.
    pub file: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Output format (json: `{"file", "lines": [{"line", "page", "text"}]}`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
