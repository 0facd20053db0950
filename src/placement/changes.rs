//! What a document changes against the snapshot in place, in each language
//! they share: the codes' fields as `diff` compares them, and the
//! document's own fields. "The same" is one notion: nothing changes.

use chrono::NaiveDate;

use crate::catalog;
use crate::diff::{self, Diff};
use crate::model::{Convention, Language, Snapshot};
use crate::reconcile;

/// A change to a field of the document itself rather than of a code: its
/// title in one language, or a convention's `concluded_on` or
/// `effective_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentChange {
    /// `title`, `concluded_on` or `effective_until`.
    pub field: &'static str,
    /// The language of a title; `None` for a date.
    pub language: Option<Language>,
    /// The value in place (`—` for none).
    pub old: String,
    /// The value of the import (`—` for none).
    pub new: String,
}

impl DocumentChange {
    /// `title (fr)`, `concluded_on`.
    pub fn name(&self) -> String {
        match self.language {
            Some(l) => format!("{} ({})", self.field, l.code()),
            None => self.field.to_string(),
        }
    }
}

/// The number of value changes in a diff (fields changed, codes added or removed).
pub fn value_changes(d: &Diff) -> usize {
    d.changed.iter().map(|c| c.changes.len()).sum::<usize>() + d.added.len() + d.removed.len()
}

/// What `new` changes against `old` in each of `languages` (languages both
/// have sources in): the codes' fields as `diff` compares them, each
/// language with its own headings and notes, and the document's own fields
/// (the title in each language; a convention's dates). A code's change seen
/// in several languages (a value: they agree) is listed once. Empty when
/// `new` says in these languages all that `old` says: the one test of "the
/// same" for a language the snapshot has.
pub fn changes_in(
    old: &Snapshot,
    new: &Snapshot,
    languages: &[Language],
    label: &str,
) -> (Diff, Vec<DocumentChange>) {
    let mut all: Option<Diff> = None;
    let mut document = Vec::new();
    for &l in languages {
        let (Some(o), Some(n)) = (old.in_language(l), new.in_language(l)) else {
            continue;
        };
        let d = diff::diff(&catalog::state_of(&o, label), &catalog::state_of(&n, label));
        match &mut all {
            None => all = Some(d),
            Some(all) => add_changes(all, d),
        }
        let (o_title, n_title) = (o.shared().title, n.shared().title);
        if o_title != n_title {
            document.push(DocumentChange {
                field: "title",
                language: Some(l),
                old: o_title.to_string(),
                new: n_title.to_string(),
            });
        }
    }
    if let (Snapshot::Convention(o), Snapshot::Convention(n)) = (old, new) {
        document.extend(convention_date_changes(o, n));
    }
    (all.unwrap_or_default(), document)
}

/// Whether two renderings of one document in `language` say the same: see
/// [`changes_in`].
pub(super) fn same_in(a: &Snapshot, b: &Snapshot, language: Language) -> bool {
    let (changes, document) = changes_in(a, b, &[language], "");
    same_values(a, b) && changes.is_empty() && document.is_empty()
}

/// Adds to `all` the changes `more` (the same snapshots in another language)
/// finds that `all` does not hold: that language's headings and notes.
fn add_changes(all: &mut Diff, more: Diff) {
    for changed in more.changed {
        match all.changed.iter_mut().find(|c| c.code == changed.code) {
            Some(known) => {
                for change in changed.changes {
                    if !known.changes.contains(&change) {
                        known.changes.push(change);
                    }
                }
                known.changes.sort_by_key(|c| c.field);
            }
            None => {
                // Unchanged in the first language, changed in this one.
                all.unchanged = all.unchanged.saturating_sub(1);
                all.changed.push(changed);
            }
        }
    }
    all.changed.sort_by_key(|c| c.code);
}

/// A convention's `concluded_on` and `effective_until`, where they differ.
fn convention_date_changes(old: &Convention, new: &Convention) -> Vec<DocumentChange> {
    let show = |d: Option<NaiveDate>| d.map_or("—".to_string(), |d| d.to_string());
    [
        ("concluded_on", old.concluded_on, new.concluded_on),
        ("effective_until", old.effective_until, new.effective_until),
    ]
    .into_iter()
    .filter(|(_, o, n)| o != n)
    .map(|(field, o, n)| DocumentChange {
        field,
        language: None,
        old: show(o),
        new: show(n),
    })
    .collect()
}

/// Whether two snapshots state the same values (their words and places aside).
pub(super) fn same_values(a: &Snapshot, b: &Snapshot) -> bool {
    match (a, b) {
        (Snapshot::Tariff(a), Snapshot::Tariff(b)) => reconcile::same_table_values(a, b),
        (Snapshot::Convention(a), Snapshot::Convention(b)) => {
            reconcile::same_convention_values(a, b)
        }
        _ => false,
    }
}
