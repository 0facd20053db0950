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

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{self, Snapshot, SnapshotRef};
use crate::code::Code;
use crate::decimal::fee_of;
use crate::error::Error;
use crate::layout::DocumentKind;
use crate::state::{CodeState, Derivation, Field, Input, Origin, State, Value};
use crate::store::DataRepo;

/// What one table says of a code's relative value.
#[derive(Debug, Clone)]
struct Stated {
    table_date: NaiveDate,
    letter: Option<char>,
    value: Decimal,
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
                relatives.add(&Snapshot::Tariff(t).state(&s.path), s.id.effective_from);
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
            let origin = state.origin_of(Field::RelativeValue).clone();
            for code in codes_of(state) {
                let entries = self.by_code.entry(code).or_default();
                entries.push(Stated {
                    table_date: date,
                    letter,
                    value: *rv,
                    origin: origin.clone(),
                });
                entries.sort_by_key(|e| e.table_date);
            }
        }
    }

    /// The relative value for `code` at `date`: the table in force, else
    /// the nearest table listing it (then `borrowed` is its date).
    fn at(
        &self,
        code: Code,
        date: NaiveDate,
    ) -> Option<(Option<char>, Decimal, Origin, Option<NaiveDate>)> {
        let entries = self.by_code.get(&code)?;
        if let Some(e) = entries.iter().rev().find(|e| e.table_date <= date) {
            return Some((e.letter, e.value, e.origin.clone(), None));
        }
        let nearest = entries
            .iter()
            .min_by_key(|e| (e.table_date - date).num_days().abs())?;
        Some((
            nearest.letter,
            nearest.value,
            nearest.origin.clone(),
            Some(nearest.table_date),
        ))
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
        let Some(value) = fee.checked_sub(paid) else {
            continue;
        };
        let inputs = vec![
            input(state, Field::Fee, fee),
            input(state, intervention, paid),
        ];
        set(
            state,
            share,
            value,
            Derivation {
                formula: format!("{fee} − {paid} = {value}"),
                inputs,
            },
        );
    }
}

fn derive_fee(state: &mut CodeState, key_value: Decimal, date: NaiveDate, relatives: &Relatives) {
    if amount(state, Field::RelativeValue).is_none() {
        let Some((letter, rv, origin, borrowed)) = relatives.at(state.code, date) else {
            return;
        };
        let inputs = vec![Input {
            field: Field::RelativeValue.name(),
            value: rv.to_string(),
            origin: origin.clone(),
            borrowed_from: borrowed,
        }];
        let how = match borrowed {
            Some(d) => format!("from the tariff table of {d}, the nearest that lists the code"),
            None => "from the tariff table in force".to_string(),
        };
        set(
            state,
            Field::RelativeValue,
            rv,
            Derivation {
                formula: format!("{rv} {how}"),
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
    let origin = state.origin_of(Field::KeyValue).clone();
    set(
        state,
        Field::Fee,
        fee,
        Derivation {
            formula: format!("{key_value} × {rv} = {fee}"),
            inputs,
        },
    );
    state.origins.insert(Field::Fee, origin);
}

fn set(state: &mut CodeState, field: Field, value: Decimal, how: Derivation) {
    if !state.origins.contains_key(&field) {
        let origin = state.origin.clone();
        state.origins.insert(field, origin);
    }
    state.fields.insert(field, Value::Amount(value));
    state.derived.insert(field, how);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

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
}
