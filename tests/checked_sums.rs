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
    // Refused before any sum since the shares are now range-checked first (it was Overflow).
    assert!(matches!(err, AssetsError::ShareOutOfRange { row: 0, .. }), "{err:?}");
    assert!(err.to_string().contains("fractions"), "{err}");
}

/// Statements: entity e1, persons p0..p{n-1}, and one relationship per `(holder, share JSON)`.
fn bods_json(shares: &[String]) -> String {
    let mut s = vec![r#"{"statementId":"e1","recordId":"e1","recordType":"entity","statementDate":"2024-01-01","recordDetails":{"name":"Co"}}"#.to_string()];
    for (i, share) in shares.iter().enumerate() {
        s.push(format!(
            r#"{{"statementId":"p{i}","recordId":"p{i}","recordType":"person","statementDate":"2024-01-01","recordDetails":{{"names":[{{"fullName":"P{i}"}}]}}}}"#
        ));
        s.push(format!(
            r#"{{"statementId":"o{i}","recordId":"o{i}","recordType":"relationship","statementDate":"2024-01-01","recordDetails":{{"subject":"e1","interestedParty":"p{i}","interests":[{{"type":"shareholding","directOrIndirect":"direct","share":{share}}}]}}}}"#
        ));
    }
    format!("[{}]", s.join(",\n"))
}

#[test]
fn bods_check_negative_shares_summed_to_the_decimal_minimum_are_an_error_not_a_panic() {
    // 100 holders of -79228162514264337593543950300 % and one of -3500 %: as fractions they
    // sum (checked, exactly) to Decimal's minimum, and `1 - sum` (the room left for unknown
    // upper bounds) panicked with "Subtraction overflowed". Shares outside [0, 1] are now
    // refused before any arithmetic.
    let mut shares = vec![r#"{"exact":"-79228162514264337593543950300"}"#.to_string(); 100];
    shares.push(r#"{"exact":-3500}"#.to_string());
    let doc = read_bods(&bods_json(&shares)).expect("well-formed BODS");
    let err = std::panic::catch_unwind(|| check_indirect(&doc))
        .unwrap_or_else(|_| panic!("check_indirect panicked"))
        .unwrap_err();
    assert!(matches!(err, AssetsError::ShareOutOfRange { row: 0, .. }), "{err:?}");
}

#[test]
fn bods_read_share_in_scientific_notation_is_read_not_dropped() {
    // serde prints the JSON number 1e-7 as "1e-7", which `Decimal::from_str` refuses: the share
    // was read as "none published" (the holder then counted as an unknown share).
    let doc = read_bods(&bods_json(&[r#"{"exact":1e-7}"#.to_string(), r#"{"exact":2.5E1}"#.to_string()])).unwrap();
    let mins: Vec<Option<Decimal>> = doc.interests.iter().map(|i| i.min).collect();
    assert_eq!(mins, [Some(Decimal::new(1, 9)), Some(Decimal::new(25, 2))]);
    // A share that is not a number is an error naming the relationship, not a silent "none".
    for bad in [r#"{"exact":"abc"}"#, r#"{"exact":"792281625142643375935439503350"}"#, r#"{"minimum":true}"#] {
        let err = read_bods(&bods_json(&[bad.to_string()])).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("relationship o0, interests[0]") && msg.contains("share."), "{bad}: {msg}");
    }
}

#[test]
fn bods_import_share_that_does_not_parse_is_listed_not_read_as_unpublished() {
    // Before, every one of these but the first became a row with share 0 and basis "no lower
    // bound published" (the value silently lost), or a share the case loader then rejected
    // with a message about fractions; 1e-7 % was lost too.
    let dir = tempfile::tempdir().unwrap();
    let shares = [
        r#"{"exact":1e-7}"#,
        r#"{"exact":"99999999999999999999999999999999"}"#,
        r#"{"exact":150}"#,
        r#"{"minimum":"abc","maximum":50}"#,
        r#"{"exact":"-79228162514264337593543950335"}"#,
        r#"{"exact":1e21}"#,
        r#"{"maximum":{"value":5}}"#,
    ]
    .map(String::from);
    let f = dir.path().join("hostile.json");
    std::fs::write(&f, bods_json(&shares)).unwrap();
    let out = dir.path().join("case");
    let opts = moneytrail::ingest::import::ImportOptions::default();
    let s = moneytrail::ingest::import::bods::import_bods(&f, &out, &opts).unwrap();
    assert!(s.reconciles(), "{s:?}");
    assert_eq!((s.parts_read, s.parts_written, s.parts_listed), (7, 1, 6), "{:#?}", s.report);
    let reasons: Vec<(&str, &str)> =
        s.report.iter().filter(|l| !l.part.is_empty()).map(|l| (l.record_id.as_str(), l.reason.as_str())).collect();
    let reason = |id: &str| reasons.iter().find(|r| r.0 == id).map_or("", |r| r.1);
    assert!(reason("o1").contains("not a percentage within the exact decimal range"), "{reasons:?}");
    assert!(reason("o2").contains("share.exact 150 is outside 0 to 100 percent"), "{reasons:?}");
    assert!(reason("o3").contains("share.minimum 'abc'"), "{reasons:?}");
    assert!(reason("o4").contains("outside 0 to 100 percent"), "{reasons:?}");
    assert!(reason("o5").contains("outside 0 to 100 percent"), "{reasons:?}");
    assert!(reason("o6").contains("share.maximum is {\"value\":5}, not a number"), "{reasons:?}");
    let l = load_case(&out, &LoadOptions::default()).unwrap();
    assert_eq!(l.report.rejected(), 0, "{:?}", l.report.rejects);
    assert_eq!(l.case.ownership.rows.len(), 1);
    assert_eq!(l.case.ownership.rows[0].share, Some(Decimal::new(1, 9)));
    assert_eq!(l.case.ownership.extras.get("share_basis", 0), Some("exact"));
}

#[test]
fn ownership_effective_with_a_hostile_closed_tolerance_is_an_error_not_a_panic() {
    // A and B hold 50 % of each other, P the rest of each: a cyclic component. The caller's
    // tolerance went into `1 - tolerance` unchecked ("Subtraction overflowed" for Decimal::MIN).
    use moneytrail::ownership::effective::{effective_ownership, OwnershipInput, OwnershipParams, ShareGraph};
    use moneytrail::ownership::{EntityKind as K, Holding, Role};
    let h = |company, holder, row| Holding {
        company,
        holder,
        role: Role::Shareholder,
        share: Some(Decimal::new(5, 1)),
        from: None,
        to: None,
        row,
    };
    let holdings = [h(1, 2, 1), h(1, 0, 2), h(2, 1, 3), h(2, 0, 4)];
    let input = OwnershipInput { kinds: &[K::Person, K::Company, K::Company], holdings: &holdings, nominees: &[] };
    let ok = effective_ownership(&ShareGraph::build(input, &OwnershipParams::default()).unwrap()).unwrap();
    assert_eq!(ok.share(0, 1).round_dp(20), Decimal::ONE);
    for tolerance in [Decimal::MIN, Decimal::MAX] {
        let params = OwnershipParams { closed_tolerance: tolerance, ..OwnershipParams::default() };
        let g = ShareGraph::build(input, &params).unwrap();
        let r = std::panic::catch_unwind(|| effective_ownership(&g))
            .unwrap_or_else(|_| panic!("effective_ownership panicked at tolerance {tolerance}"));
        assert!(r.is_err(), "tolerance {tolerance}: {r:?}");
    }
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
