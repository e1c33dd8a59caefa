//! Name, address and date normalisation for matching.
//!
//! Two forms of every name token are kept (docs/build-notes.md, "Names"):
//! * **folded**: NFKD, combining marks removed, lower case, letters and digits only. This folds
//!   Albanian `ë` to `e` and `ç` to `c` (and `ş` to `s`).
//! * **skeleton**: the folded token with the spelling variants of Albanian names written by
//!   clerks or foreign systems collapsed: the digraphs `sh`, `xh`, `zh`, `gj`, `dh`, `th`,
//!   `nj`, `ll`, `rr` reduced to their first letter, any doubled letter collapsed (Agolli /
//!   Agoli, Rrapaj / Rapaj), and a final `e` dropped (Hoxhë / Hoxh). Equal skeletons mean "the
//!   same name up to transliteration"; the skeleton is also the blocking key.

use crate::model::Date;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One token of a name, in both forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Folded form (diacritics removed, lower case).
    pub folded: String,
    /// Transliteration skeleton of the folded form.
    pub skeleton: String,
}

/// NFKD, combining marks removed, lower case; every other character than a letter or digit
/// becomes a space. `"Çelësi HOXHË"` -> `"celesi hoxhe"`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Fast path for the letters of Albanian names; anything else goes through NFKD.
    if s.chars().all(|c| c.is_ascii() || matches!(c, 'ë' | 'Ë' | 'ç' | 'Ç')) {
        for c in s.chars() {
            out.push(match c {
                'ë' | 'Ë' => 'e',
                'ç' | 'Ç' => 'c',
                c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
                _ => ' ',
            });
        }
        return out;
    }
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out
}

/// The transliteration skeleton of a folded token: `shehu` -> `sehu`, `agolli` -> `agoli`,
/// `xhafa` -> `xafa`, `hoxhe` -> `hox`. See the module documentation for the rules.
pub fn skeleton(folded: &str) -> String {
    let b: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    let mut last = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        // Digraphs whose second letter is an h or j that some registers omit.
        let digraph = matches!((c, next), ('s' | 'x' | 'z' | 'd' | 't' | 'c', Some('h')) | ('g' | 'n', Some('j')));
        i += if digraph { 2 } else { 1 };
        // Doubled letters (ll, rr, and typing doubles) collapse.
        if last != Some(c) {
            out.push(c);
        }
        last = Some(c);
    }
    // A final unstressed e (written ë) is often dropped: Tiranë / Tiran, Hoxhë / Hoxh.
    if out.len() > 3 && out.ends_with('e') {
        out.pop();
    }
    out
}

/// The tokens of a name: folded words of at least one character, in source order.
pub fn name_tokens(name: &str) -> Vec<Token> {
    fold(name).split_whitespace().map(|w| Token { folded: w.to_owned(), skeleton: skeleton(w) }).collect()
}

/// Legal-form words dropped from company names before matching (SH.P.K., SH.A., person fizik,
/// and common foreign forms), folded.
const LEGAL_FORMS: &[&str] =
    &["shpk", "sh", "p", "k", "sha", "a", "person", "fizik", "pf", "ltd", "llc", "srl", "spa", "gmbh", "sa", "ag"];

/// Tokens of a company name without its legal form: `"ALBA CONSTRUCTION SH.P.K."` ->
/// `alba`, `construction`.
pub fn company_tokens(name: &str) -> Vec<Token> {
    let mut t = name_tokens(name);
    t.retain(|x| !LEGAL_FORMS.contains(&x.folded.as_str()));
    t
}

/// Words of an address that say nothing about the place ("Rruga" = street, "Nr." = number).
const ADDRESS_NOISE: &[&str] =
    &["rruga", "rr", "rrug", "bulevardi", "blv", "lagjja", "lagja", "nr", "pall", "ap", "shk"];

/// The folded skeleton words of an address, sorted, without street-type words. Two records
/// whose address keys are equal live at the same address as written.
pub fn address_key(addr: &str) -> String {
    let mut w: Vec<String> = fold(addr)
        .split_whitespace()
        .filter(|w| !ADDRESS_NOISE.contains(w))
        .map(|w| if w.bytes().all(|b| b.is_ascii_digit()) { w.trim_start_matches('0').to_owned() } else { skeleton(w) })
        .collect();
    w.sort_unstable();
    w.join(" ")
}

/// The skeleton of a city name (`"Tiranë"`, `"TIRANA"` and `"Tirane"` all give `tiran`): a
/// final `a` (the definite form) is dropped as well.
pub fn city_key(city: &str) -> String {
    let s = skeleton(fold(city).split_whitespace().collect::<Vec<_>>().join("").as_str());
    match s.strip_suffix('a') {
        Some(x) if x.len() > 3 => x.to_owned(),
        _ => s,
    }
}

/// Parses a birth date written in any of the formats registers use: `YYYY-MM-DD`,
/// `DD.MM.YYYY`, `DD/MM/YYYY`, `DD-MM-YYYY`, `YYYYMMDD`, `YYYY/MM/DD`. `None` for anything else
/// or a day that does not exist.
pub fn parse_birth_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['-', '.', '/']).filter(|p| !p.is_empty()).collect();
    let num = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => Date::from_ymd(num(y)? as i32, num(m)?, num(d)?),
        [d, m, y] if y.len() == 4 => Date::from_ymd(num(y)? as i32, num(m)?, num(d)?),
        [x] if x.len() == 8 && x.bytes().all(|b| b.is_ascii_digit()) => {
            Date::from_ymd(num(&x[..4])? as i32, num(&x[4..6])?, num(&x[6..])?)
        }
        _ => None,
    }
}

/// How two birth dates compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateAgreement {
    /// The same day.
    Equal,
    /// A likely clerical variant: day and month swapped, the year off by one, or one digit of
    /// `YYYYMMDD` differs.
    Near,
    /// Different days.
    Different,
}

/// Compares two birth dates (see [`DateAgreement`]).
pub fn compare_dates(a: Date, b: Date) -> DateAgreement {
    if a == b {
        return DateAgreement::Equal;
    }
    let (x, y) = (digits(a), digits(b));
    let differing = x.iter().zip(y.iter()).filter(|(p, q)| p != q).count();
    let (xa, xb) = (a.to_naive(), b.to_naive());
    use chrono::Datelike;
    let swapped = xa.year() == xb.year() && xa.month() == xb.day() && xa.day() == xb.month();
    let next_year = (xa.year() - xb.year()).abs() == 1 && xa.month() == xb.month() && xa.day() == xb.day();
    if differing == 1 || swapped || next_year {
        DateAgreement::Near
    } else {
        DateAgreement::Different
    }
}

fn digits(d: Date) -> [u8; 8] {
    use chrono::Datelike;
    let n = d.to_naive();
    let s = format!("{:04}{:02}{:02}", n.year().clamp(0, 9999), n.month(), n.day());
    let mut out = [0u8; 8];
    for (o, b) in out.iter_mut().zip(s.bytes()) {
        *o = b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(fold("Arbën HOXHA"), "arben hoxha");
        assert_eq!(fold("Çelësi Hoxhë"), "celesi hoxhe");
        assert_eq!(fold("Şehu"), "sehu");
        assert_eq!(fold("O'Neil-Duka"), "o neil duka");
    }

    #[test]
    fn transliteration_skeletons_agree() {
        let sk = |s: &str| skeleton(&fold(s));
        assert_eq!(sk("Agolli"), sk("Agoli"));
        assert_eq!(sk("Rrapaj"), sk("Rapaj"));
        assert_eq!(sk("Shehu"), sk("Şehu"));
        assert_eq!(sk("Shehu"), sk("Sehu"));
        assert_eq!(sk("Hoxhë"), "hox");
        assert_eq!(sk("Tiranë"), sk("Tiran"));
        assert_eq!(sk("Muça"), sk("Muca"));
        assert_eq!(sk("Gjergj"), sk("Gergj"));
        assert_ne!(sk("Hoxha"), sk("Hoti"));
        assert_ne!(sk("Arben"), sk("Arta"));
    }

    #[test]
    fn word_order_is_kept_in_tokens() {
        let t = name_tokens("HOXHA ARBEN");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].folded, "hoxha");
        assert_eq!(t[1].folded, "arben");
    }

    #[test]
    fn company_legal_forms_are_dropped() {
        let t: Vec<String> = company_tokens("Alba Construction SH.P.K.").into_iter().map(|t| t.folded).collect();
        assert_eq!(t, ["alba", "construction"]);
        let t: Vec<String> = company_tokens("ALBA CONSTRUCTION shpk").into_iter().map(|t| t.folded).collect();
        assert_eq!(t, ["alba", "construction"]);
    }

    #[test]
    fn addresses_and_cities() {
        assert_eq!(address_key("Rruga e Durrësit, Nr. 12"), address_key("RR. E DURRESIT NR 12"));
        assert_ne!(address_key("Rruga e Durrësit, Nr. 12"), address_key("Rruga e Durrësit, Nr. 13"));
        assert_eq!(city_key("Tiranë"), city_key("TIRANA"));
        assert_eq!(city_key("Korçë"), city_key("Korca"));
        assert_ne!(city_key("Durrës"), city_key("Tiranë"));
    }

    #[test]
    fn birth_dates_in_several_formats() {
        let d = Date::from_ymd(1979, 3, 12);
        assert!(d.is_some());
        for s in ["1979-03-12", "12.03.1979", "12/03/1979", "12-03-1979", "19790312", "1979/03/12"] {
            assert_eq!(parse_birth_date(s), d, "{s}");
        }
        assert_eq!(parse_birth_date("31.02.1979"), None);
        assert_eq!(parse_birth_date("12.03.79"), None);
        assert_eq!(parse_birth_date(""), None);
    }

    #[test]
    fn date_agreement() {
        let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap_or(Date(0));
        assert_eq!(compare_dates(d(1979, 3, 12), d(1979, 3, 12)), DateAgreement::Equal);
        assert_eq!(compare_dates(d(1979, 3, 12), d(1979, 12, 3)), DateAgreement::Near);
        assert_eq!(compare_dates(d(1979, 3, 12), d(1978, 3, 12)), DateAgreement::Near);
        assert_eq!(compare_dates(d(1999, 3, 12), d(2000, 3, 12)), DateAgreement::Near);
        assert_eq!(compare_dates(d(1979, 3, 12), d(1985, 7, 2)), DateAgreement::Different);
        assert_eq!(compare_dates(d(1979, 3, 12), d(1981, 3, 12)), DateAgreement::Different);
    }
}
