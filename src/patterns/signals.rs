//! Signals every bank ledger carries, computed once per case ([`Signals`]), and the surprise
//! they measure: how unlikely an account's activity in a candidate's window is given its own
//! history, with its peer group as the prior when the history is short (docs/methodology.md#ranking).
//!
//! The baseline of an account is a Poisson rate of events (transfers, or transfers to or from
//! counterparts it had never dealt with before) per day. It is estimated from the account's
//! activity outside the candidate (its own history) shrunk towards the pooled rate of its peer
//! group (accounts of the same holder kind: person, company or unknown), with the weight of
//! `PRIOR_DAYS` days of the peer rate: a Gamma prior with mean equal to the peer rate, so the
//! count in a window of `d` days is negative binomial (the Gamma-Poisson mixture). The surprise
//! of observing at least `k` events is `-10·log10 P(X >= k)` in decibans: 10 means one window
//! in ten would show this much by chance, 30 one in a thousand. A hub with steady high
//! activity has a high own rate and earns little; a dormant or new account with a sudden fan
//! is compared with its peers and earns much.
//!
//! Everything is computed in `f64` with a fixed order of operations and rounded to whole
//! decibans, so the points are the same on every run and thread count.

use super::common::{is_account_flow, DAY, HOUR};
use super::context::{Datum, Spec};
use super::detector::DetectCtx;
use super::finding::Finding;
use crate::graph::FlowGraph;
use crate::model::{Case, EntityKind};
use rayon::prelude::*;
use std::collections::HashMap;

/// Weight of the peer group's rate in an account's baseline, in days of observation: one
/// 30-day window (AMLSim's look-back, docs/methodology.md#src-amlsim) (project default).
pub const PRIOR_DAYS: f64 = 30.0;

/// Payments between one pair within this many hours count as one split payment (AMLSim's
/// alert transactions: several transfers of one pair on one day; FinCEN's structuring: several
/// transactions on one day) (project default).
pub const SPLIT_HOURS: i64 = 24;
/// An account with no transfer for this many days before a candidate, but with activity
/// before that, was dormant: three 30-day windows (project default).
pub const DORMANT_DAYS: i64 = 90;
/// An account active (first to last booking) for at most this many days of a ledger of at
/// least `context::HISTORY_DAYS` is short-lived: one 30-day window (mule accounts are opened,
/// used and abandoned, FinCEN FIN-2014-A008) (project default).
pub const SHORT_LIVED_DAYS: i64 = 30;
/// Gaps between consecutive payments within this share of their mean are regular timing
/// (scheduled payments, AMLSim's "fixed interval" mode) (project default).
pub const REGULAR_SPREAD: f64 = 0.1;

/// Counterparts new to the account (graded: the surprise of their number against its own
/// history and its peers).
pub const NEW_COUNTERPARTS: Spec = Spec { name: "new_counterparts", points: 30, needs: &[], graded: true };
/// Several payments between one pair within a day (graded: the surprise of their number
/// against the account's usual rate).
pub const SPLIT_PAYMENTS: Spec = Spec { name: "split_payments", points: 20, needs: &[], graded: true };
/// No activity for `DORMANT_DAYS`, then the pattern.
pub const DORMANT: Spec = Spec { name: "dormant_then_active", points: 10, needs: &[Datum::History], graded: false };
/// Most of the participants live for at most `SHORT_LIVED_DAYS`.
pub const SHORT_LIVED: Spec = Spec { name: "short_lived", points: 10, needs: &[Datum::History], graded: false };
/// Payments at regular intervals.
pub const REGULAR_TIMING: Spec = Spec { name: "regular_timing", points: 5, needs: &[], graded: false };

/// Per-case baselines for the transfer signals.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    /// Per transfer: true when it is the first account-to-account transfer between its two
    /// accounts, in either direction (the counterpart is new to both).
    first_contact: Vec<bool>,
    /// Per account: first booking (seconds), `i64::MAX` when it has none.
    first: Vec<i64>,
    /// Per account: last booking (seconds), `i64::MIN` when it has none.
    last: Vec<i64>,
    /// Per account: incoming account flows that were first contacts.
    new_in: Vec<u32>,
    /// Per account: outgoing account flows that were first contacts.
    new_out: Vec<u32>,
    /// Per account: incoming account flows.
    n_in: Vec<u32>,
    /// Per account: outgoing account flows.
    n_out: Vec<u32>,
    /// Per account: its peer group (0 person, 1 company, 2 holder unknown).
    group: Vec<u8>,
    /// Per peer group: pooled rates per day of (new in, new out, in, out).
    peer: [[f64; 4]; 3],
    /// First and last booking of the ledger (seconds).
    ledger: (i64, i64),
}

/// Which events a baseline counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Events {
    /// Incoming transfers from counterparts new to the account.
    NewIn,
    /// Outgoing transfers to counterparts new to the account.
    NewOut,
    /// Incoming transfers.
    In,
    /// Outgoing transfers.
    Out,
}

impl Events {
    fn col(self) -> usize {
        match self {
            Events::NewIn => 0,
            Events::NewOut => 1,
            Events::In => 2,
            Events::Out => 3,
        }
    }
}

impl Signals {
    /// Computes the baselines of `case`. O(E log E) for the first-contact sort, parallel.
    pub fn of(case: &Case, g: &FlowGraph) -> Signals {
        let n = g.account_count() as usize;
        let e = g.edge_count();
        let flows: Vec<u32> = (0..e as u32).into_par_iter().filter(|&x| is_account_flow(case, g, x)).collect();
        // First contact per unordered pair {a, b}, found at the smaller account a: its in- and
        // out-edges merged in (time, id) order, the first edge to or from each larger b.
        let firsts: Vec<u32> = g
            .par_accounts()
            .flat_map_iter(|a| {
                let (outs, ins) = (g.out_edges(a), g.in_edges(a));
                let key = |x: u32| (g.time[x as usize], x);
                let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::new();
                let mut out = Vec::new();
                let (mut i, mut j) = (0, 0);
                while i < outs.len() || j < ins.len() {
                    let x = if j >= ins.len() || (i < outs.len() && key(outs[i]) <= key(ins[j])) {
                        i += 1;
                        outs[i - 1]
                    } else {
                        j += 1;
                        ins[j - 1]
                    };
                    let other = if g.src[x as usize] == a { g.dst[x as usize] } else { g.src[x as usize] };
                    if other > a && is_account_flow(case, g, x) && seen.insert(other) {
                        out.push(x);
                    }
                }
                out
            })
            .collect();
        let mut first_contact = vec![false; e];
        for x in firsts {
            first_contact[x as usize] = true;
        }
        let mut s = Signals {
            first_contact,
            first: vec![i64::MAX; n],
            last: vec![i64::MIN; n],
            new_in: vec![0; n],
            new_out: vec![0; n],
            n_in: vec![0; n],
            n_out: vec![0; n],
            group: (0..n as u32)
                .map(|a| match case.accounts.rows[a as usize].holder.map(|h| h.kind) {
                    Some(EntityKind::Person) => 0,
                    Some(EntityKind::Company) => 1,
                    None => 2,
                })
                .collect(),
            peer: [[0.0; 4]; 3],
            ledger: (i64::MAX, i64::MIN),
        };
        for x in 0..e {
            let t = g.time[x].0;
            s.ledger = (s.ledger.0.min(t), s.ledger.1.max(t));
            for v in [g.src[x], g.dst[x]] {
                if (v as usize) < n {
                    s.first[v as usize] = s.first[v as usize].min(t);
                    s.last[v as usize] = s.last[v as usize].max(t);
                }
            }
        }
        for &x in &flows {
            let (a, b) = (g.src[x as usize] as usize, g.dst[x as usize] as usize);
            s.n_out[a] += 1;
            s.n_in[b] += 1;
            if s.first_contact[x as usize] {
                s.new_out[a] += 1;
                s.new_in[b] += 1;
            }
        }
        // Pooled peer rates: events over exposure (each account from its first activity, or
        // its opening date when earlier, to the ledger's end; at least one day).
        let mut sum = [[0.0f64; 5]; 3];
        for a in 0..n {
            if s.first[a] == i64::MAX {
                continue;
            }
            let gi = s.group[a] as usize;
            let c = [s.new_in[a], s.new_out[a], s.n_in[a], s.n_out[a]];
            for (k, v) in c.iter().enumerate() {
                sum[gi][k] += f64::from(*v);
            }
            sum[gi][4] += s.exposure_days(case, a as u32);
        }
        for (peer, sum) in s.peer.iter_mut().zip(&sum) {
            for (k, p) in peer.iter_mut().enumerate() {
                *p = if sum[4] > 0.0 { sum[k] / sum[4] } else { 0.0 };
            }
        }
        s
    }

    /// True when transfer `e` is the first between its two accounts.
    #[inline]
    pub fn is_first_contact(&self, e: u32) -> bool {
        self.first_contact.get(e as usize).copied().unwrap_or(false)
    }

    /// Days the account was observable: from its first activity (or its opening date, if
    /// earlier) to the ledger's last booking, at least one day.
    pub fn exposure_days(&self, case: &Case, a: u32) -> f64 {
        let ai = a as usize;
        let opened = case.accounts.rows.get(ai).and_then(|r| r.opened_on).map(|d| d.start().0);
        let start = match opened {
            Some(o) if o < self.first[ai] => o.max(self.ledger.0),
            _ => self.first[ai],
        };
        (((self.ledger.1 - start) as f64) / DAY as f64).max(1.0)
    }

    /// Days from the first to the last booking of the ledger.
    pub fn ledger_days(&self) -> f64 {
        if self.ledger.1 < self.ledger.0 {
            0.0
        } else {
            (self.ledger.1 - self.ledger.0) as f64 / DAY as f64
        }
    }

    /// First and last booking of account `a` (seconds), `None` when it has none.
    pub fn active(&self, a: u32) -> Option<(i64, i64)> {
        let ai = a as usize;
        (self.first.get(ai).copied().unwrap_or(i64::MAX) != i64::MAX).then(|| (self.first[ai], self.last[ai]))
    }

    /// The account's total of `ev` over its life.
    pub fn count(&self, a: u32, ev: Events) -> u32 {
        let ai = a as usize;
        match ev {
            Events::NewIn => self.new_in[ai],
            Events::NewOut => self.new_out[ai],
            Events::In => self.n_in[ai],
            Events::Out => self.n_out[ai],
        }
    }

    /// The peer group's pooled rate of `ev` per day for account `a`.
    pub fn peer_rate(&self, a: u32, ev: Events) -> f64 {
        self.peer[self.group[a as usize] as usize][ev.col()]
    }

    /// Surprise, in decibans, of account `a` showing at least `k` events `ev` in a window of
    /// `days` (at least one day) that holds `k_in_window` of its lifetime events: the negative
    /// binomial tail of its baseline from the rest of its life, with the peer prior (module
    /// documentation). 0 when `k` is 0.
    pub fn surprise(&self, case: &Case, a: u32, ev: Events, k: u32, k_in_window: u32, days: f64) -> f64 {
        if k == 0 {
            return 0.0;
        }
        let d = days.max(1.0);
        let rest = f64::from(self.count(a, ev).saturating_sub(k_in_window));
        let t_rest = (self.exposure_days(case, a) - d).max(0.0);
        let m = self.peer_rate(a, ev).max(1e-6);
        let shape = m * PRIOR_DAYS + rest;
        let rate = PRIOR_DAYS + t_rest;
        let p_tail = nb_tail(f64::from(k), shape, rate / (rate + d));
        deciban(p_tail)
    }
}

/// "about 1 in 320", from a surprise in decibans (at most 60: "1 in a million or rarer"), for
/// explanations; computed from whole decibans with a fixed table, so the text is the same
/// everywhere.
pub fn odds(db: f64) -> String {
    let d = points(db, 60);
    if d >= 60 {
        return "1 in a million or rarer".into();
    }
    const MANTISSA: [u64; 10] = [10, 13, 16, 20, 25, 32, 40, 50, 63, 79];
    let n = MANTISSA[(d % 10) as usize] * 10u64.pow(d / 10);
    if n < 100 {
        format!("about 1 in {}.{}", n / 10, n % 10)
    } else {
        format!("about 1 in {}", n / 10)
    }
}

/// Span of `edges` (sorted by time) in days, at least one day.
pub fn span_days(g: &FlowGraph, edges: &[u32]) -> f64 {
    match (edges.first(), edges.last()) {
        (Some(&a), Some(&b)) => ((g.time[b as usize].0 - g.time[a as usize].0) as f64 / DAY as f64).max(1.0),
        _ => 1.0,
    }
}

/// The counterpart of account `a` in transfer `e`.
fn other(g: &FlowGraph, a: u32, e: u32) -> u32 {
    if g.src[e as usize] == a {
        g.dst[e as usize]
    } else {
        g.src[e as usize]
    }
}

/// Fires [`NEW_COUNTERPARTS`] on `f` for account `a` and its candidate `edges` (its flows in
/// direction `ev`, [`Events::NewIn`] or [`Events::NewOut`], sorted by time): how many of the
/// counterparts in `edges` had never dealt with `a` before, against the account's own rate of
/// new counterparts and its peers'. `what` names them ("senders"). Returns the points.
pub(crate) fn new_counterparts(
    ctx: &DetectCtx<'_>,
    f: &mut Finding,
    a: u32,
    edges: &[u32],
    ev: Events,
    what: &str,
) -> u32 {
    let g = &ctx.graph.flow;
    let k = edges.iter().filter(|&&e| ctx.signals.is_first_contact(e)).count() as u32;
    let mut all: Vec<u32> = edges.iter().map(|&e| other(g, a, e)).collect();
    all.sort_unstable();
    all.dedup();
    let days = span_days(g, edges);
    let db = ctx.signals.surprise(ctx.case, a, ev, k, k, days);
    let pts = points(db, NEW_COUNTERPARTS.points);
    let rate = ctx.signals.peer_rate(a, ev) * 30.0;
    f.indicate_graded(
        &NEW_COUNTERPARTS,
        pts,
        format!(
            "{k} of the {} {what} had never dealt with the account before, within {days:.0} days; against the account's own \
             history and its peers ({rate:.1} new per 30 days) that is {}",
            all.len(),
            odds(db)
        ),
    );
    pts
}

/// Fires [`SPLIT_PAYMENTS`] on `f` when two or more of `edges` (flows of account `a` in
/// direction `ev`, [`Events::In`] or [`Events::Out`], sorted by time) go between `a` and one
/// counterpart within [`SPLIT_HOURS`]: graded by the surprise of the largest such number
/// against the account's usual daily rate. Returns the points.
pub(crate) fn split_payments(ctx: &DetectCtx<'_>, f: &mut Finding, a: u32, edges: &[u32], ev: Events) -> u32 {
    let g = &ctx.graph.flow;
    let mut by: HashMap<u32, Vec<i64>> = HashMap::new();
    for &e in edges {
        by.entry(other(g, a, e)).or_default().push(g.time[e as usize].0);
    }
    // Largest count within SPLIT_HOURS for one counterpart; ties to the smaller account index.
    let (mut best, mut who) = (0usize, u32::MAX);
    for (&c, ts) in &by {
        let mut lo = 0;
        for hi in 0..ts.len() {
            while ts[hi] - ts[lo] > SPLIT_HOURS * HOUR {
                lo += 1;
            }
            let n = hi - lo + 1;
            if n > best || (n == best && c < who) {
                (best, who) = (n, c);
            }
        }
    }
    if best < 2 {
        return 0;
    }
    let m = best as u32;
    let db = ctx.signals.surprise(ctx.case, a, ev, m, m, 1.0);
    let pts = points(db, SPLIT_PAYMENTS.points);
    f.indicate_graded(
        &SPLIT_PAYMENTS,
        pts,
        format!(
            "{m} payments between the account and {} within {SPLIT_HOURS} h; against the account's usual rate that is {}",
            ctx.case.accounts.rows.get(who as usize).map_or("?", |r| r.id.as_str()),
            odds(db)
        ),
    );
    pts
}

/// Fires [`DORMANT`] when account `a` had no transfer in the [`DORMANT_DAYS`] before `t0` but
/// had some before that (needs account history).
pub(crate) fn dormant_then_active(ctx: &DetectCtx<'_>, f: &mut Finding, a: u32, t0: i64) {
    if !ctx.data.has(Datum::History) {
        return;
    }
    let g = &ctx.graph.flow;
    let before = |edges: &[u32]| {
        let i = edges.partition_point(|&e| g.time[e as usize].0 < t0);
        i.checked_sub(1).map(|j| g.time[edges[j] as usize].0)
    };
    let prev = before(g.in_edges(a)).max(before(g.out_edges(a)));
    if let Some(p) = prev {
        let gap = (t0 - p) / DAY;
        if gap >= DORMANT_DAYS {
            f.indicate(&DORMANT, format!("the account had no transfer for {gap} days before"));
        }
    }
}

/// Fires [`SHORT_LIVED`] when at least half of `accounts` (two or more) were active for at
/// most [`SHORT_LIVED_DAYS`] (needs account history). `what` names them.
pub(crate) fn short_lived(ctx: &DetectCtx<'_>, f: &mut Finding, accounts: &[u32], what: &str) {
    if !ctx.data.has(Datum::History) || accounts.len() < 2 {
        return;
    }
    let n = accounts
        .iter()
        .filter(|&&a| ctx.signals.active(a).is_some_and(|(x, y)| y - x <= SHORT_LIVED_DAYS * DAY))
        .count();
    if n * 2 >= accounts.len() {
        f.indicate(
            &SHORT_LIVED,
            format!("{n} of the {} {what} were active for at most {SHORT_LIVED_DAYS} days in all", accounts.len()),
        );
    }
}

/// Fires [`REGULAR_TIMING`] when four or more of `edges` (sorted by time) follow each other at
/// intervals within [`REGULAR_SPREAD`] of their mean, the mean at least an hour.
pub(crate) fn regular_timing(ctx: &DetectCtx<'_>, f: &mut Finding, edges: &[u32]) {
    if edges.len() < 4 {
        return;
    }
    let g = &ctx.graph.flow;
    let gaps: Vec<i64> = edges.windows(2).map(|w| g.time[w[1] as usize].0 - g.time[w[0] as usize].0).collect();
    let mean = gaps.iter().sum::<i64>() as f64 / gaps.len() as f64;
    if mean < HOUR as f64 {
        return;
    }
    if gaps.iter().all(|&x| (x as f64 - mean).abs() <= REGULAR_SPREAD * mean) {
        f.indicate(
            &REGULAR_TIMING,
            format!("{} payments at regular intervals of about {:.1} days", edges.len(), mean / DAY as f64),
        );
    }
}

/// `-10·log10 p`, for p in (0, 1]; 300 for p = 0 (beyond any cap).
pub fn deciban(p: f64) -> f64 {
    if p <= 0.0 {
        300.0
    } else {
        (-10.0 * p.log10()).max(0.0)
    }
}

/// Whole points from a surprise in decibans, capped at `cap` (rounded half up, so the points
/// are the same everywhere).
pub fn points(db: f64, cap: u32) -> u32 {
    let r = (db + 0.5).floor();
    if r <= 0.0 {
        0
    } else if r >= f64::from(cap) {
        cap
    } else {
        r as u32
    }
}

/// P(X >= k) for X negative binomial with `shape` r > 0 and success probability `p` (the
/// Gamma-Poisson mixture of mean r(1-p)/p): the regularised incomplete beta I_{1-p}(k, r).
pub fn nb_tail(k: f64, shape: f64, p: f64) -> f64 {
    if k <= 0.0 {
        return 1.0;
    }
    let q = (1.0 - p).clamp(0.0, 1.0);
    if q <= 0.0 {
        return 0.0;
    }
    beta_inc(k, shape.max(1e-9), q)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; relative error below 1e-13).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b) (continued fraction, Lentz's method).
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_binomial_tail_matches_known_values() {
        // Geometric (r = 1): P(X >= k) = (1 - p)^k.
        for &(k, p) in &[(1.0, 0.5), (3.0, 0.5), (5.0, 0.9), (10.0, 0.2)] {
            let want = f64::powf(1.0 - p, k);
            let got = nb_tail(k, 1.0, p);
            assert!((got - want).abs() < 1e-12 * want.max(1e-300) + 1e-15, "k {k} p {p}: {got} vs {want}");
        }
        // r = 2, p = 0.5: P(X = x) = (x + 1) / 2^(x + 2); P(X >= 2) = 1 - 1/4 - 2/8 = 0.5.
        assert!((nb_tail(2.0, 2.0, 0.5) - 0.5).abs() < 1e-12);
        assert_eq!(nb_tail(0.0, 3.0, 0.5), 1.0);
        // Large shape approaches Poisson: mean 2, P(X >= 5) = 0.052653.
        let r = 1e7;
        let p = r / (r + 2.0);
        assert!((nb_tail(5.0, r, p) - 0.052_653).abs() < 1e-5, "{}", nb_tail(5.0, r, p));
    }

    #[test]
    fn points_round_and_cap() {
        assert_eq!(points(deciban(0.1), 30), 10);
        assert_eq!(points(deciban(0.001), 30), 30);
        assert_eq!(points(deciban(1e-9), 30), 30);
        assert_eq!(points(deciban(1.0), 30), 0);
        assert_eq!(points(deciban(0.0), 20), 20);
        assert_eq!(points(14.49, 30), 14);
        assert_eq!(points(14.5, 30), 15);
    }

    #[test]
    fn odds_read_as_words() {
        assert_eq!(odds(0.0), "about 1 in 1.0");
        assert_eq!(odds(10.0), "about 1 in 10");
        assert_eq!(odds(23.2), "about 1 in 200");
        assert_eq!(odds(30.0), "about 1 in 1000");
        assert_eq!(odds(75.0), "1 in a million or rarer");
    }
}
