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
    fn quoted_and_block_scalars_are_left_alone() {
        let yaml = "fee: '25.60'\ntitle: \"x\"\nnote: |-\n  2024-01-01\n";
        assert_eq!(for_every_reader(yaml), yaml);
    }
}
