//! The layer map of docs/architecture.md, checked against the code: each top-level module of the
//! library may name (`crate::x`) only the modules the map puts below it. A test so that the map
//! and the code cannot drift apart (issue 13).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module -> the modules it may use (the layer map, docs/architecture.md).
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("text", &[]),
    ("progress", &[]),
    ("ownership", &["model"]),
    ("ingest", &["model", "ownership", "text", "progress"]),
    ("resolve", &["model", "progress"]),
    ("generate", &["model", "resolve", "progress"]),
    ("graph", &["model"]),
    ("patterns", &["model", "graph", "ownership", "progress"]),
    ("trace", &["model", "graph", "progress"]),
    ("victims", &["model", "graph", "patterns", "resolve"]),
    ("assets", &["model", "ownership", "trace"]),
    ("evidence", &["model", "graph", "patterns", "text"]),
    ("query", &["model", "graph", "patterns", "text", "progress"]),
    (
        "investigation",
        &[
            "model",
            "ingest",
            "resolve",
            "graph",
            "ownership",
            "patterns",
            "trace",
            "victims",
            "assets",
            "evidence",
            "query",
            "progress",
        ],
    ),
    ("workspace", &[]),
    (
        "export",
        &[
            "model",
            "text",
            "graph",
            "ownership",
            "patterns",
            "trace",
            "victims",
            "assets",
            "evidence",
            "investigation",
            "progress",
        ],
    ),
    (
        "serve",
        &[
            "model",
            "text",
            "graph",
            "ownership",
            "patterns",
            "trace",
            "victims",
            "assets",
            "evidence",
            "query",
            "investigation",
            "export",
            "workspace",
        ],
    ),
];

/// Crate-level macros and items that are not modules.
const NOT_MODULES: &[&str] = &["params", "indicators"];

/// The modules one single-file layer (`src/NAME.rs`) names.
fn uses_file(p: &Path, out: &mut BTreeMap<String, BTreeSet<String>>) {
    let text = std::fs::read_to_string(p).unwrap();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + 7..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
        if !name.is_empty() && !NOT_MODULES.contains(&name.as_str()) {
            out.entry(name).or_default().insert(p.display().to_string());
        }
    }
}

fn uses(dir: &Path, out: &mut BTreeMap<String, BTreeSet<String>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            uses(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !name.is_empty() && !NOT_MODULES.contains(&name.as_str()) {
                    out.entry(name).or_default().insert(p.display().to_string());
                }
            }
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bad = Vec::new();
    let mut seen = BTreeSet::new();
    for (module, allowed) in ALLOWED {
        let dir = src.join(module);
        let file = src.join(format!("{module}.rs"));
        assert!(
            dir.is_dir() || file.is_file(),
            "the map names {module}, which is neither a folder nor a file under src/"
        );
        seen.insert(*module);
        let mut used = BTreeMap::new();
        if dir.is_dir() {
            uses(&dir, &mut used);
        } else {
            uses_file(&file, &mut used);
        }
        for (name, files) in used {
            if name != *module && !allowed.contains(&name.as_str()) {
                bad.push(format!("{module} uses {name} in {:?}", files));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "layer violations (fix the code or docs/architecture.md and this map):\n{}",
        bad.join("\n")
    );
    // Every folder of the library is on the map (the binary's cli/ and feature-gated layers aside).
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() && !["cli", "distributed"].contains(&name.as_str()) {
            assert!(seen.contains(name.as_str()), "src/{name} is not on the layer map");
        }
    }
}
