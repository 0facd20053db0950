//! Derived values: what follows from a state's stated values.
//!
//! A convention sets a code's key value but rarely its fee; the fee still
//! follows: key value × relative value, half-up to the cent. The relative
//! value comes from the state itself, else from the tariff table in force at
//! that date, else from the nearest table that lists the code (marked
//! *borrowed*, with that table's date). Likewise each personal share is fee −
//! intervention wherever both are known. A derived value never hides a
//! stated one, and each is marked with its formula and inputs
//! ([`crate::state::Derivation`]), so every output can say so.
//!
//! A code whose table fee is a sum of key letters (`N 8 + Q 30`) has no one
//! relative value to multiply: its fee is derived only when the key value
//! names exactly one of those letters, as that term's new value, the other
//! terms kept from the table (`N 8 × 3.5 + Q 30 × 0.195645 = 33.87`). A key
//! value that names no letter, or a letter none of the terms has, could
//! belong to any term: no fee is derived, and the state says why
//! ([`CodeState::not_derived`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{self, SnapshotRef};
use crate::code::Code;
use crate::decimal::{fee_of, fee_of_terms};
use crate::error::Error;
use crate::layout::DocumentKind;
use crate::model::{KeyTerm, Snapshot};
use crate::state::{CodeState, Derivation, Field, Input, Origin, State, Value};
use crate::store::DataRepo;

/// What one table says of a code's relative value.
#[derive(Debug, Clone)]
struct Stated {
    table_date: NaiveDate,
    letter: Option<char>,
    value: Decimal,
    /// The terms of a fee of several key letters (the table's `key_terms`).
    terms: Option<Arc<[KeyTerm]>>,
    origin: Origin,
}

/// The relative values the tariff tables of a repository state, by code.
#[derive(Debug, Clone, Default)]
pub struct Relatives {
    /// For each code, by table date.
    by_code: HashMap<Code, Vec<Stated>>,
}

impl Relatives {
    /// Reads every tariff table of `profession` in the work tree.
    pub fn load(
        repo: &DataRepo,
        snapshots: &[SnapshotRef],
        profession: &str,
    ) -> Result<Relatives, Error> {
        let mut relatives = Relatives::default();
        for s in snapshots
            .iter()
            .filter(|s| s.id.profession == profession && s.id.kind == DocumentKind::Tariff)
        {
            if let Snapshot::Tariff(t) = catalog::load(repo, s)? {
                relatives.add(&State::from_table(&t, &s.path), s.id.effective_from);
            }
        }
        Ok(relatives)
    }

    /// Adds the relative values a table's state states.
    pub fn add(&mut self, table: &State, date: NaiveDate) {
        for state in table.codes.values() {
            let Some(Value::Amount(rv)) = state.get(Field::RelativeValue) else {
                continue;
            };
            let letter = match state.get(Field::KeyLetter) {
                Some(Value::Letter(c)) => Some(*c),
                _ => None,
            };
            let terms = match state.get(Field::KeyTerms) {
                Some(Value::Terms(t)) => Some(t.clone()),
                _ => None,
            };
            let origin = state.origin_of(Field::RelativeValue).clone();
            for code in codes_of(state) {
                let entries = self.by_code.entry(code).or_default();
                entries.push(Stated {
                    table_date: date,
                    letter,
                    value: *rv,
                    terms: terms.clone(),
                    origin: origin.clone(),
                });
                entries.sort_by_key(|e| e.table_date);
            }
        }
    }

    /// What the tables say of `code` at `date`: the table in force, else
    /// the nearest table listing it (then the date is that table's: borrowed).
    fn at(&self, code: Code, date: NaiveDate) -> Option<(&Stated, Option<NaiveDate>)> {
        let entries = self.by_code.get(&code)?;
        if let Some(e) = entries.iter().rev().find(|e| e.table_date <= date) {
            return Some((e, None));
        }
        let nearest = entries
            .iter()
            .min_by_key(|e| (e.table_date - date).num_days().abs())?;
        Some((nearest, Some(nearest.table_date)))
    }
}

/// The codes a state answers to (AMB and HOS).
fn codes_of(state: &CodeState) -> Vec<Code> {
    let mut codes = vec![state.code];
    for f in [Field::AmbulatoryCode, Field::HospitalizedCode] {
        if let Some(Value::Code(c)) = state.get(f) {
            if !codes.contains(c) {
                codes.push(*c);
            }
        }
    }
    codes
}

/// Adds the derived fee, relative value and personal shares to every code
/// of a state at `date` that lacks them.
pub fn complete(state: &mut State, date: NaiveDate, relatives: &Relatives) {
    for code_state in state.codes.values_mut() {
        complete_code(code_state, date, relatives);
    }
}

fn amount(state: &CodeState, field: Field) -> Option<Decimal> {
    state.get(field).and_then(Value::amount)
}

fn input(state: &CodeState, field: Field, value: Decimal) -> Input {
    Input {
        field: field.name(),
        value: value.to_string(),
        origin: state.origin_of(field).clone(),
        borrowed_from: state
            .derived
            .get(&field)
            .and_then(|d| d.inputs.first()?.borrowed_from),
    }
}

fn complete_code(state: &mut CodeState, date: NaiveDate, relatives: &Relatives) {
    if state.get(Field::Fee).is_none() {
        if let Some(key_value) = amount(state, Field::KeyValue) {
            derive_fee(state, key_value, date, relatives);
        }
    }
    // A free fee (`(*)`, stated as none) has no personal share to derive.
    let Some(fee) = amount(state, Field::Fee) else {
        return;
    };
    for (share, intervention) in [
        (
            Field::PersonalSharePreferential,
            Field::InterventionPreferential,
        ),
        (Field::PersonalShareStandard, Field::InterventionStandard),
    ] {
        let Some(paid) = amount(state, intervention) else {
            continue;
        };
        let Some(value) = crate::decimal::exact_sub(fee, paid) else {
            continue;
        };
        let inputs = vec![
            input(state, Field::Fee, fee),
            input(state, intervention, paid),
        ];
        set(
            state,
            share,
            Value::Amount(value),
            Derivation {
                formula: format!("{fee} − {paid} = {value}"),
                inputs,
            },
        );
    }
}

/// Where a borrowed value comes from, in words.
fn from_table(borrowed: Option<NaiveDate>) -> String {
    match borrowed {
        Some(d) => format!("from the tariff table of {d}, the nearest that lists the code"),
        None => "from the tariff table in force".to_string(),
    }
}

fn derive_fee(state: &mut CodeState, key_value: Decimal, date: NaiveDate, relatives: &Relatives) {
    if amount(state, Field::RelativeValue).is_none() {
        let Some((stated, borrowed)) = relatives.at(state.code, date) else {
            return;
        };
        if let Some(terms) = &stated.terms {
            derive_fee_of_terms(state, key_value, terms, (&stated.origin, borrowed));
            return;
        }
        let (letter, rv, origin) = (stated.letter, stated.value, stated.origin.clone());
        let inputs = vec![Input {
            field: Field::RelativeValue.name(),
            value: rv.to_string(),
            origin: origin.clone(),
            borrowed_from: borrowed,
        }];
        set(
            state,
            Field::RelativeValue,
            Value::Amount(rv),
            Derivation {
                formula: format!("{rv} {}", from_table(borrowed)),
                inputs,
            },
        );
        state.origins.insert(Field::RelativeValue, origin);
        if state.get(Field::KeyLetter).is_none() {
            if let Some(letter) = letter {
                state.fields.insert(Field::KeyLetter, Value::Letter(letter));
            }
        }
    }
    let Some(rv) = amount(state, Field::RelativeValue) else {
        return;
    };
    let Some(fee) = fee_of(key_value, rv) else {
        return;
    };
    let inputs = vec![
        input(state, Field::KeyValue, key_value),
        input(state, Field::RelativeValue, rv),
    ];
    set_fee(state, fee, format!("{key_value} × {rv} = {fee}"), inputs);
}

/// A derived fee: it cites the key value's statement, the value that made it.
fn set_fee(state: &mut CodeState, fee: Decimal, formula: String, inputs: Vec<Input>) {
    let origin = state.origin_of(Field::KeyValue).clone();
    set(
        state,
        Field::Fee,
        Value::Amount(fee),
        Derivation { formula, inputs },
    );
    state.origins.insert(Field::Fee, origin);
}

/// A key value for a code whose table fee is a sum of key letters: the
/// term of the key value's letter takes it, the others are the table's.
fn derive_fee_of_terms(
    state: &mut CodeState,
    key_value: Decimal,
    terms: &[KeyTerm],
    (origin, borrowed): (&Origin, Option<NaiveDate>),
) {
    let letter = match state.get(Field::KeyLetter) {
        Some(Value::Letter(c)) => Some(*c),
        _ => None,
    };
    let Some(index) = KeyTerm::only_of(terms, letter) else {
        let named = letter.map_or("names no key letter".to_string(), |l| {
            format!("is for key letter {l}, which none of them is")
        });
        let why = format!(
            "the fee {} is a sum of the key letters {}, and the key value {key_value} {named}: it could be any term's, so no fee is derived",
            from_table(borrowed),
            KeyTerm::letters(terms)
        );
        state.not_derived.insert(Field::Fee, why);
        return;
    };
    let mut derived = terms.to_vec();
    derived[index].key_value = key_value;
    let replaced = derived[index].key_letter;
    let Some(fee) = fee_of_terms(derived.iter().map(|t| (t.key_value, t.coefficient))) else {
        return;
    };
    let sum = KeyTerm::formula(&derived, |d| d.to_string());
    let table_terms = Input {
        field: Field::KeyTerms.name(),
        value: KeyTerm::formula(terms, |d| d.to_string()),
        origin: origin.clone(),
        borrowed_from: borrowed,
    };
    let inputs = vec![input(state, Field::KeyValue, key_value), table_terms];
    set(
        state,
        Field::KeyTerms,
        Value::Terms(derived.into()),
        Derivation {
            formula: format!(
                "{sum} (the terms {}, {replaced} = {key_value} from the key value)",
                from_table(borrowed)
            ),
            inputs: inputs.clone(),
        },
    );
    state.origins.insert(Field::KeyTerms, origin.clone());
    set_fee(state, fee, format!("{sum} = {fee}"), inputs);
}

fn set(state: &mut CodeState, field: Field, value: Value, how: Derivation) {
    if !state.origins.contains_key(&field) {
        let origin = state.origin.clone();
        state.origins.insert(field, origin);
    }
    state.fields.insert(field, value);
    state.derived.insert(field, how);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(line: usize) -> Origin {
        Origin {
            snapshot: "s".into(),
            source: Arc::from("s.txt"),
            effective_from: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            source_line: Some(line),
            source_page: None,
            commit: None,
        }
    }

    #[test]
    fn a_fee_from_a_key_value_and_a_borrowed_relative_value() {
        let code = Code::parse("560011").unwrap();
        let mut convention = State::default();
        convention.apply(
            code,
            &[(Field::KeyValue, Value::Amount("0.927692".parse().unwrap()))],
            &origin(233),
        );
        let mut table = State::default();
        table.apply(
            code,
            &[
                (Field::RelativeValue, Value::Amount("24".parse().unwrap())),
                (Field::Fee, Value::Amount("25.60".parse().unwrap())),
                (
                    Field::InterventionPreferential,
                    Value::Amount("23.10".parse().unwrap()),
                ),
            ],
            &origin(26),
        );
        let mut relatives = Relatives::default();
        relatives.add(&table, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        complete(
            &mut convention,
            NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            &relatives,
        );
        let s = &convention.codes[&code];
        assert_eq!(
            s.get(Field::Fee),
            Some(&Value::Amount("22.26".parse().unwrap()))
        );
        let how = &s.derived[&Field::Fee];
        assert_eq!(how.formula, "0.927692 × 24 = 22.26");
        assert_eq!(how.inputs[0].origin.source_line, Some(233));
        assert_eq!(
            how.inputs[1].borrowed_from,
            NaiveDate::from_ymd_opt(2024, 1, 1)
        );
        assert_eq!(s.origin_of(Field::Fee).source_line, Some(233));
        // The table's own fee is stated: nothing derived hides it, and its share follows.
        complete(
            &mut table,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            &relatives,
        );
        let t = &table.codes[&code];
        assert!(!t.derived.contains_key(&Field::Fee));
        assert_eq!(
            t.get(Field::PersonalSharePreferential),
            Some(&Value::Amount("2.50".parse().unwrap()))
        );
    }

    /// 105755 in a state of convention entries only, and the 2025 table
    /// whose fee is N 8 + Q 30.
    fn gp_with_key_value(letter: Option<char>, value: &str) -> CodeState {
        let code = Code::parse("105755").unwrap();
        let term = |key_letter, key_value: &str, coefficient: &str| KeyTerm {
            key_letter,
            key_value: key_value.parse().unwrap(),
            coefficient: coefficient.parse().unwrap(),
        };
        let mut table = State::default();
        table.apply(
            code,
            &[
                (Field::KeyLetter, Value::Letter('N')),
                (Field::RelativeValue, Value::Amount("8".parse().unwrap())),
                (
                    Field::KeyTerms,
                    Value::Terms(
                        vec![term('N', "3.372107", "8"), term('Q', "0.195645", "30")].into(),
                    ),
                ),
            ],
            &origin(13),
        );
        let mut relatives = Relatives::default();
        relatives.add(&table, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        let mut fields = vec![(Field::KeyValue, Value::Amount(value.parse().unwrap()))];
        fields.extend(letter.map(|l| (Field::KeyLetter, Value::Letter(l))));
        let mut convention = State::default();
        convention.apply(code, &fields, &origin(233));
        let date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        complete(&mut convention, date, &relatives);
        convention.codes[&code].clone()
    }

    #[test]
    fn a_key_value_of_one_of_several_letters_gives_the_sum_with_it() {
        let s = gp_with_key_value(Some('N'), "3.5");
        assert_eq!(
            s.get(Field::Fee),
            Some(&Value::Amount("33.87".parse().unwrap()))
        );
        assert_eq!(
            s.derived[&Field::Fee].formula,
            "N 8 × 3.5 + Q 30 × 0.195645 = 33.87"
        );
        assert_eq!(s.origin_of(Field::Fee).source_line, Some(233));
        let terms = &s.derived[&Field::Fee].inputs[1];
        assert_eq!(terms.value, "N 8 × 3.372107 + Q 30 × 0.195645");
        assert_eq!(terms.borrowed_from, NaiveDate::from_ymd_opt(2025, 1, 1));
        assert_eq!(
            s.get(Field::RelativeValue),
            None,
            "no single relative value"
        );
        // Q's value replaces Q's term, not N's.
        let q = gp_with_key_value(Some('Q'), "0.2");
        assert_eq!(
            q.derived[&Field::Fee].formula,
            "N 8 × 3.372107 + Q 30 × 0.2 = 32.98"
        );
    }

    #[test]
    fn a_key_value_that_names_none_of_the_letters_derives_no_fee_and_says_why() {
        for (letter, named) in [
            (None, "names no key letter"),
            (Some('K'), "is for key letter K, which none of them is"),
        ] {
            let s = gp_with_key_value(letter, "3.5");
            assert_eq!(s.get(Field::Fee), None);
            let why = &s.not_derived[&Field::Fee];
            assert!(why.contains("is a sum of the key letters N, Q"), "{why}");
            assert!(why.contains(named), "{why}");
        }
    }
}
