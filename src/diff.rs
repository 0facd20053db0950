//! Changes between two states: added, removed and changed codes.
//!
//! Keyed by code (the ambulatory code, or the hospitalized one when there is
//! none). A field counts as changed when both sides state it and the values
//! differ (amounts compare by value, so `1.10` and `1.1` are equal), and, for
//! the fields that price a code (key letter, key value, relative value, fee),
//! when one side states it and the other does not (`fee: — → 25.60`).

use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::code::Code;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::state::{CodeState, Field, State, Value};

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The field that changed.
    pub field: Field,
    /// Its value on the old side ([`Value::Absent`] when it appears).
    pub old: Value,
    /// Its value on the new side ([`Value::Absent`] when it disappears).
    pub new: Value,
}

impl Change {
    /// `(new − old) / old`, for amounts with a non-zero old value; `None`
    /// also when the arithmetic would overflow (extreme values).
    pub fn relative(&self) -> Option<Decimal> {
        relative(self.old.amount()?, self.new.amount()?)
    }

    /// The relative change `--min-change` weighs: [`Change::relative`] for
    /// an amount; for `key_terms`, the largest (either way) of the relative
    /// changes of each term's key value and coefficient, terms matched by
    /// key letter, as a term is weighed like `key_value` and `relative_value`.
    pub fn moved(&self) -> Option<Decimal> {
        let (Value::Terms(old), Value::Terms(new)) = (&self.old, &self.new) else {
            return self.relative();
        };
        old.iter()
            .filter_map(|o| Some((o, new.iter().find(|n| n.key_letter == o.key_letter)?)))
            .flat_map(|(o, n)| {
                [
                    relative(o.key_value, n.key_value),
                    relative(o.coefficient, n.coefficient),
                ]
            })
            .flatten()
            .max_by_key(|r| r.abs())
    }

    /// [`Change::relative`] in percent, to the hundredth (`14.98`); `None`
    /// where there is no relative change or it is too large to print in percent.
    pub fn percent(&self) -> Option<Decimal> {
        percent(self.relative()?)
    }
}

/// `(new − old) / old`; `None` for a zero old value or on overflow.
fn relative(old: Decimal, new: Decimal) -> Option<Decimal> {
    if old.is_zero() {
        return None;
    }
    new.checked_sub(old)?.checked_div(old)
}

/// A relative change in percent, to the hundredth; `None` when ×100 overflows
/// (a change from 1 to 7.9 × 10²⁸).
pub fn percent(relative: Decimal) -> Option<Decimal> {
    Some(relative.checked_mul(Decimal::ONE_HUNDRED)?.round_dp(2))
}

/// The changes of one code present on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The code.
    pub code: Code,
    /// Every changed field, in canonical order.
    pub changes: Vec<Change>,
    /// The code as each side states it (for citing lines and pages).
    pub old: CodeState,
    /// The code on the new side, with every field and origin (for citations).
    pub new: CodeState,
}

impl Serialize for Changed {
    /// `{"code": "560011", "changes": {"fee": ["22.26", "25.60"]}, "from": {...}, "to": {...}}`
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Changes<'a>(&'a [Change]);
        impl Serialize for Changes<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for c in self.0 {
                    map.serialize_entry(c.field.name(), &(&c.old, &c.new))?;
                }
                map.end()
            }
        }
        /// `{"key_value": {"from": {...}, "to": {...}}}`: where each side stated the field.
        struct Citations<'a>(&'a Changed);
        impl Serialize for Citations<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let Changed { old, new, .. } = self.0;
                let mut map = s.serialize_map(Some(self.0.changes.len()))?;
                for c in &self.0.changes {
                    let sides = BTreeMap::from([
                        ("from", old.origin_of(c.field)),
                        ("to", new.origin_of(c.field)),
                    ]);
                    map.serialize_entry(c.field.name(), &sides)?;
                }
                map.end()
            }
        }
        /// `{"fee": {"from": {"formula": ..., "inputs": [...]}, "to": null}}`:
        /// how each side's derived value was derived.
        struct Derivations<'a>(&'a Changed);
        impl Serialize for Derivations<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let Changed { old, new, .. } = self.0;
                let derived: Vec<&Change> = self
                    .0
                    .changes
                    .iter()
                    .filter(|c| {
                        old.derived.contains_key(&c.field) || new.derived.contains_key(&c.field)
                    })
                    .collect();
                let mut map = s.serialize_map(Some(derived.len()))?;
                for c in derived {
                    let sides = BTreeMap::from([
                        ("from", old.derived.get(&c.field)),
                        ("to", new.derived.get(&c.field)),
                    ]);
                    map.serialize_entry(c.field.name(), &sides)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("changes", &Changes(&self.changes))?;
        map.serialize_entry("from", &self.old.origin)?;
        map.serialize_entry("to", &self.new.origin)?;
        map.serialize_entry("citations", &Citations(self))?;
        map.serialize_entry("derivations", &Derivations(self))?;
        map.end()
    }
}

/// Everything that differs between two states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Codes only the new side has.
    pub added: Vec<CodeState>,
    /// Codes only the old side has.
    pub removed: Vec<CodeState>,
    /// Codes on both sides with at least one changed field.
    pub changed: Vec<Changed>,
    /// How many codes are on both sides with every field equal.
    pub unchanged: usize,
}

impl Diff {
    /// Whether the two sides are equal (nothing added, removed or changed).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Which changes a report keeps (`diff --code`, `--field`, `--min-change`, `--only`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these codes (empty: all).
    pub codes: Vec<Code>,
    /// Only these fields (empty: all).
    pub fields: Vec<crate::state::Field>,
    /// Only changed codes with an amount that moved by at least this many
    /// percent (either way); a term of `key_terms` counts as its key value
    /// and coefficient do ([`Change::moved`]).
    pub min_change_percent: Option<Decimal>,
    /// Only this kind of difference.
    pub only: Option<Only>,
}

/// One kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// Codes only the new side has.
    Added,
    /// Codes only the old side has.
    Removed,
    /// Codes on both sides with a changed field.
    Changed,
}

impl Diff {
    /// Keeps what the filter asks for; codes left with no change are dropped.
    pub fn filter(&mut self, f: &Filter) {
        let code_ok = |c: &Code| f.codes.is_empty() || f.codes.contains(c);
        let state_ok = |s: &CodeState| {
            code_ok(&s.code)
                || [
                    crate::state::Field::AmbulatoryCode,
                    crate::state::Field::HospitalizedCode,
                ]
                .iter()
                .any(|field| matches!(s.get(*field), Some(Value::Code(c)) if code_ok(c)))
        };
        self.added.retain(|s| state_ok(s));
        self.removed.retain(|s| state_ok(s));
        self.changed
            .retain(|c| state_ok(&c.new) || code_ok(&c.code));
        for c in &mut self.changed {
            if !f.fields.is_empty() {
                c.changes.retain(|ch| f.fields.contains(&ch.field));
            }
        }
        if let Some(min) = f.min_change_percent {
            // Dividing by 100 shrinks: it cannot overflow.
            let threshold = min / Decimal::ONE_HUNDRED;
            self.changed.retain(|c| {
                c.changes
                    .iter()
                    .any(|ch| ch.moved().is_some_and(|r| r.abs() >= threshold))
            });
        }
        self.changed.retain(|c| !c.changes.is_empty());
        match f.only {
            Some(Only::Added) => {
                self.removed.clear();
                self.changed.clear();
            }
            Some(Only::Removed) => {
                self.added.clear();
                self.changed.clear();
            }
            Some(Only::Changed) => {
                self.added.clear();
                self.removed.clear();
            }
            None => {}
        }
    }
}

/// Every code a state knows (both codes of an AMB/HOS row) → the key it is under.
fn aliases(state: &State) -> HashMap<Code, Code> {
    let mut map = HashMap::new();
    for (key, code_state) in &state.codes {
        for field in [Field::AmbulatoryCode, Field::HospitalizedCode] {
            if let Some(Value::Code(c)) = code_state.get(field) {
                map.entry(*c).or_insert(*key);
            }
        }
        map.insert(*key, *key);
    }
    map
}

/// Compares two states code by code.
///
/// A row with both an AMB and a HOS code answers to either: a convention
/// that lists 560545 on its own is compared with the 2024 row 560534/560545.
pub fn diff(from: &State, to: &State) -> Diff {
    let mut out = Diff::default();
    let (from_aliases, to_aliases) = (aliases(from), aliases(to));
    let mut matched: HashSet<Code> = HashSet::new();
    for (code, old) in &from.codes {
        let new = to_aliases.get(code).and_then(|key| to.codes.get(key));
        match new {
            None => out.removed.push(old.clone()),
            Some(new) => {
                matched.insert(new.code);
                let changes = changes(old, new);
                if changes.is_empty() {
                    out.unchanged += 1;
                } else {
                    out.changed.push(Changed {
                        code: *code,
                        changes,
                        old: old.clone(),
                        new: new.clone(),
                    });
                }
            }
        }
    }
    out.added = to
        .codes
        .iter()
        .filter(|(code, _)| !matched.contains(code) && !from_aliases.contains_key(code))
        .map(|(_, state)| state.clone())
        .collect();
    out
}

fn changes(old: &CodeState, new: &CodeState) -> Vec<Change> {
    crate::state::Field::ALL
        .into_iter()
        .filter_map(|field| {
            let (before, after) = match (old.fields.get(&field), new.fields.get(&field)) {
                (Some(b), Some(a)) => (b.clone(), a.clone()),
                (Some(b), None) if field.reported_when_absent() => (b.clone(), Value::Absent),
                (None, Some(a)) if field.reported_when_absent() => (Value::Absent, a.clone()),
                _ => return None,
            };
            (before != after).then_some(Change {
                field,
                old: before,
                new: after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Origin;

    fn state(entries: &[(&str, &[(Field, Value)])]) -> State {
        let origin = Origin {
            snapshot: "s".into(),
            source: "s.txt".into(),
            effective_from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            source_line: None,
            source_page: None,
            commit: None,
        };
        let mut s = State::default();
        for (code, fields) in entries {
            s.apply(Code::parse(code).unwrap(), fields, &origin);
        }
        s
    }

    fn amount(s: &str) -> Value {
        Value::Amount(s.parse().unwrap())
    }

    #[test]
    fn added_removed_changed_and_unchanged() {
        let a = state(&[
            ("560011", &[(Field::Fee, amount("22.26"))]),
            ("560092", &[(Field::Fee, amount("22.26"))]),
            ("560055", &[(Field::Fee, amount("1.10"))]),
        ]);
        let b = state(&[
            ("560011", &[(Field::Fee, amount("25.60"))]),
            (
                "560055",
                &[
                    (Field::Fee, amount("1.1")),
                    (Field::Setting, Value::Text("I. a)".into())),
                ],
            ),
            ("567011", &[(Field::Fee, amount("28.60"))]),
        ]);
        let d = diff(&a, &b);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].code, "560092");
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].code, "567011");
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].changes[0].field, Field::Fee);
        assert_eq!(
            d.unchanged, 1,
            "1.10 = 1.1, and a field stated on one side only is no change"
        );
        let rel = d.changed[0].changes[0].relative().unwrap();
        assert_eq!(rel.round_dp(4).to_string(), "0.1500");
    }

    #[test]
    fn a_pricing_field_that_appears_is_a_change_and_extremes_do_not_overflow() {
        let a = state(&[("560011", &[(Field::KeyValue, amount("0.927692"))])]);
        let b = state(&[(
            "560011",
            &[
                (Field::KeyValue, amount("0.927692")),
                (Field::Fee, amount("25.60")),
            ],
        )]);
        let d = diff(&a, &b);
        assert_eq!(d.changed[0].changes[0].field, Field::Fee);
        assert_eq!(d.changed[0].changes[0].old, Value::Absent);
        assert_eq!(d.changed[0].changes[0].old.to_string(), "—");
        let huge = Change {
            field: Field::Fee,
            old: amount("0.0000000000000000000000000001"),
            new: Value::Amount(Decimal::MAX),
        };
        assert_eq!(huge.relative(), None, "overflow is no panic");
    }

    #[test]
    fn min_change_weighs_the_largest_move_of_a_term() {
        use crate::model::KeyTerm;
        let terms = |q: &str| {
            let term = |key_letter, key_value: &str, coefficient: &str| KeyTerm {
                key_letter,
                key_value: key_value.parse().unwrap(),
                coefficient: coefficient.parse().unwrap(),
            };
            Value::Terms(vec![term('N', "3.372107", "8"), term('Q', q, "30")].into())
        };
        let a = state(&[("105755", &[(Field::KeyTerms, terms("0.2"))])]);
        let b = state(&[("105755", &[(Field::KeyTerms, terms("0.21"))])]);
        let kept = |min: &str| {
            let mut d = diff(&a, &b);
            d.filter(&Filter {
                min_change_percent: Some(min.parse().unwrap()),
                ..Filter::default()
            });
            d.changed.len()
        };
        assert_eq!(kept("5"), 1, "Q's value moved by 5 %");
        assert_eq!(kept("5.01"), 0);
        let lower = state(&[("105755", &[(Field::KeyTerms, terms("0.19"))])]);
        let d = diff(&a, &lower);
        assert_eq!(
            d.changed[0].changes[0]
                .moved()
                .unwrap()
                .normalize()
                .to_string(),
            "-0.05"
        );
    }
}
