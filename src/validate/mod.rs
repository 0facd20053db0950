//! Stage 3: records → findings.
//!
//! The rules of each family, on exact decimals: [`tariff`] checks a table's
//! rows (arithmetic, check digits, duplicates, shares, notes), [`convention`]
//! a convention's statements (stated fees against key values, conflicting
//! key values, indemnity rates against the tables). Each returns every
//! [`Finding`](crate::findings::Finding) it makes, never only the first; what
//! a finding is, and how it is shown, is [`crate::findings`]'s.

pub mod convention;
pub mod tariff;
