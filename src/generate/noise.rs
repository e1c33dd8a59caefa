//! Identity noise (`--identity-noise`): the same real person written differently by each
//! register, and different people who look alike, with the true mapping in
//! `truth/identities.csv`.
//!
//! At any level but `none`, every person holding a title gets a land-register record
//! (`land_persons.csv`: "HOXHA ARBEN", dates `DD.MM.YYYY`, often without personal number, at
//! times an older address) and every person in the company register a company-register record
//! (`company_persons.csv`: "Arben Hoxha", dates `DD/MM/YYYY`, usually with personal number);
//! title and ownership rows name those records instead of the bank's (`persons.csv`). Companies
//! owning titles get a land-register record (`land_companies.csv`, NUIS usually given). Names
//! carry the register's habits (order, case, dropped diacritics) and, at a rate set by the level,
//! typos, dropped double consonants (Agolli / Agoli), `ş` for `sh`, slipped birth dates and
//! withheld ids. Look-alikes are new persons with the name of an existing one but another
//! birth date and personal number, some also in the land register.
//!
//! Deterministic: one PRNG stream of its own, so the rest of the case is the same bytes as at
//! level `none`, apart from the rows that name the new records.

use super::ids;
use super::names::{self, CITIES};
use super::rng::Rng;
use super::world::{add_days, ymd, Entity, Role, World};
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// How much identity noise the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub enum IdentityNoise {
    /// One record per person, every id given (the original output, byte for byte).
    #[default]
    None,
    /// Register variants with few typos.
    Low,
    /// Realistic: a few percent typos, slipped dates and withheld ids.
    Medium,
    /// Messy registers.
    High,
}

impl IdentityNoise {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityNoise::None => "none",
            IdentityNoise::Low => "low",
            IdentityNoise::Medium => "medium",
            IdentityNoise::High => "high",
        }
    }
}

impl FromStr for IdentityNoise {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(IdentityNoise::None),
            "low" => Ok(IdentityNoise::Low),
            "medium" => Ok(IdentityNoise::Medium),
            "high" => Ok(IdentityNoise::High),
            other => Err(format!("identity noise '{other}' is not one of: none, low, medium, high")),
        }
    }
}

/// Rates of one level (probabilities per record).
#[derive(Debug, Clone, Copy)]
struct Rates {
    typo: f64,
    drop_double: f64,
    cedilla: f64,
    date_slip: f64,
    no_date: f64,
    land_nid: f64,
    company_nid: f64,
    bank_withheld: f64,
    land_nuis: f64,
    lookalike: f64,
    moved: f64,
    fresh: f64,
}

fn rates(level: IdentityNoise) -> Rates {
    let (typo, date_slip, no_date, land_nid, company_nid, bank_withheld, land_nuis, lookalike) = match level {
        IdentityNoise::None => (0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0),
        IdentityNoise::Low => (0.01, 0.005, 0.0, 0.6, 0.95, 0.0, 0.95, 0.01),
        IdentityNoise::Medium => (0.04, 0.02, 0.01, 0.4, 0.85, 0.03, 0.85, 0.03),
        IdentityNoise::High => (0.08, 0.04, 0.03, 0.25, 0.7, 0.08, 0.7, 0.05),
    };
    Rates {
        typo,
        drop_double: 0.5,
        cedilla: typo / 2.0,
        date_slip,
        no_date,
        land_nid,
        company_nid,
        bank_withheld,
        land_nuis,
        lookalike,
        moved: 0.35,
        fresh: 0.2,
    }
}

/// A persons-table row: person_id, full_name, birth_date, national_id, address, city.
pub type PersonRow = [String; 6];
/// A companies-table row (see `writer.rs` for the columns).
pub type CompanyRow = [String; 9];

/// What the writer changes at a noise level above `none`.
#[derive(Debug, Default)]
pub struct Plan {
    /// Per world person: the bank record withholds the personal number.
    pub bank_withheld: Vec<bool>,
    /// Look-alike persons appended to persons.csv.
    pub lookalikes: Vec<PersonRow>,
    /// land_persons.csv rows (dates DD.MM.YYYY).
    pub land_persons: Vec<PersonRow>,
    /// company_persons.csv rows (dates DD/MM/YYYY).
    pub company_persons: Vec<PersonRow>,
    /// land_companies.csv rows.
    pub land_companies: Vec<CompanyRow>,
    /// Per title: the owner id to write instead of the world's.
    pub title_owner: Vec<Option<String>>,
    /// Per company_ownership row: the holder id to write instead of the world's.
    pub holder: Vec<Option<String>>,
    /// truth/identities.csv rows: table, record_id, true_entity_id.
    pub identities: Vec<[String; 3]>,
}

/// Date format of land_persons.csv.
pub const LAND_DATE_FORMAT: &str = "%d.%m.%Y";
/// Date format of company_persons.csv.
pub const COMPANY_DATE_FORMAT: &str = "%d/%m/%Y";

fn strip_diacritics(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ë' => 'e',
            'Ë' => 'E',
            'ç' => 'c',
            'Ç' => 'C',
            c => c,
        })
        .collect()
}

/// One keyboard slip inside a word (never the first letter): deletion, doubling, swap of
/// neighbours or substitution.
fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let spots: Vec<usize> =
        (1..c.len().saturating_sub(1)).filter(|&i| c[i].is_alphabetic() && c[i + 1].is_alphabetic()).collect();
    let Some(&i) = rng.pick(&spots) else {
        return s.to_owned();
    };
    match rng.below(4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, c[i]),
        2 => c.swap(i, i + 1),
        _ => {
            let sub = ['a', 'e', 'i', 'o', 'r', 'n', 't', 'l'];
            let r = sub[rng.index(sub.len())];
            c[i] = if c[i].is_uppercase() { r.to_ascii_uppercase() } else { r };
        }
    }
    c.into_iter().collect()
}

fn drop_double(s: &str) -> String {
    for d in ["ll", "rr", "LL", "RR"] {
        if let Some(i) = s.find(d) {
            return format!("{}{}", &s[..i], &s[i + 1..]);
        }
    }
    s.to_owned()
}

fn noisy_name(rng: &mut Rng, r: &Rates, name: &str) -> String {
    let mut n = name.to_owned();
    if rng.chance(r.drop_double) {
        n = drop_double(&n);
    }
    if rng.chance(r.cedilla) {
        n = n.replacen("Sh", "Ş", 1).replacen("sh", "ş", 1);
    }
    if rng.chance(r.typo) {
        n = typo(rng, &n);
    }
    n
}

fn slip(rng: &mut Rng, d: NaiveDate) -> NaiveDate {
    let swapped = NaiveDate::from_ymd_opt(d.year(), d.day(), d.month());
    match swapped {
        Some(s) if s != d && rng.chance(0.5) => s,
        _ => {
            let y = d.year() + if rng.chance(0.5) { 1 } else { -1 };
            NaiveDate::from_ymd_opt(y, d.month(), d.day()).or(NaiveDate::from_ymd_opt(y, d.month(), 28)).unwrap_or(d)
        }
    }
}

fn split_name(full: &str) -> (&str, &str) {
    full.split_once(' ').unwrap_or((full, ""))
}

fn fresh_address(rng: &mut Rng) -> String {
    format!("{}, Nr. {}", rng.pick_str(names::STREETS), rng.range(1, 180))
}

/// The fields of a real person a register copies.
struct Source<'a> {
    name: &'a str,
    birth: NaiveDate,
    nid: &'a str,
    address: &'a str,
    city: &'a str,
}

/// A land-register record of `s`: "HOXHA ARBEN", DD.MM.YYYY, personal number at times.
fn land_record(rng: &mut Rng, r: &Rates, id: String, s: &Source<'_>, nid_rate: f64) -> PersonRow {
    let (first, last) = split_name(s.name);
    let mut name = format!("{} {}", last.to_uppercase(), first.to_uppercase());
    if rng.chance(0.7) {
        name = strip_diacritics(&name);
    }
    let name = noisy_name(rng, r, &name);
    let date = dated(rng, r, s.birth, LAND_DATE_FORMAT);
    let nid = if rng.chance(nid_rate) { s.nid.to_owned() } else { String::new() };
    let address = if rng.chance(r.moved) { fresh_address(rng) } else { s.address.to_owned() };
    [id, name, date, nid, address, s.city.to_uppercase()]
}

/// A company-register record of `s`: "Arben Hoxha", DD/MM/YYYY, personal number usually.
fn company_record(rng: &mut Rng, r: &Rates, id: String, s: &Source<'_>) -> PersonRow {
    let mut name = s.name.to_owned();
    if rng.chance(0.5) {
        name = strip_diacritics(&name);
    }
    let name = noisy_name(rng, r, &name);
    let date = dated(rng, r, s.birth, COMPANY_DATE_FORMAT);
    let nid = if rng.chance(r.company_nid) { s.nid.to_owned() } else { String::new() };
    let address = if rng.chance(r.moved / 2.0) { fresh_address(rng) } else { s.address.to_owned() };
    [id, name, date, nid, address, strip_diacritics(s.city)]
}

fn dated(rng: &mut Rng, r: &Rates, d: NaiveDate, fmt: &str) -> String {
    if rng.chance(r.no_date) {
        return String::new();
    }
    let d = if rng.chance(r.date_slip) { slip(rng, d) } else { d };
    d.format(fmt).to_string()
}

fn female(nid: &str) -> bool {
    nid.get(2..3).is_some_and(|c| c >= "5")
}

/// A new person with `s`'s name but another birth date and personal number.
fn lookalike(rng: &mut Rng, s: &Source<'_>, nids: &mut HashSet<String>) -> (NaiveDate, String) {
    let years = rng.range(3, 25) * if rng.chance(0.5) { 1 } else { -1 };
    let birth = add_days(s.birth, years * 365 + rng.range(10, 300));
    let mut nid = String::new();
    for serial in 0..1000 {
        nid = ids::national_id(birth, female(s.nid), (rng.below(1000) as u32 + serial) % 1000);
        if nids.insert(nid.clone()) {
            break;
        }
    }
    (birth, nid)
}

/// Plans the identity noise of a generated world (see the module documentation).
pub fn plan(seed: u64, level: IdentityNoise, w: &World) -> Plan {
    let r = rates(level);
    let mut rng = Rng::new(seed, 0x1D);
    let np = w.persons.len();
    let mut nids: HashSet<String> = w.persons.iter().map(|p| p.national_id.clone()).collect();
    let mut next_person = np;
    let mut p = Plan { bank_withheld: (0..np).map(|_| rng.chance(r.bank_withheld)).collect(), ..Plan::default() };
    let src = |i: usize| {
        let x = &w.persons[i];
        Source { name: &x.full_name, birth: x.birth, nid: &x.national_id, address: &x.address, city: x.city }
    };
    for i in 0..np {
        p.identities.push(["persons".into(), ids::person_id(i), ids::person_id(i)]);
    }
    // Land register: titles.
    let mut land_of: HashMap<u32, String> = HashMap::new();
    let mut land_co: HashMap<u32, String> = HashMap::new();
    let mut next_company = w.companies.len();
    for t in &w.titles {
        let id = match t.owner {
            Entity::P(o) => {
                let reuse = land_of.get(&o).filter(|_| !rng.chance(r.fresh)).cloned();
                reuse.unwrap_or_else(|| {
                    let id = ids::person_id(next_person);
                    next_person += 1;
                    let row = land_record(&mut rng, &r, id.clone(), &src(o as usize), r.land_nid);
                    p.land_persons.push(row);
                    p.identities.push(["persons".into(), id.clone(), ids::person_id(o as usize)]);
                    land_of.insert(o, id.clone());
                    id
                })
            }
            Entity::C(c) => land_co
                .entry(c)
                .or_insert_with(|| {
                    let id = ids::company_id(next_company);
                    next_company += 1;
                    let co = &w.companies[c as usize];
                    let mut name = strip_diacritics(&co.name.to_uppercase()).replace("SH.P.K.", "SHPK");
                    name = name.replace("SH.A.", "SHA");
                    let nuis = if rng.chance(r.land_nuis) { co.nuis.clone() } else { String::new() };
                    let addr = if rng.chance(0.15) { fresh_address(&mut rng) } else { co.address.clone() };
                    let form = co.legal_form.to_owned();
                    let city = co.city.clone();
                    p.land_companies.push([
                        id.clone(),
                        name,
                        nuis,
                        form,
                        addr,
                        city,
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                    p.identities.push(["companies".into(), id.clone(), ids::company_id(c as usize)]);
                    id
                })
                .clone(),
        };
        p.title_owner.push(Some(id));
    }
    // Company register: person holders.
    let mut reg_of: HashMap<u32, String> = HashMap::new();
    for o in &w.ownership {
        let Entity::P(h) = o.holder else {
            p.holder.push(None);
            continue;
        };
        let reuse = reg_of.get(&h).filter(|_| !rng.chance(r.fresh / 2.0)).cloned();
        let id = reuse.unwrap_or_else(|| {
            let id = ids::person_id(next_person);
            next_person += 1;
            p.company_persons.push(company_record(&mut rng, &r, id.clone(), &src(h as usize)));
            p.identities.push(["persons".into(), id.clone(), ids::person_id(h as usize)]);
            reg_of.insert(h, id.clone());
            id
        });
        p.holder.push(Some(id));
    }
    // Look-alikes, preferably of persons who appear in more than one register.
    let mut pool: Vec<u32> = land_of.keys().chain(reg_of.keys()).copied().collect();
    pool.sort_unstable();
    pool.dedup();
    let n_look = ((np as f64) * r.lookalike).round() as usize;
    for k in 0..n_look {
        let o = if k % 2 == 0 && !pool.is_empty() { pool[rng.index(pool.len())] } else { rng.index(np) as u32 };
        let s = src(o as usize);
        let (birth, nid) = lookalike(&mut rng, &s, &mut nids);
        let id = ids::person_id(next_person);
        next_person += 1;
        let city = CITIES[rng.index(CITIES.len())].name;
        let addr = fresh_address(&mut rng);
        let name = if rng.chance(0.5) { strip_diacritics(s.name) } else { s.name.to_owned() };
        p.lookalikes.push([
            id.clone(),
            name,
            birth.format("%Y-%m-%d").to_string(),
            nid.clone(),
            addr.clone(),
            city.into(),
        ]);
        p.identities.push(["persons".into(), id.clone(), id.clone()]);
        if rng.chance(0.5) {
            let lid = ids::person_id(next_person);
            next_person += 1;
            let ls = Source { name: s.name, birth, nid: &nid, address: &addr, city };
            p.land_persons.push(land_record(&mut rng, &r, lid.clone(), &ls, r.land_nid));
            p.identities.push(["persons".into(), lid, id]);
        }
    }
    for i in 0..w.companies.len() {
        p.identities.push(["companies".into(), ids::company_id(i), ids::company_id(i)]);
    }
    p
}

/// Person records for resolution benchmarks and tests without a whole case: `people` real
/// persons, each with a bank record, 40 % with a land-register record, 15 % with a
/// company-register record, plus look-alikes; dates already parsed (as ingest would).
///
/// # Returns
/// The records (ids `P0000001`...) and, per record, the id of the true entity.
pub fn person_records(seed: u64, people: usize, level: IdentityNoise) -> (Vec<crate::model::Person>, Vec<String>) {
    let r = rates(level);
    let mut w = World::default();
    let mut rng = Rng::new(seed, 0x1E);
    for _ in 0..people {
        w.add_person(&mut rng, Role::Background, (ymd(1945, 1, 1), ymd(2001, 12, 31)), None, None);
    }
    let mut nids: HashSet<String> = w.persons.iter().map(|p| p.national_id.clone()).collect();
    let mut rows: Vec<(PersonRow, String)> = Vec::with_capacity(people * 3 / 2);
    let id = |i: usize| format!("P{:07}", i + 1);
    for x in &w.persons {
        let s = Source { name: &x.full_name, birth: x.birth, nid: &x.national_id, address: &x.address, city: x.city };
        let nid = if rng.chance(r.bank_withheld) { String::new() } else { x.national_id.clone() };
        let truth = id(rows.len());
        let bank = [
            truth.clone(),
            x.full_name.clone(),
            x.birth.format("%Y-%m-%d").to_string(),
            nid,
            x.address.clone(),
            x.city.into(),
        ];
        rows.push((bank, truth.clone()));
        if rng.chance(0.4) {
            let row = land_record(&mut rng, &r, id(rows.len()), &s, r.land_nid);
            rows.push((row, truth.clone()));
        }
        if rng.chance(0.15) {
            let row = company_record(&mut rng, &r, id(rows.len()), &s);
            rows.push((row, truth.clone()));
        }
        if rng.chance(r.lookalike) {
            let (birth, nid) = lookalike(&mut rng, &s, &mut nids);
            let lid = id(rows.len());
            let city = CITIES[rng.index(CITIES.len())].name;
            let row = [
                lid.clone(),
                x.full_name.clone(),
                birth.format("%Y-%m-%d").to_string(),
                nid,
                fresh_address(&mut rng),
                city.into(),
            ];
            rows.push((row, lid));
        }
    }
    let parse = |s: &str| {
        [LAND_DATE_FORMAT, COMPANY_DATE_FORMAT, "%Y-%m-%d"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
            .map(crate::model::Date::from_naive)
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    rows.into_iter()
        .enumerate()
        .map(|(line, (r, truth))| {
            let person = crate::model::Person {
                id: r[0].clone(),
                full_name: r[1].clone(),
                birth_date: parse(&r[2]),
                national_id: opt(&r[3]),
                address: opt(&r[4]),
                city: opt(&r[5]),
                prov: crate::model::Prov { file: 0, line: line as u32 + 2 },
            };
            (person, truth)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_stay_one_slip_away() {
        let mut rng = Rng::new(1, 1);
        for _ in 0..200 {
            let t = typo(&mut rng, "Dervishi");
            assert!(crate::resolve::score::within_one_edit(&t.to_lowercase(), "dervishi"), "{t}");
        }
        assert_eq!(drop_double("Agolli"), "Agoli");
        assert_eq!(strip_diacritics("Arbën Çela"), "Arben Cela");
        assert_eq!("medium".parse::<IdentityNoise>(), Ok(IdentityNoise::Medium));
        assert!("loud".parse::<IdentityNoise>().is_err());
    }

    #[test]
    fn person_records_are_deterministic_with_truth() {
        let (a, ta) = person_records(3, 300, IdentityNoise::Medium);
        let (b, tb) = person_records(3, 300, IdentityNoise::Medium);
        assert_eq!(a.len(), b.len());
        assert_eq!(ta, tb);
        assert!(a.iter().zip(&b).all(|(x, y)| x.full_name == y.full_name && x.birth_date == y.birth_date));
        assert!(a.len() > 400, "{}", a.len());
        assert!(a.iter().any(|p| p.full_name.chars().all(|c| !c.is_lowercase())));
    }
}
