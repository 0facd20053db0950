//! A convention's key value for a code of several key letters: it belongs
//! to the term of its letter, not to the single fields (which hold the
//! first term only). A key value that names no letter, or a letter none of
//! the terms has, belongs to no term: it changes none of the fee's fields,
//! and the state says why ([`CodeState::not_derived`]).

use std::borrow::Cow;

use super::{CodeState, Field, Origin, Value};
use crate::model::KeyTerm;

/// What an entry does to a code of several key letters: the fields it sets,
/// and why its key value was set aside, if it was.
pub(super) struct OntoTerms<'a> {
    pub fields: Cow<'a, [(Field, Value)]>,
    pub set_aside: Option<String>,
}

/// The fields an entry sets on `state`, with a key value for one of the
/// code's terms moved into `key_terms`, and a key value for none of them
/// left out (see [`super::State::apply`]).
pub(super) fn onto_terms<'a>(
    state: &CodeState,
    fields: &'a [(Field, Value)],
    origin: &Origin,
) -> OntoTerms<'a> {
    let unchanged = OntoTerms {
        fields: Cow::Borrowed(fields),
        set_aside: None,
    };
    let Some(Value::Terms(terms)) = state.get(Field::KeyTerms) else {
        return unchanged;
    };
    let stated = |wanted: Field| fields.iter().find(|(f, _)| *f == wanted).map(|(_, v)| v);
    let Some(Value::Amount(value)) = stated(Field::KeyValue) else {
        return unchanged;
    };
    let letter = match stated(Field::KeyLetter) {
        Some(Value::Letter(c)) => Some(*c),
        _ => None,
    };
    let Some(index) = KeyTerm::only_of(terms, letter) else {
        let named = letter.map_or("names no key letter".to_string(), |l| {
            format!("is for key letter {l}")
        });
        let line = origin
            .source_line
            .map_or(String::new(), |l| format!(":{l}"));
        let why = format!(
            "the key value {value} of {}{line} (from {}) {named}, and the fee is a sum of the key letters {}: it could be any term's, so it changes none of the fee's fields",
            origin.source,
            origin.effective_from,
            KeyTerm::letters(terms)
        );
        let kept = fields
            .iter()
            .filter(|(f, _)| !matches!(f, Field::KeyLetter | Field::KeyValue))
            .cloned()
            .collect();
        return OntoTerms {
            fields: Cow::Owned(kept),
            set_aside: Some(why),
        };
    };
    let mut terms = terms.to_vec();
    terms[index].key_value = *value;
    // The single fields hold the first term: only its value may change them.
    let first = index == 0;
    let mut out: Vec<(Field, Value)> = fields
        .iter()
        .filter(|(f, _)| first || !matches!(f, Field::KeyLetter | Field::KeyValue))
        .cloned()
        .collect();
    out.push((Field::KeyTerms, Value::Terms(terms.into())));
    OntoTerms {
        fields: Cow::Owned(out),
        set_aside: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Origin, State};
    use super::*;
    use crate::code::Code;
    use crate::model::KeyTerm;

    fn origin(line: usize) -> Origin {
        Origin {
            snapshot: "s".into(),
            source: "s.txt".into(),
            effective_from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            source_line: Some(line),
            source_page: None,
            commit: None,
        }
    }

    fn amount(s: &str) -> Value {
        Value::Amount(s.parse().unwrap())
    }

    /// 105755 as the doctors' table states it, then a convention's key value.
    fn after(entry: &[(Field, Value)]) -> CodeState {
        let code = Code::parse("105755").unwrap();
        let term = |key_letter, key_value: &str, coefficient: &str| KeyTerm {
            key_letter,
            key_value: key_value.parse().unwrap(),
            coefficient: coefficient.parse().unwrap(),
        };
        let terms = vec![term('N', "3.372107", "8"), term('Q', "0.195645", "30")];
        let mut state = State::default();
        state.apply(
            code,
            &[
                (Field::KeyLetter, Value::Letter('N')),
                (Field::KeyValue, amount("3.372107")),
                (Field::KeyTerms, Value::Terms(terms.into())),
            ],
            &origin(13),
        );
        state.apply(code, entry, &origin(200));
        state.codes[&code].clone()
    }

    fn shown(state: &CodeState, field: Field) -> String {
        state.get(field).unwrap().to_string()
    }

    #[test]
    fn a_value_for_the_second_letter_changes_its_term_only() {
        let s = after(&[
            (Field::KeyLetter, Value::Letter('Q')),
            (Field::KeyValue, amount("0.2")),
        ]);
        assert_eq!(shown(&s, Field::KeyTerms), "N 8 × 3.372107 + Q 30 × 0.2");
        assert_eq!(shown(&s, Field::KeyLetter), "N");
        assert_eq!(shown(&s, Field::KeyValue), "3.372107");
        assert_eq!(s.origin_of(Field::KeyTerms).source_line, Some(200));
        assert_eq!(s.origin_of(Field::KeyValue).source_line, Some(13));
    }

    #[test]
    fn a_value_for_the_first_letter_changes_its_term_and_the_single_fields() {
        let s = after(&[
            (Field::KeyLetter, Value::Letter('N')),
            (Field::KeyValue, amount("3.5")),
        ]);
        assert_eq!(shown(&s, Field::KeyTerms), "N 8 × 3.5 + Q 30 × 0.195645");
        assert_eq!(shown(&s, Field::KeyValue), "3.5");
    }

    #[test]
    fn a_value_of_no_letter_or_another_letter_changes_nothing_and_says_why() {
        for (entry, named) in [
            (
                vec![(Field::KeyValue, amount("1.5"))],
                "names no key letter",
            ),
            (
                vec![
                    (Field::KeyLetter, Value::Letter('K')),
                    (Field::KeyValue, amount("1.5")),
                ],
                "is for key letter K",
            ),
        ] {
            let s = after(&entry);
            assert_eq!(shown(&s, Field::KeyLetter), "N", "{named}");
            assert_eq!(shown(&s, Field::KeyValue), "3.372107", "{named}");
            assert_eq!(
                shown(&s, Field::KeyTerms),
                "N 8 × 3.372107 + Q 30 × 0.195645"
            );
            assert_eq!(s.origin.source_line, Some(13), "nothing was set");
            let why = &s.not_derived[&Field::KeyValue];
            assert!(
                why.contains(&format!(
                    "the key value 1.5 of s.txt:200 (from 2025-01-01) {named}"
                )) && why.contains("key letters N, Q"),
                "{why}"
            );
        }
    }

    #[test]
    fn a_later_value_for_a_term_clears_the_reason() {
        let code = Code::parse("105755").unwrap();
        let mut s = after(&[
            (Field::KeyLetter, Value::Letter('K')),
            (Field::KeyValue, amount("1.5")),
        ]);
        let mut state = State::default();
        state.codes.insert(code, s);
        state.apply(
            code,
            &[
                (Field::KeyLetter, Value::Letter('Q')),
                (Field::KeyValue, amount("0.2")),
            ],
            &origin(300),
        );
        s = state.codes[&code].clone();
        assert!(s.not_derived.is_empty(), "{:?}", s.not_derived);
        assert_eq!(shown(&s, Field::KeyTerms), "N 8 × 3.372107 + Q 30 × 0.2");
    }
}
