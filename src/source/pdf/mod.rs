//! PDF sources: reading-order text from glyph positions, isolated from the
//! PDF library's crashes and hangs.
//!
//! `pdf-extract` and `lopdf` panic on many damaged files and can loop
//! forever on some. Two isolations are offered ([`Isolation`]):
//!
//! - **Subprocess** (what the `tariffs` binary uses): the binary runs itself
//!   as a worker (`tariffs __extract-pdf --serve`, the bytes on its
//!   standard input), which extracts and answers the lines as JSON; each
//!   extracting thread keeps its worker for the next document ([`worker`]). On Linux the worker
//!   dies with its parent and its address space is capped
//!   ([`super::ReadOptions::max_memory`]). The parent waits at most the time limit, then kills
//!   it. A child process contains everything: panics, aborts, stack
//!   overflows (which `catch_unwind` cannot catch) and hangs (a thread cannot
//!   be killed, a process can). Its cost, a process start, is paid once
//!   per thread, and again only after a document that went wrong.
//! - **In process** (the library default, for callers without the binary):
//!   a thread with `catch_unwind` and a time limit. It catches panics; past
//!   the limit the caller gets an error, but the runaway thread is left
//!   running until the process ends.
//!
//! Either way the answer is lines or an [`Error`] naming the file: an
//! encrypted PDF, a PDF without a text layer (a scan), an empty PDF, a
//! damaged one, a page whose glyphs cannot be put into lines ([`lines`]), or
//! a file that is not a PDF each have their own message. Text is read as
//! printed: the page's content, then the appearances of its annotations
//! that print (see `vendor/pdf-extract/VENDORED.md`).
//!
//! Before extraction, [`integrity`] checks the document for the damage
//! that the PDF library would otherwise pass over in silence (a page
//! missing from the page tree, a truncated Flate stream, a broken widths
//! table): a damaged file is refused, never imported with rows missing.

pub mod glyphs;
pub mod integrity;
pub mod lines;
pub mod words;
pub mod worker;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::SourceLine;
use crate::error::Error;
use glyphs::GlyphCollector;
use lines::page_lines;

/// How extraction is kept apart from the caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Isolation {
    /// A thread with `catch_unwind` and a time limit.
    #[default]
    InProcess,
    /// A child process: this executable (the `tariffs` binary) with the
    /// hidden `__extract-pdf` subcommand.
    Subprocess(PathBuf),
}

/// The name of the hidden worker subcommand.
pub const WORKER_COMMAND: &str = "__extract-pdf";

/// What extraction found: lines per page, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extraction {
    /// The text lines of each page.
    Pages(Vec<Vec<String>>),
    /// The bytes are not a PDF.
    NotPdf,
    /// The PDF is encrypted.
    Encrypted,
    /// The PDF has no pages.
    Empty,
    /// The PDF is damaged or truncated: what the reader said.
    Damaged(String),
    /// The pages hold no text (a scan?).
    NoText {
        /// How many pages the PDF has.
        pages: u32,
    },
    /// The PDF library crashed: its message.
    Panicked(String),
    /// The worker ran out of its memory limit.
    OutOfMemory,
    /// Glyphs on a page cannot be put into lines (see [`lines::Unlined`]).
    Unlined {
        /// The page (1-based).
        page: u32,
        /// Why, in words.
        why: String,
    },
}

/// Extracts numbered lines (with pages) from PDF bytes.
pub fn extract_lines(
    path: &Path,
    bytes: &[u8],
    options: &super::ReadOptions,
) -> Result<Vec<SourceLine>, Error> {
    let timeout = options.pdf_timeout;
    let extraction = match &options.isolation {
        Isolation::InProcess => in_thread(path, bytes, timeout)?,
        Isolation::Subprocess(exe) => {
            worker::extract(path, bytes, exe, timeout, options.max_memory)?
        }
    };
    let problem = |reason: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    match extraction {
        Extraction::Pages(pages) => Ok(number(pages)),
        Extraction::NotPdf => Err(problem("not a PDF: the file has no %PDF- header".into())),
        Extraction::Encrypted => Err(problem(
            "the PDF is encrypted with a password: decrypt it first (for example `qpdf --decrypt`)"
                .into(),
        )),
        Extraction::Empty => Err(problem("the PDF has no pages".into())),
        Extraction::Damaged(why) if why.contains("decompression bomb") => {
            Err(problem(format!("the PDF is refused: {why}")))
        }
        Extraction::Damaged(why) => Err(problem(format!("the PDF is damaged or truncated: {why}"))),
        Extraction::NoText { pages } => Err(problem(format!(
            "the PDF has {pages} page(s) but no text layer (a scan?): OCR is not supported"
        ))),
        Extraction::Panicked(why) => Err(problem(format!(
            "the PDF library crashed reading this file ({why}); it is probably damaged"
        ))),
        Extraction::OutOfMemory => Err(problem(format!(
            "extracting text needed more than the memory limit of {} MiB, so it was stopped \
             (a PDF bomb? raise the limit with --max-memory)",
            options.max_memory >> 20
        ))),
        Extraction::Unlined { page, why } => Err(problem(format!(
            "page {page}: glyphs that cannot be put into lines ({why}); such a page is \
             refused rather than read with rows missing"
        ))),
    }
}

/// Numbers lines across pages, as `tariffs extract` prints them.
fn number(pages: Vec<Vec<String>>) -> Vec<SourceLine> {
    let mut lines = Vec::new();
    for (index, page) in pages.into_iter().enumerate() {
        for text in page {
            lines.push(SourceLine {
                number: lines.len() + 1,
                page: Some(index as u32 + 1),
                text: text.as_str().into(),
            });
        }
    }
    lines
}

/// Runs the extraction itself. Called inside the isolation, never directly.
pub fn extract_unisolated(bytes: &[u8]) -> Extraction {
    if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Extraction::NotPdf;
    }
    let mut doc = match pdf_extract::Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(e)
            if ["ncrypt", "assword"]
                .iter()
                .any(|w| format!("{e:?}").contains(w)) =>
        {
            return Extraction::Encrypted
        }
        Err(e) => return Extraction::Damaged(e.to_string()),
    };
    // Many PDFs are "encrypted" with an empty password, to set permissions only.
    let encrypted = doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok();
    if encrypted && doc.decrypt("").is_err() {
        return Extraction::Encrypted;
    }
    // Walking the page tree once: the checks and the extraction share it.
    let pages = doc.get_pages();
    let page_count = pages.len();
    if encrypted && page_count == 0 {
        // A wrong password leaves no readable page tree.
        return Extraction::Encrypted;
    }
    if let Err(why) = integrity::check(&mut doc, &pages) {
        return Extraction::Damaged(why);
    }
    if page_count == 0 {
        return Extraction::Empty;
    }
    let numbers: Vec<u32> = pages.into_keys().collect();
    let collector = match collect_glyphs(&doc, &numbers) {
        Ok(collector) => collector,
        Err(why) => return Extraction::Damaged(why),
    };
    if collector.glyphs.is_empty() {
        return Extraction::NoText {
            pages: page_count as u32,
        };
    }
    let mut by_page = vec![Vec::new(); page_count];
    for glyph in collector.glyphs {
        let index = (glyph.page as usize).saturating_sub(1).min(page_count - 1);
        by_page[index].push(glyph);
    }
    let mut pages = Vec::with_capacity(page_count);
    for (index, glyphs) in by_page.into_iter().enumerate() {
        match page_lines(glyphs) {
            Ok(lines) => pages.push(lines),
            Err(lines::Unlined(why)) => {
                return Extraction::Unlined {
                    page: index as u32 + 1,
                    why,
                }
            }
        }
    }
    Extraction::Pages(pages)
}

/// Runs `pdf-extract` over every page, on as many threads as there are cores.
///
/// Pages are independent, so they are shared out between threads (a panic in
/// one reaches the caller's `catch_unwind` when the scope joins). Each thread
/// goes through its pages with one font cache (`output_doc_pages`, added by
/// our patch to `pdf-extract`): parsing fonts is the costly part, and the
/// pages of a document share a few fonts. An error names its page.
fn collect_glyphs(doc: &pdf_extract::Document, pages: &[u32]) -> Result<GlyphCollector, String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(pages.len())
        .max(1);
    let results: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let mine: Vec<u32> = pages
                    .iter()
                    .copied()
                    .skip(worker)
                    .step_by(threads)
                    .collect();
                scope.spawn(move || {
                    let mut collector = GlyphCollector::default();
                    match pdf_extract::output_doc_pages(doc, &mut collector, &mine) {
                        Ok(()) => Ok(collector),
                        Err(e) => Err(format!("page {}: {}", collector.page(), explain(&e))),
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
            })
            .collect()
    });
    let mut all = GlyphCollector::default();
    for result in results {
        let part = result?;
        all.glyphs.extend(part.glyphs);
    }
    Ok(all)
}

/// What went wrong in `pdf-extract`, in words a user can act on.
fn explain(error: &pdf_extract::OutputError) -> String {
    use pdf_extract::{Error as PdfError, OutputError};
    match error {
        // The document is parsed whole when it is loaded: what is left to
        // parse during extraction is page content (strictly, by our patch).
        OutputError::PdfError(PdfError::Parse(e)) => {
            format!("its content does not parse to its end ({e})")
        }
        other => other.to_string(),
    }
}

/// Extraction in a thread that may panic or run away.
fn in_thread(path: &Path, bytes: &[u8], timeout: Duration) -> Result<Extraction, Error> {
    let bytes = bytes.to_vec();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| extract_unisolated(&bytes));
        let _ = send
            .send(result.unwrap_or_else(|payload| Extraction::Panicked(panic_message(&*payload))));
    });
    receive
        .recv_timeout(timeout)
        .map_err(|_| timed_out(path, timeout))
}

fn timed_out(path: &Path, timeout: Duration) -> Error {
    Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!(
            "extracting text took longer than {} s, so it was stopped (raise the limit with --timeout)",
            timeout.as_secs()
        ),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}
