//! The rules findings are made under, and how serious each is. Rule ids are
//! stable: tools match on them (`fee-mismatch`).

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks an import; exit code 1.
    Error,
    /// Reported, does not block.
    Warning,
}

/// The rules a validator checks. Their ids are stable: tools match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A line looks like a row but does not parse.
    UnparsedRow,
    /// Fee ≠ key value × relative value rounded half-up to the cent.
    FeeMismatch,
    /// A code's 6th digit is not its first five digits mod 7.
    CheckDigit,
    /// An insurance intervention is larger than the fee.
    InterventionExceedsFee,
    /// The preferential intervention is smaller than the standard one.
    PreferentialBelowStandard,
    /// A code appears on two rows of one table.
    DuplicateCode,
    /// Fee − interventions match no other row's personal share.
    ShareOutlier,
    /// AMB and HOS codes on one row do not differ by 11.
    CodePair,
    /// A document states two different effective dates.
    ConflictingDate,
    /// A free fee `(*)` without the footnote that explains it.
    MissingFeeNote,
    /// A snapshot does not match `schema/*.schema.json`.
    Schema,
    /// A convention's stated fee ≠ the code's key value × relative value.
    StatedFeeMismatch,
    /// A convention gives a code two key values for one date.
    ConflictingKeyValue,
    /// A table's interventions for a pseudocode do not follow the convention's rates.
    IndemnityRate,
    /// A convention statement that carries a code and an amount but cannot be read.
    UnreadableStatement,
    /// A date that cannot be read (impossible, or in no known form).
    UnreadableDate,
    /// A document holding two kinds: table rows in a convention, convention
    /// statements in a table, or a second title.
    MixedDocument,
    /// The French and Dutch sources of one document state different values.
    LanguageMismatch,
    /// Amounts whose product, difference or share does not fit in a decimal
    /// (28 significant digits): nothing can be checked with them.
    ArithmeticOverflow,
    /// A snapshot's stored source is missing, or its SHA-256 is not the one
    /// the snapshot states.
    SourceMismatch,
    /// A snapshot names a source outside the repository (absolute, `..`, or
    /// through a symlink): it is not read.
    SourcePath,
    /// A NomenSoft record and a tariff table state different amounts for one
    /// code, category and date.
    NomensoftMismatch,
    /// A NomenSoft fee category whose description this tool does not know.
    UnknownFeeCategory,
    /// A row's `key_terms` name a letter twice or are not in the order of
    /// their key letters, or its single fields (`key_letter`, `key_value`,
    /// `relative_value`) do not repeat the first term.
    KeyTermsInconsistent,
    /// A NomenSoft export gives two values for one thing: two records for
    /// one code, category and start date that differ, or one field twice in
    /// a record.
    NomensoftConflict,
    /// A NomenSoft export gives the same record twice.
    NomensoftDuplicate,
    /// A period that ends before it starts.
    InvalidPeriod,
}

impl Rule {
    /// The rule id as printed in brackets: `fee-mismatch`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::UnparsedRow => "unparsed-row",
            Rule::FeeMismatch => "fee-mismatch",
            Rule::CheckDigit => "check-digit",
            Rule::InterventionExceedsFee => "intervention-exceeds-fee",
            Rule::PreferentialBelowStandard => "preferential-below-standard",
            Rule::DuplicateCode => "duplicate-code",
            Rule::ShareOutlier => "share-outlier",
            Rule::CodePair => "code-pair",
            Rule::ConflictingDate => "conflicting-date",
            Rule::MissingFeeNote => "missing-fee-note",
            Rule::Schema => "schema",
            Rule::StatedFeeMismatch => "stated-fee-mismatch",
            Rule::ConflictingKeyValue => "conflicting-key-value",
            Rule::IndemnityRate => "indemnity-rate",
            Rule::UnreadableStatement => "unreadable-statement",
            Rule::UnreadableDate => "unreadable-date",
            Rule::MixedDocument => "mixed-document",
            Rule::LanguageMismatch => "language-mismatch",
            Rule::ArithmeticOverflow => "arithmetic-overflow",
            Rule::SourceMismatch => "source-mismatch",
            Rule::SourcePath => "source-path",
            Rule::NomensoftMismatch => "nomensoft-mismatch",
            Rule::UnknownFeeCategory => "unknown-fee-category",
            Rule::KeyTermsInconsistent => "key-terms-inconsistent",
            Rule::NomensoftConflict => "nomensoft-conflict",
            Rule::NomensoftDuplicate => "nomensoft-duplicate",
            Rule::InvalidPeriod => "invalid-period",
        }
    }

    /// The severity a finding of this rule has.
    pub fn severity(self) -> Severity {
        match self {
            Rule::ShareOutlier
            | Rule::CodePair
            | Rule::MissingFeeNote
            | Rule::UnknownFeeCategory
            | Rule::NomensoftDuplicate => Severity::Warning,
            _ => Severity::Error,
        }
    }
}
