//! Changes between two states: added, removed and changed codes.
//!
//! Keyed by code (the ambulatory code, or the hospitalized one when there is
//! none). A field counts as changed only when both sides state it and the
//! values differ; amounts compare by value, so `1.10` and `1.1` are equal.

use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::code::Code;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::state::{CodeState, Field, State, Value};

/// One field that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    pub old: Value,
    pub new: Value,
}

impl Change {
    /// `(new − old) / old`, for amounts with a non-zero old value.
    pub fn relative(&self) -> Option<Decimal> {
        let (old, new) = (self.old.amount()?, self.new.amount()?);
        (!old.is_zero()).then(|| (new - old) / old)
    }
}

/// The changes of one code present on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub code: Code,
    pub changes: Vec<Change>,
    /// The code as each side states it (for citing lines and pages).
    pub old: CodeState,
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
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("changes", &Changes(&self.changes))?;
        map.serialize_entry("from", &self.old.origin)?;
        map.serialize_entry("to", &self.new.origin)?;
        map.serialize_entry("citations", &Citations(self))?;
        map.end()
    }
}

/// Everything that differs between two states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub added: Vec<CodeState>,
    pub removed: Vec<CodeState>,
    pub changed: Vec<Changed>,
    pub unchanged: usize,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
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
    old.fields
        .iter()
        .filter_map(|(field, before)| {
            let after = new.fields.get(field)?;
            (before != after).then(|| Change {
                field: *field,
                old: before.clone(),
                new: after.clone(),
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
                &[(Field::Fee, amount("1.1")), (Field::KeyValue, amount("2"))],
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
}
