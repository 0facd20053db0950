//! Quoting for every YAML reader, YAML 1.1 and 1.2 alike.
//!
//! `serde_yaml` writes a string plainly whenever YAML 1.2 would read it back
//! as a string. YAML 1.1 readers (PyYAML, ruamel in 1.1 mode, go-yaml v2,
//! Ruby) read some of those plain scalars as other types: `2024-01-01` as a
//! date, `N` / `yes` / `off` as booleans, `12:30` and `1_000` as numbers. A
//! snapshot must load to the same values everywhere, so such scalars are
//! single-quoted here. A plain scalar `serde_yaml` writes for a real number,
//! boolean or null never has those shapes, so only strings are touched.

use std::sync::LazyLock;

use regex::Regex;

/// A plain scalar a YAML 1.1 reader would not read as a string.
static RETYPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\d{4}-\d{1,2}-\d{1,2}(?:[Tt ].*)?|[yYnN]|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|[-+]?\d[\d_]*_[\d_]*(?:\.[\d_]*)?)$",
    )
    .expect("valid regex")
});

/// `key: value` or `- value` (with its indentation), for a one-line scalar.
static SCALAR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<head>\s*(?:- )*(?:[A-Za-z_][A-Za-z0-9_]*: |- ))(?P<value>[^'\x22|>].*)$")
        .expect("valid regex")
});

/// Single-quotes every plain scalar of `yaml` that a YAML 1.1 reader would retype.
pub fn for_every_reader(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + yaml.len() / 16);
    for line in yaml.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        if !may_retype(body) {
            out.push_str(body);
            out.push_str(end);
            continue;
        }
        match SCALAR_LINE.captures(body) {
            Some(c) if RETYPED.is_match(&c["value"]) => {
                out.push_str(&c["head"]);
                out.push('\'');
                out.push_str(&c["value"]);
                out.push('\'');
            }
            _ => out.push_str(body),
        }
        out.push_str(end);
    }
    out
}

/// A quick test that no suffix of `line` can match [`RETYPED`], so the
/// line needs no regex: most lines of a snapshot (codes, fees, titles) fail
/// it. Each shape of `RETYPED` leaves a trace: a word of YAML 1.1 is the
/// whole last word of the line; a date has four digits then `-`; a
/// sexagesimal a digit or `_` then `:`; an underscored number a digit or
/// `_` then `_`. (`char::is_numeric` covers the regex's Unicode `\d`.)
fn may_retype(line: &str) -> bool {
    let last = line.rsplit(' ').next().unwrap_or_default();
    if last.len() <= 3 && last.starts_with(['y', 'Y', 'n', 'N', 'o', 'O']) {
        return true;
    }
    let mut digits = 0;
    let mut previous = ' ';
    for c in line.chars() {
        let after_number = previous.is_numeric() || previous == '_';
        if (c == '-' && digits >= 4) || ((c == ':' || c == '_') && after_number) {
            return true;
        }
        digits = if c.is_numeric() { digits + 1 } else { 0 };
        previous = c;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_booleans_of_yaml_1_1_and_sexagesimals_are_quoted() {
        let yaml = "effective_from: 2024-01-01\nkey_letter: N\nkey_letter: M\n- key_letter: Y\n  maximum: true\n  source_line: 12\n  title: yes\n- 12:30\nconcluded_on: null\n";
        assert_eq!(
            for_every_reader(yaml),
            "effective_from: '2024-01-01'\nkey_letter: 'N'\nkey_letter: M\n- key_letter: 'Y'\n  maximum: true\n  source_line: 12\n  title: 'yes'\n- '12:30'\nconcluded_on: null\n"
        );
    }

    #[test]
    fn the_quick_test_never_skips_a_line_the_regex_would_quote() {
        let lines = [
            "a: 2024-01-01",
            "a: 2024-1-1T10:00",
            "- y",
            "  - - OFF",
            "a: 1_000",
            "a: +1__2",
            "a: 12:30",
            "a: -1_:30.5",
            "a: \u{663}\u{663}\u{663}\u{663}-1-1",
        ];
        for line in lines {
            assert!(may_retype(line), "{line}");
            assert_ne!(for_every_reader(line), line, "{line}");
        }
        for line in [
            "  code: 560011",
            "  fee: 25.60",
            "  source_line: 12",
            "  title: Séance",
        ] {
            assert!(!may_retype(line), "{line}");
        }
    }

    #[test]
    fn quoted_and_block_scalars_are_left_alone() {
        let yaml = "fee: '25.60'\ntitle: \"x\"\nnote: |-\n  2024-01-01\n";
        assert_eq!(for_every_reader(yaml), yaml);
    }
}
