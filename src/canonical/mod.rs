//! Stage 4: records ↔ canonical YAML. The only YAML writer in the crate.
//!
//! A snapshot is the serde layout of the model, preceded by a comment that
//! points editors at its JSON Schema. Writing is deterministic: the same
//! records give the same bytes. Reading checks the file against the schema
//! first, so a malformed snapshot is reported by field, not as a serde panic.

pub mod bounds;
pub mod fast;
mod quote;

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;
use crate::findings::{Finding, Location, Rule};
use crate::model::{Convention, Snapshot, TariffTable};

/// The JSON Schema of tariff snapshots (`schema/tariff.schema.json`).
pub const TARIFF_SCHEMA: &str = include_str!("../../schema/tariff.schema.json");

/// Serializes a snapshot, with the schema comment for `schema_file` first.
fn to_yaml<T: Serialize>(value: &T, schema_file: &str) -> String {
    let body = serde_yaml::to_string(value).expect("snapshot records always serialize");
    let body = quote::for_every_reader(&body);
    format!("# yaml-language-server: $schema=../../schema/{schema_file}\n{body}")
}

/// The JSON Schema of convention snapshots (`schema/convention.schema.json`).
pub const CONVENTION_SCHEMA: &str = include_str!("../../schema/convention.schema.json");

/// The canonical YAML of a convention.
pub fn convention_to_yaml(convention: &Convention) -> String {
    to_yaml(convention, "convention.schema.json")
}

/// The JSON Schema of NomenSoft snapshots (`schema/nomensoft.schema.json`).
pub const NOMENSOFT_SCHEMA: &str = include_str!("../../schema/nomensoft.schema.json");

/// The canonical YAML of a NomenSoft export.
pub fn nomensoft_to_yaml(nomenclature: &crate::model::Nomenclature) -> String {
    to_yaml(nomenclature, "nomensoft.schema.json")
}

/// Reads a NomenSoft snapshot (bounded, then typed; the schema check is
/// `validate`'s).
pub fn read_nomensoft(path: &Path, text: &str) -> Result<crate::model::Nomenclature, Error> {
    bounds::check_size(path, text.len() as u64)?;
    bounds::check(path, text)?;
    serde_yaml::from_str(text).map_err(|e| Error::BadSnapshot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The schema folder every data repository gets, so the `$schema` headers
/// of its snapshots resolve: `(path, contents)`.
pub const SCHEMA_FILES: [(&str, &str); 4] = [
    ("schema/tariff.schema.json", TARIFF_SCHEMA),
    ("schema/convention.schema.json", CONVENTION_SCHEMA),
    ("schema/nomensoft.schema.json", NOMENSOFT_SCHEMA),
    ("schema/README.md", include_str!("../../schema/README.md")),
];

/// The `schema:` id a snapshot declares (`inami-tariffs/tariff/1`).
pub fn declared_schema(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("schema: "))
        .map(str::trim)
}

/// The JSON Schema for a declared schema id, if the id is one of ours.
pub fn json_schema_for(id: &str) -> Option<&'static str> {
    if id.starts_with("inami-tariffs/tariff/") {
        Some(TARIFF_SCHEMA)
    } else if id.starts_with("inami-tariffs/convention/") {
        Some(CONVENTION_SCHEMA)
    } else if id.starts_with("inami-tariffs/nomensoft/") {
        Some(NOMENSOFT_SCHEMA)
    } else {
        None
    }
}

/// The canonical YAML of a tariff table.
pub fn tariff_to_yaml(table: &TariffTable) -> String {
    to_yaml(table, "tariff.schema.json")
}

/// Reads a tariff snapshot without the schema check, fast when it is in
/// canonical form (see [`fast`]); for diff, history and show, where speed
/// matters and typed reading already refuses malformed values.
pub fn read_tariff(path: &Path, text: &str) -> Result<TariffTable, Error> {
    bounds::check_size(path, text.len() as u64)?;
    if let Some(table) = fast::read_tariff(text) {
        return Ok(table);
    }
    bounds::check(path, text)?;
    serde_yaml::from_str(text).map_err(|e| Error::BadSnapshot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The canonical YAML of a snapshot of either family.
pub fn snapshot_to_yaml(snapshot: &Snapshot) -> String {
    match snapshot {
        Snapshot::Tariff(t) => tariff_to_yaml(t),
        Snapshot::Convention(c) => convention_to_yaml(c),
    }
}

/// Reads a snapshot of either family, by the schema it declares; `label`
/// names it in errors (a path or `REV:path`). Tables are read fast when in
/// canonical form (see [`read_tariff`]); neither is checked against the
/// schema (`validate` does that).
pub fn read_snapshot(label: &str, text: &str) -> Result<Snapshot, Error> {
    let path = Path::new(label);
    match declared_schema(text) {
        Some(s) if s.starts_with("inami-tariffs/tariff/") => {
            Ok(Snapshot::Tariff(read_tariff(path, text)?))
        }
        Some(s) if s.starts_with("inami-tariffs/convention/") => {
            bounds::check(path, text)?;
            let convention = serde_yaml::from_str(text).map_err(|e| Error::BadSnapshot {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
            Ok(Snapshot::Convention(convention))
        }
        other => Err(Error::BadSnapshot {
            path: path.to_path_buf(),
            reason: format!(
                "unknown schema {}: expected inami-tariffs/tariff/1 or inami-tariffs/convention/1",
                other.map_or("(none)".to_string(), |s| format!("`{s}`"))
            ),
        }),
    }
}

/// Reads a snapshot's bytes (from a file or a git blob): see [`read_snapshot`].
pub fn read_snapshot_bytes(label: &str, bytes: &[u8]) -> Result<Snapshot, Error> {
    bounds::check_size(Path::new(label), bytes.len() as u64)?;
    let text = std::str::from_utf8(bytes).map_err(|_| Error::BadSnapshot {
        path: label.into(),
        reason: "not UTF-8".into(),
    })?;
    read_snapshot(label, text)
}

/// Reads a tariff snapshot, refusing one that does not match the schema.
pub fn tariff_from_yaml(path: &Path, text: &str) -> Result<TariffTable, Error> {
    from_yaml(path, text, TARIFF_SCHEMA)
}

fn from_yaml<T: DeserializeOwned>(path: &Path, text: &str, schema: &str) -> Result<T, Error> {
    let bad = |reason: String| Error::BadSnapshot {
        path: path.to_path_buf(),
        reason,
    };
    let findings = schema_findings(path, text, schema)?;
    if let Some(first) = findings.first() {
        let more = findings.len() - 1;
        let tail = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(bad(format!("{}{tail}", first.message)));
    }
    serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))
}

/// Checks a snapshot's text against a JSON Schema; one finding per violation.
///
/// Returns an error when the text is not YAML at all, or is too large or
/// too deeply nested to parse (see [`bounds`]).
pub fn schema_findings(path: &Path, text: &str, schema: &str) -> Result<Vec<Finding>, Error> {
    bounds::check(path, text)?;
    let instance: serde_json::Value =
        serde_yaml::from_str(text).map_err(|e| Error::BadSnapshot {
            path: path.to_path_buf(),
            reason: format!("not YAML: {e}"),
        })?;
    let schema: serde_json::Value =
        serde_json::from_str(schema).expect("the bundled schema is valid JSON");
    let validator = jsonschema::validator_for(&schema).expect("the bundled schema is valid");
    let findings = validator
        .iter_errors(&instance)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            let at = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            Finding::new(
                Rule::Schema,
                Location::file(path.display().to_string()),
                format!("at {at}: {e}"),
            )
        })
        .collect();
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_schema_compiles() {
        let schema: serde_json::Value = serde_json::from_str(TARIFF_SCHEMA).unwrap();
        assert!(jsonschema::validator_for(&schema).is_ok());
    }

    #[test]
    fn a_snapshot_that_breaks_the_schema_is_refused_with_the_field() {
        let text = "schema: inami-tariffs/tariff/1\nprofession: physiotherapy\n";
        let e = tariff_from_yaml(Path::new("x.yaml"), text).unwrap_err();
        assert!(e.to_string().contains("effective_from"), "{e}");
    }
}
