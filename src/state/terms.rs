//! A convention's key value for a code of several key letters: it belongs
//! to the term of its letter, not to the single fields (which hold the
//! first term only).

use std::borrow::Cow;

use super::{CodeState, Field, Value};

/// The fields an entry sets on `state`, with a key value for one of the
/// code's terms moved into `key_terms` (see [`super::State::apply`]).
pub(super) fn onto_terms<'a>(
    state: &CodeState,
    fields: &'a [(Field, Value)],
) -> Cow<'a, [(Field, Value)]> {
    let Some(Value::Terms(terms)) = state.get(Field::KeyTerms) else {
        return Cow::Borrowed(fields);
    };
    let stated = |wanted: Field| fields.iter().find(|(f, _)| *f == wanted).map(|(_, v)| v);
    let (Some(Value::Letter(letter)), Some(Value::Amount(value))) =
        (stated(Field::KeyLetter), stated(Field::KeyValue))
    else {
        return Cow::Borrowed(fields);
    };
    let mut matching = terms
        .iter()
        .enumerate()
        .filter(|(_, t)| t.key_letter == *letter);
    let (Some((index, _)), None) = (matching.next(), matching.next()) else {
        return Cow::Borrowed(fields);
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
    Cow::Owned(out)
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
    fn a_value_of_no_letter_or_another_letter_sets_the_single_fields_only() {
        for entry in [
            vec![(Field::KeyValue, amount("1.5"))],
            vec![
                (Field::KeyLetter, Value::Letter('K')),
                (Field::KeyValue, amount("1.5")),
            ],
        ] {
            let s = after(&entry);
            assert_eq!(shown(&s, Field::KeyValue), "1.5");
            assert_eq!(
                shown(&s, Field::KeyTerms),
                "N 8 × 3.372107 + Q 30 × 0.195645"
            );
        }
    }
}
