//! The account-level alert score: how the findings an account takes part in combine into one
//! rank of accounts (docs/ranking.md, "Accounts"; docs/methodology.md#ranking).
//!
//! The findings nominate: an account in no finding gets no score (it ranks last). A nominated
//! account scores, in decibans:
//!
//! - the **evidence** of its strongest finding ([`Finding::evidence`]), which the detectors
//!   already state in decibans (context indicators, surprise against its own history);
//! - plus the **surprise of its ledger** among the nominated accounts, for two signals any
//!   ledger has, each as `-10·log10 p` with `p` the share of nominated accounts that show at
//!   least as much of it (an empirical p-value, so no constant is fitted):
//!   - **split payments**: its transfers that go between it and one counterpart within
//!     [`SPLIT_HOURS`] of another (FinCEN's structuring: several transactions on one day);
//!   - **atypical amount**: the most extreme of its amounts against every account-to-account
//!     transfer of the case in the same currency, as a two-sided percentile (low or high).
//!
//! Read on the account's whole ledger, since a mule's other transfers are evidence about it
//! too: reading only the findings' transfers ranked AMLSim's laundering accounts worse
//! (docs/evaluation.md). A signal the account does not show has p = 1 and adds nothing, so a
//! missing signal lowers the score and hides nothing. Its number of counterparts is not a
//! signal: it ranked steady hubs of the project's generator above its mules (a hub with
//! steady high activity must rank below a mule's sudden fan; the detectors' own-history
//! surprise covers a burst of counterparts).
//!
//! Beside the score, not in it, each account states the **suspicion its counterparts pass it**
//! ([`AccountAlert::ring`]): a random walk with restart (personalised PageRank, as TrustRank
//! propagates from a seed set) over the graph of nominated accounts, restarting at each in
//! proportion to the odds of its own rank, damping [`DAMPING`] for [`STEPS`] steps, and what an
//! account receives divided by its number of counterparts (docs/methodology.md#ranking). Added
//! to the score as a third surprise it raised precision on the project's generator but not on
//! AMLSim, so it is reported for triage and left out of the rank (docs/evaluation.md,
//! "Counterparts").
//!
//! The rank is reported as a **percentile** among the case's nominated accounts, which means
//! the same on every data set: 99 means the account outranks 99 % of the accounts in some
//! candidate.
//!
//! Deterministic: fixed orders, exact decimal sorting, `f64` rounded to thousandths.

use super::finding::Finding;
use super::signals::SPLIT_HOURS;
use crate::model::{Case, NO_ACCOUNT};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// How the account score and percentile are computed, in words for outputs.
pub const ACCOUNT_BASIS: &str = "account score in decibans: the evidence of its strongest finding plus the surprise \
     (-10 log10 p, p = share of accounts in some candidate showing as much) of its split payments and of its most \
     atypical amount (two-sided percentile among the case's transfers of that currency); percentile among the \
     accounts in some candidate; 'counterparts' (not in the score) is the share of those accounts that receive as \
     much suspicion from their counterparts (a random walk with restart from the accounts that rank high on their \
     own) (docs/ranking.md)";

/// The alert of one account.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountAlert {
    /// The score in decibans, rounded to thousandths (higher ranks first).
    pub decibans: f64,
    /// Share of nominated accounts with a lower score, in percent (0 to 100).
    pub percentile: f64,
    /// Findings that hold the account.
    pub findings: u32,
    /// The highest evidence ([`Finding::evidence`]) of a finding that holds it.
    pub evidence: u32,
    /// Transfers with another between the same pair within [`SPLIT_HOURS`].
    pub split: u32,
    /// Most extreme two-sided amount percentile of its transfers (0 to 0.5; lower is more
    /// atypical).
    pub amount_tail: f64,
    /// The empirical p-values of (split payments, atypical amount, counterparts); the first two
    /// make the score, the third is reported only.
    pub p: [f64; 3],
    /// Suspicion received from its counterparts, per counterpart ([`DAMPING`], [`STEPS`]); not
    /// part of the score.
    pub ring: f64,
}

/// The alert of every account, `None` for an account in no finding.
pub fn account_alerts(case: &Case, findings: &[Finding]) -> Vec<Option<AccountAlert>> {
    let t = &case.transfers;
    let n = case.accounts.len();
    let mut held = vec![0u32; n];
    let mut best = vec![0u32; n];
    for f in findings {
        for &a in &f.accounts {
            if let Some(h) = held.get_mut(a.ix()) {
                *h = h.saturating_add(1);
                best[a.ix()] = best[a.ix()].max(f.evidence);
            }
        }
    }
    // The ledger of each nominated account: (counterpart, booking) per transfer.
    let tail = amount_tails(case);
    let mut ledger: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n];
    let mut extreme = vec![0.5f64; n];
    for (e, &te) in tail.iter().enumerate() {
        let (s, d) = (t.from[e], t.to[e]);
        for (a, other) in [(s, d), (d, s)] {
            if a != NO_ACCOUNT && a != other && (a as usize) < n && held[a as usize] > 0 {
                ledger[a as usize].push((other, t.booked_at[e].0));
                extreme[a as usize] = extreme[a as usize].min(te);
            }
        }
    }
    let scored: Vec<usize> = (0..n).filter(|&a| held[a] > 0).collect();
    let split: Vec<u32> = scored
        .iter()
        .map(|&a| {
            let l = &mut ledger[a];
            l.sort_unstable();
            // Transfers within SPLIT_HOURS of another with the same counterpart (sorted by
            // counterpart, then time, so neighbours in the list are the candidates).
            (0..l.len())
                .filter(|&i| {
                    let near = |j: usize| l[j].0 == l[i].0 && (l[j].1 - l[i].1).abs() <= SPLIT_HOURS * 3600;
                    (i > 0 && near(i - 1)) || (i + 1 < l.len() && near(i + 1))
                })
                .count() as u32
        })
        .collect();
    let p_split = upper_tail(&split.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
    let p_amount = upper_tail(&scored.iter().map(|&a| -extreme[a]).collect::<Vec<_>>());
    let own: Vec<f64> = (0..scored.len())
        .map(|i| f64::from(best[scored[i]]) - 10.0 * p_split[i].log10() - 10.0 * p_amount[i].log10())
        .collect();
    // The counterparts' signal: suspicion propagated from the accounts that rank high on their
    // own (module documentation). Reported, not added: as a third term it did not generalise
    // (docs/evaluation.md, "Counterparts").
    let support = ring_support(case, &scored, &upper_tail(&own));
    let p_ring = upper_tail(&support);
    let db: Vec<f64> = own.iter().map(|x| (x * 1000.0).round() / 1000.0).collect();
    let mut sorted = db.clone();
    sorted.sort_by(f64::total_cmp);
    let m = scored.len().max(1) as f64;
    let mut out: Vec<Option<AccountAlert>> = vec![None; n];
    for (i, &a) in scored.iter().enumerate() {
        let below = sorted.partition_point(|v| *v < db[i]);
        out[a] = Some(AccountAlert {
            decibans: db[i],
            percentile: (1000.0 * below as f64 / m).round() / 10.0,
            findings: held[a],
            evidence: best[a],
            split: split[i],
            amount_tail: extreme[a],
            p: [p_split[i], p_amount[i], p_ring[i]],
            ring: support[i],
        });
    }
    out
}

/// Damping of the walk with restart: the share of each step that follows a link rather than
/// restarting, PageRank's 0.85 (Page, Brin, Motwani and Winograd 1999), which TrustRank keeps for propagating from
/// a seed set (Gyöngyi, Garcia-Molina and Pedersen 2004).
pub const DAMPING: f64 = 0.85;

/// Steps of the propagation: TrustRank's 20 (same source), after which the walk's remaining
/// change is below DAMPING^20 ≈ 0.04 of the first step.
pub const STEPS: usize = 20;

/// Suspicion each nominated account receives from its counterparts (module documentation):
/// the undirected graph of nominated accounts, one link per pair that transfers money between
/// them, propagated by [`propagate`] from each account's rank odds `1 / p` (`own_p[i]` the
/// share of nominated accounts scoring at least as much as `nominated[i]`).
fn ring_support(case: &Case, nominated: &[usize], own_p: &[f64]) -> Vec<f64> {
    let t = &case.transfers;
    let mut dense = vec![u32::MAX; case.accounts.len()];
    for (i, &a) in nominated.iter().enumerate() {
        dense[a] = i as u32;
    }
    let mut pairs: Vec<(u32, u32)> = (0..t.len())
        .filter_map(|e| {
            let (s, d) = (*dense.get(t.from[e] as usize)?, *dense.get(t.to[e] as usize)?);
            (s != u32::MAX && d != u32::MAX && s != d).then_some((s.min(d), s.max(d)))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); nominated.len()];
    for &(a, b) in &pairs {
        adj[a as usize].push(b);
        adj[b as usize].push(a);
    }
    propagate(&adj, &own_p.iter().map(|p| 1.0 / p).collect::<Vec<_>>())
}

/// A random walk with restart (personalised PageRank) on the undirected graph `adj`,
/// restarting at each node in proportion to `odds`, [`STEPS`] steps of damping [`DAMPING`]
/// from the restart distribution. Returns, per node, what it received from its neighbours (its
/// value less its own restart) divided by its number of neighbours: a neighbour of several
/// suspicious nodes gains, a busy hub beside one does not (the degree-normalised PageRank of
/// Andersen, Chung and Lang 2006). A node without neighbours receives 0. Each node sums its
/// neighbours' shares in a fixed order, so the result is the same on any number of threads.
fn propagate(adj: &[Vec<u32>], odds: &[f64]) -> Vec<f64> {
    let total: f64 = odds.iter().sum();
    if adj.is_empty() || total <= 0.0 || !total.is_finite() {
        return vec![0.0; adj.len()];
    }
    let restart: Vec<f64> = odds.iter().map(|o| (1.0 - DAMPING) * o / total).collect();
    let mut x: Vec<f64> = odds.iter().map(|o| o / total).collect();
    for _ in 0..STEPS {
        x = (0..adj.len())
            .into_par_iter()
            .map(|v| {
                let got: f64 = adj[v].iter().map(|&u| x[u as usize] / adj[u as usize].len() as f64).sum();
                // A node without neighbours keeps its mass: it has nowhere to pass it.
                let kept = if adj[v].is_empty() { x[v] } else { 0.0 };
                restart[v] + DAMPING * (got + kept)
            })
            .collect();
    }
    (0..adj.len()).map(|v| if adj[v].is_empty() { 0.0 } else { (x[v] - restart[v]) / adj[v].len() as f64 }).collect()
}

/// Empirical upper-tail p-values: for each value, the share of `vals` at least as large.
fn upper_tail(vals: &[f64]) -> Vec<f64> {
    let mut s = vals.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len().max(1) as f64;
    vals.iter().map(|x| (s.len() - s.partition_point(|v| v < x)) as f64 / m).collect()
}

/// Per transfer, the two-sided percentile of its amount among the case's account-to-account
/// transfers of the same currency: `min(#(≤ x), #(≥ x)) / n`, 0.5 for a transfer with no
/// account on either side.
fn amount_tails(case: &Case) -> Vec<f64> {
    let t = &case.transfers;
    let mut tail = vec![0.5f64; t.len()];
    let mut by_cur: BTreeMap<_, Vec<u32>> = BTreeMap::new();
    for i in 0..t.len() {
        if t.from[i] != NO_ACCOUNT && t.to[i] != NO_ACCOUNT {
            by_cur.entry(t.currency[i]).or_default().push(i as u32);
        }
    }
    for idx in by_cur.into_values() {
        let mut amts: Vec<_> = idx.iter().map(|&i| t.amount(i as usize)).collect();
        amts.sort_unstable();
        let n = amts.len() as f64;
        for &i in &idx {
            let x = t.amount(i as usize);
            let le = amts.partition_point(|v| *v <= x) as f64;
            let ge = (amts.len() - amts.partition_point(|v| *v < x)) as f64;
            tail[i as usize] = (le.min(ge) / n).min(0.5);
        }
    }
    tail
}

/// The account's alert in words a prosecutor can read: its percentile and what each part
/// contributed.
pub fn explain(a: &AccountAlert) -> String {
    let share = |p: f64| format!("{:.1} % of accounts in some candidate show as much", p * 100.0);
    format!(
        "percentile {:.1} among the accounts in some candidate ({:.0} decibans); strongest of {} finding(s): {} decibans; \
         {} split payment(s) ({}); most atypical amount at the {:.2} % tail of the case's amounts ({}); suspicion \
         passed on by its counterparts, reported and not scored: {}",
        a.percentile,
        a.decibans,
        a.findings,
        a.evidence,
        a.split,
        share(a.p[0]),
        a.amount_tail * 100.0,
        share(a.p[1]),
        share(a.p[2]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn propagation_rewards_counterparts_of_several_suspicious_accounts() {
        // Seeds 0, 1, 2 (odds 100) all pay account 3; account 4 is a hub beside seed 0 and six
        // quiet accounts 5..=10 (odds 1); account 11 has no counterpart.
        let mut adj: Vec<Vec<u32>> = vec![Vec::new(); 12];
        let mut link = |a: usize, b: usize| {
            adj[a].push(b as u32);
            adj[b].push(a as u32);
        };
        for s in 0..3 {
            link(s, 3);
        }
        link(0, 4);
        for q in 5..=10 {
            link(4, q);
        }
        let mut odds = vec![1.0; 12];
        odds[..3].fill(100.0);
        let r = propagate(&adj, &odds);
        assert!(r[3] > 3.0 * r[4], "{r:?}");
        assert!(r[4] > 0.0 && r[5] > 0.0);
        assert_eq!(r[11], 0.0);
        // Deterministic, and the same whichever order the rayon threads take.
        assert_eq!(r, propagate(&adj, &odds));
        // Nothing to propagate: zeros, not NaN.
        assert_eq!(propagate(&adj, &[0.0; 12]), vec![0.0; 12]);
        assert!(propagate(&[], &[]).is_empty());
    }

    #[test]
    fn propagation_on_two_linked_accounts_matches_the_closed_form() {
        // x1 = (1 - a) + a x2 and x2 = a x1 in the limit: x1 = 1 / (1 + a), x2 = a / (1 + a);
        // what 2 receives is x2 itself (it has no restart), within DAMPING^STEPS of the limit.
        let r = propagate(&[vec![1], vec![0]], &[1.0, 0.0]);
        let want = DAMPING / (1.0 + DAMPING);
        assert!((r[1] - want).abs() <= DAMPING.powi(STEPS as i32), "{} vs {want}", r[1]);
        // 1 receives a x2 ≈ a² / (1 + a).
        assert!((r[0] - DAMPING * want).abs() <= DAMPING.powi(STEPS as i32), "{}", r[0]);
    }

    #[test]
    fn upper_tail_shares_ties() {
        // 3 is reached by one of four, 1 by three of four (ties count as "at least as much").
        assert_eq!(upper_tail(&[0.0, 1.0, 1.0, 3.0]), vec![1.0, 0.75, 0.75, 0.25]);
        assert!(upper_tail(&[]).is_empty());
    }
}
