//! Evidence diagrams and bundles: every transfer of a finding is on the chart with its exhibit
//! number, every exhibit resolves to a real row and hash, bundles are byte-reproducible, and
//! `verify` catches a changed byte.

use moneytrail::evidence::chart::Footer;
use moneytrail::evidence::charts::{finding_chart, suspect_network, ChartCtx, ChartLimits};
use moneytrail::evidence::exhibits::{full_list, label, ExhibitCollector};
use moneytrail::export::bundle::investigate;
use moneytrail::export::manifest::{sha256_hex, verify, Problem};
use moneytrail::export::{dot, svg};
use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use moneytrail::model::Case;
use moneytrail::patterns::{self, RunOptions};
use std::collections::BTreeSet;
use std::path::Path;

fn generated(dir: &Path, seed: u64) -> Case {
    let cfg = GenConfig { seed, transfers: 4000, ..GenConfig::default() };
    generate(&cfg, dir).expect("generate");
    let l = load_case(dir, &LoadOptions::default()).expect("load");
    l.case
}

fn line_of(path: &Path, line: u32) -> String {
    let text = std::fs::read_to_string(path).expect("read");
    text.lines().nth(line as usize - 1).unwrap_or("").to_string()
}

#[test]
fn finding_diagrams_show_every_transfer_with_an_exhibit_that_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let case = generated(tmp.path(), 11);
    let g = CaseGraph::build(&case);
    let findings = patterns::run(&case, &g, &RunOptions::default()).unwrap();
    assert!(!findings.is_empty(), "the generated case must give findings");
    let cx = ChartCtx::new(&case, &g.flow);
    let mut col = ExhibitCollector::default();
    let limits = ChartLimits { max_nodes: 12, max_counterparties: 5 };
    let charts: Vec<_> = findings.iter().take(8).map(|f| finding_chart(&cx, f, &limits, &mut col)).collect();
    let ex = col.finish(&case);
    let footer = Footer { lines: vec!["footer line".into()] };
    for (f, chart) in findings.iter().zip(&charts) {
        // Every transfer is on exactly one edge.
        let mut on_edges: Vec<u32> = chart.edges.iter().flat_map(|e| e.txns.iter().copied()).collect();
        on_edges.sort_unstable();
        assert_eq!(on_edges, f.txns.iter().map(|t| t.raw()).collect::<Vec<_>>(), "{}", f.id);
        let dot_src = dot::to_dot(chart, &ex, &footer);
        let svg_src = svg::to_svg(chart, &ex, &footer);
        graphviz_rust::parse(&dot_src).unwrap_or_else(|e| panic!("{}: DOT does not parse: {e}", f.id));
        assert!(dot_src.contains("cluster_legend") && dot_src.contains("footer line"));
        assert!(svg_src.contains("Legend") && svg_src.contains("footer line"));
        for e in chart.edges.iter().filter(|e| !e.txns.is_empty()) {
            let numbers = ex.numbers(&e.provs);
            assert_eq!(numbers.len(), e.txns.len(), "one exhibit per transfer");
            for &t in &e.txns {
                let n = ex.number(case.transfers.prov(t as usize)).expect("transfer cited");
                assert!(numbers.contains(&n));
            }
            // The full list is in the tooltip (DOT) and in the edge title (SVG).
            let list = full_list(&numbers);
            assert!(dot_src.contains(&format!("tooltip=\"{list}\"")), "{list}");
            assert!(svg_src.contains(&format!("<title>{list}</title>")), "{list}");
            if let [one] = numbers[..] {
                assert!(dot_src.contains(&label(one)) && svg_src.contains(&label(one)));
            }
        }
    }
    // The appendix resolves every exhibit to a real line of a real file with its hash.
    assert!(!ex.rows().is_empty());
    for e in ex.rows() {
        let path = tmp.path().join(&e.file);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(sha256_hex(&bytes), e.sha256, "{}", e.file);
        let line = line_of(&path, e.prov.line);
        let id = e.what.rsplit(' ').next().unwrap();
        assert!(line.contains(id), "{} line {}: {line:?} should hold {id}", e.file, e.prov.line);
    }
}

#[test]
fn suspect_networks_keep_register_paths_and_fold_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let case = generated(tmp.path(), 12);
    let g = CaseGraph::build(&case);
    let cx = ChartCtx::new(&case, &g.flow);
    let limits = ChartLimits { max_nodes: 25, max_counterparties: 6 };
    assert!(!case.suspects.is_empty());
    for s in &case.suspects.rows {
        let mut col = ExhibitCollector::default();
        let net = suspect_network(&cx, s.entity, &[], &limits, &mut col);
        let ex = col.finish(&case);
        let c = &net.chart;
        assert!(c.nodes.len() <= limits.max_nodes + 1, "{} nodes", c.nodes.len());
        // All transfers of the cluster's accounts are on the chart, folded.
        let on: BTreeSet<u32> = c.edges.iter().flat_map(|e| e.txns.iter().copied()).collect();
        let want: BTreeSet<u32> = net.txns.iter().copied().collect();
        assert_eq!(on, want);
        // Every edge but inferred ones has an exhibit.
        for e in &c.edges {
            assert!(!ex.numbers(&e.provs).is_empty(), "{:?}", e.label);
        }
        // The suspect is in the cluster.
        assert!(c.nodes.iter().any(|n| n.cluster && n.key.ends_with(case.entity_id(s.entity))));
    }
}

fn bundle(case: &Case, out: &Path, graphviz: bool) -> String {
    let opts = InvestigateOptions {
        graphviz,
        finding_diagrams: 4,
        protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
        ..InvestigateOptions::default()
    };
    investigate(case, out, &opts).expect("investigate").manifest_sha256
}

#[test]
fn investigate_twice_gives_identical_bundles_and_verify_catches_a_changed_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let case_dir = tmp.path().join("case");
    let case = generated(&case_dir, 13);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let graphviz = dot::graphviz_available();
    if !graphviz {
        println!("Graphviz not installed: checking the pure-Rust rendering only (apt-get install graphviz)");
    }
    for gv in [false, graphviz].into_iter().collect::<BTreeSet<_>>() {
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
        let (ha, hb) = (bundle(&case, &a, gv), bundle(&case, &b, gv));
        assert_eq!(ha, hb, "graphviz={gv}");
        assert_eq!(std::fs::read(a.join("manifest.json")).unwrap(), std::fs::read(b.join("manifest.json")).unwrap());
        let r = verify(&a, Some(&case_dir)).unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(r.ok > 5);
        for f in ["report.html", "findings.csv", "exhibits.csv", "assets.csv", "tracing.csv", "entities.csv"] {
            assert!(a.join(f).is_file(), "{f}");
        }
        if gv {
            let pdfs = std::fs::read_dir(a.join("diagrams"))
                .unwrap()
                .flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                .count();
            assert!(pdfs > 0, "Graphviz renders PDFs");
        }
    }
    // Flip one byte of the report.
    let report = a.join("report.html");
    let mut bytes = std::fs::read(&report).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&report, &bytes).unwrap();
    let r = verify(&a, None).unwrap();
    assert_eq!(r.problems.len(), 1);
    assert!(
        matches!(&r.problems[0], Problem::Changed { path, size, expected_size, .. } if path == "report.html" && size == expected_size)
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail")).arg("verify").arg(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("report.html: changed"));
    // A removed file is reported too, and an untouched bundle verifies through the CLI.
    std::fs::remove_file(a.join("findings.csv")).unwrap();
    assert!(verify(&a, None)
        .unwrap()
        .problems
        .iter()
        .any(|p| matches!(p, Problem::Missing { path } if path == "findings.csv")));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail")).arg("verify").arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}
