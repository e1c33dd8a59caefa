//! Transfer-pattern detectors against ground truth (issue 3): on generated cases at three seeds
//! every transfer typology reaches recall >= 0.95 and precision >= 0.90; a run on one thread
//! equals a run on two byte for byte; tiny hand-built cases pin each detector's core rule;
//! the AMLSim samples keep a recall floor (skipped when the external data is absent).

use moneytrail::export::findings::write_csv;
use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, eval, Finding, RunOptions};
use std::path::{Path, PathBuf};

const TRANSFER_TYPOLOGIES: [&str; 8] = [
    "fan_in",
    "fan_out",
    "gather_scatter",
    "scatter_gather",
    "cycle",
    "layering_chain",
    "structuring",
    "funnel_account",
];

fn only(typologies: &[&str]) -> RunOptions {
    RunOptions::parse(Some(typologies), &[]).unwrap()
}

fn load(dir: &Path, mapping: Option<PathBuf>) -> Case {
    load_case(dir, &LoadOptions { mapping }).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).case
}

fn generated(seed: u64, transfers: u64) -> (tempfile::TempDir, Case) {
    let dir = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed, transfers, ..GenConfig::default() }, dir.path()).unwrap();
    let case = load(dir.path(), None);
    (dir, case)
}

#[test]
fn transfer_typologies_meet_targets_at_three_seeds() {
    let mut low = Vec::new();
    for seed in 1..=3 {
        let (dir, case) = generated(seed, 100_000);
        let graph = CaseGraph::build(&case);
        let found = patterns::run(&case, &graph, &only(&TRANSFER_TYPOLOGIES)).unwrap();
        let mut truth = eval::read_truth(&dir.path().join("truth/patterns.csv"), &case).unwrap();
        truth.retain(|p| TRANSFER_TYPOLOGIES.contains(&p.typology.as_str()));
        let ev = eval::evaluate(&found, &truth, 0.8);
        for t in TRANSFER_TYPOLOGIES {
            let s = ev.per_typology.get(t).cloned().unwrap_or_default();
            assert!(s.patterns >= 1, "seed {seed}: no {t} pattern injected");
            assert!(s.recall() >= 0.95, "seed {seed} {t}: recall {:.3} ({s:?})", s.recall());
            // Detection ranks every candidate (issue 21): precision is read at the top of the
            // list, among the typology's first |truth| findings.
            println!(
                "seed {seed} {t}: recall {:.3}, P@|truth| {:.3}, AP {:.3}",
                s.recall(),
                s.precision_at_k(),
                s.average_precision
            );
            if s.precision_at_k() < 0.90 {
                low.push(format!("seed {seed} {t}: precision@k {:.3} ({s:?})", s.precision_at_k()));
            }
        }
        // The account alert score (issue 21) must keep the generator's pattern accounts at the
        // top: measured R@2x 0.95 to 0.98 at seeds 7 to 9 with every typology
        // (docs/evaluation.md); the floor sits below.
        let l = eval::evaluate_labels(
            &eval::account_scores(&case, &found),
            &eval::truth_labels(&truth, case.accounts.len()),
        );
        println!("seed {seed} accounts: R@2x {:.3}, AP {:.3}", l.recall_at_2x(), l.average_precision);
        if l.recall_at_2x() < 0.90 {
            low.push(format!("seed {seed} accounts: R@2x {:.3} ({l:?})", l.recall_at_2x()));
        }
    }
    assert!(low.is_empty(), "{low:#?}");
}

fn csv_bytes(case: &Case, f: &[Finding]) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(case, f, &mut out).unwrap();
    out
}

#[test]
fn one_thread_equals_two_threads() {
    let (_dir, case) = generated(4, 60_000);
    let graph = CaseGraph::build(&case);
    let one = patterns::run(&case, &graph, &RunOptions { threads: 1, ..RunOptions::default() }).unwrap();
    let two = patterns::run(&case, &graph, &RunOptions { threads: 2, ..RunOptions::default() }).unwrap();
    assert!(!one.is_empty());
    assert_eq!(csv_bytes(&case, &one), csv_bytes(&case, &two));
}

// ---- tiny hand-built cases -------------------------------------------------------------

const ACCOUNTS: &str = "account_id,iban,bank,holder_id,opened_on,closed_on,currency
A1,AL47212110090000000235698741,BKT,P1,2018-01-01,,ALL
A2,AL35202111090000000001234567,BKT,P2,2019-05-01,,ALL
A3,,Raiffeisen,C1,2015-03-01,,EUR
A4,IT60X0542811101000000123456,Intesa IT,,2010-01-01,,EUR
A5,,BKT,P3,2022-12-20,,ALL
A6,,BKT,P4,2022-12-21,,ALL
A7,,BKT,P5,2022-12-22,,ALL
A8,,BKT,P6,2022-12-23,,ALL
";

const PERSONS: &str = "person_id,full_name,birth_date,national_id,address,city,phone
P1,Arbën Hoxha,1979-03-12,H90312045A,\"Rruga e Kavajës 12\",Tiranë,
P2,Elira Çela,1985-07-01,I50701033B,\"Rruga e Kavajës 12\",Tiranë,
P3,Dritan Këlliçi,1990-11-23,J01123077C,\"Lagjja 1, Durrës\",Durrës,
P4,Besa Leka,1995-01-02,,\"Rruga 1\",Fier,
P5,Genti Muça,1996-02-03,,\"Rruga 2\",Berat,
P6,Ilir Doda,1997-03-04,,\"Rruga 3\",Korçë,
";

/// The mini fixture with its accounts (and persons, when given) replaced and these transfer
/// rows, each written after a generated txn id `X<n>,`.
fn mini_case(accounts: &str, persons: Option<&str>, rows: &[String]) -> (tempfile::TempDir, Case) {
    let dir = tempfile::tempdir().unwrap();
    let mini = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    for e in std::fs::read_dir(&mini).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    std::fs::write(dir.path().join("accounts.csv"), accounts).unwrap();
    if let Some(p) = persons {
        std::fs::write(dir.path().join("persons.csv"), p).unwrap();
    }
    let mut t =
        String::from("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,branch_city\n");
    for (i, row) in rows.iter().enumerate() {
        t.push_str(&format!("X{i},{row}\n"));
    }
    std::fs::write(dir.path().join("transfers.csv"), t).unwrap();
    let case = load(dir.path(), None);
    (dir, case)
}

/// Accounts B1..=Bn with no holder and no opening date: no context at all.
fn bare_accounts(n: usize) -> String {
    let mut acc = String::from("account_id,iban,bank,holder_id,opened_on,closed_on,currency\n");
    for i in 1..=n {
        acc.push_str(&format!("B{i},,Bank,,,,ALL\n"));
    }
    acc
}

/// The mini fixture with four new personal accounts and the given transfers.
fn tiny(transfers: &[&str]) -> (tempfile::TempDir, Case) {
    let rows: Vec<String> = transfers.iter().map(|r| r.to_string()).collect();
    mini_case(ACCOUNTS, Some(PERSONS), &rows)
}

fn detect(case: &Case, typology: &str, params: &[&str]) -> Vec<Finding> {
    let graph = CaseGraph::build(case);
    let mut opts = only(&[typology]);
    opts.params = params.iter().map(|s| s.parse().unwrap()).collect();
    let found = patterns::run(case, &graph, &opts).unwrap();
    for f in &found {
        assert!(patterns::undeclared(f).is_empty(), "{}: undeclared {:?}", f.id, patterns::undeclared(f));
    }
    found
}

fn txn_ids(case: &Case, f: &Finding) -> Vec<String> {
    f.txns.iter().map(|&t| case.transfers.txn_id.get(t.ix()).to_string()).collect()
}

#[test]
fn cycle_is_time_respecting_and_reported_once() {
    let (_d, case) = tiny(&[
        "2023-02-01 10:00:00,A5,A6,1000000.00,ALL,wire,,",
        "2023-02-03 10:00:00,A6,A7,950000.00,ALL,wire,,",
        "2023-02-05 10:00:00,A7,A5,900000.00,ALL,wire,,",
    ]);
    let f = detect(&case, "cycle", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2"]);
    assert!(f[0].indicators.len() >= 2 && f[0].score >= 50);

    // The closing hop before the middle one: not time-respecting, unless unordered is asked for.
    let (_d, case) = tiny(&[
        "2023-02-01 10:00:00,A5,A6,1000000.00,ALL,wire,,",
        "2023-02-05 10:00:00,A6,A7,950000.00,ALL,wire,,",
        "2023-02-03 10:00:00,A7,A5,900000.00,ALL,wire,,",
    ]);
    assert!(detect(&case, "cycle", &[]).is_empty());
    assert_eq!(detect(&case, "cycle", &["cycle.ordered=false"]).len(), 1);

    // Amount outside the retention band breaks the cycle.
    let (_d, case) = tiny(&[
        "2023-02-01 10:00:00,A5,A6,1000000.00,ALL,wire,,",
        "2023-02-03 10:00:00,A6,A7,500000.00,ALL,wire,,",
        "2023-02-05 10:00:00,A7,A5,480000.00,ALL,wire,,",
    ]);
    assert!(detect(&case, "cycle", &[]).is_empty());
}

#[test]
fn layering_chain_follows_rapid_pass_through() {
    let (_d, case) = tiny(&[
        "2023-03-01 09:00:00,A1,A5,2000000.00,ALL,wire,,",
        "2023-03-01 11:00:00,A5,A6,1900000.00,ALL,wire,,",
        "2023-03-01 14:00:00,A6,A7,1850000.00,ALL,wire,,",
        "2023-03-01 18:00:00,A7,A8,1800000.00,ALL,wire,,",
        // Unrelated: too late to be passed on.
        "2023-03-09 18:00:00,A8,A2,1700000.00,ALL,wire,,",
    ]);
    let f = detect(&case, "layering_chain", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2", "X3"]);
    // The shape earns nothing, as every other shape (docs/ranking.md); what the hops show
    // makes the score: within hours, each at least 90 % of the previous, all first contacts.
    let points: Vec<(&str, u32)> = f[0].indicators.iter().map(|i| (i.name, i.points)).collect();
    assert_eq!(
        points[..4],
        [("pass_through_chain", 0), ("within_hours", 15), ("amount_kept", 15), ("new_relations", 15)],
        "{points:?}"
    );
    // The findings CSV keeps its columns and appends the ranking an analyst reads.
    let text = String::from_utf8(csv_bytes(&case, &f)).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(head[..14], moneytrail::export::findings::COLUMNS[..14]);
    assert_eq!(head[12..], ["explanation", "evidence", "percentile", "account_percentiles"]);
    let row = r.records().next().unwrap().unwrap();
    assert_eq!(&row[14], "50.0", "one candidate sits at the middle");
    let accounts = row[3].split(';').count();
    let pct: Vec<f64> = row[15].split(';').map(|p| p.parse().unwrap()).collect();
    assert_eq!(pct.len(), accounts);
    assert!(pct.iter().all(|p| (0.0..=100.0).contains(p)), "{pct:?}");
    // One hop passing on 86 %: still a chain (85-100 %), but the amount was not kept.
    let (_d, case) = tiny(&[
        "2023-03-01 09:00:00,A1,A5,2000000.00,ALL,wire,,",
        "2023-03-01 11:00:00,A5,A6,1720000.00,ALL,wire,,",
        "2023-03-01 14:00:00,A6,A7,1700000.00,ALL,wire,,",
    ]);
    let f = detect(&case, "layering_chain", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(!f[0].indicators.iter().any(|i| i.name == "amount_kept"), "{:?}", f[0].indicators);
    // Two hops only: not a chain.
    let (_d, case) =
        tiny(&["2023-03-01 09:00:00,A1,A5,2000000.00,ALL,wire,,", "2023-03-01 11:00:00,A5,A6,1900000.00,ALL,wire,,"]);
    assert!(detect(&case, "layering_chain", &[]).is_empty());
}

#[test]
fn a_chain_whose_money_returns_to_its_origin_is_left_to_the_cycle_detector() {
    // Generated seed 64: the first three hops of a cycle, each passed on within 48 h, the
    // money back at the origin eight days later (docs/evaluation.md, "Precision at seeds 61 and 64").
    let with_return = |back: &str| {
        tiny(&[
            "2023-03-01 16:00:00,A1,A5,800000.00,ALL,wire,,",
            "2023-03-03 14:00:00,A5,A6,780000.00,ALL,wire,,",
            "2023-03-05 11:00:00,A6,A7,745000.00,ALL,wire,,",
            back,
        ])
    };
    let (_d, case) = with_return("2023-03-13 17:00:00,A7,A1,685000.00,ALL,wire,,");
    assert!(detect(&case, "layering_chain", &[]).is_empty());
    assert_eq!(detect(&case, "layering_chain", &["layering_chain.defer_cycles=false"]).len(), 1);
    // Closed within 48 h: the return is a hop of the chain itself.
    let (_d, case) = with_return("2023-03-06 09:00:00,A7,A1,700000.00,ALL,wire,,");
    assert!(detect(&case, "layering_chain", &[]).is_empty());
    // A return smaller than 80 % of the last hop, after the 30-day window, or to another
    // account does not close a cycle: the chain is reported.
    for back in [
        "2023-03-13 17:00:00,A7,A1,500000.00,ALL,wire,,",
        "2023-04-05 17:00:00,A7,A1,685000.00,ALL,wire,,",
        "2023-03-13 17:00:00,A7,A2,685000.00,ALL,wire,,",
    ] {
        let (_d, case) = with_return(back);
        let f = detect(&case, "layering_chain", &[]);
        assert_eq!(f.len(), 1, "{back}: {f:?}");
        assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2"]);
    }
    // The cycle entered half-way: the chain's last account paid its first account before the
    // chain began (A7 -> A1 -> A5 -> A6 -> A7), unless the chain's first hop is not that money.
    for (fed, cycle) in [("820000.00", true), ("1200000.00", false)] {
        let (_d, case) = tiny(&[
            "2023-03-01 16:00:00,A1,A5,800000.00,ALL,wire,,",
            "2023-03-03 14:00:00,A5,A6,780000.00,ALL,wire,,",
            "2023-03-05 11:00:00,A6,A7,745000.00,ALL,wire,,",
            &format!("2023-02-22 10:00:00,A7,A1,{fed},ALL,wire,,"),
        ]);
        assert_eq!(detect(&case, "layering_chain", &[]).is_empty(), cycle, "{fed}");
    }
}

#[test]
fn retention_band_edges_are_exact() {
    // 1047375.61 is exactly 85 % of 1232206.60, and 1027630.68 exactly 80 % of 1284538.35; in
    // f64 both products round above the hop's amount, so the float band dropped these hops.
    let chain = |second: &str| {
        tiny(&[
            "2023-03-01 09:00:00,A1,A5,1232206.60,ALL,wire,,",
            &format!("2023-03-01 11:00:00,A5,A6,{second},ALL,wire,,"),
            "2023-03-01 14:00:00,A6,A7,1000000.00,ALL,wire,,",
            "2023-03-01 18:00:00,A7,A8,950000.00,ALL,wire,,",
        ])
    };
    let (_d, case) = chain("1047375.61");
    let f = detect(&case, "layering_chain", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2", "X3"]);
    // One cent below the band edge: the first hop no longer links.
    let (_d, case) = chain("1047375.60");
    let f = detect(&case, "layering_chain", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X1", "X2", "X3"]);

    let cycle = |second: &str| {
        tiny(&[
            "2023-02-01 10:00:00,A5,A6,1284538.35,ALL,wire,,",
            &format!("2023-02-03 10:00:00,A6,A7,{second},ALL,wire,,"),
            "2023-02-05 10:00:00,A7,A5,1000000.00,ALL,wire,,",
        ])
    };
    let (_d, case) = cycle("1027630.68");
    assert_eq!(detect(&case, "cycle", &[]).len(), 1);
    let (_d, case) = cycle("1027630.67");
    assert!(detect(&case, "cycle", &[]).is_empty());
    // Ratio parameters are exact decimals: a band of exactly [0.5, 0.5] still matches.
    let (_d, case) = tiny(&[
        "2023-02-01 10:00:00,A5,A6,1000000.00,ALL,wire,,",
        "2023-02-03 10:00:00,A6,A7,500000.00,ALL,wire,,",
        "2023-02-05 10:00:00,A7,A5,250000.00,ALL,wire,,",
    ]);
    assert_eq!(detect(&case, "cycle", &["cycle.min_retention=0.5", "cycle.max_retention=0.5"]).len(), 1);
}

#[test]
fn structuring_needs_the_band_and_links_family_accounts() {
    // P1 and P2 are spouses in the fixture: deposits into both accounts are linked.
    let (_d, case) = tiny(&[
        "2023-04-01 10:00:00,,A1,950000.00,ALL,cash_deposit,,Durrës",
        "2023-04-03 10:00:00,,A2,960000.00,ALL,cash_deposit,,Vlorë",
        "2023-04-05 10:00:00,,A1,970000.00,ALL,cash_deposit,,Shkodër",
        // Above the threshold: reported anyway by the bank, not structuring.
        "2023-04-06 10:00:00,,A5,1200000.00,ALL,cash_deposit,,Fier",
    ]);
    let f = detect(&case, "structuring", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2"]);
    assert!(f[0].indicators.iter().any(|i| i.name == "linked_accounts"));
    // Two deposits are not enough.
    let (_d, case) = tiny(&[
        "2023-04-01 10:00:00,,A5,950000.00,ALL,cash_deposit,,Durrës",
        "2023-04-03 10:00:00,,A5,960000.00,ALL,cash_deposit,,Vlorë",
    ]);
    assert!(detect(&case, "structuring", &[]).is_empty());
}

#[test]
fn funnel_needs_cities_and_rapid_outflow() {
    let rows = [
        "2023-05-01 10:00:00,,A5,300000.00,ALL,cash_deposit,,Durrës",
        "2023-05-01 15:00:00,,A5,400000.00,ALL,cash_deposit,,Vlorë",
        "2023-05-02 10:00:00,,A5,350000.00,ALL,cash_deposit,,Shkodër",
        "2023-05-03 12:00:00,A5,A4,1000000.00,ALL,remittance,,",
    ];
    let (_d, case) = tiny(&rows);
    let f = detect(&case, "funnel_account", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(txn_ids(&case, &f[0]), ["X0", "X1", "X2", "X3"]);
    // The money stays: no funnel.
    let (_d, case) = tiny(&rows[..3]);
    assert!(detect(&case, "funnel_account", &[]).is_empty());
}

#[test]
fn fan_in_needs_corroboration() {
    // Five people pay a personal account; two of them (P1, P2) share an address.
    // Amounts of different sizes, so near-identical amounts do not corroborate.
    let rows = [
        "2023-06-01 10:00:00,A1,A8,10000.00,ALL,wire,,",
        "2023-06-02 10:00:00,A2,A8,4000.00,ALL,wire,,",
        "2023-06-03 10:00:00,A5,A8,25000.00,ALL,wire,,",
        "2023-06-04 10:00:00,A6,A8,7000.00,ALL,wire,,",
        "2023-06-05 10:00:00,A7,A8,15000.00,ALL,wire,,",
    ];
    let (_d, case) = tiny(&rows);
    let f = detect(&case, "fan_in", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    let names: Vec<&str> = f[0].indicators.iter().map(|i| i.name).collect();
    for n in ["many_senders", "personal_account", "shared_address"] {
        assert!(names.contains(&n), "{names:?}");
    }
    // Without the shared address the count of senders is still a candidate, ranked lower.
    let (_d, case) = tiny(&rows[1..]);
    let bare = detect(&case, "fan_in", &["fan_in.min_senders=4"]);
    assert_eq!(bare.len(), 1);
    assert!(!bare[0].indicators.iter().any(|i| i.name == "shared_address"), "{:?}", bare[0].indicators);
}

#[test]
fn a_gather_scatter_override_reaches_the_fan_in_exclusion() {
    // Five senders pay B6, which scatters 98 % of it to three receivers the next day: a
    // gather-scatter, so fan-in leaves it alone. With gather_scatter.min_receivers=4 the
    // scatter no longer qualifies, for gather-scatter and for fan-in's exclusion alike.
    let mut rows: Vec<String> = ["10000.00", "4000.00", "25000.00", "7000.00", "15000.00"]
        .iter()
        .enumerate()
        .map(|(i, a)| format!("2023-06-0{} 10:00:00,B{},B6,{a},ALL,wire,,", i + 1, i + 1))
        .collect();
    rows.extend((7..=9).map(|r| format!("2023-06-06 10:00:00,B6,B{r},20000.00,ALL,wire,,")));
    let (_d, case) = mini_case(&bare_accounts(9), None, &rows);
    let graph = CaseGraph::build(&case);
    let run = |params: &[&str]| {
        let opts = RunOptions::parse(Some(&["fan_in", "gather_scatter"]), params).unwrap();
        let found = patterns::run(&case, &graph, &opts).unwrap();
        let n = |t: &str| found.iter().filter(|f| f.typology == t).count();
        (n("fan_in"), n("gather_scatter"))
    };
    let (fan_in, _) = run(&[]);
    assert_eq!(fan_in, 0, "the gather-scatter hub is not a fan-in");
    let (fan_in, gather_scatter) = run(&["gather_scatter.min_receivers=4"]);
    assert_eq!((fan_in, gather_scatter), (1, 0));
    // Fan-in alone uses gather-scatter's defaults, as before.
    assert!(detect(&case, "fan_in", &[]).is_empty());
}

#[test]
fn without_context_every_candidate_is_ranked_and_transfer_evidence_lifts_it() {
    // Accounts with no holders and no opening dates, no cash rows: only transfer-only
    // indicators can be evaluated. Nothing is gated away: the score ranks (issue 21).
    let bare = |amounts: [&str; 5]| {
        let rows: Vec<String> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| format!("2023-06-0{} 10:00:00,B{},B6,{a},ALL,wire,,", i + 1, i + 1))
            .collect();
        mini_case(&bare_accounts(6), None, &rows)
    };
    // Five near-identical payments: the fan-in with transfer evidence, saying what it could
    // not evaluate.
    let (_d, case) = bare(["10000.00", "10500.00", "9800.00", "10100.00", "9900.00"]);
    let f = detect(&case, "fan_in", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    let names: Vec<&str> = f[0].indicators.iter().map(|i| i.name).collect();
    assert!(names.starts_with(&["many_senders"]) && names.contains(&"similar_amounts"), "{names:?}");
    assert!(
        f[0].explanation().contains("not evaluable here: account holders, opening dates"),
        "{}",
        f[0].explanation()
    );
    let similar = f[0].score;
    // The bare shape (amounts unalike) is still a candidate, ranked lower.
    let (_d, case) = bare(["10000.00", "4000.00", "25000.00", "7000.00", "15000.00"]);
    let g = detect(&case, "fan_in", &[]);
    assert_eq!(g.len(), 1, "{g:?}");
    assert!(g[0].score < similar, "{} vs {similar}", g[0].score);
    assert!(!g[0].indicators.iter().any(|i| i.name == "similar_amounts"));
}

#[test]
fn a_cycle_is_a_candidate_whatever_its_amounts_and_a_shrinking_margin_adds_evidence() {
    // No holders, no opening dates, no cash: nothing but the transfers can corroborate.
    // Amounts below the reporting threshold, hops days apart (no rapid hops).
    let case_of = |rows: &[(&str, &str, &str, &str)]| {
        let rows: Vec<String> =
            rows.iter().map(|(at, from, to, amount)| format!("{at},{from},{to},{amount},ALL,wire,,")).collect();
        mini_case(&bare_accounts(5), None, &rows)
    };
    let names = |f: &Finding| f.indicators.iter().map(|i| i.name).collect::<Vec<_>>();
    let (_d, case) = case_of(&[
        ("2023-02-01 10:00:00", "B1", "B2", "500000.00"),
        ("2023-02-05 10:00:00", "B2", "B3", "470000.00"),
        ("2023-02-09 10:00:00", "B3", "B1", "440000.00"),
    ]);
    let f = detect(&case, "cycle", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(names(&f[0]).contains(&"margin_per_hop"), "{:?}", names(&f[0]));
    let e = f[0].explanation();
    assert!(e.contains("not evaluable here: account holders, opening dates"), "{e}");
    let shrinking = f[0].score;
    // Amounts that do not shrink (AMLSim draws hop amounts at random): still found, without
    // the margin indicator, so ranked lower.
    let (_d, case) = case_of(&[
        ("2023-02-01 10:00:00", "B1", "B2", "500000.00"),
        ("2023-02-05 10:00:00", "B2", "B3", "470000.00"),
        ("2023-02-09 10:00:00", "B3", "B1", "480000.00"),
    ]);
    let f = detect(&case, "cycle", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(!names(&f[0]).contains(&"margin_per_hop"));
    assert!(f[0].score < shrinking, "{} vs {shrinking}", f[0].score);
    // A two-hop return is a candidate too (a refund looks the same: low rank, no margin).
    let (_d, case) =
        case_of(&[("2023-02-01 10:00:00", "B1", "B2", "500000.00"), ("2023-02-05 10:00:00", "B2", "B1", "470000.00")]);
    let f = detect(&case, "cycle", &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(!names(&f[0]).contains(&"margin_per_hop"));
    // A hop outside the search band (a 40 % cut) breaks the cycle.
    let (_d, case) = case_of(&[
        ("2023-02-01 10:00:00", "B1", "B2", "500000.00"),
        ("2023-02-05 10:00:00", "B2", "B3", "300000.00"),
        ("2023-02-09 10:00:00", "B3", "B1", "290000.00"),
    ]);
    assert!(detect(&case, "cycle", &[]).is_empty());
}

// ---- AMLSim (third-party data, not tuned on) ------------------------------------------

fn amlsim(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/external/amlsim-ibm-samples").join(name);
    if dir.join("transactions.csv").exists() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn amlsim_ranking_floor() {
    // AMLSim has no holders, cash, addresses or opening dates: with defaults every structural
    // candidate is a ranked finding and the accounts are ranked by their alert score
    // (eval::account_scores: best finding's evidence plus the ledger's split payments and
    // atypical amounts, measured R@2x 0.686 to 0.729). Floors sit below the measured figures
    // (docs/evaluation.md) so they test behaviour, not exact tuning; the base rate is the
    // labelled share (954 of 20,000 on fanin200); a random order has R@2x = 2 x that share.
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/mappings/amlsim-20k.toml");
    for (sample, floor) in [("20K_fanin200", 0.6), ("20K_cycle200", 0.6), ("20K_fanin200cycle200", 0.6)] {
        let Some(dir) = amlsim(sample) else { continue };
        let case = load(&dir, Some(mapping.clone()));
        let graph = CaseGraph::build(&case);
        let found = patterns::run(&case, &graph, &RunOptions::default()).unwrap();
        let labels: Vec<bool> =
            (0..case.accounts.len()).map(|i| case.accounts.extras.get("isFraud", i) == Some("1")).collect();
        let l = eval::evaluate_labels(&eval::account_scores(&case, &found), &labels);
        println!(
            "AMLSim {sample}: {} findings, labelled {}, R@2x {:.3}, P@2x {:.3}, AP {:.3}",
            found.len(),
            l.labelled,
            l.recall_at_2x(),
            l.precision_at_2x(),
            l.average_precision
        );
        // Better than chance at the top of the list (a random order takes 2 x labelled share).
        let chance = 2.0 * l.labelled as f64 / l.accounts as f64;
        assert!(l.recall_at_2x() >= floor && l.recall_at_2x() > chance, "{sample}: {l:?}");
        // Nothing is hidden: almost every labelled account is in some candidate.
        assert!(l.recall_flagged() >= 0.95, "{sample}: {l:?}");
    }
}
