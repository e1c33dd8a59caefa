//! The ownership, company and property detectors (`src/patterns/{round_tripping,
//! property_after_inflow, undervalued_purchase, circular_ownership, nominee_director,
//! shell_company, disproportion}.rs`): against generated ground truth at three seeds, and on
//! tiny hand-written cases that pin each rule.

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, eval, Finding, RunOptions};
use std::collections::BTreeMap;
use std::path::Path;

const TYPOLOGIES: &[&str] = &[
    "round_tripping",
    "property_after_inflow",
    "undervalued_purchase",
    "circular_ownership",
    "nominee_director",
    "shell_company",
    "disproportion",
];

fn opts(typologies: &[&str], threads: usize) -> RunOptions {
    RunOptions { threads, ..RunOptions::parse(Some(typologies), &[]).unwrap() }
}

fn detect(dir: &Path, typologies: &[&str]) -> (Case, Vec<Finding>) {
    let case = load_case(dir, &LoadOptions::default()).unwrap().case;
    let graph = CaseGraph::build(&case);
    let found = patterns::run(&case, &graph, &opts(typologies, 0)).unwrap();
    for f in &found {
        assert!(patterns::undeclared(f).is_empty(), "{}: undeclared {:?}", f.id, patterns::undeclared(f));
    }
    (case, found)
}

/// Recall 1.0 for every ownership and property typology, precision at least the floor measured
/// at 100k transfers (1.0 for every typology at seeds 1-3; 0.857 was the lowest seen at 200k,
/// undervalued_purchase at seed 1: two pre-period purchases valued within a year afterwards).
#[test]
fn generated_cases_every_injected_instance_is_found() {
    const PRECISION_FLOOR: f64 = 0.85;
    for seed in [1, 2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let cfg = moneytrail::generate::GenConfig { seed, transfers: 100_000, ..Default::default() };
        moneytrail::generate::generate(&cfg, dir.path()).unwrap();
        let (case, found) = detect(dir.path(), TYPOLOGIES);
        let mut truth = eval::read_truth(&dir.path().join("truth/patterns.csv"), &case).unwrap();
        truth.retain(|p| TYPOLOGIES.contains(&p.typology.as_str()));
        let ev = eval::evaluate(&found, &truth, 0.8);
        for t in TYPOLOGIES {
            let s = ev.per_typology.get(*t).unwrap_or_else(|| panic!("seed {seed}: no truth or findings for {t}"));
            assert!(s.patterns > 0, "seed {seed}: {t} has no injected pattern");
            assert_eq!(s.recall(), 1.0, "seed {seed}: {t} recall {s:?}");
            assert!(s.precision() >= PRECISION_FLOOR, "seed {seed}: {t} precision {s:?}");
        }
        // Every finding explains itself, cites evidence and is linked to a suspect.
        for f in &found {
            assert!(!f.indicators.is_empty() && !f.entities.is_empty(), "{f:?}");
            assert!(f.suspect.is_some(), "{} has no suspect link", f.id);
        }
    }
}

#[test]
fn parallel_output_equals_sequential_output() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = moneytrail::generate::GenConfig { seed: 7, transfers: 40_000, ..Default::default() };
    moneytrail::generate::generate(&cfg, dir.path()).unwrap();
    let case = load_case(dir.path(), &LoadOptions::default()).unwrap().case;
    let graph = CaseGraph::build(&case);
    let one = patterns::run(&case, &graph, &opts(TYPOLOGIES, 1)).unwrap();
    let two = patterns::run(&case, &graph, &opts(TYPOLOGIES, 2)).unwrap();
    assert!(!one.is_empty());
    assert_eq!(one, two);
}

// ---------------------------------------------------------------- hand-written cases

/// A small case written file by file; `write` adds the headers.
#[derive(Default)]
struct Mini {
    files: BTreeMap<&'static str, Vec<String>>,
}

impl Mini {
    fn add(&mut self, file: &'static str, rows: &[&str]) -> &mut Self {
        self.files.entry(file).or_default().extend(rows.iter().map(|r| r.to_string()));
        self
    }

    fn persons(&mut self, ids: &[&str]) -> &mut Self {
        for id in ids {
            let row = format!("{id},Person {id},1980-01-01,,\"Rruga {id}\",Tiranë");
            self.files.entry("persons.csv").or_default().push(row);
        }
        self
    }

    fn write(&self, dir: &Path) {
        std::fs::write(
            dir.join("case.toml"),
            "name = \"hand-written\"\nbase_currency = \"ALL\"\nvaluation_date = \"2024-12-31\"\n[thresholds]\ncash_report = \"1000000\"\n",
        )
        .unwrap();
        for (table, cols) in moneytrail::model::schema::TABLES {
            let (file, header) = (format!("{table}.csv"), cols.join(","));
            let file = file.as_str();
            let mut text = format!("{header}\n");
            for r in self.files.get(file).map_or(&[][..], |v| v.as_slice()) {
                text.push_str(r);
                text.push('\n');
            }
            std::fs::write(dir.join(file), text).unwrap();
        }
    }

    fn detect(&self, typology: &str) -> (Case, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        self.write(dir.path());
        detect(dir.path(), &[typology])
    }
}

fn ids(case: &Case, f: &Finding) -> (Vec<String>, Vec<String>) {
    let ents = f.entities.iter().map(|&e| case.entity_id(e).to_string()).collect();
    let txns = f.txns.iter().map(|&t| case.transfers.txn_id.get(t.ix()).to_string()).collect();
    (ents, txns)
}

fn has(f: &Finding, indicator: &str) -> bool {
    f.indicators.iter().any(|i| i.name == indicator)
}

#[test]
fn circular_holding_is_found_with_integrated_shares_and_a_closed_cycle_is_flagged() {
    let mut m = Mini::default();
    m.persons(&["P1", "P2", "P3"]).add(
        "companies.csv",
        &[
            "C1,Alfa SH.A.,L1,SH.A.,\"Rruga A 1\",Tiranë,2020-01-01,,3",
            "C2,Beta SH.P.K.,L2,SH.P.K.,\"Rruga B 2\",Tiranë,2020-01-01,,0",
            "C3,Gama SH.P.K.,L3,SH.P.K.,\"Rruga C 3\",Durrës,2020-01-01,,0",
            "C4,Delta SH.P.K.,L4,SH.P.K.,\"Rruga D 4\",Durrës,2020-01-01,,0",
        ],
    );
    // methodology.md#bo-computation style: P1 40 % of C1, C2 25 % of C1, C1 30 % of C2; C3 and C4 own each
    // other entirely (closed), from 2021-03-01; an ended holding is no cycle.
    m.add(
        "company_ownership.csv",
        &[
            "C1,P1,shareholder,0.40,2020-06-01,",
            "C1,C2,shareholder,0.25,2020-06-01,",
            "C1,P2,shareholder,0.35,2020-06-01,",
            "C2,C1,shareholder,0.30,2020-06-01,",
            "C2,P3,shareholder,0.70,2020-06-01,",
            "C3,C4,shareholder,1,2021-03-01,",
            "C4,C3,shareholder,1,2021-03-01,",
        ],
    );
    let (case, found) = m.detect("circular_ownership");
    assert_eq!(found.len(), 2, "{found:?}");
    let open = found.iter().find(|f| ids(&case, f).0.contains(&"C1".to_string())).unwrap();
    let (ents, _) = ids(&case, open);
    for e in ["C1", "C2", "P1", "P2", "P3"] {
        assert!(ents.contains(&e.to_string()), "{ents:?}");
    }
    // P1's integrated share of C1: 0.4 / (1 - 0.25 * 0.3) = 43.2 %.
    assert!(open.explanation().contains("P1 43.2% of C1"), "{}", open.explanation());
    assert!(!has(open, "closed_cycle"));
    let closed = found.iter().find(|f| ids(&case, f).0.contains(&"C3".to_string())).unwrap();
    assert!(has(closed, "closed_cycle") && has(closed, "no_employees"), "{}", closed.explanation());
    assert_eq!(closed.first_at.map(|t| t.date().to_string()).as_deref(), Some("2021-03-01"));
}

#[test]
fn undervalued_purchase_converts_values_at_the_acquisition_date_rate() {
    let mut m = Mini::default();
    m.persons(&["P1", "P2", "P3"]);
    // The lek strengthened: 110 ALL/EUR at the valuation, 100 at the purchases.
    m.add("fx_rates.csv", &["2023-12-01,EUR,110", "2024-02-01,EUR,100"]);
    m.add(
        "properties.csv",
        &[
            // Market EUR 100,000 = ALL 10 m at the purchase date (ALL 11 m at the valuation date).
            "R1,TR-1,apartment,Tiranë,8270,80,100000,50000,EUR,2023-12-01",
            "R2,TR-2,apartment,Tiranë,8270,80,100000,50000,EUR,2023-12-01",
            // Valued three years after the purchase: no comparison.
            "R3,TR-3,apartment,Tiranë,8270,80,100000,50000,EUR,2027-03-01",
        ],
    );
    m.add(
        "property_titles.csv",
        &[
            // 72 % at the purchase-date rate (65 % at the valuation-date rate): not under-valued.
            "R1,P1,1,2024-02-01,7200000,ALL,,",
            // 65 % at the purchase-date rate: under-valued.
            "R2,P2,1,2024-02-01,6500000,ALL,,",
            "R3,P3,1,2024-02-01,5000000,ALL,,",
        ],
    );
    let (case, found) = m.detect("undervalued_purchase");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(ids(&case, f).0, vec!["P2".to_string()]);
    let e = f.explanation();
    assert!(e.contains("65% of the market value 10000000 ALL"), "{e}");
    // One indicator only: the score is capped.
    assert!(f.score <= patterns::SINGLE_INDICATOR_CAP, "{e}");
}

#[test]
fn relatives_purchase_shortly_after_suspect_inflow_is_found_and_an_outsiders_is_not() {
    let mut m = Mini::default();
    m.persons(&["P1", "P2", "P3", "P9"]);
    m.add("relations.csv", &["P1,P2,spouse"]);
    m.add("suspects.csv", &["P1,trafficking,SPAK-1,2022-01-01"]);
    m.add(
        "accounts.csv",
        &[
            "A1,,BKT,P1,2018-01-01,,ALL",
            "A2,,BKT,P2,2018-01-01,,ALL",
            "A3,,BKT,P3,2018-01-01,,ALL",
            "A9,,BKT,P9,2018-01-01,,ALL",
        ],
    );
    m.add(
        "transfers.csv",
        &[
            "T1,2023-03-01 10:00:00,A1,A2,5200000,ALL,wire,Dhuratë,",
            "T2,2023-03-12 10:00:00,A2,A9,5000000,ALL,wire,Pagesë për blerje pasurie,",
            "T3,2023-03-01 10:00:00,A9,A3,5200000,ALL,wire,Dhuratë,",
            "T4,2023-03-12 11:00:00,A3,A9,5000000,ALL,wire,Pagesë për blerje pasurie,",
        ],
    );
    m.add(
        "properties.csv",
        &[
            "R1,TR-1,apartment,Tiranë,1,80,50000000,30000000,ALL,2023-01-01",
            "R2,TR-2,apartment,Tiranë,1,80,5000000,3000000,ALL,2023-01-01",
        ],
    );
    m.add("property_titles.csv", &["R1,P2,1,2023-03-12,5000000,ALL,,T2", "R2,P3,1,2023-03-12,5000000,ALL,,T4"]);
    let (case, found) = m.detect("property_after_inflow");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    let (ents, txns) = ids(&case, f);
    assert_eq!(txns, vec!["T1", "T2"]);
    assert!(ents.contains(&"P1".to_string()) && ents.contains(&"P2".to_string()));
    for i in ["purchase_after_inflows", "inflows_cover_price", "shortly_after", "third_party_title"] {
        assert!(has(f, i), "{i}: {}", f.explanation());
    }
    assert!(f.explanation().contains("spouse of suspect P1"), "{}", f.explanation());
    assert_eq!(f.suspect.map(|l| (case.entity_id(l.suspect).to_string(), l.hops)), Some(("P1".to_string(), 0)));
}

#[test]
fn round_trip_through_owned_and_directed_companies_returns_as_a_loan() {
    let mut m = Mini::default();
    m.persons(&["P1", "P2"]);
    m.add(
        "companies.csv",
        &[
            "C1,Front SH.P.K.,L1,SH.P.K.,\"Rruga A\",Tiranë,2019-01-01,,4",
            "C2,Service SH.P.K.,L2,SH.P.K.,\"Rruga B\",Tiranë,2019-01-01,,1",
        ],
    );
    m.add(
        "company_ownership.csv",
        &["C1,P1,shareholder,1,2019-01-01,", "C2,P2,nominee_shareholder,1,2019-01-01,", "C2,P1,director,,2019-01-01,"],
    );
    m.add("accounts.csv", &["A1,,BKT,P1,2018-01-01,,ALL", "A2,,BKT,C1,2019-01-01,,ALL", "A3,,BKT,C2,2019-01-01,,ALL"]);
    m.add(
        "transfers.csv",
        &[
            "T1,2023-05-01 10:00:00,A1,A2,3000000,ALL,wire,Kontribut kapitali,",
            "T2,2023-05-08 10:00:00,A2,A3,2850000,ALL,wire,Pagesë shërbimi,",
            // Too small to be the same money: ignored.
            "T3,2023-05-10 10:00:00,A3,A1,40000,ALL,wire,Paga,",
            "T4,2023-05-20 10:00:00,A3,A1,2700000,ALL,wire,Hua,",
            // After the 90-day window: no trip.
            "T5,2023-06-01 10:00:00,A1,A2,2000000,ALL,wire,Kontribut kapitali,",
            "T6,2023-09-15 10:00:00,A2,A1,1900000,ALL,wire,Hua,",
        ],
    );
    let (case, found) = m.detect("round_tripping");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(ids(&case, f).1, vec!["T1", "T2", "T4"]);
    for i in ["returns_to_originator", "loan_or_capital_reference", "nominee_in_path", "high_retention"] {
        assert!(has(f, i), "{i}: {}", f.explanation());
    }
}

#[test]
fn nominee_director_needs_ten_concurrent_directorships() {
    let build = |n: usize| {
        let mut m = Mini::default();
        m.persons(&["P1", "P2"]);
        for i in 0..n {
            let c = format!("C{i},Firma {i} SH.P.K.,,SH.P.K.,\"Rruga X 1\",Tiranë,2020-01-01,,0");
            let d = format!("C{i},P1,nominee_director,,2020-02-01,");
            let s = format!("C{i},P2,shareholder,1,2020-02-01,");
            m.files.entry("companies.csv").or_default().push(c);
            m.files.entry("company_ownership.csv").or_default().extend([d, s]);
        }
        m
    };
    let (case, found) = build(10).detect("nominee_director");
    assert_eq!(found.len(), 1);
    let f = &found[0];
    for i in ["many_directorships", "registered_as_nominee", "no_employees", "shared_address", "common_principal"] {
        assert!(has(f, i), "{i}: {}", f.explanation());
    }
    assert_eq!(ids(&case, f).0.len(), 12, "director, principal and ten companies");
    assert!(build(9).detect("nominee_director").1.is_empty());
}

#[test]
fn disproportion_of_the_family_scope_spans_new_year_and_respects_declared_income() {
    let build = |income: &str| {
        let mut m = Mini::default();
        m.persons(&["P1", "P2", "P3"]);
        m.add("relations.csv", &["P1,P2,spouse"]);
        m.add("suspects.csv", &["P1,trafficking,SPAK-1,2022-01-01"]);
        m.add(
            "properties.csv",
            &[
                "R1,TR-1,apartment,Tiranë,1,80,9000000,5000000,ALL,2023-12-01",
                "R2,TR-2,land,Tiranë,1,800,4000000,2000000,ALL,2024-01-01",
            ],
        );
        // The spouse buys in December, the suspect in January; P3 (no relation) buys too.
        m.add(
            "property_titles.csv",
            &[
                "R1,P2,1,2023-12-20,9000000,ALL,,",
                "R2,P1,1,2024-01-10,4000000,ALL,,",
                "R2,P3,1,2020-01-10,1000000,ALL,2024-01-10,",
            ],
        );
        let rows: Vec<String> =
            ["P1,2023", "P2,2023", "P1,2024", "P2,2024"].iter().map(|p| format!("{p},{income},ALL,salary")).collect();
        m.files.entry("income.csv").or_default().extend(rows);
        m
    };
    let (case, found) = build("600000").detect("disproportion");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    let e = f.explanation();
    assert!(e.contains("2023: acquisitions 9000000 ALL") && e.contains("2024: acquisitions 4000000 ALL"), "{e}");
    assert!(has(f, "far_above_income") && has(f, "titled_to_relatives"), "{e}");
    assert!(!ids(&case, f).0.contains(&"P3".to_string()));
    assert!(build("6000000").detect("disproportion").1.is_empty());
}

#[test]
fn shell_company_needs_a_footprint_and_several_marks() {
    let mut m = Mini::default();
    m.persons(&["P1", "P2"]);
    m.add(
        "companies.csv",
        &[
            "C1,Offshore Ltd,,Ltd,\"Via Nassa 21, CH\",Lugano,2018-01-01,,0",
            "C2,Invest SH.P.K.,L2,SH.P.K.,\"Rruga Y 7\",Tiranë,2022-06-01,,0",
            "C3,Dormant A,L3,SH.P.K.,\"Rruga Y 7\",Tiranë,2022-06-01,,0",
            "C4,Dormant B,L4,SH.P.K.,\"Rruga Y 7\",Tiranë,2022-06-01,,0",
            "C5,Bakery SH.P.K.,L5,SH.P.K.,\"Rruga Z 9\",Tiranë,2022-06-01,,0",
        ],
    );
    m.add(
        "company_ownership.csv",
        &[
            "C1,P1,shareholder,1,2018-01-01,",
            "C2,C1,shareholder,0.7,2022-06-01,",
            "C2,P2,nominee_director,,2022-06-01,",
            "C3,P2,nominee_director,,2022-06-01,",
            "C4,P2,nominee_director,,2022-06-01,",
            "C5,P2,shareholder,1,2022-06-01,",
        ],
    );
    m.add("accounts.csv", &["A1,,BKT,P1,2018-01-01,,ALL", "A2,,BKT,C2,2022-06-10,,ALL", "A5,,BKT,C5,2022-06-10,,ALL"]);
    m.add(
        "transfers.csv",
        &[
            "T1,2023-01-10 10:00:00,A1,A2,20000000,ALL,wire,Kontribut kapitali,",
            "T2,2023-01-10 10:00:00,A1,A5,2000000,ALL,wire,Kapital,",
        ],
    );
    let (case, found) = m.detect("shell_company");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    let (ents, txns) = ids(&case, f);
    for e in ["C2", "C1", "P1"] {
        assert!(ents.contains(&e.to_string()), "{ents:?}");
    }
    assert_eq!(txns, vec!["T1"]);
    for i in [
        "no_employees",
        "shared_address",
        "owned_through_chain",
        "foreign_owner",
        "nominee_officers",
        "young_with_large_flows",
    ] {
        assert!(has(f, i), "{i}: {}", f.explanation());
    }
}
