//! Stage 1 of the pipeline: bytes on disk → numbered lines of text.
//!
//! Every later stage works on a [`SourceDocument`]: the lines a parser reads,
//! each with its line number and, for PDFs, its page. Text files are read as
//! UTF-8; PDFs go through [`pdf`], which rebuilds reading order from glyph
//! positions. The digest of the original bytes travels along so a snapshot can
//! name exactly what it was made from.

pub mod pdf;

use std::path::{Path, PathBuf};

use arcstr::{ArcStr, Substr};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::model::SourceFormat;

/// One line of a source, as a parser sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// 1-based line number in the text (for a PDF: in the extracted text).
    pub number: usize,
    /// 1-based page number, for PDF sources.
    pub page: Option<u32>,
    /// A slice of the whole text, shared: making a line, or a finding that
    /// shows it, copies nothing.
    pub text: Substr,
}

/// A document read from disk, ready for a parser.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    /// The path the user gave, used in every message.
    pub path: PathBuf,
    /// Text or PDF.
    pub format: SourceFormat,
    /// The original bytes (stored verbatim under `sources/`).
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
    /// The numbered lines (PDF pages concatenated, each line with its page).
    pub lines: Vec<SourceLine>,
}

impl SourceDocument {
    /// Builds a document from text already in memory (used for text files and tests).
    pub fn from_text(path: impl Into<PathBuf>, text: &str) -> SourceDocument {
        let bytes = text.as_bytes().to_vec();
        SourceDocument {
            path: path.into(),
            format: SourceFormat::Text,
            sha256: sha256_hex(&bytes),
            lines: number_lines(text, None),
            bytes,
        }
    }

    /// The path as shown in messages.
    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }

    /// The line with the given 1-based number.
    pub fn line(&self, number: usize) -> Option<&SourceLine> {
        self.lines.get(number.checked_sub(1)?)
    }
}

/// Options for reading sources.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Time limit for extracting text from one PDF.
    pub pdf_timeout: Duration,
    /// How PDF extraction is isolated from the caller.
    pub isolation: pdf::Isolation,
    /// The largest source file read, in bytes (larger ones are refused
    /// before they are read whole).
    pub max_input_bytes: u64,
    /// The address space a PDF extraction worker may use, in bytes (a hard
    /// limit set on the child process; [`pdf::Isolation::InProcess`] cannot
    /// enforce it).
    pub max_memory: u64,
}

/// Default of [`ReadOptions::max_input_bytes`]: 256 MiB (a year's table is
/// well under 1 MiB as PDF, and 40 KiB as text).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 << 20;
/// Default of [`ReadOptions::max_memory`]: 768 MiB, so the whole process
/// tree stays under 1 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 768 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            pdf_timeout: Duration::from_secs(60),
            isolation: pdf::Isolation::InProcess,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// Reads a source file: a PDF (by its `%PDF` signature or `.pdf` name) or UTF-8 text.
///
/// Only regular files are read (a FIFO, a device such as `/dev/zero` or a
/// folder is refused), and none larger than [`ReadOptions::max_input_bytes`].
/// The bytes are read once: a PDF worker is handed these bytes, never the
/// path, so the source stored and the lines parsed are of the same file.
pub fn read(path: &Path, options: &ReadOptions) -> Result<SourceDocument, Error> {
    let bytes = read_bounded(path, options.max_input_bytes)?;
    if looks_like_pdf(path, &bytes) {
        let lines = pdf::extract_lines(path, &bytes, options)?;
        return Ok(SourceDocument {
            path: path.to_path_buf(),
            format: SourceFormat::Pdf,
            sha256: sha256_hex(&bytes),
            bytes,
            lines,
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!(
            "not UTF-8 text (invalid byte at offset {}) and not a PDF",
            e.valid_up_to()
        ),
    })?;
    let mut doc = SourceDocument::from_text(path, text);
    doc.bytes = bytes;
    Ok(doc)
}

/// Opens a file without waiting: opening a FIFO would otherwise block until
/// someone writes to it, before its kind could be checked.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The bytes of an input file, with the checks of [`read`] (a regular file,
/// within [`ReadOptions::max_input_bytes`]), for inputs that are not text
/// or PDF documents (NomenSoft exports).
pub fn read_bytes(path: &Path, options: &ReadOptions) -> Result<Vec<u8>, Error> {
    read_bounded(path, options.max_input_bytes)
}

/// The bytes of a regular file of at most `max` bytes.
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let unreadable = |reason: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let file = open_nonblocking(path).map_err(|e| Error::io(path, e))?;
    // The kind is asked of the open file, so it is the file that is read.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(unreadable(
            "not a regular file (a folder, device, FIFO or socket): documents are files".into(),
        ));
    }
    let too_large = || {
        unreadable(format!(
            "larger than the limit of {} MiB for a document (raise it with --max-input-size)",
            max >> 20
        ))
    };
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Bounded even if the file grows while it is read.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

fn looks_like_pdf(path: &Path, bytes: &[u8]) -> bool {
    let named_pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    // The signature may follow a little junk; readers accept it within 1 KiB.
    let signed = bytes.windows(5).take(1024).any(|w| w == b"%PDF-");
    named_pdf || signed
}

/// Splits text into numbered lines (a leading BOM and `\r` line ends are dropped).
pub fn number_lines(text: &str, page: Option<u32>) -> Vec<SourceLine> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let whole = ArcStr::from(text);
    // Sized up front: a million-line table would otherwise regrow the vector 20 times.
    let mut lines = Vec::with_capacity(text.bytes().filter(|&b| b == b'\n').count() + 1);
    lines.extend(whole.lines().enumerate().map(|(i, line)| SourceLine {
        number: i + 1,
        page,
        text: whole.substr_from(line),
    }));
    lines
}

/// SHA-256 of some bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
