//! Document titles: the first lines that say what a document is, in French
//! and Dutch.
//!
//! A tariff table opens with `Tarifs ; Kinésithérapeutes ; 01-01-2024`
//! (`Tarieven ; Kinesitherapeuten ; 01-01-2024`). A convention is known by
//! its real titles: "CONVENTION ENTRE LES KINESITHERAPEUTES ET LES
//! ORGANISMES ASSUREURS", "Texte de convention M/25 adopté par le Comité de
//! l'assurance ...", "Avenant à la convention M/22", "NATIONALE
//! OVEREENKOMST TUSSEN DE KINESITHERAPEUTEN EN DE
//! VERZEKERINGSINSTELLINGEN", "Wijzigingsclausule bij de overeenkomst M/22".
//!
//! Each family recognizes its own title and refuses the other's inside it
//! (a document holds one kind), so both ask here, and neither asks the other.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::Language;

static TARIFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Tarifs|Tarieven)\s*;\s*([^;]+?)\s*;\s*(\d{2}-\d{2}-\d{4})\s*\.?$")
        .expect("valid regex")
});
static CONVENTION_FR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:CONVENTION\b|Convention (?:nationale )?entre\b|(?i:texte de (?:la )?convention\b|avenant\b.{0,40}\bconvention\b)|ACCORD NATIONAL\b|Accord national\b)")
        .expect("valid regex")
});
static CONVENTION_NL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:NATIONALE )?OVEREENKOMST\b|(?:Nationale o|O)vereenkomst tussen\b|(?i:tekst van (?:de )?overeenkomst\b|wijzigingsclausule\b)|NATIONAAL AKKOORD\b|Nationaal akkoord\b)")
        .expect("valid regex")
});

/// What the tariff title patterns look for, for the message when none matches.
pub const TARIFF_TITLES: &str =
    "a tariff table's title (`Tarifs ; Kinésithérapeutes ; 01-01-2024`, `Tarieven ; Kinesitherapeuten ; 01-01-2024`)";

/// What the convention title patterns look for, for the message when none matches.
pub const CONVENTION_TITLES: &str = "a convention title (`CONVENTION ENTRE LES KINESITHERAPEUTES ET LES ORGANISMES ASSUREURS`, `Texte de convention M/25 ...`, `Avenant à la convention M/22`, `NATIONALE OVEREENKOMST TUSSEN ...`, `Wijzigingsclausule bij de overeenkomst M/22`)";

/// A tariff table's title, in its parts as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TariffTitle<'a> {
    /// The whole title (the line, trimmed).
    pub text: &'a str,
    /// `Tarifs` is French, `Tarieven` Dutch.
    pub language: Language,
    /// The profession as named (`Kinésithérapeutes`).
    pub profession: &'a str,
    /// The date as written (`01-01-2024`).
    pub date: &'a str,
}

/// The tariff title a line holds, if it is one (spaces around it aside).
pub fn tariff_title(line: &str) -> Option<TariffTitle<'_>> {
    let caps = TARIFF.captures(line.trim())?;
    let part = |i| caps.get(i).expect("a group of the title").as_str();
    Some(TariffTitle {
        text: part(0),
        language: if part(1) == "Tarifs" {
            Language::Fr
        } else {
            Language::Nl
        },
        profession: part(2),
        date: part(3),
    })
}

/// Whether a line is the title of a tariff table.
pub fn is_tariff_title(line: &str) -> bool {
    TARIFF.is_match(line.trim())
}

/// The language of the convention title a line holds (spaces before it
/// aside), if it is one.
pub fn convention_title_language(line: &str) -> Option<Language> {
    let line = line.trim_start();
    if CONVENTION_NL.is_match(line) {
        Some(Language::Nl)
    } else if CONVENTION_FR.is_match(line) {
        Some(Language::Fr)
    } else {
        None
    }
}

/// Whether a line is a convention title (for documents of other kinds that
/// must not hold one).
pub fn is_convention_title(line: &str) -> bool {
    convention_title_language(line).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_title_is_one_family_s_and_says_its_language() {
        let table = tariff_title(" Tarieven ; Kinesitherapeuten ; 01-01-2024. ").unwrap();
        assert_eq!(table.text, "Tarieven ; Kinesitherapeuten ; 01-01-2024.");
        assert_eq!(
            (table.language, table.profession, table.date),
            (Language::Nl, "Kinesitherapeuten", "01-01-2024")
        );
        assert_eq!(
            convention_title_language("Avenant à la convention M/22"),
            Some(Language::Fr)
        );
        assert_eq!(
            convention_title_language("  Wijzigingsclausule bij de overeenkomst M/22"),
            Some(Language::Nl)
        );
        for line in [
            "Tarifs ; Kinésithérapeutes ; 01-01-2024",
            "convention nationale",
        ] {
            assert!(!is_convention_title(line), "{line}");
        }
        assert!(!is_tariff_title("CONVENTION ENTRE LES KINESITHERAPEUTES"));
    }
}
