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

/// The largest resident set of any child process this test binary has
/// waited for (the workers included: they are waited for by `tariffs`), in bytes.
#[cfg(target_os = "linux")]
fn peak_of_children() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct it is given.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss as u64 * 1024
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

fn import_pdf(bytes: &[u8], extra_args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("tarifs-kine-2024.fr.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let mut args = vec!["import", "--dry-run"];
    args.extend_from_slice(extra_args);
    args.push(pdf.to_str().unwrap());
    run_bounded(dir.path(), &args, Duration::from_secs(120))
}

#[test]
fn a_page_whose_content_inflates_to_600_mib_is_refused_within_bounded_memory() {
    let out = import_pdf(
        &table_with_first_page_content(zlib_of_spaces(600 << 20)),
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("inflates to more than 64 MiB (a decompression bomb?)"),
        "{}",
        stderr(&out)
    );
    #[cfg(target_os = "linux")]
    assert!(
        peak_of_children() < GIB,
        "peak {} MiB",
        peak_of_children() >> 20
    );
}

#[test]
fn an_unreferenced_stream_that_inflates_to_1_gib_is_refused() {
    let out = import_pdf(
        &table_with_streams(vec![flate_stream(zlib_of_spaces(GIB as usize))]),
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("decompression bomb"),
        "{}",
        stderr(&out)
    );
    #[cfg(target_os = "linux")]
    assert!(
        peak_of_children() < GIB,
        "peak {} MiB",
        peak_of_children() >> 20
    );
}

/// Each stream under the per-stream cap, together past the memory limit:
/// the worker's hard limit stops it, and the message says which limit.
#[cfg(target_os = "linux")]
#[test]
fn streams_that_together_exceed_the_memory_limit_are_refused_with_the_limit_named() {
    let one = zlib_of_spaces(60 << 20);
    let streams = (0..6).map(|_| flate_stream(one.clone())).collect();
    let out = import_pdf(&table_with_streams(streams), &["--max-memory", "256"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needed more than the memory limit of 256 MiB"),
        "{}",
        stderr(&out)
    );
    assert!(
        peak_of_children() < GIB,
        "peak {} MiB",
        peak_of_children() >> 20
    );
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

#[test]
fn a_table_with_a_logo_imports_whole() {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let mut doc = Document::load_mem(&table_pdf(&text, Order::Normal, 1.5)).unwrap();
    draw_logo_on_first_page(&mut doc);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let out = import_pdf(&bytes, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("physiotherapy tariff 2024-01-01, 197 rows"),
        "{stdout}"
    );
}

#[test]
fn a_page_of_images_only_is_a_scan_not_damage() {
    let mut doc = Document::load_mem(&common::pdf::build(1, &[])).unwrap();
    draw_logo_on_first_page(&mut doc);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let out = import_pdf(&bytes, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no text layer (a scan?): OCR is not supported"),
        "{}",
        stderr(&out)
    );
}
