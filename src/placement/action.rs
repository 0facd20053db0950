//! What an import does with one snapshot ([`Action`]), and the files and
//! findings that come with it ([`Placement`]).

use super::changes::{value_changes, DocumentChange};
use crate::diff::Diff;
use crate::findings::Finding;
use crate::layout::DocumentId;
use crate::model::Language;
use crate::store::FileWrite;

/// What happens to one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A snapshot that did not exist.
    New,
    /// Sources in other languages added; `agreeing` records agree.
    /// Sources in other languages added; `agreeing` records agree.
    AddLanguage {
        /// How many records agree between the languages.
        agreeing: usize,
    },
    /// The sources state other values than the snapshot (or each other).
    LanguageMismatch,
    /// Other values in a language the snapshot has; `replaced` when allowed.
    /// Other values in a language the snapshot has; `replaced` when `--replace` allowed it.
    Reissue {
        /// Whether the snapshot is replaced (`--replace`).
        replaced: bool,
    },
    /// The same values from other bytes; `source_replaced` when the new
    /// source is kept instead of the old one.
    /// The same values from other bytes; `source_replaced` when the new source is kept instead of the old one.
    SameValues {
        /// Whether the new source is kept instead of the old one.
        source_replaced: bool,
    },
    /// Nothing new.
    AlreadyImported,
}

impl Action {
    /// The action in one word, as the JSON report and the `Import-Kind`
    /// trailer write it: `new`, `language`, `language-mismatch`, `re-issue`,
    /// `same-values`, `already-imported`.
    pub fn word(&self) -> &'static str {
        match self {
            Action::New => "new",
            Action::AddLanguage { .. } => "language",
            Action::LanguageMismatch => "language-mismatch",
            Action::Reissue { .. } => "re-issue",
            Action::SameValues { .. } => "same-values",
            Action::AlreadyImported => "already-imported",
        }
    }
}

/// The documents of one snapshot and what the import does with them.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Profession, kind and effective date.
    pub id: DocumentId,
    /// The snapshot's repository-relative path.
    pub snapshot_path: String,
    /// Indices of the documents (in the import's order).
    pub documents: Vec<usize>,
    /// What the import does with this snapshot.
    pub action: Action,
    /// Files to write (sources and the snapshot).
    pub writes: Vec<FileWrite>,
    /// Sources to remove.
    pub removes: Vec<String>,
    /// `language-mismatch` findings.
    pub findings: Vec<Finding>,
    /// Value changes against the snapshot in place (re-issues).
    pub changes: Option<Diff>,
    /// Changes to the document's own fields (title, dates), re-issues.
    pub document_changes: Vec<DocumentChange>,
    /// Sources of other languages dropped by a re-issue, said out loud.
    pub dropped: Vec<String>,
    /// Languages whose sources the import adds beside the snapshot's.
    pub added: Vec<Language>,
    /// One line for people: what the import does here.
    pub summary: String,
}

impl Placement {
    /// Whether the import must stop here (exit 1, nothing written).
    pub fn blocks(&self) -> bool {
        matches!(
            self.action,
            Action::LanguageMismatch | Action::Reissue { replaced: false }
        )
    }

    /// How many changes a re-issue makes: fields of codes changed, codes
    /// added or removed, and fields of the document itself.
    pub fn change_count(&self) -> usize {
        self.changes.as_ref().map_or(0, value_changes) + self.document_changes.len()
    }

    /// The commit subject of this snapshot's change.
    pub fn subject(&self) -> String {
        let what = format!(
            "{} {} {}",
            self.id.profession,
            self.id.kind.word(),
            self.id.effective_from
        );
        match &self.action {
            Action::New => format!("import {what}"),
            Action::AddLanguage { agreeing } => {
                format!("add language to {what}: {agreeing} records agree")
            }
            Action::Reissue { .. } => {
                format!("re-issue of {what}: {} value changes", self.change_count())
            }
            Action::SameValues { .. } if self.added.is_empty() => {
                format!("same values for {what}: source replaced by the PDF")
            }
            Action::SameValues { .. } => format!(
                "same values for {what}: source replaced by the PDF, {} source added",
                codes(&self.added)
            ),
            Action::LanguageMismatch | Action::AlreadyImported => what,
        }
    }
}

/// `fr + nl`.
pub(super) fn codes(languages: &[Language]) -> String {
    languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(" + ")
}
