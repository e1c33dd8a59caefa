//! Export from the workspace (issue 19): the bundle of a selection of findings is the bundle
//! `investigate` writes for the same selection, byte for byte, and `verify` accepts it; with a
//! workspace log it also carries the triage table and the log's head.

#[path = "common/http.rs"]
mod http;

use moneytrail::export::bundle::investigate;
use moneytrail::export::manifest::{sha256_hex, verify};
use moneytrail::serve::adapter::{Engine, EngineOptions};
use moneytrail::victims::view::Audience;
use moneytrail::victims::Protection;
use moneytrail::workspace::{Event, Log, Status};
use std::collections::BTreeSet;
use std::path::Path;

fn manifest_sha(dir: &Path) -> String {
    sha256_hex(&std::fs::read(dir.join("manifest.json")).unwrap())
}

#[test]
fn a_selection_exports_as_investigate_writes_it_and_carries_the_triage() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    http::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &case);
    let engine = Engine::load(EngineOptions {
        case_dir: case.clone(),
        mapping: None,
        audience: Audience::Police,
        protection: Some(Protection::from_master([7; 32], [0; 16])),
        passphrase: None,
        no_resolve: false,
        graphviz: false,
    })
    .unwrap();
    let sel: BTreeSet<String> = engine.findings.iter().step_by(3).map(|f| f.id.clone()).collect();
    assert!(sel.len() >= 3);
    let a = tmp.path().join("workspace");
    let sum = engine.export(&a, Some(sel.clone()), None).unwrap();
    assert_eq!(sum.findings, sel.len());
    // `investigate` on the case loaded and resolved as every command does, same options.
    let mut real = moneytrail::ingest::load_case(&case, &Default::default()).unwrap().case;
    let r = moneytrail::resolve::resolve(&real, &[], &Default::default());
    moneytrail::resolve::apply(&mut real, &r).unwrap();
    let b = tmp.path().join("investigate");
    investigate(&real, &b, &engine.bundle_options(Some(sel.clone()), None)).unwrap();
    assert_eq!(manifest_sha(&a), manifest_sha(&b), "same bytes for the same selection");
    assert!(verify(&a, Some(&case)).unwrap().problems.is_empty());
    let findings = std::fs::read_to_string(a.join("findings.csv")).unwrap();
    assert_eq!(findings.lines().count(), sel.len() + 1);
    for id in &sel {
        assert!(findings.contains(id.as_str()));
    }
    // Every finding and no selection: the manifest has no selection setting, as before.
    let all = tmp.path().join("all");
    engine.export(&all, None, None).unwrap();
    let m = std::fs::read_to_string(all.join("manifest.json")).unwrap();
    assert!(!m.contains("findings.selection") && !m.contains("workspace.") && !all.join("triage.csv").exists());

    // With a log: triage.csv and the head in the manifest.
    let log = Log::open(&case).unwrap();
    let first = sel.iter().next().unwrap().clone();
    let ev =
        Event::Status { finding: first.clone(), status: Status::Dismissed, reason: "lawful rent".into(), version: 1 };
    let (_, st) = log.append("Ana", ev, |_| Ok(())).unwrap();
    let rows: Vec<_> = st.triaged().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let stamp = moneytrail::investigation::WorkspaceStamp {
        log_head_sha256: st.head.clone(),
        log_entries: st.len(),
        summary: "confirmed 0, dismissed 1".into(),
        csv: engine.triage_csv(&rows).unwrap(),
    };
    let c = tmp.path().join("stamped");
    engine.export(&c, Some(sel), Some(stamp)).unwrap();
    assert!(verify(&c, None).unwrap().problems.is_empty());
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(c.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["settings"]["workspace.log_head_sha256"], st.head.as_str());
    assert!(m["outputs"].as_array().unwrap().iter().any(|o| o["path"] == "triage.csv"));
    let t = std::fs::read_to_string(c.join("triage.csv")).unwrap();
    assert!(t.starts_with("finding_id,status,analyst,at,reason,version,log_seq\n"));
    assert!(t.contains(&format!("{first},dismissed,Ana,")) && t.contains("lawful rent"));
    let lv = moneytrail::workspace::verify(&case, Some(&st.head)).unwrap();
    assert!(lv.problems.is_empty() && lv.anchor == Some(1));
}
