//! Protected persons, keyed pseudonyms and the redacted view of a case (issue 9, victim-safe
//! exports).
//!
//! Outside the court audience every protected person (listed victims, probable victims from
//! [`super::classify`], and always minors) is replaced by a stable pseudonym in the case that the
//! exporters read, so no exporter has to know about victims: names, national ids, birth dates,
//! addresses, cities, IBANs and account ids of protected persons are not in the view at all, and
//! free text (transfer references, extra columns, resolution evidence, finding details) is
//! scrubbed of them. Row provenance (file, line) stays: rows are not names.
//!
//! Pseudonyms are `PP-` (person) or `PA-` (account) plus 12 hex digits of
//! HMAC-SHA-256(key, kind ‖ external id). The key is derived from the case passphrase and the case
//! name with Argon2id ([`Protection::from_passphrase`]), so the same person gets the same
//! pseudonym in every run and every bundle of the case, and a pseudonym reveals nothing without
//! the passphrase (an HMAC without its key cannot be inverted or tested against guessed ids).

use super::classify::{fold_identifier, minor_at, Assessment, Status};
use crate::model::{Case, Date, EntityKind, Extras, StrColumn};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

type HmacSha256 = Hmac<Sha256>;

/// Errors of key derivation, sealing and unsealing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtectError {
    /// The passphrase is empty or too short.
    #[error("the seal passphrase must have at least 12 characters")]
    WeakPassphrase,
    /// Argon2 rejected its parameters (should not happen with the built-in ones).
    #[error("key derivation failed: {0}")]
    Kdf(String),
    /// The sealed file is not a moneytrail sealed file or is truncated.
    #[error("not a moneytrail sealed file (bad header or truncated)")]
    Format,
    /// Wrong passphrase, or the file was changed.
    #[error("cannot open the sealed file: wrong passphrase or the file was altered")]
    Decrypt,
    /// Encryption failed (should not happen).
    #[error("encryption failed")]
    Encrypt,
}

/// Argon2id cost: 64 MiB, 3 passes, 1 lane (RFC 9106 §4, second recommended option, with one
/// lane so the derivation is the same on every machine).
pub const ARGON2_M_KIB: u32 = 64 * 1024;
/// Argon2id passes.
pub const ARGON2_T: u32 = 3;
/// Argon2id lanes.
pub const ARGON2_P: u32 = 1;

/// The per-case secrets: the pseudonym key and the sealing key, both derived from one master
/// key.
#[derive(Clone)]
pub struct Protection {
    pseudonym: [u8; 32],
    seal: [u8; 32],
    salt: [u8; 16],
}

/// Alias kept for readers looking for "the pseudonym key".
pub type PseudonymKey = Protection;

impl std::fmt::Debug for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Protection { keys: <secret> }")
    }
}

/// The salt of a case: SHA-256 of a label and the case name, first 16 bytes. Deterministic so
/// that pseudonyms are stable across runs (see docs/victims.md for the trade-off).
pub fn case_salt(case_name: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(b"moneytrail/v1/case-salt\x1f");
    h.update(case_name.as_bytes());
    let d = h.finalize();
    let mut s = [0u8; 16];
    s.copy_from_slice(&d[..16]);
    s
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here; the fallback keeps
    // the function total without a panic.
    let Ok(mut m) = HmacSha256::new_from_slice(key) else { return [0u8; 32] };
    for p in parts {
        m.update(p);
        m.update(b"\x1f");
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&m.finalize().into_bytes());
    out
}

/// Argon2id of `passphrase` with `salt` at the built-in cost.
pub fn derive_master(passphrase: &[u8], salt: &[u8; 16]) -> Result<[u8; 32], ProtectError> {
    let params = argon2::Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32))
        .map_err(|e| ProtectError::Kdf(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    a.hash_password_into(passphrase, salt, &mut out).map_err(|e| ProtectError::Kdf(e.to_string()))?;
    Ok(out)
}

impl Protection {
    /// Derives the case keys from a passphrase (at least 12 characters) and the case name.
    ///
    /// # Complexity
    /// One Argon2id derivation (64 MiB, 3 passes): about a second.
    pub fn from_passphrase(passphrase: &str, case_name: &str) -> Result<Protection, ProtectError> {
        let p = passphrase.trim_end_matches(['\r', '\n']);
        if p.chars().count() < 12 {
            return Err(ProtectError::WeakPassphrase);
        }
        let salt = case_salt(case_name);
        let master = derive_master(p.as_bytes(), &salt)?;
        Ok(Protection::from_master(master, salt))
    }

    /// Keys from an already derived master key (for callers with their own key management).
    pub fn from_master(master: [u8; 32], salt: [u8; 16]) -> Protection {
        Protection { pseudonym: hmac(&master, &[b"pseudonym"]), seal: hmac(&master, &[b"seal"]), salt }
    }

    /// The pseudonym key (HMAC key of every PP-/PA- pseudonym). Exposed so that a passphrase
    /// change can keep a case's pseudonyms: `moneytrail key rotate --keep-pseudonyms` stores it
    /// encrypted under the new passphrase. Treat it as the secret it is.
    pub fn pseudonym_key(&self) -> [u8; 32] {
        self.pseudonym
    }

    /// These keys with another pseudonym key (the one kept across a passphrase change); the
    /// sealing key stays this passphrase's, so a sealed mapping opens with the current
    /// passphrase.
    pub fn with_pseudonym_key(mut self, key: [u8; 32]) -> Protection {
        self.pseudonym = key;
        self
    }

    /// The salt the master key was derived with (written into sealed files).
    pub fn salt(&self) -> [u8; 16] {
        self.salt
    }

    pub(crate) fn seal_key(&self) -> &[u8; 32] {
        &self.seal
    }

    fn tag(&self, kind: &str, id: &str) -> String {
        let d = hmac(&self.pseudonym, &[kind.as_bytes(), id.as_bytes()]);
        d[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The pseudonym of a person id: `PP-` and 12 hex digits.
    pub fn person(&self, id: &str) -> String {
        format!("PP-{}", self.tag("person", id))
    }

    /// The pseudonym of an account id: `PA-` and 12 hex digits.
    pub fn account(&self, id: &str) -> String {
        format!("PA-{}", self.tag("account", id))
    }

    /// The pseudonym of a labelled node (a protected person's phone, e-mail or device):
    /// `PX-` and 12 hex digits of the label and id.
    pub fn labelled(&self, label: &str, id: &str) -> String {
        format!("PX-{}", self.tag(&format!("labelled:{label}"), id))
    }
}

/// Why a person is protected (the first that applies, in this order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// Listed in the victims table.
    ListedVictim,
    /// Classified as a probable victim.
    ProbableVictim,
    /// Under 18 at the date of the transfers, or listed as a minor.
    Minor,
    /// A register record that entity resolution folded into a protected person.
    RecordOfProtected,
}

impl Basis {
    /// The word used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::ListedVictim => "listed_victim",
            Basis::ProbableVictim => "probable_victim",
            Basis::Minor => "minor",
            Basis::RecordOfProtected => "record_of_protected_person",
        }
    }
}

/// The protected persons of a case, with why.
#[derive(Clone, Debug, Default)]
pub struct ProtectedSet {
    /// Person index -> basis.
    pub persons: BTreeMap<u32, Basis>,
}

impl ProtectedSet {
    /// Listed victims, probable victims (from `assessed`) and minors: persons under 18 at the
    /// first transfer of their own accounts, or, without accounts, at the first transfer of the
    /// case; plus register records folded into any of them.
    pub fn compute(case: &Case, assessed: &[Assessment]) -> ProtectedSet {
        let mut persons: BTreeMap<u32, Basis> = BTreeMap::new();
        for v in &case.victims.rows {
            if v.entity.kind == EntityKind::Person {
                persons.insert(v.entity.idx, Basis::ListedVictim);
            }
        }
        for a in assessed {
            if a.status == Status::Probable {
                persons.entry(a.person.raw()).or_insert(Basis::ProbableVictim);
            }
        }
        // First transfer per person and of the case.
        let t = &case.transfers;
        let mut first_case: Option<i64> = None;
        let mut first_acc: Vec<Option<i64>> = vec![None; case.accounts.len()];
        for i in 0..t.len() {
            let at = t.booked_at[i].0;
            first_case = Some(first_case.map_or(at, |x: i64| x.min(at)));
            for a in [t.from[i], t.to[i]] {
                if let Some(slot) = first_acc.get_mut(a as usize) {
                    *slot = Some(slot.map_or(at, |x| x.min(at)));
                }
            }
        }
        let mut first_person: BTreeMap<u32, i64> = BTreeMap::new();
        for (a, acc) in case.accounts.rows.iter().enumerate() {
            if let (Some(h), Some(at)) = (acc.holder, first_acc[a]) {
                if h.kind == EntityKind::Person {
                    let e = first_person.entry(h.idx).or_insert(at);
                    *e = (*e).min(at);
                }
            }
        }
        let day = |s: i64| Date(s.div_euclid(86_400) as i32);
        for p in 0..case.persons.len() as u32 {
            let at = first_person.get(&p).copied().or(first_case).map(day);
            if minor_at(case, p, at) {
                persons.entry(p).or_insert(Basis::Minor);
            }
        }
        for l in &case.inferred_links {
            if l.record.kind == EntityKind::Person
                && l.entity.kind == EntityKind::Person
                && persons.contains_key(&l.entity.idx)
            {
                persons.entry(l.record.idx).or_insert(Basis::RecordOfProtected);
            }
        }
        ProtectedSet { persons }
    }

    /// True when person `p` is protected.
    pub fn contains(&self, p: u32) -> bool {
        self.persons.contains_key(&p)
    }

    /// Accounts held by protected persons, sorted.
    pub fn accounts(&self, case: &Case) -> Vec<u32> {
        (0..case.accounts.len() as u32)
            .filter(|&a| {
                case.accounts.rows[a as usize]
                    .holder
                    .is_some_and(|h| h.kind == EntityKind::Person && self.contains(h.idx))
            })
            .collect()
    }

    /// Every identifier of the protected persons in the forms it may be written: (needle,
    /// replacement). Used by the scrubber and by leak checks.
    pub fn identifiers(&self, case: &Case, key: &Protection) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = Vec::new();
        for &p in self.persons.keys() {
            let r = &case.persons.rows[p as usize];
            let pseudo = key.person(&r.id);
            v.push((r.id.clone(), pseudo.clone()));
            v.push((r.full_name.clone(), "[protected name]".into()));
            // The name in every word order (entity resolution's evidence quotes "'arta hoxha' ~
            // 'hoxha arta'"; registers write "HOXHA Arta"); the scrubber matches them folded, so
            // case and diacritics do not matter either.
            for order in name_orders(&r.full_name) {
                v.push((order, "[protected name]".into()));
            }
            if let Some(n) = &r.national_id {
                v.push((n.clone(), "[withheld]".into()));
            }
            if let Some(b) = r.birth_date {
                v.push((b.to_string(), "[withheld]".into()));
                v.push((b.to_naive().format("%d.%m.%Y").to_string(), "[withheld]".into()));
                v.push((b.to_naive().format("%Y%m%d").to_string(), "[withheld]".into()));
            }
            if let Some(a) = &r.address {
                v.push((a.clone(), "[address withheld]".into()));
            }
            // Phones and e-mails of the person's extra columns: a phone is matched by its
            // digits in any layout (see `Scrubber`), an e-mail folded.
            for c in CONTACT_COLUMNS {
                if let Some(x) = case.persons.extras.get(c, p as usize).filter(|x| !x.trim().is_empty()) {
                    let what = if looks_like_phone(x) { "[phone withheld]" } else { "[contact withheld]" };
                    v.push((x.trim().to_string(), what.into()));
                }
            }
        }
        for (label, id) in self.labelled_contacts(case) {
            let what = if looks_like_phone(&id) { "[phone withheld]".to_string() } else { key.labelled(&label, &id) };
            v.push((id, what));
        }
        for a in self.accounts(case) {
            let acc = &case.accounts.rows[a as usize];
            let pseudo = key.account(&acc.id);
            v.push((acc.id.clone(), pseudo.clone()));
            if let Some(i) = &acc.iban {
                v.push((i.clone(), pseudo.clone()));
                let compact: String = i.chars().filter(|c| !c.is_whitespace()).collect();
                let spaced: String = compact
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
                v.push((compact, pseudo.clone()));
                v.push((spaced, pseudo.clone()));
            }
        }
        v.retain(|(n, _)| n.trim().chars().count() >= 3);
        v.sort();
        v.dedup_by(|a, b| a.0 == b.0);
        v
    }

    /// Rows of labelled node tables (phones, e-mails, devices ...) joined by a labelled edge to a
    /// protected person or to an account of one: (label, id), sorted. They identify the person,
    /// so the view pseudonymises them and the scrubber replaces their ids in text.
    pub fn labelled_contacts(&self, case: &Case) -> Vec<(String, String)> {
        self.labelled_rows(case)
            .into_iter()
            .filter_map(|(t, row)| {
                let table = case.labelled.nodes.get(t as usize)?;
                Some((table.label.clone(), table.ids.get(row as usize)?.clone()))
            })
            .collect()
    }

    /// (table, row) of the labelled nodes of [`ProtectedSet::labelled_contacts`].
    fn labelled_rows(&self, case: &Case) -> BTreeSet<(u16, u32)> {
        use crate::model::LabelEnd;
        let accounts: BTreeSet<u32> = self.accounts(case).into_iter().collect();
        let protected = |e: &LabelEnd| match *e {
            LabelEnd::Person(p) => self.contains(p),
            LabelEnd::Account(a) => accounts.contains(&a),
            _ => false,
        };
        let mut out = BTreeSet::new();
        for t in &case.labelled.edges {
            for (f, to) in t.from.iter().zip(&t.to) {
                for (a, b) in [(f, to), (to, f)] {
                    if let (true, LabelEnd::Node { table, row }) = (protected(a), *b) {
                        out.insert((table, row));
                    }
                }
            }
        }
        out
    }
}

/// Extra person columns holding phones and e-mails (the classifier's shared identifiers).
const CONTACT_COLUMNS: &[&str] = &["phone", "telephone", "mobile", "email", "e_mail"];

/// True for text made of a phone number's characters with at least 7 digits.
fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    digits >= 7 && s.trim().chars().all(|c| c.is_ascii_digit() || " +-./()".contains(c))
}

/// The digits by which a phone is recognised in text: its last 9 (the subscriber number
/// without country or trunk prefix: +355 69 123 4567, 069 123 4567 and 0691234567 agree), or
/// all of them when fewer.
fn phone_key(s: &str) -> String {
    let d: Vec<char> = s.chars().filter(char::is_ascii_digit).collect();
    d[d.len().saturating_sub(9)..].iter().collect()
}

/// A name in every order of its words (folded: no diacritics, lower case); up to 5 words all
/// orders, longer names their rotations and reversals.
pub fn name_orders(name: &str) -> Vec<String> {
    let words: Vec<String> = crate::resolve::normalize::name_tokens(name).into_iter().map(|t| t.folded).collect();
    let mut out = Vec::new();
    if words.is_empty() {
        return out;
    }
    if words.len() <= 5 {
        permutations(&words, &mut Vec::new(), &mut vec![false; words.len()], &mut out);
    } else {
        for k in 0..words.len() {
            let mut w = words.clone();
            w.rotate_left(k);
            out.push(w.join(" "));
            w.reverse();
            out.push(w.join(" "));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn permutations(words: &[String], cur: &mut Vec<usize>, used: &mut [bool], out: &mut Vec<String>) {
    if cur.len() == words.len() {
        out.push(cur.iter().map(|&i| words[i].as_str()).collect::<Vec<_>>().join(" "));
        return;
    }
    for i in 0..words.len() {
        if !used[i] {
            used[i] = true;
            cur.push(i);
            permutations(words, cur, used, out);
            cur.pop();
            used[i] = false;
        }
    }
}

/// The key under which two names are the same name up to diacritics, case and word order.
pub fn name_key(name: &str) -> String {
    let mut w: Vec<String> = crate::resolve::normalize::name_tokens(name).into_iter().map(|t| t.folded).collect();
    w.sort();
    w.join(" ")
}

/// Text folded for matching, with where each byte came from: letters and digits without
/// diacritics and in lower case (as `resolve::normalize::fold`), every run of other characters
/// one space.
struct Folded {
    text: String,
    /// For every byte of `text`, the byte range of the original character it came from.
    from: Vec<(u32, u32)>,
}

fn fold_with_map(s: &str) -> Folded {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let mut text = String::with_capacity(s.len());
    let mut from = Vec::with_capacity(s.len());
    let mut sep = false;
    let push = |c: char, range: (u32, u32), text: &mut String, from: &mut Vec<(u32, u32)>| {
        let before = text.len();
        text.push(c);
        from.extend(std::iter::repeat_n(range, text.len() - before));
    };
    for (i, c) in s.char_indices() {
        let range = (i as u32, (i + c.len_utf8()) as u32);
        let mut emit = |c: char, text: &mut String, from: &mut Vec<(u32, u32)>| {
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    push(l, range, text, from);
                }
                sep = false;
            } else if !sep {
                push(' ', range, text, from);
                sep = true;
            }
        };
        if c.is_ascii() {
            emit(c, &mut text, &mut from);
        } else {
            for d in std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)) {
                emit(d, &mut text, &mut from);
            }
        }
    }
    Folded { text, from }
}

fn fold_plain(s: &str) -> String {
    fold_with_map(s).text.trim().to_string()
}

/// Replaces protected identifiers in free text. Text and needles are compared folded
/// (diacritics removed, any case, any run of spaces or punctuation equal to one space), whole
/// tokens only: a match must not be glued to a letter or digit on either side. Phone numbers are
/// compared by their digits ([`phone_key`]): `+355 69 123 4567`, `069-123-4567` and
/// `0691234567` are one number.
pub struct Scrubber {
    ac: Option<AhoCorasick>,
    replacements: Vec<String>,
    /// (digits key, replacement) of protected phone numbers.
    phones: Vec<(String, String)>,
}

impl Scrubber {
    /// A scrubber for `(needle, replacement)` pairs; needles that look like phone numbers
    /// (digits and `+-./()`, at least 7 digits) are matched by their digits.
    pub fn new(pairs: &[(String, String)]) -> Scrubber {
        let mut folded: Vec<(String, String)> = Vec::new();
        let mut phones = Vec::new();
        for (n, r) in pairs {
            if looks_like_phone(n) {
                phones.push((phone_key(n), r.clone()));
            }
            let f = fold_plain(n);
            if f.chars().filter(|c| c.is_alphanumeric()).count() >= 3 {
                folded.push((f, r.clone()));
            }
        }
        // One replacement per folded needle: the first in the given order.
        let mut seen = BTreeSet::new();
        folded.retain(|(f, _)| seen.insert(f.clone()));
        phones.sort();
        phones.dedup_by(|a, b| a.0 == b.0);
        let ac = if folded.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(folded.iter().map(|(f, _)| f.as_str()))
                .ok()
        };
        Scrubber { ac, replacements: folded.into_iter().map(|(_, r)| r).collect(), phones }
    }

    /// Spans (start, end, replacement index or phone index) of protected identifiers in `s`.
    fn spans(&self, s: &str) -> Vec<(usize, usize, String)> {
        let mut spans = Vec::new();
        if let Some(ac) = &self.ac {
            let f = fold_with_map(s);
            let t = f.text.as_bytes();
            for m in ac.find_iter(&f.text) {
                let glued_before = m.start() > 0 && t[m.start() - 1] != b' ';
                let glued_after = m.end() < t.len() && t[m.end()] != b' ';
                if glued_before || glued_after {
                    continue;
                }
                let start = f.from[m.start()].0 as usize;
                let end = f.from[m.end() - 1].1 as usize;
                spans.push((start, end, self.replacements[m.pattern().as_usize()].clone()));
            }
        }
        if !self.phones.is_empty() {
            spans.extend(self.phone_spans(s));
        }
        spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out: Vec<(usize, usize, String)> = Vec::with_capacity(spans.len());
        for sp in spans {
            match out.last_mut() {
                Some(last) if sp.0 < last.1 => last.1 = last.1.max(sp.1),
                _ => out.push(sp),
            }
        }
        out
    }

    /// Runs of digits with phone separators (at least 7 digits, not glued to a letter or digit)
    /// whose digits end in a protected phone's key.
    fn phone_spans(&self, s: &str) -> Vec<(usize, usize, String)> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            // `i` is always at a character boundary: it moves by whole characters, or to just
            // after an ASCII digit.
            let step = s[i..].chars().next().map_or(1, char::len_utf8);
            let starts =
                b[i].is_ascii_digit() || (b[i] == b'+' || b[i] == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            let glued = i > 0 && s[..i].chars().next_back().is_some_and(char::is_alphanumeric);
            if !starts || glued {
                i += step;
                continue;
            }
            let mut j = i;
            let mut last_digit = i;
            let mut digits = String::new();
            while j < b.len() && (b[j].is_ascii_digit() || b" +-./()".contains(&b[j])) {
                if b[j].is_ascii_digit() {
                    digits.push(b[j] as char);
                    last_digit = j;
                }
                j += 1;
            }
            let end = last_digit + 1;
            let glued_after = s[end..].chars().next().is_some_and(char::is_alphanumeric);
            if digits.len() >= 7 && !glued_after {
                if let Some((_, r)) = self.phones.iter().find(|(k, _)| digits.ends_with(k.as_str())) {
                    out.push((i, end, r.clone()));
                }
            }
            i = end.max(i + 1);
        }
        out
    }

    /// The text with every protected identifier replaced.
    pub fn apply<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.ac.is_none() && self.phones.is_empty() {
            return Cow::Borrowed(s);
        }
        let spans = self.spans(s);
        if spans.is_empty() {
            return Cow::Borrowed(s);
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (start, end, r) in spans {
            out.push_str(&s[last..start]);
            out.push_str(&r);
            last = end;
        }
        out.push_str(&s[last..]);
        Cow::Owned(out)
    }
}

fn scrub_column(col: &StrColumn, f: impl Fn(usize, &str) -> Option<String>) -> Option<StrColumn> {
    let changed: Vec<Option<String>> = (0..col.len()).map(|i| f(i, col.get(i))).collect();
    if changed.iter().all(Option::is_none) {
        return None;
    }
    let mut out = StrColumn::new();
    for (i, c) in changed.iter().enumerate() {
        // A column rebuilt from one that fitted cannot overflow: the replacements are never
        // longer than [protected name] plus the original, well below the arena limit. On the
        // impossible overflow the original column is kept blanked rather than leaking.
        if out.push(c.as_deref().unwrap_or(col.get(i))).is_err() {
            return Some(StrColumn::new());
        }
    }
    Some(out)
}

fn scrub_extras(ex: &mut Extras, sc: &Scrubber, blank_row: &dyn Fn(usize) -> bool) {
    for col in ex.columns.iter_mut() {
        let new = scrub_column(col, |i, v| {
            if blank_row(i) && !v.is_empty() {
                Some(String::new())
            } else {
                match sc.apply(v) {
                    Cow::Owned(s) => Some(s),
                    Cow::Borrowed(_) => None,
                }
            }
        });
        if let Some(n) = new {
            *col = n;
        }
    }
}

fn opt(sc: &Scrubber, s: &mut Option<String>) {
    if let Some(v) = s {
        if let Cow::Owned(n) = sc.apply(v) {
            *v = n;
        }
    }
}

/// The protected view of a case: what every non-court exporter reads.
pub struct Redaction {
    /// The case with protected persons pseudonymised and free text scrubbed.
    pub case: Case,
    /// The scrubber for text computed from the real case (finding details, reasons).
    pub scrubber: Scrubber,
}

/// Builds the redacted view of `case` for `set` under `key`. Row order and count are unchanged,
/// so dense indices (findings, charts, traces) computed on the real case stay valid.
///
/// # Complexity
/// O(size of the case) plus an Aho-Corasick pass over every free-text cell.
pub fn redact(case: &Case, set: &ProtectedSet, key: &Protection) -> Redaction {
    let pairs = set.identifiers(case, key);
    let sc = Scrubber::new(&pairs);
    let mut v = case.clone();
    // Namesakes: the same words up to diacritics, case and order.
    let protected_names: BTreeSet<String> =
        set.persons.keys().map(|&p| name_key(&case.persons.rows[p as usize].full_name)).collect();
    let protected_addrs: BTreeSet<String> = set
        .persons
        .keys()
        .filter_map(|&p| case.persons.rows[p as usize].address.as_deref().map(fold_identifier))
        .filter(|a| !a.is_empty())
        .collect();
    let withheld_addr = || Some("[address withheld: shared with a protected person]".to_string());
    for (i, r) in v.persons.rows.iter_mut().enumerate() {
        if set.contains(i as u32) {
            let pseudo = key.person(&r.id);
            r.id = pseudo.clone();
            r.full_name = pseudo;
            r.birth_date = None;
            r.national_id = None;
            r.address = None;
            r.city = None;
            continue;
        }
        if protected_names.contains(&name_key(&r.full_name)) {
            r.full_name = format!("[name withheld: namesake of a protected person] {}", r.id);
        }
        if r.address.as_deref().is_some_and(|a| protected_addrs.contains(&fold_identifier(a))) {
            r.address = withheld_addr();
        } else {
            opt(&sc, &mut r.address);
        }
    }
    let protected_rows = |i: usize| set.contains(i as u32);
    scrub_extras(&mut v.persons.extras, &sc, &protected_rows);
    for c in v.companies.rows.iter_mut() {
        if let Cow::Owned(n) = sc.apply(&c.name) {
            c.name = n;
        }
        if c.registered_address.as_deref().is_some_and(|a| protected_addrs.contains(&fold_identifier(a))) {
            c.registered_address = withheld_addr();
        } else {
            opt(&sc, &mut c.registered_address);
        }
    }
    scrub_extras(&mut v.companies.extras, &sc, &|_| false);
    let prot_accounts: BTreeSet<u32> = set.accounts(case).into_iter().collect();
    for (i, a) in v.accounts.rows.iter_mut().enumerate() {
        if prot_accounts.contains(&(i as u32)) {
            a.id = key.account(&a.id);
            a.iban = None;
        }
    }
    scrub_extras(&mut v.accounts.extras, &sc, &|i| prot_accounts.contains(&(i as u32)));
    if let Some(col) = scrub_column(&v.transfers.reference, |_, s| match sc.apply(s) {
        Cow::Owned(n) => Some(n),
        Cow::Borrowed(_) => None,
    }) {
        v.transfers.reference = col;
    }
    scrub_extras(&mut v.transfers.extras, &sc, &|_| false);
    for t in [&mut v.properties.extras, &mut v.titles.extras, &mut v.encumbrances.extras, &mut v.ownership.extras] {
        scrub_extras(t, &sc, &|_| false);
    }
    scrub_extras(&mut v.relations.extras, &sc, &|_| false);
    redact_labelled(&mut v, case, set, key, &sc);
    scrub_extras(&mut v.income.extras, &sc, &|_| false);
    scrub_extras(&mut v.suspects.extras, &sc, &|_| false);
    scrub_extras(&mut v.victims.extras, &sc, &|_| false);
    for i in v.income.rows.iter_mut() {
        if let Some(v) = &mut i.source {
            if let Cow::Owned(n) = sc.apply(v) {
                *v = n.into();
            }
        }
    }
    for s in v.suspects.rows.iter_mut() {
        opt(&sc, &mut s.basis);
        opt(&sc, &mut s.case_ref);
    }
    for s in v.victims.rows.iter_mut() {
        opt(&sc, &mut s.basis);
    }
    for l in v.inferred_links.iter_mut() {
        if let Cow::Owned(n) = sc.apply(&l.evidence) {
            l.evidence = n;
        }
    }
    // Indexes by external id follow the new ids.
    v.entity_index.clear();
    for (ext, e) in &case.entity_index {
        let new_key = match e.kind {
            EntityKind::Person if set.contains(e.idx) => {
                // A folded record's id maps to its entity; protected ids map by their pseudonym.
                key.person(ext)
            }
            _ => ext.clone(),
        };
        v.entity_index.insert(new_key, *e);
    }
    v.account_index.clear();
    for (i, a) in v.accounts.rows.iter().enumerate() {
        v.account_index.insert(a.id.clone(), i as u32);
    }
    Redaction { case: v, scrubber: sc }
}

/// Labelled tables in the view: a node joined to a protected person or their account (their
/// phone, e-mail, device) gets a `PX-` pseudonym and no properties; every other text cell and
/// edge id is scrubbed.
fn redact_labelled(v: &mut Case, case: &Case, set: &ProtectedSet, key: &Protection, sc: &Scrubber) {
    let rows = set.labelled_rows(case);
    for (k, t) in v.labelled.nodes.iter_mut().enumerate() {
        let protected = |row: usize| rows.contains(&(k as u16, row as u32));
        let mut changed = false;
        for (row, id) in t.ids.iter_mut().enumerate() {
            if protected(row) {
                *id = key.labelled(&t.label, id);
                changed = true;
            } else if let Cow::Owned(n) = sc.apply(id) {
                *id = n;
                changed = true;
            }
        }
        if changed {
            t.index.clear();
            for (row, id) in t.ids.iter().enumerate() {
                t.index.insert(id.clone(), row as u32);
            }
        }
        for c in t.typed.iter_mut() {
            for (row, val) in c.values.iter_mut().enumerate() {
                if protected(row) {
                    *val = None;
                }
            }
        }
        scrub_extras(&mut t.extras, sc, &protected);
    }
    for t in v.labelled.edges.iter_mut() {
        for id in t.ids.iter_mut() {
            if let Cow::Owned(n) = sc.apply(id) {
                *id = n;
            }
        }
        scrub_extras(&mut t.extras, sc, &|_| false);
    }
}

/// One line of the sealed mapping: a pseudonym and the identity behind it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MappingRow {
    /// `PP-...` or `PA-...`.
    pub pseudonym: String,
    /// `person` or `account`.
    pub kind: String,
    /// External id in the case.
    pub id: String,
    /// Name (person) or holder id (account).
    pub name: String,
    /// National id (person) or IBAN (account).
    pub number: String,
    /// Birth date (person).
    pub birth_date: String,
    /// Address and city (person).
    pub address: String,
    /// Why protected (person) or `account of PP-...` (account).
    pub basis: String,
}

/// The pseudonym -> identity mapping of a protected set, sorted by pseudonym.
pub fn mapping(case: &Case, set: &ProtectedSet, key: &Protection) -> Vec<MappingRow> {
    let mut rows = Vec::new();
    for (&p, basis) in &set.persons {
        let r = &case.persons.rows[p as usize];
        rows.push(MappingRow {
            pseudonym: key.person(&r.id),
            kind: "person".into(),
            id: r.id.clone(),
            name: r.full_name.clone(),
            number: r.national_id.clone().unwrap_or_default(),
            birth_date: r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            address: [r.address.as_deref(), r.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", "),
            basis: basis.as_str().into(),
        });
    }
    for a in set.accounts(case) {
        let acc = &case.accounts.rows[a as usize];
        let holder = acc.holder.map(|h| case.entity_id(h).to_string()).unwrap_or_default();
        rows.push(MappingRow {
            pseudonym: key.account(&acc.id),
            kind: "account".into(),
            id: acc.id.clone(),
            name: holder.clone(),
            number: acc.iban.clone().unwrap_or_default(),
            birth_date: String::new(),
            address: String::new(),
            basis: format!("account of {}", key.person(&holder)),
        });
    }
    rows.sort_by(|a, b| a.pseudonym.cmp(&b.pseudonym).then(a.id.cmp(&b.id)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubber_replaces_whole_tokens_only_and_ignores_ascii_case() {
        let sc = Scrubber::new(&[
            ("A0001".to_string(), "PA-x".to_string()),
            ("Arta Hoxha".to_string(), "[protected name]".to_string()),
        ]);
        assert_eq!(sc.apply("from A0001 to A00012"), "from PA-x to A00012");
        assert_eq!(sc.apply("Derdhje cash nga ARTA HOXHA."), "Derdhje cash nga [protected name].");
        assert!(matches!(sc.apply("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn scrubber_catches_names_folded_reordered_and_in_capitals_phones_in_any_layout_and_e_mails() {
        let mut pairs: Vec<(String, String)> =
            name_orders("Arta Hoxhë").into_iter().map(|n| (n, "[protected name]".to_string())).collect();
        pairs.push(("Arta Hoxhë".into(), "[protected name]".into()));
        pairs.push(("+355 69 123 4567".into(), "[phone withheld]".into()));
        pairs.push(("arta.hoxhe@posta.al".into(), "[contact withheld]".into()));
        let sc = Scrubber::new(&pairs);
        assert_eq!(sc.apply("Pagesë nga HOXHË ARTA."), "Pagesë nga [protected name].");
        assert_eq!(sc.apply("per hoxhe, arta"), "per [protected name]");
        assert_eq!(sc.apply("ARTA   HOXHE"), "[protected name]");
        assert_eq!(sc.apply("Artan Hoxha"), "Artan Hoxha", "another name is left alone");
        assert_eq!(sc.apply("tel 0691234567, ose +355-69-123-45-67"), "tel [phone withheld], ose [phone withheld]");
        assert_eq!(sc.apply("ref 106912345678"), "ref 106912345678", "digits glued on are another number");
        assert_eq!(sc.apply("mail ARTA.HOXHE@POSTA.AL sot"), "mail [contact withheld] sot");
        assert_eq!(sc.apply("Çamëria 12"), "Çamëria 12", "non-ASCII text without a needle is kept as it is");
    }

    #[test]
    fn name_keys_ignore_diacritics_case_and_word_order() {
        assert_eq!(name_key("Arta Hoxhë"), name_key("HOXHE arta"));
        assert_ne!(name_key("Arta Hoxhë"), name_key("Arta Hoxha"));
        assert_eq!(name_orders("A B C").len(), 6);
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_between_keys() {
        let a = Protection::from_master([1; 32], [0; 16]);
        let b = Protection::from_master([2; 32], [0; 16]);
        assert_eq!(a.person("P1"), Protection::from_master([1; 32], [0; 16]).person("P1"));
        assert_ne!(a.person("P1"), b.person("P1"));
        assert_ne!(a.person("P1"), a.account("P1"));
        assert!(a.person("P1").starts_with("PP-") && a.person("P1").len() == 15);
    }
}
