//! What an import does to the repository: the place of each document.
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
//! the values agree as between two languages ([`reconcile`]), and `diff`
//! finds nothing between the snapshot and the document in that language, its
//! headings and notes included, nor in the document's own fields (title,
//! dates). A re-issue lists exactly those changes.

use chrono::NaiveDate;

use crate::canonical;
use crate::catalog::Snapshot;
use crate::diff::{self, Diff};
use crate::error::Error;
use crate::findings::Finding;
use crate::layout::DocumentId;
use crate::model::{Convention, Language, SourceFormat};
use crate::parse::ParsedDocument;
use crate::pipeline::Processed;
use crate::reconcile;
use crate::store::{DataRepo, FileWrite};

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

/// Places every document of an import.
pub fn place(
    repo: Option<&DataRepo>,
    processed: &[Processed],
    replace: bool,
) -> Result<Vec<Placement>, Error> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in processed.iter().enumerate() {
        let path = &p.snapshot.snapshot_path;
        match groups.iter_mut().find(|(g, _)| g == path) {
            Some((_, members)) => members.push(i),
            None => groups.push((path.clone(), vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(path, members)| {
            let mut placed = place_group(repo, processed, path, members.clone(), replace)?;
            // Renderings of one language with the same values are stored once: say so.
            let kept = placed.documents.clone();
            for i in members.iter().filter(|i| !kept.contains(i)) {
                placed.summary.push_str(&format!(
                    "; {} states the same values as another source of this import: not stored",
                    processed[*i].doc.display_path()
                ));
            }
            Ok(placed)
        })
        .collect()
}

fn place_group(
    repo: Option<&DataRepo>,
    processed: &[Processed],
    snapshot_path: String,
    members: Vec<usize>,
    replace: bool,
) -> Result<Placement, Error> {
    let first = &processed[members[0]];
    let existing = match repo {
        Some(repo) => repo
            .read(&snapshot_path)?
            .map(|bytes| Snapshot::from_bytes(&snapshot_path, &bytes))
            .transpose()?,
        None => None,
    };
    let mut placement = Placement {
        id: first.snapshot.id.clone(),
        snapshot_path: snapshot_path.clone(),
        documents: members.clone(),
        action: Action::New,
        writes: Vec::new(),
        removes: Vec::new(),
        findings: Vec::new(),
        changes: None,
        document_changes: Vec::new(),
        dropped: Vec::new(),
        added: Vec::new(),
        summary: String::new(),
    };
    // The import's own documents first: one per language, agreeing.
    let primary_language = existing.as_ref().map(snapshot_language);
    let (ordered, merged) = match merge(processed, &members, primary_language)? {
        Ok((ordered, merged)) => {
            placement.documents = ordered.clone();
            (ordered, merged)
        }
        Err(findings) => {
            placement.findings = findings;
            placement.action = Action::LanguageMismatch;
            placement.summary =
                format!("{snapshot_path}: the languages state different values; nothing written");
            return Ok(placement);
        }
    };
    let sources = |docs: &[usize]| -> Vec<FileWrite> {
        docs.iter()
            .map(|i| FileWrite {
                path: processed[*i].snapshot.source_path.clone(),
                bytes: processed[*i].doc.bytes.clone(),
            })
            .collect()
    };
    let Some(existing) = existing else {
        placement.writes = sources(&ordered);
        let write = match ordered.as_slice() {
            // One document makes the snapshot as it is: the pipeline has
            // rendered it already.
            [only] => FileWrite {
                path: snapshot_path.clone(),
                bytes: processed[*only].snapshot.yaml.as_bytes().to_vec(),
            },
            _ => snapshot_write(&snapshot_path, &merged),
        };
        debug_assert_eq!(write.bytes, snapshot_yaml(&merged).into_bytes());
        placement.writes.push(write);
        let langs: Vec<&str> = ordered
            .iter()
            .map(|i| language(&processed[*i]).code())
            .collect();
        placement.summary = format!("new snapshot {snapshot_path} ({})", langs.join(" + "));
        return Ok(placement);
    };
    let kept_languages = languages(&existing);
    let overlapping: Vec<Language> = ordered
        .iter()
        .map(|i| language(&processed[*i]))
        .filter(|l| kept_languages.contains(l))
        .collect();
    let (changes, document_changes) = changes_in(&existing, &merged, &overlapping, &snapshot_path);
    if same_values(&existing, &merged) && changes.is_empty() && document_changes.is_empty() {
        return same_values_placement(
            placement,
            processed,
            &ordered,
            existing,
            merged,
            &kept_languages,
        );
    }
    if overlapping.is_empty() {
        // Another language with other values: the languages disagree.
        let mut kept = existing.clone();
        for i in &ordered {
            if let Err(findings) = add_language(&mut kept, &processed[*i]) {
                placement.findings.extend(findings);
            }
        }
        placement.action = Action::LanguageMismatch;
        placement.summary = format!(
            "{snapshot_path}: this language states other values than the snapshot in place; nothing written"
        );
        return Ok(placement);
    }
    // A re-issue: list the changes, and replace only when asked.
    let count = format!(
        "{} codes changed, added or removed ({} value changes){}",
        changes.changed.len() + changes.added.len() + changes.removed.len(),
        value_changes(&changes),
        match document_changes.as_slice() {
            [] => String::new(),
            some => format!(
                ", and its {} changed",
                some.iter()
                    .map(DocumentChange::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    );
    placement.changes = Some(changes);
    placement.document_changes = document_changes;
    placement.action = Action::Reissue { replaced: replace };
    if !replace {
        placement.summary = format!(
            "re-issue of {snapshot_path}: {count} against the snapshot in place; not replaced (import with --replace to replace it)"
        );
        return Ok(placement);
    }
    let new_languages: Vec<Language> = ordered.iter().map(|i| language(&processed[*i])).collect();
    for source in source_files(&existing) {
        let (lang, path) = source;
        if !new_languages.contains(&lang) {
            placement.dropped.push(path.clone());
        }
        if !placement.writes.iter().any(|w| w.path == path) {
            placement.removes.push(path);
        }
    }
    placement.writes = sources(&ordered);
    placement
        .removes
        .retain(|r| !placement.writes.iter().any(|w| &w.path == r));
    placement
        .writes
        .push(snapshot_write(&snapshot_path, &merged));
    placement.summary = format!("re-issue of {snapshot_path}: {count}, replaced");
    if !placement.dropped.is_empty() {
        placement.summary.push_str(&format!(
            "; dropped the source(s) {} (re-issue them in the same import to keep that language)",
            placement.dropped.join(", ")
        ));
    }
    Ok(placement)
}

/// The documents of one snapshot in order and merged, or where their languages disagree.
pub type Merged = Result<(Vec<usize>, Snapshot), Vec<Finding>>;

/// The documents of one snapshot merged into it, `primary` (or French)
/// first: their order, and the snapshot, or the findings where their
/// languages disagree. Two documents in one language are an error.
pub fn merge(
    processed: &[Processed],
    members: &[usize],
    primary: Option<Language>,
) -> Result<Merged, Error> {
    let mut ordered = members.to_vec();
    ordered.sort_by_key(|i| {
        let l = language(&processed[*i]);
        (Some(l) != primary, l)
    });
    // Two renderings of one language that state the same values (a PDF and
    // its text, two PDFs) are one source: the PDF is kept, else the first.
    ordered.sort_by_key(|i| {
        let l = language(&processed[*i]);
        (
            Some(l) != primary,
            l,
            processed[*i].doc.format != SourceFormat::Pdf,
        )
    });
    ordered.dedup_by(|later, earlier| {
        let l = language(&processed[*later]);
        l == language(&processed[*earlier])
            && same_in(
                &Snapshot::from_parsed(&processed[*earlier].parsed),
                &Snapshot::from_parsed(&processed[*later].parsed),
                l,
            )
    });
    for pair in ordered.windows(2) {
        if language(&processed[pair[0]]) == language(&processed[pair[1]]) {
            return Err(Error::Usage(format!(
                "{} and {} are both the {} source of {} and differ (in values, headings or notes): import them one at a time",
                processed[pair[0]].doc.display_path(),
                processed[pair[1]].doc.display_path(),
                language(&processed[pair[1]]).code(),
                processed[pair[1]].snapshot.snapshot_path
            )));
        }
    }
    let mut merged = Snapshot::from_parsed(&processed[ordered[0]].parsed);
    let mut findings = Vec::new();
    for i in &ordered[1..] {
        if let Err(mut more) = add_language(&mut merged, &processed[*i]) {
            findings.append(&mut more);
        }
    }
    Ok(if findings.is_empty() {
        Ok((ordered, merged))
    } else {
        Err(findings)
    })
}

/// The language a snapshot's `source` is in (its first language).
pub fn snapshot_language(s: &Snapshot) -> Language {
    match s {
        Snapshot::Tariff(t) => t.language,
        Snapshot::Convention(c) => c.language,
    }
}

/// Same values as the snapshot in place: another language, another rendering, or nothing new.
fn same_values_placement(
    mut placement: Placement,
    processed: &[Processed],
    ordered: &[usize],
    existing: Snapshot,
    merged: Snapshot,
    kept_languages: &[Language],
) -> Result<Placement, Error> {
    let path = placement.snapshot_path.clone();
    let existing_sources = source_files(&existing);
    let mut result = existing.clone();
    let mut added = Vec::new();
    let mut better = Vec::new();
    for i in ordered {
        let p = &processed[*i];
        let lang = language(p);
        match existing_sources.iter().find(|(l, _)| *l == lang) {
            None => {
                add_language(&mut result, p).map_err(|_| {
                    Error::Usage(format!(
                        "{}: values agree but the languages do not reconcile",
                        p.doc.display_path()
                    ))
                })?;
                added.push(*i);
            }
            Some(_) if snapshot_sha(&existing, lang) == Some(p.doc.sha256.clone()) => {}
            Some((_, file)) => {
                // Other bytes, same values: keep the PDF (published form, pages cited).
                let new_is_pdf = p.doc.format == SourceFormat::Pdf;
                let old_is_pdf = file.ends_with(".pdf");
                if new_is_pdf && !old_is_pdf {
                    better.push((*i, file.clone()));
                }
            }
        }
    }
    if !better.is_empty() {
        // The snapshot is made again from what is kept: the import's sources
        // in place (same bytes), its added languages and the PDFs that
        // replace a text; the languages it does not bring stay as they are.
        let kept: Vec<usize> = ordered
            .iter()
            .copied()
            .filter(|i| {
                added.contains(i)
                    || better.iter().any(|(b, _)| b == i)
                    || snapshot_sha(&existing, language(&processed[*i]))
                        == Some(processed[*i].doc.sha256.clone())
            })
            .collect();
        let merged = match kept.as_slice() == ordered {
            true => Some(merged),
            false => merge(processed, &kept, Some(snapshot_language(&existing)))?
                .ok()
                .map(|(_, m)| m),
        };
        let primary = snapshot_language(&existing);
        let result = match merged.and_then(|m| with_other_languages(m, &existing, &kept, processed))
        {
            Some(result) => Some(result),
            // Only other languages than the snapshot's first: each replaces
            // its own in the snapshot in place.
            None if kept.iter().all(|i| language(&processed[*i]) != primary) => {
                let mut result = existing.clone();
                kept.iter()
                    .all(|i| add_language(&mut result, &processed[*i]).is_ok())
                    .then_some(result)
            }
            None => None,
        };
        if let Some(result) = result {
            // Re-point the snapshot at the PDF: its values are the same, its places are the PDF's.
            for (i, old) in &better {
                placement.removes.push(old.clone());
                placement.writes.push(source_write(&processed[*i]));
            }
            placement
                .writes
                .extend(added.iter().map(|i| source_write(&processed[*i])));
            placement.writes.push(snapshot_write(&path, &result));
            placement.documents = kept;
            placement.added = added.iter().map(|i| language(&processed[*i])).collect();
            placement.action = Action::SameValues {
                source_replaced: true,
            };
            placement.summary = format!(
                "{path}: the same values as the source in place, from other bytes: not a re-issue; the PDF replaces the text source (the published form, with pages)"
            );
            if !placement.added.is_empty() {
                placement.summary.push_str(&format!(
                    "; adds the {} source: {} records agree, no value changes",
                    codes(&placement.added),
                    records(&result)
                ));
            }
            return Ok(placement);
        }
    }
    if added.is_empty() {
        let other_bytes = ordered.iter().any(|i| {
            snapshot_sha(&existing, language(&processed[*i]))
                != Some(processed[*i].doc.sha256.clone())
        });
        placement.action = if other_bytes {
            Action::SameValues {
                source_replaced: false,
            }
        } else {
            Action::AlreadyImported
        };
        placement.summary = if other_bytes {
            let in_place: Vec<String> = ordered
                .iter()
                .filter_map(|i| {
                    let lang = language(&processed[*i]);
                    existing_sources.iter().find(|(l, _)| *l == lang)
                })
                .map(|(_, file)| file.clone())
                .collect();
            let what = if in_place.iter().all(|f| f.ends_with(".pdf")) {
                "PDF"
            } else {
                "source"
            };
            format!(
                "{path}: the same values as the source in place, from other bytes: not a re-issue; the {what} in place is kept ({})",
                in_place.join(", ")
            )
        } else {
            format!("{path}: already imported")
        };
        return Ok(placement);
    }
    placement.writes = added.iter().map(|i| source_write(&processed[*i])).collect();
    placement.writes.push(snapshot_write(&path, &result));
    let agreeing = records(&result);
    placement.added = added.iter().map(|i| language(&processed[*i])).collect();
    placement.action = Action::AddLanguage { agreeing };
    placement.summary = format!(
        "{path}: adds the {} source beside the {} one: {agreeing} records agree, no value changes",
        codes(&placement.added),
        codes(kept_languages)
    );
    Ok(placement)
}

/// `merged` (this import's documents) with the languages of `existing` that
/// the import does not bring carried over, or `None` when that cannot be
/// done (the snapshot's first language is not among the import's).
fn with_other_languages(
    mut merged: Snapshot,
    existing: &Snapshot,
    ordered: &[usize],
    processed: &[Processed],
) -> Option<Snapshot> {
    let brought: Vec<Language> = ordered.iter().map(|i| language(&processed[*i])).collect();
    let missing: Vec<Language> = languages(existing)
        .into_iter()
        .filter(|l| !brought.contains(l))
        .collect();
    if missing.is_empty() {
        return Some(merged);
    }
    if snapshot_language(existing) != snapshot_language(&merged) {
        return None;
    }
    match (&mut merged, existing) {
        (Snapshot::Tariff(m), Snapshot::Tariff(e)) => {
            for l in missing {
                m.translations.insert(l, e.translations.get(&l)?.clone());
                let source = e.sources.iter().find(|s| s.language == l)?.clone();
                if m.sources.is_empty() {
                    m.sources.push(crate::model::LanguageSource {
                        language: m.language,
                        source: m.source.clone(),
                    });
                }
                m.sources.push(source);
            }
        }
        (Snapshot::Convention(m), Snapshot::Convention(e)) => {
            for l in missing {
                m.translations.insert(l, e.translations.get(&l)?.clone());
                let source = e.sources.iter().find(|s| s.language == l)?.clone();
                if m.sources.is_empty() {
                    m.sources.push(crate::model::LanguageSource {
                        language: m.language,
                        source: m.source.clone(),
                    });
                }
                m.sources.push(source);
            }
        }
        _ => return None,
    }
    Some(merged)
}

fn language(p: &Processed) -> Language {
    match &p.parsed {
        ParsedDocument::Tariff(t) => t.table.language,
        ParsedDocument::Convention(c) => c.convention.language,
    }
}

/// The languages a snapshot has sources in.
fn languages(s: &Snapshot) -> Vec<Language> {
    source_files(s).into_iter().map(|(l, _)| l).collect()
}

/// Every source of a snapshot: its languages and stored files.
fn source_files(s: &Snapshot) -> Vec<(Language, String)> {
    let (language, source, sources) = match s {
        Snapshot::Tariff(t) => (t.language, &t.source, &t.sources),
        Snapshot::Convention(c) => (c.language, &c.source, &c.sources),
    };
    if sources.is_empty() {
        vec![(language, source.file.clone())]
    } else {
        sources
            .iter()
            .map(|s| (s.language, s.source.file.clone()))
            .collect()
    }
}

fn snapshot_sha(s: &Snapshot, language: Language) -> Option<String> {
    let (lang, source, sources) = match s {
        Snapshot::Tariff(t) => (t.language, &t.source, &t.sources),
        Snapshot::Convention(c) => (c.language, &c.source, &c.sources),
    };
    if lang == language {
        return Some(source.sha256.clone());
    }
    sources
        .iter()
        .find(|s| s.language == language)
        .map(|s| s.source.sha256.clone())
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
        let (Some(o), Some(n)) = (in_language(old, l), in_language(new, l)) else {
            continue;
        };
        let d = diff::diff(&o.state(label), &n.state(label));
        match &mut all {
            None => all = Some(d),
            Some(all) => add_changes(all, d),
        }
        let (o_title, n_title) = (title(&o), title(&n));
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
fn same_in(a: &Snapshot, b: &Snapshot, language: Language) -> bool {
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

/// A snapshot as its source in `language` states it (see
/// [`reconcile::table_in_language`]).
fn in_language(s: &Snapshot, language: Language) -> Option<Snapshot> {
    match s {
        Snapshot::Tariff(t) => reconcile::table_in_language(t, language).map(Snapshot::Tariff),
        Snapshot::Convention(c) => {
            reconcile::convention_in_language(c, language).map(Snapshot::Convention)
        }
    }
}

fn title(s: &Snapshot) -> &str {
    match s {
        Snapshot::Tariff(t) => &t.title,
        Snapshot::Convention(c) => &c.title,
    }
}

fn same_values(a: &Snapshot, b: &Snapshot) -> bool {
    match (a, b) {
        (Snapshot::Tariff(a), Snapshot::Tariff(b)) => reconcile::same_table_values(a, b),
        (Snapshot::Convention(a), Snapshot::Convention(b)) => {
            reconcile::same_convention_values(a, b)
        }
        _ => false,
    }
}

fn records(s: &Snapshot) -> usize {
    match s {
        Snapshot::Tariff(t) => t.rows.len(),
        Snapshot::Convention(c) => c.key_values.len() + c.stated_fees.len() + c.indemnities.len(),
    }
}

/// Adds a document in another language to a snapshot, or says where they differ.
fn add_language(snapshot: &mut Snapshot, p: &Processed) -> Result<(), Vec<Finding>> {
    match (snapshot, &p.parsed) {
        (Snapshot::Tariff(kept), ParsedDocument::Tariff(other)) => {
            let translation = reconcile::tables(kept, &other.table, &p.doc)?;
            reconcile::add_table_language(kept, &other.table, translation);
            Ok(())
        }
        (Snapshot::Convention(kept), ParsedDocument::Convention(other)) => {
            let translation = reconcile::conventions(kept, &other.convention, &p.doc)?;
            reconcile::add_convention_language(kept, &other.convention, translation);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The stored source of a document.
fn source_write(p: &Processed) -> FileWrite {
    FileWrite {
        path: p.snapshot.source_path.clone(),
        bytes: p.doc.bytes.clone(),
    }
}

/// `fr + nl`.
fn codes(languages: &[Language]) -> String {
    languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn snapshot_write(path: &str, snapshot: &Snapshot) -> FileWrite {
    FileWrite {
        path: path.to_string(),
        bytes: snapshot_yaml(snapshot).into_bytes(),
    }
}

/// The canonical YAML of a snapshot of either family.
pub fn snapshot_yaml(snapshot: &Snapshot) -> String {
    match snapshot {
        Snapshot::Tariff(t) => canonical::tariff_to_yaml(t),
        Snapshot::Convention(c) => canonical::convention_to_yaml(c),
    }
}

/// The effective date of a placement, for ordering commits on a timeline.
pub fn date(p: &Placement) -> NaiveDate {
    p.id.effective_from
}
