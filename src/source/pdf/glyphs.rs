//! Glyphs with their place, in the reading frame of their text.
//!
//! `pdf-extract` reports every glyph with its transform; its own text output
//! follows the order the file draws in, which real PDFs do not keep (a report
//! engine may draw a whole column, then the next; headers may come last).
//! Here glyphs are collected with their page, position and size, and
//! [`super::lines`] rebuilds each page from them: nothing depends on drawing
//! order.
//!
//! A glyph's position is given in the frame its text reads in: the text
//! rendering matrix says which way the baseline runs (a landscape table
//! drawn with `0 1 -1 0 x y Tm`, or under a rotating `cm`, runs up the
//! page), and the page is turned so that this way is left to right. Glyphs
//! of one direction then form lines as upright text does.

// Glyph geometry is in PDF points, floats by nature; no amount is computed here.
#![allow(clippy::float_arithmetic)]

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// The smallest font size a glyph is given, in points.
const MIN_SIZE: f64 = 0.01;

/// One glyph, in the reading frame of its text, with y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The page (1-based).
    pub page: u32,
    /// The direction its baseline runs in, in whole degrees counterclockwise
    /// from left to right (0 for upright text, 90 for text running up the page).
    pub angle: i32,
    /// Position of the glyph's origin along the baseline, in points.
    pub x: f64,
    /// Position of the baseline across it, in points, growing downwards (for
    /// upright text, from the top of the page).
    pub y: f64,
    /// Where the glyph ends on the x axis.
    pub end_x: f64,
    /// Where the pen stands after it: its end moved by the character
    /// spacing (`Tc`) it was drawn with, which moves every glyph of a text
    /// alike (−0.6 pt: each glyph 0.6 pt closer to the last). A gap between
    /// glyphs is measured from here, so that tighter or looser lettering is
    /// not taken for words run together or spaced apart.
    pub pen_x: f64,
    /// The font size, in points.
    pub font_size: f64,
    /// When it was drawn: a glyph drawn later on its page has a greater order.
    pub order: usize,
    /// The text the glyph stands for.
    pub text: String,
}

/// Collects glyphs from `pdf-extract`.
#[derive(Debug, Default)]
pub struct GlyphCollector {
    /// Every glyph drawn, in drawing order.
    pub glyphs: Vec<Glyph>,
    page: u32,
    /// Page height: y is flipped to grow downwards, as in `pdf-extract`'s text output.
    height: f64,
}

impl GlyphCollector {
    /// The page being collected (the last one begun).
    pub fn page(&self) -> u32 {
        self.page
    }
}

impl OutputDev for GlyphCollector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page_num;
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The baseline's direction and the glyph's size, through the text
        // rendering matrix: (m11, m12) is the unit of text space along the
        // baseline, its determinant the area a unit square becomes.
        let along = trm.m11.hypot(trm.m12);
        let size = font_size * (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let (cos, sin) = (trm.m11 / along, trm.m12 / along);
        // The origin, in the page turned so that the baseline runs left to
        // right (for upright text, cos = 1 and sin = 0: the page itself).
        let x = trm.m31 * cos + trm.m32 * sin;
        let y = self.height - (trm.m32 * cos - trm.m31 * sin);
        let advance = width * font_size * along;
        // `spacing` is `Tc` (with `Tw` on a space, which is not kept), in
        // unscaled text space: through the matrix like the advance.
        let spacing = spacing * along;
        if text.trim().is_empty() || ![x, y, size, advance, spacing].iter().all(|v| v.is_finite()) {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            page: self.page,
            angle: (sin.atan2(cos).to_degrees().round() as i32).rem_euclid(360),
            x,
            y,
            end_x: x + advance,
            pen_x: x + advance + spacing,
            // Gaps are measured in font sizes, however small the font: a
            // table set in 0.1 pt has spaces of 0.03 pt. The floor only
            // keeps a flattened matrix (no height) from a size of zero.
            font_size: size.max(MIN_SIZE),
            order: self.glyphs.len(),
            text: text.to_string(),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
