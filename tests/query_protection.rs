//! Issue 14, "Protection before the query, not after": outside the court a query runs on the
//! audience's view of the case, so no function can rebuild a protected identifier. Fifty
//! adversarial queries (substring, split, case changes, date parts and arithmetic,
//! character-by-character rebuilding, list tricks, phone and e-mail columns, the tail of an IBAN,
//! labelled phones, CALL detect, lookups by the real id) in the police audience; every row of
//! every result, as CSV, JSON and table and as evidence diagrams, is scanned for every protected
//! identifier of the case, raw, folded (no diacritics, any case, any punctuation) and
//! HTML-escaped; rows about a protected person are also scanned for the words of their name and
//! the heads and tails of their numbers. Free text (references) carrying a victim's name
//! reordered and in capitals, their phone in another layout and their e-mail is scrubbed, and a
//! namesake differing only in diacritics and word order is withheld.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::query::QuerySession;
use moneytrail::model::Case;
use moneytrail::query::format::{self, Format};
use moneytrail::query::{Budget, QueryResult, Value};
use moneytrail::resolve::normalize::fold;
use moneytrail::victims::protect::{name_orders, ProtectedSet, Protection};
use moneytrail::victims::view::Audience;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const PASSPHRASE: &str = "query protection test passphrase";

/// Folded for scanning: no diacritics, lower case, every run of other characters one space.
fn folded(s: &str) -> String {
    let f = fold(s);
    f.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn phone_of(i: usize) -> (String, String) {
    // Stored with spaces and country code; written elsewhere in the national layout.
    let sub = format!("6{}{:03}{:04}", 7 + i % 3, i % 1000, (i * 37) % 10_000);
    (format!("+355 {} {} {}", &sub[..2], &sub[2..5], &sub[5..]), format!("0{sub}"))
}

fn email_of(name: &str, i: usize) -> String {
    let w: Vec<String> = fold(name).split_whitespace().map(str::to_string).collect();
    format!("{}.{}{}@posta.al", w.first().cloned().unwrap_or_default(), w.last().cloned().unwrap_or_default(), i)
}

/// Rewrites a CSV file with `f` applied to (header, rows).
fn edit_csv(path: &Path, f: impl FnOnce(&mut Vec<String>, &mut Vec<Vec<String>>)) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    f(&mut header, &mut rows);
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

/// Every `YYYY-MM-DD` in the case files other than persons.csv (to keep birth dates apart from
/// other dates, so that a date found in a result can only be a birth date).
fn other_dates(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "csv") || p.file_name().is_some_and(|n| n == "persons.csv") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let b = text.as_bytes();
        for i in 0..b.len().saturating_sub(9) {
            let w = &b[i..i + 10];
            let shape =
                w.iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() });
            if shape {
                out.insert(String::from_utf8(w.to_vec()).unwrap());
            }
        }
    }
    out
}

struct Built {
    dir: std::path::PathBuf,
    victim_id: String,
    namesake_id: String,
}

/// A generated case made hostile: phones and e-mails for every person (and as a labelled Phone
/// table), a second register record of a victim (upper case, words reordered, same national id),
/// a namesake of a protected person differing only in diacritics and word order, and references
/// that carry a victim's name, phone, e-mail, IBAN and national id in other spellings.
fn build(tmp: &Path) -> Built {
    let dir = tmp.join("case");
    generate(&GenConfig { seed: 5, transfers: 20_000, ..GenConfig::default() }, &dir).unwrap();
    let plain = load_case(&dir, &LoadOptions::default()).unwrap().case;
    let victim = plain.persons.rows[plain.victims.rows[0].entity.idx as usize].clone();
    let vacc = plain
        .accounts
        .rows
        .iter()
        .find(|a| a.holder.is_some_and(|h| h.idx == plain.victims.rows[0].entity.idx) && a.iban.is_some())
        .cloned()
        .expect("the victim holds an account with an IBAN");
    // Birth dates apart from every other date of the case and from each other.
    let mut taken = other_dates(&dir);
    let victim_idx = plain.victims.rows[0].entity.idx as usize;
    let (mut vphone, mut vemail, mut vnational) = (String::new(), String::new(), String::new());
    edit_csv(&dir.join("persons.csv"), |h, rows| {
        h.push("phone".into());
        h.push("email".into());
        let bcol = h.iter().position(|c| c == "birth_date").unwrap();
        for (i, r) in rows.iter_mut().enumerate() {
            if let Ok(mut d) = chrono::NaiveDate::parse_from_str(&r[bcol], "%Y-%m-%d") {
                while taken.contains(&d.to_string()) {
                    d = d.succ_opt().unwrap();
                }
                taken.insert(d.to_string());
                r[bcol] = d.to_string();
            }
            let (stored, national) = phone_of(i);
            let email = email_of(&r[1], i);
            if i == victim_idx {
                vphone = national;
                vemail = email.clone();
                vnational = r[3].clone();
            }
            r.push(stored);
            r.push(email);
        }
        // The victim's second record, as another register writes it.
        let v = rows[victim_idx].clone();
        let mut words: Vec<&str> = v[1].split_whitespace().collect();
        words.reverse();
        let twin = vec![
            "LR-VICTIM-1".to_string(),
            words.join(" ").to_uppercase(),
            v[bcol].clone(),
            v[3].clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        rows.push(twin);
        // A namesake: the victim's name without diacritics, words reversed, nothing else shared.
        let namesake = fold(&v[1]).split_whitespace().rev().collect::<Vec<_>>().join(" ");
        rows.push(vec![
            "P-NAMESAKE".into(),
            namesake,
            "1961-01-01".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    });
    // References that carry the victim's identifiers in other spellings.
    let mut words: Vec<&str> = victim.full_name.split_whitespace().collect();
    words.reverse();
    let upper = words.join(" ").to_uppercase();
    let iban_spaced = vacc
        .iban
        .clone()
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>().to_lowercase())
        .collect::<Vec<_>>()
        .join("-");
    let hostile = [
        format!("Pagese nga {upper}, tel. {vphone}"),
        format!("kontakt: {} / {}", vemail.to_uppercase(), vphone.replace('6', "6 ").trim()),
        format!("IBAN {iban_spaced}; NID {}", vnational.to_lowercase()),
        format!("per {}", fold(&victim.full_name)),
    ];
    edit_csv(&dir.join("transfers.csv"), |h, rows| {
        let c = h.iter().position(|x| x == "reference").unwrap();
        for (k, text) in hostile.iter().enumerate() {
            rows[10 + k * 97][c] = text.clone();
        }
    });
    // The phones again as a labelled table, joined to their persons by USES.
    let persons = csv::Reader::from_path(dir.join("persons.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_string(), r[6].to_string()))
        .filter(|(_, ph)| !ph.is_empty())
        .collect::<Vec<_>>();
    let mut nodes = String::from("number,kind\n");
    let mut edges = String::from("person_id,phone\n");
    for (id, ph) in &persons {
        nodes.push_str(&format!("\"{ph}\",mobile\n"));
        edges.push_str(&format!("{id},\"{ph}\"\n"));
    }
    std::fs::write(dir.join("phones.csv"), nodes).unwrap();
    std::fs::write(dir.join("person_phones.csv"), edges).unwrap();
    let mut toml = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    toml.push_str(
        "\n[[labels.nodes]]\nlabel = \"Phone\"\nfile = \"phones.csv\"\nid = \"number\"\n\n[[labels.edges]]\ntype = \"USES\"\n\
         file = \"person_phones.csv\"\nfrom = { label = \"Person\", column = \"person_id\" }\n\
         to = { label = \"Phone\", column = \"phone\" }\n",
    );
    std::fs::write(dir.join("case.toml"), toml).unwrap();
    Built { dir, victim_id: victim.id.clone(), namesake_id: "P-NAMESAKE".into() }
}

/// Every form of every protected identifier, folded (the scan folds the results too), with the
/// HTML-escaped raw forms kept apart for an exact scan.
fn needles(case: &Case, set: &ProtectedSet) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut raw: Vec<String> = Vec::new();
    for &p in set.persons.keys() {
        let r = &case.persons.rows[p as usize];
        raw.push(r.id.clone());
        raw.push(r.full_name.clone());
        raw.extend(name_orders(&r.full_name));
        raw.extend(r.national_id.clone());
        if let Some(b) = r.birth_date {
            raw.push(b.to_string());
            raw.push(b.to_naive().format("%d.%m.%Y").to_string());
            raw.push(b.to_naive().format("%Y%m%d").to_string());
        }
        raw.extend(r.address.clone());
        for c in ["phone", "email"] {
            if let Some(v) = case.persons.extras.get(c, p as usize).filter(|v| !v.is_empty()) {
                raw.push(v.to_string());
                if c == "phone" {
                    let d: String = v.chars().filter(char::is_ascii_digit).collect();
                    raw.push(d.clone());
                    raw.push(format!("0{}", &d[3..]));
                    raw.push(d[3..].to_string());
                }
            }
        }
    }
    for a in set.accounts(case) {
        let acc = &case.accounts.rows[a as usize];
        raw.push(acc.id.clone());
        if let Some(i) = &acc.iban {
            raw.push(i.clone());
            raw.push(i.chars().filter(|c| !c.is_whitespace()).collect());
        }
    }
    let mut f = BTreeSet::new();
    let mut esc = BTreeSet::new();
    for n in raw.into_iter().filter(|n| n.chars().filter(|c| c.is_alphanumeric()).count() >= 3) {
        f.insert(folded(&n));
        let e = n.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        esc.insert(e.replace('\'', "&#39;"));
        esc.insert(e);
    }
    (f, esc)
}

/// Words and number fragments that must not appear in a row about one protected person: the
/// words of their name, and every head and tail of at least 4 characters of their national id,
/// phone digits, e-mail and account ids and IBANs.
fn row_needles(case: &Case, set: &ProtectedSet, p: u32) -> BTreeSet<String> {
    let r = &case.persons.rows[p as usize];
    let mut out: BTreeSet<String> =
        folded(&r.full_name).split(' ').filter(|w| w.len() >= 3).map(str::to_string).collect();
    let mut numbers: Vec<String> = r.national_id.iter().cloned().collect();
    for c in ["phone", "email"] {
        if let Some(v) = case.persons.extras.get(c, p as usize) {
            numbers.push(if c == "phone" { v.chars().filter(char::is_ascii_digit).collect() } else { v.to_string() });
        }
    }
    for a in set.accounts(case) {
        let acc = &case.accounts.rows[a as usize];
        if acc.holder.is_some_and(|h| h.idx == p) {
            numbers.push(acc.id.clone());
            numbers.extend(acc.iban.iter().map(|i| i.chars().filter(|c| !c.is_whitespace()).collect::<String>()));
        }
    }
    // The birth date moved by a day, and as epoch milliseconds.
    if let Some(b) = r.birth_date {
        let d = b.to_naive();
        for x in [d.pred_opt(), d.succ_opt()].into_iter().flatten() {
            out.insert(folded(&x.to_string()));
        }
        out.insert((d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis()).to_string());
    }
    for n in numbers {
        let n = folded(&n).replace(' ', "");
        let chars: Vec<char> = n.chars().collect();
        for k in 4..=chars.len() {
            out.insert(chars[..k].iter().collect());
            out.insert(chars[chars.len() - k..].iter().collect());
        }
    }
    out
}

/// The text of a cell for scanning: its rendering, and for a list also its string elements
/// joined (a name rebuilt letter by letter is a list of letters).
fn cell_texts(v: &Value, view: &Case) -> Vec<String> {
    let mut out = vec![v.render(view)];
    if let Value::List(l) = v {
        let joined: String =
            l.iter().filter_map(|x| if let Value::Str(s) = x { Some(s.to_string()) } else { None }).collect();
        out.push(joined);
        let spaced: Vec<String> =
            l.iter().filter_map(|x| if let Value::Str(s) = x { Some(s.to_string()) } else { None }).collect();
        out.push(spaced.join(" "));
    }
    out
}

const QUERIES: &[&str] = &[
    "MATCH (p:Person) RETURN p.id AS id, p.full_name AS v",
    "MATCH (p:Person) RETURN p.id AS id, split(p.full_name, ' ') AS v",
    "MATCH (p:Person) RETURN p.id AS id, toUpper(p.full_name) AS v",
    "MATCH (p:Person) RETURN p.id AS id, toLower(p.name) AS v",
    "MATCH (p:Person) RETURN p.id AS id, substring(p.full_name, 1) AS v",
    "MATCH (p:Person) RETURN p.id AS id, substring(p.national_id, 1) AS v",
    "MATCH (p:Person) RETURN p.id AS id, substring(p.national_id, 0, 5) AS v",
    "MATCH (p:Person) RETURN p.id AS id, p.birth_date AS v",
    "MATCH (p:Person) RETURN p.id AS id, p.birth_date.year AS y, p.birth_date.month AS m, p.birth_date.day AS d",
    "MATCH (p:Person) RETURN p.id AS id, p.birth_date + duration('P1D') AS v",
    "MATCH (p:Person) RETURN p.id AS id, toString(p.birth_date) AS v",
    "MATCH (p:Person) RETURN p.id AS id, datetime(toString(p.birth_date) + 'T00:00').epochMillis AS v",
    "MATCH (p:Person) RETURN p.id AS id, p.address AS v",
    "MATCH (p:Person) RETURN p.id AS id, replace(p.address, ',', ';') AS v",
    "MATCH (p:Person) RETURN p.id AS id, p.phone AS v",
    "MATCH (p:Person) RETURN p.id AS id, p.email AS v",
    "MATCH (p:Person) RETURN p.id AS id, substring(p.phone, 4) AS v",
    "MATCH (p:Person) RETURN p.id AS id, split(p.email, '@') AS v",
    "MATCH (p:Person) RETURN p.id AS id, replace(replace(p.phone, ' ', ''), '+355', '0') AS v",
    "MATCH (p:Person) RETURN p.id AS id, reduce(s = '', c IN [i IN range(0, size(p.full_name) - 1) | substring(p.full_name, i, 1)] | s + c) AS v",
    "MATCH (p:Person) RETURN p.id AS id, [i IN range(0, size(coalesce(p.national_id, '')) - 1) | substring(p.national_id, i, 1)] AS v",
    "MATCH (p:Person) RETURN collect(p.full_name) AS names",
    "MATCH (p:Person) RETURN p.id AS id, head(split(p.full_name, ' ')) AS v",
    "MATCH (p:Person) RETURN p.id AS id, last(split(p.full_name, ' ')) AS v",
    "MATCH (p:Person) WHERE p.full_name STARTS WITH 'A' RETURN p.id AS id, p.full_name AS v",
    "MATCH (p:Person) RETURN p.id AS id, p",
    "MATCH (p:Person) RETURN p.id AS id, [p.full_name, p.national_id, p.address, p.phone, p.email] AS v",
    "MATCH (p:Person) RETURN p.id AS id, coalesce(p.national_id, p.full_name) AS v",
    "MATCH (p:Person) RETURN p.id AS id, CASE WHEN p.victim THEN p.full_name ELSE 'x' END AS v",
    "MATCH (p:Person) RETURN p.id AS id, id(p) AS v, labels(p) AS l",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, a.iban AS v",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, substring(a.iban, size(a.iban) - 4) AS v",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, substring(a.id, 1) AS v",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, a.holder_name AS v, a.holder_id AS w",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, toLower(a.iban) AS v",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, split(a.iban, '') AS v",
    "MATCH (p:Person)-[h:HOLDS]->(a:Account) RETURN p.id AS id, h, a",
    "MATCH (x)-[t:TRANSFER]->(y) RETURN t.id AS id, t.reference AS v, t.from_id AS f, t.to_id AS g",
    "MATCH (x)-[t:TRANSFER]->(y) RETURN t.id AS id, toUpper(t.reference) AS v",
    "MATCH (x)-[t:TRANSFER]->(y) RETURN t.id AS id, split(t.reference, ' ') AS v",
    "MATCH (p:Person)-[:HOLDS]->(a:Account) MATCH q = (a)-[:TRANSFER*1..2 ASCENDING TIME WITHIN 3 DAYS]->(b) RETURN p.id AS id, q LIMIT 3000",
    "MATCH (p:Person)-[u:USES]->(ph:Phone) RETURN p.id AS id, ph.id AS v, u, ph",
    "MATCH (ph:Phone) RETURN ph.id AS id, substring(ph.id, 3) AS v",
    "CALL detect() YIELD finding_id, explanation, accounts, entities RETURN finding_id, explanation, accounts, entities",
    "MATCH (c:Company) RETURN c.id AS id, c.name AS v, c.address AS w",
    "MATCH (p:Person)-[r:RELATED]->(q) RETURN p.id AS id, q.id AS qid, q.name AS qn, r.kind AS k",
    "MATCH (p:Person) WITH p.full_name AS n RETURN DISTINCT n ORDER BY n",
    "MATCH (p:Person) UNWIND split(p.full_name, ' ') AS w RETURN p.id AS id, w AS v",
    "MATCH (p:Person {id: $victim}) RETURN p.full_name AS name, p.national_id AS nid, p.phone AS phone",
    "MATCH (n) WHERE id(n) = $victim RETURN n, n.id AS id",
    "MATCH (a:Account {id: $account}) RETURN a.iban AS iban, a.holder_name AS holder",
];

/// Whole-token search of many folded needles at once.
struct Scanner {
    ac: aho_corasick::AhoCorasick,
    needles: Vec<String>,
}

impl Scanner {
    fn new(needles: impl IntoIterator<Item = String>) -> Scanner {
        let needles: Vec<String> = needles.into_iter().filter(|n| !n.is_empty()).collect();
        Scanner { ac: aho_corasick::AhoCorasick::new(&needles).unwrap(), needles }
    }

    /// Needles found in `folded_text` as whole tokens (space or the ends around them).
    fn hits(&self, t: &str) -> Vec<String> {
        let b = t.as_bytes();
        self.ac
            .find_overlapping_iter(t)
            .filter(|m| (m.start() == 0 || b[m.start() - 1] == b' ') && (m.end() == b.len() || b[m.end()] == b' '))
            .map(|m| self.needles[m.pattern().as_usize()].clone())
            .collect()
    }
}

/// What a row about one protected person must not hold: their words and number fragments, and
/// their birth date's year, month and day.
type About = (Scanner, Option<(i32, u32, u32)>);

fn scan(
    q: &str,
    r: &QueryResult,
    view: &Case,
    all: &(Scanner, BTreeSet<String>),
    about: &BTreeMap<String, About>,
    found: &mut Vec<String>,
) {
    let mut rendered = Vec::new();
    // CSV and JSON hold every cell in full (the command line's terminal table draws the same
    // rendered cells, cut to the terminal's width).
    for f in [Format::Csv, Format::Json] {
        format::write(view, r, f, &mut rendered).unwrap();
    }
    let graph = moneytrail::graph::CaseGraph::build(view);
    let ev = moneytrail::query::evidence::Evidence::new(view, &graph);
    for row in r.rows.iter().take(100) {
        rendered.extend(ev.dot("q", &r.columns, row).into_bytes());
    }
    let mut texts = vec![String::from_utf8_lossy(&rendered).into_owned()];
    for row in &r.rows {
        for v in row.iter().filter(|v| matches!(v, Value::List(_))) {
            texts.extend(cell_texts(v, view));
        }
    }
    for t in &texts {
        for n in all.0.hits(&folded(t)) {
            found.push(format!("{q}: {n}"));
        }
        for n in &all.1 {
            if t.contains(n.as_str()) {
                found.push(format!("{q}: {n} (escaped)"));
            }
        }
    }
    // Rows about a protected person: keyed by the pseudonym in their first column.
    for row in &r.rows {
        let Some(Value::Str(id)) = row.first() else { continue };
        let Some((words, born)) = about.get(&**id) else { continue };
        // Year, month and day of the birth date as separate numbers.
        if let Some((y, m, d)) = born {
            let nums: Vec<String> = row[1..].iter().map(|v| v.render(view)).collect();
            if [y.to_string(), m.to_string(), d.to_string()].iter().all(|x| nums.contains(x)) {
                found.push(format!("{q}: row of {id}: birth date parts {y} {m} {d}"));
            }
        }
        for v in &row[1..] {
            for t in cell_texts(v, view) {
                let ft = folded(&t);
                for w in words.hits(&ft).into_iter().chain(words.hits(&ft.replace(' ', ""))) {
                    found.push(format!("{q}: row of {id}: {w} in {t}"));
                }
            }
        }
    }
}

#[test]
fn adversarial_queries_in_the_police_audience_rebuild_no_protected_identifier() {
    let tmp = tempfile::tempdir().unwrap();
    let b = build(tmp.path());
    let case = load_case(&b.dir, &LoadOptions::default()).unwrap().case;
    let key = Protection::from_passphrase(PASSPHRASE, &case.meta.name).unwrap();
    let session = QuerySession::new(&b.dir, &case, Audience::Police, Some(&key)).unwrap();
    let set = session.prepared().unwrap().set.clone();
    let idx = |id: &str| case.persons.rows.iter().position(|p| p.id == id).unwrap() as u32;
    assert!(set.contains(idx(&b.victim_id)), "the listed victim is protected");
    assert!(set.contains(idx("LR-VICTIM-1")), "the victim's second record, folded in by resolution, is protected");
    assert!(set.persons.len() >= 5, "several protected persons: {}", set.persons.len());
    let view = session.view();
    // The namesake is not protected, but their name, the victim's up to diacritics and order, is
    // withheld in the view.
    let ns = idx(&b.namesake_id);
    if !set.contains(ns) {
        assert!(view.persons.rows[ns as usize].full_name.starts_with("[name withheld"));
    }
    let (folded_needles, escaped) = needles(&case, &set);
    let all = (Scanner::new(folded_needles), escaped);
    let mut about: BTreeMap<String, About> = BTreeMap::new();
    for &p in set.persons.keys() {
        use chrono::Datelike;
        let r = &case.persons.rows[p as usize];
        let born = r.birth_date.map(|b| b.to_naive()).map(|d| (d.year(), d.month(), d.day()));
        about.insert(key.person(&r.id), (Scanner::new(row_needles(&case, &set, p)), born));
    }
    let vacc = set.accounts(&case)[0];
    let params: HashMap<String, Value> = [
        ("victim".to_string(), Value::str(&b.victim_id)),
        ("account".to_string(), Value::str(&case.accounts.rows[vacc as usize].id)),
    ]
    .into_iter()
    .collect();
    assert!(QUERIES.len() >= 40);
    let mut found = Vec::new();
    let mut rows = 0;
    for q in QUERIES {
        let r = session.run(q, params.clone(), &Budget::default()).unwrap_or_else(|e| panic!("{q}: {}", e.render(q)));
        rows += r.rows.len();
        scan(q, &r, view, &all, &about, &mut found);
    }
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "{} protected identifiers in query results:\n{}",
        found.len(),
        found[..found.len().min(40)].join("\n")
    );
    assert!(rows > 10_000, "the queries returned rows to scan ({rows})");
    // Lookups by the real id of a protected person find nothing: the engine never saw it.
    for q in &QUERIES[QUERIES.len() - 3..] {
        assert!(session.run(q, params.clone(), &Budget::default()).unwrap().rows.is_empty(), "{q}");
    }
    // Free text: the references carrying the victim's identifiers are scrubbed, and read.
    let refs = session
        .run("MATCH ()-[t:TRANSFER]->() WHERE t.reference CONTAINS 'withheld' OR t.reference CONTAINS 'PA-' RETURN t.reference AS r", HashMap::new(), &Budget::default())
        .unwrap();
    let texts: Vec<String> = refs.rows.iter().map(|r| r[0].render(view)).collect();
    for want in ["[protected name]", "[phone withheld]", "[contact withheld]"] {
        assert!(texts.iter().any(|t| t.contains(want)), "{want} in {texts:?}");
    }
}

/// Rows, their order and the values of non-protected data are those of the court's.
#[test]
fn queries_on_the_view_keep_rows_and_order_for_non_protected_data() {
    let tmp = tempfile::tempdir().unwrap();
    let b = build(tmp.path());
    let case = load_case(&b.dir, &LoadOptions::default()).unwrap().case;
    let key = Protection::from_passphrase(PASSPHRASE, &case.meta.name).unwrap();
    let police = QuerySession::new(&b.dir, &case, Audience::Police, Some(&key)).unwrap();
    let court = QuerySession::new(&b.dir, &case, Audience::Court, None).unwrap();
    let set = police.prepared().unwrap().set.clone();
    let protected_ids: BTreeSet<String> = set
        .persons
        .keys()
        .map(|&p| case.persons.rows[p as usize].id.clone())
        .chain(set.accounts(&case).iter().map(|&a| case.accounts.rows[a as usize].id.clone()))
        .collect();
    for q in [
        "MATCH (a:Account)-[t:TRANSFER]->(b:Account) RETURN t.id AS id, a.id AS f, b.id AS g, t.amount AS amt, t.date AS d",
        "MATCH (p:Person)-[:HOLDS]->(a:Account) RETURN p.id AS id, a.id AS acc, a.opened_on AS opened",
        "CALL detect() YIELD finding_id, typology, score, txn_ids RETURN finding_id, typology, score, txn_ids",
        "MATCH q = (a:Account)-[:TRANSFER*2..3 ASCENDING TIME WITHIN 30 DAYS]->(a) RETURN length(q) AS n, [t IN relationships(q) | t.id] AS ts",
    ] {
        let (p, c) = (police.run(q, HashMap::new(), &Budget::default()).unwrap(), court.run(q, HashMap::new(), &Budget::default()).unwrap());
        assert_eq!(p.rows.len(), c.rows.len(), "{q}");
        let mut differ = 0;
        for (rp, rc) in p.rows.iter().zip(&c.rows) {
            let (tp, tc): (Vec<String>, Vec<String>) =
                (rp.iter().map(|v| v.render(police.view())).collect(), rc.iter().map(|v| v.render(&case)).collect());
            if tp != tc {
                differ += 1;
                assert!(tc.iter().any(|t| protected_ids.iter().any(|id| t.contains(id.as_str()))), "{q}: {tp:?} vs {tc:?}");
            }
        }
        assert!(differ < p.rows.len() || p.rows.is_empty(), "{q}: most rows are about non-protected data");
    }
}

/// `ingest` outside the court: rejects and warnings quoting a victim's rows hold none of the
/// victim's identifiers; the court's quote them as read; without the passphrase it refuses.
#[test]
fn ingest_rejects_and_warnings_hold_no_protected_identifier_outside_the_court() {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let dir = tmp.path().join("case");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
    let plain = load_case(&dir, &LoadOptions::default()).unwrap().case;
    let vi = plain.victims.rows[0].entity.idx;
    let v = plain.persons.rows[vi as usize].clone();
    let acc = plain.accounts.rows.iter().find(|a| a.holder.is_some_and(|h| h.idx == vi)).unwrap().clone();
    let append = |file: &str, line: String| {
        let mut t = std::fs::read_to_string(dir.join(file)).unwrap();
        t.push_str(&line);
        std::fs::write(dir.join(file), t).unwrap();
    };
    let upper: String = v.full_name.split_whitespace().rev().collect::<Vec<_>>().join(" ").to_uppercase();
    append("transfers.csv", format!("T-BAD-1,2024-02-01 10:00:00,{},A0000020,12x,ALL,wire,nga {upper},\n", acc.id));
    append("transfers.csv", format!("T-BAD-2,2024-02-31 10:00:00,{},A0000020,100,ALL,wire,,\n", acc.id));
    // A reference past the text limit: rejected, its start quoted.
    let long = format!("nga {upper} {}", "x".repeat(3000));
    append("transfers.csv", format!("T-BAD-3,2024-02-01 10:00:00,{},A0000020,100,ALL,wire,{long},\n", acc.id));
    append(
        "persons.csv",
        format!(
            "{},\"{}\",{},{},\"{}\",\n",
            v.id,
            v.full_name,
            v.birth_date.unwrap(),
            v.national_id.clone().unwrap_or_default(),
            v.address.clone().unwrap_or_default()
        ),
    );
    append(
        "accounts.csv",
        format!("A-VICTIM-2,AL00202011970002000000000099,Raiffeisen Bank,{},2020-01-01,,ALL\n", v.id),
    );
    append("accounts.csv", format!("{},,Raiffeisen Bank,{},2020-01-01,,ALL\n", acc.id, v.id));
    let run = |aud: &str, key: bool| {
        let out = tmp.path().join(format!("ingest-{aud}"));
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail"));
        c.arg("ingest").arg(&dir).arg("--out").arg(&out).args(["--audience", aud]);
        if key {
            c.env("MONEYTRAIL_SEAL_PASSPHRASE", PASSPHRASE);
        } else {
            c.env_remove("MONEYTRAIL_SEAL_PASSPHRASE");
        }
        let o = c.output().unwrap();
        let text = ["rejects.csv", "warnings.csv"]
            .iter()
            .map(|f| std::fs::read_to_string(out.join(f)).unwrap_or_default())
            .chain([String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned()])
            .collect::<Vec<_>>()
            .join("\n");
        (o.status.code(), text)
    };
    let mut forms: Vec<String> = vec![v.id.clone(), v.full_name.clone(), acc.id.clone(), "A-VICTIM-2".into()];
    forms.extend(name_orders(&v.full_name));
    forms.extend(v.national_id.clone());
    forms.extend(v.birth_date.map(|b| b.to_string()));
    forms.extend(v.address.clone());
    forms.push("AL00202011970002000000000099".into());
    let scanner = Scanner::new(forms.iter().map(|f| folded(f)));
    for aud in ["police", "ngo"] {
        let (code, text) = run(aud, true);
        assert_eq!(code, Some(1), "{aud}: rows rejected: {text}");
        for want in ["duplicate id", "duplicate account_id", "12x", "IBAN check digits", "reference has 30"] {
            assert!(text.contains(want), "{aud}: the rejects and warnings are there ({want}): {text}");
        }
        let hits = scanner.hits(&folded(&text));
        assert!(hits.is_empty(), "{aud}: protected identifiers in ingest's report: {hits:?}\n{text}");
    }
    let (code, court) = run("court", false);
    assert_eq!(code, Some(1));
    assert!(!scanner.hits(&folded(&court)).is_empty(), "the court's report quotes the rows: {court}");
    let (code, text) = run("police", false);
    assert_eq!(code, Some(2), "no passphrase, no pseudonyms: refused");
    assert!(text.contains("MONEYTRAIL_SEAL_PASSPHRASE"), "{text}");
}
