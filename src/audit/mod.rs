//! The audit report: one comparison, told for an auditor who mails it.
//!
//! [`build`] gathers what the report shows: the two sides (with their
//! snapshots and commits), the counts, the distribution of the relative
//! changes, every changed code with old → new per field and both
//! citations, and for each changed code its values over every dated state
//! of the repository. [`html`] renders it as one self-contained page
//! (inline style, script and SVG charts; nothing loaded from the network;
//! clean on A4 paper); [`markdown`] renders the same content as Markdown.

pub mod html;
pub mod markdown;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog;
use crate::code::Code;
use crate::compare::{Comparison, SideInfo};
use crate::derive::{self, Relatives};
use crate::diff::Changed;
use crate::error::Error;
use crate::state::{CodeState, Field, Value};
use crate::store::DataRepo;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Report {
    /// The side compared from.
    pub from: SideInfo,
    /// The side compared to.
    pub to: SideInfo,
    /// Codes only the new side has.
    pub added: Vec<CodeState>,
    /// Codes only the old side has.
    pub removed: Vec<CodeState>,
    /// Codes on both sides with at least one changed field.
    pub changed: Vec<Changed>,
    /// How many codes are on both sides with every field equal.
    pub unchanged: usize,
    /// Relative changes of the fee (else the key value) of changed codes,
    /// counted in buckets of 5 percentage points.
    pub distribution: Vec<(String, usize)>,
    /// For each changed code, its value over every dated state.
    pub series: Vec<Series>,
}

/// The values of one code over time.
#[derive(Debug, Clone)]
pub struct Series {
    /// The code.
    pub code: Code,
    /// `fee` or `key_value`: what is plotted.
    pub field: Field,
    /// (date, value, derived) at every dated state that knows the code.
    pub points: Vec<(NaiveDate, Decimal, bool)>,
}

/// Builds the report of a comparison made in `repo`.
pub fn build(repo: &DataRepo, comparison: Comparison) -> Result<Report, Error> {
    let Comparison { from, to, diff } = comparison;
    let profession = to.info.profession.clone();
    let series = series(repo, &profession, &diff.changed)?;
    let distribution = distribution(&diff.changed);
    Ok(Report {
        from: from.info,
        to: to.info,
        added: diff.added,
        removed: diff.removed,
        changed: diff.changed,
        unchanged: diff.unchanged,
        distribution,
        series,
    })
}

/// The relative change a code is known by: its fee's, else its key value's.
pub fn headline_change(c: &Changed) -> Option<Decimal> {
    [Field::Fee, Field::KeyValue]
        .iter()
        .find_map(|f| c.changes.iter().find(|ch| ch.field == *f)?.relative())
}

/// How many changed codes moved by how much: buckets of 5 percentage points
/// of their [`headline_change`] (`10% to 15%`), ascending.
pub fn distribution(changed: &[Changed]) -> Vec<(String, usize)> {
    let step = Decimal::new(5, 0);
    let mut buckets: std::collections::BTreeMap<i128, usize> = Default::default();
    for c in changed {
        let Some(r) = headline_change(c) else {
            continue;
        };
        let Some(percent) = r.checked_mul(Decimal::ONE_HUNDRED) else {
            continue;
        };
        // Dividing by 5 shrinks, and a floored decimal has scale 0: the
        // bucket is a whole number of at most 28 digits, which i128 holds.
        let bucket = (percent / step).floor();
        let key = bucket.mantissa() / 10i128.pow(bucket.scale());
        *buckets.entry(key).or_default() += 1;
    }
    buckets
        .into_iter()
        .map(|(b, n)| (format!("{}% to {}%", b * 5, b * 5 + 5), n))
        .collect()
}

fn series(repo: &DataRepo, profession: &str, changed: &[Changed]) -> Result<Vec<Series>, Error> {
    let snapshots = catalog::list(repo)?;
    let relatives = Relatives::load(repo, &snapshots, profession)?;
    let mut states = Vec::new();
    for date in catalog::state_dates(repo, &snapshots, profession)? {
        let (mut state, _) = catalog::state_at(repo, &snapshots, profession, date)?;
        derive::complete(&mut state, date, &relatives);
        states.push((date, state));
    }
    Ok(changed
        .iter()
        .map(|c| {
            let field = if c.changes.iter().any(|ch| ch.field == Field::Fee) {
                Field::Fee
            } else {
                Field::KeyValue
            };
            let points = states
                .iter()
                .filter_map(|(date, state)| {
                    let s = state.codes.get(&c.code).or_else(|| {
                        state
                            .codes
                            .values()
                            .find(|s| s.get(Field::HospitalizedCode) == Some(&Value::Code(c.code)))
                    })?;
                    let value = s.get(field)?.amount()?;
                    Some((*date, value, s.derived.contains_key(&field)))
                })
                .collect();
            Series {
                code: c.code,
                field,
                points,
            }
        })
        .collect())
}
