//! A convention's prose as one string, and the way back to its lines.
//!
//! Sentences and lists wrap across lines and pages, so statements are read in
//! the lines joined into one text: words separated by single spaces, page
//! numbers and blank lines left out, typographic apostrophes made plain. Each
//! word remembers where it stood, so any position in the joined text maps
//! back to its line, page and column.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::findings::Location;
use crate::source::{SourceDocument, SourceLine};

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:-\s*)?(?:\d{1,3}|page \d{1,3}(?:\s*/\s*\d{1,3})?|pagina \d{1,3})(?:\s*-)?\s*$",
    )
    .expect("valid regex")
});

/// One word of the joined text and where it came from.
#[derive(Debug, Clone, Copy)]
struct Word {
    /// Byte offset in the joined text.
    at: usize,
    /// Index into the document's lines.
    line: usize,
    /// Byte offset of the word in its (normalized) line.
    column: usize,
}

/// The joined text of a document.
pub struct Joined<'a> {
    pub text: String,
    words: Vec<Word>,
    doc: &'a SourceDocument,
    file: Arc<str>,
}

/// A position in the source: what a statement cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub page: Option<u32>,
}

impl<'a> Joined<'a> {
    pub fn new(doc: &'a SourceDocument) -> Joined<'a> {
        let mut text = String::new();
        let mut words = Vec::new();
        for (index, line) in doc.lines.iter().enumerate() {
            // Page numbers are furniture; table rows are reported on their own
            // (`mixed-document`) and must not break the list around them.
            if PAGE_NUMBER.is_match(&line.text) || crate::parse::row::parse_row(&line.text).is_ok()
            {
                continue;
            }
            for (column, word) in split_words(&line.text) {
                words.push(Word {
                    at: text.len(),
                    line: index,
                    column,
                });
                push_plain(&mut text, word);
                text.push(' ');
            }
        }
        Joined {
            text,
            words,
            doc,
            file: doc.display_path().into(),
        }
    }

    fn word(&self, offset: usize) -> Option<&Word> {
        let at = self.words.partition_point(|w| w.at <= offset);
        self.words.get(at.checked_sub(1)?)
    }

    fn source_line(&self, offset: usize) -> Option<&'a SourceLine> {
        self.doc.lines.get(self.word(offset)?.line)
    }

    /// The line and page of a position in the joined text.
    pub fn position(&self, offset: usize) -> Position {
        match self.source_line(offset) {
            Some(line) => Position {
                line: line.number,
                page: line.page,
            },
            None => Position {
                line: 0,
                page: None,
            },
        }
    }

    /// A location for findings: the source line with a caret under `width`
    /// characters of the joined text starting at `offset`.
    pub fn location(&self, offset: usize, width_bytes: usize) -> Location {
        let Some(word) = self.word(offset) else {
            return Location::file(self.file.clone());
        };
        let line = &self.doc.lines[word.line];
        let in_word = &self.text[word.at..offset];
        // Plain apostrophes may stand for wider typographic ones: count characters.
        let skip: usize = line.text[word.column..]
            .chars()
            .take(in_word.chars().count())
            .map(char::len_utf8)
            .sum();
        let start = word.column + skip;
        let shown = &self.text[offset..(offset + width_bytes).min(self.text.len())];
        // A caret never runs past the end of the line it stands on.
        let room = line.text[start..].chars().count();
        let width = shown.chars().count().min(room).max(1);
        Location::in_line(&self.file, line, start, width)
    }
}

/// Words of a line with their byte offsets.
fn split_words(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split(' ')
        .scan(0, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((start, word))
        })
        .filter(|(_, w)| !w.is_empty())
}

/// Appends a word with typographic apostrophes written `'`.
fn push_plain(text: &mut String, word: &str) {
    for c in word.chars() {
        text.push(match c {
            '’' | '‘' | 'ʼ' | '`' | '´' => '\'',
            other => other,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_back_to_lines_pages_and_columns() {
        let doc =
            SourceDocument::from_text("c.txt", "Il s’agit de\n\n 7 \n  la prestation 560011 ;\n");
        let joined = Joined::new(&doc);
        assert_eq!(joined.text, "Il s'agit de la prestation 560011 ; ");
        let at = joined.text.find("560011").unwrap();
        assert_eq!(joined.position(at).line, 4);
        let location = joined.location(at, 6);
        assert_eq!(location.column, Some(17));
        assert_eq!(location.width, 6);
        let at = joined.text.find("agit").unwrap();
        assert_eq!(joined.location(at, 4).column, Some(6), "’ is one character");
    }
}
