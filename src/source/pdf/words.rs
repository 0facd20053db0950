//! The text of one line: its glyphs left to right, with a space wherever
//! two of them stand apart.
//!
//! Spaces come from geometry, never from the space glyphs a producer drew
//! (those are not kept): the gap between two glyphs runs from where the
//! pen stood after the first (its advance, and the character spacing `Tc`
//! it was drawn with) to the origin of the next, whatever put it there (a
//! space glyph, word spacing `Tw`, a `TJ` adjustment, a string placed on
//! its own). A gap wider than [`WORD_GAP`] font sizes, beyond the line's
//! own letter spacing (the median gap, when glyphs are set closer than
//! their advances), is a space. So cells that touch read as one word (and
//! a row whose cells run together is reported by the row grammar, never
//! read), and cells a tenth of an em apart read as two, however tight the
//! producer set the text: `-0.6 Tc`, `TJ` kerning, a 0.1 pt font, or each
//! cell placed 1 pt after the last.
//!
//! Two more cases:
//! - a glyph drawn again where it already stands (a bold faked by
//!   overprinting, a shadow) is read once ([`DUPLICATE`]);
//! - glyphs drawn over one another ([`OVERPRINT`]: a negative spacing
//!   nearly as wide as the glyphs, or wider, which runs the text backwards
//!   over itself; a line drawn over another) have no order on the page:
//!   they are read in the order drawn, without spaces, so a row among them
//!   is reported, not lost in a shuffle of single characters.

// Glyph geometry is in PDF points, floats by nature; no amount is computed here.
#![allow(clippy::float_arithmetic)]

use super::glyphs::Glyph;

/// A gap wider than this many font sizes, beyond the line's letter
/// spacing, is a space (a tenth of an em, as in poppler's `pdftotext`).
pub const WORD_GAP: f64 = 0.1;
/// The fewest gaps in a line for its letter spacing to be measured.
pub const TRACKED: usize = 8;
/// The same glyph closer than this many font sizes to itself along the
/// line (and a fifth across it) is drawn twice, and read once.
pub const DUPLICATE: f64 = 0.1;
/// Neighbours covering more than this share of the narrower glyph are
/// drawn over one another.
pub const OVERPRINT: f64 = 0.5;
/// Overlaps and moves smaller than this many font sizes are rounding.
pub const SLACK: f64 = 0.05;

/// A line's text from its glyphs (in any order).
pub fn line_text(mut glyphs: Vec<Glyph>) -> String {
    glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    let seen = once(&glyphs);
    if overprinted(&seen) {
        // Every glyph drawn, twins too: close glyphs are not twins here.
        glyphs.sort_by_key(|g| g.order);
        return glyphs.iter().map(|g| g.text.as_str()).collect();
    }
    let gaps = gaps(&seen);
    // The first gap is from nowhere.
    let tracking = tracking(gaps.get(1..).unwrap_or_default());
    let mut text = String::new();
    for (glyph, gap) in seen.into_iter().zip(gaps) {
        if !text.is_empty() && gap - tracking > WORD_GAP {
            text.push(' ');
        }
        text.push_str(&glyph.text);
    }
    text
}

/// Glyphs in order of x, each drawn twice in one place taken once.
fn once(glyphs: &[Glyph]) -> Vec<&Glyph> {
    let mut seen: Vec<&Glyph> = Vec::with_capacity(glyphs.len());
    for glyph in glyphs {
        let reach = DUPLICATE * glyph.font_size;
        let twin = seen
            .iter()
            .rev()
            .take_while(|s| glyph.x - s.x <= reach)
            .any(|s| s.text == glyph.text && (s.y - glyph.y).abs() <= 2.0 * reach);
        if !twin {
            seen.push(glyph);
        }
    }
    seen
}

/// Glyphs drawn over one another, so that their places give no order:
/// most neighbours (in order of x) cover more than half of the narrower
/// glyph, or most glyphs are drawn back into the glyph drawn before them,
/// or back from where a pen running backwards left them. Glyphs without
/// width are not judged, and glyphs placed one by one from right to left,
/// each clear of the last, are not drawn over anything: their places give
/// their order.
fn overprinted(glyphs: &[&Glyph]) -> bool {
    let covered = |a: &Glyph, b: &Glyph| a.end_x.min(b.end_x) - a.x.max(b.x);
    let width = |g: &Glyph| g.end_x - g.x;
    let over = glyphs
        .windows(2)
        .filter(|pair| {
            let narrower = width(pair[0]).min(width(pair[1]));
            narrower > 0.0 && covered(pair[0], pair[1]) > OVERPRINT * narrower
        })
        .count();
    let mut drawn = glyphs.to_vec();
    drawn.sort_by_key(|g| g.order);
    let back = drawn
        .windows(2)
        .filter(|pair| {
            let (a, b) = (pair[0], pair[1]);
            let slack = SLACK * a.font_size;
            b.x < a.x && (covered(a, b) > slack || a.pen_x < a.x - slack)
        })
        .count();
    let pairs = glyphs.len().saturating_sub(1);
    2 * over.max(back) > pairs
}

/// The gap before each glyph, in its font sizes: from the furthest the pen
/// has gone on the line so far (infinite before the first glyph).
fn gaps(glyphs: &[&Glyph]) -> Vec<f64> {
    let mut pen = f64::NEG_INFINITY;
    glyphs
        .iter()
        .map(|glyph| {
            let gap = (glyph.x - pen) / glyph.font_size;
            pen = pen.max(glyph.pen_x);
            gap
        })
        .collect()
}

/// The letter spacing of a line, in font sizes: the median gap between
/// its glyphs when that is negative (glyphs set closer than their advances,
/// by `TJ` kerning or by placing each glyph, as `Tc` would), else zero.
/// Most gaps of a line are within words, so the median is one of them. A
/// line of a few glyphs, or whose glyphs mostly stand apart, is taken as
/// set normally: letter spacing wider than usual is not told from spaces
/// (unless it is `Tc`, which the pen position includes).
fn tracking(gaps: &[f64]) -> f64 {
    if gaps.len() < TRACKED {
        return 0.0;
    }
    let mut sorted = gaps.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2].min(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` set glyph by glyph from `x`, each glyph 5 points wide on a
    /// 10-point font, the pen moved `spacing` after each (a `Tc`), and each
    /// space glyph `space` wide (its width plus any `Tw`).
    fn set(x: f64, text: &str, spacing: f64, space: f64) -> Vec<Glyph> {
        let mut glyphs = Vec::new();
        let mut at = x;
        for c in text.chars() {
            if c == ' ' {
                at += space + spacing;
                continue;
            }
            glyphs.push(Glyph {
                page: 1,
                angle: 0,
                x: at,
                y: 100.0,
                end_x: at + 5.0,
                pen_x: at + 5.0 + spacing,
                font_size: 10.0,
                order: glyphs.len(),
                text: c.to_string(),
            });
            at += 5.0 + spacing;
        }
        glyphs
    }

    const ROW: &str = "M = 1,166667 561610 - = M 24 28,00 25,50 21,75";

    #[test]
    fn character_spacing_is_not_taken_for_glue_or_for_spaces() {
        for spacing in [-1.5, -0.6, 0.0, 2.0] {
            assert_eq!(line_text(set(0.0, ROW, spacing, 2.8)), ROW, "Tc {spacing}");
        }
    }

    #[test]
    fn cells_a_tenth_of_an_em_apart_are_two_words_and_closer_are_one() {
        assert_eq!(line_text(set(0.0, "24 28,00", 0.0, 1.1)), "24 28,00");
        assert_eq!(line_text(set(0.0, "24 28,00", 0.0, 0.9)), "2428,00");
    }

    #[test]
    fn glyphs_set_closer_one_by_one_are_measured_against_their_spacing() {
        // As a Tc of -1.2 would, but by placing each glyph: the pen does not know.
        let glyphs: Vec<Glyph> = set(0.0, ROW, -1.2, 2.8)
            .into_iter()
            .map(|g| Glyph {
                pen_x: g.end_x,
                ..g
            })
            .collect();
        assert_eq!(line_text(glyphs), ROW);
    }

    #[test]
    fn a_glyph_drawn_twice_in_place_is_read_once() {
        let mut glyphs = set(0.0, ROW, 0.0, 2.8);
        let shifted: Vec<Glyph> = glyphs
            .iter()
            .map(|g| Glyph {
                x: g.x + 0.3,
                end_x: g.end_x + 0.3,
                pen_x: g.pen_x + 0.3,
                order: g.order + 100,
                ..g.clone()
            })
            .collect();
        glyphs.extend(shifted);
        assert_eq!(line_text(glyphs), ROW);
    }

    #[test]
    fn glyphs_drawn_backwards_over_one_another_read_in_drawing_order() {
        // Each glyph 7 points left of its advance: the text runs backwards.
        let glyphs = set(300.0, ROW, -7.0, 2.8);
        assert_eq!(line_text(glyphs), ROW.replace(' ', ""));
    }
}
