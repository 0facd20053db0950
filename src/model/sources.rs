//! Where a snapshot's values come from: the document's language, its
//! stored source, and a position in it.

use serde::{Deserialize, Serialize};

/// Language of a document (`fr` or `nl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French.
    Fr,
    /// Dutch.
    Nl,
}

impl Language {
    /// The two-letter code used in file names and YAML.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::Nl => "nl",
        }
    }
}

/// How the source document reached the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// UTF-8 text (as a PDF extraction gives it).
    Text,
    /// PDF, read by glyph positions.
    Pdf,
}

impl SourceFormat {
    /// The file extension a source of this format is stored under.
    pub fn extension(self) -> &'static str {
        match self {
            SourceFormat::Text => "txt",
            SourceFormat::Pdf => "pdf",
        }
    }
}

/// Where a snapshot came from: the stored source file and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Path of the stored source, relative to the data repository.
    pub file: String,
    /// SHA-256 of the source bytes, lowercase hex.
    pub sha256: String,
    /// Text or PDF.
    pub format: SourceFormat,
}

/// One source of a bilingual snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageSource {
    /// The language of this source.
    pub language: Language,
    #[serde(flatten)]
    /// The stored source.
    pub source: SourceRef,
}

/// Where a record stands in a source: a line, and the page of a PDF source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The line (1-based).
    pub source_line: usize,
    /// The page, for PDF sources.
    pub source_page: Option<u32>,
}
