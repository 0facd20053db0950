//! Layout-neutral text: the characters that typesetting varies but that
//! never change what a document says.
//!
//! Non-breaking, thin and other fixed-width spaces, tabs and stray carriage
//! returns are spaces; zero-width characters and soft hyphens are nothing.
//! Every parser reads lines through [`normalize_document`], so a table row
//! typed with a non-breaking space reads like one typed with a plain space.

use std::borrow::Cow;

use arcstr::ArcStr;

use crate::source::{SourceDocument, SourceLine};

/// What a character becomes: itself, a plain space, or nothing.
fn map(c: char) -> Option<Option<char>> {
    match c {
        '\t' | '\r' | '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
            Some(Some(' '))
        }
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => Some(None),
        _ => None,
    }
}

/// The line with layout-only characters made plain (borrowed when already plain).
pub fn normalize_line(text: &str) -> Cow<'_, str> {
    if text.is_ascii() && !text.contains(['\t', '\r']) {
        return Cow::Borrowed(text);
    }
    if !text.chars().any(|c| map(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match map(c) {
                Some(replacement) => replacement,
                None => Some(c),
            })
            .collect(),
    )
}

/// The document with every line normalized; borrowed when nothing changes.
pub fn normalize_document(doc: &SourceDocument) -> Cow<'_, SourceDocument> {
    if doc
        .lines
        .iter()
        .all(|l| matches!(normalize_line(&l.text), Cow::Borrowed(_)))
    {
        return Cow::Borrowed(doc);
    }
    let mut copy = doc.clone();
    copy.lines = doc
        .lines
        .iter()
        .map(|l| match normalize_line(&l.text) {
            Cow::Borrowed(_) => l.clone(),
            Cow::Owned(text) => SourceLine {
                number: l.number,
                page: l.page,
                text: ArcStr::from(text).substr(..),
            },
        })
        .collect();
    Cow::Owned(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_of_every_width_are_spaces_and_invisible_characters_go() {
        assert_eq!(normalize_line("M\u{a0}=\t1,066667"), "M = 1,066667");
        assert_eq!(normalize_line("5600\u{200b}11\u{202f}-"), "560011 -");
        assert!(matches!(normalize_line("plain text"), Cow::Borrowed(_)));
        assert!(matches!(normalize_line("intégralement"), Cow::Borrowed(_)));
    }
}
