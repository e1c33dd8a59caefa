//! Interchange: GraphML for Gephi/yEd and FollowTheMoney JSON lines for Aleph.

use moneytrail::export::{ftm, graphml};
use moneytrail::graph::FlowGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn graphml_and_ftm_cover_the_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let case = load_case(&dir, &LoadOptions::default()).unwrap().case;
    let flow = FlowGraph::build(&case);
    let mut g = Vec::new();
    graphml::write_graphml(&case, &flow, &mut g).unwrap();
    let g = String::from_utf8(g).unwrap();
    assert!(g.starts_with("<?xml") && g.trim_end().ends_with("</graphml>"));
    let nodes = g.matches("<node ").count();
    assert_eq!(nodes, 3 + 2 + 4 + 1 + case.cities.len() + 1, "persons, companies, accounts, property, cash points");
    assert!(g.contains(r#"source="person:P1" target="account:A1""#));
    let mut out = Vec::new();
    ftm::write_ftm(&case, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["id"].is_string());
        *per.entry(v["schema"].as_str().unwrap().to_string()).or_default() += 1;
    }
    for (schema, n) in [
        ("Person", 3),
        ("Company", 2),
        ("BankAccount", 4),
        ("RealEstate", 1),
        ("Payment", 5),
        ("Family", 1),
        ("Directorship", 1),
    ] {
        assert_eq!(per.get(schema).copied().unwrap_or(0), n, "{schema}");
    }
    // Ownership: 2 shareholdings + 1 title + 3 account holdings.
    assert_eq!(per.get("Ownership").copied(), Some(6));
    assert!(text.contains(r#""transactionNumber":["T3"]"#) && text.contains(r#""recordId":["transfers.csv:4"]"#));
}
