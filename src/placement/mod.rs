//! What an import does to the repository: the placement of each document.
//!
//! A document is (profession, kind, effective date); its French and Dutch
//! versions are two sources of one snapshot. Against what the repository
//! holds, the documents of one import that share a snapshot become one
//! [`Placement`]:
//!
//! - **new**: no snapshot yet; written with every source of the import;
//! - **another language**: the snapshot exists in other languages and every
//!   value agrees ([`crate::reconcile`]); the new source is added beside the
//!   others and the snapshot gains the language's words, no value changes;
//! - **language mismatch**: another language that states other values:
//!   `language-mismatch` findings, nothing written;
//! - **re-issue**: a language the snapshot has, with other values, or other
//!   words (a heading, a `(*)` note, the title: they are part of the
//!   snapshot). Refused unless `replace` is set (the changes are listed
//!   either way); replacing one language of a bilingual snapshot drops the
//!   other's source unless its re-issue is in the same import, and says so;
//! - **same values, other bytes** (the PDF of an imported text, or the other
//!   way round): not a re-issue. The PDF is kept, because it is the document
//!   as published and its citations carry pages;
//! - **already imported**: the same bytes again.
//!
//! "The same" in a language the snapshot has is one notion ([`changes_in`]):
//! the values agree as between two languages ([`crate::reconcile`]), and `diff`
//! finds nothing between the snapshot and the document in that language, its
//! headings and notes included, nor in the document's own fields (title,
//! dates). A re-issue lists exactly those changes.
//!
//! [`place`] groups an import's documents by snapshot and places each group
//! (`place`); `merge` merges one group's languages, `changes` says what they
//! change, and `action` is what comes of it.

mod action;
mod changes;
mod merge;
mod place;

pub use action::{Action, Placement};
pub use changes::{changes_in, value_changes, DocumentChange};
pub use merge::{merge, Merged};
pub use place::{date, place};
