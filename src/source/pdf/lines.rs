//! Lines of text from the glyphs of a page.
//!
//! Glyphs are first split by the direction their text runs in (upright, or
//! turned on a landscape page; see [`super::glyphs`]): each direction is
//! read in its own frame, the one with most glyphs first. In a frame:
//!
//! 1. glyphs are grouped into lines by baseline, within a tolerance relative
//!    to the font size ([`SAME_LINE`]);
//! 2. a line that sits apart from the others by less than [`JOIN`] font
//!    sizes, beside another line and not over it (a table cell drawn a few
//!    points lower or higher than the rest of its row), joins the nearest
//!    one, when that one is clearly the nearest;
//! 3. each line becomes text ([`super::words`]): its glyphs left to right,
//!    with a space wherever two stand apart.
//!
//! Glyphs that cannot be put into lines are a fault of the page, not text.
//! Vertical text drawn glyph by glyph, without a rotated matrix, would read
//! as one-letter lines (one column of it) or as lines of letters far apart
//! (several columns side by side), and the rows it spells would be lost
//! without a word. [`page_lines`] refuses a frame ([`Unlined`]) holding
//! [`STACKED`] one-glyph lines or more stacked in a column, or whose glyphs
//! mostly stand alone, each its own word ([`ALONE`]; in a table, the
//! one-letter cells `M` and `=` are about one glyph in seven).

// Glyph geometry is in PDF points, floats by nature; no amount is computed here.
#![allow(clippy::float_arithmetic)]

use std::collections::BTreeMap;

use super::glyphs::Glyph;
use super::words::line_text;

/// Baselines closer than this many font sizes are one line.
pub const SAME_LINE: f64 = 0.4;
/// A line whose baseline is closer than this many font sizes to a line beside
/// it (sharing its row band, overlapping none of its glyphs) joins it.
pub const JOIN: f64 = 0.65;
/// This many one-glyph lines stacked in a column make a page unreadable.
pub const STACKED: usize = 4;
/// A frame of at least [`ALONE_MIN`] glyphs, more than this share of which
/// stand alone (a glyph, then a space, on each side), is unreadable.
pub const ALONE: f64 = 0.5;
/// The fewest glyphs for [`ALONE`] to apply (a spaced-out title is not a page).
pub const ALONE_MIN: usize = 20;

/// Glyphs on a page that cannot be put into lines: why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlined(pub String);

/// Rebuilds the lines of one page, top to bottom in each reading direction,
/// from its glyphs; or says where glyphs are stacked instead of lined up.
pub fn page_lines(glyphs: Vec<Glyph>) -> Result<Vec<String>, Unlined> {
    let mut frames: BTreeMap<i32, Vec<Glyph>> = BTreeMap::new();
    for glyph in glyphs {
        frames.entry(glyph.angle).or_default().push(glyph);
    }
    let mut frames: Vec<Vec<Glyph>> = frames.into_values().collect();
    // The page's main direction first (stable: ties keep the angle order).
    frames.sort_by_key(|frame| std::cmp::Reverse(frame.len()));
    let mut text = Vec::new();
    for frame in frames {
        let lines = join_cells(baseline_lines(frame));
        if let Some(stacked) = stacked(&lines) {
            return Err(stacked);
        }
        let texts: Vec<String> = lines
            .into_iter()
            .map(|line| line_text(line.glyphs))
            .collect();
        if let Some(scattered) = scattered(&texts) {
            return Err(scattered);
        }
        text.extend(texts);
    }
    Ok(text)
}

/// Glyphs on one baseline (within [`SAME_LINE`]), not yet in order.
#[derive(Debug)]
struct Line {
    baseline: f64,
    size: f64,
    glyphs: Vec<Glyph>,
}

/// Step 1: lines by baseline, top to bottom.
fn baseline_lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for glyph in glyphs {
        let tolerance = glyph.font_size * SAME_LINE;
        match lines.last_mut() {
            Some(line) if (glyph.y - line.baseline).abs() <= tolerance => {
                line.size = line.size.max(glyph.font_size);
                line.glyphs.push(glyph);
            }
            _ => lines.push(Line {
                baseline: glyph.y,
                size: glyph.font_size,
                glyphs: vec![glyph],
            }),
        }
    }
    lines
}

/// Step 2: a cell drawn off its row's baseline joins the row. Two lines join
/// when they are side by side (no glyph of one over a glyph of the other)
/// and each is the other's nearest such line, clearly (the next nearest is
/// farther by a tenth of a font size): otherwise which row a cell belongs to
/// is a guess, and a guess is worse than a line that fails to parse. Pairs of
/// mutual nearest lines are disjoint, so the result depends on no order.
fn join_cells(lines: Vec<Line>) -> Vec<Line> {
    let nearest: Vec<Option<usize>> = (0..lines.len())
        .map(|i| clearly_nearest(&lines, i))
        .collect();
    let mut joined: Vec<Option<Line>> = lines.into_iter().map(Some).collect();
    for i in 0..joined.len() {
        let Some(j) = nearest[i].filter(|&j| j > i && nearest[j] == Some(i)) else {
            continue;
        };
        let (Some(a), Some(b)) = (joined[i].take(), joined[j].take()) else {
            continue;
        };
        // The line keeps the baseline of its larger part (for its place).
        let (mut big, small) = if a.glyphs.len() >= b.glyphs.len() {
            (a, b)
        } else {
            (b, a)
        };
        big.size = big.size.max(small.size);
        big.glyphs.extend(small.glyphs);
        joined[i] = Some(big);
    }
    let mut lines: Vec<Line> = joined.into_iter().flatten().collect();
    lines.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    lines
}

/// The line side by side with line `i` that is nearest to it by baseline,
/// closer than [`JOIN`] font sizes, if the next nearest is clearly farther.
fn clearly_nearest(lines: &[Line], i: usize) -> Option<usize> {
    let line = &lines[i];
    // Only lines within reach are measured glyph by glyph.
    let reach = 2.0 * JOIN * line.size;
    let mut near: Vec<(f64, usize)> = lines
        .iter()
        .enumerate()
        .filter(|&(j, other)| j != i && (other.baseline - line.baseline).abs() < reach)
        .filter(|&(_, other)| side_by_side(line, other))
        .map(|(j, other)| ((other.baseline - line.baseline).abs(), j))
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    let &(nearest, j) = near.first()?;
    let size = line.size.min(lines[j].size);
    let clearly = near
        .get(1)
        .is_none_or(|&(next, _)| next - nearest > 0.1 * size);
    (nearest < JOIN * size && clearly).then_some(j)
}

/// No glyph of one line is over or under a glyph of the other.
fn side_by_side(a: &Line, b: &Line) -> bool {
    a.glyphs.iter().all(|g| {
        b.glyphs
            .iter()
            .all(|h| g.end_x <= h.x + 0.01 || h.end_x <= g.x + 0.01)
    })
}

/// The first run of [`STACKED`] or more one-glyph lines, each under the last
/// (within a font size across, and at most two and a half below: a space
/// between two words leaves a gap).
fn stacked(lines: &[Line]) -> Option<Unlined> {
    let single = |line: &Line| line.glyphs.len() == 1 && line.glyphs[0].text.chars().count() == 1;
    let mut run: Vec<&Glyph> = Vec::new();
    for line in lines {
        let glyph = &line.glyphs[0];
        let continues = single(line)
            && run.last().is_some_and(|last| {
                (glyph.x - last.x).abs() <= last.font_size
                    && glyph.y - last.y <= 2.5 * last.font_size
            });
        if continues {
            run.push(glyph);
            continue;
        }
        if run.len() >= STACKED {
            break;
        }
        run.clear();
        if single(line) {
            run.push(glyph);
        }
    }
    (run.len() >= STACKED).then(|| {
        let mut text: String = run.iter().take(30).map(|g| g.text.as_str()).collect();
        if run.len() > 30 {
            text.push('…');
        }
        Unlined(format!(
            "{} single glyphs stacked one above the other, spelling {text:?}",
            run.len()
        ))
    })
}

/// More than [`ALONE`] of the glyphs are words of their own (the lines of
/// vertical text drawn in columns: one glyph of each column per line).
fn scattered(texts: &[String]) -> Option<Unlined> {
    let glyphs: usize = texts
        .iter()
        .map(|t| t.chars().filter(|c| *c != ' ').count())
        .sum();
    let alone = texts
        .iter()
        .flat_map(|t| t.split(' '))
        .filter(|word| word.chars().count() == 1)
        .count();
    (glyphs >= ALONE_MIN && alone as f64 > ALONE * glyphs as f64).then(|| {
        Unlined(format!(
            "{alone} of its {glyphs} glyphs stand alone, as in vertical text drawn glyph by glyph"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(x: f64, y: f64, text: &str) -> Glyph {
        Glyph {
            page: 1,
            angle: 0,
            x,
            y,
            end_x: x + 5.0 * text.chars().count() as f64,
            pen_x: x + 5.0 * text.chars().count() as f64,
            order: 0,
            font_size: 10.0,
            text: text.into(),
        }
    }

    /// A word as pdf-extract gives it: one glyph per character.
    fn word(x: f64, y: f64, text: &str) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| glyph(x + 5.0 * i as f64, y, &c.to_string()))
            .collect()
    }

    fn lines(glyphs: Vec<Glyph>) -> Vec<String> {
        page_lines(glyphs).unwrap()
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
        assert_eq!(lines(glyphs), ["M= 24", "next"]);
        assert_eq!(lines(reversed), ["M= 24", "next"]);
    }

    #[test]
    fn a_cell_a_little_off_its_row_joins_it_but_not_a_line_under_it() {
        // "code" 5 points (half a font size) below its row, rows 13 apart.
        let glyphs = [
            word(0.0, 105.0, "code"),
            word(30.0, 100.0, "rest"),
            word(0.0, 113.0, "next"),
            word(30.0, 113.0, "row"),
            // Under "row", half a font size lower: a second line of a cell.
            word(30.0, 118.0, "under"),
        ]
        .concat();
        assert_eq!(lines(glyphs), ["code rest", "next row", "under"]);
    }

    #[test]
    fn a_cell_halfway_between_two_rows_stays_apart() {
        let glyphs = [
            word(30.0, 100.0, "one"),
            word(0.0, 105.0, "code"),
            word(30.0, 110.0, "two"),
        ]
        .concat();
        assert_eq!(lines(glyphs), ["one", "code", "two"]);
    }

    #[test]
    fn directions_are_read_apart_the_main_one_first() {
        let mut turned = glyph(0.0, 100.0, "up");
        turned.angle = 90;
        let glyphs = vec![turned, glyph(0.0, 100.0, "a"), glyph(0.0, 120.0, "b")];
        assert_eq!(lines(glyphs), ["a", "b", "up"]);
    }

    #[test]
    fn stacked_glyphs_are_refused() {
        let glyphs: Vec<Glyph> = "M 5600"
            .chars()
            .enumerate()
            .filter(|(_, c)| *c != ' ')
            .map(|(i, c)| glyph(50.0, 100.0 + 12.0 * i as f64, &c.to_string()))
            .collect();
        let why = page_lines(glyphs).unwrap_err().0;
        assert!(why.contains(r#"5 single glyphs stacked one above the other, spelling "M5600""#));
    }

    #[test]
    fn columns_of_stacked_glyphs_are_refused() {
        // Four rows of vertical text side by side: each line holds one glyph
        // of each, far apart.
        let glyphs: Vec<Glyph> = ["M=1,191667", "M=1,066667", "M=0,451250", "M=1,166667"]
            .iter()
            .enumerate()
            .flat_map(|(column, row)| {
                row.chars().enumerate().map(move |(i, c)| {
                    glyph(
                        50.0 + 20.0 * column as f64,
                        100.0 + 12.0 * i as f64,
                        &c.to_string(),
                    )
                })
            })
            .collect();
        let why = page_lines(glyphs).unwrap_err().0;
        assert!(why.contains("40 of its 40 glyphs stand alone"), "{why}");
    }

    #[test]
    fn a_table_row_is_not_scattered() {
        let row = "M = 1,191667 567011 - = M 24 28,60 26,10 22,35";
        let mut glyphs = Vec::new();
        for y in [100.0, 113.0, 126.0] {
            let mut x = 0.0;
            for cell in row.split(' ') {
                glyphs.extend(word(x, y, cell));
                x += 5.0 * cell.len() as f64 + 10.0;
            }
        }
        assert_eq!(lines(glyphs), [row, row, row]);
    }
}
