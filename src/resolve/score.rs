//! Pairwise comparison of two records: a score in points, with the evidence that made it.
//!
//! The score follows Fellegi and Sunter (1969, "A theory for record linkage", JASA 64): every
//! field adds a weight for agreement and subtracts one for disagreement, and a pair is linked
//! when the sum reaches [`Params::threshold`]. Weights are set by hand as rough log2 likelihood
//! ratios (see [`Params`]) and checked against generated cases (tests/resolve.rs).

use super::ids::PersonalNumber;
use super::normalize::{compare_dates, DateAgreement, Token};
use super::Params;
use crate::model::{Date, EntityKind};
use std::fmt::Write as _;

/// A record prepared for matching.
#[derive(Clone, Debug)]
pub struct Rec {
    /// Person or company.
    pub kind: EntityKind,
    /// Name tokens (company names without legal form).
    pub tokens: Vec<Token>,
    /// Birth date (persons) or incorporation date (companies).
    pub date: Option<Date>,
    /// Well-formed personal number (persons) or NUIS (companies).
    pub ident: Option<String>,
    /// Birth date encoded in the personal number.
    pub ident_birth: Option<Date>,
    /// Address key (`normalize::address_key`).
    pub address: Option<String>,
    /// City key (`normalize::city_key`).
    pub city: Option<String>,
}

impl Rec {
    /// A person record from its raw fields.
    pub fn person(
        name: &str,
        birth: Option<Date>,
        nid: Option<&str>,
        address: Option<&str>,
        city: Option<&str>,
    ) -> Rec {
        let pn: Option<PersonalNumber> = nid.and_then(super::ids::personal_number);
        Rec {
            kind: EntityKind::Person,
            tokens: super::normalize::name_tokens(name),
            date: birth,
            ident_birth: pn.as_ref().map(|p| p.birth),
            ident: pn.map(|p| p.text),
            address: address.map(super::normalize::address_key).filter(|a| !a.is_empty()),
            city: city.map(super::normalize::city_key).filter(|c| !c.is_empty()),
        }
    }

    /// A company record from its raw fields.
    pub fn company(
        name: &str,
        nuis: Option<&str>,
        incorporated: Option<Date>,
        address: Option<&str>,
        city: Option<&str>,
    ) -> Rec {
        Rec {
            kind: EntityKind::Company,
            tokens: super::normalize::company_tokens(name),
            date: incorporated,
            ident: nuis.and_then(super::ids::nuis),
            ident_birth: None,
            address: address.map(super::normalize::address_key).filter(|a| !a.is_empty()),
            city: city.map(super::normalize::city_key).filter(|c| !c.is_empty()),
        }
    }

    /// The birth date to block on: the recorded one, else the one the personal number encodes.
    pub fn any_date(&self) -> Option<Date> {
        self.date.or(self.ident_birth)
    }
}

/// The outcome of comparing two records.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    /// Total points.
    pub score: f64,
    /// Both records carry the same well-formed id number.
    pub confirmed: bool,
}

/// How two names agree, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameAgreement {
    /// Same folded words, in any order.
    Exact,
    /// Same words up to transliteration (`ll`/`l`, `sh`/`s`, final `ë`).
    Transliteration,
    /// Every word within a typo (one edit, or Jaro-Winkler >= `Params::typo_similarity`).
    Typo,
    /// Every word at Jaro-Winkler >= `Params::weak_similarity`.
    Weak,
    /// At least one word differs.
    Different,
}

/// True when `a` and `b` differ by at most one insertion, deletion, substitution or adjacent
/// transposition (restricted Damerau-Levenshtein distance <= 1), in O(len).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return one_edit(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    one_edit(&a, &b)
}

fn one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count();
    if p == la && p == lb {
        return true;
    }
    let (ra, rb) = (&a[p..], &b[p..]);
    match la.cmp(&lb) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Less => ra == &rb[1..],
        std::cmp::Ordering::Greater => &ra[1..] == rb,
    }
}

/// Similarity of two name tokens in [0, 1]: 1 for equal folded forms, 0.99 for equal
/// skeletons, 0.95 for one edit between skeletons of at least 4 letters, else Jaro-Winkler of
/// the skeletons.
pub fn token_similarity(a: &Token, b: &Token) -> f64 {
    if a.folded == b.folded {
        1.0
    } else if a.skeleton == b.skeleton {
        0.99
    } else if a.skeleton.len().min(b.skeleton.len()) >= 4 && within_one_edit(&a.skeleton, &b.skeleton) {
        0.95
    } else {
        strsim::jaro_winkler(&a.skeleton, &b.skeleton)
    }
}

/// Best one-to-one alignment of the shorter token list into the longer one (any word order).
/// Returns the aligned similarities' minimum and the number of unaligned tokens.
///
/// # Complexity
/// O(n!) over at most 4 tokens, greedy beyond; names have 2-4 words.
pub fn align(a: &[Token], b: &[Token]) -> (f64, usize) {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if s.is_empty() {
        return (0.0, l.len());
    }
    let extra = l.len() - s.len();
    if l.len() <= 4 {
        let mut sim = [[0.0f64; 4]; 4];
        for (i, x) in s.iter().enumerate() {
            for (j, y) in l.iter().enumerate() {
                sim[i][j] = token_similarity(x, y);
            }
        }
        let mut used = [false; 4];
        let mut best = (f64::NEG_INFINITY, 0.0);
        permute(&sim[..s.len()], l.len(), 0, &mut used, 0.0, 1.0, &mut best);
        (best.1, extra)
    } else {
        let sim: Vec<Vec<f64>> = s.iter().map(|x| l.iter().map(|y| token_similarity(x, y)).collect()).collect();
        let mut used = vec![false; l.len()];
        let mut min = 1.0f64;
        for row in &sim {
            let mut pick = None;
            for (j, &v) in row.iter().enumerate() {
                if !used[j] && pick.is_none_or(|(_, bv)| v > bv) {
                    pick = Some((j, v));
                }
            }
            if let Some((j, v)) = pick {
                used[j] = true;
                min = min.min(v);
            }
        }
        (min, extra)
    }
}

/// Exhaustive assignment maximising the sum of similarities; `best` = (sum, min of that assignment).
fn permute(sim: &[[f64; 4]], cols: usize, i: usize, used: &mut [bool; 4], sum: f64, min: f64, best: &mut (f64, f64)) {
    if i == sim.len() {
        if sum > best.0 {
            *best = (sum, min);
        }
        return;
    }
    for j in 0..cols.min(4) {
        if !used[j] {
            used[j] = true;
            permute(sim, cols, i + 1, used, sum + sim[i][j], min.min(sim[i][j]), best);
            used[j] = false;
        }
    }
}

/// Classifies the agreement of two token lists.
pub fn name_agreement(a: &[Token], b: &[Token], p: &Params) -> (NameAgreement, usize) {
    let (min, extra) = align(a, b);
    let class = if a.len().min(b.len()) < 2 && a.len() + b.len() > 2 {
        // A single word against a full name identifies nobody.
        if min >= p.weak_similarity {
            NameAgreement::Weak
        } else {
            NameAgreement::Different
        }
    } else if min >= 1.0 {
        NameAgreement::Exact
    } else if min >= 0.99 {
        NameAgreement::Transliteration
    } else if min >= p.typo_similarity {
        NameAgreement::Typo
    } else if min >= p.weak_similarity {
        NameAgreement::Weak
    } else {
        NameAgreement::Different
    };
    (class, extra)
}

fn names(t: &[Token]) -> String {
    t.iter().map(|t| t.folded.as_str()).collect::<Vec<_>>().join(" ")
}

/// Running total of a comparison, with the evidence text when asked for.
struct Acc<'a> {
    total: f64,
    why: Option<&'a mut String>,
}

impl Acc<'_> {
    fn add(&mut self, w: f64, text: std::fmt::Arguments<'_>) {
        self.total += w;
        if let Some(s) = self.why.as_deref_mut() {
            if !s.is_empty() {
                s.push_str("; ");
            }
            let _ = write!(s, "{text} {w:+}");
        }
    }
}

/// Scores a pair of records of the same kind; writes the evidence to `why` when given.
///
/// Without `why`, a pair that can no longer reach the threshold stops early and its score is
/// an upper bound (still below the threshold).
///
/// # Complexity
/// O(k^2 · w) for k name tokens of w letters, plus O(address length).
pub fn score(a: &Rec, b: &Rec, p: &Params, why: Option<&mut String>) -> Scored {
    let explain = why.is_some();
    let mut acc = Acc { total: 0.0, why };
    let pos = |w: f64| w.max(0.0);
    let date_max = pos(p.date_equal).max(pos(p.id_date_agree));
    let place_max = pos(p.address_equal) + pos(p.city_equal);
    // Identity numbers.
    let mut confirmed = false;
    let id_word = if a.kind == EntityKind::Person { "personal number" } else { "NUIS" };
    match (&a.ident, &b.ident) {
        (Some(x), Some(y)) if x == y => {
            confirmed = true;
            acc.add(p.id_equal, format_args!("{id_word} {x} on both"));
        }
        (Some(x), Some(y)) => acc.add(p.id_different, format_args!("{id_word}s differ ({x} / {y})")),
        _ => {}
    }
    let hopeless = |acc: &Acc<'_>, rest: f64| !explain && !confirmed && acc.total + rest < p.threshold;
    if hopeless(&acc, pos(p.name_exact) + date_max + place_max) {
        return Scored { score: acc.total + pos(p.name_exact) + date_max + place_max, confirmed };
    }
    // Names.
    let (agree, extra) = name_agreement(&a.tokens, &b.tokens, p);
    let (w, what) = match agree {
        NameAgreement::Exact => (p.name_exact, "name equal"),
        NameAgreement::Transliteration => (p.name_transliteration, "name equal up to transliteration"),
        NameAgreement::Typo => (p.name_typo, "name within a typo"),
        NameAgreement::Weak => (p.name_weak, "name similar"),
        NameAgreement::Different => (p.name_different, "names differ"),
    };
    if explain {
        let (x, y) = (names(&a.tokens), names(&b.tokens));
        acc.add(w, format_args!("{what} ('{x}' ~ '{y}')"));
    } else {
        acc.total += w;
    }
    if extra > 0 && agree != NameAgreement::Different {
        acc.add(p.extra_token * extra as f64, format_args!("{extra} extra name word(s)"));
    }
    // Dates: recorded dates first; else a personal number against the other's recorded date.
    let date_word = if a.kind == EntityKind::Person { "birth date" } else { "registration date" };
    match (a.date, b.date) {
        (Some(x), Some(y)) => match compare_dates(x, y) {
            DateAgreement::Equal => acc.add(p.date_equal, format_args!("{date_word} equal")),
            DateAgreement::Near => acc.add(p.date_near, format_args!("{date_word}s {x}/{y} differ by a clerical slip")),
            DateAgreement::Different => acc.add(p.date_different, format_args!("{date_word}s differ")),
        },
        (None, Some(d)) | (Some(d), None) => {
            let other = if a.date.is_none() { a.ident_birth } else { b.ident_birth };
            match other {
                Some(o) if !confirmed && o == d => {
                    acc.add(p.id_date_agree, format_args!("birth date agrees with the other's personal number"))
                }
                Some(_) if !confirmed => {
                    acc.add(p.id_date_differ, format_args!("birth date contradicts the other's personal number"))
                }
                _ => {}
            }
        }
        (None, None) => {}
    }
    if hopeless(&acc, place_max) {
        return Scored { score: acc.total + place_max, confirmed };
    }
    // Address and city.
    match (&a.address, &b.address) {
        (Some(x), Some(y)) if x == y => acc.add(p.address_equal, format_args!("address equal")),
        (Some(x), Some(y)) if strsim::jaro_winkler(x, y) >= 0.95 => {
            acc.add(p.address_equal, format_args!("address nearly equal"))
        }
        (Some(_), Some(_)) => acc.add(p.address_different, format_args!("addresses differ")),
        _ => {}
    }
    match (&a.city, &b.city) {
        (Some(x), Some(y)) if x == y => acc.add(p.city_equal, format_args!("city equal")),
        (Some(_), Some(_)) => acc.add(p.city_different, format_args!("cities differ")),
        _ => {}
    }
    Scored { score: acc.total, confirmed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::normalize::name_tokens;

    fn d(y: i32, m: u32, dd: u32) -> Option<Date> {
        Date::from_ymd(y, m, dd)
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("hoxha", "hoxah"));
        assert!(within_one_edit("hoxha", "hoxa"));
        assert!(within_one_edit("hoxha", "hoxhaj"));
        assert!(within_one_edit("hoxha", "hoxka"));
        assert!(!within_one_edit("hoxha", "hohax"));
        assert!(!within_one_edit("arben", "arta"));
    }

    #[test]
    fn word_order_and_transliteration() {
        let p = Params::default();
        let (a, b) = (name_tokens("Arbën Hoxha"), name_tokens("HOXHA ARBEN"));
        assert_eq!(name_agreement(&a, &b, &p).0, NameAgreement::Exact);
        let (a, b) = (name_tokens("Ilir Agolli"), name_tokens("AGOLI ILIR"));
        assert_eq!(name_agreement(&a, &b, &p).0, NameAgreement::Transliteration);
        let (a, b) = (name_tokens("Dritan Dervishi"), name_tokens("Dritan Dervsihi"));
        assert_eq!(name_agreement(&a, &b, &p).0, NameAgreement::Typo);
        let (a, b) = (name_tokens("Arbën Hoxha"), name_tokens("Arta Hoxha"));
        assert_eq!(name_agreement(&a, &b, &p).0, NameAgreement::Different);
    }

    #[test]
    fn same_person_across_registers_scores_above_threshold() {
        let p = Params::default();
        let bank = Rec::person(
            "Arbën Hoxha",
            d(1979, 3, 12),
            Some("H90312045A"),
            Some("Rruga e Kavajës, Nr. 7"),
            Some("Tiranë"),
        );
        let land = Rec::person("HOXHA ARBEN", d(1979, 3, 12), None, Some("Rr. Myslym Shyri 40"), Some("TIRANA"));
        let s = score(&bank, &land, &p, None);
        assert!(s.score >= p.threshold && !s.confirmed, "{s:?}");
        let company = Rec::person("Arben Hoxha", None, Some("H90312045A"), None, None);
        let s = score(&bank, &company, &p, None);
        assert!(s.confirmed && s.score >= p.threshold, "{s:?}");
    }

    #[test]
    fn look_alikes_and_relatives_score_below_threshold() {
        let p = Params::default();
        let a = Rec::person("Arbën Hoxha", d(1979, 3, 12), None, Some("Rruga e Kavajës, Nr. 7"), Some("Tiranë"));
        let namesake = Rec::person("Arben Hoxha", d(1991, 8, 2), None, Some("Rruga e Kavajës, Nr. 7"), Some("Tiranë"));
        assert!(score(&a, &namesake, &p, None).score < p.threshold);
        let wife = Rec::person("Elira Hoxha", d(1981, 1, 30), None, Some("Rruga e Kavajës, Nr. 7"), Some("Tiranë"));
        assert!(score(&a, &wife, &p, None).score < p.threshold);
        let twin = Rec::person("Artan Hoxha", d(1979, 3, 12), None, Some("Rruga e Kavajës, Nr. 7"), Some("Tiranë"));
        assert!(score(&a, &twin, &p, None).score < p.threshold);
    }

    #[test]
    fn evidence_names_every_field() {
        let p = Params::default();
        let a = Rec::person("Arbën Hoxha", d(1979, 3, 12), None, None, Some("Tiranë"));
        let b = Rec::person("HOXHA ARBEN", d(1979, 3, 12), None, None, Some("Tirana"));
        let mut why = String::new();
        let s = score(&a, &b, &p, Some(&mut why));
        assert!(why.contains("name equal ('arben hoxha' ~ 'hoxha arben') +8"), "{why}");
        assert!(why.contains("birth date equal +7") && why.contains("city equal +1"), "{why}");
        assert_eq!(s.score, 16.0);
    }
}
