//! Exact decimal numbers as tariff documents print them.
//!
//! Documents write `25,60` (French and Dutch) and tools write `25.60`; both parse
//! to the same [`Decimal`] with the scale that was printed, so `1,310000` stays
//! `1.310000` in the canonical YAML. Money never passes through a float.

use rust_decimal::{Decimal, RoundingStrategy};

/// Parses `25,60`, `25.60` or `24` into a decimal that keeps the printed scale.
///
/// Accepts an optional leading `-`, digits, and at most one decimal separator
/// (comma or point) followed by at least one digit. Thousands separators are
/// not part of any tariff document and are rejected.
pub fn parse(text: &str) -> Option<Decimal> {
    match scan(text.as_bytes()) {
        Some((value, used)) if used == text.len() => Some(value),
        _ => None,
    }
}

/// Reads the longest decimal at the start of `bytes`: the value and the number
/// of bytes it used, or `None` when no decimal starts there.
///
/// One pass, no allocation: this runs five times per row. A separator must be
/// followed by a digit (`5,` is not a decimal: the scan stops before the comma).
/// Decimal holds 28 digits; longer numbers are refused.
pub fn scan(bytes: &[u8]) -> Option<(Decimal, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut mantissa: i128 = 0;
    let mut digits = 0;
    let mut scale = 0;
    let mut seen_separator = false;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i128::from(b - b'0');
                digits += 1;
                scale += u32::from(seen_separator);
            }
            b',' | b'.' if !seen_separator && digits > 0 => {
                if !bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                seen_separator = true;
            }
            _ => break,
        }
        if digits > 28 {
            return None;
        }
        at += 1;
    }
    if digits == 0 {
        return None;
    }
    let value = Decimal::from_i128_with_scale(mantissa, scale);
    Some((if negative { -value } else { value }, at))
}

/// Writes a decimal the way the documents do, with a decimal comma (`25,60`).
pub fn to_document_style(value: Decimal) -> String {
    value.to_string().replace('.', ",")
}

/// Rounds half-up (away from zero) to the cent: the rule INAMI applies to fees.
///
/// Never overflows: rounding a value with more than two decimals to two
/// shrinks its mantissa before the carry is added.
pub fn round_to_cent(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Key value × relative value, half-up to the cent; `None` when the product
/// does not fit in a decimal exactly (a 28-digit key value times 24, or a
/// product of more than 28 decimals).
///
/// Every fee the tool computes goes through here: `*` on two amounts read
/// from a document or a snapshot would panic on such values.
pub fn fee_of(key_value: Decimal, relative_value: Decimal) -> Option<Decimal> {
    exact_mul(key_value, relative_value).map(round_to_cent)
}

/// `a × b`, or `None` unless it is exact. `rust_decimal` keeps 28 decimals
/// and 96 bits: a product past that is rounded without a word (its
/// `checked_mul` fails only when the integer part overflows), and a fee
/// rounded twice can come out a cent off. So the product is kept only when
/// it has every digit: its scale is the sum of the scales of the operands
/// (trailing zeros stripped first, so `1,50 × 2` is not refused).
fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    let product = a.checked_mul(b)?;
    (product.scale() == a.scale() + b.scale()).then_some(product)
}

/// `a + b`, or `None` unless it is exact (a sum that would need more than
/// 28 significant digits is rounded by `rust_decimal`, which then returns
/// fewer decimals than the operands have).
fn exact_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let sum = a.checked_add(b)?;
    (sum.scale() >= a.scale().max(b.scale())).then_some(sum)
}

/// `a − b`, or `None` unless it is exact (a personal share: fee minus
/// intervention). A difference that would need more than 28 significant
/// digits is rounded by `rust_decimal` without a word, so it is refused.
pub fn exact_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    exact_add(a, -b)
}

/// Σ key value × coefficient over a fee's key-letter terms, half-up to the
/// cent; `None` when a product or the sum does not fit in a decimal exactly.
///
/// Rounded once, after the sum, as INAMI does: 105755 is
/// 3,372107 × 8 + 0,195645 × 30 = 32,846206 → 32,85.
pub fn fee_of_terms(terms: impl IntoIterator<Item = (Decimal, Decimal)>) -> Option<Decimal> {
    let mut sum = Decimal::ZERO;
    for (key_value, coefficient) in terms {
        sum = exact_add(sum, exact_mul(key_value, coefficient)?)?;
    }
    Some(round_to_cent(sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_and_point_give_the_same_value_and_scale() {
        let comma = parse("25,60").unwrap();
        let point = parse("25.60").unwrap();
        assert_eq!(comma, point);
        assert_eq!(comma.to_string(), "25.60");
        assert_eq!(parse("1,310000").unwrap().to_string(), "1.310000");
        assert_eq!(parse("24").unwrap().to_string(), "24");
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for bad in ["", ",5", "5,", "1,2,3", "1 000", "abc", "1e5", "(*)", "--1"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rounds_half_up_to_the_cent() {
        assert_eq!(
            round_to_cent(parse("25.600008").unwrap()).to_string(),
            "25.60"
        );
        assert_eq!(
            round_to_cent(parse("13.2251745").unwrap()).to_string(),
            "13.23"
        );
        assert_eq!(round_to_cent(parse("0.675").unwrap()).to_string(), "0.68");
        assert_eq!(round_to_cent(parse("0.1695").unwrap()).to_string(), "0.17");
    }

    #[test]
    fn a_product_or_a_sum_that_would_be_rounded_is_none() {
        let d = |s: &str| parse(s).unwrap();
        // The exact product ends in …000,004999…: rounded first by
        // rust_decimal it would give …,01 instead of …,00.
        let k = d("1000000000000000000000000,006");
        assert_eq!(fee_of(k, d("0,999999999999999999999999999")), None);
        let terms = [
            (d("0,000999999999999999999999999"), Decimal::ONE),
            (d("1000000000000000000000000,004"), Decimal::ONE),
        ];
        assert_eq!(fee_of_terms(terms), None);
        // Trailing zeros are no lost digits.
        assert_eq!(
            fee_of(d("1,066667000000000000000"), d("24,0000000")),
            Some(d("25.60"))
        );
        assert_eq!(fee_of(d("0,2"), d("0,5")), Some(d("0.10")));
    }

    #[test]
    fn a_difference_that_would_be_rounded_is_none() {
        let d = |s: &str| parse(s).unwrap();
        assert_eq!(exact_sub(d("25,60"), d("23,10")), Some(d("2.50")));
        // 1e24 − 0,004999… needs 52 digits.
        let fee = d("1000000000000000000000000,00");
        assert_eq!(exact_sub(fee, d("0,004999999999999999999999999")), None);
    }

    #[test]
    fn a_fee_too_large_for_a_decimal_is_none_not_a_panic() {
        let key_value = parse("9999999999999999999999999999").unwrap();
        assert_eq!(fee_of(key_value, Decimal::from(24)), None);
        assert_eq!(
            fee_of(parse("1,066667").unwrap(), Decimal::from(24)),
            Some(parse("25.60").unwrap())
        );
        assert_eq!(round_to_cent(Decimal::MAX), Decimal::MAX);
        assert_eq!(round_to_cent(Decimal::new(i64::MAX, 28)).scale(), 2);
    }

    #[test]
    fn a_fee_of_several_terms_is_rounded_once_after_the_sum() {
        let terms = [
            (parse("3,372107").unwrap(), Decimal::from(8)),
            (parse("0,195645").unwrap(), Decimal::from(30)),
        ];
        assert_eq!(fee_of_terms(terms).unwrap().to_string(), "32.85");
        // Each term rounded first would give 0,00 three times.
        let small = [(parse("0,004").unwrap(), Decimal::ONE); 3];
        assert_eq!(fee_of_terms(small).unwrap().to_string(), "0.01");
        let overflowing_sum = [(Decimal::MAX, Decimal::ONE), (Decimal::ONE, Decimal::ONE)];
        assert_eq!(fee_of_terms(overflowing_sum), None);
        let overflowing_product = [(Decimal::MAX, Decimal::TWO)];
        assert_eq!(fee_of_terms(overflowing_product), None);
    }

    #[test]
    fn document_style_uses_a_comma() {
        assert_eq!(to_document_style(parse("1.066667").unwrap()), "1,066667");
    }
}
