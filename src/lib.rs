#![warn(missing_docs)]
//! # inami-tariffs
//!
//! Turns the tariff documents of Belgium's health insurance (INAMI/RIZIV) into
//! versioned, validated, machine-readable data: tariff tables and conventions,
//! PDF or text, French or Dutch, become canonical YAML snapshots in a *data
//! repository* (a git repository holding `sources/`, `parsed/` and `schema/`),
//! with every value exact ([`rust_decimal::Decimal`]) and cited (file, line,
//! page, commit).
//!
//! ## The pipeline
//!
//! One document goes through five stages; the module names read as the
//! pipeline:
//!
//! | stage | module | job |
//! |---|---|---|
//! | 1 | [`source`] | bytes → numbered lines (text, or PDF by glyph positions) |
//! | 2 | [`parse`] | lines → typed records, one module per document family |
//! | 3 | [`validate`] | records → findings (exact decimal arithmetic) |
//! | 4 | [`canonical`] | records ↔ canonical YAML (the only YAML writer) |
//! | 5 | [`store`] | files in a data repository, and its git history |
//!
//! Below the stages, every one of them shares the snapshot model
//! ([`model`]: tables, conventions, NomenSoft records) and the [`findings`]
//! they report (rule, location, rendering with a caret); no stage imports
//! another to say what a record is or where something is wrong.
//!
//! [`pipeline`] chains stages 1-4 for one document; [`batch`] runs it on many
//! at once. An [`import`] places each document against what the repository
//! holds ([`placement`]: a new snapshot, another language reconciled by
//! [`reconcile`], a re-issue), then writes and commits, or writes nothing.
//!
//! Questions across versions read snapshots back ([`catalog`]) into a
//! [`state::State`] per date, complete it with derived fees ([`mod@derive`]),
//! and compare ([`compare`], [`diff`]), trace ([`history`]), export
//! ([`export`]) or report ([`audit`]). Every CSV goes through [`csv_out`]
//! (formula cells neutralised for spreadsheets), and every file a user
//! names with `-o` through [`output`] (written whole, over a regular file
//! only).
//!
//! [`Repository`] is the entry point for a Rust program: each method returns a
//! typed report and prints nothing. (The `cli` and `cmd` modules belong to the
//! `tariffs` binary and are not part of the library's API.)
//!
//! ## Import a document
//!
//! ```
//! use inami_tariffs::{ImportOptions, Repository};
//!
//! let dir = tempfile::tempdir()?;
//! let table = dir.path().join("tarifs-kine-2024.fr.txt");
//! std::fs::write(
//!     &table,
//!     "Tarifs ; Kinésithérapeutes ; 01-01-2024\n\
//!      I. a) Prestations effectuées au cabinet\n\
//!      M = 1,066667 560011 - = M 24 25,60 23,10 19,35\n",
//! )?;
//! let repo = Repository::create(dir.path().join("data"))?;
//! let done = repo.import(&[table], &ImportOptions::default())?;
//! assert!(!done.blocked, "{:?}", done.findings().collect::<Vec<_>>());
//! assert_eq!(done.processed[0].rows, 1);
//! assert!(done.stored.commit.is_some()); // one git commit per document
//! assert!(repo.root().join("parsed/physiotherapy/2024-01-01-tariff.yaml").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The state at a date
//!
//! This crate's own folder is a data repository (the 2021 convention and the
//! 2024 table of physiotherapy):
//!
//! ```
//! use chrono::NaiveDate;
//! use inami_tariffs::{code::Code, state::Field, Repository};
//!
//! let repo = Repository::open(env!("CARGO_MANIFEST_DIR"))?;
//! let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
//! let at = repo.state_at(date, Some("physiotherapy"))?;
//! let code = at.state.codes.get(&Code::parse("560011").unwrap()).unwrap();
//! assert_eq!(code.get(Field::Fee).unwrap().to_string(), "25.60");
//! assert_eq!(code.origin_of(Field::Fee).source_line, Some(26)); // cited: file, line, page
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## What changed between two dates
//!
//! ```
//! use inami_tariffs::{code::Code, diff::Filter, Repository};
//!
//! let repo = Repository::open(env!("CARGO_MANIFEST_DIR"))?;
//! let filter = Filter { codes: vec![Code::parse("560011").unwrap()], ..Filter::default() };
//! let c = repo.diff("2021-01-01", "2024-01-01", None, &filter)?;
//! let fee = c.diff.changed[0].changes.iter().find(|ch| ch.field.name() == "fee").unwrap();
//! // 2021 states no fee: 0,927692 × 24 is derived, and cited as such.
//! assert_eq!((fee.old.to_string(), fee.new.to_string()), ("22.26".into(), "25.60".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Export
//!
//! ```
//! use inami_tariffs::{export::{self, ExportOptions}, Repository};
//!
//! let repo = Repository::open(env!("CARGO_MANIFEST_DIR"))?;
//! let done = repo.export(&ExportOptions::default())?; // the latest state
//! let mut csv = Vec::new();
//! export::write_csv(&done.records, &mut csv)?;
//! assert_eq!(done.records.len(), 209);
//! assert!(String::from_utf8(csv)?.starts_with("profession,date,code,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod audit;
pub mod batch;
pub mod canonical;
pub mod catalog;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod cmd;
pub mod code;
pub mod compare;
pub mod csv_out;
pub mod decimal;
pub mod derive;
pub mod diff;
pub mod error;
pub mod export;
pub mod findings;
pub mod history;
pub mod import;
pub mod layout;
pub mod model;
pub mod nomensoft;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod placement;
pub mod reconcile;
pub mod repository;
pub mod source;
pub mod state;
pub mod store;
pub mod validate;

pub use error::Error;
pub use import::ImportOptions;
pub use repository::Repository;
