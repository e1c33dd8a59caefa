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
                persons.entry(a.person).or_insert(Basis::ProbableVictim);
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
            // The folded spellings entity resolution writes into its evidence ("'arta hoxha' ~
            // 'hoxha arta'"), which also catch a name typed without diacritics.
            for folded in folded_names(&r.full_name) {
                v.push((folded, "[protected name]".into()));
            }
            if let Some(n) = &r.national_id {
                v.push((n.clone(), "[withheld]".into()));
            }
            if let Some(b) = r.birth_date {
                v.push((b.to_string(), "[withheld]".into()));
                v.push((b.to_naive().format("%d.%m.%Y").to_string(), "[withheld]".into()));
            }
            if let Some(a) = &r.address {
                v.push((a.clone(), "[address withheld]".into()));
            }
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
}

/// The forms of a name without diacritics, lower case: entity resolution's name tokens joined by
/// spaces (the form its evidence quotes), and the whole name folded, when different from the name.
fn folded_names(name: &str) -> Vec<String> {
    let tokens: Vec<String> = crate::resolve::normalize::name_tokens(name).into_iter().map(|t| t.folded).collect();
    let whole: Vec<String> = crate::resolve::normalize::fold(name).split_whitespace().map(str::to_string).collect();
    let mut out = vec![tokens.join(" "), whole.join(" ")];
    out.dedup();
    out.retain(|f| !f.eq_ignore_ascii_case(name) && !f.is_empty());
    out
}

/// Replaces protected identifiers in free text (ASCII case-insensitive, whole tokens only:
/// a match must not be glued to a letter or digit on either side).
pub struct Scrubber {
    ac: Option<AhoCorasick>,
    replacements: Vec<String>,
}

impl Scrubber {
    /// A scrubber for `(needle, replacement)` pairs.
    pub fn new(pairs: &[(String, String)]) -> Scrubber {
        let needles: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
        let ac = if needles.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(&needles)
                .ok()
        };
        Scrubber { ac, replacements: pairs.iter().map(|(_, r)| r.clone()).collect() }
    }

    /// The text with every protected identifier replaced.
    pub fn apply<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let Some(ac) = &self.ac else { return Cow::Borrowed(s) };
        let mut out = String::new();
        let mut last = 0;
        for m in ac.find_iter(s) {
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
                continue;
            }
            out.push_str(&s[last..m.start()]);
            out.push_str(&self.replacements[m.pattern().as_usize()]);
            last = m.end();
        }
        if last == 0 {
            return Cow::Borrowed(s);
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
    let protected_names: BTreeSet<String> =
        set.persons.keys().map(|&p| fold_identifier(&case.persons.rows[p as usize].full_name)).collect();
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
        if protected_names.contains(&fold_identifier(&r.full_name)) {
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
    scrub_extras(&mut v.income.extras, &sc, &|_| false);
    scrub_extras(&mut v.suspects.extras, &sc, &|_| false);
    scrub_extras(&mut v.victims.extras, &sc, &|_| false);
    for i in v.income.rows.iter_mut() {
        opt(&sc, &mut i.source);
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
    fn pseudonyms_are_stable_per_key_and_differ_between_keys() {
        let a = Protection::from_master([1; 32], [0; 16]);
        let b = Protection::from_master([2; 32], [0; 16]);
        assert_eq!(a.person("P1"), Protection::from_master([1; 32], [0; 16]).person("P1"));
        assert_ne!(a.person("P1"), b.person("P1"));
        assert_ne!(a.person("P1"), a.account("P1"));
        assert!(a.person("P1").starts_with("PP-") && a.person("P1").len() == 15);
    }
}
