//! The documents of one snapshot in one import merged into it: one per
//! language, the languages reconciled ([`crate::reconcile`]).

use super::changes::same_in;
use crate::error::Error;
use crate::findings::Finding;
use crate::model::{Bilingual, Language, Snapshot, SourceFormat};
use crate::parse::ParsedDocument;
use crate::pipeline::Processed;
use crate::reconcile;

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
                &processed[*earlier].parsed.snapshot(),
                &processed[*later].parsed.snapshot(),
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
                processed[pair[1]].filing.snapshot_path
            )));
        }
    }
    let mut merged = processed[ordered[0]].parsed.snapshot();
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

/// Adds a document in another language to a snapshot, or says where they differ.
pub(super) fn add_language(snapshot: &mut Snapshot, p: &Processed) -> Result<(), Vec<Finding>> {
    match (snapshot, &p.parsed) {
        (Snapshot::Tariff(kept), ParsedDocument::Tariff(other)) => {
            let translation = reconcile::tables(kept, &other.table, &p.doc)?;
            kept.add_language(other.table.language, &other.table.source, translation);
            Ok(())
        }
        (Snapshot::Convention(kept), ParsedDocument::Convention(other)) => {
            let other = &other.convention;
            let translation = reconcile::conventions(kept, other, &p.doc)?;
            kept.add_language(other.language, &other.source, translation);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `merged` (this import's documents) with the languages of `existing` that
/// the import does not bring carried over, or `None` when that cannot be
/// done (the snapshot's first language is not among the import's).
pub(super) fn with_other_languages(
    mut merged: Snapshot,
    existing: &Snapshot,
    ordered: &[usize],
    processed: &[Processed],
) -> Option<Snapshot> {
    let brought: Vec<Language> = ordered.iter().map(|i| language(&processed[*i])).collect();
    let missing: Vec<Language> = existing
        .shared()
        .languages()
        .into_iter()
        .filter(|l| !brought.contains(l))
        .collect();
    if missing.is_empty() {
        return Some(merged);
    }
    if existing.shared().language != merged.shared().language {
        return None;
    }
    for l in missing {
        match (&mut merged, existing) {
            (Snapshot::Tariff(m), Snapshot::Tariff(e)) => m.carry_language(e, l)?,
            (Snapshot::Convention(m), Snapshot::Convention(e)) => m.carry_language(e, l)?,
            _ => return None,
        }
    }
    Some(merged)
}

/// The language of a document.
pub(super) fn language(p: &Processed) -> Language {
    p.parsed.shared().language
}
