//! What an import's commits say: a subject per snapshot, a body that lists
//! what changed against the state before, and trailers a tool can read
//! (`Import-Kind`, `Value-Changes`, `Source-SHA256`, ...).

use crate::canonical;
use crate::catalog;
use crate::diff::{self, Diff};
use crate::error::Error;
use crate::nomensoft::placement::{ExportAction, ExportPlacement};
use crate::pipeline::Processed;
use crate::placement::{self, Action, Placement};
use crate::state::State;
use crate::store::{CommitSeries, DataRepo};

/// `import nomensoft 302805-2026-01-01: 1 fee records of 1 codes`, with trailers.
pub(super) fn export_message(export: &ExportPlacement) -> String {
    let key = export
        .snapshot_path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".yaml");
    let verb = match export.action {
        ExportAction::Reissue { .. } => "re-issue of nomensoft",
        _ => "import nomensoft",
    };
    let n = &export.nomenclature;
    format!(
        "{verb} {key}: {} fee records\n\nCross-check with the tariff tables: {} codes compared, all equal.\n\nImport-Kind: {}\nDocument-Kind: nomensoft\nSource-File: {}\nSource-SHA256: {}\nRows: {}\n",
        n.fees.len(),
        export.cross_check.codes_compared,
        match export.action {
            ExportAction::Reissue { .. } => "re-issue",
            _ => "new",
        },
        n.source.file,
        n.source.sha256,
        n.fees.len()
    )
}

/// Subject, body (what changed) and trailers of an import commit.
pub(super) fn commit_message(
    repo: &DataRepo,
    git: &CommitSeries<'_>,
    processed: &[Processed],
    placements: &[Placement],
) -> Result<String, Error> {
    let titles: Vec<String> = placements
        .iter()
        .map(|pl| match pl.action {
            // A first import keeps the subject it always had.
            Action::New => new_subject(processed, pl),
            _ => pl.subject(),
        })
        .collect();
    let subject = match titles.as_slice() {
        [one] => one.clone(),
        many => format!("import {} documents: {}", many.len(), many.join("; ")),
    };
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    for pl in placements {
        let p = &processed[pl.documents[0]];
        let (against, before) = previous_state(repo, git, p)?;
        let after = if matches!(pl.action, Action::New) && pl.documents.len() == 1 {
            // The snapshot written is the document's own.
            catalog::state_of(&p.parsed.snapshot(), &pl.snapshot_path)
        } else {
            snapshot_state(pl, p)
        };
        // A re-issue says what it changes in its own language(s), as the
        // import reported it; anything else, what changed in the state.
        let changes = match (&pl.changes, reissue(pl)) {
            (Some(changes), true) => changes.clone(),
            _ => diff::diff(&before, &after),
        };
        let mut paragraph = describe_changes(&pl.subject(), &against, &changes, reissue(pl));
        for c in &pl.document_changes {
            paragraph.push_str(&format!("\n  {} {} → {}", c.name(), c.old, c.new));
        }
        if !pl.dropped.is_empty() {
            paragraph.push_str(&format!(
                "\nDropped source(s) of another language: {}",
                pl.dropped.join(", ")
            ));
        }
        body.push(paragraph);
        trailers.push(format!("Import-Kind: {}", pl.action.word()));
        trailers.push(format!(
            "Value-Changes: {}",
            placement::value_changes(&changes) + pl.document_changes.len()
        ));
        for i in &pl.documents {
            let p = &processed[*i];
            trailers.extend([
                format!("Effective-Date: {}", p.filing.id.effective_from),
                format!("Document-Kind: {}", p.filing.id.kind.word()),
                format!("Profession: {}", p.filing.id.profession),
                format!("Source-File: {}", p.filing.source_path),
                format!("Source-SHA256: {}", p.doc.sha256),
                format!("Rows: {}", p.rows),
            ]);
        }
    }
    Ok(format!(
        "{subject}\n\n{}\n\n{}\n",
        body.join("\n\n"),
        trailers.join("\n")
    ))
}

/// The state of the snapshot a placement writes.
fn snapshot_state(pl: &Placement, p: &Processed) -> State {
    let written = pl
        .writes
        .iter()
        .find(|w| w.path == pl.snapshot_path)
        .and_then(|w| canonical::read_snapshot_bytes(&pl.snapshot_path, &w.bytes).ok());
    let snapshot = written.unwrap_or_else(|| p.parsed.snapshot());
    catalog::state_of(&snapshot, &pl.snapshot_path)
}

/// `physiotherapy tariff 2024-01-01: 197 rows (fr + nl)`
fn new_subject(processed: &[Processed], pl: &Placement) -> String {
    let first = title(&processed[pl.documents[0]]);
    if pl.documents.len() < 2 {
        return first;
    }
    let languages: Vec<String> = pl
        .documents
        .iter()
        .map(|i| {
            let source = &processed[*i].filing.source_path;
            source.rsplit('.').nth(1).unwrap_or_default().to_string()
        })
        .collect();
    format!("{first} ({})", languages.join(" + "))
}

/// Whether a placement replaces a snapshot (its commit body lists every change).
fn reissue(pl: &Placement) -> bool {
    matches!(pl.action, Action::Reissue { .. })
}

/// `physiotherapy tariff 2024-01-01: 197 rows`
pub fn title(p: &Processed) -> String {
    format!(
        "{} {} {}: {}",
        p.filing.id.profession,
        p.filing.id.kind.word(),
        p.filing.id.effective_from,
        p.summary
    )
}

/// What a document is compared with: its own earlier version (a re-issue), or
/// else the state of its profession at its date.
fn previous_state(
    repo: &DataRepo,
    git: &CommitSeries<'_>,
    p: &Processed,
) -> Result<(String, State), Error> {
    let path = &p.filing.snapshot_path;
    if let Some(bytes) = git.file(path)? {
        let old = canonical::read_snapshot_bytes(path, &bytes)?;
        return Ok((
            format!("the previous version of {path}"),
            catalog::state_of(&old, path),
        ));
    }
    let snapshots = catalog::list(repo)?;
    let date = p.filing.id.effective_from;
    let (state, from) = catalog::state_at(repo, &snapshots, &p.filing.id.profession, date)?;
    let against = match from.as_slice() {
        [] => "an empty repository".to_string(),
        files => format!("the state at {date} ({})", files.join(", ")),
    };
    Ok((against, state))
}

/// The commit body paragraph of one document.
fn describe_changes(title: &str, against: &str, d: &Diff, every_change: bool) -> String {
    let mut lines = vec![format!(
        "{title}. Against {against}: codes added {}, removed {}, changed {}, unchanged {}.",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unchanged
    )];
    let shown: Vec<String> = d
        .changed
        .iter()
        .flat_map(|c| {
            c.changes
                .iter()
                .map(move |ch| format!("  {} {} {} → {}", c.code, ch.field.name(), ch.old, ch.new))
        })
        .take(if every_change { usize::MAX } else { 8 })
        .collect();
    lines.extend(shown);
    for (sign, list) in [("+", &d.added), ("-", &d.removed)] {
        if !list.is_empty() {
            let shown = if every_change { list.len() } else { 8 };
            let codes: Vec<String> = list
                .iter()
                .take(shown)
                .map(|s| s.code.to_string())
                .collect();
            let more = if list.len() > shown { ", ..." } else { "" };
            lines.push(format!("  {sign} {}{more}", codes.join(", ")));
        }
    }
    lines.join("\n")
}
