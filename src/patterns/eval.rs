//! Measures detectors against ground truth: per typology, pattern-level and account-level
//! recall, precision among the top of the ranked list (k = |truth| and k = 2|truth|) and
//! average precision ([`evaluate`], truth/patterns.csv); and, for data labelled per account
//! only (AMLSim's `isFraud`), the accounts ranked by their alert score ([`evaluate_labels`]).
//!
//! A finding matches a pattern when the typology agrees and the finding holds at least
//! `min_overlap` (80 %) of the pattern's transfers; patterns without transfers (ownership
//! typologies) match on their entities and accounts the same way.
//!
//! Ranking metrics read the findings in the order given (the runner's: score, then typology
//! and id), per typology. Precision at k divides by k, so a list shorter than k counts its
//! missing places as misses. Average precision counts a finding as relevant when it is the
//! first to match a pattern (a second finding of the same pattern is a repeat, not a hit):
//! AP = (1/|truth|) · Σ over relevant ranks i of (relevant among the first i) / i.

use super::finding::Finding;
use crate::model::{AccountId, Case, EntityRef, TransferId};
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
    pub txns: Vec<TransferId>,
    /// Accounts, sorted.
    pub accounts: Vec<AccountId>,
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
    /// Distinct accounts of the typology's truth patterns.
    pub truth_accounts: usize,
    /// Of which lie in some finding of the typology.
    pub accounts_found: usize,
    /// Findings among the typology's first |truth| that match a pattern.
    pub correct_at_k: usize,
    /// Findings among the typology's first 2·|truth| that match a pattern.
    pub correct_at_2k: usize,
    /// Patterns first matched by one of the typology's first 2·|truth| findings.
    pub found_at_2k: usize,
    /// Average precision of the typology's ranked findings (module documentation).
    pub average_precision: f64,
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
    /// Share of the truth patterns' accounts inside some finding of the typology (1 when the
    /// patterns have no accounts).
    pub fn account_recall(&self) -> f64 {
        if self.truth_accounts == 0 {
            1.0
        } else {
            self.accounts_found as f64 / self.truth_accounts as f64
        }
    }
    /// Precision among the first k = |truth| findings of the typology, divided by k (1 when
    /// there are no patterns).
    pub fn precision_at_k(&self) -> f64 {
        if self.patterns == 0 {
            1.0
        } else {
            self.correct_at_k as f64 / self.patterns as f64
        }
    }
    /// Share of the patterns matched within the typology's first 2·|truth| findings.
    pub fn recall_at_2k(&self) -> f64 {
        if self.patterns == 0 {
            1.0
        } else {
            self.found_at_2k as f64 / self.patterns as f64
        }
    }
    /// Precision among the first 2·|truth| findings, divided by 2·|truth| (at most 0.5 when
    /// each pattern has one finding).
    pub fn precision_at_2k(&self) -> f64 {
        if self.patterns == 0 {
            1.0
        } else {
            self.correct_at_2k as f64 / (2 * self.patterns) as f64
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
            txns: f(2).filter_map(|t| txn_index.get(t.as_str()).copied().map(TransferId::from_raw)).collect(),
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

/// For each finding, the truth patterns it matches, by a transfer index (patterns with
/// transfers) or pairwise (the few without). O(Σ transfers of the findings + F · P0) for P0
/// patterns without transfers.
fn match_all(findings: &[Finding], truth: &[TruthPattern], min_overlap: f64) -> Vec<Vec<usize>> {
    let mut by_txn: HashMap<TransferId, Vec<usize>> = HashMap::new();
    for (pi, p) in truth.iter().enumerate() {
        for &t in &p.txns {
            by_txn.entry(t).or_default().push(pi);
        }
    }
    let no_txns: Vec<usize> = (0..truth.len()).filter(|&i| truth[i].txns.is_empty()).collect();
    findings
        .iter()
        .map(|f| {
            let mut hits: HashMap<usize, usize> = HashMap::new();
            for t in &f.txns {
                for &pi in by_txn.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                    *hits.entry(pi).or_default() += 1;
                }
            }
            let mut m: Vec<usize> = hits
                .into_iter()
                .filter(|&(pi, n)| {
                    let p = &truth[pi];
                    p.typology == f.typology && n as f64 / p.txns.len() as f64 >= min_overlap
                })
                .map(|(pi, _)| pi)
                .collect();
            m.extend(no_txns.iter().copied().filter(|&pi| matches(&truth[pi], f, min_overlap)));
            m.sort_unstable();
            m
        })
        .collect()
}

/// Scores `findings` (sorted by rank) against `truth`.
pub fn evaluate(findings: &[Finding], truth: &[TruthPattern], min_overlap: f64) -> Evaluation {
    let mut ev = Evaluation::default();
    let matched = match_all(findings, truth, min_overlap);
    let mut found = vec![false; truth.len()];
    for m in &matched {
        for &pi in m {
            found[pi] = true;
        }
    }
    let mut truth_accounts: BTreeMap<&str, std::collections::BTreeSet<AccountId>> = BTreeMap::new();
    for (pi, p) in truth.iter().enumerate() {
        let s = ev.per_typology.entry(p.typology.clone()).or_default();
        s.patterns += 1;
        s.found += found[pi] as usize;
        truth_accounts.entry(p.typology.as_str()).or_default().extend(p.accounts.iter().copied());
    }
    let mut finding_accounts: BTreeMap<&str, std::collections::BTreeSet<AccountId>> = BTreeMap::new();
    // Per typology, in rank order: rank, hits so far, first hits so far, AP sum.
    let mut rank: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    let mut first_hit = vec![false; truth.len()];
    for (f, m) in findings.iter().zip(&matched) {
        let ok = !m.is_empty();
        let s = ev.per_typology.entry(f.typology.to_string()).or_default();
        s.findings += 1;
        s.correct += ok as usize;
        let r = rank.entry(f.typology).or_default();
        r.0 += 1;
        if ok && r.0 <= s.patterns {
            s.correct_at_k += 1;
        }
        if ok && r.0 <= 2 * s.patterns {
            s.correct_at_2k += 1;
        }
        let new: Vec<usize> = m.iter().copied().filter(|&pi| !first_hit[pi]).collect();
        if !new.is_empty() {
            for &pi in &new {
                first_hit[pi] = true;
            }
            if r.0 <= 2 * s.patterns {
                s.found_at_2k += new.len();
            }
            r.1 += 1;
            r.2 += r.1 as f64 / r.0 as f64;
        }
        finding_accounts.entry(f.typology).or_default().extend(f.accounts.iter().copied());
    }
    for (t, s) in ev.per_typology.iter_mut() {
        let want = truth_accounts.get(t.as_str());
        s.truth_accounts = want.map_or(0, |w| w.len());
        s.accounts_found = match (want, finding_accounts.get(t.as_str())) {
            (Some(w), Some(got)) => w.intersection(got).count(),
            _ => 0,
        };
        if s.patterns > 0 {
            s.average_precision = rank.get(t.as_str()).map_or(0.0, |r| r.2) / s.patterns as f64;
        }
    }
    ev.top_k = truth.len().min(findings.len());
    ev.top_k_correct = matched.iter().take(ev.top_k).filter(|m| !m.is_empty()).count();
    ev
}

/// Alert score of each account for ranking: its score in thousandths of a deciban
/// ([`super::account_score::account_alerts`]), `None` for an account in no finding.
pub fn account_scores(case: &Case, findings: &[Finding]) -> Vec<Option<u32>> {
    super::account_score::account_alerts(case, findings)
        .into_iter()
        .map(|a| a.map(|a| (a.decibans * 1000.0).round().clamp(0.0, u32::MAX as f64) as u32))
        .collect()
}

/// The previous account score, kept as the baseline `eval` prints beside the alert score:
/// the highest evidence ([`Finding::evidence`]) of a finding that holds the account, `None`
/// for an account in no finding.
pub fn evidence_scores(findings: &[Finding], n_accounts: usize) -> Vec<Option<u32>> {
    let mut best: Vec<Option<u32>> = vec![None; n_accounts];
    for f in findings {
        for &a in &f.accounts {
            if let Some(b) = best.get_mut(a.ix()) {
                *b = Some(b.map_or(f.evidence, |x| x.max(f.evidence)));
            }
        }
    }
    best
}

/// Per account, true when it lies in some truth pattern: account labels for data labelled by
/// pattern (truth/patterns.csv), so its account ranking is scored like AMLSim's `isFraud`.
pub fn truth_labels(truth: &[TruthPattern], n_accounts: usize) -> Vec<bool> {
    let mut l = vec![false; n_accounts];
    for p in truth {
        for &a in &p.accounts {
            if let Some(x) = l.get_mut(a.ix()) {
                *x = true;
            }
        }
    }
    l
}

/// Accounts ranked by alert score against per-account labels (AMLSim's `isFraud`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelScore {
    /// Accounts.
    pub accounts: usize,
    /// Labelled accounts (positives).
    pub labelled: usize,
    /// Accounts in some finding.
    pub flagged: usize,
    /// Labelled accounts in some finding.
    pub labelled_flagged: usize,
    /// Expected labelled accounts among the first |labelled| accounts by alert score, ties at
    /// the cut shared in proportion (random order within a tie).
    pub hits_at_1x: f64,
    /// The same among the first 2·|labelled| accounts.
    pub hits_at_2x: f64,
    /// Average precision of the account ranking, ties in random order: its expectation,
    /// computed exactly per tie group.
    pub average_precision: f64,
}

impl LabelScore {
    /// Share of the labelled accounts among the first 2·|labelled| by alert score.
    pub fn recall_at_2x(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.hits_at_2x / self.labelled as f64
        }
    }
    /// Share of labelled accounts among the first |labelled|.
    pub fn precision_at_1x(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.hits_at_1x / self.labelled.min(self.accounts.max(1)) as f64
        }
    }
    /// Share of labelled accounts among the first 2·|labelled| (at most 0.5).
    pub fn precision_at_2x(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.hits_at_2x / (2 * self.labelled).min(self.accounts.max(1)) as f64
        }
    }
    /// Share of the labelled accounts in some finding.
    pub fn recall_flagged(&self) -> f64 {
        if self.labelled == 0 {
            1.0
        } else {
            self.labelled_flagged as f64 / self.labelled as f64
        }
    }
}

/// Scores the ranking of accounts by `scores` (see [`account_scores`]) against `labels`.
/// Accounts in no finding rank last, together. Within a group of equal score the order is
/// random: the figures are their expectations (exact, not sampled), so no account id order
/// can favour the labels.
pub fn evaluate_labels(scores: &[Option<u32>], labels: &[bool]) -> LabelScore {
    let n = scores.len().min(labels.len());
    let labelled = labels[..n].iter().filter(|&&l| l).count();
    let mut groups: BTreeMap<std::cmp::Reverse<i64>, (usize, usize)> = BTreeMap::new();
    for i in 0..n {
        let key = std::cmp::Reverse(scores[i].map_or(-1, i64::from));
        let g = groups.entry(key).or_default();
        g.0 += 1;
        g.1 += labels[i] as usize;
    }
    let (k1, k2) = (labelled.min(n), (2 * labelled).min(n));
    let (mut before, mut pos_before) = (0usize, 0usize);
    let (mut hits1, mut hits, mut ap) = (0.0f64, 0.0f64, 0.0f64);
    let share = |k: usize, before: usize, size: usize, pos: usize| {
        if before < k {
            pos as f64 * (k - before).min(size) as f64 / size as f64
        } else {
            0.0
        }
    };
    for &(size, pos) in groups.values() {
        hits1 += share(k1, before, size, pos);
        hits += share(k2, before, size, pos);
        ap += expected_ap_group(before, pos_before, size, pos);
        before += size;
        pos_before += pos;
    }
    LabelScore {
        accounts: n,
        labelled,
        flagged: scores[..n].iter().filter(|s| s.is_some()).count(),
        labelled_flagged: (0..n).filter(|&i| labels[i] && scores[i].is_some()).count(),
        hits_at_1x: hits1,
        hits_at_2x: hits,
        average_precision: if labelled == 0 { 0.0 } else { ap / labelled as f64 },
    }
}

/// Expected Σ precision-at-rank over the positives of one tie group in random order: `size`
/// items, `pos` of them positive, after `before` items holding `pos_before` positives. A
/// positive at position j (1-based) of the group has, in expectation, 1 + (j − 1)(pos − 1) /
/// (size − 1) positives of the group up to it, and sits at position j with probability 1/size.
fn expected_ap_group(before: usize, pos_before: usize, size: usize, pos: usize) -> f64 {
    if pos == 0 {
        return 0.0;
    }
    let frac = if size > 1 { (pos - 1) as f64 / (size - 1) as f64 } else { 0.0 };
    let mut sum = 0.0;
    for j in 1..=size {
        let hits = pos_before as f64 + 1.0 + (j - 1) as f64 * frac;
        sum += hits / (before + j) as f64;
    }
    sum * pos as f64 / size as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(typology: &'static str, score: u32, txns: &[u32], accounts: &[u32]) -> Finding {
        let mut f = Finding::new(typology);
        f.score = score;
        f.evidence = score;
        f.txns = TransferId::from_raws(txns).collect();
        f.accounts = AccountId::from_raws(accounts).collect();
        f
    }

    fn pattern(id: &str, typology: &str, txns: &[u32], accounts: &[u32]) -> TruthPattern {
        TruthPattern {
            id: id.into(),
            typology: typology.into(),
            txns: TransferId::from_raws(txns).collect(),
            accounts: AccountId::from_raws(accounts).collect(),
            entities: Vec::new(),
        }
    }

    #[test]
    fn ranking_metrics_read_the_order() {
        let truth = [pattern("P1", "fan_in", &[1, 2, 3], &[1, 2]), pattern("P2", "fan_in", &[7, 8], &[5, 6])];
        // Ranked: a miss, a hit of P1, a repeat of P1, a hit of P2, another typology.
        let found = [
            finding("fan_in", 90, &[20, 21], &[9]),
            finding("fan_in", 80, &[1, 2, 3], &[1, 2]),
            finding("fan_in", 70, &[1, 2, 3, 4], &[1, 2, 3]),
            finding("fan_in", 60, &[7, 8], &[5]),
            finding("cycle", 50, &[7, 8], &[5, 6]),
        ];
        let ev = evaluate(&found, &truth, 0.8);
        let s = &ev.per_typology["fan_in"];
        assert_eq!((s.patterns, s.found, s.findings, s.correct), (2, 2, 4, 3));
        // First 2: one hit; first 4: three matching findings.
        assert_eq!((s.correct_at_k, s.correct_at_2k, s.found_at_2k), (1, 3, 2));
        assert_eq!((s.precision_at_k(), s.precision_at_2k()), (0.5, 0.75));
        // Relevant (first hits) at ranks 2 and 4: (1/2 + 2/4) / 2.
        assert!((s.average_precision - 0.5).abs() < 1e-12, "{}", s.average_precision);
        // Accounts 1, 2, 5, 6 in truth; 1, 2, 5 in fan-in findings (6 only in the cycle).
        assert_eq!((s.truth_accounts, s.accounts_found), (4, 3));
        let c = &ev.per_typology["cycle"];
        assert_eq!((c.patterns, c.findings, c.correct), (0, 1, 0));
    }

    #[test]
    fn label_ranking_shares_ties_in_expectation() {
        // Four accounts: two labelled. Scores 50 (labelled), 50 (not), 10 (labelled), none.
        let scores = [Some(50), Some(50), Some(10), None];
        let labels = [true, false, true, false];
        let l = evaluate_labels(&scores, &labels);
        assert_eq!((l.accounts, l.labelled, l.flagged, l.labelled_flagged), (4, 2, 3, 2));
        // k = 4: everything; k = 2: the tie at 50 (one of two) in full.
        assert_eq!((l.hits_at_1x, l.hits_at_2x), (1.0, 2.0));
        // AP: the tie at 50 puts the positive first or second (1 or 1/2), then 2/3 at rank 3.
        let want = ((1.0 + 0.5) / 2.0 + 2.0 / 3.0) / 2.0;
        assert!((l.average_precision - want).abs() < 1e-12, "{} vs {want}", l.average_precision);
        // One labelled of ten, tied with nine others at the top: k = 2 takes 2/10 of it.
        let scores = [Some(5); 10];
        let mut labels = [false; 10];
        labels[3] = true;
        let l = evaluate_labels(&scores, &labels);
        assert!((l.hits_at_2x - 0.2).abs() < 1e-12);
        assert!((l.recall_at_2x() - 0.2).abs() < 1e-12);
        assert!((l.precision_at_2x() - 0.1).abs() < 1e-12);
    }
}
