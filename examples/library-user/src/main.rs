//! Imports the two fixture PDFs of inami-tariffs into a new data repository, prints what
//! changed between 2021 and 2024, and writes the state of 2024 as a SQLite database.
//!
//! ```sh
//! cargo run --manifest-path examples/library-user/Cargo.toml -- [PDF_FOLDER] [OUT.sqlite]
//! ```

use std::error::Error;
use std::path::{Path, PathBuf};

use inami_tariffs::diff::Filter;
use inami_tariffs::export::{self, ExportOptions};
use inami_tariffs::{ImportOptions, Repository};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let pdfs = args
        .next()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pdf"));
    let scratch = tempdir()?;
    let out = args
        .next()
        .unwrap_or_else(|| scratch.join("state-2024.sqlite"));

    // A data repository: a folder that `import` makes a git repository.
    let repo = Repository::create(scratch.join("data"))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&pdfs)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|f| f.extension().is_some_and(|e| e == "pdf"));
    let done = repo.import(&files, &ImportOptions::default())?;
    for finding in done.findings() {
        eprintln!("{finding:?}");
    }
    if done.blocked {
        return Err("the import has error findings: nothing was written".into());
    }
    for document in &done.processed {
        let name = document.doc.path.file_name().unwrap_or_default();
        println!("{}: {}", name.to_string_lossy(), document.summary);
    }

    // What changed between two dates, each side cited.
    let comparison = repo.diff("2021-01-01", "2024-01-01", None, &Filter::default())?;
    let diff = &comparison.diff;
    println!(
        "2021-01-01 → 2024-01-01: {} changed, {} added, {} removed, {} unchanged",
        diff.changed.len(),
        diff.added.len(),
        diff.removed.len(),
        diff.unchanged
    );
    if let Some(code) = diff.changed.first() {
        for change in &code.changes {
            println!(
                "  {} {}: {} → {}",
                code.code,
                change.field.name(),
                change.old,
                change.new
            );
        }
    }

    // The state of 2024, as a SQLite database.
    let options = ExportOptions {
        date: chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
        ..ExportOptions::default()
    };
    let state = repo.export(&options)?;
    export::write_sqlite(&state, &out)?;
    println!("{} codes written to {}", state.records.len(), out.display());
    Ok(())
}

/// A fresh folder under the system's temporary folder (this program keeps it: look inside).
fn tempdir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("library-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
