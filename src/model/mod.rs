//! The snapshot model: the records every stage shares.
//!
//! A data repository holds snapshots of three families, each the serde
//! layout of its records here:
//!
//! - a tariff table ([`TariffTable`]): one [`TariffRow`] per code, a fee of
//!   several key letters with its [`KeyTerm`]s;
//! - a convention ([`Convention`]): [`KeyValueList`]s, [`StatedFee`]s and
//!   [`Indemnity`]s, each dated;
//! - a NomenSoft export ([`Nomenclature`]): one [`FeeRecord`] per record.
//!
//! A [`Snapshot`] is a table or a convention, the documents of a profession
//! at a date. Both may come in French and Dutch; what they share for that
//! (title, language, source, sources, translations) is read and edited
//! through [`Bilingual`].
//!
//! The serde layout *is* the canonical YAML contract
//! (`schema/*.schema.json`): field names and order here are public and may
//! only grow. Amounts and key values are [`Decimal`](rust_decimal::Decimal)s
//! written as strings, so the scale the document printed survives a round
//! trip.
//!
//! Glossary (EN / FR / NL): `fee` honoraires / honorarium; `key_letter` lettre
//! clé / sleutelletter; `key_value` valeur de la lettre clé (facteur de
//! multiplication) / waarde van de sleutelletter; `relative_value` valeur relative
//! / betrekkelijke waarde; `intervention_preferential` intervention de
//! l'assurance, bénéficiaires avec régime préférentiel / verzekeringstegemoetkoming,
//! rechthebbenden met voorkeurregeling; `intervention_standard` the same without
//! the preferential regime / zonder voorkeurregeling; `key_terms` the key
//! letters of a fee made of several (`N 8 + Q 30`), each with its value and
//! its `coefficient` (the letter's share of the relative value) — a
//! [`KeyTerm`] in a table, a [`RecordTerm`] as NomenSoft writes it;
//! `stated_fees` fees a convention (convention / overeenkomst) states
//! outright; `indemnities` indemnité / vergoeding, attested with
//! `pseudocodes`; `source` the document as published and stored; a
//! [`Position`] a line (and page) of a source; a translation the words of a
//! document's other language (French / Dutch) and the positions of its
//! records there.

mod bilingual;
mod convention;
mod letter;
mod nomensoft;
mod snapshot;
mod sources;
mod tariff;

pub use bilingual::{Bilingual, Shared, SharedMut};
pub use convention::{
    Convention, ConventionTranslation, Indemnity, KeyValueList, Reimbursement, StatedFee,
    CONVENTION_SCHEMA_ID,
};
pub use nomensoft::{
    Category, ExportSource, FeeRecord, Nomenclature, RecordTerm, NOMENSOFT_SCHEMA_ID,
};
pub use snapshot::Snapshot;
pub use sources::{Language, LanguageSource, Position, SourceFormat, SourceRef};
pub use tariff::{
    KeyTerm, RowTranslation, TableTranslation, TariffRow, TariffTable, TARIFF_SCHEMA_ID,
};
