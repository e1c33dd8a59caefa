//! The report's languages: every fixed text of report.html comes from a message catalogue per
//! language (src/export/i18n/en.toml, sq.toml), compiled into the binary, so the same version
//! always writes the same words. Amounts and dates are formatted by the catalogue's `[format]`
//! section (English `1,234.56` and `2025-12-31`, Albanian `1.234,56` and `31.12.2025`).
//!
//! # Plural texts
//! A text that counts something has a form per plural category, `key = { one = "...",
//! other = "..." }` (the CLDR cardinal categories of English and Albanian: `one` for exactly 1,
//! `other` else), and [`Lang::p`] picks the form of the count: "1 hap", "2 hapa".

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The English catalogue as compiled into this version.
pub const EN: &str = include_str!("../i18n/en.toml");
/// The Albanian catalogue as compiled into this version.
pub const SQ: &str = include_str!("../i18n/sq.toml");

/// A language the report is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Albanian (shqip).
    Sq,
}

/// Every language, in the order `--lang` lists them.
pub const ALL: [Lang; 2] = [Lang::En, Lang::Sq];

/// A catalogue flattened to `section.key -> text`.
pub type Catalogue = BTreeMap<String, String>;

/// The plural categories a plural text has (`key = { one = "...", other = "..." }`): the CLDR
/// cardinal categories of English and Albanian, which are the same two (`one` for exactly 1).
pub const PLURAL_FORMS: [&str; 2] = ["one", "other"];

/// Parses a catalogue's TOML into `section.key -> text`; a plural text (an inline table of
/// [`PLURAL_FORMS`]) gives `section.key.one` and `section.key.other`.
///
/// # Errors
/// Text that is not TOML, a value that is not a string or a table of strings, or a plural text
/// without exactly the forms of [`PLURAL_FORMS`].
pub fn parse(text: &str) -> Result<Catalogue, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Catalogue::new();
    for (section, v) in table {
        let toml::Value::Table(t) = v else { return Err(format!("{section} is not a table")) };
        for (k, v) in t {
            match v {
                toml::Value::String(s) => {
                    out.insert(format!("{section}.{k}"), s);
                }
                toml::Value::Table(forms) => {
                    let mut names: Vec<&str> = forms.keys().map(String::as_str).collect();
                    names.sort_unstable();
                    if names != PLURAL_FORMS {
                        return Err(format!("{section}.{k} is not a plural text with the forms one and other"));
                    }
                    for (form, v) in forms {
                        let toml::Value::String(s) = v else {
                            return Err(format!("{section}.{k}.{form} is not a string"));
                        };
                        out.insert(format!("{section}.{k}.{form}"), s);
                    }
                }
                _ => return Err(format!("{section}.{k} is not a string")),
            }
        }
    }
    Ok(out)
}

/// The plural category of the count `n` in English and Albanian (CLDR: `one` for 1, else
/// `other`).
pub fn plural_form(n: u64) -> &'static str {
    if n == 1 {
        PLURAL_FORMS[0]
    } else {
        PLURAL_FORMS[1]
    }
}

impl Lang {
    /// The ISO 639-1 code (`en`, `sq`), as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sq => "sq",
        }
    }

    /// The language of an ISO 639-1 code.
    pub fn parse(code: &str) -> Option<Lang> {
        ALL.into_iter().find(|l| l.code() == code)
    }

    /// The catalogue's source text.
    pub fn source(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::Sq => SQ,
        }
    }

    /// The parsed catalogue (parsed once per process).
    pub fn catalogue(self) -> &'static Catalogue {
        static CATS: [OnceLock<Catalogue>; 2] = [OnceLock::new(), OnceLock::new()];
        CATS[self as usize].get_or_init(|| {
            // The catalogues are compiled in and tests/report_i18n.rs parses both: a broken one
            // cannot pass the tests (here it would leave every text as its key).
            parse(self.source()).unwrap_or_default()
        })
    }

    /// The text of `key` (`section.key`). A key missing from the catalogue gives the key itself
    /// (tests check that every key used exists in both catalogues).
    pub fn t(self, key: &str) -> &'static str {
        match self.catalogue().get(key) {
            Some(v) => v.as_str(),
            None => {
                debug_assert!(false, "missing catalogue key {key} ({})", self.code());
                match Lang::En.catalogue().get_key_value(key) {
                    Some((k, _)) => k.as_str(),
                    None => "?",
                }
            }
        }
    }

    /// The text of `key` with each `{name}` replaced by its value (values are inserted as
    /// given: escape them first where the output is HTML).
    pub fn f(self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }

    /// The plural text `key` in the form the count `n` takes (`key.one` for 1 hop, `key.other`
    /// for 2 hops), with `{n}` replaced by `n` unless `args` give `n` (a count in words) and each
    /// other `{name}` by its value.
    pub fn p(self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let n_text = n.to_string();
        let mut all: Vec<(&str, &str)> = args.to_vec();
        if !args.iter().any(|(k, _)| *k == "n") {
            all.push(("n", &n_text));
        }
        fill(self.t(&format!("{key}.{}", plural_form(n))), &all)
    }

    /// An amount with two decimals, grouped by thousands in this language.
    pub fn amount(self, d: Decimal) -> String {
        let en = crate::evidence::chart::amount(d);
        self.regroup(&en)
    }

    /// `amount currency`.
    pub fn money(self, d: Decimal, currency: &str) -> String {
        format!("{} {currency}", self.amount(d))
    }

    /// An English-formatted amount (`1,234.56`) in this language's format.
    pub fn regroup_en(self, en: &str) -> String {
        self.regroup(en)
    }

    fn regroup(self, en: &str) -> String {
        let (th, dec) = (self.t("format.thousands"), self.t("format.decimal"));
        en.chars()
            .map(|c| match c {
                ',' => th.to_string(),
                '.' => dec.to_string(),
                c => c.to_string(),
            })
            .collect()
    }

    /// A date in this language's format (`2025-12-31`, `31.12.2025`).
    pub fn date(self, d: crate::model::Date) -> String {
        self.iso_date(&d.to_string())
    }

    /// An ISO date text (`YYYY-MM-DD`) in this language's format; other text unchanged.
    pub fn iso_date(self, iso: &str) -> String {
        let b = iso.as_bytes();
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            fill(self.t("format.date"), &[("y", &iso[..4]), ("m", &iso[5..7]), ("d", &iso[8..])])
        } else {
            iso.to_string()
        }
    }

    /// A count in words at the start of a sentence (`Eight`, `Tetë`), digits above twelve.
    pub fn count(self, n: usize) -> String {
        self.t("stmt.counts").split('|').nth(n).map(str::to_string).unwrap_or_else(|| n.to_string())
    }

    /// A count in words inside a sentence (`eight`, `tetë`).
    pub fn count_lower(self, n: usize) -> String {
        self.t("stmt.counts_lower").split('|').nth(n).map(str::to_string).unwrap_or_else(|| n.to_string())
    }

    /// `text` with every plain amount (four or more integer digits and exactly two decimals,
    /// not part of an identifier: `826759.16`) grouped in this language's format, and every
    /// ISO date (`2024-03-05`, not part of an identifier) in this language's date format.
    pub fn localise(self, text: &str) -> String {
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len() + 8);
        let mut i = 0;
        let boundary = |k: usize| {
            k == 0 || !(b[k - 1].is_ascii_alphanumeric() || matches!(b[k - 1], b'.' | b',' | b'_' | b'-' | b':'))
        };
        while i < b.len() {
            if b[i].is_ascii_digit() && boundary(i) {
                let mut j = i;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                let end_ok = |k: usize| k == b.len() || !(b[k].is_ascii_alphanumeric() || b[k] == b'-');
                let is_date = j - i == 4
                    && j + 6 <= b.len()
                    && b[j] == b'-'
                    && b[j + 1..j + 3].iter().all(u8::is_ascii_digit)
                    && b[j + 3] == b'-'
                    && b[j + 4..j + 6].iter().all(u8::is_ascii_digit)
                    && end_ok(j + 6);
                if is_date {
                    out.push_str(&self.iso_date(&text[i..j + 6]));
                    i = j + 6;
                    continue;
                }
                let frac = j + 3 <= b.len()
                    && b[j] == b'.'
                    && b[j + 1].is_ascii_digit()
                    && b[j + 2].is_ascii_digit()
                    && (j + 3 == b.len() || !(b[j + 3].is_ascii_alphanumeric()));
                if frac && j - i >= 4 {
                    let int = &text[i..j];
                    let mut en = String::new();
                    for (k, c) in int.chars().enumerate() {
                        if k > 0 && (int.len() - k) % 3 == 0 {
                            en.push(',');
                        }
                        en.push(c);
                    }
                    en.push_str(&text[j..j + 3]);
                    out.push_str(&self.regroup(&en));
                    i = j + 3;
                } else {
                    out.push_str(&text[i..j]);
                    i = j;
                }
                continue;
            }
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }
}

/// `template` with each `{name}` of `args` replaced, in one pass (a value is never scanned for
/// placeholders again).
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}').map(|j| (&after[..j], j)) {
            Some((name, j)) if args.iter().any(|(k, _)| *k == name) => {
                let v = args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).unwrap_or("");
                out.push_str(v);
                rest = &after[j + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_per_language() {
        let d = Decimal::new(123_456_789, 2);
        assert_eq!(Lang::En.amount(d), "1,234,567.89");
        assert_eq!(Lang::Sq.amount(d), "1.234.567,89");
        assert_eq!(Lang::Sq.money(-d, "ALL"), "-1.234.567,89 ALL");
        assert_eq!(Lang::Sq.iso_date("2025-12-31"), "31.12.2025");
        assert_eq!(Lang::En.iso_date("2025-12-31"), "2025-12-31");
        assert_eq!(
            Lang::Sq.localise("paid 826759.16 on 2024-03-05 into A0000114; id x-1234.56, 12.50, 2024-03-05T10"),
            "paid 826.759,16 on 05.03.2024 into A0000114; id x-1234.56, 12.50, 2024-03-05T10"
        );
        assert_eq!(Lang::En.localise("ë 1000.00"), "ë 1,000.00");
    }

    #[test]
    fn counted_words_agree_with_the_count() {
        // Albanian "hap" (step) is "hapa" from two on; English "hop", "hops".
        let hops = |lang: Lang, n: u64| lang.p("findings.nearest", n, &[("id", "P1")]);
        assert_eq!(hops(Lang::Sq, 1), "i dyshuari më i afërt P1 (1 hap)");
        assert_eq!(hops(Lang::Sq, 2), "i dyshuari më i afërt P1 (2 hapa)");
        assert_eq!(hops(Lang::En, 1), "nearest suspect P1 (1 hop)");
        assert_eq!(hops(Lang::En, 2), "nearest suspect P1 (2 hops)");
        assert_eq!(Lang::Sq.p("stmt.transfers", 1, &[("total", "5 ALL"), ("when", "x")]), ": 1 transfertë, 5 ALL, x");
        assert_eq!(Lang::Sq.p("stmt.transfers", 3, &[("total", "5 ALL"), ("when", "x")]), ": 3 transferta, 5 ALL, x");
        assert_eq!(Lang::En.p("stmt.hours", 1, &[("from", "a"), ("to", "b")]), "within 1 hour (a – b)");
        assert_eq!(Lang::Sq.p("stmt.days", 1, &[("from", "a"), ("to", "b")]), "brenda 1 dite (a – b)");
        // A count in words replaces {n}; the form still follows the number.
        assert_eq!(
            Lang::Sq.p("stmt.deposits", 1, &[("n", "Një"), ("total", "T"), ("hub", "H"), ("when", "W")]),
            "Një depozitë prej T u pagua në H W"
        );
        assert_eq!(plural_form(0), "other");
    }

    #[test]
    fn fill_replaces_once() {
        assert_eq!(fill("{a} and {b} {c}", &[("a", "{b}"), ("b", "x")]), "{b} and x {c}");
        assert_eq!(Lang::Sq.count(8), "Tetë");
        assert_eq!(Lang::En.count_lower(13), "13");
    }
}
