//! Dates as documents write them, in French and Dutch.
//!
//! `01-01-2024`, `1er janvier 2024`, `1 januari 2024`, `22 décembre 2020`.

use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const NL_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A written date (`1er janvier 2024`) found anywhere in `text`, with its byte range.
static WRITTEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:er|re|e)?\s+(\p{L}+\.?)\s+(\d{4})\b").expect("valid regex")
});

/// Parses `dd-mm-yyyy`.
pub fn numeric(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%d-%m-%Y").ok()
}

/// Abbreviations of month names seen in French and Dutch documents.
const ABBREVIATIONS: [(&str, u32); 22] = [
    ("janv", 1),
    ("jan", 1),
    ("févr", 2),
    ("fevr", 2),
    ("fév", 2),
    ("feb", 2),
    ("mrt", 3),
    ("avr", 4),
    ("apr", 4),
    ("juil", 7),
    ("jul", 7),
    ("jun", 6),
    ("aug", 8),
    ("sept", 9),
    ("sep", 9),
    ("oct", 10),
    ("okt", 10),
    ("nov", 11),
    ("déc", 12),
    ("dec", 12),
    ("mar", 3),
    ("mai", 5),
];

/// The month number (1-12) of a French or Dutch month name, or of its
/// abbreviation (`janv.`, `sept`, `okt.`).
pub fn month(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    let name = name.trim_end_matches('.');
    // `aout` and `fevrier` appear when accents are lost in extraction.
    let name = name
        .replace("aout", "août")
        .replace("fevrier", "février")
        .replace("decembre", "décembre");
    FR_MONTHS
        .iter()
        .position(|m| *m == name)
        .or_else(|| NL_MONTHS.iter().position(|m| *m == name))
        .map(|i| i as u32 + 1)
        .or_else(|| {
            ABBREVIATIONS
                .iter()
                .find(|(a, _)| *a == name)
                .map(|(_, m)| *m)
        })
}

/// A date written in any form documents use: `1er janvier 2024`, `1 januari
/// 2024`, `1er janv. 2025`, `01-01-2024`, `01/01/2024`, `01.01.2024`.
pub fn any(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    find_written(text).or_else(|| {
        let numeric = NUMERIC.captures(text)?;
        NaiveDate::from_ymd_opt(
            numeric[3].parse().ok()?,
            numeric[2].parse().ok()?,
            numeric[1].parse().ok()?,
        )
    })
}

static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b").expect("valid regex"));

/// Finds the first written date in `text` (`1er juillet 2021`, `1 januari 2024`).
pub fn find_written(text: &str) -> Option<NaiveDate> {
    WRITTEN.captures_iter(text).find_map(|c| {
        let day = c[1].parse().ok()?;
        let year = c[3].parse().ok()?;
        NaiveDate::from_ymd_opt(year, month(&c[2])?, day)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_dutch_and_numeric_dates() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        assert_eq!(
            find_written("Date d’application : 1er janvier 2024 "),
            Some(d)
        );
        assert_eq!(
            find_written("Datum van toepassing : 1 januari 2024"),
            Some(d)
        );
        assert_eq!(numeric("01-01-2024"), Some(d));
        assert_eq!(
            find_written("conclu le 22 décembre 2020"),
            NaiveDate::from_ymd_opt(2020, 12, 22)
        );
        assert_eq!(find_written("le 31 février 2024"), None);
        assert_eq!(
            find_written("1er janv. 2025"),
            NaiveDate::from_ymd_opt(2025, 1, 1)
        );
        assert_eq!(any("01-02-2024"), NaiveDate::from_ymd_opt(2024, 2, 1));
        assert_eq!(any("31/02/2024"), None);
        assert_eq!(find_written("article 7, § 1"), None);
    }
}
