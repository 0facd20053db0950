//! Builds PDFs for tests with `lopdf` (re-exported by `pdf-extract`): text
//! drawn at chosen positions, in a chosen order, with Helvetica.

// Page geometry: points are floats; no amount is computed here.
#![allow(clippy::float_arithmetic)]

use pdf_extract::content::{Content, Operation};
use pdf_extract::{Dictionary, Document, Object, Stream, StringFormat};

/// One piece of text at a position (points, from the bottom-left corner).
#[derive(Debug, Clone)]
pub struct Placed {
    pub page: usize,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub text: String,
}

/// Windows-1252, the encoding declared for the font.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '’' => 0x92,
            '‘' => 0x91,
            '–' => 0x96,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// A PDF of `pages` A4 landscape pages with `placed` drawn in the given order.
pub fn build(pages: usize, placed: &[Placed]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    let font_id = doc.add_object(font);
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let resources_id = doc.add_object(resources);
    let mut kids = Vec::new();
    for page in 0..pages {
        let mut operations = Vec::new();
        for p in placed.iter().filter(|p| p.page == page) {
            operations.extend([
                Operation::new("BT", vec![]),
                Operation::new(
                    "Tf",
                    vec![Object::Name(b"F1".to_vec()), Object::Real(p.size as f32)],
                ),
                Operation::new(
                    "Td",
                    vec![Object::Real(p.x as f32), Object::Real(p.y as f32)],
                ),
                Operation::new(
                    "Tj",
                    vec![Object::String(win_ansi(&p.text), StringFormat::Literal)],
                ),
                Operation::new("ET", vec![]),
            ]);
        }
        let content = Content { operations };
        let stream = Stream::new(Dictionary::new(), content.encode().unwrap());
        let content_id = doc.add_object(stream);
        let mut page_dict = Dictionary::new();
        page_dict.set("Type", Object::Name(b"Page".to_vec()));
        page_dict.set("Parent", Object::Reference(pages_id));
        page_dict.set("Contents", Object::Reference(content_id));
        page_dict.set("Resources", Object::Reference(resources_id));
        page_dict.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 842.into(), 595.into()]),
        );
        kids.push(Object::Reference(doc.add_object(page_dict)));
    }
    let mut pages_dict = Dictionary::new();
    pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
    pages_dict.set("Count", Object::Integer(kids.len() as i64));
    pages_dict.set("Kids", Object::Array(kids));
    doc.objects.insert(pages_id, Object::Dictionary(pages_dict));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// How a table's text is drawn into the content stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Line by line, cell by cell: what most producers do.
    Normal,
    /// Everything in reverse.
    Reversed,
    /// All first cells of every row, then all second cells, and so on.
    ColumnByColumn,
    /// Rows first; titles, headings and furniture after them.
    HeadersLast,
}

/// Lays out the non-blank lines of a text table: rows split into cells at
/// fixed columns, other lines drawn whole. `leading` is the distance between
/// baselines in font sizes (below 1.5 there is no blank line between rows).
pub fn table_pdf(text: &str, order: Order, leading: f64) -> Vec<u8> {
    const SIZE: f64 = 8.0;
    const PER_PAGE: usize = 45;
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut placed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let page = i / PER_PAGE;
        let y = 560.0 - (i % PER_PAGE) as f64 * SIZE * leading;
        let is_row = inami_tariffs::parse::row::parse_row(line).is_ok();
        if is_row {
            for (column, cell) in line.split_whitespace().enumerate() {
                placed.push((
                    true,
                    column,
                    Placed {
                        page,
                        x: 30.0 + column as f64 * 45.0,
                        y,
                        size: SIZE,
                        text: cell.into(),
                    },
                ));
            }
        } else {
            placed.push((
                false,
                0,
                Placed {
                    page,
                    x: 30.0,
                    y,
                    size: SIZE,
                    text: (*line).into(),
                },
            ));
        }
    }
    match order {
        Order::Normal => {}
        Order::Reversed => placed.reverse(),
        Order::ColumnByColumn => placed.sort_by_key(|(row, column, p)| (p.page, !*row, *column)),
        Order::HeadersLast => placed.sort_by_key(|(row, _, p)| (p.page, !*row)),
    }
    let pages = lines.len().div_ceil(PER_PAGE);
    let placed: Vec<Placed> = placed.into_iter().map(|(_, _, p)| p).collect();
    build(pages, &placed)
}
