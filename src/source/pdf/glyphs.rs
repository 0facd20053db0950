//! Reading order from glyph positions.
//!
//! `pdf-extract` reports every glyph with its transform; its own text output
//! follows the order the file draws in, which real PDFs do not keep (a report
//! engine may draw a whole column, then the next; headers may come last).
//! Here glyphs are collected with their page, position and size, then each
//! page is rebuilt: glyphs are grouped into lines by baseline (within a
//! tolerance relative to the font size), each line is ordered by x, and a
//! space is put wherever the gap between two glyphs is wider than a fraction
//! of the font size. Nothing depends on drawing order.

// Glyph geometry is in PDF points, floats by nature; no amount is computed here.
#![allow(clippy::float_arithmetic)]

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// One glyph, in page coordinates with y growing downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The page (1-based).
    pub page: u32,
    /// Horizontal position of the glyph's origin, in points.
    pub x: f64,
    /// Vertical position of the baseline, in points (from the top).
    pub y: f64,
    /// Where the glyph ends on the x axis.
    pub end_x: f64,
    /// The font size, in points.
    pub font_size: f64,
    /// The text the glyph stands for.
    pub text: String,
}

/// Baselines closer than this many font sizes are one line.
const SAME_LINE: f64 = 0.4;
/// A gap wider than this many font sizes is a space.
const WORD_GAP: f64 = 0.15;

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
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The glyph's origin and its font size, through the text rendering matrix.
        let (x, y) = (trm.m31, self.height - trm.m32);
        let size_x = font_size * (trm.m11 + trm.m21);
        let size_y = font_size * (trm.m12 + trm.m22);
        let size = (size_x * size_y).abs().sqrt();
        if text.trim().is_empty() || !x.is_finite() || !y.is_finite() || !size.is_finite() {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            page: self.page,
            x,
            y,
            end_x: x + width * size,
            font_size: size.max(1.0),
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

/// Rebuilds the lines of one page, top to bottom, from its glyphs.
pub fn page_lines(mut glyphs: Vec<Glyph>) -> Vec<String> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<Glyph>> = Vec::new();
    let mut baseline = f64::NEG_INFINITY;
    for glyph in glyphs {
        let tolerance = glyph.font_size * SAME_LINE;
        match lines.last_mut() {
            Some(line) if (glyph.y - baseline).abs() <= tolerance => line.push(glyph),
            _ => {
                baseline = glyph.y;
                lines.push(vec![glyph]);
            }
        }
    }
    lines.into_iter().map(line_text).collect()
}

fn line_text(mut glyphs: Vec<Glyph>) -> String {
    glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut text = String::new();
    let mut end = f64::NEG_INFINITY;
    for glyph in glyphs {
        if !text.is_empty() && glyph.x - end > glyph.font_size * WORD_GAP {
            text.push(' ');
        }
        text.push_str(&glyph.text);
        end = end.max(glyph.end_x);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x: f64, y: f64, text: &str) -> Glyph {
        Glyph {
            page: 1,
            x,
            y,
            end_x: x + 5.0 * text.chars().count() as f64,
            font_size: 10.0,
            text: text.into(),
        }
    }

    #[test]
    fn order_of_drawing_does_not_matter() {
        let glyphs = vec![
            glyph(0.0, 100.0, "M"),
            glyph(20.0, 100.0, "24"),
            glyph(0.0, 112.0, "next"),
            glyph(5.0, 100.5, "="),
        ];
        let mut reversed = glyphs.clone();
        reversed.reverse();
        assert_eq!(page_lines(glyphs), ["M= 24", "next"]);
        assert_eq!(page_lines(reversed), ["M= 24", "next"]);
    }
}
