//! Code lists in prose: `560011, 560092 et 560114`, `561713 en 561724`,
//! pairs `560534-560545`, wrapped anywhere.
//!
//! Every token must be a six-digit code: a list holding anything else (five
//! or seven digits, `56OO11`) is reported at that token rather than read
//! short.

use crate::code::Code;

/// A token that is not a code, and where it stands in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCode {
    /// Byte offset of the token in the list text.
    pub offset: usize,
    pub token: String,
}

/// Reads every code of a list, or says which token is not a code.
pub fn read(list: &str) -> Result<Vec<Code>, BadCode> {
    let mut codes = Vec::new();
    for (offset, token) in tokens(list) {
        let token = token.trim_matches(|c: char| matches!(c, ';' | '.' | ':' | ')' | '('));
        if token.is_empty() || is_joiner(token) {
            continue;
        }
        match Code::parse(token) {
            Some(code) => codes.push(code),
            None => {
                return Err(BadCode {
                    offset,
                    token: token.to_string(),
                })
            }
        }
    }
    if codes.is_empty() {
        return Err(BadCode {
            offset: 0,
            token: list.trim().to_string(),
        });
    }
    Ok(codes)
}

fn is_joiner(token: &str) -> bool {
    matches!(
        token.to_lowercase().as_str(),
        "et" | "en" | "ou" | "of" | "-" | "–" | ","
    )
}

/// Tokens split at spaces, commas and pair dashes, with their offsets.
fn tokens(list: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in list.char_indices() {
        let separator = c.is_whitespace() || matches!(c, ',' | '-' | '–');
        match (separator, start) {
            (true, Some(s)) => {
                out.push((s, &list[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &list[s..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &str) -> Vec<String> {
        read(list).unwrap().iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn separators_conjunctions_and_pairs() {
        assert_eq!(
            strings("560011, 560092 et 560114"),
            ["560011", "560092", "560114"]
        );
        assert_eq!(strings("561713 en 561724 ;"), ["561713", "561724"]);
        assert_eq!(
            strings("560534- 560545, 563570-563581"),
            ["560534", "560545", "563570", "563581"]
        );
        assert_eq!(strings("560011 ou 560114."), ["560011", "560114"]);
    }

    #[test]
    fn anything_but_a_code_is_reported_where_it_is() {
        let e = read("560011, 56041, 560114").unwrap_err();
        assert_eq!((e.offset, e.token.as_str()), (8, "56041"));
        let e = read("560011 56OO11").unwrap_err();
        assert_eq!(e.token, "56OO11");
        assert!(read("5600111").is_err());
    }
}
