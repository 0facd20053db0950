//! Hostile inputs: files that are not documents, documents too large, and
//! PDFs built to exhaust memory. Each ends in exit 2 with a message naming
//! the file, quickly, and with the whole process tree under 1 GiB.
//!
//! The bombs are generated here (compressed, a few hundred KiB each), never
//! committed.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::pdf::{table_pdf, Order};
use pdf_extract::{Dictionary, Document, Object, Stream};

/// Runs `tariffs` in `dir`, killing it (and failing) if it has not ended
/// within `limit`: a hang is what some of these inputs used to cause.
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = std_tariffs(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("tariffs {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The binary as a `std` command (spawned, not run to the end).
fn std_tariffs(dir: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("tariffs"));
    cmd.current_dir(dir);
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const GIB: u64 = 1 << 30;

#[test]
fn a_device_or_a_fifo_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bounded(
        dir.path(),
        &["import", "--dry-run", "/dev/zero"],
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("/dev/zero: not a regular file"));

    let fifo = dir.path().join("table.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let out = run_bounded(
        dir.path(),
        &["import", "--dry-run", fifo],
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_document_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("tarifs.txt");
    let file = std::fs::File::create(&big).unwrap();
    // Sparse: 2 MiB of nothing, over a 1 MiB limit.
    file.set_len(2 << 20).unwrap();
    let big = big.to_str().unwrap();
    let out = run_bounded(
        dir.path(),
        &["import", "--dry-run", "--max-input-size", "1", big],
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("larger than the limit of 1 MiB for a document"),
        "{}",
        stderr(&out)
    );
}

/// zlib data that inflates to `size` spaces (compressed once per size).
fn zlib_of_spaces(size: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..size / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap()
}

fn flate_stream(data: Vec<u8>) -> Stream {
    let mut dict = Dictionary::new();
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Stream::new(dict, data).with_compression(false)
}

/// The seed table as a PDF, with `extra` streams added (referenced by no page).
fn table_with_streams(extra: Vec<Stream>) -> Vec<u8> {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let mut doc = Document::load_mem(&table_pdf(&text, Order::Normal, 1.5)).unwrap();
    for s in extra {
        doc.add_object(Object::Stream(s));
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// The seed table as a PDF whose first page's content is `content`.
fn table_with_first_page_content(content: Vec<u8>) -> Vec<u8> {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let mut doc = Document::load_mem(&table_pdf(&text, Order::Normal, 1.5)).unwrap();
    let first = *doc.get_pages().values().next().unwrap();
    let content_id = doc.add_object(Object::Stream(flate_stream(content)));
    doc.get_dictionary_mut(first)
        .unwrap()
        .set("Contents", Object::Reference(content_id));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// Imports a PDF (dry run) under a Python wrapper that reports the peak
/// resident size of everything it waited for: `tariffs` and, as `tariffs`
/// waits for it, the extraction worker. Returns the output and that peak.
fn import_pdf_measured(bytes: &[u8], extra_args: &[&str]) -> (Output, u64) {
    const MEASURE: &str = "import resource, subprocess, sys\n\
        r = subprocess.run(sys.argv[1:], timeout=120)\n\
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n\
        sys.exit(r.returncode)";
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("tarifs-kine-2024.fr.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path())
        .args(["-c", MEASURE])
        .arg(assert_cmd::cargo::cargo_bin("tariffs"))
        .args(["import", "--dry-run"])
        .args(extra_args)
        .arg(&pdf);
    let mut out = cmd.output().expect("python3 runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let (rest, last) = err
        .trim_end()
        .rsplit_once('\n')
        .unwrap_or(("", err.trim_end()));
    let kib: u64 = last
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no peak in {err}"));
    out.stderr = rest.as_bytes().to_vec();
    (out, kib * 1024)
}

/// One hostile PDF of the suite and what it must end in.
struct Case {
    name: &'static str,
    pdf: Vec<u8>,
    args: &'static [&'static str],
    exit: i32,
    /// On standard error (refusals) or standard output (imports).
    says: &'static str,
}

fn seed_table_pdf() -> Document {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    Document::load_mem(&table_pdf(&text, Order::Normal, 1.5)).unwrap()
}

fn saved(mut doc: Document) -> Vec<u8> {
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

fn cases() -> Vec<Case> {
    let mut logo_table = seed_table_pdf();
    draw_logo_on_first_page(&mut logo_table);
    let mut scan = Document::load_mem(&common::pdf::build(1, &[])).unwrap();
    draw_logo_on_first_page(&mut scan);
    let sixty = zlib_of_spaces(60 << 20);
    vec![
        Case {
            name: "the seed table (baseline)",
            pdf: saved(seed_table_pdf()),
            args: &[],
            exit: 0,
            says: "physiotherapy tariff 2024-01-01, 197 rows",
        },
        Case {
            name: "page content inflating to 600 MiB",
            pdf: table_with_first_page_content(zlib_of_spaces(600 << 20)),
            args: &[],
            exit: 2,
            says: "inflates to more than 64 MiB (a decompression bomb?)",
        },
        Case {
            name: "unreferenced stream inflating to 1 GiB",
            pdf: table_with_streams(vec![flate_stream(zlib_of_spaces(GIB as usize))]),
            args: &[],
            exit: 2,
            says: "inflates to more than 64 MiB (a decompression bomb?)",
        },
        // Each stream under the per-stream cap, together past the memory
        // limit: the worker's hard limit stops it, and the message names it.
        Case {
            name: "six streams of 60 MiB, --max-memory 256",
            pdf: table_with_streams((0..6).map(|_| flate_stream(sixty.clone())).collect()),
            args: &["--max-memory", "256"],
            exit: 2,
            says: "needed more than the memory limit of 256 MiB",
        },
        Case {
            name: "table with a logo (image XObject)",
            pdf: saved(logo_table),
            args: &[],
            exit: 0,
            says: "physiotherapy tariff 2024-01-01, 197 rows",
        },
        Case {
            name: "a page of images only (a scan)",
            pdf: saved(scan),
            args: &[],
            exit: 2,
            says: "no text layer (a scan?): OCR is not supported",
        },
    ]
}

/// The hostile PDFs, one after another (so each peak is its own), with a
/// table of files, outcomes and peak memory; the whole process tree stays
/// under 1 GiB on every one.
#[test]
fn hostile_pdfs_end_as_expected_within_1_gib() {
    let mut table = vec![format!(
        "{:<42} {:>4}  {:>9}  {}",
        "hostile PDF", "exit", "peak", "outcome"
    )];
    let mut failures = Vec::new();
    for case in cases() {
        let (out, peak) = import_pdf_measured(&case.pdf, case.args);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let outcome = said
            .lines()
            .find(|l| l.contains(case.says))
            .unwrap_or_else(|| said.lines().last().unwrap_or_default());
        table.push(format!(
            "{:<42} {:>4}  {:>5} MiB  {}",
            case.name,
            out.status.code().unwrap_or(-1),
            peak >> 20,
            outcome.chars().take(110).collect::<String>()
        ));
        if out.status.code() != Some(case.exit) || !said.contains(case.says) {
            failures.push(format!(
                "{}: expected exit {} saying {:?}, got: {said}",
                case.name, case.exit, case.says
            ));
        }
        if peak >= GIB {
            failures.push(format!("{}: peak {} MiB", case.name, peak >> 20));
        }
    }
    eprintln!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The worker reads the bytes it is handed, not the path: the source stored
/// and the lines parsed are of one file.
#[test]
fn the_extraction_worker_reads_its_standard_input() {
    let pdf = common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf");
    let dir = tempfile::tempdir().unwrap();
    let mut child = std_tariffs(dir.path())
        .arg("__extract-pdf")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(pdf).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = answer["pages"].as_array().expect("lines by page");
    assert!(pages.len() > 1);
    assert!(answer.to_string().contains("560011"));
}

/// An 8×8 grey image XObject whose pixels are not PDF content syntax.
fn logo() -> Stream {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Image".to_vec()));
    dict.set("Width", Object::Integer(8));
    dict.set("Height", Object::Integer(8));
    dict.set("ColorSpace", Object::Name(b"DeviceGray".to_vec()));
    dict.set("BitsPerComponent", Object::Integer(8));
    let pixels: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) | 0x80).collect();
    Stream::new(dict, pixels).with_compression(false)
}

/// Draws `logo()` on the first page of `doc`, after its own content.
fn draw_logo_on_first_page(doc: &mut Document) {
    let first = *doc.get_pages().values().next().unwrap();
    let image = doc.add_object(Object::Stream(logo()));
    let draw = doc.add_object(Object::Stream(Stream::new(
        Dictionary::new(),
        b"q 40 0 0 40 20 20 cm /Logo Do Q".to_vec(),
    )));
    let page = doc.get_dictionary_mut(first).unwrap();
    let own = page.get(b"Contents").unwrap().clone();
    page.set(
        "Contents",
        Object::Array(vec![own, Object::Reference(draw)]),
    );
    let mut resources = match page.get(b"Resources").unwrap() {
        Object::Reference(id) => {
            let id = *id;
            doc.get_dictionary(id).unwrap().clone()
        }
        Object::Dictionary(d) => d.clone(),
        _ => panic!("resources"),
    };
    let mut xobjects = Dictionary::new();
    xobjects.set("Logo", Object::Reference(image));
    resources.set("XObject", Object::Dictionary(xobjects));
    doc.get_dictionary_mut(first)
        .unwrap()
        .set("Resources", Object::Dictionary(resources));
}

/// The processes whose parent is `pid` (from `/proc`).
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces, so split after `)`.
        let after = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        if after.split_whitespace().nth(1) == Some(&pid.to_string()) {
            found.push(child);
        }
    }
    found
}

/// A killed `tariffs` leaves no extraction worker behind.
#[cfg(target_os = "linux")]
#[test]
fn the_extraction_worker_dies_with_its_parent() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf");
    let mut parent = std_tariffs(dir.path())
        .args(["import", "--dry-run"])
        .arg(pdf)
        .env("TARIFFS_TEST_WORKER_SLEEP", "60")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let worker = loop {
        if let Some(w) = children_of(parent.id()).first() {
            break *w;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no worker started"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    parent.kill().unwrap();
    parent.wait().unwrap();
    let start = Instant::now();
    // Gone, or a zombie waiting for init to reap it.
    let alive = || {
        std::fs::read_to_string(format!("/proc/{worker}/stat")).is_ok_and(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    while alive() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the worker {worker} outlived its parent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The extraction workers this test process started (`--serve`), alive.
#[cfg(target_os = "linux")]
fn serving_workers() -> Vec<u32> {
    children_of(std::process::id())
        .into_iter()
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let zombie = stat
                .rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'));
            !zombie && cmdline.split(|b| *b == 0).any(|arg| arg == b"--serve")
        })
        .collect()
}

/// A thread keeps its extraction worker from one document to the next, and
/// a worker that a document killed (here: past its memory limit) is
/// replaced, so the next document reads as if it came first.
#[cfg(target_os = "linux")]
#[test]
fn a_worker_serves_document_after_document_and_is_replaced_after_a_failure() {
    use inami_tariffs::source::{self, pdf::Isolation, ReadOptions};
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("tarifs-kine-2024.fr.pdf");
    std::fs::write(&good, saved(seed_table_pdf())).unwrap();
    let bomb = dir.path().join("bomb.fr.pdf");
    let sixty = zlib_of_spaces(60 << 20);
    let streams = (0..6).map(|_| flate_stream(sixty.clone())).collect();
    std::fs::write(&bomb, table_with_streams(streams)).unwrap();
    let options = ReadOptions {
        isolation: Isolation::Subprocess(assert_cmd::cargo::cargo_bin("tariffs")),
        max_memory: 256 << 20,
        ..ReadOptions::default()
    };
    let lines = |path: &Path| source::read(path, &options).map(|doc| doc.lines.len());
    let first = lines(&good).expect("the table reads");
    let worker = serving_workers();
    assert_eq!(worker.len(), 1, "one worker: {worker:?}");
    assert_eq!(lines(&good).unwrap(), first);
    assert_eq!(
        serving_workers(),
        worker,
        "the same worker read the second time"
    );
    let refused = lines(&bomb).expect_err("the bomb is refused").to_string();
    assert!(refused.contains("memory limit of 256 MiB"), "{refused}");
    assert!(
        serving_workers().is_empty(),
        "the worker that ran out is gone"
    );
    assert_eq!(
        lines(&good).unwrap(),
        first,
        "a new worker reads as the first did"
    );
    let replaced = serving_workers();
    assert_eq!(replaced.len(), 1);
    assert_ne!(replaced, worker);
}
