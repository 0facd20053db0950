//! NomenSoft exports → records: field name → text, with the line each
//! record starts on.
//!
//! Two shapes carry the same fields. INAMI's XML (`<dataroot>` holding one
//! element per record, `<NOMEN_HONORAIRES>`, `<NOMEN_SUMMARY_EXT>`, …, each
//! holding one element per field), and JSON records built from the bulk
//! export by other tools (an object, or an array of objects, with the same
//! field names). Both become [`Record`]s, so what a field means is read in
//! one place (the parent module).

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::Error;

/// One record of an export: its fields by lower-case name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record's element name (`NOMEN_HONORAIRES`), or `json` for JSON.
    pub table: String,
    /// Every field, by lower-case name; empty fields are left out.
    pub fields: BTreeMap<String, String>,
    /// The line the record starts on (1-based).
    pub line: usize,
}

impl Record {
    /// A field's text, if the record has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// The records of an XML export. Malformed or truncated XML is an error
/// naming the file and line.
pub fn from_xml(path: &Path, text: &str) -> Result<Vec<Record>, Error> {
    // Lines counted as the reader advances: counting from the start at every
    // event would be quadratic in the export's size.
    let mut lines = LineCounter::default();
    let broken = |line: usize, why: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!("line {line}: not a NomenSoft XML export: {why}"),
    };
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    let mut value = String::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            broken(
                line_of(text, reader.error_position() as usize),
                e.to_string(),
            )
        })?;
        let here = lines.at(text, reader.buffer_position() as usize);
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                // depth 0: dataroot; 1: a record; 2: a field.
                if stack.len() == 1 {
                    current = Some(Record {
                        table: name.clone(),
                        fields: BTreeMap::new(),
                        line: here,
                    });
                }
                value.clear();
                stack.push(name);
            }
            Event::Empty(_) => {}
            Event::Text(t) => value.push_str(&t.xml10_content()),
            Event::CData(t) => value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_xml_entity(&r)
                        .ok_or_else(|| broken(here, format!("unknown entity `&{};`", &*r)))?
                        .to_string(),
                };
                value.push_str(&resolved);
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                stack.pop();
                match (stack.len(), current.as_mut()) {
                    (2, Some(record)) => {
                        let text = value.trim();
                        if !text.is_empty() {
                            record.fields.insert(name.to_lowercase(), text.to_string());
                        }
                    }
                    (1, Some(_)) => records.extend(current.take()),
                    _ => {}
                }
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(broken(
            line_of(text, text.len()),
            format!("the file ends inside <{open}> (truncated?)"),
        ));
    }
    if records.is_empty() {
        return Err(broken(1, "it holds no record".into()));
    }
    Ok(records)
}

/// The records of a JSON export: one object, or an array of objects.
pub fn from_json(path: &Path, text: &str) -> Result<Vec<Record>, Error> {
    let broken = |line: usize, why: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!("line {line}: not a NomenSoft JSON record: {why}"),
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| broken(e.line(), e.to_string()))?;
    let objects = match value {
        serde_json::Value::Array(items) => items,
        object @ serde_json::Value::Object(_) => vec![object],
        _ => {
            return Err(broken(
                1,
                "expected an object or an array of objects".into(),
            ))
        }
    };
    let starts = object_starts(text);
    objects
        .into_iter()
        .enumerate()
        .map(|(i, object)| {
            let line = starts.get(i).copied().unwrap_or(1);
            let serde_json::Value::Object(map) = object else {
                return Err(broken(line, "expected an object".into()));
            };
            let fields = map
                .into_iter()
                .filter_map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::Null => return None,
                        serde_json::Value::String(s) => s,
                        // Numbers as written: serde_json prints the shortest
                        // text that reads back to the same value, which is
                        // the text of any amount with up to 15 digits.
                        other => other.to_string(),
                    };
                    let text = text.trim().to_string();
                    (!text.is_empty()).then(|| (k.to_lowercase(), text))
                })
                .collect();
            Ok(Record {
                table: "json".into(),
                fields,
                line,
            })
        })
        .collect()
}

/// The line of increasing offsets, counted incrementally.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset < self.offset {
            return line_of(text, offset);
        }
        self.line += text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line + 1
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The lines where the top-level objects of a JSON text start (the text
/// itself, or the items of a top-level array), skipping strings.
fn object_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let (mut depth, mut line, mut in_string, mut escaped) = (0usize, 1usize, false, false);
    let top_is_array = text.trim_start().starts_with('[');
    for c in text.chars() {
        match c {
            '\n' => line += 1,
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            }
            '"' => in_string = true,
            '{' | '[' => {
                let object_level = if top_is_array { 1 } else { 0 };
                if c == '{' && depth == object_level {
                    starts.push(line);
                }
                depth += 1;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "<?xml version=\"1.0\"?>\n<dataroot>\n  <NOMEN_HONORAIRES>\n    <nomen_code>302805</nomen_code>\n    <fee_code_desc_fr>Honoraire</fee_code_desc_fr>\n    <nomen_desc_fr>A &amp; B &#233;</nomen_desc_fr>\n    <fee>158.700000</fee>\n  </NOMEN_HONORAIRES>\n</dataroot>\n";

    #[test]
    fn an_xml_record_keeps_its_fields_and_line() {
        let records = from_xml(Path::new("x.xml"), ONE).unwrap();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.table, "NOMEN_HONORAIRES");
        assert_eq!(r.line, 3);
        assert_eq!(r.get("nomen_code"), Some("302805"));
        assert_eq!(r.get("nomen_desc_fr"), Some("A & B é"));
        assert_eq!(r.get("fee"), Some("158.700000"));
    }

    #[test]
    fn truncated_or_malformed_xml_names_the_line() {
        let cut = &ONE[..ONE.find("<fee>").unwrap()];
        let e = from_xml(Path::new("x.xml"), cut).unwrap_err().to_string();
        assert!(
            e.contains("x.xml: line 7:") && e.contains("truncated"),
            "{e}"
        );
        let bad = ONE.replace("</fee>", "</feex>");
        let e = from_xml(Path::new("x.xml"), &bad).unwrap_err().to_string();
        assert!(e.contains("line 7"), "{e}");
    }

    #[test]
    fn json_records_start_on_their_lines() {
        let text = "[\n {\"nomen_code\": 105755, \"fee\": 32.85, \"x\": null},\n {\"nomen_code\": \"101010\", \"s\": \"{\"}\n]";
        let records = from_json(Path::new("r.json"), text).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].get("fee"), Some("32.85"));
        assert_eq!(records[0].get("x"), None);
        assert_eq!((records[0].line, records[1].line), (2, 3));
    }
}
