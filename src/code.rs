//! Nomenclature codes: six ASCII digits, with a check digit.
//!
//! A [`Code`] is `Copy` and six bytes long, so a million-row table does not
//! allocate a string per code. It serializes as the string `'560011'`.
//!
//! The check digit (inferred, fits every known code): the 6th digit equals the
//! first five digits mod 7 (56001 mod 7 = 1 → 560011). Pseudocodes (639111)
//! follow the same rule.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A six-digit nomenclature code or pseudocode.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code([u8; 6]);

impl Code {
    /// Parses exactly six ASCII digits.
    pub fn parse(text: &str) -> Option<Code> {
        let bytes: [u8; 6] = text.as_bytes().try_into().ok()?;
        bytes.iter().all(u8::is_ascii_digit).then_some(Code(bytes))
    }

    /// The six digits, as written.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a code holds ASCII digits only")
    }

    /// The first five digits as a number.
    fn stem(&self) -> u32 {
        self.0[..5]
            .iter()
            .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
    }

    /// The check digit the first five digits call for.
    pub fn expected_check_digit(&self) -> u32 {
        self.stem() % 7
    }

    /// Whether the 6th digit is the first five digits mod 7.
    pub fn check_digit_ok(&self) -> bool {
        u32::from(self.0[5] - b'0') == self.expected_check_digit()
    }

    /// The code as a number (for the AMB/HOS difference of 11).
    pub fn number(&self) -> u32 {
        self.stem() * 10 + u32::from(self.0[5] - b'0')
    }
}

impl Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Code, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a six-digit code")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_six_digits_only() {
        assert_eq!(Code::parse("560011").unwrap().as_str(), "560011");
        for bad in ["56001", "5600111", "56001a", "", "-"] {
            assert!(Code::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn check_digit() {
        assert!(Code::parse("560011").unwrap().check_digit_ok());
        assert!(Code::parse("639111").unwrap().check_digit_ok());
        let wrong = Code::parse("560012").unwrap();
        assert!(!wrong.check_digit_ok());
        assert_eq!(wrong.expected_check_digit(), 1);
        assert_eq!(wrong.number(), 560012);
    }
}
