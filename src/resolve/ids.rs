//! Albanian identity numbers: the personal number (NID, "numri personal") of persons and the
//! NUIS (NIPT) of companies.
//!
//! A personal number such as `J90312045A` has ten characters: a decade character (`0`-`9` for
//! the 1800s, `A` = 1900s ... `J` = 1990s, `K` = 2000s ... `T` = 2090s), the last digit of the
//! birth year, the month (plus 50 for women; plus 30 / 80 for foreigners), the day, a 3-digit
//! serial and a check letter. The check letter's algorithm is not published (public
//! validators disagree), so only the structure and the encoded birth date are checked: a
//! number that passes is well formed, not proven issued.
//!
//! A NUIS such as `L12345678A` is a letter for the decade of registration, eight digits and a
//! check letter; again only the structure is checked.

use crate::model::Date;

/// A well-formed personal number with what it encodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonalNumber {
    /// Normalised text (upper case, no spaces or dashes).
    pub text: String,
    /// The birth date encoded in it.
    pub birth: Date,
    /// True when the month field marks a woman (51-62 or 81-92).
    pub female: bool,
}

/// Upper case without spaces, dots and dashes.
pub fn compact(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '/')).flat_map(char::to_uppercase).collect()
}

/// Parses and checks an Albanian personal number. `None` when it is not well formed or its
/// date does not exist.
///
/// # Example
/// ```
/// use moneytrail::resolve::ids::personal_number;
/// let n = personal_number("j90312045a").unwrap();
/// assert_eq!(n.text, "J90312045A");
/// assert_eq!(n.birth, moneytrail::model::Date::from_ymd(1999, 3, 12).unwrap());
/// assert!(personal_number("J91312045A").is_none()); // month 13
/// ```
pub fn personal_number(s: &str) -> Option<PersonalNumber> {
    let text = compact(s);
    let b = text.as_bytes();
    if b.len() != 10 || !b[1..9].iter().all(u8::is_ascii_digit) || !b[9].is_ascii_uppercase() {
        return None;
    }
    let century_decade = match b[0] {
        c @ b'0'..=b'9' => 1800 + 10 * i32::from(c - b'0'),
        c @ b'A'..=b'T' => 1900 + 10 * i32::from(c - b'A'),
        _ => return None,
    };
    let n = |i: usize| u32::from(b[i] - b'0');
    let year = century_decade + n(1) as i32;
    let mm = n(2) * 10 + n(3);
    let (month, female) = match mm {
        1..=12 => (mm, false),
        31..=42 => (mm - 30, false),
        51..=62 => (mm - 50, true),
        81..=92 => (mm - 80, true),
        _ => return None,
    };
    let birth = Date::from_ymd(year, month, n(4) * 10 + n(5))?;
    Some(PersonalNumber { text, birth, female })
}

/// Normalises and checks a NUIS (letter, 8 digits, letter). `None` when malformed.
///
/// # Example
/// ```
/// use moneytrail::resolve::ids::nuis;
/// assert_eq!(nuis(" l12345678a ").as_deref(), Some("L12345678A"));
/// assert!(nuis("L1234567A").is_none());
/// ```
pub fn nuis(s: &str) -> Option<String> {
    let text = compact(s);
    let b = text.as_bytes();
    let ok = b.len() == 10
        && b[0].is_ascii_uppercase()
        && b[1..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    ok.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers() {
        let d = |y, m, dd| Date::from_ymd(y, m, dd);
        let p = personal_number("J90312045A");
        assert_eq!(p.as_ref().map(|p| p.birth), d(1999, 3, 12));
        assert_eq!(p.map(|p| p.female), Some(false));
        let w = personal_number("I55520123K");
        assert_eq!(w.as_ref().map(|p| p.birth), d(1985, 5, 20));
        assert_eq!(w.map(|p| p.female), Some(true));
        assert_eq!(personal_number("K0 01 01 999-W").map(|p| p.text), Some("K00101999W".into()));
        // Malformed: length, month, day, decade, check letter.
        for bad in ["J9031204A", "J91312045A", "J90230045A", "Z90312045A", "J903120451", "", "J90312045AA"] {
            assert!(personal_number(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn generated_personal_numbers_are_well_formed() {
        // The generator's format (src/generate/ids.rs) must pass.
        let p = personal_number("J90312045D");
        assert!(p.is_some());
    }

    #[test]
    fn nuis_shape() {
        assert_eq!(nuis("K12345678B").as_deref(), Some("K12345678B"));
        assert!(nuis("K1234567B").is_none());
        assert!(nuis("112345678B").is_none());
        assert!(nuis("K12345678").is_none());
    }
}
