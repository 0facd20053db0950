//! Placing the documents of an import: grouped by snapshot, each group
//! against the snapshot in place (see the module doc of [`crate::placement`]).

use chrono::NaiveDate;

use super::action::{codes, Action, Placement};
use super::changes::{changes_in, same_values, value_changes, DocumentChange};
use super::merge::{add_language, language, merge, with_other_languages};
use crate::canonical;
use crate::error::Error;
use crate::model::{Language, Snapshot, SourceFormat};
use crate::pipeline::Processed;
use crate::store::{DataRepo, FileWrite};

/// Places every document of an import.
pub fn place(
    repo: Option<&DataRepo>,
    processed: &[Processed],
    replace: bool,
) -> Result<Vec<Placement>, Error> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in processed.iter().enumerate() {
        let path = &p.filing.snapshot_path;
        match groups.iter_mut().find(|(g, _)| g == path) {
            Some((_, members)) => members.push(i),
            None => groups.push((path.clone(), vec![i])),
        }
    }
    groups
        .into_iter()
        .map(|(path, members)| {
            let mut placed = place_snapshot(repo, processed, path, members.clone(), replace)?;
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

fn place_snapshot(
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
            .map(|bytes| canonical::read_snapshot_bytes(&snapshot_path, &bytes))
            .transpose()?,
        None => None,
    };
    let mut placement = Placement {
        id: first.filing.id.clone(),
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
    let primary_language = existing.as_ref().map(|s| s.shared().language);
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
        docs.iter().map(|i| source_write(&processed[*i])).collect()
    };
    let Some(existing) = existing else {
        placement.writes = sources(&ordered);
        let write = match ordered.as_slice() {
            // One document makes the snapshot as it is: the pipeline has
            // rendered it already.
            [only] => FileWrite {
                path: snapshot_path.clone(),
                bytes: processed[*only].filing.yaml.as_bytes().to_vec(),
            },
            _ => snapshot_write(&snapshot_path, &merged),
        };
        debug_assert_eq!(
            write.bytes,
            canonical::snapshot_to_yaml(&merged).into_bytes()
        );
        placement.writes.push(write);
        let langs: Vec<&str> = ordered
            .iter()
            .map(|i| language(&processed[*i]).code())
            .collect();
        placement.summary = format!("new snapshot {snapshot_path} ({})", langs.join(" + "));
        return Ok(placement);
    };
    let kept_languages = existing.shared().languages();
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
    for source in existing.shared().source_files() {
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
    let existing_sources = existing.shared().source_files();
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
            Some(_) if same_bytes(&existing, p) => {}
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
                    || same_bytes(&existing, &processed[*i])
            })
            .collect();
        let merged = match kept.as_slice() == ordered {
            true => Some(merged),
            false => merge(processed, &kept, Some(existing.shared().language))?
                .ok()
                .map(|(_, m)| m),
        };
        let primary = existing.shared().language;
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
                    result.records()
                ));
            }
            return Ok(placement);
        }
    }
    if added.is_empty() {
        let other_bytes = ordered
            .iter()
            .any(|i| !same_bytes(&existing, &processed[*i]));
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
    let agreeing = result.records();
    placement.added = added.iter().map(|i| language(&processed[*i])).collect();
    placement.action = Action::AddLanguage { agreeing };
    placement.summary = format!(
        "{path}: adds the {} source beside the {} one: {agreeing} records agree, no value changes",
        codes(&placement.added),
        codes(kept_languages)
    );
    Ok(placement)
}

/// Whether the snapshot holds the document's very bytes as its source in
/// the document's language.
fn same_bytes(snapshot: &Snapshot, p: &Processed) -> bool {
    snapshot
        .shared()
        .source_in(language(p))
        .is_some_and(|s| s.sha256 == p.doc.sha256)
}

/// The stored source of a document.
fn source_write(p: &Processed) -> FileWrite {
    FileWrite {
        path: p.filing.source_path.clone(),
        bytes: p.doc.bytes.clone(),
    }
}

fn snapshot_write(path: &str, snapshot: &Snapshot) -> FileWrite {
    FileWrite {
        path: path.to_string(),
        bytes: canonical::snapshot_to_yaml(snapshot).into_bytes(),
    }
}

/// The effective date of a placement, for ordering commits on a timeline.
pub fn date(p: &Placement) -> NaiveDate {
    p.id.effective_from
}
