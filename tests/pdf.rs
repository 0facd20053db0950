//! The PDF path: fixtures from two producers, tables drawn in any order, and
//! a corpus of damaged files that must each end in an import or a clean error.

mod common;

use common::{data, table};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::pdf::{table_pdf, Order};
use inami_tariffs::source::{self, ReadOptions};

#[test]
fn both_fixture_pdfs_give_the_rows_of_the_seed_text() {
    let seed = table(&common::seed_table());
    for producer in ["writer", "latex"] {
        let path = common::fixture(&format!("pdf/tarifs-kine-2024-01-01.fr.{producer}.pdf"));
        let pdf = table(&path);
        assert_eq!(pdf.rows.len(), 197, "{producer}");
        assert_eq!(pdf.title, seed.title);
        assert_eq!(pdf.effective_from, seed.effective_from);
        assert_eq!(
            pdf.source.file,
            "sources/physiotherapy/2024-01-01-tariff.fr.pdf"
        );
        for (p, s) in pdf.rows.iter().zip(&seed.rows) {
            assert_eq!(data(p), data(s), "{producer}");
            assert!(p.source_page.is_some_and(|page| page >= 1));
        }
        let last_page = pdf.rows.last().unwrap().source_page.unwrap();
        assert!(
            last_page > 3,
            "{producer}: rows carry their pages ({last_page})"
        );
    }
}

#[test]
fn the_convention_pdf_has_the_codes_and_amounts_of_its_seed_text() {
    let pdf = source::read(
        &common::fixture("pdf/convention-kine-2021.fr.writer.pdf"),
        &ReadOptions::default(),
    )
    .unwrap();
    let text =
        std::fs::read_to_string(common::fixture("convention/convention-kine-2021.fr.txt")).unwrap();
    let numbers = |lines: &mut dyn Iterator<Item = String>| -> Vec<String> {
        let re = regex::Regex::new(r"\b\d{6}\b|\b\d+,\d+\b").unwrap();
        let mut found: Vec<String> = lines
            .flat_map(|l| {
                re.find_iter(&l)
                    .map(|m| m.as_str().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        found.sort();
        found
    };
    let from_pdf = numbers(&mut pdf.lines.iter().map(|l| l.text.to_string()));
    let from_text = numbers(&mut text.lines().map(String::from));
    assert!(from_text.len() > 300, "{}", from_text.len());
    assert_eq!(from_pdf, from_text);
}

#[test]
fn drawing_order_and_row_spacing_do_not_change_the_rows() {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut tables = Vec::new();
    for (name, order, leading) in [
        ("normal", Order::Normal, 1.6),
        ("reversed", Order::Reversed, 1.6),
        ("columns", Order::ColumnByColumn, 1.6),
        ("headers-last", Order::HeadersLast, 1.6),
        ("close-rows", Order::ColumnByColumn, 1.15),
    ] {
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, table_pdf(&text, order, leading)).unwrap();
        tables.push((name, table(&path)));
    }
    let seed = table(&common::seed_table());
    let (_, normal) = &tables[0];
    assert_eq!(normal.rows.len(), 197);
    for (p, s) in normal.rows.iter().zip(&seed.rows) {
        assert_eq!(data(p), data(s));
    }
    for (name, t) in &tables[1..] {
        assert_eq!(t.rows, normal.rows, "{name}");
    }
}

/// Deterministic damage: truncations and byte flips of the Writer fixture.
/// Damaged copies of the three fixture PDFs, deterministic: truncations
/// spread over the file, and copies with one to four bits flipped at random
/// places (xorshift with a fixed seed per fixture). Each comes with the
/// fixture it was made from.
fn damaged_corpus(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut files = Vec::new();
    for (fixture, seed, truncations, flips) in [
        (
            "tarifs-kine-2024-01-01.fr.writer",
            0x0dd_ba11_cafe_f00d_u64,
            20,
            150,
        ),
        (
            "tarifs-kine-2024-01-01.fr.latex",
            0x5eed_0f1a_7ec0_de00,
            20,
            100,
        ),
        (
            "convention-kine-2021.fr.writer",
            0xc0_a7e5_1d0e_2021,
            10,
            60,
        ),
    ] {
        let original = common::fixture(&format!("pdf/{fixture}.pdf"));
        let good = std::fs::read(&original).unwrap();
        let mut state = seed;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut add = |kind: &str, i: usize, bytes: &[u8]| {
            let path = dir.join(format!("{fixture}-{kind}-{i:03}.pdf"));
            std::fs::write(&path, bytes).unwrap();
            files.push((path, original.clone()));
        };
        for i in 0..truncations {
            let cut = good.len() * i / truncations + next(97);
            add("truncated", i, &good[..cut.min(good.len() - 1)]);
        }
        for i in 0..flips {
            let mut bytes = good.clone();
            for _ in 0..1 + i % 4 {
                let at = next(bytes.len());
                bytes[at] ^= 1 << next(8);
            }
            add("flipped", i, &bytes);
        }
    }
    files
}

/// The text lines extracted from a PDF, without their numbers.
fn extracted_text(path: &Path) -> Vec<String> {
    let doc = source::read(path, &ReadOptions::default()).unwrap();
    doc.lines.iter().map(|l| l.text.to_string()).collect()
}

#[test]
fn every_damaged_pdf_ends_in_an_exact_import_or_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let (mut imported, mut refused) = (0usize, 0usize);
    let mut undamaged: HashMap<PathBuf, Vec<String>> = HashMap::new();
    // Exit 1 (findings) is not an answer here: damage must be caught as
    // damage (exit 2), or the import must be exact.
    for (path, original) in damaged_corpus(dir.path()) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let started = Instant::now();
        let output = common::tariffs(repo.path())
            .args(["import", "--dry-run", "--timeout", "20"])
            .arg(&path)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(45), "{name}: hung");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            !stderr.contains("panicked") && !stdout.contains("panicked"),
            "{name}: {stderr}"
        );
        match output.status.code() {
            Some(0) => {
                // Harmless damage (in a part no text depends on): the text
                // read is exactly the undamaged file's, so is every record.
                let expected = undamaged
                    .entry(original.clone())
                    .or_insert_with(|| extracted_text(&original));
                assert!(
                    extracted_text(&path) == *expected,
                    "{name}: imported, but its text differs from the undamaged file's"
                );
                imported += 1;
            }
            Some(2) => {
                assert!(
                    stderr.contains(&name),
                    "{name}: the message names the file: {stderr}"
                );
                refused += 1;
            }
            other => panic!("{name}: exit {other:?}\n{stdout}\n{stderr}"),
        }
    }
    assert!(
        refused >= 300,
        "most damage is refused: {imported} imported, {refused} refused"
    );
    eprintln!("damaged corpus: {imported} imported exactly, {refused} refused");
    assert!(common::files_in(repo.path()).is_empty());
}

/// Damage that `lopdf` and `pdf-extract` pass over in silence, each of which
/// once gave a "successful" import with a page of rows missing (or wrong
/// text). Each edit keeps the file's length, so the cross-reference table
/// still points at the right places.
#[test]
fn damage_the_pdf_library_would_pass_over_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf")).unwrap();
    let edit = |from: &[u8], to: &[u8]| {
        let at = good.windows(from.len()).position(|w| w == from).unwrap();
        assert_eq!(good.windows(from.len()).filter(|w| *w == from).count(), 1);
        [&good[..at], to, &good[at + from.len()..]].concat()
    };
    // One bit flipped inside the first embedded font program.
    let mut font_program = good.clone();
    let font = good.windows(9).position(|w| w == b"29 0 obj\n").unwrap();
    let data = font
        + good[font..]
            .windows(7)
            .position(|w| w == b"stream\n")
            .unwrap()
        + 7;
    font_program[data + 300] ^= 0x10;
    // Uncompressed content with a stray delimiter halfway down page 1.
    let table = std::fs::read_to_string(common::seed_table()).unwrap();
    let mut garbled_content = table_pdf(&table, Order::Normal, 2.0);
    let text_shows: Vec<usize> = garbled_content
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"Td\n(")
        .map(|(at, _)| at + 3)
        .collect();
    garbled_content[text_shows[20]] = b')';
    for (name, bytes, message) in [
        (
            "page-object.pdf",
            edit(b"22 0 obj\n<</Type", b"22 0 obj\n\x1c</Type"),
            "object 22 0 of the page tree cannot be read",
        ),
        (
            "page-count.pdf",
            edit(b"/Count 9", b"/Count 8"),
            "the page tree declares 8 page(s) but holds 9",
        ),
        (
            "missing-content.pdf",
            edit(b"/Contents 26 0 R", b"/Contents 26 4 R"),
            "page 9: content stream 26 4 cannot be read",
        ),
        (
            "stream-keyword.pdf",
            edit(
                b"24 0 R/Filter/FlateDecode>>\nstream",
                b"24 0 R/Filter/FlateDecode>>\nsvream",
            ),
            "page 8: content stream 23 0 cannot be read",
        ),
        (
            "filter-name.pdf",
            edit(b"24 0 R/Filter", b"24 0 R/Bilter"),
            "stream 23 0: it holds compressed data but declares no /Filter",
        ),
        (
            "filter-unknown.pdf",
            edit(b"24 0 R/Filter/FlateDecode", b"24 0 R/Filter/FlateDecodf"),
            "stream 23 0: unknown filter /FlateDecodf",
        ),
        (
            "content-garbage.pdf",
            garbled_content,
            "page 1: its content does not parse to its end (invalid content stream)",
        ),
        (
            "font-program.pdf",
            font_program,
            "stream 29 0: Flate data is damaged",
        ),
        (
            "widths.pdf",
            edit(b"/LastChar 54", b"/LastC\xe8ar 54"),
            "page 1: font /F1 (BAAAAA+NimbusSansBold) has a damaged or incomplete widths table",
        ),
    ] {
        let message = format!("the PDF is damaged or truncated: {message}");
        assert_refused(dir.path(), name, bytes, &message);
    }
}

/// Writes `bytes` as `name` and checks that importing it exits 2 with a
/// message that names the file and says `message`.
fn assert_refused(dir: &Path, name: &str, bytes: Vec<u8>, message: &str) {
    std::fs::write(dir.join(name), bytes).unwrap();
    common::tariffs(dir)
        .args(["import", "--dry-run", name])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!("{name}: ")))
        .stderr(predicates::str::contains(message));
}

#[test]
fn each_kind_of_unreadable_pdf_has_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    let scan = common::pdf::build(2, &[]);
    let not_pdf = b"Tarifs ; Kinesitherapeutes ; 01-01-2024\n".to_vec();
    let good = std::fs::read(common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf")).unwrap();
    // An encryption dictionary whose keys match no password, not even the empty one.
    let key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let encrypt = format!("trailer\n<</Size 48/Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /O <{key}> /U <{key}> /P -4 >>/Root 46 0 R");
    let encrypted = String::from_utf8_lossy(&good)
        .contains("trailer\n<</Size 48/Root 46 0 R")
        .then(|| {
            let at = good.windows(7).rposition(|w| w == b"trailer").unwrap();
            let end = at + "trailer\n<</Size 48/Root 46 0 R".len();
            [&good[..at], encrypt.as_bytes(), &good[end..]].concat()
        })
        .expect("the fixture's trailer");
    let no_rows = common::pdf::build(
        1,
        &[common::pdf::Placed {
            page: 0,
            x: 30.0,
            y: 500.0,
            size: 10.0,
            text: "Tarifs ; Kinésithérapeutes ; 01-01-2024".into(),
        }],
    );
    for (name, bytes, message) in [
        (
            "scan.pdf",
            scan,
            "no text layer (a scan?): OCR is not supported",
        ),
        ("notes.pdf", not_pdf, "not a PDF"),
        (
            "truncated.pdf",
            good[..good.len() / 3].to_vec(),
            "damaged or truncated",
        ),
        ("empty.pdf", Vec::new(), "not a PDF"),
        ("no-rows.pdf", no_rows, "no rows"),
        ("encrypted.pdf", encrypted, "encrypted with a password"),
    ] {
        assert_refused(dir.path(), name, bytes, message);
    }
}

#[test]
fn extraction_past_its_time_limit_is_stopped() {
    let path = common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf");
    common::tariffs(&common::root())
        .args(["import", "--dry-run", "--timeout", "0"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "tarifs-kine-2024-01-01.fr.writer.pdf: extracting text took longer than 0 s",
        ));
}

#[test]
fn extract_prints_numbered_lines_with_page_markers() {
    let path = common::fixture("pdf/tarifs-kine-2024-01-01.fr.writer.pdf");
    let output = common::tariffs(&common::root())
        .arg("extract")
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("── page 2 ──"));
    let t = table(&path);
    let row = t.rows.iter().find(|r| r.code() == "560011").unwrap();
    assert!(
        text.contains(&format!(
            "{:>3} | M = 1,066667 560011 - = M 24 25,60 23,10 19,35",
            row.source_line
        )),
        "{text}"
    );
    // The same lines for tools, with the row's page.
    let (code, json) = common::json_of(
        common::tariffs(&common::root())
            .args(["extract", "--format", "json"])
            .arg(&path),
    );
    assert_eq!(code, Some(0));
    let lines = json["lines"].as_array().unwrap();
    assert_eq!(
        lines.len(),
        text.lines().filter(|l| l.contains(" | ")).count()
    );
    let line = &lines[row.source_line - 1];
    assert_eq!(line["line"], row.source_line);
    assert_eq!(line["page"], row.source_page.unwrap());
    assert_eq!(
        line["text"],
        "M = 1,066667 560011 - = M 24 25,60 23,10 19,35"
    );
}

/// The vendored `pdf-extract` caches fonts for a whole document, by object
/// id (see `vendor/pdf-extract/VENDORED.md`). Resource names are per page:
/// the same `F1` naming another font on the next page, or an inline font,
/// must still decode with that page's own font.
#[test]
fn each_page_decodes_with_its_own_font_whatever_its_name() {
    use common::pdf::{helvetica, pages_with_fonts, FontUse};
    use inami_tariffs::source::pdf::glyphs::GlyphCollector;
    use inami_tariffs::source::pdf::{extract_unisolated, Extraction};
    // Font 1 draws code 0x41 as "Z" instead of "A"; font 2 draws "Y".
    let fonts = [
        helvetica(&[]),
        helvetica(&[(b'A', "Z")]),
        helvetica(&[(b'A', "Y")]),
    ];
    let bytes = pages_with_fonts(
        &fonts,
        &[
            (FontUse::Indirect(0), "A1"),
            (FontUse::Indirect(1), "A2"),
            (FontUse::Indirect(0), "A3"),
            (FontUse::Inline(1), "A4"),
            (FontUse::Inline(2), "A5"),
            (FontUse::Indirect(2), "A6"),
            (FontUse::Indirect(1), "A7"),
        ],
    );
    let expected = ["A1", "Z2", "A3", "Z4", "Y5", "Y6", "Z7"];
    // All pages through one font cache, in order...
    let doc = pdf_extract::Document::load_mem(&bytes).unwrap();
    let mut collector = GlyphCollector::default();
    pdf_extract::output_doc_pages(&doc, &mut collector, &[1, 2, 3, 4, 5, 6, 7]).unwrap();
    let mut texts = vec![String::new(); 7];
    for glyph in collector.glyphs {
        texts[glyph.page as usize - 1].push_str(&glyph.text);
    }
    assert_eq!(texts, expected);
    // ... and as extraction shares the pages out between threads.
    let Extraction::Pages(pages) = extract_unisolated(&bytes) else {
        panic!("pages")
    };
    let texts: Vec<String> = pages.into_iter().map(|p| p.join(" ")).collect();
    assert_eq!(texts, expected);
}

/// A font that is not one of the standard 14 must come with its widths; some
/// producers omit them (for Arial, say). The vendored `pdf-extract` then
/// measures it as Helvetica, as poppler does, instead of giving every glyph
/// no width (which runs a line's words together).
#[test]
fn a_font_without_widths_is_measured_as_helvetica() {
    use common::pdf::{helvetica, pages_with_fonts, FontUse};
    use inami_tariffs::source::pdf::{extract_unisolated, Extraction};
    let mut arial = helvetica(&[]);
    arial.set("BaseFont", pdf_extract::Object::Name(b"ArialMT".to_vec()));
    let line = "M = 1,066667 560011 - = M 24 25,60 23,10 19,35";
    let bytes = pages_with_fonts(&[arial], &[(FontUse::Indirect(0), line)]);
    let Extraction::Pages(pages) = extract_unisolated(&bytes) else {
        panic!("pages")
    };
    assert_eq!(pages, [[line]]);
}
