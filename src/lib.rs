//! # inami-tariffs
//!
//! Turns the tariff documents of Belgium's health insurance (INAMI/RIZIV) into
//! versioned, validated, machine-readable data.
//!
//! The pipeline reads off the module names:
//!
//! | stage | module | job |
//! |---|---|---|
//! | 1 | [`source`] | bytes → numbered lines (text, or PDF by glyph positions) |
//! | 2 | [`parse`] | lines → typed records, one module per document family |
//! | 3 | [`validate`] | records → findings (exact decimal arithmetic) |
//! | 4 | [`canonical`] | records ↔ canonical YAML (the only YAML writer) |
//! | 5 | [`store`] | files in a data repository |
//!
//! [`pipeline`] chains stages 1-4 for one document; [`report`] renders
//! findings; [`cmd`] holds one module per subcommand of the `tariffs` binary,
//! and nothing below it prints.
//!
//! ```
//! use inami_tariffs::{pipeline, source::SourceDocument};
//!
//! let text = "Tarifs ; Kinésithérapeutes ; 01-01-2024\n\
//!             I. a) Prestations effectuées au cabinet\n\
//!             M = 1,066667 560011 - = M 24 25,60 23,10 19,35\n";
//! let done = pipeline::process(SourceDocument::from_text("t.txt", text)).unwrap();
//! assert_eq!(done.rows, 1);
//! assert!(done.snapshot.yaml.contains("fee: '25.60'"));
//! ```

pub mod audit;
pub mod batch;
pub mod canonical;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod code;
pub mod compare;
pub mod decimal;
pub mod derive;
pub mod diff;
pub mod error;
pub mod export;
pub mod history;
pub mod layout;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod placement;
pub mod reconcile;
pub mod report;
pub mod source;
pub mod state;
pub mod store;
pub mod validate;

pub use error::Error;
