//! Findings: what the readers and the rules find wrong in a document or a
//! snapshot, as data.
//!
//! A [`Finding`] is a [`Rule`] id, a [`Severity`], a [`Location`] (file, line,
//! page, column span, the line's text) and a message with what was expected
//! and what was found. Readers (`parse`, `nomensoft`, `canonical`) and rules
//! (`validate`, `reconcile`) return every finding, never only the first;
//! errors block an import, warnings are reported only. [`render`] shows one
//! for people, with the source line and a caret under the cell at fault; the
//! serde form is what `--format json` prints.
//!
//! This module sits below the stages that make findings, so that none of them
//! needs another to say where something is wrong.

mod finding;
mod location;
mod render;
mod rule;

pub use finding::{count, sort, Finding, Text};
pub use location::{Cell, Locate, Location};
pub use render::{render, summary};
pub use rule::{Rule, Severity};
