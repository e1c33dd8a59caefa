//! Identifier formats: IBANs (ISO 13616 mod-97), Albanian NUIS and personal numbers, cadastral codes
//! and the zero-padded internal ids of the case format.

use chrono::{Datelike, NaiveDate};

/// ISO 13616 mod-97 of an IBAN-style string (letters count as 10..35), over the rearranged form.
fn mod97(s: &str) -> u32 {
    let mut rem: u32 = 0;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            rem = (rem * 10 + d) % 97;
        } else if c.is_ascii_alphabetic() {
            let v = c.to_ascii_uppercase() as u32 - 'A' as u32 + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem
}

/// An IBAN for `country` and `bban` with the correct ISO 13616 check digits.
pub fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let check = 98 - mod97(&rearranged);
    format!("{country}{check:02}{bban}")
}

/// An Albanian IBAN: `AL` + 2 check digits + 8-digit bank code (3 bank, 4 branch, 1 check)
/// + 16 alphanumerics; `serial` makes it unique.
pub fn albanian_iban(bank_code: &str, branch: u32, serial: u64) -> String {
    let nat = (bank_code.bytes().map(u32::from).sum::<u32>() + branch) % 10;
    let bban = format!("{bank_code}{:04}{nat}{:04}{:012}", branch % 10_000, serial % 9973, serial);
    iban("AL", &bban)
}

/// A foreign IBAN for IT, GR or GB (lengths as in the ISO registry); `serial` makes it unique.
pub fn foreign_iban(country: &str, serial: u64, salt: u64) -> String {
    match country {
        // IT: CIN letter + 5 ABI + 5 CAB + 12 account = 23 chars BBAN.
        "IT" => {
            let cin = (b'A' + (salt % 26) as u8) as char;
            iban("IT", &format!("{cin}{:05}{:05}{:012}", 3069 + salt % 50, 1600 + salt % 900, serial))
        }
        // GR: 7-digit bank/branch + 16 account.
        "GR" => iban("GR", &format!("{:07}{:016}", 110_0000 + salt % 9000, serial)),
        // GB: 4-letter bank + 6-digit sort code + 8-digit account.
        _ => iban("GB", &format!("BARC{:06}{:08}", 200_000 + salt % 99_999, serial % 100_000_000)),
    }
}

/// Bijective scramble of `0..100_000_000` so consecutive indices do not give consecutive numbers.
fn scramble8(idx: u64) -> u64 {
    (idx.wrapping_mul(48_271_813) + 12_345_679) % 100_000_000
}

/// A NUIS-like tax id: a letter for the decade of registration, 8 digits, a check letter.
/// Unique for distinct `idx` below 10^8.
pub fn nuis(incorporated: NaiveDate, idx: u64) -> String {
    let decade = match incorporated.year() {
        ..=1999 => 'J',
        2000..=2009 => 'K',
        2010..=2019 => 'L',
        _ => 'M',
    };
    let digits = scramble8(idx);
    let check = (b'A' + (digits % 26) as u8) as char;
    format!("{decade}{digits:08}{check}")
}

/// An Albanian personal number (NID) such as `J90312045A`: a decade letter (A = 1900s ... J = 1990s,
/// K = 2000s), the last digit of the year, the month (plus 50 for women), the day, a 3-digit serial
/// and a check letter.
pub fn national_id(birth: NaiveDate, female: bool, serial: u32) -> String {
    let decade = ((birth.year() - 1900).clamp(0, 259) / 10) as u8;
    let letter = (b'A' + decade) as char;
    let y = birth.year().rem_euclid(10);
    let m = birth.month() + if female { 50 } else { 0 };
    let body = format!("{y}{m:02}{:02}{:03}", birth.day(), serial % 1000);
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| (i as u32 + 1) * u32::from(b - b'0')).sum();
    let check = (b'A' + (sum % 23) as u8) as char;
    format!("{letter}{body}{check}")
}

/// A cadastral code `TR-8270-0151-ZK`: city prefix, cadastral zone, parcel number, `ZK` (zona kadastrale).
pub fn cadastral_code(prefix: &str, zone: u32, parcel: u32) -> String {
    format!("{prefix}-{zone:04}-{parcel:04}-ZK")
}

/// Person id `P000001`.
pub fn person_id(i: usize) -> String {
    format!("P{:06}", i + 1)
}
/// Company id `C00001`.
pub fn company_id(i: usize) -> String {
    format!("C{:05}", i + 1)
}
/// Account id `A0000001`.
pub fn account_id(i: usize) -> String {
    format!("A{:07}", i + 1)
}
/// Property id `R00001`.
pub fn property_id(i: usize) -> String {
    format!("R{:05}", i + 1)
}
/// Transfer id `T000000001`.
pub fn txn_id(n: u64) -> String {
    format!("T{n:09}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::iban_valid;

    #[test]
    fn known_iban_is_valid() {
        // Example IBAN from the ISO registry for Albania.
        assert!(iban_valid("AL47212110090000000235698741"));
        assert!(!iban_valid("AL48212110090000000235698741"));
        assert!(iban_valid("GB82WEST12345698765432"));
    }

    #[test]
    fn generated_ibans_are_valid() {
        for s in 0..500 {
            let a = albanian_iban("205", s as u32 % 77, s);
            assert_eq!(a.len(), 28, "{a}");
            assert!(iban_valid(&a), "{a}");
            for c in ["IT", "GR", "GB"] {
                let f = foreign_iban(c, s, s * 7);
                assert!(iban_valid(&f), "{f}");
            }
        }
    }

    #[test]
    fn nid_shape() {
        let d = NaiveDate::from_ymd_opt(1999, 3, 12).unwrap_or_default();
        let id = national_id(d, false, 45);
        assert!(id.starts_with("J90312045"), "{id}");
        assert_eq!(id.len(), 10);
    }
}
