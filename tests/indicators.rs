//! Every indicator a detector emits is declared in that detector's table with the points it
//! was given (issue 13: the points live in one place). Runs every detector on generated cases,
//! the demo case and the hand-built mini fixture, with default parameters and with every
//! `min_score` at 0 (so that weakly corroborated findings and their indicators show too). The
//! hand-built cases of tests/detect_transfers.rs and tests/detect_entities.rs make the same
//! check on every finding ([`patterns::undeclared`]).

use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, Finding, RunOptions, Typology};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn load(dir: &Path) -> Case {
    load_case(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).case
}

/// Findings with default parameters, then with `min_score=0` for every detector that still
/// gates on it (the transfer detectors rank every candidate instead).
fn runs(case: &Case) -> Vec<Finding> {
    let graph = CaseGraph::build(case);
    let zero: Vec<String> = Typology::ALL
        .into_iter()
        .filter(|t| t.detector().params().describe().iter().any(|p| p.key == "min_score"))
        .map(|t| format!("{t}.min_score=0"))
        .collect();
    let mut all = patterns::run(case, &graph, &RunOptions::default()).unwrap();
    all.extend(patterns::run(case, &graph, &RunOptions::parse(None, &zero).unwrap()).unwrap());
    all
}

/// Checks every indicator of `found` against its detector's table (and the runner's
/// `near_suspect`); returns the (typology, indicator, points) seen.
fn check(label: &str, found: &[Finding]) -> BTreeSet<(&'static str, &'static str, u32)> {
    let mut seen = BTreeSet::new();
    for f in found {
        let t: Typology = f.typology.parse().unwrap_or_else(|e| panic!("{label}: {e}"));
        let table = t.detector().indicators();
        let undeclared = patterns::undeclared(f);
        assert!(
            undeclared.is_empty(),
            "{label}: {} fired {undeclared:?}, not declared with those points in {t}'s table {:?}",
            f.id,
            table.iter().map(|s| (s.name, s.points)).collect::<Vec<_>>()
        );
        seen.extend(f.indicators.iter().map(|i| (f.typology, i.name, i.points)));
        if table.iter().any(|s| s.graded) {
            // In a ranking detector's table each indicator's points are declared once: a
            // graded one up to its points, a stepped one with one positive grade.
            let mut positive: BTreeMap<&str, usize> = BTreeMap::new();
            for s in table.iter().filter(|s| s.points > 0) {
                *positive.entry(s.name).or_default() += 1;
            }
            assert!(positive.values().all(|&n| n == 1), "{t}: two graded indicators with points: {positive:?}");
        }
    }
    seen
}

#[test]
fn every_emitted_indicator_is_declared_with_its_points() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = BTreeSet::new();
    let mut typologies = BTreeSet::new();
    for seed in [1, 2] {
        let dir = tempfile::tempdir().unwrap();
        generate(&GenConfig { seed, transfers: 30_000, ..GenConfig::default() }, dir.path()).unwrap();
        let found = runs(&load(dir.path()));
        typologies.extend(found.iter().map(|f| f.typology));
        seen.extend(check(&format!("generated seed {seed}"), &found));
    }
    for (label, dir) in [("demo", root.join("datasets/demo")), ("mini", root.join("tests/fixtures/mini"))] {
        let found = runs(&load(&dir));
        typologies.extend(found.iter().map(|f| f.typology));
        seen.extend(check(label, &found));
    }
    // Not vacuous: every detector reported, and most declared indicators fired somewhere.
    let all: BTreeSet<&str> = Typology::ALL.into_iter().map(Typology::as_str).collect();
    assert_eq!(typologies, all, "detectors without a finding on these cases");
    let declared: BTreeSet<(&str, &str, u32)> = Typology::ALL
        .into_iter()
        .flat_map(|t| t.detector().indicators().iter().map(move |s| (t.as_str(), s.name, s.points)))
        .collect();
    // A graded indicator counts as seen at any of its points.
    let graded: BTreeSet<(&str, &str)> = Typology::ALL
        .into_iter()
        .flat_map(|t| t.detector().indicators().iter().filter(|s| s.graded).map(move |s| (t.as_str(), s.name)))
        .collect();
    let unseen: Vec<_> = declared
        .iter()
        .filter(|d| {
            // A graded indicator counts as seen at any of its point values.
            let seen_graded = graded.contains(&(d.0, d.1)) && seen.iter().any(|s| (s.0, s.1) == (d.0, d.1));
            !seen.contains(*d) && !seen_graded
        })
        .collect();
    println!(
        "{} of {} declared indicator grades fired; not seen: {unseen:?}",
        declared.len() - unseen.len(),
        declared.len()
    );
    assert!(seen.iter().any(|s| s.1 == "near_suspect"));
    assert!(unseen.len() * 3 <= declared.len(), "too few indicators exercised: {unseen:?}");
}
