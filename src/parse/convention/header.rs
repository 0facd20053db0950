//! What a convention says about itself: title, language, profession,
//! period and the day it was concluded.
//!
//! Conventions are known by their real titles, in French and Dutch (the
//! patterns are in [`crate::parse::title`]).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::grammar::DATE;
use crate::model::Language;
use crate::parse::{dates, metadata, title};
use crate::source::SourceDocument;

/// How many non-empty lines the title may take to appear.
const TITLE_LINES: usize = 6;
/// How many non-empty lines are searched for the profession.
const HEADER_LINES: usize = 40;

/// The title lines, what they say, and the language they are in.
pub struct Title {
    pub text: String,
    pub language: Language,
}

fn first_lines(doc: &SourceDocument, n: usize) -> impl Iterator<Item = &str> {
    doc.lines
        .iter()
        .map(|l| l.text.trim())
        .filter(|t| !t.is_empty())
        .take(n)
}

/// The convention title near the top of the document, if there is one.
pub fn title(doc: &SourceDocument) -> Option<Title> {
    // A tariff table's title comes first in a table that mentions conventions.
    let lines: Vec<&str> = first_lines(doc, TITLE_LINES)
        .take_while(|l| !title::is_tariff_title(l))
        .collect();
    let (at, language) = lines
        .iter()
        .enumerate()
        .find_map(|(at, l)| Some((at, title::convention_title_language(l)?)))?;
    let mut text = collapse(lines[at]);
    // A title set in capitals may go on over the next line
    // ("CONVENTION" / "ENTRE LES KINESITHERAPEUTES ...").
    if let Some(next) = lines.get(at + 1) {
        let capitals =
            next.chars().any(char::is_alphabetic) && !next.chars().any(char::is_lowercase);
        if capitals && !text.chars().any(char::is_lowercase) {
            text = format!("{text} {}", collapse(next));
        }
    }
    Some(Title { text, language })
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The profession named in the title or the first lines.
pub fn profession(doc: &SourceDocument, title: &Title) -> Option<&'static str> {
    metadata::profession_in(&title.text)
        .or_else(|| first_lines(doc, HEADER_LINES).find_map(metadata::profession_in))
}

/// A convention's period: its first day and, when it says, its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:conclue? pour l'année|gesloten voor het jaar|geldt voor het jaar|afgesloten voor het jaar)\s+(\d{4})")
        .expect("valid regex")
});
static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:conclue? pour les années|gesloten voor de jaren)\s+(\d{4})\s+(?:et|en)\s+(\d{4})",
    )
    .expect("valid regex")
});
static SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:conclue? pour (?:la|une) période (?:allant )?du|gesloten voor (?:de|een) periode van)\s+({DATE})\s+(?:au|tot(?: en met)?)\s+({DATE})"
    ))
    .expect("valid regex")
});
static IN_FORCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:entre en vigueur|produit ses effets|est d'application|s'applique|treedt in werking|heeft uitwerking|is van toepassing|van toepassing)\s+(?:le|à partir du|a partir du|dès le|op|vanaf|met ingang van)\s+({DATE})"
    ))
    .expect("valid regex")
});

/// What the period patterns look for, for the message when none matches.
pub const PERIOD_LOOKED_FOR: &str = "no period found (`La convention est conclue pour l'année 2021`, `De overeenkomst wordt gesloten voor het jaar 2021`, or a date of entry into force such as `entre en vigueur le 1er janvier 2023` / `treedt in werking op 1 januari 2023`)";

/// The period the text states.
pub fn period(text: &str) -> Option<Period> {
    let year = |y: &str| y.parse::<i32>().ok();
    if let Some(c) = YEAR.captures(text) {
        let y = year(&c[1])?;
        return Some(Period {
            start: NaiveDate::from_ymd_opt(y, 1, 1)?,
            end: NaiveDate::from_ymd_opt(y, 12, 31),
        });
    }
    if let Some(c) = YEARS.captures(text) {
        return Some(Period {
            start: NaiveDate::from_ymd_opt(year(&c[1])?, 1, 1)?,
            end: NaiveDate::from_ymd_opt(year(&c[2])?, 12, 31),
        });
    }
    if let Some(c) = SPAN.captures(text) {
        return Some(Period {
            start: dates::find_written(&c[1])?,
            end: dates::find_written(&c[2]),
        });
    }
    let start = IN_FORCE
        .captures_iter(text)
        .filter_map(|c| dates::find_written(&c[1]))
        .min()?;
    Some(Period { start, end: None })
}

static CONCLUDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:réunion de la Commission de conventions[^.]{{0,200}}? du|vergadering van de Overeenkomstencommissie[^.]{{0,200}}? van|Fait à \p{{L}}+,? le|Gedaan te \p{{L}}+,? op)\s+({DATE})"
    ))
    .expect("valid regex")
});

/// The day the convention was concluded (its meeting, else where it was signed).
pub fn concluded_on(text: &str) -> Option<NaiveDate> {
    CONCLUDED
        .captures(text)
        .and_then(|c| dates::find_written(&c[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> SourceDocument {
        SourceDocument::from_text("c.txt", text)
    }

    #[test]
    fn real_titles_in_both_languages() {
        for (text, language) in [
            ("CONVENTION\n\nENTRE LES KINESITHERAPEUTES ET LES ORGANISMES ASSUREURS\n", Language::Fr),
            ("Texte de convention M/25 adopté par le Comité de l'assurance pour les kinésithérapeutes\n", Language::Fr),
            ("Avenant à la convention M/22\nentre les kinésithérapeutes et les organismes assureurs\n", Language::Fr),
            ("NATIONALE OVEREENKOMST TUSSEN DE KINESITHERAPEUTEN EN DE VERZEKERINGSINSTELLINGEN\n", Language::Nl),
            ("Wijzigingsclausule bij de overeenkomst M/22\nkinesitherapeuten\n", Language::Nl),
        ] {
            let d = doc(text);
            let t = title(&d).unwrap_or_else(|| panic!("a title in {text:?}"));
            assert_eq!(t.language, language, "{text:?}");
            assert_eq!(profession(&d, &t), Some("physiotherapy"), "{text:?}");
        }
        assert!(title(&doc(
            "Tarifs ; Kinésithérapeutes ; 01-01-2024\nconvention nationale\n"
        ))
        .is_none());
        assert!(title(&doc("Hello\n")).is_none());
    }

    #[test]
    fn periods_from_a_year_a_span_or_an_entry_into_force() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            period("La convention est conclue pour l'année 2021.")
                .unwrap()
                .start,
            d(2021, 1, 1)
        );
        assert_eq!(
            period("De overeenkomst wordt gesloten voor het jaar 2021.")
                .unwrap()
                .end,
            Some(d(2021, 12, 31))
        );
        assert_eq!(
            period("Deze wijzigingsclausule treedt in werking op 1 januari 2023.")
                .unwrap()
                .start,
            d(2023, 1, 1)
        );
        assert_eq!(
            period("Le présent avenant entre en vigueur le 1er février 2025.")
                .unwrap()
                .start,
            d(2025, 2, 1)
        );
        assert!(period("Aucune date ici.").is_none());
    }
}
