//! Validity of generated cases: headers, referential integrity, shares, FX coverage, ground truth,
//! IBAN checksums and determinism (mirrors `src/generate`).

use moneytrail::generate::{generate, iban_valid, GenConfig};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

type Rows = Vec<Vec<String>>;

fn read(dir: &Path, name: &str) -> (Vec<String>, Rows) {
    let mut r = csv::Reader::from_path(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let h = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect();
    (h, rows)
}

fn table(dir: &Path, name: &str, header: &[&str]) -> Rows {
    let (h, rows) = read(dir, name);
    assert_eq!(h, header, "header of {name}");
    rows
}

fn gen(seed: u64, n: u64, dir: &Path) {
    let cfg = GenConfig { seed, transfers: n, ..GenConfig::default() };
    generate(&cfg, dir).unwrap();
}

fn check_amount(s: &str, what: &str) {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 2 && int.chars().all(|c| c.is_ascii_digit()), "{what}: bad amount {s}");
    let v: f64 = s.parse().unwrap();
    assert!(v > 0.0, "{what}: amount {s} not > 0");
}

fn check_share(s: &str, what: &str) -> f64 {
    let v: f64 = s.parse().unwrap_or_else(|_| panic!("{what}: share {s}"));
    assert!((0.0..=1.0).contains(&v), "{what}: share {s}");
    assert!(s.split_once('.').is_none_or(|(_, f)| f.len() <= 4), "{what}: share {s}");
    v
}

/// Checks every rule of the case format on a generated case with `n` transfers.
fn validate(dir: &Path, n: usize) {
    let persons =
        table(dir, "persons.csv", &["person_id", "full_name", "birth_date", "national_id", "address", "city"]);
    let companies = table(
        dir,
        "companies.csv",
        &[
            "company_id",
            "name",
            "nuis",
            "legal_form",
            "registered_address",
            "city",
            "incorporated_on",
            "dissolved_on",
            "employees",
        ],
    );
    let pids: HashSet<&str> = persons.iter().map(|r| r[0].as_str()).collect();
    let cids: HashSet<&str> = companies.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(pids.len(), persons.len(), "duplicate person ids");
    assert_eq!(cids.len(), companies.len(), "duplicate company ids");
    let nids: HashSet<&str> = persons.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(nids.len(), persons.len(), "duplicate national ids");
    let entity = |id: &str| pids.contains(id) || cids.contains(id);

    let accounts =
        table(dir, "accounts.csv", &["account_id", "iban", "bank", "holder_id", "opened_on", "closed_on", "currency"]);
    let mut acct: HashMap<&str, (&str, &str, &str)> = HashMap::new();
    let mut ibans = HashSet::new();
    for r in &accounts {
        assert!(iban_valid(&r[1]), "bad IBAN {}", r[1]);
        assert!(ibans.insert(r[1].as_str()), "duplicate IBAN {}", r[1]);
        if r[3].is_empty() {
            assert!(!r[1].starts_with("AL"), "domestic account without holder {}", r[0]);
        } else {
            assert!(entity(&r[3]), "unknown holder {}", r[3]);
        }
        assert!(r[6] == "ALL" || r[6] == "EUR");
        assert!(acct.insert(&r[0], (&r[4], &r[5], &r[6])).is_none(), "duplicate account {}", r[0]);
    }

    let fx = table(dir, "fx_rates.csv", &["date", "currency", "rate"]);
    let fx_dates: HashSet<&str> = fx.iter().map(|r| r[0].as_str()).collect();
    for r in &fx {
        let v: f64 = r[2].parse().unwrap();
        assert!((90.0..150.0).contains(&v), "implausible rate {v}");
    }

    let transfers = table(
        dir,
        "transfers.csv",
        &[
            "txn_id",
            "booked_at",
            "from_account",
            "to_account",
            "amount",
            "currency",
            "channel",
            "reference",
            "branch_city",
        ],
    );
    assert_eq!(transfers.len(), n, "exact transfer count");
    let mut txns = HashSet::new();
    let mut prev = (String::new(), String::new());
    for r in &transfers {
        assert!(txns.insert(r[0].clone()), "duplicate txn {}", r[0]);
        let key = (r[1].clone(), r[0].clone());
        assert!(key > prev, "transfers not sorted at {}", r[0]);
        prev = key;
        assert_eq!(r[1].len(), 19, "datetime {}", r[1]);
        let day = &r[1][..10];
        check_amount(&r[4], &r[0]);
        let (from, to, ch) = (r[2].as_str(), r[3].as_str(), r[6].as_str());
        assert_ne!(from, to, "{}: self transfer", r[0]);
        match ch {
            "cash_deposit" => assert!(from.is_empty() && !to.is_empty() && !r[8].is_empty(), "{}", r[0]),
            "cash_withdrawal" => assert!(to.is_empty() && !from.is_empty() && !r[8].is_empty(), "{}", r[0]),
            "wire" | "card" | "internal" | "remittance" => {
                assert!(!from.is_empty() && !to.is_empty(), "{}", r[0])
            }
            other => panic!("bad channel {other}"),
        }
        for a in [from, to].into_iter().filter(|a| !a.is_empty()) {
            let (open, close, _) = acct.get(a).unwrap_or_else(|| panic!("{}: unknown account {a}", r[0]));
            assert!(*open <= day && (close.is_empty() || day <= *close), "{}: {a} not alive on {day}", r[0]);
        }
        let debited = if from.is_empty() { to } else { from };
        assert_eq!(acct[debited].2, r[5], "{}: currency", r[0]);
        if r[5] == "EUR" {
            assert!(fx_dates.contains(day), "no rate on {day}");
        }
    }

    let props = table(
        dir,
        "properties.csv",
        &[
            "property_id",
            "cadastral_code",
            "kind",
            "city",
            "zone",
            "area_m2",
            "market_value",
            "cadastral_value",
            "value_currency",
            "valued_on",
        ],
    );
    let prop_ids: HashSet<&str> = props.iter().map(|r| r[0].as_str()).collect();
    let codes: HashSet<&str> = props.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(codes.len(), props.len(), "duplicate cadastral codes");
    for r in &props {
        check_amount(&r[6], &r[0]);
        check_amount(&r[7], &r[0]);
        assert!(r[7].parse::<f64>().unwrap() < r[6].parse::<f64>().unwrap(), "cadastral >= market");
        if r[8] == "EUR" {
            assert!(fx_dates.contains(r[9].as_str()));
        }
    }
    let titles = table(
        dir,
        "property_titles.csv",
        &["property_id", "owner_id", "share", "acquired_on", "price", "currency", "disposed_on", "payment_txn_ids"],
    );
    for r in &titles {
        assert!(prop_ids.contains(r[0].as_str()) && entity(&r[1]), "title refs {:?}", r);
        check_share(&r[2], "title");
        if !r[4].is_empty() {
            check_amount(&r[4], "price");
            if r[5] == "EUR" {
                assert!(fx_dates.contains(r[3].as_str()), "no rate for title date {}", r[3]);
            }
        }
        for t in r[7].split(';').filter(|t| !t.is_empty()) {
            assert!(txns.contains(t), "title pays with unknown txn {t}");
        }
    }
    for r in &table(
        dir,
        "encumbrances.csv",
        &["property_id", "creditor_id", "amount", "currency", "registered_on", "released_on"],
    ) {
        assert!(prop_ids.contains(r[0].as_str()) && cids.contains(r[1].as_str()));
        check_amount(&r[2], "encumbrance");
    }
    let own = table(dir, "company_ownership.csv", &["company_id", "holder_id", "role", "share", "from", "to"]);
    let mut by_company: BTreeMap<&str, Vec<(&str, &str, f64)>> = BTreeMap::new();
    for r in &own {
        assert!(cids.contains(r[0].as_str()) && entity(&r[1]), "ownership refs {:?}", r);
        match r[2].as_str() {
            "shareholder" | "nominee_shareholder" => {
                let s = check_share(&r[3], "ownership");
                by_company.entry(&r[0]).or_default().push((&r[4], &r[5], s));
            }
            "director" | "nominee_director" | "administrator" => assert!(r[3].is_empty()),
            other => panic!("bad role {other}"),
        }
    }
    for (c, rows) in &by_company {
        for (d, ..) in rows {
            let sum: f64 = rows.iter().filter(|(f, t, _)| f <= d && (t.is_empty() || d < t)).map(|x| x.2).sum();
            assert!(sum <= 1.0 + 1e-9, "shares of {c} sum to {sum} on {d}");
        }
    }
    for r in &table(dir, "relations.csv", &["person_id", "related_id", "kind"]) {
        assert!(pids.contains(r[0].as_str()) && pids.contains(r[1].as_str()));
        assert!(["spouse", "child", "parent", "sibling", "cohabitant", "associate"].contains(&r[2].as_str()));
    }
    for r in &table(dir, "income.csv", &["entity_id", "year", "amount", "currency", "source"]) {
        assert!(entity(&r[0]));
        check_amount(&r[2], "income");
    }
    let suspects = table(dir, "suspects.csv", &["entity_id", "basis", "case_ref", "since"]);
    assert!(!suspects.is_empty());
    for r in &suspects {
        assert!(entity(&r[0]));
    }

    let roles = table(dir, "truth/roles.csv", &["entity_id", "role", "minor"]);
    assert_eq!(roles.len(), persons.len() + companies.len());
    // Identified victims are true victims with the true minor flag, and only part of them.
    let role: HashMap<&str, (&str, &str)> =
        roles.iter().map(|r| (r[0].as_str(), (r[1].as_str(), r[2].as_str()))).collect();
    let victims = table(dir, "victims.csv", &["entity_id", "basis", "minor", "since"]);
    let all_victims = roles.iter().filter(|r| r[1] == "victim").count();
    assert!(!victims.is_empty() && victims.len() < all_victims, "{} of {all_victims}", victims.len());
    for r in &victims {
        assert_eq!(role.get(r[0].as_str()), Some(&("victim", r[2].as_str())), "victims.csv row {r:?}");
    }
    let patterns = table(dir, "truth/patterns.csv", &["pattern_id", "typology", "txn_ids", "accounts", "entities"]);
    let mut typs = BTreeSet::new();
    for r in &patterns {
        typs.insert(r[1].clone());
        for t in r[2].split(';').filter(|t| !t.is_empty()) {
            assert!(txns.contains(t), "pattern {} names unknown txn {t}", r[0]);
        }
        for a in r[3].split(';').filter(|t| !t.is_empty()) {
            assert!(acct.contains_key(a), "pattern {} names unknown account {a}", r[0]);
        }
        for e in r[4].split(';').filter(|t| !t.is_empty()) {
            assert!(entity(e), "pattern {} names unknown entity {e}", r[0]);
        }
    }
    let all = [
        "fan_in",
        "fan_out",
        "gather_scatter",
        "scatter_gather",
        "cycle",
        "layering_chain",
        "structuring",
        "funnel_account",
        "round_tripping",
        "property_after_inflow",
        "undervalued_purchase",
        "circular_ownership",
        "nominee_director",
        "shell_company",
        "disproportion",
    ];
    for t in all {
        assert!(typs.contains(t), "typology {t} missing");
    }
    assert_eq!(typs.len(), all.len(), "unknown typology in {typs:?}");
    let sus: HashSet<&str> = suspects.iter().map(|r| r[0].as_str()).collect();
    let holdings = table(
        dir,
        "truth/holdings.csv",
        &[
            "suspect_id",
            "asset_id",
            "attributable_share",
            "net_attributable",
            "traced_fifo",
            "traced_libr",
            "traced_pro_rata",
        ],
    );
    assert!(!holdings.is_empty());
    for r in &holdings {
        assert!(sus.contains(r[0].as_str()) && prop_ids.contains(r[1].as_str()));
        check_share(&r[2], "holding");
        // Traced proceeds: cents, never negative, never above the purchase (checked in tests/assets.rs).
        for t in &r[4..7] {
            assert!(t.parse::<f64>().is_ok_and(|x| x >= 0.0), "traced amount {t:?}");
        }
    }
    // Per-victim traced proceeds: every victim in truth (identified or not), known properties,
    // cents (the figures are checked against the engine in tests/compensation.rs).
    let vh = table(
        dir,
        "truth/victim_holdings.csv",
        &["victim_id", "asset_id", "traced_fifo", "traced_libr", "traced_pro_rata"],
    );
    for r in &vh {
        assert_eq!(role.get(r[0].as_str()).map(|x| x.0), Some("victim"), "victim_holdings row {r:?}");
        assert!(prop_ids.contains(r[1].as_str()), "victim_holdings row {r:?}");
        for t in &r[2..5] {
            assert!(t.parse::<f64>().is_ok_and(|x| x >= 0.0), "traced amount {t:?}");
        }
    }
    let toml = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    assert!(toml.contains("cash_report = \"1000000\""), "{toml}");
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["", "truth"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                out.insert(format!("{sub}/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn valid_case_at_2000() {
    let a = tempfile::tempdir().unwrap();
    gen(1, 2000, a.path());
    validate(a.path(), 2000);
}

#[test]
fn smallest_case_holds_every_typology() {
    let a = tempfile::tempdir().unwrap();
    gen(3, 1000, a.path());
    validate(a.path(), 1000);
}

#[test]
fn deterministic_and_seed_dependent() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    gen(1, 2000, a.path());
    gen(1, 2000, b.path());
    gen(2, 2000, c.path());
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert_eq!(fa.len(), 18);
    assert_eq!(fa, fb, "same seed must give the same bytes");
    assert_ne!(fa["/transfers.csv"], fc["/transfers.csv"]);
    assert_ne!(fa["/persons.csv"], fc["/persons.csv"]);
}

#[test]
fn too_few_transfers_is_a_clear_error() {
    let a = tempfile::tempdir().unwrap();
    let cfg = GenConfig { transfers: 10, ..GenConfig::default() };
    let e = generate(&cfg, a.path()).unwrap_err().to_string();
    assert!(e.contains("too small"), "{e}");
}

/// Every ground-truth pattern carries the signature of its typology (docs/methodology.md#typologies).
#[test]
fn patterns_have_their_signature() {
    let dir = tempfile::tempdir().unwrap();
    gen(5, 3000, dir.path());
    let d = dir.path();
    let (_, tr) = read(d, "transfers.csv");
    let tx: HashMap<&str, &Vec<String>> = tr.iter().map(|r| (r[0].as_str(), r)).collect();
    let amt = |t: &str| -> f64 { tx[t][4].parse().unwrap() };
    let (_, props) = read(d, "properties.csv");
    let market: HashMap<&str, f64> = props.iter().map(|r| (r[0].as_str(), r[6].parse().unwrap())).collect();
    let (_, titles) = read(d, "property_titles.csv");
    let (_, own) = read(d, "company_ownership.csv");
    let (_, comps) = read(d, "companies.csv");
    let (_, pats) = read(d, "truth/patterns.csv");
    for p in &pats {
        let ids: Vec<&str> = p[2].split(';').filter(|x| !x.is_empty()).collect();
        let ents: Vec<&str> = p[4].split(';').collect();
        let what = format!("{} {}", p[0], p[1]);
        match p[1].as_str() {
            "structuring" => {
                assert!(ids.len() >= 3, "{what}");
                let cities: HashSet<&str> = ids.iter().map(|t| tx[t][8].as_str()).collect();
                assert_eq!(cities.len(), ids.len(), "{what}: branches");
                for t in &ids {
                    assert_eq!(tx[t][6], "cash_deposit");
                    assert!((800_000.0..1_000_000.0).contains(&amt(t)), "{what}: {t}");
                }
                let days: BTreeSet<&str> = ids.iter().map(|t| &tx[t][1][..10]).collect();
                let (a, b) = (days.first().unwrap(), days.last().unwrap());
                assert!(a[..7] == b[..7] || a[..4] == b[..4], "{what}: window");
            }
            "layering_chain" => {
                assert!(ids.len() >= 3, "{what}");
                for w in ids.windows(2) {
                    assert_eq!(tx[w[0]][3], tx[w[1]][2], "{what}: chain broken");
                    let r = amt(w[1]) / amt(w[0]);
                    assert!((0.89..=0.991).contains(&r), "{what}: ratio {r}");
                }
            }
            "fan_in" => {
                let senders: HashSet<&str> = ids.iter().map(|t| tx[t][2].as_str()).collect();
                let receivers: HashSet<&str> = ids.iter().map(|t| tx[t][3].as_str()).collect();
                assert!(senders.len() >= 5 && receivers.len() == 1, "{what}");
            }
            "fan_out" => {
                let senders: HashSet<&str> = ids.iter().map(|t| tx[t][2].as_str()).collect();
                let receivers: HashSet<&str> = ids.iter().map(|t| tx[t][3].as_str()).collect();
                assert!(receivers.len() >= 5 && senders.len() == 1, "{what}");
            }
            "cycle" | "round_tripping" => {
                let mut v = ids.clone();
                v.sort_by_key(|t| tx[t][1].clone());
                assert_eq!(tx[v[0]][2], tx[v[v.len() - 1]][3], "{what}: not closed");
            }
            "scatter_gather" | "gather_scatter" => assert!(ids.len() >= 6, "{what}"),
            "funnel_account" => {
                let cash_in: Vec<&&str> = ids.iter().filter(|t| tx[**t][6] == "cash_deposit").collect();
                let cities: HashSet<&str> = cash_in.iter().map(|t| tx[**t][8].as_str()).collect();
                assert!(cities.len() >= 3, "{what}");
                let inn: f64 = cash_in.iter().map(|t| amt(t)).sum();
                let out: f64 = ids.iter().filter(|t| tx[**t][6] != "cash_deposit").map(|t| amt(t)).sum();
                assert!(out >= 0.9 * inn && out < inn, "{what}");
            }
            "property_after_inflow" | "undervalued_purchase" | "disproportion" => {
                let pay = *ids.last().unwrap();
                let t = titles.iter().find(|t| t[7].split(';').any(|x| x == pay)).unwrap_or_else(|| panic!("{what}"));
                if p[1] == "undervalued_purchase" {
                    let share: f64 = t[2].parse().unwrap();
                    let price: f64 = t[4].parse().unwrap();
                    assert!(price / share < 0.7 * market[t[0].as_str()], "{what}: not under-valued");
                }
                if p[1] == "property_after_inflow" {
                    assert!(ids.len() >= 2, "{what}");
                }
            }
            "nominee_director" => {
                let n = own.iter().filter(|r| r[1] == ents[0] && r[2] == "nominee_director").count();
                let n2 =
                    ents.iter().filter_map(|e| own.iter().find(|r| r[0] == *e && r[2] == "nominee_director")).count();
                assert!(n >= 10 || n2 >= 10, "{what}: {n} directorships");
            }
            "circular_ownership" => {
                let holds = |a: &str, b: &str| own.iter().any(|r| r[0] == b && r[1] == a && r[2] == "shareholder");
                let cs: Vec<&str> = ents.iter().copied().filter(|e| e.starts_with('C')).collect();
                let found = cs.iter().any(|a| cs.iter().any(|b| a != b && holds(a, b) && holds(b, a)));
                assert!(found, "{what}");
            }
            "shell_company" => {
                let shell = comps.iter().any(|c| ents.contains(&c[0].as_str()) && c[2].is_empty() && c[8] == "0");
                assert!(shell, "{what}: no foreign shell");
            }
            other => panic!("unexpected typology {other}"),
        }
    }
}

/// A custom period (older, shorter) still yields a valid case with rates covering it.
#[test]
fn custom_period() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig {
        seed: 9,
        transfers: 1500,
        start: chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
        end: chrono::NaiveDate::from_ymd_opt(2016, 6, 30).unwrap(),
        ..GenConfig::default()
    };
    let s = generate(&cfg, dir.path()).unwrap();
    assert_eq!(s.rows("transfers"), Some(1500));
    validate(dir.path(), 1500);
    let (_, tr) = read(dir.path(), "transfers.csv");
    assert!(tr.iter().all(|r| ("2015-01-01".."2016-07-01").contains(&&r[1][..10])));
    let (_, fx) = read(dir.path(), "fx_rates.csv");
    let r2015: f64 = fx.iter().find(|r| r[0] == "2015-01-02").unwrap()[2].parse().unwrap();
    assert!((136.0..143.0).contains(&r2015), "{r2015}");
}

/// Holdings multiply shares along the chain boss -> foreign shell (100 %) -> holding (70 %).
#[test]
fn holdings_follow_ownership_chains() {
    let dir = tempfile::tempdir().unwrap();
    gen(1, 2000, dir.path());
    let (_, h) = read(dir.path(), "truth/holdings.csv");
    assert!(h.iter().any(|r| r[2] == "0.7"), "{h:?}");
    assert!(h.iter().all(|r| r[3].parse::<f64>().unwrap() >= 0.0));
}

/// Not a test: `GEN_N=1000000 GEN_OUT=/tmp/case cargo test --test generate -- --ignored big`
/// generates a large case for measurements.
#[test]
#[ignore]
fn big() {
    let n = std::env::var("GEN_N").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let out = std::env::var("GEN_OUT").unwrap_or_else(|_| "/tmp/moneytrail-gen".to_owned());
    std::fs::create_dir_all(&out).unwrap();
    let seed = std::env::var("GEN_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    gen(seed, n, Path::new(&out));
    if std::env::var("GEN_VALIDATE").is_ok() {
        validate(Path::new(&out), n as usize);
    }
}

#[test]
fn a_case_with_heavy_hubs_loads() {
    // The peers benchmark's case (benches/peers): the generator records the non-default density
    // and hub share in case.toml's [generator], which ingest must accept.
    let dir = tempfile::tempdir().unwrap();
    let cfg = GenConfig { seed: 3, transfers: 3000, transfers_per_person: 10, hub_percent: 25, ..GenConfig::default() };
    generate(&cfg, dir.path()).unwrap();
    let toml = std::fs::read_to_string(dir.path().join("case.toml")).unwrap();
    assert!(toml.contains("transfers_per_person = 10") && toml.contains("hub_percent = 25"), "{toml}");
    let loaded = moneytrail::ingest::load_case(dir.path(), &Default::default()).unwrap();
    assert!(loaded.report.reconciles());
    assert!(loaded.case.transfers.len() >= 2900, "{} transfers", loaded.case.transfers.len());
}
