//! What tariff tables and conventions share: one document, in French, in
//! Dutch, or in both.
//!
//! A snapshot holds its first language's `title`, `language` and `source`.
//! A second language adds `sources` (every source, the first language's
//! first) and `translations` (that language's words, and where each record
//! stands in its source). The fields sit at the same places in both
//! families' YAML, around the family's own records, so each family keeps
//! them as fields of its own; the code that reads and edits them is here,
//! once, in [`Bilingual`].

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::convention::{Convention, ConventionTranslation};
use super::sources::{Language, LanguageSource, Position, SourceRef};
use super::tariff::{TableTranslation, TariffTable};

/// The fields every snapshot of a document has, to read.
#[derive(Debug, Clone, Copy)]
pub struct Shared<'a> {
    /// The profession (`physiotherapy`).
    pub profession: &'a str,
    /// The date from which the document applies.
    pub effective_from: NaiveDate,
    /// The title, in the first language.
    pub title: &'a str,
    /// The first language.
    pub language: Language,
    /// The source in the first language.
    pub source: &'a SourceRef,
    /// Every source, the first language's first; empty for a document in
    /// one language.
    pub sources: &'a [LanguageSource],
}

impl Shared<'_> {
    /// Every source: its language and stored file (the one `source` of a
    /// document in one language).
    pub fn source_files(&self) -> Vec<(Language, String)> {
        if self.sources.is_empty() {
            vec![(self.language, self.source.file.clone())]
        } else {
            self.sources
                .iter()
                .map(|s| (s.language, s.source.file.clone()))
                .collect()
        }
    }

    /// The languages the snapshot has sources in.
    pub fn languages(&self) -> Vec<Language> {
        self.source_files().into_iter().map(|(l, _)| l).collect()
    }

    /// The stored source in `language`, if the snapshot has one.
    pub fn source_in(&self, language: Language) -> Option<&SourceRef> {
        if language == self.language {
            return Some(self.source);
        }
        self.sources
            .iter()
            .find(|s| s.language == language)
            .map(|s| &s.source)
    }
}

/// The fields a second language edits.
pub struct SharedMut<'a, T> {
    /// The title, in the first language.
    pub title: &'a mut String,
    /// The first language.
    pub language: &'a mut Language,
    /// The source in the first language.
    pub source: &'a mut SourceRef,
    /// Every source, the first language's first.
    pub sources: &'a mut Vec<LanguageSource>,
    /// The other languages' words and positions.
    pub translations: &'a mut BTreeMap<Language, T>,
}

/// A snapshot of a document that may come in two languages: a tariff table
/// or a convention.
pub trait Bilingual: Clone {
    /// What another language's source says in words, and where each record
    /// stands in it.
    type Translation: Clone;

    /// The shared fields, to read.
    fn shared(&self) -> Shared<'_>;

    /// The shared fields, to edit.
    fn shared_mut(&mut self) -> SharedMut<'_, Self::Translation>;

    /// The other languages' translations.
    fn translations(&self) -> &BTreeMap<Language, Self::Translation>;

    /// Puts the words and positions of `translation` in place of the
    /// snapshot's own: its title, and each record's words and lines.
    fn translate(&mut self, translation: &Self::Translation);

    /// Adds the source of another language, and what it says in words
    /// (replacing what the snapshot had in that language).
    fn add_language(
        &mut self,
        language: Language,
        source: &SourceRef,
        translation: Self::Translation,
    ) {
        let shared = self.shared_mut();
        if shared.sources.is_empty() {
            shared.sources.push(LanguageSource {
                language: *shared.language,
                source: shared.source.clone(),
            });
        }
        shared.sources.retain(|s| s.language != language);
        shared.sources.push(LanguageSource {
            language,
            source: source.clone(),
        });
        shared.translations.insert(language, translation);
    }

    /// The snapshot as its source in `language` states it: that language's
    /// title, words and positions, and that source alone; `None` when the
    /// snapshot has no source in that language.
    fn in_language(&self, language: Language) -> Option<Self> {
        let mut out = self.clone();
        let shared = out.shared_mut();
        shared.sources.clear();
        shared.translations.clear();
        if self.shared().language == language {
            return Some(out);
        }
        let words = self.translations().get(&language)?;
        let source = self.shared().source_in(language)?.clone();
        let shared = out.shared_mut();
        *shared.source = source;
        *shared.language = language;
        out.translate(words);
        Some(out)
    }

    /// Carries the source and words of `language` over from `other`, a
    /// snapshot of the same document; `None` when `other` has none.
    fn carry_language(&mut self, other: &Self, language: Language) -> Option<()> {
        let translation = other.translations().get(&language)?.clone();
        let source = other.shared().source_in(language)?.clone();
        self.add_language(language, &source, translation);
        Some(())
    }
}

/// `shared`, `shared_mut` and `translations` of a family: its records name
/// the shared fields alike, as the YAML does.
macro_rules! shared_fields {
    () => {
        fn shared(&self) -> Shared<'_> {
            Shared {
                profession: &self.profession,
                effective_from: self.effective_from,
                title: &self.title,
                language: self.language,
                source: &self.source,
                sources: &self.sources,
            }
        }

        fn shared_mut(&mut self) -> SharedMut<'_, Self::Translation> {
            SharedMut {
                title: &mut self.title,
                language: &mut self.language,
                source: &mut self.source,
                sources: &mut self.sources,
                translations: &mut self.translations,
            }
        }

        fn translations(&self) -> &BTreeMap<Language, Self::Translation> {
            &self.translations
        }
    };
}

impl Bilingual for TariffTable {
    type Translation = TableTranslation;

    shared_fields!();

    /// The title, and each row's headings, note and line (rows in the
    /// snapshot's order, as the translation lists them).
    fn translate(&mut self, words: &TableTranslation) {
        self.title = words.title.clone();
        for (row, theirs) in self.rows.iter_mut().zip(&words.rows) {
            row.setting = theirs.setting.clone();
            row.article = theirs.article.clone();
            row.fee_note = theirs.fee_note.clone();
            row.source_line = theirs.source_line;
            row.source_page = theirs.source_page;
        }
    }
}

impl Bilingual for Convention {
    type Translation = ConventionTranslation;

    shared_fields!();

    /// The title, and the line and page of each entry (entries in the
    /// snapshot's order, as the translation lists them).
    fn translate(&mut self, words: &ConventionTranslation) {
        self.title = words.title.clone();
        let lists = self.key_values.iter_mut();
        reposition(
            lists.map(|l| (&mut l.source_line, &mut l.source_page)),
            &words.key_values,
        );
        let fees = self.stated_fees.iter_mut();
        reposition(
            fees.map(|f| (&mut f.source_line, &mut f.source_page)),
            &words.stated_fees,
        );
        let indemnities = self.indemnities.iter_mut();
        reposition(
            indemnities.map(|x| (&mut x.source_line, &mut x.source_page)),
            &words.indemnities,
        );
    }
}

/// Sets each entry's line and page to its position in another source.
fn reposition<'a>(
    entries: impl Iterator<Item = (&'a mut usize, &'a mut Option<u32>)>,
    positions: &[Position],
) {
    for ((line, page), at) in entries.zip(positions) {
        (*line, *page) = (at.source_line, at.source_page);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rust_decimal::Decimal;

    use super::*;
    use crate::code::Code;
    use crate::model::{RowTranslation, SourceFormat, TariffRow, TARIFF_SCHEMA_ID};

    fn source(file: &str) -> SourceRef {
        SourceRef {
            file: file.into(),
            sha256: format!("sha of {file}"),
            format: SourceFormat::Text,
        }
    }

    /// A one-row table as its source in `language` states it.
    fn table(language: Language, title: &str, setting: &str, line: usize) -> TariffTable {
        let file = format!(
            "sources/physiotherapy/2024-01-01-tariff.{}.txt",
            language.code()
        );
        TariffTable {
            schema: TARIFF_SCHEMA_ID.into(),
            profession: "physiotherapy".into(),
            effective_from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            title: title.into(),
            language,
            source: source(&file),
            rows: vec![TariffRow {
                ambulatory_code: Code::parse("560011"),
                hospitalized_code: None,
                setting: Some(Arc::from(setting)),
                article: None,
                key_letter: Some('M'),
                key_value: Decimal::new(1_066_667, 6),
                relative_value: Decimal::from(24),
                key_terms: Vec::new(),
                fee: Some(Decimal::new(2560, 2)),
                fee_note: None,
                intervention_preferential: Decimal::new(2310, 2),
                intervention_standard: Decimal::new(1935, 2),
                source_line: line,
                source_page: None,
            }],
            sources: Vec::new(),
            translations: BTreeMap::new(),
        }
    }

    /// What `other` says in words, as `reconcile::tables` gives it.
    fn words(other: &TariffTable) -> TableTranslation {
        let row = &other.rows[0];
        TableTranslation {
            title: other.title.clone(),
            rows: vec![RowTranslation {
                code: row.code(),
                setting: row.setting.clone(),
                article: row.article.clone(),
                fee_note: row.fee_note.clone(),
                source_line: row.source_line,
                source_page: row.source_page,
            }],
        }
    }

    fn french() -> TariffTable {
        table(Language::Fr, "Tarifs", "I. a) Au cabinet", 26)
    }

    fn dutch() -> TariffTable {
        table(Language::Nl, "Tarieven", "I. a) In de praktijkkamer", 27)
    }

    fn bilingual() -> TariffTable {
        let (mut both, nl) = (french(), dutch());
        both.add_language(nl.language, &nl.source, words(&nl));
        both
    }

    #[test]
    fn a_second_language_adds_its_source_and_words_and_changes_no_value() {
        let both = bilingual();
        assert_eq!(both.rows, french().rows, "no value, word or line changes");
        let sources: Vec<_> = both.sources.iter().map(|s| s.language).collect();
        assert_eq!(sources, [Language::Fr, Language::Nl]);
        assert_eq!(both.shared().languages(), [Language::Fr, Language::Nl]);
        assert_eq!(both.translations[&Language::Nl].title, "Tarieven");
        // The same language again replaces its source: it is not listed twice.
        let mut again = both.clone();
        let other = source("sources/physiotherapy/2024-01-01-tariff.nl.pdf");
        again.add_language(Language::Nl, &other, words(&dutch()));
        assert_eq!(again.sources.len(), 2);
        assert_eq!(again.shared().source_in(Language::Nl), Some(&other));
    }

    #[test]
    fn each_language_of_a_bilingual_table_is_that_languages_document() {
        let both = bilingual();
        assert_eq!(both.in_language(Language::Fr), Some(french()));
        assert_eq!(both.in_language(Language::Nl), Some(dutch()));
        assert_eq!(french().in_language(Language::Nl), None);
    }

    #[test]
    fn a_language_carried_over_is_as_the_other_snapshot_had_it() {
        // A re-issue of the French table, with the Dutch of the snapshot in place.
        let mut reissue = table(Language::Fr, "Tarifs (erratum)", "I. a) Au cabinet", 30);
        reissue
            .carry_language(&bilingual(), Language::Nl)
            .expect("the snapshot in place has Dutch");
        assert_eq!(reissue.in_language(Language::Nl), Some(dutch()));
        assert_eq!(reissue.shared().source_files()[0].1, french().source.file);
        let before = reissue.clone();
        assert_eq!(reissue.carry_language(&french(), Language::Nl), None);
        assert_eq!(reissue, before, "nothing carried, nothing changed");
    }
}
