//! Hostile names: a person called `<script>alert(1)</script>`, `=HYPERLINK(...)` or `"];`
//! renders as text in HTML, SVG and DOT and cannot become a formula in CSV.

use moneytrail::export::bundle::investigate;
use moneytrail::export::{dot, ftm, graphml};
use moneytrail::graph::FlowGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use std::path::{Path, PathBuf};

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";
const DOT_BREAK: &str = "\"]; evil [label=\"x";
const SVG_BREAK: &str = "</text></svg><script>alert(2)</script>";

fn hostile_case(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let persons = format!(
        "person_id,full_name,birth_date,national_id,address,city,phone\n\
P1,{},1979-03-12,H90312045A,x,Tiranë,\nP2,{},1985-07-01,I50701033B,x,Tiranë,\nP3,{},1990-11-23,,x,Durrës,\n",
        q(SCRIPT),
        q(FORMULA),
        q(DOT_BREAK)
    );
    std::fs::write(dir.join("persons.csv"), persons).unwrap();
    let companies =
        std::fs::read_to_string(dir.join("companies.csv")).unwrap().replace("Adriatik Ndërtim SH.P.K.", &q(SVG_BREAK));
    std::fs::write(dir.join("companies.csv"), companies).unwrap();
    dir.to_path_buf()
}

fn check_bundle(out: &Path) {
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Exactly one script element: ours.
    assert_eq!(report.matches("<script").count(), 1, "only the report's own script");
    assert!(!report.contains(SCRIPT) && !report.contains("</svg><script"));
    assert!(report.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is shown as text");
    assert!(report.contains("script-src 'sha256-"), "CSP allows only the hashed script");
    for e in std::fs::read_dir(out.join("diagrams")).unwrap().flatten() {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext == "svg" {
            let s = std::fs::read_to_string(&p).unwrap();
            assert!(!s.contains("<script"), "{}", p.display());
        }
        if ext == "dot" {
            let s = std::fs::read_to_string(&p).unwrap();
            let g = graphviz_rust::parse(&s).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            // No node named `evil` was injected: every node id is generated.
            let printed = graphviz_rust::print(g, &mut graphviz_rust::printer::PrinterContext::default());
            assert!(!printed.contains("evil [") && !printed.contains("\nevil"), "{}", p.display());
        }
    }
    for f in ["findings.csv", "exhibits.csv", "assets.csv", "tracing.csv", "entities.csv"] {
        let mut r = csv::Reader::from_path(out.join(f)).unwrap();
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                assert!(!matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'@')), "{f}: formula cell {cell:?}");
            }
        }
    }
    let entities = std::fs::read_to_string(out.join("entities.csv")).unwrap();
    assert!(entities.contains("'=HYPERLINK"), "the formula name is kept as text");
}

#[test]
fn hostile_names_render_as_text_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = hostile_case(&tmp.path().join("case"));
    let loaded = load_case(&dir, &LoadOptions::default()).unwrap();
    assert!(loaded.report.rejects.is_empty(), "{:?}", loaded.report.rejects);
    let case = &loaded.case;
    let mut renderers = vec![false];
    if dot::graphviz_available() {
        renderers.push(true);
    } else {
        println!("Graphviz not installed: Graphviz rendering not checked (apt-get install graphviz)");
    }
    for gv in renderers {
        let out = tmp.path().join(format!("out-{gv}"));
        let opts = InvestigateOptions {
            graphviz: gv,
            protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
            ..InvestigateOptions::default()
        };
        investigate(case, &out, &opts).unwrap();
        check_bundle(&out);
    }
    // Interchange formats escape too.
    let flow = FlowGraph::build(case);
    let mut gml = Vec::new();
    graphml::write_graphml(case, &flow, &mut gml).unwrap();
    let gml = String::from_utf8(gml).unwrap();
    assert!(!gml.contains("<script") && gml.contains("&lt;script&gt;"));
    let mut lines = Vec::new();
    ftm::write_ftm(case, &mut lines).unwrap();
    let text = String::from_utf8(lines).unwrap();
    let names: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["schema"] == "Person")
        .map(|v| v["properties"]["name"][0].as_str().unwrap().to_string())
        .collect();
    assert!(names.iter().any(|n| n == SCRIPT) && names.iter().any(|n| n == DOT_BREAK), "JSON keeps names exactly");
}
