//! Exports analysts' tools read (issue 17): the bundle's workbook.xlsx read back with calamine
//! has the same rows as the CSV files; case.graphml loads in networkx with numeric amounts and
//! roles; hostile names stay inert in both.

use calamine::{Data, Reader, Xlsx};
use moneytrail::export::bundle::investigate;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";
const XML_BREAK: &str = "\"/><node id=\"evil\"/><x a=\"";

fn bundle(case_dir: &Path, out: &Path) {
    let loaded = load_case(case_dir, &LoadOptions::default()).unwrap();
    investigate(
        &loaded.case,
        out,
        &InvestigateOptions {
            graphviz: false,
            protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
            ..InvestigateOptions::default()
        },
    )
    .unwrap();
}

fn demo_bundle(name: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&out);
    bundle(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &out);
    out
}

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
        q(XML_BREAK)
    );
    std::fs::write(dir.join("persons.csv"), persons).unwrap();
    dir.to_path_buf()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// Every sheet equals its CSV: same header, same number of rows, same cells (numbers compared
/// as numbers); the findings sheet has the report's F-numbers in front.
fn check_workbook(out: &Path) {
    let mut wb: Xlsx<_> = calamine::open_workbook(out.join("workbook.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), vec!["findings", "exhibits", "tracing", "assets"]);
    for sheet in ["findings", "exhibits", "tracing", "assets"] {
        let range = wb.worksheet_range(sheet).unwrap();
        let mut csv = csv::ReaderBuilder::new().has_headers(false).from_path(out.join(format!("{sheet}.csv"))).unwrap();
        let csv_rows: Vec<Vec<String>> =
            csv.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(cell_text).collect()).collect();
        assert_eq!(rows.len(), csv_rows.len(), "{sheet}: rows");
        assert!(rows.len() > 1 || sheet == "assets", "{sheet} has data rows");
        let skip = usize::from(sheet == "findings");
        for (k, (x, c)) in rows.iter().zip(&csv_rows).enumerate() {
            if skip == 1 {
                let want = if k == 0 { "number".to_string() } else { format!("F-{k:03}") };
                assert_eq!(x[0], want, "{sheet} row {k}");
            }
            let x = &x[skip..];
            for (i, want) in c.iter().enumerate() {
                let got = x.get(i).map(String::as_str).unwrap_or("");
                let same = got == want
                    || matches!((got.parse::<f64>(), want.parse::<f64>()), (Ok(a), Ok(b)) if (a - b).abs() < 1e-6);
                assert!(same, "{sheet} row {k} col {i}: xlsx {got:?} vs csv {want:?}");
                assert!(!matches!(got.as_bytes().first(), Some(b'=' | b'+' | b'@')), "{sheet}: formula cell {got:?}");
            }
        }
    }
    // No formula anywhere in the package.
    let bytes = std::fs::read(out.join("workbook.xlsx")).unwrap();
    let mut zip = zip_entries(&bytes);
    zip.retain(|(n, _)| n.starts_with("xl/worksheets/"));
    for (n, x) in zip {
        assert!(!x.contains("<f>") && !x.contains("<f "), "{n} holds a formula");
    }
}

/// Names and texts of the zip's entries, through calamine's own zip dependency being
/// unavailable here: the worksheets are read back by unzipping with `unzip -p` when present.
fn zip_entries(bytes: &[u8]) -> Vec<(String, String)> {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("w.xlsx");
    std::fs::write(&p, bytes).unwrap();
    let Ok(list) = Command::new("unzip").arg("-Z1").arg(&p).output() else {
        println!("NOTE: unzip not installed; formula scan of the package skipped (calamine checked the cells)");
        return Vec::new();
    };
    String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|n| {
            let o = Command::new("unzip").arg("-p").arg(&p).arg(n).output().unwrap();
            (n.to_string(), String::from_utf8_lossy(&o.stdout).into_owned())
        })
        .collect()
}

fn python_networkx() -> bool {
    Command::new("python3").args(["-c", "import networkx"]).output().map(|o| o.status.success()).unwrap_or(false)
}

/// Loads case.graphml with networkx and prints what the test asserts on.
const NX: &str = r#"
import sys, json, networkx as nx
g = nx.read_graphml(sys.argv[1])
roles = sorted({d.get("role") for _, d in g.nodes(data=True)})
amounts = [d["total_base"] for _, _, d in g.edges(data=True) if d.get("kind") == "transfer"]
typed = all(isinstance(a, float) for a in amounts)
counts = all(isinstance(d["count"], int) for _, _, d in g.edges(data=True))
with_findings = sum(1 for _, _, d in g.edges(data=True) if d.get("findings"))
labels = [d.get("label", "") for _, d in g.nodes(data=True)]
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "roles": roles,
  "transfer_edges": len(amounts), "amounts_float": typed, "counts_int": counts, "sum": sum(amounts),
  "with_findings": with_findings, "labels": labels, "ids": list(g.nodes())}))
"#;

fn networkx(path: &Path) -> Option<serde_json::Value> {
    if !python_networkx() {
        println!("SKIPPED networkx check: python3 with networkx not installed (pip install networkx)");
        return None;
    }
    let o = Command::new("python3").args(["-c", NX]).arg(path).output().unwrap();
    assert!(o.status.success(), "networkx failed: {}", String::from_utf8_lossy(&o.stderr));
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

#[test]
fn workbook_matches_the_csvs_and_graphml_loads_in_networkx() {
    let out = demo_bundle("exports_demo");
    check_workbook(&out);
    let g = std::fs::read_to_string(out.join("case.graphml")).unwrap();
    assert!(g.contains(r#"attr.name="total_base" attr.type="double""#));
    if let Some(v) = networkx(&out.join("case.graphml")) {
        assert_eq!(v["amounts_float"], true, "{v}");
        assert_eq!(v["counts_int"], true);
        assert!(v["transfer_edges"].as_u64().unwrap() > 10);
        assert!(v["sum"].as_f64().unwrap() > 0.0);
        assert!(v["with_findings"].as_u64().unwrap() > 0, "finding ids on edges");
        let roles: Vec<&str> = v["roles"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
        for want in ["suspect", "victim", "company", "account"] {
            assert!(roles.contains(&want), "role {want} in {roles:?}");
        }
    }
}

#[test]
fn hostile_names_inert_in_workbook_and_graphml() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = hostile_case(&tmp.path().join("case"));
    let out = tmp.path().join("bundle");
    bundle(&dir, &out);
    check_workbook(&out);
    let g = std::fs::read_to_string(out.join("case.graphml")).unwrap();
    assert!(!g.contains("<node id=\"evil\""), "no node injected");
    assert!(!g.contains(SCRIPT));
    if let Some(v) = networkx(&out.join("case.graphml")) {
        let labels: Vec<&str> = v["labels"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
        assert!(labels.contains(&SCRIPT), "the name is kept as text: {labels:?}");
        assert!(labels.contains(&XML_BREAK));
        assert!(!v["ids"].as_array().unwrap().iter().any(|i| i == "evil"));
    }
}

/// Parses case.anx with Python's XML parser and checks the structure i2 imports: entity ids
/// unique, every link's ends exist, every attribute's class is declared (Amount numeric),
/// every item carries a provenance card.
const ANX: &str = r#"
import sys, json, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "Chart", root.tag
classes = {a.get("Name"): a.get("Type") for a in root.iter("AttributeClass")}
ents = [e.get("EntityId") for e in root.iter("Entity")]
assert len(ents) == len(set(ents)), "duplicate EntityId"
ids = set(ents)
bad_links = [(l.get("End1Id"), l.get("End2Id")) for l in root.iter("Link") if l.get("End1Id") not in ids or l.get("End2Id") not in ids]
amounts = []
for a in root.iter("Attribute"):
    assert a.get("AttributeClass") in classes, a.get("AttributeClass")
    if a.get("AttributeClass") == "Amount":
        amounts.append(float(a.get("Value")))
items = list(root.iter("ChartItem"))
no_card = [i.get("Id") for i in items if i.find("CardCollection/Card") is None]
print(json.dumps({"entities": len(ents), "links": len(list(root.iter("Link"))), "bad_links": bad_links,
  "amounts": len(amounts), "amount_sum": sum(amounts), "no_card": no_card, "amount_type": classes.get("Amount"),
  "labels": [i.get("Label") for i in items], "identities": [e.get("Identity") for e in root.iter("Entity")]}))
"#;

fn anx(path: &Path) -> Option<serde_json::Value> {
    let ok = Command::new("python3").args(["-c", "import xml.etree.ElementTree"]).output().map(|o| o.status.success());
    if !matches!(ok, Ok(true)) {
        println!("SKIPPED ANX parse: python3 not installed");
        return None;
    }
    let o = Command::new("python3").args(["-c", ANX]).arg(path).output().unwrap();
    assert!(o.status.success(), "case.anx: {}", String::from_utf8_lossy(&o.stderr));
    Some(serde_json::from_slice(&o.stdout).unwrap())
}

#[test]
fn anx_has_the_structure_i2_imports() {
    let out = demo_bundle("exports_anx");
    let Some(v) = anx(&out.join("case.anx")) else { return };
    assert!(v["entities"].as_u64().unwrap() > 10, "{v}");
    assert!(v["links"].as_u64().unwrap() > 10);
    assert_eq!(v["bad_links"].as_array().unwrap().len(), 0, "links whose ends do not exist");
    assert_eq!(v["no_card"].as_array().unwrap().len(), 0, "items without provenance");
    assert_eq!(v["amount_type"], "AttNumber");
    assert!(v["amounts"].as_u64().unwrap() > 0 && v["amount_sum"].as_f64().unwrap() > 0.0);
    let tmp = tempfile::tempdir().unwrap();
    let dir = hostile_case(&tmp.path().join("case"));
    let hostile = tmp.path().join("bundle");
    bundle(&dir, &hostile);
    let text = std::fs::read_to_string(hostile.join("case.anx")).unwrap();
    assert!(!text.contains(SCRIPT) && !text.contains("<node id=\"evil\""));
    let v = anx(&hostile.join("case.anx")).unwrap();
    let labels: Vec<&str> = v["labels"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(labels.contains(&SCRIPT) && labels.contains(&XML_BREAK) && labels.contains(&FORMULA), "names kept as text");
}
