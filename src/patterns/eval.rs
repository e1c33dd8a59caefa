//! Measures detectors against ground truth (truth/patterns.csv of a generated case): per
//! typology precision and recall, and precision among the top-ranked findings.
//!
//! A finding matches a pattern when the typology agrees and the finding holds at least
//! `min_overlap` (80 %) of the pattern's transfers; patterns without transfers (ownership
//! typologies) match on their entities and accounts the same way.

use super::finding::Finding;
use crate::model::{Case, EntityRef};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One ground-truth pattern, resolved to case indices.
#[derive(Clone, Debug)]
pub struct TruthPattern {
    /// pattern_id.
    pub id: String,
    /// typology.
    pub typology: String,
    /// Transfers, sorted.
    pub txns: Vec<u32>,
    /// Accounts, sorted.
    pub accounts: Vec<u32>,
    /// Entities, sorted.
    pub entities: Vec<EntityRef>,
}

/// Scores of one typology.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypologyScore {
    /// Truth patterns of the typology.
    pub patterns: usize,
    /// Of which matched by some finding.
    pub found: usize,
    /// Findings of the typology.
    pub findings: usize,
    /// Of which match some pattern.
    pub correct: usize,
}

impl TypologyScore {
    /// found / patterns (1 when there are no patterns).
    pub fn recall(&self) -> f64 {
        if self.patterns == 0 {
            1.0
        } else {
            self.found as f64 / self.patterns as f64
        }
    }
    /// correct / findings (1 when there are no findings).
    pub fn precision(&self) -> f64 {
        if self.findings == 0 {
            1.0
        } else {
            self.correct as f64 / self.findings as f64
        }
    }
}

/// The evaluation of a run.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Per typology.
    pub per_typology: BTreeMap<String, TypologyScore>,
    /// Precision among the top-k findings by score, k = number of truth patterns.
    pub top_k: usize,
    /// How many of the top-k match a pattern.
    pub top_k_correct: usize,
    /// Truth patterns whose ids could not be resolved in the case.
    pub unresolved: Vec<String>,
}

/// Errors reading the truth file.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The file could not be read or parsed.
    #[error("{path}: {message}")]
    Truth {
        /// The truth file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Reads truth/patterns.csv (pattern_id, typology, txn_ids, accounts, entities) against a case.
pub fn read_truth(path: &Path, case: &Case) -> Result<Vec<TruthPattern>, EvalError> {
    let err = |m: String| EvalError::Truth { path: path.display().to_string(), message: m };
    let mut r = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let txn_index: HashMap<&str, u32> =
        (0..case.transfers.len()).map(|i| (case.transfers.txn_id.get(i), i as u32)).collect();
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let f = |i: usize| rec.get(i).unwrap_or("").split(';').filter(|s| !s.is_empty()).map(str::to_string);
        let mut p = TruthPattern {
            id: rec.get(0).unwrap_or("").to_string(),
            typology: rec.get(1).unwrap_or("").to_string(),
            txns: f(2).filter_map(|t| txn_index.get(t.as_str()).copied()).collect(),
            accounts: f(3).filter_map(|a| case.account(&a)).collect(),
            entities: f(4).filter_map(|e| case.entity(&e)).collect(),
        };
        p.txns.sort_unstable();
        p.accounts.sort_unstable();
        p.entities.sort_unstable();
        out.push(p);
    }
    Ok(out)
}

fn overlap<T: Ord>(pattern: &[T], finding: &[T]) -> f64 {
    if pattern.is_empty() {
        return 0.0;
    }
    let hit = pattern.iter().filter(|x| finding.binary_search(x).is_ok()).count();
    hit as f64 / pattern.len() as f64
}

/// True when `f` matches `p` (same typology, at least `min_overlap` of the pattern's evidence).
pub fn matches(p: &TruthPattern, f: &Finding, min_overlap: f64) -> bool {
    if p.typology != f.typology {
        return false;
    }
    if !p.txns.is_empty() {
        return overlap(&p.txns, &f.txns) >= min_overlap;
    }
    let ents = overlap(&p.entities, &f.entities);
    let accs = overlap(&p.accounts, &f.accounts);
    match (p.entities.is_empty(), p.accounts.is_empty()) {
        (false, false) => ents.min(accs) >= min_overlap,
        (false, true) => ents >= min_overlap,
        (true, false) => accs >= min_overlap,
        (true, true) => false,
    }
}

/// Scores `findings` (sorted by rank) against `truth`.
pub fn evaluate(findings: &[Finding], truth: &[TruthPattern], min_overlap: f64) -> Evaluation {
    let mut ev = Evaluation::default();
    for p in truth {
        let s = ev.per_typology.entry(p.typology.clone()).or_default();
        s.patterns += 1;
        if findings.iter().any(|f| matches(p, f, min_overlap)) {
            s.found += 1;
        }
    }
    let correct: Vec<bool> = findings.iter().map(|f| truth.iter().any(|p| matches(p, f, min_overlap))).collect();
    for (f, ok) in findings.iter().zip(&correct) {
        let s = ev.per_typology.entry(f.typology.to_string()).or_default();
        s.findings += 1;
        s.correct += *ok as usize;
    }
    ev.top_k = truth.len().min(findings.len());
    ev.top_k_correct = correct.iter().take(ev.top_k).filter(|c| **c).count();
    ev
}
