//! A snapshot of a document of either family: what `parsed/` holds for a
//! tariff table or a convention, or what a document just parsed makes.

use chrono::NaiveDate;

use super::bilingual::{Bilingual, Shared};
use super::convention::Convention;
use super::sources::Language;
use super::tariff::TariffTable;

/// A snapshot of a tariff table or a convention. (A NomenSoft export's
/// snapshot, a [`Nomenclature`](super::Nomenclature), is of no profession
/// and no date of its own, and is read apart.)
#[derive(Debug, Clone)]
pub enum Snapshot {
    /// A tariff table snapshot.
    Tariff(TariffTable),
    /// A convention snapshot.
    Convention(Convention),
}

impl Snapshot {
    /// The fields both families have: profession, date, title, language
    /// and sources.
    pub fn shared(&self) -> Shared<'_> {
        match self {
            Snapshot::Tariff(t) => t.shared(),
            Snapshot::Convention(c) => c.shared(),
        }
    }

    /// The date from which the snapshot's document applies.
    pub fn effective_from(&self) -> NaiveDate {
        self.shared().effective_from
    }

    /// The profession the snapshot's document is about (`physiotherapy`).
    pub fn profession(&self) -> &str {
        self.shared().profession
    }

    /// The snapshot as its source in `language` states it (see
    /// [`Bilingual::in_language`]).
    pub fn in_language(&self, language: Language) -> Option<Snapshot> {
        match self {
            Snapshot::Tariff(t) => t.in_language(language).map(Snapshot::Tariff),
            Snapshot::Convention(c) => c.in_language(language).map(Snapshot::Convention),
        }
    }

    /// How many records it states: rows of a table; key-value lists, stated
    /// fees and indemnities of a convention.
    pub fn records(&self) -> usize {
        match self {
            Snapshot::Tariff(t) => t.rows.len(),
            Snapshot::Convention(c) => {
                c.key_values.len() + c.stated_fees.len() + c.indemnities.len()
            }
        }
    }
}
