//! An export's bytes → text, in the encoding the export is written in.
//!
//! JSON is UTF-8 (RFC 8259), with or without a byte order mark. An XML
//! export is in the encoding its byte order mark names, or else the one its
//! XML declaration names, or else UTF-8: INAMI's bulk export declares
//! `encoding="windows-1252"`. Labels are read as the WHATWG Encoding
//! Standard reads them (the `encoding_rs` crate), so `ISO-8859-1` and
//! `latin1` are read as windows-1252, which differs from them only in
//! 0x80–0x9F (`€`, `’`, … where ISO-8859-1 has control characters nobody
//! writes); `ISO-8859-15` is its own encoding (`€` at 0xA4).
//!
//! Decoding is strict: a byte sequence the encoding does not allow is an
//! error naming its line, never a replacement character. An encoding this
//! tool does not know, UTF-16 without a byte order mark, and a byte order
//! mark that contradicts the declaration are errors too (exit 2).

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::Error;

/// The text of an export's bytes: an XML export in the encoding it names,
/// JSON in UTF-8. The byte order mark, if any, is left out.
pub fn decode<'a>(path: &Path, bytes: &'a [u8], xml: bool) -> Result<Cow<'a, str>, Error> {
    let unreadable = |reason: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    if !xml {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        return utf8(body).map(Cow::Borrowed).map_err(unreadable);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let text = strict(encoding, &bytes[bom..]).map_err(unreadable)?;
        if let Some(label) = declared(text.as_bytes()) {
            let named = known(&label).map_err(unreadable)?;
            if family(named) != family(encoding) {
                return Err(unreadable(format!(
                    "the XML declaration names `{label}`, but the file starts with the byte order mark of {}",
                    encoding.name()
                )));
            }
        }
        return Ok(text);
    }
    let encoding = match declared(bytes) {
        None => UTF_8,
        Some(label) => {
            let named = known(&label).map_err(unreadable)?;
            if family(named) == family(UTF_16LE) {
                return Err(unreadable(
                    "the XML declaration names UTF-16, but the file has no byte order mark (UTF-16 needs one)".into(),
                ));
            }
            named
        }
    };
    strict(encoding, bytes).map_err(unreadable)
}

/// The encoding a label names, if this tool reads it.
fn known(label: &str) -> Result<&'static Encoding, String> {
    let unknown = || {
        format!("the XML declaration names the encoding `{label}`, which this tool does not know")
    };
    let encoding = Encoding::for_label(label.as_bytes()).ok_or_else(unknown)?;
    // `replacement` stands for encodings that must not be decoded (ISO-2022-KR, …),
    // and the other encodings whose markup is not ASCII cannot hold an ASCII
    // declaration; UTF-16 is read by its byte order mark.
    let readable = encoding.is_ascii_compatible() || family(encoding) == family(UTF_16LE);
    if encoding == encoding_rs::REPLACEMENT || !readable {
        return Err(unknown());
    }
    Ok(encoding)
}

/// UTF-16 in either byte order is one encoding as a declaration names it.
fn family(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == UTF_16BE {
        UTF_16LE
    } else {
        encoding
    }
}

/// `bytes` in `encoding`, or why not.
fn strict<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Result<Cow<'a, str>, String> {
    if encoding == UTF_8 {
        return utf8(bytes).map(Cow::Borrowed);
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| malformed(encoding, bytes))
}

/// Where `bytes` stop being `encoding`: decoded again, as far as they go.
fn malformed(encoding: &'static Encoding, bytes: &[u8]) -> String {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut at = 0;
    // Chunks: the decoder says how far it read before the bad bytes.
    for chunk in bytes.chunks(1 << 16) {
        text.reserve(
            decoder
                .max_utf8_buffer_length_without_replacement(chunk.len())
                .unwrap_or(0),
        );
        let (result, read) = decoder.decode_to_string_without_replacement(chunk, &mut text, false);
        if let DecoderResult::Malformed(bad, extra) = result {
            at += read - usize::from(bad) - usize::from(extra);
            break;
        }
        at += read;
    }
    let line = text.matches('\n').count() + 1;
    format!(
        "not {} (invalid bytes at line {line}, offset {at})",
        encoding.name()
    )
}

/// `bytes` as UTF-8, or where they are not.
fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not UTF-8 (invalid byte at line {line}, offset {at})")
    })
}

/// The encoding an XML declaration at the start of `bytes` names
/// (`<?xml version="1.0" encoding="windows-1252"?>`), if it names one.
fn declared(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"<?xml")?;
    if !rest.first()?.is_ascii_whitespace() {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let declaration = &rest[..end];
    let at = declaration.windows(8).position(|w| w == b"encoding")?;
    let rest = declaration[at + 8..]
        .trim_ascii_start()
        .strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let (&quote, rest) = rest.split_first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let name = &rest[..rest.iter().position(|&b| b == quote)?];
    Some(String::from_utf8_lossy(name).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(bytes: &[u8]) -> Result<String, String> {
        decode(Path::new("x.xml"), bytes, true)
            .map(Cow::into_owned)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_declaration_names_the_encoding() {
        let text = b"<?xml version=\"1.0\" encoding='Windows-1252' ?>\n<a>r\xE9gime \x80</a>";
        assert_eq!(
            xml(text).unwrap(),
            "<?xml version=\"1.0\" encoding='Windows-1252' ?>\n<a>régime €</a>"
        );
        let latin9 = b"<?xml version=\"1.0\" encoding=\"iso-8859-15\"?><a>\xA4</a>";
        assert!(xml(latin9).unwrap().ends_with("<a>€</a>"));
        assert_eq!(xml(b"<a>\xC3\xA9</a>").unwrap(), "<a>é</a>");
    }

    #[test]
    fn a_byte_order_mark_comes_first() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(
            "<?xml version=\"1.0\"?><a>é</a>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(xml(&le).unwrap(), "<?xml version=\"1.0\"?><a>é</a>");
        assert_eq!(xml(b"\xEF\xBB\xBF<a/>").unwrap(), "<a/>");
        let e = xml(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"latin1\"?><a/>").unwrap_err();
        assert!(
            e.contains("names `latin1`, but the file starts with the byte order mark of UTF-8"),
            "{e}"
        );
    }

    #[test]
    fn what_cannot_be_read_is_named() {
        let e = xml(b"<?xml version=\"1.0\" encoding=\"EBCDIC\"?><a/>").unwrap_err();
        assert!(e.contains("x.xml: the XML declaration names the encoding `EBCDIC`, which this tool does not know"), "{e}");
        let e = xml(b"<?xml version=\"1.0\" encoding=\"iso-2022-kr\"?><a/>").unwrap_err();
        assert!(e.contains("`iso-2022-kr`"), "{e}");
        let e = xml(b"<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>").unwrap_err();
        assert!(e.contains("no byte order mark"), "{e}");
        let e = xml(b"<a>\n\xE9</a>").unwrap_err();
        assert!(
            e.contains("not UTF-8 (invalid byte at line 2, offset 4)"),
            "{e}"
        );
        let mut odd = vec![0xFF, 0xFE];
        odd.extend([b'<', 0, b'a', 0, b'\n', 0, 0x00, 0xD8, b'>', 0]);
        let e = xml(&odd).unwrap_err();
        assert!(
            e.contains("not UTF-16LE (invalid bytes at line 2, offset 6)"),
            "{e}"
        );
        let e = decode(Path::new("r.json"), b"{\"a\": \"\xE9\"}", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
