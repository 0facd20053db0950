//! `tariffs rebuild [--check]`: re-parse `sources/` and compare with `parsed/`.
//!
//! The main job on the data shipped in the repository: every snapshot must be
//! exactly what the current parser makes of its source.

use std::collections::BTreeSet;

use similar::TextDiff;

use super::{print_findings, Out, Outcome};
use crate::canonical;
use crate::cli::{Format, RebuildArgs};
use crate::error::Error;
use crate::nomensoft;
use crate::pipeline;
use crate::placement;
use crate::source;
use crate::store::{DataRepo, FileWrite};
use serde::Serialize;

/// One line of the JSON report: a snapshot (or source) and what rebuild found.
#[derive(Debug, Serialize)]
struct Entry {
    /// The snapshot (or, for a misplaced source, the source).
    path: String,
    /// `unchanged`, `differs`, `rewritten`, `findings`, `misplaced` or `orphan`.
    status: &'static str,
    /// What the sources hold (`197 rows`), or why the entry is bad.
    summary: String,
    findings: Vec<crate::findings::Finding>,
}

pub fn run(args: RebuildArgs) -> Result<Outcome, Error> {
    let json = args.format == Format::Json;
    let mut entries: Vec<Entry> = Vec::new();
    let repo = DataRepo::open(&args.repo.repo)?;
    let sources = repo.sources()?;
    let exports = repo.nomensoft_sources()?;
    if sources.is_empty() && exports.is_empty() {
        return Err(Error::Usage(format!(
            "no sources under {}/sources",
            repo.root().display()
        )));
    }
    let mut bad = false;
    let mut expected_snapshots = BTreeSet::new();
    let mut report = String::new();
    let mut processed = Vec::new();
    for path in &sources {
        let relative = repo.relative(path);
        let mut doc = source::read(path, &super::read_options(&args.read))?;
        doc.path = relative.clone().into();
        let done = pipeline::process(doc)?;
        if !json {
            print_findings(&relative, &done.findings);
        }
        if done.has_errors() {
            bad = true;
            entries.push(Entry {
                path: relative.clone(),
                status: "findings",
                summary: done.summary.clone(),
                findings: done.findings.clone(),
            });
            continue;
        }
        if done.filing.source_path != relative {
            bad = true;
            let why = format!(
                "misplaced: its metadata says it belongs at {}",
                done.filing.source_path
            );
            report.push_str(&format!("{relative}: {why}\n"));
            entries.push(Entry {
                path: relative.clone(),
                status: "misplaced",
                summary: why,
                findings: Vec::new(),
            });
            continue;
        }
        processed.push(done);
    }
    // The sources of one snapshot (French and Dutch) rebuild it together,
    // in the order the snapshot has them.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, p) in processed.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(g, _)| *g == p.filing.snapshot_path)
        {
            Some((_, members)) => members.push(i),
            None => groups.push((p.filing.snapshot_path.clone(), vec![i])),
        }
    }
    for (target, members) in groups {
        expected_snapshots.insert(target.clone());
        let current = repo
            .read(&target)?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let primary = current
            .as_deref()
            .and_then(|text| canonical::read_snapshot(&target, text).ok())
            .map(|s| s.shared().language);
        let (yaml, summary) = match placement::merge(&processed, &members, primary)? {
            Ok((_, merged)) => (
                canonical::snapshot_to_yaml(&merged),
                members
                    .iter()
                    .map(|i| processed[*i].summary.clone())
                    .collect::<Vec<_>>()
                    .join(" + "),
            ),
            Err(findings) => {
                if !json {
                    print_findings(&target, &findings);
                }
                bad = true;
                entries.push(Entry {
                    path: target.clone(),
                    status: "findings",
                    summary: "its sources disagree".into(),
                    findings,
                });
                continue;
            }
        };
        let relative = members
            .iter()
            .map(|i| processed[*i].filing.source_path.clone())
            .collect::<Vec<_>>()
            .join(" + ");
        bad |= settle(
            &repo,
            &args,
            &target,
            current,
            yaml,
            &summary,
            &relative,
            &mut report,
            &mut entries,
        )?;
    }
    // NomenSoft exports: each makes its own snapshot.
    for path in exports {
        let relative = repo.relative(&path);
        let bytes = source::read_bytes(&path, &super::read_options(&args.read))?;
        let stored = nomensoft::placement::process(std::path::Path::new(&relative), &bytes)?;
        if !json {
            print_findings(&relative, &stored.findings);
        }
        if stored
            .findings
            .iter()
            .any(crate::findings::Finding::is_error)
        {
            bad = true;
            entries.push(Entry {
                path: relative.clone(),
                status: "findings",
                summary: format!("{} fee records", stored.nomenclature.fees.len()),
                findings: stored.findings.clone(),
            });
            continue;
        }
        if stored.source_path != relative {
            bad = true;
            let why = format!(
                "misplaced: its records say it belongs at {}",
                stored.source_path
            );
            report.push_str(&format!("{relative}: {why}\n"));
            entries.push(Entry {
                path: relative.clone(),
                status: "misplaced",
                summary: why,
                findings: Vec::new(),
            });
            continue;
        }
        let target = stored.snapshot_path.clone();
        expected_snapshots.insert(target.clone());
        let current = repo
            .read(&target)?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let summary = format!("{} NomenSoft fee records", stored.nomenclature.fees.len());
        bad |= settle(
            &repo,
            &args,
            &target,
            current,
            stored.yaml,
            &summary,
            &relative,
            &mut report,
            &mut entries,
        )?;
    }
    for path in repo.snapshots()? {
        let relative = repo.relative(&path);
        if !expected_snapshots.contains(&relative) {
            bad = true;
            report.push_str(&format!(
                "{relative}: no source under sources/ makes this snapshot\n"
            ));
            entries.push(Entry {
                path: relative.clone(),
                status: "orphan",
                summary: "no source under sources/ makes this snapshot".into(),
                findings: Vec::new(),
            });
        }
    }
    if json {
        Out::json(&serde_json::json!({ "ok": !bad, "snapshots": entries }));
    } else {
        Out::print(&report);
    }
    Ok(Outcome::from_bad(bad))
}

/// Compares a rebuilt snapshot with the one in place, and rewrites it
/// unless `--check`; says whether that is bad (a difference under `--check`).
#[allow(clippy::too_many_arguments)]
fn settle(
    repo: &DataRepo,
    args: &RebuildArgs,
    target: &String,
    current: Option<String>,
    yaml: String,
    summary: &String,
    relative: &String,
    report: &mut String,
    entries: &mut Vec<Entry>,
) -> Result<bool, Error> {
    let mut bad = false;
    if current.as_deref() == Some(yaml.as_str()) {
        report.push_str(&format!("{target}: unchanged ({summary})\n"));
        entries.push(Entry {
            path: target.clone(),
            status: "unchanged",
            summary: summary.clone(),
            findings: Vec::new(),
        });
    } else if args.check {
        bad = true;
        let old = current.unwrap_or_default();
        let diff = TextDiff::from_lines(&old, &yaml);
        report.push_str(&format!("{target}: differs from a rebuild of {relative}\n"));
        entries.push(Entry {
            path: target.clone(),
            status: "differs",
            summary: summary.clone(),
            findings: Vec::new(),
        });
        report.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header(target, "rebuilt")
                .to_string(),
        );
    } else {
        repo.write_files(&[FileWrite {
            path: target.clone(),
            bytes: yaml.into_bytes(),
        }])?;
        report.push_str(&format!("{target}: rewritten ({summary})\n"));
        entries.push(Entry {
            path: target.clone(),
            status: "rewritten",
            summary: summary.clone(),
            findings: Vec::new(),
        });
    }
    Ok(bad)
}
