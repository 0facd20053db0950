//! What a NomenSoft fee code means, read from its description words.
//!
//! The words, both languages (seen in NomenSoft and in the importers that
//! read it): fee = honoraire / honorarium; insurance intervention =
//! intervention (de l'assurance) / tegemoetkoming, with or without the
//! preferential regime (régime préférentiel / voorkeurregeling); personal
//! share = quote-part personnelle / persoonlijk aandeel, remgeld, ticket
//! modérateur. One table of words, matched on whole lower-case words.

use crate::model::Category;

/// Words that say what an amount is.
const KIND_WORDS: [(&str, Kind); 9] = [
    ("honoraire", Kind::Fee),
    ("honoraires", Kind::Fee),
    ("honorarium", Kind::Fee),
    ("intervention", Kind::Intervention),
    ("tegemoetkoming", Kind::Intervention),
    ("quote-part", Kind::Share),
    ("aandeel", Kind::Share),
    ("remgeld", Kind::Share),
    ("modérateur", Kind::Share),
];

/// Words that say "with the preferential regime" and "without".
const WITH: [&str; 4] = ["avec", "met", "vip", "bim"];
const WITHOUT: [&str; 3] = ["sans", "zonder", "geen"];
const PREFERENTIAL: [&str; 4] = [
    "préférentiel",
    "preferentiel",
    "voorkeurregeling",
    "voorkeurtarief",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Fee,
    Intervention,
    Share,
}

/// The category the French and Dutch descriptions name; both must agree
/// when both are given.
pub fn of(fr: Option<&str>, nl: Option<&str>) -> Category {
    let read: Vec<Category> = [fr, nl].into_iter().flatten().map(one).collect();
    match read.as_slice() {
        [] => Category::Unknown,
        [first, rest @ ..] if rest.iter().all(|c| c == first) => *first,
        _ => Category::Unknown,
    }
}

fn one(description: &str) -> Category {
    let text = description.to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let kinds: Vec<Kind> = KIND_WORDS
        .iter()
        .filter(|(w, _)| words.contains(w))
        .map(|(_, k)| *k)
        .collect();
    let Some(kind) = kinds.first().copied() else {
        return Category::Unknown;
    };
    if kinds.iter().any(|k| *k != kind) {
        return Category::Unknown;
    }
    // "avec/sans régime préférentiel", "met/zonder voorkeurregeling".
    let preferential = match (has(&PREFERENTIAL), has(&WITHOUT), has(&WITH)) {
        (true, true, _) => Some(false),
        (true, false, _) => Some(true),
        (false, _, _) => None,
    };
    match (kind, preferential) {
        (Kind::Fee, None) => Category::Fee,
        (Kind::Intervention, Some(true)) => Category::InterventionPreferential,
        (Kind::Intervention, Some(false)) => Category::InterventionStandard,
        (Kind::Share, Some(true)) => Category::PersonalSharePreferential,
        (Kind::Share, Some(false)) => Category::PersonalShareStandard,
        _ => Category::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_in_both_languages() {
        assert_eq!(of(Some("Honoraire"), Some("Honorarium")), Category::Fee);
        assert_eq!(
            of(
                Some("Intervention de l'assurance avec régime préférentiel"),
                Some("Tegemoetkoming met voorkeurregeling")
            ),
            Category::InterventionPreferential
        );
        assert_eq!(
            of(Some("Intervention sans régime préférentiel"), None),
            Category::InterventionStandard
        );
        assert_eq!(
            of(None, Some("Persoonlijk aandeel zonder voorkeurregeling")),
            Category::PersonalShareStandard
        );
        assert_eq!(
            of(
                Some("Quote-part personnelle avec régime préférentiel"),
                None
            ),
            Category::PersonalSharePreferential
        );
    }

    #[test]
    fn unknown_or_contradicting_words_are_unknown() {
        assert_eq!(of(Some("Supplément"), None), Category::Unknown);
        assert_eq!(
            of(Some("Intervention"), None),
            Category::Unknown,
            "which regime?"
        );
        assert_eq!(
            of(Some("Honoraire"), Some("Remgeld zonder voorkeurregeling")),
            Category::Unknown
        );
        assert_eq!(of(None, None), Category::Unknown);
    }
}
