//! NomenSoft exports → records: field name → text, with the line each
//! record and each field starts on.
//!
//! Two shapes carry the same fields. INAMI's XML (`<dataroot>` holding one
//! element per record, `<NOMEN_HONORAIRES>`, `<NOMEN_SUMMARY_EXT>`, …, each
//! holding one element per field), and JSON records built from the bulk
//! export by other tools (an object, or an array of objects, with the same
//! field names). Both become [`RawRecord`]s, so what a field means is read in
//! one place (the parent module).
//!
//! Nothing is dropped on the way. XML that is not well-formed, or not of
//! that shape (text after the root element, a second root, text outside a
//! field, an element inside a field), is an error naming the line. A field
//! given twice in one record (in JSON, also under names that differ only in
//! case: field names are read without case) keeps its first value and is
//! listed in [`RawRecord::repeated`], for the parent module to report. JSON
//! numbers are kept as written (`158.700000`, `32.850000000000001`): they
//! are read as their text, never as a float.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::Error;

/// One record of an export as written, before it is read into a
/// [`FeeRecord`](crate::model::FeeRecord): its fields by lower-case name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The record's element name (`NOMEN_HONORAIRES`), or `json` for JSON.
    pub table: String,
    /// Every field by lower-case name, empty ones included (the first, when
    /// a field is given twice).
    pub fields: BTreeMap<String, RawField>,
    /// The line the record starts on (1-based).
    pub line: usize,
    /// Fields given a second time: the one kept, and the other.
    pub repeated: Vec<(RawField, RawField)>,
}

/// A field as the export gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    /// Its name as written (`fee`, `AUTHOR_DOC`).
    pub name: String,
    /// Its text, trimmed; empty for an empty element or a JSON `null`.
    pub text: String,
    /// The line it is on.
    pub line: usize,
}

impl RawRecord {
    fn new(table: String, line: usize) -> RawRecord {
        RawRecord {
            table,
            fields: BTreeMap::new(),
            line,
            repeated: Vec::new(),
        }
    }

    /// A field's text, if the record has it and it is not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|f| f.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Adds a field; one given before under the same name (without case)
    /// stays, and the pair is listed as repeated.
    fn add(&mut self, field: RawField) {
        match self.fields.entry(field.name.to_lowercase()) {
            Entry::Vacant(e) => {
                e.insert(field);
            }
            Entry::Occupied(e) => self.repeated.push((e.get().clone(), field)),
        }
    }
}

/// The records of an XML export. Malformed or truncated XML, or XML not of
/// an export's shape, is an error naming the file and line.
pub fn from_xml(path: &Path, text: &str) -> Result<Vec<RawRecord>, Error> {
    let mut reader = Reader::from_str(text);
    // Lines counted as the reader advances: counting from the start at every
    // event would be quadratic in the export's size.
    let mut lines = LineCounter::default();
    let mut tree = Tree::default();
    let broken = |line: usize, why: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!("line {line}: not a NomenSoft XML export: {why}"),
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            broken(
                line_of(text, reader.error_position() as usize),
                e.to_string(),
            )
        })?;
        if matches!(event, Event::Eof) {
            break;
        }
        let here = lines.at(text, reader.buffer_position() as usize);
        tree.take(event, here).map_err(|mistake| {
            let line = match mistake.at {
                At::Here => here,
                At::TextFrom => line_of(text, start + leading_space(&text[start..])),
            };
            broken(line, mistake.why)
        })?;
    }
    if let Some(open) = tree.open.last() {
        return Err(broken(
            line_of(text, text.len()),
            format!("the file ends inside <{open}> (truncated?)"),
        ));
    }
    if tree.records.is_empty() {
        return Err(broken(1, "it holds no record".into()));
    }
    Ok(tree.records)
}

/// What the XML reader has seen so far: the elements open (depth 0 is the
/// root, 1 a record, 2 a field), the record being read, the field's text.
#[derive(Default)]
struct Tree {
    open: Vec<String>,
    root_closed: bool,
    records: Vec<RawRecord>,
    current: Option<RawRecord>,
    value: String,
    field_line: usize,
}

/// Why an event does not belong in an export, and where: the line the
/// event ends on, or where its text starts.
struct Mistake {
    at: At,
    why: String,
}

enum At {
    Here,
    TextFrom,
}

impl Tree {
    /// Takes one event that ends on line `here`.
    fn take(&mut self, event: Event<'_>, here: usize) -> Result<(), Mistake> {
        let mistake = |at, why| Err(Mistake { at, why });
        match event {
            Event::Start(e) => self.start(e.name().as_ref().to_string(), here, false),
            Event::Empty(e) => self.start(e.name().as_ref().to_string(), here, true),
            Event::End(_) => {
                self.end();
                Ok(())
            }
            Event::Text(t) => self.text(&t.xml10_content()),
            Event::CData(t) => self.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_xml_entity(&r) {
                        Some(text) => text.to_string(),
                        None => return mistake(At::Here, format!("unknown entity `&{};`", &*r)),
                    },
                };
                self.text(&resolved)
            }
            // The declaration, comments, processing instructions, a DOCTYPE.
            _ => Ok(()),
        }
    }

    /// An element starts (and, when `empty`, ends at once).
    fn start(&mut self, name: String, here: usize, empty: bool) -> Result<(), Mistake> {
        if self.root_closed {
            return Err(Mistake {
                at: At::Here,
                why: format!("a second root element <{name}>"),
            });
        }
        match self.open.len() {
            0 => {}
            1 => self.current = Some(RawRecord::new(name.clone(), here)),
            2 => {
                self.value.clear();
                self.field_line = here;
            }
            _ => {
                return Err(Mistake {
                    at: At::Here,
                    why: format!("an element <{name}> inside the field <{}>", self.open[2]),
                })
            }
        }
        self.open.push(name);
        if empty {
            self.end();
        }
        Ok(())
    }

    /// The innermost element ends (quick-xml has checked its name).
    fn end(&mut self) {
        let name = self.open.pop().unwrap_or_default();
        match (self.open.len(), self.current.as_mut()) {
            (2, Some(record)) => record.add(RawField {
                name,
                text: self.value.trim().to_string(),
                line: self.field_line,
            }),
            (1, Some(_)) => self.records.extend(self.current.take()),
            (0, _) => self.root_closed = true,
            _ => {}
        }
        self.value.clear();
    }

    /// Text: a field's value, or (outside a field) nothing but white space.
    fn text(&mut self, text: &str) -> Result<(), Mistake> {
        if self.open.len() > 2 {
            self.value.push_str(text);
            return Ok(());
        }
        let words = text.trim();
        if words.is_empty() {
            return Ok(());
        }
        let place = match self.open.len() {
            0 if self.root_closed => "after the root element".to_string(),
            0 => "before the root element".to_string(),
            1 => format!("between the records of <{}>", self.open[0]),
            _ => format!("outside a field of <{}>", self.open[1]),
        };
        let shown: String = words.chars().take(40).collect();
        Err(Mistake {
            at: At::TextFrom,
            why: format!("text {place}: `{shown}`"),
        })
    }
}

/// The length of the white space `text` starts with.
fn leading_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// The records of a JSON export: one object, or an array of objects.
pub fn from_json(path: &Path, text: &str) -> Result<Vec<RawRecord>, Error> {
    let broken = |line: usize, why: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!("line {line}: not a NomenSoft JSON record: {why}"),
    };
    // Raw values borrow from `text`: where each starts gives its line, and a
    // number stays the text it is written as.
    let whole: &RawValue =
        serde_json::from_str(text).map_err(|e| broken(e.line(), e.to_string()))?;
    let items: Vec<&RawValue> = match whole.get().as_bytes().first() {
        Some(b'[') => {
            serde_json::from_str(whole.get()).map_err(|e| broken(e.line(), e.to_string()))?
        }
        Some(b'{') => vec![whole],
        _ => {
            return Err(broken(
                1,
                "expected an object or an array of objects".into(),
            ))
        }
    };
    let mut lines = LineCounter::default();
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        let line = lines.at(text, offset_in(text, item.get()));
        if !item.get().starts_with('{') {
            return Err(broken(line, "expected an object".into()));
        }
        let Members(members) = serde_json::from_str(item.get())
            .map_err(|e| broken(line + e.line() - 1, e.to_string()))?;
        let mut record = RawRecord::new("json".into(), line);
        for (name, value) in members {
            let line = lines.at(text, offset_in(text, value.get()));
            let value = value_text(value).map_err(|e| broken(line, e.to_string()))?;
            record.add(RawField {
                name,
                text: value.trim().to_string(),
                line,
            });
        }
        records.push(record);
    }
    Ok(records)
}

/// An object's members in order, every one of them: a name given twice is
/// kept twice (a map would keep one, unseen).
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct All;
        impl<'de> Visitor<'de> for All {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(All)
    }
}

/// A member's value as a field's text: a string's content, a number or a
/// boolean as written, nothing for `null`.
fn value_text(value: &RawValue) -> Result<String, serde_json::Error> {
    let json = value.get();
    match json.as_bytes().first() {
        Some(b'"') => serde_json::from_str(json),
        Some(b'n') => Ok(String::new()),
        // No field is an object or an array; written compact, as before.
        Some(b'{' | b'[') => serde_json::from_str::<serde_json::Value>(json).map(|v| v.to_string()),
        _ => Ok(json.to_string()),
    }
}

/// Where `part`, a slice of `text`, starts in it.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .filter(|&at| at <= text.len())
        .unwrap_or(0)
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
        assert_eq!(r.fields["fee"].line, 7);
        assert!(r.repeated.is_empty());
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
    fn an_xml_field_given_twice_keeps_the_first_and_is_listed() {
        let twice = ONE.replace("<fee>158.700000</fee>", "<fee>158.700000</fee>\n<FEE/>");
        let records = from_xml(Path::new("x.xml"), &twice).unwrap();
        let r = &records[0];
        assert_eq!(r.get("fee"), Some("158.700000"));
        let (kept, other) = &r.repeated[0];
        assert_eq!((kept.line, other.line), (7, 8));
        assert_eq!((other.name.as_str(), other.text.as_str()), ("FEE", ""));
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

    #[test]
    fn json_numbers_are_their_text_and_names_given_twice_are_listed() {
        let text = "{\"fee\": 32.850000000000001,\n \"Fee\": 158.700000, \"n\": 1e2, \"b\": true, \"o\": {\"a\": [1, 2]}}";
        let records = from_json(Path::new("r.json"), text).unwrap();
        let r = &records[0];
        assert_eq!(r.get("fee"), Some("32.850000000000001"));
        assert_eq!(r.get("n"), Some("1e2"));
        assert_eq!(r.get("b"), Some("true"));
        assert_eq!(r.get("o"), Some("{\"a\":[1,2]}"));
        let (kept, other) = &r.repeated[0];
        assert_eq!((kept.line, other.line), (1, 2));
        assert_eq!(
            (other.name.as_str(), other.text.as_str()),
            ("Fee", "158.700000")
        );
    }
}
