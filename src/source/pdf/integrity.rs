//! Damage that `pdf-extract` would pass over in silence.
//!
//! `lopdf` and `pdf-extract` are lenient. They skip a page object that does
//! not parse, keep the part of a damaged Flate stream that came out before
//! the damage, stop parsing a page's content at the first garbage, and
//! measure a font with a damaged widths table as some other font. Each of
//! these gives fewer rows, or wrong text, with no error at all. A corpus of
//! files with flipped bytes showed every one of them. So the document is
//! checked before extraction, against rules of the PDF format that a file
//! from a working producer always follows:
//!
//! - every Flate stream (images aside) decompresses whole, and its checksum
//!   matches (when the producer wrote one); no stream names an unknown
//!   filter, or holds compressed data while declaring none;
//! - the page tree holds as many readable pages as its `/Count` says;
//! - every content stream a page refers to exists;
//! - every simple font with widths has a consistent widths table.
//!
//! A failed rule is reported as damage. Checking the streams also stores
//! them back decompressed, so `pdf-extract` does not inflate them again.
//! (That a page's content parses to its end is checked by `pdf-extract`
//! itself, patched for it, as it parses the content anyway.)

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use flate2::read::{DeflateDecoder, ZlibDecoder};

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

/// Runs every check; the first failure says what is damaged, and where.
/// `pages` is the document's page list (`Document::get_pages`).
pub fn check(doc: &mut Document, pages: &BTreeMap<u32, ObjectId>) -> Result<(), String> {
    inflate_streams(doc)?;
    check_page_tree(doc, pages.len())?;
    for (&number, &page) in pages {
        check_contents(doc, page).map_err(|e| format!("page {number}: {e}"))?;
        check_fonts(doc, page).map_err(|e| format!("page {number}: {e}"))?;
    }
    Ok(())
}

/// Decompresses every Flate stream strictly, storing it back decompressed
/// when Flate is its only filter. Images are left alone: they carry no text
/// and are the largest streams.
fn inflate_streams(doc: &mut Document) -> Result<(), String> {
    for (id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let damaged = |why: String| format!("stream {} {}: {why}", id.0, id.1);
        let is_image = stream
            .dict
            .get(b"Subtype")
            .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Image"));
        if is_image || !is_flate(stream).map_err(damaged)? {
            continue;
        }
        let only_flate = stream.filters().is_ok_and(|f| f.len() == 1)
            && stream.dict.get(b"DecodeParms").is_err();
        let plain =
            strict_inflate(&stream.content).map_err(|e| match e.starts_with("it inflates") {
                true => damaged(e),
                false => damaged(format!("Flate data is damaged ({e})")),
            })?;
        if only_flate {
            stream.set_plain_content(plain);
        }
    }
    Ok(())
}

/// Whether a stream's data is Flate-compressed (its first filter). Its
/// filters must be ones the format defines, and a stream that declares none
/// must not hold compressed data: either is a damaged `/Filter`, and the
/// data would be read as it is.
fn is_flate(stream: &Stream) -> Result<bool, String> {
    let filters = match stream.dict.get(b"Filter") {
        Err(_) => Vec::new(),
        Ok(_) => stream
            .filters()
            .map_err(|_| "its /Filter is damaged".to_string())?,
    };
    if let Some(unknown) = filters.iter().find(|f| !FILTERS.contains(f)) {
        let unknown = String::from_utf8_lossy(unknown);
        return Err(format!("unknown filter /{unknown} (a damaged name?)"));
    }
    if filters.is_empty()
        && looks_like_zlib(&stream.content)
        && strict_inflate(&stream.content).is_ok()
    {
        return Err("it holds compressed data but declares no /Filter (a damaged /Filter?)".into());
    }
    Ok(filters.first().is_some_and(|f| *f == b"FlateDecode"))
}

/// The stream filters of the PDF format (ISO 32000-1, 7.4), with the short
/// names allowed in inline images.
const FILTERS: [&[u8]; 17] = [
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"LZWDecode",
    b"FlateDecode",
    b"RunLengthDecode",
    b"CCITTFaxDecode",
    b"JBIG2Decode",
    b"DCTDecode",
    b"JPXDecode",
    b"Crypt",
    b"AHx",
    b"A85",
    b"LZW",
    b"Fl",
    b"RL",
    b"CCF",
    b"DCT",
];

/// Whether data starts with a zlib header (RFC 1950: deflate, and a header
/// checksum that is a multiple of 31).
fn looks_like_zlib(data: &[u8]) -> bool {
    match data {
        [method, flags, ..] => {
            method & 0x0f == 8 && (u16::from(*method) * 256 + u16::from(*flags)) % 31 == 0
        }
        _ => false,
    }
}

/// Inflates zlib data strictly: the deflate data must be complete and the
/// checksum after it must match. One leniency: some producers leave the
/// checksum out, so data that ends exactly where its last deflate block
/// ends is whole, and is accepted (as poppler and pdf.js do).
fn strict_inflate(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let zlib_error = match ZlibDecoder::new(data)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
    {
        Ok(_) => return bounded(out),
        Err(e) => e,
    };
    let body = data.get(2..).unwrap_or_default();
    let mut raw = DeflateDecoder::new(body);
    out.clear();
    if (&mut raw)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .is_ok()
    {
        let rest = body.get(raw.total_in() as usize..).unwrap_or_default();
        if out.len() as u64 > MAX_INFLATED || rest.iter().all(u8::is_ascii_whitespace) {
            return bounded(out);
        }
    }
    Err(zlib_error.to_string())
}

/// The most one stream may inflate to: 64 MiB. The page content of a
/// year's table is under 1 MiB; a stream that inflates past this is a
/// decompression bomb (or not a tariff document), refused before it can
/// exhaust memory. Images, the largest streams, are not inflated here.
pub const MAX_INFLATED: u64 = 64 << 20;

fn bounded(out: Vec<u8>) -> Result<Vec<u8>, String> {
    if out.len() as u64 > MAX_INFLATED {
        return Err(format!(
            "it inflates to more than {} MiB (a decompression bomb?)",
            MAX_INFLATED >> 20
        ));
    }
    Ok(out)
}

/// Walks the page tree: every kid must be a readable page or page list, and
/// the pages found must be as many as the root's `/Count`, and as many as
/// `listed`, the pages `lopdf` gives (which skips what it cannot read).
fn check_page_tree(doc: &Document, listed: usize) -> Result<(), String> {
    let root = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|e| format!("the catalog has no readable page tree ({e})"))?;
    let declared = doc
        .get_dictionary(root)
        .and_then(|d| d.get(b"Count"))
        .and_then(Object::as_i64)
        .map_err(|e| format!("the page tree has no readable /Count ({e})"))?;
    let mut walk = PageWalk::default();
    walk.node(doc, root, 0)?;
    if walk.pages as i64 != declared {
        return Err(format!(
            "the page tree declares {declared} page(s) but holds {}",
            walk.pages
        ));
    }
    if listed != walk.pages {
        return Err(format!(
            "only {listed} of the page tree's {} pages can be read",
            walk.pages
        ));
    }
    Ok(())
}

#[derive(Default)]
struct PageWalk {
    pages: usize,
    seen: HashSet<ObjectId>,
}

impl PageWalk {
    /// Deeper than this, a page tree is a loop or garbage.
    const MAX_DEPTH: usize = 64;

    fn node(&mut self, doc: &Document, id: ObjectId, depth: usize) -> Result<(), String> {
        let unreadable = |why: &str| format!("object {} {} of the page tree {why}", id.0, id.1);
        if depth > Self::MAX_DEPTH || !self.seen.insert(id) {
            return Err(unreadable("is part of a loop"));
        }
        let dict = doc
            .get_dictionary(id)
            .map_err(|e| unreadable(&format!("cannot be read ({e})")))?;
        let kind = dict.get(b"Type").and_then(Object::as_name).ok();
        match (kind, dict.get(b"Kids")) {
            (Some(b"Pages"), Ok(kids)) | (None, Ok(kids)) => {
                let kids = kids
                    .as_array()
                    .map_err(|_| unreadable("has a damaged /Kids"))?;
                for kid in kids {
                    let kid = kid
                        .as_reference()
                        .map_err(|_| unreadable("lists a kid that is not a reference"))?;
                    self.node(doc, kid, depth + 1)?;
                }
                Ok(())
            }
            (Some(b"Page"), _) | (None, Err(_)) => {
                self.pages += 1;
                Ok(())
            }
            _ => Err(unreadable("is neither a page nor a list of pages")),
        }
    }
}

/// A page's content streams must exist and be streams: `lopdf` skips any
/// other object silently, and the page would come out blank.
fn check_contents(doc: &Document, page: ObjectId) -> Result<(), String> {
    let Ok(contents) = doc.get_dictionary(page).and_then(|p| p.get(b"Contents")) else {
        return Ok(()); // a blank page
    };
    let ids = match contents {
        Object::Reference(id) => match doc.get_object(*id) {
            // An indirect array of streams.
            Ok(Object::Array(items)) => items.iter().collect(),
            _ => vec![contents],
        },
        Object::Array(items) => items.iter().collect(),
        _ => return Err("its /Contents is damaged".into()),
    };
    for item in ids {
        let id = item
            .as_reference()
            .map_err(|_| "its /Contents lists something that is not a stream".to_string())?;
        doc.get_object(id)
            .and_then(Object::as_stream)
            .map_err(|e| format!("content stream {} {} cannot be read ({e})", id.0, id.1))?;
    }
    Ok(())
}

/// A simple font's widths table: `/FirstChar`, `/LastChar` and `/Widths`
/// come together, with one width per code. (A font with none of the three
/// is measured as a standard font, which is what viewers do too.)
fn check_fonts(doc: &Document, page: ObjectId) -> Result<(), String> {
    let fonts = doc
        .get_page_fonts(page)
        .map_err(|e| format!("its fonts cannot be read ({e})"))?;
    for (name, font) in fonts {
        let subtype = font.get(b"Subtype").and_then(Object::as_name).ok();
        if !matches!(subtype, Some(b"Type1" | b"MMType1" | b"TrueType")) {
            continue;
        }
        widths_table(doc, font).map_err(|why| {
            format!(
                "font /{} ({}) {why}",
                String::from_utf8_lossy(&name),
                String::from_utf8_lossy(
                    font.get(b"BaseFont")
                        .and_then(Object::as_name)
                        .unwrap_or(b"?")
                )
            )
        })?;
    }
    Ok(())
}

fn widths_table(doc: &Document, font: &Dictionary) -> Result<(), String> {
    let entry = |key: &[u8]| {
        font.get(key)
            .ok()
            .map(|o| doc.dereference(o).map(|(_, o)| o))
    };
    let (first, last, widths) = (entry(b"FirstChar"), entry(b"LastChar"), entry(b"Widths"));
    let (first, last, widths) = match (first, last, widths) {
        (None, None, None) => return Ok(()),
        (Some(Ok(first)), Some(Ok(last)), Some(Ok(widths))) => (first, last, widths),
        _ => {
            return Err(
                "has a damaged or incomplete widths table (/FirstChar, /LastChar, /Widths)".into(),
            )
        }
    };
    let (Ok(first), Ok(last), Ok(widths)) = (first.as_i64(), last.as_i64(), widths.as_array())
    else {
        return Err("has a widths table of the wrong types".into());
    };
    let numbers = widths.iter().all(|w| {
        matches!(
            doc.dereference(w),
            Ok((_, Object::Integer(_) | Object::Real(_)))
        )
    });
    if !numbers {
        return Err("has a width that is not a number".into());
    }
    if last < first || widths.len() as i64 != last - first + 1 {
        return Err(format!(
            "has {} width(s) for codes {first} to {last}",
            widths.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn text() -> Vec<u8> {
        (0..20_000u32)
            .flat_map(|i| format!("{i} Tj ").into_bytes())
            .collect()
    }

    #[test]
    fn whole_zlib_data_inflates() {
        assert_eq!(strict_inflate(&zlib(&text())).unwrap(), text());
    }

    #[test]
    fn data_without_its_checksum_inflates_when_the_deflate_data_is_whole() {
        let z = zlib(&text());
        assert_eq!(strict_inflate(&z[..z.len() - 4]).unwrap(), text());
        let mut eol = z[..z.len() - 4].to_vec();
        eol.extend(b"\r\n");
        assert_eq!(strict_inflate(&eol).unwrap(), text());
    }

    #[test]
    fn truncated_or_altered_data_is_refused() {
        let z = zlib(&text());
        for cut in [z.len() - 2, z.len() - 5, z.len() / 2, 3] {
            assert!(strict_inflate(&z[..cut]).is_err(), "cut at {cut}");
        }
        let mut checksum = z.clone();
        *checksum.last_mut().unwrap() ^= 1;
        assert!(strict_inflate(&checksum).is_err(), "checksum");
        // A flip in the data either breaks the deflate stream or the checksum.
        for at in [10, z.len() / 3, z.len() / 2, z.len() - 10] {
            let mut flipped = z.clone();
            flipped[at] ^= 0x08;
            assert!(strict_inflate(&flipped).is_err(), "flip at {at}");
        }
    }
}
