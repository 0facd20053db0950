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
    Regex::new(r"(?i)\b(\d{1,2})(?:er|e)?\s+(\p{L}+)\s+(\d{4})\b").expect("valid regex")
});

/// Parses `dd-mm-yyyy`.
pub fn numeric(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%d-%m-%Y").ok()
}

/// The month number (1-12) of a French or Dutch month name.
pub fn month(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    // `aout` and `fevrier` appear when accents are lost in extraction.
    let name = name.replace("aout", "août").replace("fevrier", "février");
    let name = name.replace("decembre", "décembre");
    FR_MONTHS
        .iter()
        .position(|m| *m == name)
        .or_else(|| NL_MONTHS.iter().position(|m| *m == name))
        .map(|i| i as u32 + 1)
}

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
        assert_eq!(find_written("article 7, § 1"), None);
    }
}
