//! Findings for people: the source line with a caret under the cell.
//!
//! ```text
//! error[fee-mismatch]: fee is not key value × relative value ...: 1,066667 × 24 = 25,60, document says 25,66
//!   --> table.txt:23:31
//!    |
//! 23 |  M = 1,066667 560011 - = M 24 25,66 23,10 19,35
//!    |                              ^^^^^ expected 25,60, found 25,66
//! ```
//!
//! Machine-readable output is the serde form of [`Finding`] (see `--format json`).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::finding::Finding;
use super::rule::Severity;

/// Renders one finding as text, ending with a newline. The text carries
/// ANSI styles (error red, warning yellow, carets like their severity); the
/// output layer drops them when color is off or the output is no terminal.
pub fn render(finding: &Finding) -> String {
    let mut out = String::new();
    let (severity, style) = match finding.severity {
        Severity::Error => ("error", AnsiColor::Red.on_default().bold()),
        Severity::Warning => ("warning", AnsiColor::Yellow.on_default().bold()),
    };
    let bold = Style::new().bold();
    let blue = AnsiColor::Blue.on_default().bold();
    let _ = writeln!(
        out,
        "{style}{severity}[{}]{style:#}{bold}: {}{bold:#}",
        finding.rule.id(),
        finding.message
    );
    let at = &finding.location;
    let mut heading = at.short();
    if let Some(page) = at.page {
        let _ = write!(heading, " (page {page})");
    }
    if let Some(code) = &finding.code {
        let _ = write!(heading, " [code {code}]");
    }
    let _ = writeln!(out, "  {blue}-->{blue:#} {heading}");
    let label = match (&finding.expected, &finding.found) {
        (Some(e), Some(f)) => format!("expected {e}, found {f}"),
        _ => String::new(),
    };
    match (&at.text, at.line) {
        (Some(text), Some(line)) => {
            let number = line.to_string();
            let gutter = " ".repeat(number.len());
            let _ = writeln!(out, "{gutter} {blue}|{blue:#}");
            let _ = writeln!(out, "{blue}{number} |{blue:#} {text}");
            let column = at.column.unwrap_or(1);
            let carets = "^".repeat(at.width.max(1));
            let pad = " ".repeat(column - 1);
            let _ = writeln!(
                out,
                "{gutter} {blue}|{blue:#} {pad}{style}{carets} {label}{style:#}"
            );
        }
        _ if !label.is_empty() => {
            let _ = writeln!(out, "   = {label}");
        }
        _ => {}
    }
    out
}

/// `4 errors, 1 warning`
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Location, Rule};

    #[test]
    fn caret_sits_under_the_cell() {
        let line = " M = 1,066667 560011 - = M 24 25,66 23,10 19,35";
        let column = line.find("25,66").unwrap() + 1;
        let location = Location {
            file: "t.txt".into(),
            line: Some(23),
            page: None,
            column: Some(column),
            width: 5,
            text: Some(line.into()),
        };
        let f = Finding::new(Rule::FeeMismatch, location, "fee").expected_found("25,60", "25,66");
        let styled = render(&f);
        assert!(
            styled.contains("\u{1b}[31m"),
            "errors are red on a terminal"
        );
        let text = anstream::adapter::strip_str(&styled).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "error[fee-mismatch]: fee");
        assert_eq!(lines[1], format!("  --> t.txt:23:{column}"));
        let caret_at = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret_at..caret_at + 5], "25,66");
        assert!(lines[4].ends_with("^^^^^ expected 25,60, found 25,66"));
    }

    #[test]
    fn summary_counts() {
        assert_eq!(summary(1, 0), "1 error, 0 warnings");
        assert_eq!(summary(4, 2), "4 errors, 2 warnings");
    }
}
