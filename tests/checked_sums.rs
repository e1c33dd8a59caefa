//! Checked money arithmetic past ingest (issue 14, Deliver 1): the asset figures, the ownership
//! arithmetic, the exports and the evidence charts on a case built in memory whose amounts sum
//! past `Decimal`'s exact range (about 7.9e28). Ingest keeps every amount below 10^12
//! (docs/data-model.md, "Amount range"), so these cases are what a library caller or an edited
//! case could hand the engine: each must give a clear error (or a label that says the total is
//! out of range), never a panic or a wrapped figure.

use moneytrail::assets::compensation::{allocate, compensation, CompensationError, CompensationParams};
use moneytrail::assets::confiscable::{confiscable, ConfiscableError, ConfiscableParams};
use moneytrail::evidence::chart::BEYOND_RANGE;
use moneytrail::evidence::charts::{suspect_network, ChartCtx, ChartLimits};
use moneytrail::evidence::exhibits::ExhibitCollector;
use moneytrail::export::graphml::write_graphml;
use moneytrail::graph::FlowGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::{Case, Currency, EntityKind, EntityRef, Money};
use moneytrail::ownership::attribution::{attribute, AssetHolding, Valuation};
use moneytrail::ownership::bods::{check_indirect, read_bods};
use moneytrail::ownership::AssetsError;
use rust_decimal::Decimal;
use std::path::Path;

mod common;
use common::write_case;

/// 5 x 10^28: below `Decimal::MAX` (7.9e28) alone, past it when two are added.
fn near_top() -> Decimal {
    Decimal::from_i128_with_scale(5 * 10i128.pow(28), 0)
}

fn all() -> Currency {
    Currency::parse("ALL").unwrap()
}

/// The suspect PS and his wife PW, two properties (RA held by PS, RP by PW), an account each
/// for PS and a third party PT with two transfers between them, a declared income and a victim.
fn hand_case(dir: &Path) -> Case {
    write_case(
        dir,
        "2024-12-31",
        &[
            (
                "persons.csv",
                &[
                    "PS,Suspect S,1975-01-01,,Rruga 1,Tiranë",
                    "PW,Wife W,1978-01-01,,Rruga 1,Tiranë",
                    "PT,Third T,1980-01-01,,Rruga 9,Vlorë",
                    "PV,Victim V,1999-01-01,,Rruga 5,Shkodër",
                ],
            ),
            (
                "properties.csv",
                &[
                    "RA,TR-1,apartment,Tiranë,1,90,20000000,,ALL,2024-01-01",
                    "RP,TR-2,land,Durrës,2,500,4000000,,ALL,2024-01-01",
                ],
            ),
            ("property_titles.csv", &["RA,PS,1,2020-05-01,15000000,ALL,,", "RP,PW,1,2021-03-01,3500000,ALL,,"]),
            ("relations.csv", &["PS,PW,spouse"]),
            (
                "accounts.csv",
                &["A1,,BKT,PS,2020-01-01,,ALL", "A2,,BKT,PT,2020-01-01,,ALL", "AV,,BKT,PV,2020-01-01,,ALL"],
            ),
            (
                "transfers.csv",
                &[
                    "T0,2024-02-01 10:00:00,AV,A1,500.00,ALL,wire,,",
                    "T1,2024-03-02 12:00:00,A1,A2,100.00,ALL,wire,,",
                    "T2,2024-04-02 12:00:00,A1,A2,200.00,ALL,wire,,",
                ],
            ),
            ("income.csv", &["PS,2023,500.00,ALL,salary", "PS,2024,500.00,ALL,salary"]),
            ("suspects.csv", &["PS,trafficking,SPAK-1,2020-01-01"]),
            ("victims.csv", &["PV,victim statement,no,2024-01-01"]),
        ],
    );
    let loaded = load_case(dir, &LoadOptions::default()).unwrap();
    assert!(loaded.report.reconciles(), "the hand case loads whole");
    loaded.case
}

fn suspect(case: &Case) -> EntityRef {
    case.entity("PS").unwrap()
}

fn assert_clear(msg: &str, what: &str) {
    assert!(msg.contains("amount overflow while"), "{msg}");
    assert!(msg.contains(what), "names what overflowed ({what}): {msg}");
    assert!(msg.contains("docs/data-model.md, \"Amount range\""), "says where the range is: {msg}");
    assert!(msg.contains("moneytrail ingest"), "says what to do: {msg}");
}

#[test]
fn assets_free_property_summed_past_the_range_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = hand_case(dir.path());
    // Each property alone fits; the scope's free property (RA + RP) does not.
    for p in case.properties.rows.iter_mut() {
        p.market_value = Some(Money::new(near_top(), all()));
    }
    let err = confiscable(&case, &[suspect(&case)], &ConfiscableParams::default()).unwrap_err();
    assert!(matches!(err, ConfiscableError::Overflow(_)), "{err:?}");
    assert_clear(&err.to_string(), "summing the free property of the scope");
}

#[test]
fn assets_unexplained_wealth_over_the_years_past_the_range_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = hand_case(dir.path());
    // A lawful income near the top in each of two years: each year fits, their sum does not.
    for inc in case.income.rows.iter_mut() {
        inc.amount = Money::new(near_top(), all());
    }
    let err = confiscable(&case, &[suspect(&case)], &ConfiscableParams::default()).unwrap_err();
    assert_clear(&err.to_string(), "over the years");
}

#[test]
fn assets_value_times_share_and_encumbrances_past_the_range_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = hand_case(dir.path());
    // A market value of Decimal::MAX less an encumbrance of Decimal::MIN: g - enc overflows.
    case.properties.rows[0].market_value = Some(Money::new(Decimal::MAX, all()));
    let mut enc = case.encumbrances.rows.first().cloned();
    if enc.is_none() {
        // The hand case has none: add one by loading a case with a mortgage row.
        let d2 = tempfile::tempdir().unwrap();
        write_case(
            d2.path(),
            "2024-12-31",
            &[
                ("persons.csv", &["PS,Suspect S,1975-01-01,,Rruga 1,Tiranë"]),
                ("companies.csv", &["CB,Bank SH.A.,L2,SH.A.,Rruga 3,Tiranë,1990-01-01,,900"]),
                ("properties.csv", &["RA,TR-1,apartment,Tiranë,1,90,20000000,,ALL,2024-01-01"]),
                ("property_titles.csv", &["RA,PS,1,2020-05-01,15000000,ALL,,"]),
                ("encumbrances.csv", &["RA,CB,5000000,ALL,2020-05-01,"]),
            ],
        );
        enc = load_case(d2.path(), &LoadOptions::default()).unwrap().case.encumbrances.rows.first().cloned();
    }
    let mut enc = enc.unwrap();
    enc.property = 0;
    enc.amount = Money::new(Decimal::MIN, all());
    case.encumbrances.rows.push(enc);
    let err = confiscable(&case, &[suspect(&case)], &ConfiscableParams::default()).unwrap_err();
    assert_clear(&err.to_string(), "property RA");
}

#[test]
fn assets_compensation_fund_past_the_range_is_a_clear_error_and_shares_never_saturate() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = hand_case(dir.path());
    for p in case.properties.rows.iter_mut() {
        p.market_value = Some(Money::new(near_top(), all()));
    }
    let err = compensation(&case, &CompensationParams::default()).unwrap_err();
    assert!(matches!(err, CompensationError::Overflow(_)), "{err:?}");
    assert_clear(&err.to_string(), "free property");
    // The fund sharing in integers: a product past i128 is None, never a saturated share.
    assert_eq!(allocate(i128::MAX / 2, &[i128::MAX / 2, 1], &[i128::MAX, i128::MAX]), None);
}

#[test]
fn ownership_share_products_past_the_range_are_errors_not_panics() {
    // Two asset holdings whose shares (in memory, not through ingest, which keeps [0, 1]) would
    // sum past the range: the attribution refuses the share, names the row.
    let dir = tempfile::tempdir().unwrap();
    let case = hand_case(dir.path());
    let m = moneytrail::assets::valuation::OwnershipModel::build(&case);
    let (g, own) = m.solved().expect("the hand case's register solves");
    let s = m.dense_id(suspect(&case));
    let assets = [
        AssetHolding { asset: 0, holder: s, share: near_top(), row: 7 },
        AssetHolding { asset: 0, holder: s, share: near_top(), row: 8 },
    ];
    let err = attribute(s, &[], g, own, &assets, Valuation::LookThrough).unwrap_err();
    assert!(matches!(err, AssetsError::ShareOutOfRange { row: 7, .. }), "{err:?}");
    assert!(err.to_string().contains("fractions"), "{err}");

    // Through the valuation: a title share past the range is reported on the row, the figures
    // stop with a clear error instead of multiplying it in.
    let mut case = case;
    case.titles.rows[0].share = near_top();
    case.properties.rows[0].market_value = Some(Money::new(near_top(), all()));
    let err = confiscable(&case, &[suspect(&case)], &ConfiscableParams::default()).unwrap_err();
    assert_clear(&err.to_string(), "attributable share of the value of property RA");

    // A hostile BODS file: 120 holders of 7.9e28 % each (7.9e26 as a fraction) of one company:
    // their sum leaves the range (before: "Addition overflowed", a panic).
    let big = "\"79000000000000000000000000000\"";
    let mut statements = vec![r#"{"recordId":"e1","recordType":"entity","recordDetails":{"name":"Co"}}"#.to_string()];
    for i in 0..120 {
        statements.push(format!(
            r#"{{"recordId":"p{i}","recordType":"person","recordDetails":{{"names":[{{"fullName":"P{i}"}}]}}}}"#
        ));
        statements.push(format!(
            r#"{{"recordId":"o{i}","recordType":"relationship","recordDetails":{{"subject":"e1","interestedParty":"p{i}","interests":[{{"type":"shareholding","directOrIndirect":"direct","share":{{"exact":{big}}}}}]}}}}"#
        ));
    }
    let json = format!("[{}]", statements.join(","));
    let doc = read_bods(&json).expect("the statements are well-formed BODS");
    let err = check_indirect(&doc).unwrap_err();
    assert!(matches!(err, AssetsError::Overflow { .. }), "{err:?}");
    assert!(err.to_string().contains("fractions in [0, 1]"), "{err}");
}

#[test]
fn export_graphml_pair_total_past_the_range_is_an_error_naming_the_pair() {
    let dir = tempfile::tempdir().unwrap();
    let case = hand_case(dir.path());
    let mut flow = FlowGraph::build(&case);
    // T1 and T2 are both A1 -> A2: their folded total overflows.
    for i in 0..flow.edge_count() {
        flow.set_base(i, near_top());
    }
    let err = write_graphml(&case, &flow, Vec::new()).unwrap_err();
    assert_clear(&err.to_string(), "summing the transfers from");
    // The ANX chart has no error channel: its label says the total is out of range.
    let anx = moneytrail::export::anx::write_anx(&case, &flow, &Default::default());
    assert!(anx.contains("beyond the exact decimal range"), "ANX says the total is out of range");
}

#[test]
fn evidence_chart_total_past_the_range_is_labelled_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let case = hand_case(dir.path());
    let mut flow = FlowGraph::build(&case);
    for i in 0..flow.edge_count() {
        flow.set_base(i, near_top());
    }
    let cx = ChartCtx::new(&case, &flow);
    let mut col = ExhibitCollector::default();
    let net = suspect_network(&cx, suspect(&case), &[], &ChartLimits::default(), &mut col);
    let labels: Vec<&String> = net.chart.edges.iter().flat_map(|e| e.label.iter()).collect();
    assert!(labels.iter().any(|l| l.contains(BEYOND_RANGE)), "the folded A1 -> A2 edge says so: {labels:?}");
    assert!(case.entity("PS").is_some_and(|e| e.kind == EntityKind::Person));
}
