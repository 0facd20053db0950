//! Layout never changes what a convention says, and an item that cannot be
//! read is a finding at its line: never fewer values with exit 0.
//!
//! Each test builds a copy of the 2021 convention with one change and
//! compares every key-value assignment (letter, value, date, code) with the
//! original's 192.

use std::collections::BTreeSet;

use inami_tariffs::findings::Finding;
use inami_tariffs::parse::ParsedDocument;
use inami_tariffs::pipeline::{self, Checked};
use inami_tariffs::source::SourceDocument;
use proptest::prelude::*;

const ORIGINAL: &str = include_str!("../sources/physiotherapy/2021-01-01-convention.fr.txt");

type Assignment = (Option<char>, String, Option<String>, String);

fn read(text: &str) -> (BTreeSet<Assignment>, usize, Vec<Finding>) {
    let doc = SourceDocument::from_text("c.fr.txt", text);
    let Checked {
        parsed, findings, ..
    } = pipeline::parse_and_validate(&doc).unwrap();
    let ParsedDocument::Convention(c) = parsed else {
        panic!("a convention")
    };
    let mut set = BTreeSet::new();
    let mut count = 0;
    for l in &c.convention.key_values {
        for code in &l.codes {
            count += 1;
            set.insert((
                l.key_letter,
                l.value.normalize().to_string(),
                l.effective_from.map(|d| d.to_string()),
                code.to_string(),
            ));
        }
    }
    (set, count, findings)
}

fn original() -> BTreeSet<Assignment> {
    let (set, count, findings) = read(ORIGINAL);
    assert_eq!(count, 192);
    assert!(findings.is_empty(), "{findings:#?}");
    set
}

/// The original with line `n` (1-based) edited.
fn edit_line(n: usize, from: &str, to: &str) -> String {
    let mut lines: Vec<String> = ORIGINAL.split('\n').map(String::from).collect();
    assert!(lines[n - 1].contains(from), "line {n}: {}", lines[n - 1]);
    lines[n - 1] = lines[n - 1].replacen(from, to, 1);
    lines.join("\n")
}

fn assert_same(name: &str, text: &str) {
    let (set, count, findings) = read(text);
    let errors: Vec<_> = findings.iter().filter(|f| f.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    assert_eq!(count, 192, "{name}");
    assert_eq!(set, original(), "{name}");
}

#[test]
fn layout_changes_give_the_same_192_assignments() {
    let bullets = |b: &str| {
        ORIGINAL
            .split('\n')
            .map(|l| match l.strip_prefix("- ") {
                Some(rest) => format!("{b} {rest}"),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let cases: Vec<(&str, String)> = vec![
        ("crlf", ORIGINAL.replace('\n', "\r\n")),
        ("tabs", ORIGINAL.replace(' ', "\t")),
        ("non-breaking spaces", ORIGINAL.replace(' ', "\u{a0}")),
        ("thin spaces", ORIGINAL.replace(", ", ",\u{2009}")),
        (
            "narrow no-break spaces",
            ORIGINAL.replace(" pour", "\u{202f}pour"),
        ),
        ("typographic apostrophes", ORIGINAL.replace('\'', "’")),
        ("straight apostrophes", ORIGINAL.replace('’', "'")),
        ("en dash bullets", bullets("–")),
        ("em dash bullets", bullets("—")),
        ("round bullets", bullets("•")),
        (
            "et before the last code",
            edit_line(233, "560011, 560092", "560011 et 560092"),
        ),
        (
            "ou before the last code",
            edit_line(272, "561713 en 561724", "561713 ou 561724"),
        ),
        (
            "a page number inside a list",
            edit_line(266, "- 0,587500", "\n12\n\n- 0,587500"),
        ),
        ("a decimal point", edit_line(241, "0,826875", "0.826875")),
        (
            "a zero-width space",
            edit_line(241, "560416", "5604\u{200b}16"),
        ),
    ];
    for (name, text) in cases {
        assert_same(name, &text);
    }
}

#[test]
fn an_unreadable_item_is_an_error_at_its_line_and_the_rest_is_still_read() {
    let cases = [
        (
            "pour les codes",
            edit_line(241, "pour les prestations", "pour les codes"),
        ),
        ("split value", edit_line(241, "0,826875", "0,826 875")),
        ("five-digit code", edit_line(241, "560416,", "56041,")),
        ("seven-digit code", edit_line(241, "560416,", "5604161,")),
        ("letters in a code", edit_line(241, "560416,", "56O416,")),
        ("no value", edit_line(241, "- 0,826875 ", "- ")),
        ("garbled word", edit_line(241, "prestations", "prestatlons")),
    ];
    let original = original();
    // The list of line 241 holds 15 assignments; the 25 other lists 177.
    let others: BTreeSet<Assignment> = original
        .iter()
        .filter(|a| a.1 != "0.826875")
        .cloned()
        .collect();
    assert_eq!(others.len(), 177);
    for (name, text) in cases {
        let (set, _, findings) = read(&text);
        let at_line: Vec<_> = findings
            .iter()
            .filter(|f| f.is_error() && f.location.line == Some(241))
            .collect();
        assert!(
            !at_line.is_empty(),
            "{name}: an error at line 241: {findings:#?}"
        );
        assert!(
            at_line
                .iter()
                .all(|f| f.rule.id() == "unreadable-statement"),
            "{name}: {at_line:#?}"
        );
        assert!(
            others.is_subset(&set),
            "{name}: every other list still read"
        );
    }
}

#[test]
fn a_dutch_convention_text_is_read_too() {
    let text = include_str!("fixtures/convention/wijzigingsclausule-kine-sample.nl.txt");
    let (set, count, findings) = read(text);
    assert!(findings.iter().all(|f| !f.is_error()), "{findings:#?}");
    assert_eq!(
        count, 36,
        "10 + 8 + 4 + 8 codes from 1 January, 6 from 1 April"
    );
    assert!(set.contains(&(
        Some('M'),
        "0.95875".into(),
        Some("2023-04-01".into()),
        "564432".into()
    )));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any re-wrapping of the lines (joining a line to the next, or
    /// splitting one at a space) gives the same key values.
    #[test]
    fn any_rewrapping_gives_the_same_key_values(seed in any::<u64>()) {
        let mut rng = seed | 1;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let page_number = |l: &str| {
            let t = l.trim();
            !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit())
        };
        let mut out: Vec<String> = Vec::new();
        for line in ORIGINAL.split('\n') {
            let joinable = out.last().is_some_and(|l: &String| !l.trim().is_empty() && !page_number(l))
                && !line.trim().is_empty()
                && !page_number(line);
            if joinable && next() % 3 == 0 {
                let last = out.last_mut().unwrap();
                *last = format!("{} {}", last.trim_end(), line.trim_start());
                continue;
            }
            let words: Vec<&str> = line.split(' ').collect();
            if words.len() > 4 && next() % 3 == 0 {
                let cut = 1 + (next() as usize) % (words.len() - 1);
                out.push(words[..cut].join(" "));
                out.push(words[cut..].join(" "));
            } else {
                out.push(line.to_string());
            }
        }
        let (set, count, findings) = read(&out.join("\n"));
        prop_assert!(findings.iter().all(|f| !f.is_error()), "{:#?}", findings);
        prop_assert_eq!(count, 192);
        prop_assert_eq!(set, original());
    }
}
