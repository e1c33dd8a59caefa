//! docs/methodology.md is what the report, the CLI and the code cite: every cited anchor must
//! exist, and the document itself must stand on public sources (issue 17).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn anchors(md: &str) -> BTreeSet<String> {
    md.split("<a id=\"").skip(1).filter_map(|s| s.split_once('"')).map(|(a, _)| a.to_string()).collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("rs" | "md" | "html" | "ftl" | "toml")) {
            out.push(p);
        }
    }
}

/// Every `methodology.md#<anchor>` in `text`.
fn cited(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split("methodology.md#").skip(1) {
        let a: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        out.push(a);
    }
    out
}

#[test]
fn every_cited_anchor_exists() {
    let md = std::fs::read_to_string(root().join("docs/methodology.md")).unwrap();
    let known = anchors(&md);
    let mut paths = Vec::new();
    for d in ["src", "docs", "tests", "queries"] {
        files(&root().join(d), &mut paths);
    }
    paths.push(root().join("README.md"));
    let mut missing = Vec::new();
    let mut count = 0;
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        for a in cited(&text) {
            count += 1;
            // This test's own example below.
            if a.is_empty() || a == "nope" {
                continue;
            }
            if !known.contains(&a) {
                missing.push(format!("{}: methodology.md#{a}", p.strip_prefix(root()).unwrap().display()));
            }
        }
    }
    assert!(count > 0, "no citations found at all");
    assert!(
        missing.is_empty(),
        "citations of anchors that docs/methodology.md does not define:\n{}",
        missing.join("\n")
    );
}

#[test]
fn internal_links_resolve_and_anchors_are_unique() {
    let md = std::fs::read_to_string(root().join("docs/methodology.md")).unwrap();
    let known = anchors(&md);
    let n = md.matches("<a id=\"").count();
    assert_eq!(n, known.len(), "an anchor is defined twice");
    for part in md.split("](#").skip(1) {
        let a = part.split(')').next().unwrap();
        assert!(known.contains(a), "link to #{a}, which is not defined");
    }
}

#[test]
fn stands_on_public_sources() {
    let md = std::fs::read_to_string(root().join("docs/methodology.md")).unwrap();
    for bad in ["domain.md", "[D]", "[S]", "[U]", "src/", "../shared", "patterns::"] {
        assert!(!md.contains(bad), "docs/methodology.md contains {bad:?}");
    }
    // Each typology and each tracing rule names a source or says why it has none.
    for sec in md.split("<a id=\"").skip(1) {
        let (id, body) = sec.split_once('"').unwrap();
        if id.starts_with("t-") || id.starts_with("rule-") {
            assert!(
                body.contains("**Source") || body.contains("**Status") || body.contains("**Project default"),
                "section {id} names no source"
            );
        }
    }
    assert!(md.matches("http").count() > 30, "public sources are cited by address");
}

/// The Albanian methodology (docs/methodology.sq.md) is a translation kept in step with the
/// English one: the same section anchors in the same order, the same public sources by address,
/// its own internal links resolving, and its section titles translated.
#[test]
fn albanian_translation_keeps_the_anchors_and_sources() {
    let en = std::fs::read_to_string(root().join("docs/methodology.md")).unwrap();
    let sq = std::fs::read_to_string(root().join("docs/methodology.sq.md")).unwrap();
    let ordered = |md: &str| -> Vec<String> {
        md.split("<a id=\"").skip(1).filter_map(|s| s.split_once('"')).map(|(a, _)| a.to_string()).collect()
    };
    assert_eq!(anchors(&en), anchors(&sq), "the two methodologies define different anchors");
    assert_eq!(ordered(&en), ordered(&sq), "the anchors are in another order");
    let known = anchors(&sq);
    for part in sq.split("](#").skip(1) {
        let a = part.split(')').next().unwrap();
        assert!(known.contains(a), "docs/methodology.sq.md links to #{a}, which is not defined");
    }
    let urls = |md: &str| -> BTreeSet<String> {
        md.split("<http").skip(1).filter_map(|s| s.split_once('>')).map(|(u, _)| u.to_string()).collect()
    };
    assert_eq!(urls(&en), urls(&sq), "the translation cites other sources");
    for bad in ["domain.md", "[D]", "[S]", "[U]", "src/", "../shared", "patterns::"] {
        assert!(!sq.contains(bad), "docs/methodology.sq.md contains {bad:?}");
    }
    // The titles the report's citation links show are Albanian (a few are names: FIFO, BODS).
    use moneytrail::export::methodology::{title_in, MARKDOWN_SQ};
    use moneytrail::export::report::Lang;
    assert_eq!(MARKDOWN_SQ, sq, "the compiled translation is the file");
    let same: Vec<&String> = known.iter().filter(|a| title_in(Lang::En, a) == title_in(Lang::Sq, a)).collect();
    assert!(same.len() * 10 < known.len(), "untranslated section titles: {same:?}");
    assert_eq!(title_in(Lang::Sq, "t-fan-in"), Some("Grumbullimi (fan-in)"));
}
