//! Stage 3: records → findings.
//!
//! A [`Finding`] is data: a rule id, a severity, a [`Place`] and a message with
//! what was expected and what was found. Validators return every finding, never
//! only the first; errors block an import, warnings are reported only.
//! Rendering (with the source line and a caret) lives in [`crate::report`].

pub mod convention;
pub mod tariff;

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::code::Code;

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

/// Where a finding is: a file, and inside it a line, page and column span.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    /// Shared: a million findings in one file do not copy its name.
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: Option<usize>,
    /// 1-based page number (PDF sources).
    pub page: Option<u32>,
    /// 1-based column (in characters) where the caret starts.
    pub column: Option<usize>,
    /// Number of characters the caret covers.
    #[serde(skip)]
    pub width: usize,
    /// The text of the line, to show under the message.
    #[serde(skip)]
    pub text: Option<arcstr::Substr>,
}

impl Place {
    /// A whole file, no position inside it.
    pub fn file(file: impl Into<Arc<str>>) -> Place {
        Place {
            file: file.into(),
            ..Place::default()
        }
    }

    /// `file:line:column` (as far as known), for one-line messages.
    pub fn short(&self) -> String {
        let mut s = self.file.to_string();
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
            if let Some(col) = self.column {
                s.push_str(&format!(":{col}"));
            }
        }
        s
    }
}

/// Text of a finding: usually a fixed phrase, so no allocation is needed.
pub type Text = Cow<'static, str>;

/// One problem found in a document or snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule broken (`fee-mismatch`).
    pub rule: Rule,
    /// Error (blocks an import) or warning.
    pub severity: Severity,
    #[serde(flatten)]
    /// Where: file, line, page, column.
    pub place: Place,
    /// What is wrong, in one sentence.
    pub message: Text,
    /// What the rule expected, when it can say.
    pub expected: Option<Text>,
    /// What the document says instead.
    pub found: Option<Text>,
    /// The code of the row concerned, if any.
    pub code: Option<Code>,
}

impl Finding {
    /// A finding of `rule` at `place`, with its rule's severity.
    pub fn new(rule: Rule, place: Place, message: impl Into<Text>) -> Finding {
        Finding {
            rule,
            severity: rule.severity(),
            place,
            message: message.into(),
            expected: None,
            found: None,
            code: None,
        }
    }

    /// Adds what was expected and what was found.
    pub fn expected_found(mut self, expected: impl Into<Text>, found: impl Into<Text>) -> Self {
        self.expected = Some(expected.into());
        self.found = Some(found.into());
        self
    }

    /// Names the code of the row concerned.
    pub fn for_code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    /// Whether the finding is an error (an import with one writes nothing).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Counts of errors and warnings in a list of findings.
pub fn count(findings: &[Finding]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.is_error()).count();
    (errors, findings.len() - errors)
}

/// Sorts findings by line, column and file, keeping the order of equal places.
///
/// Findings arrive nearly in order (row by row, then table-wide rules), so the
/// common case is a check. Otherwise an index is sorted and each finding moved
/// once: findings are large, and a table with a million rows may have as many.
pub fn sort(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| (f.place.line, f.place.column);
    let in_order = |a: &Finding, b: &Finding| (key(a), &a.place.file) <= (key(b), &b.place.file);
    if findings.is_sorted_by(in_order) {
        return;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.place.file.cmp(&b.place.file))
    });
    let mut taken: Vec<Option<Finding>> = findings.drain(..).map(Some).collect();
    findings.extend(
        order
            .into_iter()
            .map(|i| taken[i].take().expect("each index once")),
    );
}
