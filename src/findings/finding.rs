//! A finding: a rule broken at a location, with what was expected and found.

use std::borrow::Cow;

use serde::Serialize;

use super::location::Location;
use super::rule::{Rule, Severity};
use crate::code::Code;

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
    pub location: Location,
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
    /// A finding of `rule` at `location`, with its rule's severity.
    pub fn new(rule: Rule, location: Location, message: impl Into<Text>) -> Finding {
        Finding {
            rule,
            severity: rule.severity(),
            location,
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

/// Sorts findings by line, column and file, keeping the order of equal locations.
///
/// Findings arrive nearly in order (row by row, then table-wide rules), so the
/// common case is a check. Otherwise an index is sorted and each finding moved
/// once: findings are large, and a table with a million rows may have as many.
pub fn sort(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| (f.location.line, f.location.column);
    let in_order =
        |a: &Finding, b: &Finding| (key(a), &a.location.file) <= (key(b), &b.location.file);
    if findings.is_sorted_by(in_order) {
        return;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.location.file.cmp(&b.location.file))
    });
    let mut taken: Vec<Option<Finding>> = findings.drain(..).map(Some).collect();
    findings.extend(
        order
            .into_iter()
            .map(|i| taken[i].take().expect("each index once")),
    );
}
