//! PDF sources (placeholder until the PDF issue lands: reports a clean error).

use std::path::Path;
use std::time::Duration;

use super::SourceLine;
use crate::error::Error;

/// Extracts reading-order lines from a PDF.
pub fn extract_lines(
    path: &Path,
    _bytes: &[u8],
    _timeout: Duration,
) -> Result<Vec<SourceLine>, Error> {
    Err(Error::Unreadable {
        path: path.to_path_buf(),
        reason: "PDF input is not supported yet".into(),
    })
}
