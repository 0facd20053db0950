//! Key letters are written as plain strings (`key_letter: M`, not `'M'`).

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(letter: &Option<char>, s: S) -> Result<S::Ok, S::Error> {
    match letter {
        Some(c) => s.serialize_str(c.encode_utf8(&mut [0; 4])),
        None => s.serialize_none(),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<char>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    text.map(|t| {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(serde::de::Error::custom(format!(
                "`{t}` is not one key letter"
            ))),
        }
    })
    .transpose()
}

/// The same for a letter that is always there (a term of a fee).
pub mod one {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(letter: &char, s: S) -> Result<S::Ok, S::Error> {
        super::serialize(&Some(*letter), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<char, D::Error> {
        super::deserialize(d)?
            .ok_or_else(|| serde::de::Error::custom("a key letter is required, not null"))
    }
}
