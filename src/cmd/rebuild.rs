//! `tariffs rebuild [--check]`: re-parse `sources/` and compare with `parsed/`.
//!
//! The main job on the data shipped in the repository: every snapshot must be
//! exactly what the current parser makes of its source.

use std::collections::BTreeSet;

use similar::TextDiff;

use super::{print_findings, Out, Outcome};
use crate::cli::RebuildArgs;
use crate::error::Error;
use crate::pipeline;
use crate::source;
use crate::store::{DataRepo, FileWrite};

pub fn run(args: RebuildArgs) -> Result<Outcome, Error> {
    let repo = DataRepo::open(&args.repo.repo)?;
    let sources = repo.sources()?;
    if sources.is_empty() {
        return Err(Error::Usage(format!(
            "no sources under {}/sources",
            repo.root().display()
        )));
    }
    let mut bad = false;
    let mut expected_snapshots = BTreeSet::new();
    let mut report = String::new();
    for path in &sources {
        let relative = repo.relative(path);
        let mut doc = source::read(path, &super::read_options(60))?;
        doc.path = relative.clone().into();
        let done = pipeline::process(doc)?;
        print_findings(&relative, &done.findings);
        if done.has_errors() {
            bad = true;
            continue;
        }
        if done.snapshot.source_path != relative {
            bad = true;
            report.push_str(&format!(
                "{relative}: misplaced: its metadata says it belongs at {}\n",
                done.snapshot.source_path
            ));
            continue;
        }
        let target = &done.snapshot.snapshot_path;
        expected_snapshots.insert(target.clone());
        let current = repo
            .read(target)?
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        if current.as_deref() == Some(done.snapshot.yaml.as_str()) {
            report.push_str(&format!("{target}: unchanged ({})\n", done.summary));
        } else if args.check {
            bad = true;
            let old = current.unwrap_or_default();
            let diff = TextDiff::from_lines(&old, &done.snapshot.yaml);
            report.push_str(&format!("{target}: differs from a rebuild of {relative}\n"));
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
                bytes: done.snapshot.yaml.into_bytes(),
            }])?;
            report.push_str(&format!("{target}: rewritten ({})\n", done.summary));
        }
    }
    for path in repo.snapshots()? {
        let relative = repo.relative(&path);
        if !expected_snapshots.contains(&relative) {
            bad = true;
            report.push_str(&format!(
                "{relative}: no source under sources/ makes this snapshot\n"
            ));
        }
    }
    Out::print(&report);
    Ok(Outcome::from_bad(bad))
}
