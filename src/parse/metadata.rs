//! Document metadata: title, language, effective date, profession.
//!
//! Read from the title (`Tarifs ; Kinésithérapeutes ; 01-01-2024`, Dutch
//! `Tarieven ; Kinesitherapeuten ; 01-01-2024`) and the line
//! `Date d'application : 1er janvier 2024` (`Datum van toepassing : ...`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::dates;
use super::title::{self, CONVENTION_TITLES, TARIFF_TITLES};
use crate::error::Error;
use crate::findings::{Finding, Location, Rule};
use crate::model::Language;
use crate::source::{SourceDocument, SourceLine};

/// What a tariff table says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// The title line(s), as written.
    pub title: String,
    /// The language of the title's words.
    pub language: Language,
    /// The date from which the document applies.
    pub effective_from: NaiveDate,
    /// Profession slug (`physiotherapy`).
    pub profession: String,
}

static APPLICATION_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(Date d['’]application|Datum van toepassing)\s*:\s*(.+)$")
        .expect("valid regex")
});

/// Metadata sits in a document's header: only its first lines are searched,
/// so a million-row table costs no more than a short one.
const HEADER_LINES: usize = 200;

/// Professions by the names documents give them (FR and NL), and their
/// slugs: every profession INAMI publishes tariff tables for. One table of
/// data: a profession is added here, not in code. Names are lower case; a
/// title is matched on whole words.
const PROFESSIONS: &[(&str, &[&str])] = &[
    (
        "medicine",
        &[
            "médecins",
            "medecins",
            "médecins généralistes",
            "médecins spécialistes",
            "artsen",
            "geneesheren",
            "huisartsen",
            "geneesheren-specialisten",
            "artsen-specialisten",
        ],
    ),
    (
        "dentistry",
        &[
            "dentistes",
            "praticiens de l'art dentaire",
            "tandartsen",
            "tandheelkundigen",
            "beoefenaars der tandheelkunde",
        ],
    ),
    (
        "physiotherapy",
        &[
            "kinésithérapeutes",
            "kinesitherapeutes",
            "kinesitherapeuten",
            "kinésithérapie",
            "kinesitherapie",
        ],
    ),
    (
        "nursing",
        &[
            "infirmiers",
            "infirmières",
            "praticiens de l'art infirmier",
            "soins infirmiers",
            "verpleegkundigen",
            "verpleegkundige verzorging",
        ],
    ),
    (
        "midwifery",
        &["sages-femmes", "accoucheuses", "vroedvrouwen"],
    ),
    (
        "speech-therapy",
        &[
            "logopèdes",
            "logopedes",
            "logopedisten",
            "logopédie",
            "logopedie",
        ],
    ),
    ("pharmacy", &["pharmaciens", "apothekers"]),
    ("podiatry", &["podologues", "podologen"]),
    (
        "dietetics",
        &["diététiciens", "dieteticiens", "diëtisten", "dietisten"],
    ),
    ("orthoptics", &["orthoptistes", "orthoptisten"]),
    (
        "clinical-psychology",
        &[
            "psychologues cliniciens",
            "psychologues",
            "klinisch psychologen",
            "psychologen",
        ],
    ),
    (
        "clinical-orthopedagogy",
        &["orthopédagogues cliniciens", "klinisch orthopedagogen"],
    ),
    (
        "audiology",
        &["audiciens", "audiens", "audiciens-audiologues"],
    ),
    ("optics", &["opticiens"]),
    ("bandagistry", &["bandagistes", "bandagisten"]),
    (
        "orthopedic-technology",
        &[
            "orthopédistes",
            "orthopedistes",
            "orthopedisten",
            "technologues orthopédiques",
        ],
    ),
    (
        "implants",
        &["fournisseurs d'implants", "verstrekkers van implantaten"],
    ),
];

/// The profession slug for a name printed in a document.
pub fn profession_slug(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    PROFESSIONS
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(slug, _)| *slug)
}

/// The first profession named anywhere in `text` (whole words, any case).
pub fn profession_in(text: &str) -> Option<&'static str> {
    let text = text.to_lowercase().replace(['’', '‘'], "'");
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().find_map(|(i, _)| {
        PROFESSIONS.iter().find_map(|(slug, names)| {
            names
                .iter()
                .any(|name| {
                    let parts: Vec<&str> = name.split(' ').collect();
                    words.get(i..i + parts.len()) == Some(&parts[..])
                })
                .then_some(*slug)
        })
    })
}

/// Reads the metadata of a tariff table; conflicting dates become findings.
pub fn read(doc: &SourceDocument) -> Result<(Metadata, Vec<Finding>), Error> {
    let unknown = |reason: String| Error::UnknownDocument {
        path: doc.path.clone(),
        reason,
    };
    let (title_line, found) = doc
        .lines
        .iter()
        .take(HEADER_LINES)
        .find_map(|l| Some((l, title::tariff_title(&l.text)?)))
        .ok_or_else(|| {
            unknown(format!(
                "no title was found: looked for {TARIFF_TITLES} in the first {HEADER_LINES} lines and for {CONVENTION_TITLES} in the first lines"
            ))
        })?;
    let profession = profession_slug(found.profession).ok_or_else(|| {
        unknown(format!(
            "unknown profession `{}` in the title",
            found.profession
        ))
    })?;
    let title_date = dates::numeric(found.date)
        .ok_or_else(|| unknown(format!("`{}` in the title is not a date", found.date)))?;
    let title = title_line
        .text
        .trim()
        .trim_end_matches('.')
        .trim_end()
        .to_string();
    let mut findings = date_findings(doc, title_date);
    findings.extend(other_titles(doc, title_line, found.text));
    let meta = Metadata {
        title,
        language: found.language,
        effective_from: title_date,
        profession: profession.to_string(),
    };
    Ok((meta, findings))
}

/// Every `Date d'application` line must state the title's date, in a form
/// that can be read: anywhere in the document, not only under the title.
fn date_findings(doc: &SourceDocument, title_date: NaiveDate) -> Vec<Finding> {
    let mut findings = Vec::new();
    for line in doc
        .lines
        .iter()
        .filter(|l| starts_like_a_date_line(&l.text))
    {
        let Some(caps) = APPLICATION_DATE.captures(line.text.trim()) else {
            continue;
        };
        match dates::any(&caps[2]) {
            Some(date) if date == title_date => {}
            Some(date) => findings.push(conflicting_date(doc, line, title_date, date)),
            None => findings.push(unreadable_date(doc, line, &caps[2])),
        }
    }
    findings
}

/// A cheap test before the regular expression: a table has a million lines.
fn starts_like_a_date_line(text: &str) -> bool {
    let t = text.trim_start().as_bytes();
    t.len() > 6
        && (t[..6].eq_ignore_ascii_case(b"date d") || t[..6].eq_ignore_ascii_case(b"datum "))
}

/// A second title that names another table (another date or profession):
/// a document holds one table.
fn other_titles(doc: &SourceDocument, first: &SourceLine, first_title: &str) -> Vec<Finding> {
    let normalized = |t: &str| t.trim().trim_end_matches('.').to_lowercase();
    doc.lines
        .iter()
        .filter(|l| l.number != first.number)
        .filter(|l| {
            let t = l.text.trim_start().as_bytes();
            t.len() > 6
                && (t[..6].eq_ignore_ascii_case(b"tarifs")
                    || t[..6].eq_ignore_ascii_case(b"tarief"))
        })
        .filter(|l| {
            title::is_tariff_title(&l.text) && normalized(&l.text) != normalized(first_title)
        })
        .map(|l| {
            Finding::new(
                Rule::MixedDocument,
                whole_line(doc, l),
                "a second title with its own date or profession: a document holds one table",
            )
            .expected_found(
                format!("`{}` or no title", first_title.trim().trim_end_matches('.')),
                format!("`{}`", l.text.trim()),
            )
        })
        .collect()
}

fn whole_line(doc: &SourceDocument, line: &SourceLine) -> Location {
    Location::whole_line(&doc.display_path().into(), line)
}

fn unreadable_date(doc: &SourceDocument, line: &SourceLine, written: &str) -> Finding {
    Finding::new(
        Rule::UnreadableDate,
        whole_line(doc, line),
        "the date of application cannot be read",
    )
    .expected_found(
        "a date like `1er janvier 2024` or `01-01-2024`",
        format!("`{}`", written.trim()),
    )
}

fn conflicting_date(
    doc: &SourceDocument,
    line: &SourceLine,
    title_date: NaiveDate,
    stated: NaiveDate,
) -> Finding {
    let location = Location {
        file: doc.display_path().into(),
        line: Some(line.number),
        page: line.page,
        column: None,
        width: 0,
        text: Some(line.text.clone()),
    };
    Finding::new(
        Rule::ConflictingDate,
        location,
        "the date of application differs from the date in the title",
    )
    .expected_found(title_date.to_string(), stated.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> SourceDocument {
        SourceDocument::from_text("t.txt", text)
    }

    #[test]
    fn french_and_dutch_titles() {
        let (m, f) = read(&doc(" Tarifs ; Kinésithérapeutes ; 01-01-2024. \n")).unwrap();
        assert_eq!(m.title, "Tarifs ; Kinésithérapeutes ; 01-01-2024");
        assert_eq!(m.language, Language::Fr);
        assert_eq!(m.profession, "physiotherapy");
        assert_eq!(m.effective_from.to_string(), "2024-01-01");
        assert!(f.is_empty());
        let (m, _) = read(&doc("Tarieven ; Kinesitherapeuten ; 01-02-2024\n")).unwrap();
        assert_eq!(m.language, Language::Nl);
        assert_eq!(m.effective_from.to_string(), "2024-02-01");
    }

    #[test]
    fn a_conflicting_application_date_is_a_finding() {
        let text =
            "Tarifs ; Kinésithérapeutes ; 01-01-2024\nDate d’application : 1er février 2024\n";
        let (_, f) = read(&doc(text)).unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, Rule::ConflictingDate);
        assert_eq!(f[0].location.line, Some(2));
    }

    #[test]
    fn unknown_documents_are_errors() {
        let e = read(&doc("Hello\n")).unwrap_err();
        assert!(e.to_string().contains("no title"), "{e}");
        let e = read(&doc("Tarifs ; Astronautes ; 01-01-2024\n")).unwrap_err();
        assert!(
            e.to_string().contains("unknown profession `Astronautes`"),
            "{e}"
        );
    }
}
