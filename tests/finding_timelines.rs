//! investigate's per-finding timelines (issue 6): every transfer of a finding is an arrow on its
//! timeline with its exhibit number, the timeline is linked from the findings table and listed in
//! manifest.json, the bytes repeat, many transfers are capped with a note, and names are escaped.

use moneytrail::evidence::chart::Footer;
use moneytrail::evidence::exhibits::ExhibitCollector;
use moneytrail::evidence::timelines::{cite, targets};
use moneytrail::export::bundle::investigate;
use moneytrail::export::finding_timelines::{path, render, FINDING_TIMELINE_LIMITS};
use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use moneytrail::model::{AccountId, TransferId};
use moneytrail::patterns::{self, RunOptions};
use moneytrail::text::xml::xml;
use std::collections::BTreeMap;

#[test]
fn every_transfer_of_a_finding_is_on_its_timeline_with_its_exhibit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    generate(&GenConfig { seed: 17, transfers: 6_000, ..GenConfig::default() }, &dir).unwrap();
    let case = load_case(&dir, &LoadOptions::default()).unwrap().case;
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let opts = InvestigateOptions {
        graphviz: false,
        finding_diagrams: 2,
        protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
        ..InvestigateOptions::default()
    };
    let ha = investigate(&case, &a, &opts).unwrap().manifest_sha256;
    let hb = investigate(&case, &b, &opts).unwrap().manifest_sha256;
    assert_eq!(ha, hb, "byte-identical bundles");
    let g = CaseGraph::build(&case);
    let findings = patterns::run(&case, &g, &RunOptions::default()).unwrap();
    let chosen = targets(&findings);
    assert!(chosen.len() >= 5, "the generated case gives findings with transfers ({})", chosen.len());
    // Exhibit numbers by (file, line), from the bundle's exhibits.csv.
    let mut exhibit: BTreeMap<(String, u32), String> = BTreeMap::new();
    let mut r = csv::Reader::from_path(a.join("exhibits.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        exhibit.insert((rec[1].to_string(), rec[2].parse().unwrap()), rec[0].to_string());
    }
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    let report = std::fs::read_to_string(a.join("report.html")).unwrap();
    let mut checked = 0;
    for &i in &chosen {
        let f = &findings[i];
        let rel = path(i, f);
        let svg = std::fs::read_to_string(a.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(std::fs::read(b.join(&rel)).unwrap(), svg.as_bytes(), "{rel} repeats");
        assert!(manifest.contains(&format!("\"{rel}\"")), "{rel} in manifest.json");
        assert!(report.contains(&format!("href=\"{rel}\"")), "{rel} linked from report.html");
        if f.txns.len() > FINDING_TIMELINE_LIMITS.max_arrows {
            assert!(svg.contains("smaller transfers"), "{rel}: the cap is noted");
            continue;
        }
        assert_eq!(svg.matches("<g class=\"transfer\">").count(), f.txns.len(), "{rel}: one arrow per transfer");
        for &t in &f.txns {
            let p = case.transfers.prov(t.ix());
            let file = case.file_of(p).unwrap().path.clone();
            let ex = exhibit.get(&(file, p.line)).unwrap_or_else(|| panic!("{rel}: transfer {t:?} has no exhibit"));
            let txn = xml(case.transfers.txn_id.get(t.ix()));
            // The arrow's tooltip names the transfer and its exhibit; the label shows the number.
            let tip = svg
                .split("<title>")
                .find(|s| s.starts_with(&format!("{txn} · ")))
                .unwrap_or_else(|| panic!("{rel}: {txn} missing"));
            let tip = tip.split("</title>").next().unwrap();
            assert!(tip.ends_with(&format!(" · {ex}")), "{rel}: {tip} lacks {ex}");
            assert!(svg.contains(&format!(">{ex}</text>")), "{rel}: label {ex} on the arrow");
        }
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn many_transfers_are_capped_with_a_note_and_names_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("case");
    generate(&GenConfig { seed: 3, transfers: 2_000, ..GenConfig::default() }, &dir).unwrap();
    let mut case = load_case(&dir, &LoadOptions::default()).unwrap().case;
    let g = CaseGraph::build(&case);
    let mut findings = patterns::run(&case, &g, &RunOptions::default()).unwrap();
    let f = &mut findings[0];
    // A finding with every transfer of the case, and a hostile holder name.
    f.txns = (0..case.transfers.len()).map(|i| TransferId::new(i).unwrap()).collect();
    let holder = (0..case.accounts.len())
        .find_map(|a| case.accounts.rows[a].holder.filter(|h| h.kind == moneytrail::model::EntityKind::Person));
    let h = holder.unwrap();
    case.persons.rows[h.idx as usize].full_name = "<script>alert(1)</script>\"];".into();
    let account = AccountId::new(case.accounts.rows.iter().position(|a| a.holder == Some(h)).unwrap()).unwrap();
    f.accounts = vec![account];
    let mut col = ExhibitCollector::default();
    cite(&case, &findings, &[0], &mut col);
    let ex = col.finish(&case);
    let svg = render(&case, &g.flow, 0, &findings[0], &ex, &Footer { lines: vec![] });
    assert_eq!(svg.matches("<g class=\"transfer\">").count(), FINDING_TIMELINE_LIMITS.max_arrows);
    assert!(svg.contains(&format!("{} smaller transfers", case.transfers.len() - FINDING_TIMELINE_LIMITS.max_arrows)));
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(render(&case, &g.flow, 0, &findings[0], &ex, &Footer { lines: vec![] }), svg, "same bytes");
}
