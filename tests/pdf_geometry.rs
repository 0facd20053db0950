//! PDF geometry: the seed table drawn turned on a landscape page, with cells
//! off their row's baseline, inside printed annotations, and glyph by glyph
//! in columns. Each must be read whole (197 rows, the seed's data) or
//! refused with the page named, never imported short.

// Page geometry: points are floats; no amount is computed here.
#![allow(clippy::float_arithmetic)]

mod common;

use common::{data, table as parsed};

use std::path::Path;

use common::pdf::helvetica;
use inami_tariffs::parse;
use inami_tariffs::source::{self, ReadOptions};
use pdf_extract::content::{Content, Operation};
use pdf_extract::{Dictionary, Document, Object, Stream, StringFormat};

const SIZE: f64 = 8.0;
const LEADING: f64 = 1.6;
const PER_PAGE: usize = 40;

/// A piece of the seed table, upright, in points from the bottom left.
#[derive(Debug, Clone)]
struct Piece {
    page: usize,
    x: f64,
    y: f64,
    text: String,
    /// The row it belongs to (0-based, rows only) and its column.
    cell: Option<(usize, usize)>,
}

/// The seed table laid out as `common::pdf::table_pdf` does: rows cut into
/// cells at fixed columns, other lines whole.
fn seed_layout() -> (Vec<Piece>, usize) {
    let text = std::fs::read_to_string(common::seed_table()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut pieces = Vec::new();
    let mut rows = 0;
    for (i, line) in lines.iter().enumerate() {
        let page = i / PER_PAGE;
        let y = 560.0 - (i % PER_PAGE) as f64 * SIZE * LEADING;
        if parse::row::parse_row(line).is_ok() {
            for (column, cell) in line.split_whitespace().enumerate() {
                pieces.push(Piece {
                    page,
                    x: 30.0 + column as f64 * 45.0,
                    y,
                    text: cell.into(),
                    cell: Some((rows, column)),
                });
            }
            rows += 1;
        } else {
            pieces.push(Piece {
                page,
                x: 30.0,
                y,
                text: (*line).into(),
                cell: None,
            });
        }
    }
    (pieces, lines.len().div_ceil(PER_PAGE))
}

/// How text is placed on the page.
#[derive(Debug, Clone, Copy)]
enum Draw {
    /// `Td` from the origin, upright.
    Upright,
    /// A text matrix turned by this many degrees (`cos sin -sin cos x y Tm`).
    TextMatrix(i32),
    /// The whole page turned by a `cm` of this many degrees (reportlab's `rotate`).
    PageMatrix(i32),
}

/// The rotation by `degrees` (a multiple of 90) that takes the layout's
/// centre to the landscape page's centre, as `[a b c d e f]`.
fn turn(degrees: i32) -> [f64; 6] {
    let (cos, sin) = match degrees.rem_euclid(360) {
        0 => (1.0, 0.0),
        90 => (0.0, 1.0),
        180 => (-1.0, 0.0),
        270 => (0.0, -1.0),
        other => panic!("{other}"),
    };
    let (lx, ly, px, py) = (260.0, 300.0, 421.0, 297.5);
    [
        cos,
        sin,
        -sin,
        cos,
        px - (cos * lx - sin * ly),
        py - (sin * lx + cos * ly),
    ]
}

fn reals(values: &[f64]) -> Vec<Object> {
    values.iter().map(|v| Object::Real(*v as f32)).collect()
}

/// Windows-1252, the encoding `common::pdf::helvetica` declares.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '’' => 0x92,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Content operations drawing `pieces` with the font `F1`.
fn text_ops(pieces: &[&Piece], draw: Draw) -> Vec<Operation> {
    let mut ops = Vec::new();
    if let Draw::PageMatrix(degrees) = draw {
        ops.push(Operation::new("q", vec![]));
        ops.push(Operation::new("cm", reals(&turn(degrees))));
    }
    for p in pieces {
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new(
            "Tf",
            vec![Object::Name(b"F1".to_vec()), Object::Real(SIZE as f32)],
        ));
        match draw {
            Draw::Upright | Draw::PageMatrix(_) => {
                ops.push(Operation::new("Td", reals(&[p.x, p.y])));
            }
            Draw::TextMatrix(degrees) => {
                let [a, b, c, d, e, f] = turn(degrees);
                let (x, y) = (a * p.x + c * p.y + e, b * p.x + d * p.y + f);
                ops.push(Operation::new("Tm", reals(&[a, b, c, d, x, y])));
            }
        }
        ops.push(Operation::new(
            "Tj",
            vec![Object::String(win_ansi(&p.text), StringFormat::Literal)],
        ));
        ops.push(Operation::new("ET", vec![]));
    }
    if let Draw::PageMatrix(_) = draw {
        ops.push(Operation::new("Q", vec![]));
    }
    ops
}

/// An annotation whose normal appearance draws `pieces` (upright, page
/// coordinates), with annotation flags `flags`. The form's /BBox and
/// /Matrix are shifted by (-10, -20) against each other, so that reading it
/// in the right place needs both and the /Rect.
struct Annotation<'a> {
    pieces: Vec<&'a Piece>,
    flags: i64,
}

/// What a page draws: its content, its annotations, and a form XObject
/// `/Fm` its content may draw (with `/Matrix [1 0 0 1 10 20]`).
type PageSpec<'a> = (Vec<Operation>, Vec<Annotation<'a>>, Option<Vec<Operation>>);

/// A PDF of landscape pages, as `pages` says.
fn pdf(pages: &[PageSpec<'_>]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(helvetica(&[]));
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let shared = resources.clone();
    let resources = doc.add_object(resources);
    let mut kids = Vec::new();
    for (ops, annotations, form) in pages {
        let content = Content {
            operations: ops.clone(),
        };
        let content = doc.add_object(Stream::new(Dictionary::new(), content.encode().unwrap()));
        let mut annots = Vec::new();
        for annotation in annotations {
            // The pieces' box on the page, with a margin.
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for p in &annotation.pieces {
                x0 = x0.min(p.x - 2.0);
                y0 = y0.min(p.y - 4.0);
                x1 = x1.max(p.x + 50.0);
                y1 = y1.max(p.y + 10.0);
            }
            // Form space: page space moved by (-x0 - 10, -y0 - 20), which
            // the /Matrix takes back by (10, 20); the /Rect adds (x0, y0).
            let moved: Vec<Piece> = annotation
                .pieces
                .iter()
                .map(|p| Piece {
                    x: p.x - x0 - 10.0,
                    y: p.y - y0 - 20.0,
                    ..(*p).clone()
                })
                .collect();
            let moved: Vec<&Piece> = moved.iter().collect();
            let mut form = Dictionary::new();
            form.set("Type", Object::Name(b"XObject".to_vec()));
            form.set("Subtype", Object::Name(b"Form".to_vec()));
            form.set(
                "BBox",
                Object::Array(reals(&[-10.0, -20.0, x1 - x0 - 10.0, y1 - y0 - 20.0])),
            );
            form.set(
                "Matrix",
                Object::Array(reals(&[1.0, 0.0, 0.0, 1.0, 10.0, 20.0])),
            );
            form.set("Resources", Object::Reference(resources));
            let ops = Content {
                operations: text_ops(&moved, Draw::Upright),
            };
            let form = doc.add_object(Stream::new(form, ops.encode().unwrap()));
            let mut appearance = Dictionary::new();
            appearance.set("N", Object::Reference(form));
            let mut annot = Dictionary::new();
            annot.set("Type", Object::Name(b"Annot".to_vec()));
            annot.set("Subtype", Object::Name(b"FreeText".to_vec()));
            annot.set("Rect", Object::Array(reals(&[x0, y0, x1, y1])));
            annot.set("F", Object::Integer(annotation.flags));
            annot.set("AP", Object::Dictionary(appearance));
            annot.set("DA", Object::string_literal("/F1 8 Tf 0 g"));
            annots.push(Object::Reference(doc.add_object(annot)));
        }
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content));
        match form {
            None => page.set("Resources", Object::Reference(resources)),
            Some(ops) => {
                let mut dict = Dictionary::new();
                dict.set("Type", Object::Name(b"XObject".to_vec()));
                dict.set("Subtype", Object::Name(b"Form".to_vec()));
                dict.set(
                    "BBox",
                    Object::Array(reals(&[-1000.0, -1000.0, 1000.0, 1000.0])),
                );
                dict.set(
                    "Matrix",
                    Object::Array(reals(&[1.0, 0.0, 0.0, 1.0, 10.0, 20.0])),
                );
                dict.set("Resources", Object::Reference(resources));
                let content = Content {
                    operations: ops.clone(),
                };
                let form = doc.add_object(Stream::new(dict, content.encode().unwrap()));
                let mut xobjects = Dictionary::new();
                xobjects.set("Fm", Object::Reference(form));
                let mut own = shared.clone();
                own.set("XObject", Object::Dictionary(xobjects));
                page.set("Resources", Object::Dictionary(own));
            }
        }
        page.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 842.into(), 595.into()]),
        );
        if !annots.is_empty() {
            page.set("Annots", Object::Array(annots));
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let mut tree = Dictionary::new();
    tree.set("Type", Object::Name(b"Pages".to_vec()));
    tree.set("Count", Object::Integer(kids.len() as i64));
    tree.set("Kids", Object::Array(kids));
    doc.objects.insert(pages_id, Object::Dictionary(tree));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", Object::Reference(pages_id));
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// The seed table with each page's pieces drawn as `draw` says.
fn table(pieces: &[Piece], pages: usize, draw: Draw) -> Vec<u8> {
    let pages: Vec<_> = (0..pages)
        .map(|page| {
            let here: Vec<&Piece> = pieces.iter().filter(|p| p.page == page).collect();
            (text_ops(&here, draw), Vec::new(), None)
        })
        .collect();
    pdf(&pages)
}

/// Where the test PDFs are written: a folder that outlives the test (so a
/// failing case can be run by hand: `tariffs import --dry-run FILE`).
fn out(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("inami-tariffs-pdf-geometry");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The PDF at `path` gives the seed's 197 rows, and `import --dry-run` exits 0.
fn reads_whole(path: &Path) {
    let seed = parsed(&common::seed_table());
    let table = parsed(path);
    assert_eq!(table.rows.len(), 197, "{}", path.display());
    for (p, s) in table.rows.iter().zip(&seed.rows) {
        assert_eq!(data(p), data(s), "{}", path.display());
    }
    let repo = tempfile::tempdir().unwrap();
    common::tariffs(repo.path())
        .args(["import", "--dry-run"])
        .arg(path)
        .assert()
        .code(0);
}

/// reportlab's `rotate(90)` on a landscape page, and the same by text
/// matrices, at every quarter turn: the rows are read in the text's frame
/// (before, 157 of 197 rows came out of a page turned by 90°).
#[test]
fn a_table_drawn_turned_is_read_in_its_own_frame() {
    let (pieces, pages) = seed_layout();
    for degrees in [0, 90, 180, 270] {
        for (name, draw) in [
            ("tm", Draw::TextMatrix(degrees)),
            ("cm", Draw::PageMatrix(degrees)),
        ] {
            let path = out(
                &format!("turned-{name}-{degrees}.pdf"),
                &table(&pieces, pages, draw),
            );
            reads_whole(&path);
        }
    }
}

/// The code cell of one row in three drawn 4 points (half the font size)
/// below the rest of its row, and of another in three 4 points above: it
/// joins its row (before, 157 of 197 rows, the codes on lines of their own).
#[test]
fn a_code_cell_off_its_rows_baseline_joins_its_row() {
    let (mut pieces, pages) = seed_layout();
    for p in &mut pieces {
        match p.cell {
            Some((row, 3)) if row % 3 == 0 => p.y -= 4.0,
            Some((row, 3)) if row % 3 == 1 => p.y += 4.0,
            _ => {}
        }
    }
    let path = out(
        "code-off-baseline.pdf",
        &table(&pieces, pages, Draw::Upright),
    );
    reads_whole(&path);
    // Turned, the same.
    let path = out(
        "code-off-baseline-turned.pdf",
        &table(&pieces, pages, Draw::TextMatrix(90)),
    );
    reads_whole(&path);
}

/// The code cells of the first page drawn by a form XObject, the page
/// turned by a `cm`: the form draws through its `/Matrix` and the page's
/// CTM at the `Do` (the vendored pdf-extract drew it at the origin, away
/// from the rows).
#[test]
fn a_form_xobject_draws_where_the_page_places_it() {
    let (pieces, pages) = seed_layout();
    let in_form = |p: &Piece| p.page == 0 && p.cell.is_some_and(|(_, column)| column == 3);
    let pages: Vec<PageSpec<'_>> = (0..pages)
        .map(|page| {
            let here: Vec<&Piece> = pieces
                .iter()
                .filter(|p| p.page == page && !in_form(p))
                .collect();
            let mut ops = text_ops(&here, Draw::PageMatrix(90));
            if page > 0 {
                return (ops, Vec::new(), None);
            }
            // In the form, everything is 10 and 20 points lower and left:
            // its /Matrix moves it back.
            let moved: Vec<Piece> = pieces
                .iter()
                .filter(|p| in_form(p))
                .map(|p| Piece {
                    x: p.x - 10.0,
                    y: p.y - 20.0,
                    ..p.clone()
                })
                .collect();
            let moved: Vec<&Piece> = moved.iter().collect();
            ops.extend([
                Operation::new("q", vec![]),
                Operation::new("cm", reals(&turn(90))),
                Operation::new("Do", vec![Object::Name(b"Fm".to_vec())]),
                Operation::new("Q", vec![]),
            ]);
            (ops, Vec::new(), Some(text_ops(&moved, Draw::Upright)))
        })
        .collect();
    reads_whole(&out("form-xobject.pdf", &pdf(&pages)));
}

/// Rows drawn only in the appearance of an annotation that prints are part
/// of the page (before, 194 of 197 rows). An annotation that does not print
/// (no Print flag, or Hidden) is not part of the document as printed: its
/// text is not read.
#[test]
fn rows_in_a_printed_annotation_are_read_and_others_are_not() {
    let (pieces, pages) = seed_layout();
    // Rows 10 to 12 (page 1) only in a printed annotation.
    let in_annotation = |p: &Piece| p.cell.is_some_and(|(row, _)| (10..13).contains(&row));
    let decoy = |y: f64| Piece {
        page: 0,
        x: 600.0,
        y,
        text: "M = 9,999999 599999 - = M 24 99,99 99,99 99,99".into(),
        cell: None,
    };
    let (hidden, unprinted) = (decoy(100.0), decoy(60.0));
    let pages: Vec<_> = (0..pages)
        .map(|page| {
            let here: Vec<&Piece> = pieces
                .iter()
                .filter(|p| p.page == page && !in_annotation(p))
                .collect();
            let annotations = if page == 0 {
                vec![
                    Annotation {
                        pieces: pieces.iter().filter(|p| in_annotation(p)).collect(),
                        flags: 4,
                    },
                    Annotation {
                        pieces: vec![&hidden],
                        flags: 4 | 2,
                    },
                    Annotation {
                        pieces: vec![&unprinted],
                        flags: 0,
                    },
                ]
            } else {
                Vec::new()
            };
            (text_ops(&here, Draw::Upright), annotations, None)
        })
        .collect();
    let path = out("rows-in-annotation.pdf", &pdf(&pages));
    reads_whole(&path);
    let doc = source::read(&path, &ReadOptions::default()).unwrap();
    assert!(doc.lines.iter().all(|l| !l.text.contains("599999")));
}

/// The rows of the last page drawn as vertical text glyph by glyph, one
/// column per row (no rotated matrix): the page is refused, naming it.
#[test]
fn a_page_of_glyphs_in_columns_is_refused_naming_it() {
    let (pieces, pages) = seed_layout();
    let last = pages - 1;
    let mut drawn: Vec<Piece> = pieces.iter().filter(|p| p.page != last).cloned().collect();
    let rows: Vec<String> = {
        let mut rows: Vec<(usize, String)> = Vec::new();
        for p in pieces.iter().filter(|p| p.page == last) {
            let Some((row, _)) = p.cell else { continue };
            match rows.last_mut() {
                Some((r, text)) if *r == row => {
                    text.push(' ');
                    text.push_str(&p.text);
                }
                _ => rows.push((row, p.text.clone())),
            }
        }
        rows.into_iter().map(|(_, text)| text).collect()
    };
    assert!(rows.len() > 10, "{}", rows.len());
    for (column, row) in rows.iter().enumerate() {
        drawn.extend(stacked(last, 30.0 + 14.0 * column as f64, row));
    }
    refused(
        &out(
            "glyphs-in-columns.pdf",
            &table(&drawn, pages, Draw::Upright),
        ),
        last + 1,
    );
}

/// One row moved off its page and drawn glyph by glyph down a page of its
/// own: the page is refused, naming it.
#[test]
fn a_row_stacked_glyph_by_glyph_is_refused_naming_its_page() {
    let (pieces, pages) = seed_layout();
    let mut drawn: Vec<Piece> = pieces
        .iter()
        .filter(|p| p.cell.is_none_or(|(row, _)| row != 20))
        .cloned()
        .collect();
    drawn.extend(stacked(
        pages,
        400.0,
        "M = 1,066667 560011 - = M 24 25,60 23,10 19,35",
    ));
    refused(
        &out("row-stacked.pdf", &table(&drawn, pages + 1, Draw::Upright)),
        pages + 1,
    );
}

/// `text` drawn glyph by glyph from the top of `page` down, at `x`.
fn stacked(page: usize, x: f64, text: &str) -> Vec<Piece> {
    text.chars()
        .enumerate()
        .filter(|(_, c)| *c != ' ')
        .map(|(i, c)| Piece {
            page,
            x,
            y: 570.0 - i as f64 * SIZE * 1.2,
            text: c.to_string(),
            cell: None,
        })
        .collect()
}

/// `import --dry-run` of `path` exits 2 with a message naming `page`.
fn refused(path: &Path, page: usize) {
    let repo = tempfile::tempdir().unwrap();
    let output = common::tariffs(repo.path())
        .args(["import", "--dry-run"])
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: {stderr}",
        path.display()
    );
    assert!(
        stderr.contains(&format!(
            "page {page}: glyphs that cannot be put into lines"
        )),
        "{stderr}"
    );
}
