//! Builds PDFs for tests with `lopdf` (re-exported by `pdf-extract`): text
//! drawn at chosen positions, in a chosen order, with Helvetica (possibly
//! re-encoded, to tell fonts apart).

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
pub fn win_ansi(text: &str) -> Vec<u8> {
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

/// A standard font dictionary: Helvetica in Windows-1252, with `differences`
/// remapping some codes to other glyph names.
pub fn helvetica(differences: &[(u8, &str)]) -> Dictionary {
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    if differences.is_empty() {
        font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    } else {
        let mut remap = Vec::new();
        for (code, glyph) in differences {
            remap.push(Object::Integer(i64::from(*code)));
            remap.push(Object::Name(glyph.as_bytes().to_vec()));
        }
        let mut encoding = Dictionary::new();
        encoding.set("BaseEncoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        encoding.set("Differences", Object::Array(remap));
        font.set("Encoding", Object::Dictionary(encoding));
    }
    font
}

/// A PDF of `pages` A4 landscape pages with `placed` drawn in the given order.
pub fn build(pages: usize, placed: &[Placed]) -> Vec<u8> {
    let mut pdf = Builder::new();
    let font = Object::Reference(pdf.doc.add_object(helvetica(&[])));
    let resources = Object::Reference(pdf.doc.add_object(font_resources(font)));
    for page in 0..pages {
        let here: Vec<&Placed> = placed.iter().filter(|p| p.page == page).collect();
        pdf.page(&here, resources.clone());
    }
    pdf.finish()
}

/// A PDF of A4 landscape pages, page i drawing `pages[i]` with Helvetica
/// (Windows-1252) as `F1`.
pub fn from_operations(pages: Vec<Vec<Operation>>) -> Vec<u8> {
    let mut pdf = Builder::new();
    let font = Object::Reference(pdf.doc.add_object(helvetica(&[])));
    let resources = Object::Reference(pdf.doc.add_object(font_resources(font)));
    for operations in pages {
        pdf.content_page(operations, resources.clone());
    }
    pdf.finish()
}

/// How a page names its font `F1`.
#[derive(Debug, Clone, Copy)]
pub enum FontUse {
    /// The font dictionary `fonts[i]`, one indirect object shared by the pages that use it.
    Indirect(usize),
    /// A copy of `fonts[i]` written inline in the page's resources.
    Inline(usize),
}

/// A PDF whose page i draws `pages[i].1` with the font `pages[i].0` as `F1`.
pub fn pages_with_fonts(fonts: &[Dictionary], pages: &[(FontUse, &str)]) -> Vec<u8> {
    let mut pdf = Builder::new();
    let ids: Vec<_> = fonts
        .iter()
        .map(|f| pdf.doc.add_object(f.clone()))
        .collect();
    for (font, text) in pages {
        let font = match *font {
            FontUse::Indirect(i) => Object::Reference(ids[i]),
            FontUse::Inline(i) => Object::Dictionary(fonts[i].clone()),
        };
        let placed = Placed {
            page: 0,
            x: 30.0,
            y: 500.0,
            size: 10.0,
            text: (*text).into(),
        };
        pdf.page(&[&placed], Object::Dictionary(font_resources(font)));
    }
    pdf.finish()
}

fn font_resources(font: Object) -> Dictionary {
    let mut fonts = Dictionary::new();
    fonts.set("F1", font);
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    resources
}

/// A document being built: pages are added in order, then the catalog.
struct Builder {
    doc: Document,
    pages_id: pdf_extract::ObjectId,
    kids: Vec<Object>,
}

impl Builder {
    fn new() -> Self {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
        }
    }

    /// Adds a page drawing `placed` (in that order) with font `F1` of `resources`.
    fn page(&mut self, placed: &[&Placed], resources: Object) {
        let mut operations = Vec::new();
        for p in placed {
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
        self.content_page(operations, resources);
    }

    /// Adds a page drawing `operations` with the fonts of `resources`.
    fn content_page(&mut self, operations: Vec<Operation>, resources: Object) {
        let content = Content { operations };
        let stream = Stream::new(Dictionary::new(), content.encode().unwrap());
        let content_id = self.doc.add_object(stream);
        let mut page_dict = Dictionary::new();
        page_dict.set("Type", Object::Name(b"Page".to_vec()));
        page_dict.set("Parent", Object::Reference(self.pages_id));
        page_dict.set("Contents", Object::Reference(content_id));
        page_dict.set("Resources", resources);
        page_dict.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 842.into(), 595.into()]),
        );
        self.kids
            .push(Object::Reference(self.doc.add_object(page_dict)));
    }

    fn finish(mut self) -> Vec<u8> {
        let mut pages_dict = Dictionary::new();
        pages_dict.set("Type", Object::Name(b"Pages".to_vec()));
        pages_dict.set("Count", Object::Integer(self.kids.len() as i64));
        pages_dict.set("Kids", Object::Array(self.kids));
        self.doc
            .objects
            .insert(self.pages_id, Object::Dictionary(pages_dict));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        let catalog_id = self.doc.add_object(catalog);
        self.doc.trailer.set("Root", Object::Reference(catalog_id));
        let mut bytes = Vec::new();
        self.doc.save_to(&mut bytes).unwrap();
        bytes
    }
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
