//! The state of a profession: what each code costs, and where that came from.
//!
//! A [`State`] maps codes to the fields known for them. A tariff row states
//! every field; a convention's [`Statement`] only some (its key value, or a fee),
//! so a field that a side does not state is simply absent. Diffs compare
//! states, never raw snapshots, so "2021 against 2024" and "this snapshot
//! against that one" are the same operation.
//!
//! State at a date D: the most recent tariff table with `effective_from` ≤ D is
//! the base (if any); then every convention statement with `effective_from` ≤ D
//! and later than that table is applied in date order, setting the fields it
//! states for its codes (adding codes the base lacks). Statements without a
//! known date are never applied.
//!
//! A code of several key letters also has `key_terms`, the whole of its
//! relative value (the single fields hold its first term, by letter). A convention's
//! key value for one of its letters lands on that term (see [`State::apply`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::code::Code;
use crate::model::{KeyTerm, TariffRow, TariffTable};

mod terms;

/// A field of a code's state, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The ambulatory code of the row.
    AmbulatoryCode,
    /// The hospitalized code of the row.
    HospitalizedCode,
    /// The setting heading (at the practice, at home, ...).
    Setting,
    /// The article heading.
    Article,
    /// The key letter (`M`).
    KeyLetter,
    /// The key value, in euros.
    KeyValue,
    /// The relative value.
    RelativeValue,
    /// Every term of a fee of several key letters (`N 8 × 3.372107 + Q 30 ×
    /// 0.195645`); absent for a code of one key letter or none.
    KeyTerms,
    /// The fee, in euros.
    Fee,
    /// A note on the fee.
    FeeNote,
    /// The preferential intervention.
    InterventionPreferential,
    /// The standard intervention.
    InterventionStandard,
    /// Fee − preferential intervention: always derived ([`crate::derive`]).
    PersonalSharePreferential,
    /// Fee − standard intervention: always derived.
    PersonalShareStandard,
}

impl Field {
    /// The field's name, as in the canonical YAML.
    pub fn name(self) -> &'static str {
        match self {
            Field::AmbulatoryCode => "ambulatory_code",
            Field::HospitalizedCode => "hospitalized_code",
            Field::Setting => "setting",
            Field::Article => "article",
            Field::KeyLetter => "key_letter",
            Field::KeyValue => "key_value",
            Field::RelativeValue => "relative_value",
            Field::KeyTerms => "key_terms",
            Field::Fee => "fee",
            Field::FeeNote => "fee_note",
            Field::InterventionPreferential => "intervention_preferential",
            Field::InterventionStandard => "intervention_standard",
            Field::PersonalSharePreferential => "personal_share_preferential",
            Field::PersonalShareStandard => "personal_share_standard",
        }
    }

    /// Whether the field holds an amount (for relative changes).
    pub fn is_amount(self) -> bool {
        matches!(
            self,
            Field::KeyValue
                | Field::RelativeValue
                | Field::Fee
                | Field::InterventionPreferential
                | Field::InterventionStandard
                | Field::PersonalSharePreferential
                | Field::PersonalShareStandard
        )
    }

    /// Whether a field appearing or disappearing is a change: the fields
    /// that price a code. Headings, codes and interventions that one side
    /// does not state (a convention states none) are no news.
    pub fn reported_when_absent(self) -> bool {
        matches!(
            self,
            Field::KeyLetter
                | Field::KeyValue
                | Field::RelativeValue
                | Field::KeyTerms
                | Field::Fee
        )
    }

    /// Every field, in canonical order.
    pub const ALL: [Field; 14] = [
        Field::AmbulatoryCode,
        Field::HospitalizedCode,
        Field::Setting,
        Field::Article,
        Field::KeyLetter,
        Field::KeyValue,
        Field::RelativeValue,
        Field::KeyTerms,
        Field::Fee,
        Field::FeeNote,
        Field::InterventionPreferential,
        Field::InterventionStandard,
        Field::PersonalSharePreferential,
        Field::PersonalShareStandard,
    ];

    /// The field of a name (`fee`), as in the canonical YAML and `--field`.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// A stated value. `Null` is a statement too: a free fee, no HOS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Not stated on this side (shown `—`): a field that appears or disappears.
    Absent,
    /// Stated as none (`-` in a table).
    Null,
    /// A code.
    Code(Code),
    /// A key letter.
    Letter(char),
    /// Text (headings, notes).
    Text(Arc<str>),
    /// Compared by value: `1.10` equals `1.1`.
    Amount(Decimal),
    /// The terms of a fee of several key letters, in order (amounts by value).
    Terms(Arc<[KeyTerm]>),
}

impl Value {
    fn from_option<T>(value: Option<T>, make: impl FnOnce(T) -> Value) -> Value {
        value.map_or(Value::Null, make)
    }

    /// The amount, if the value is one.
    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Value::Amount(d) => Some(*d),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Absent => f.write_str("—"),
            Value::Null => f.write_str("null"),
            Value::Code(c) => write!(f, "{c}"),
            Value::Letter(c) => write!(f, "{c}"),
            Value::Text(t) => f.write_str(t),
            Value::Amount(d) => write!(f, "{d}"),
            Value::Terms(terms) => f.write_str(&KeyTerm::formula(terms, |d| d.to_string())),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null | Value::Absent => s.serialize_none(),
            // A list for tools: `[{"key_letter": "N", "key_value": "3.372107", "coefficient": "8"}, ...]`.
            Value::Terms(terms) => terms.serialize(s),
            other => s.collect_str(other),
        }
    }
}

/// Where a code's values came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The snapshot (a path, or `REV:path`).
    pub snapshot: Arc<str>,
    /// The source document the values were read from (`REV:` kept when the
    /// snapshot came from a revision), so a line number can be cited.
    pub source: Arc<str>,
    /// The date from which the snapshot's values apply.
    pub effective_from: NaiveDate,
    /// The line of the source that states the value.
    pub source_line: Option<usize>,
    /// The page of that line, for PDF sources.
    pub source_page: Option<u32>,
    /// The full hash of the commit that brought the snapshot, when known
    /// (see [`State::stamp_commits`]).
    pub commit: Option<Arc<str>>,
}

/// What is known of one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeState {
    /// The code.
    pub code: Code,
    /// Stated fields, in canonical order.
    pub fields: BTreeMap<Field, Value>,
    /// The last document that set a field of this code.
    pub origin: Origin,
    /// Where each field was set, for the fields whose origin is not
    /// `origin` (filled when a later document sets some fields of the code:
    /// a code read from one row keeps a single origin).
    pub origins: BTreeMap<Field, Origin>,
    /// The fields whose value no document states but that follow from
    /// others ([`crate::derive`]), with how.
    pub derived: BTreeMap<Field, Derivation>,
    /// The fields that could have been derived or set but were not, with
    /// why: a fee of several key letters whose key value names none of them
    /// (`fee`), or such a key value set aside for a code that holds its
    /// terms (`key_value`, see [`State::apply`]).
    pub not_derived: BTreeMap<Field, String>,
}

/// How a value was derived: the formula and where its inputs came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Derivation {
    /// `0.927692 × 24 = 22.26` (half-up to the cent).
    pub formula: String,
    /// The inputs, by field name, each with its origin.
    pub inputs: Vec<Input>,
}

/// One input of a derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    /// The input's field name (`key_value`).
    pub field: &'static str,
    /// Its value, as written in the snapshot.
    pub value: String,
    /// Where it was stated.
    pub origin: Origin,
    /// When the input comes from a tariff table not in force at the date
    /// (the nearest table listing the code): that table's date.
    pub borrowed_from: Option<NaiveDate>,
}

impl CodeState {
    /// The state a tariff row states: every field.
    pub fn from_row(row: &TariffRow, origin: Origin) -> CodeState {
        let text = |t: &Option<Arc<str>>| Value::from_option(t.clone(), Value::Text);
        let amount = |d: Decimal| Value::Amount(d);
        let mut fields = BTreeMap::from([
            (
                Field::AmbulatoryCode,
                Value::from_option(row.ambulatory_code, Value::Code),
            ),
            (
                Field::HospitalizedCode,
                Value::from_option(row.hospitalized_code, Value::Code),
            ),
            (Field::Setting, text(&row.setting)),
            (Field::Article, text(&row.article)),
            (
                Field::KeyLetter,
                Value::from_option(row.key_letter, Value::Letter),
            ),
            (Field::KeyValue, amount(row.key_value)),
            (Field::RelativeValue, amount(row.relative_value)),
            (Field::Fee, Value::from_option(row.fee, Value::Amount)),
            (Field::FeeNote, text(&row.fee_note)),
            (
                Field::InterventionPreferential,
                amount(row.intervention_preferential),
            ),
            (
                Field::InterventionStandard,
                amount(row.intervention_standard),
            ),
        ]);
        if !row.key_terms.is_empty() {
            fields.insert(
                Field::KeyTerms,
                Value::Terms(row.key_terms.as_slice().into()),
            );
        }
        CodeState {
            code: row.code(),
            fields,
            origin,
            origins: BTreeMap::new(),
            derived: BTreeMap::new(),
            not_derived: BTreeMap::new(),
        }
    }

    /// The value of a field, stated or derived.
    pub fn get(&self, field: Field) -> Option<&Value> {
        self.fields.get(&field)
    }

    /// The statement that set `field`: a key value cites its list item, a
    /// fee the sentence that stated it.
    pub fn origin_of(&self, field: Field) -> &Origin {
        self.origins.get(&field).unwrap_or(&self.origin)
    }
}

impl Serialize for CodeState {
    /// `{"code": "560011", "key_value": "1.066667", ..., "snapshot": ..., "source_line": 26}`
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len() + 6))?;
        map.serialize_entry("code", &self.code)?;
        for (field, value) in &self.fields {
            map.serialize_entry(field.name(), value)?;
        }
        if !self.not_derived.is_empty() {
            let why: BTreeMap<&str, &String> = self
                .not_derived
                .iter()
                .map(|(f, w)| (f.name(), w))
                .collect();
            map.serialize_entry("not_derived", &why)?;
        }
        map.serialize_entry("effective_from", &self.origin.effective_from)?;
        map.serialize_entry("snapshot", &self.origin.snapshot)?;
        map.serialize_entry("source", &self.origin.source)?;
        map.serialize_entry("source_line", &self.origin.source_line)?;
        map.serialize_entry("source_page", &self.origin.source_page)?;
        map.end()
    }
}

/// The codes of a profession as one or more documents state them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Every code, by code.
    pub codes: BTreeMap<Code, CodeState>,
}

impl State {
    /// The state a tariff table states on its own.
    pub fn from_table(table: &TariffTable, snapshot: &str) -> State {
        let source: Arc<str> = match snapshot.split_once(':') {
            Some((rev, _)) => format!("{rev}:{}", table.source.file).into(),
            None => table.source.file.as_str().into(),
        };
        let snapshot: Arc<str> = snapshot.into();
        let codes = table
            .rows
            .iter()
            .map(|row| {
                let origin = Origin {
                    snapshot: snapshot.clone(),
                    source: source.clone(),
                    effective_from: table.effective_from,
                    source_line: Some(row.source_line),
                    source_page: row.source_page,
                    commit: None,
                };
                (row.code(), CodeState::from_row(row, origin))
            })
            .collect();
        State { codes }
    }

    /// Fills in the commit of every origin: `commit_of` maps a snapshot
    /// (a path, or `REV:path`) to the full hash of the commit it came from.
    pub fn stamp_commits(&mut self, commit_of: &dyn Fn(&str) -> Option<Arc<str>>) {
        let stamp = |o: &mut Origin| {
            if o.commit.is_none() {
                o.commit = commit_of(&o.snapshot);
            }
        };
        for state in self.codes.values_mut() {
            stamp(&mut state.origin);
            state.origins.values_mut().for_each(stamp);
            for d in state.derived.values_mut() {
                d.inputs.iter_mut().for_each(|i| stamp(&mut i.origin));
            }
        }
    }

    /// Applies a dated statement to each of its codes.
    pub fn apply_statement(&mut self, statement: &Statement) {
        for code in &statement.codes {
            self.apply(*code, &statement.fields, &statement.origin);
        }
    }

    /// Sets the fields `fields` states for `code` (adding the code if new).
    ///
    /// A key value with a key letter, for a code of several key letters one
    /// of which is that letter, sets that term's value in `key_terms`; the
    /// single fields take it only when the term is the first, as they hold
    /// the first term. A key value without a letter, or for a letter none of
    /// the terms has, sets none of the fee's fields: the state records why
    /// (`not_derived` of `key_value`), until a later key value fits a term.
    pub fn apply(&mut self, code: Code, fields: &[(Field, Value)], origin: &Origin) {
        let entry = self.codes.entry(code).or_insert_with(|| CodeState {
            code,
            fields: BTreeMap::new(),
            origin: origin.clone(),
            origins: BTreeMap::new(),
            derived: BTreeMap::new(),
            not_derived: BTreeMap::new(),
        });
        let sets_key_value = fields.iter().any(|(f, _)| *f == Field::KeyValue);
        let terms::OntoTerms { fields, set_aside } = terms::onto_terms(entry, fields, origin);
        match set_aside {
            Some(why) => {
                entry.not_derived.insert(Field::KeyValue, why);
            }
            None if sets_key_value => {
                entry.not_derived.remove(&Field::KeyValue);
            }
            None => {}
        }
        if fields.is_empty() {
            return;
        }
        if entry.origin != *origin {
            // The fields set so far keep citing where they were set.
            for field in entry.fields.keys() {
                entry
                    .origins
                    .entry(*field)
                    .or_insert_with(|| entry.origin.clone());
            }
        }
        for (field, value) in fields.iter() {
            entry.fields.insert(*field, value.clone());
            entry.origins.insert(*field, origin.clone());
        }
        entry.origin = origin.clone();
    }
}

/// A dated statement about some codes (from a convention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The date from which the statement applies.
    pub date: NaiveDate,
    /// The codes it is about.
    pub codes: Vec<Code>,
    /// The values it sets.
    pub fields: Vec<(Field, Value)>,
    /// Where it was stated.
    pub origin: Origin,
}
