//! The row grammar of tariff tables, written with `nom`.
//!
//! A row as text extraction gives it:
//!
//! ```text
//!  M = 1,066667 560011 - = M 24 25,60 23,10 19,35
//!  └──┬───────┘ └─┬──┘ ┬ └─┬──┘ └─┬─┘ └─┬─┘ └─┬─┘
//!  key value     AMB  HOS relative fee  pref. standard
//! ```
//!
//! Rows without key letter (travel indemnities) drop both `M =` and `= M`:
//! `1,310000 639111 - 1 1,31 1,31 1,31`. A free fee is printed `(*)`. The key
//! letter is any capital letter, and no word of any language appears in a row,
//! so French and Dutch tables share this grammar.
//!
//! A fee of two or three key letters (doctors' tables) states each letter's
//! value before the codes and sums the terms after `=`:
//!
//! ```text
//!  N = 3,372107 Q = 0,195645 105755 - = N 8 + Q 30 32,85 27,85 23,85
//!  └─────────┬─────────────┘                └───┬────┘
//!  one `L = value` per letter               relative value: `L c + L c (+ L c)`
//! ```
//!
//! Each letter of the sum must have its value in the row and each value its
//! term in the sum, once; the `terms` submodule checks that and says where
//! it fails.
//!
//! Every cell keeps its byte span in the line, so a finding can put a caret
//! under the exact cell; a syntax error says which cell was expected.
//!
//! `cells` holds what a row is made of, `grammar` reads a line into it,
//! `terms` matches the key letters, and `glued` says which space is missing
//! when cells run together.

mod cells;
mod glued;
mod grammar;
mod terms;

pub use cells::{RowCells, RowSpans, RowSyntaxError, Span};
pub use glued::explain;
pub use grammar::parse_row;
