//! The engine: prepares the events once (booking order, scale, sources, opening balances) and
//! drives one rule's per-account pools through them, propagating taint hop by hop.

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fifo::FifoPool;
use super::ledger::{Lot, Pool, Scratch, Units, POOLED};
use super::libr::LibrPool;
use super::lifo::LifoPool;
use super::poison::PoisonPool;
use super::pro_rata::ProRataPool;
use super::result::{AccountLabelBalance, LabelSummary, LineageEdge, TaintRow, TraceResult};
use super::{Event, Label, Rule, Sources, TraceError};

/// What an account held before the first event, when [`TraceConfig::known_openings`] does not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OpeningPolicy {
    /// Unknown prior funds are clean: the account starts with the smallest clean balance that
    /// keeps it from ever going negative in the ledger (so it is never overdrawn). The default,
    /// because bank extracts rarely start at an account's opening.
    #[default]
    MinimalClean,
    /// The account starts at zero; a debit beyond the balance overdraws it (Bishopsgate handling,
    /// see the module docs).
    Zero,
}

/// Parameters of a trace beyond the rule. `Default`: scale 2 (cents), [`OpeningPolicy::MinimalClean`],
/// no known opening balances, 256 lineage lots per account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceConfig {
    /// Decimal places results are exact to (0..=28). Raised automatically to the finest scale
    /// found among the inputs, so input amounts are never rounded.
    pub scale: u32,
    /// Opening balance of accounts not in `known_openings`.
    pub opening: OpeningPolicy,
    /// Known opening balances (clean money held before the first event) as `(account, amount)`;
    /// may be negative (overdrawn). A later entry for the same account wins.
    pub known_openings: Vec<(u32, Decimal)>,
    /// Pro-rata and LIBR: tainted lots an account keeps apart (one per credit and label, for exact
    /// lineage) before merging them per label. Bounds a debit's cost on busy accounts; merged
    /// lots appear in lineage with `credit_seq: None`. Default 256 (a design choice \[D\]).
    pub max_lots_per_account: usize,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            scale: 2,
            opening: OpeningPolicy::MinimalClean,
            known_openings: Vec::new(),
            max_lots_per_account: 256,
        }
    }
}

/// Traces `sources` through `events` under `rule` with the default [`TraceConfig`].
///
/// # Arguments
/// * `events` - the transfers, in any order (processed by `(at, seq)`); `seq` must be unique.
/// * `sources` - which credits are tainted, with which label.
/// * `rule` - the tracing rule (methodology.md#tracing).
///
/// # Returns
/// Tainted amounts per event, label and hop; lineage; final tainted balances; per-label totals.
///
/// # Errors
/// Invalid input ([`TraceError`] says which), or amounts beyond exact range.
///
/// # Complexity
/// O(n log n) to order n unordered events (O(n) if already ordered), then O(1) per untainted event
/// and O(lots touched) per tainted debit; see the module docs.
///
/// # Example
/// ```
/// use moneytrail::trace::{trace, Event, Label, Rule, Sources};
/// use rust_decimal::Decimal;
/// let ev = |seq, from, to, amount: i64| Event { seq, at: seq as i64, from, to, amount: Decimal::from(amount) };
/// let events = [ev(1, None, Some(0), 1000), ev(2, None, Some(0), 3000), ev(3, Some(0), None, 2500)];
/// let mut sources = Sources::new();
/// sources.add_transfer(2, Label(1));
/// let r = trace(&events, &sources, Rule::Fifo).unwrap();
/// assert_eq!(r.tainted_in_event(3, Label(1)), Decimal::from(1500));
/// assert_eq!(r.remaining(0, Label(1)), Decimal::from(1500));
/// ```
pub fn trace(events: &[Event], sources: &Sources, rule: Rule) -> Result<TraceResult, TraceError> {
    trace_with(events, sources, rule, &TraceConfig::default())
}

/// Like [`trace`], with explicit [`TraceConfig`] (scale, opening balances).
pub fn trace_with(
    events: &[Event],
    sources: &Sources,
    rule: Rule,
    config: &TraceConfig,
) -> Result<TraceResult, TraceError> {
    let prep = Prepared::new(events, sources, config)?;
    run_rule(&prep, rule)
}

/// Traces under several rules in parallel (rayon), preparing the events once.
///
/// Duplicate rules are traced once; results come back sorted by rule ([`Rule::ALL`] order), so
/// the output is identical to tracing each rule sequentially.
///
/// # Complexity
/// One preparation, then the rules' costs spread over the rayon pool.
pub fn trace_rules(
    events: &[Event],
    sources: &Sources,
    rules: &[Rule],
    config: &TraceConfig,
) -> Result<Vec<TraceResult>, TraceError> {
    let mut rules = rules.to_vec();
    rules.sort_unstable();
    rules.dedup();
    let prep = Prepared::new(events, sources, config)?;
    // Progress: every rule walks the events from the first source on.
    let per_rule = events.len().saturating_sub(prep.first) as u64;
    let _progress = crate::progress::stage("trace", Some(per_rule * rules.len() as u64), crate::progress::Unit::Rows);
    rules.par_iter().map(|&r| run_rule(&prep, r)).collect()
}

fn run_rule(prep: &Prepared<'_>, rule: Rule) -> Result<TraceResult, TraceError> {
    match rule {
        Rule::Fifo => run::<FifoPool>(prep, rule),
        Rule::Lifo => run::<LifoPool>(prep, rule),
        Rule::ProRata => run::<ProRataPool>(prep, rule),
        Rule::Libr => run::<LibrPool>(prep, rule),
        Rule::Poison => run::<PoisonPool>(prep, rule),
    }
}

const fn pow10_table() -> [i128; 29] {
    let mut t = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
}
const POW10: [i128; 29] = pow10_table();
const NO_POOL: u32 = u32::MAX;
/// Largest account index accepted beyond `2 * events + known openings` (about 100 MB of state).
const ACCOUNT_SLACK: usize = 1 << 22;

fn out_of_range(context: &'static str) -> TraceError {
    TraceError::AmountOutOfRange { context }
}

/// Everything the rules share: computed once per set of inputs.
struct Prepared<'a> {
    events: &'a [Event],
    /// Processing order as indices into `events`; `None` when `events` is already ordered.
    order: Option<Vec<u32>>,
    /// `(position in processing order, dense label index)`, sorted by position.
    sources: Vec<(u32, u32)>,
    /// Dense label index -> label, ascending.
    labels: Vec<Label>,
    scale: u32,
    max_lots: usize,
    /// Position of the first source; nothing is tainted before it.
    first: usize,
    /// Every account's balance just before position `first`.
    start_balance: Vec<Units>,
}

/// One scan over the inputs: validity, finest scale, extent of account and seq indices, and
/// whether the events are already in processing order.
struct Scan {
    scale: u32,
    max_account: Option<u32>,
    max_seq: u32,
    ordered: bool,
}

impl Scan {
    fn of(events: &[Event], config: &TraceConfig) -> Result<Scan, TraceError> {
        let mut scale = config.scale;
        let mut max_account: Option<u32> = None;
        let mut max_seq = 0u32;
        let mut ordered = true;
        let mut prev: Option<(i64, u32)> = None;
        for ev in events {
            if ev.amount.is_sign_negative() && !ev.amount.is_zero() {
                return Err(TraceError::NegativeAmount { seq: ev.seq, amount: ev.amount });
            }
            if ev.amount.scale() > scale {
                scale = scale.max(ev.amount.normalize().scale());
            }
            for a in [ev.from, ev.to].into_iter().flatten() {
                max_account = Some(max_account.map_or(a, |m| m.max(a)));
            }
            max_seq = max_seq.max(ev.seq);
            let key = (ev.at, ev.seq);
            if prev.is_some_and(|p| p >= key) {
                ordered = false;
            }
            prev = Some(key);
        }
        for &(a, d) in &config.known_openings {
            if d.scale() > scale {
                scale = scale.max(d.normalize().scale());
            }
            max_account = Some(max_account.map_or(a, |m| m.max(a)));
        }
        Ok(Scan { scale, max_account, max_seq, ordered })
    }
}

impl<'a> Prepared<'a> {
    fn new(events: &'a [Event], sources: &Sources, config: &TraceConfig) -> Result<Self, TraceError> {
        if config.scale > 28 {
            return Err(TraceError::InvalidScale(config.scale));
        }
        if events.len() > u32::MAX as usize {
            return Err(TraceError::TooManyEvents(events.len()));
        }
        let n = events.len();
        let scan = Scan::of(events, config)?;
        let accounts = scan.max_account.map_or(0, |m| m as usize + 1);
        if accounts > 2 * n + config.known_openings.len() + ACCOUNT_SLACK {
            return Err(TraceError::SparseAccountIndex { index: scan.max_account.unwrap_or(0), events: n });
        }
        check_unique_seqs(events, scan.max_seq)?;

        let order = if scan.ordered {
            None
        } else {
            // Indices fit in u32: checked against u32::MAX above.
            let mut o: Vec<u32> = (0..n as u32).collect();
            o.sort_unstable_by_key(|&i| (events[i as usize].at, events[i as usize].seq));
            Some(o)
        };

        let mut prep = Prepared {
            events,
            order,
            sources: Vec::new(),
            labels: Vec::new(),
            scale: scan.scale,
            max_lots: config.max_lots_per_account.max(1),
            first: n,
            start_balance: Vec::new(),
        };

        let resolved = sources.resolve((0..n).map(|pos| prep.event(pos)))?;
        let mut labels: Vec<Label> = resolved.iter().map(|&(_, l)| l).collect();
        labels.sort_unstable();
        labels.dedup();
        prep.sources = resolved
            .iter()
            .map(|&(pos, l)| {
                // Every resolved label is in `labels` by construction.
                let ix = labels.binary_search(&l).unwrap_or_default();
                (pos, ix as u32)
            })
            .collect();
        prep.labels = labels;
        prep.first = prep.sources.first().map_or(n, |s| s.0 as usize);
        prep.start_balance = prep.start_balances(config, accounts)?;
        Ok(prep)
    }

    /// Every account's balance just before the first source: its opening balance (known, else
    /// by the policy) plus the ledger up to there, in one pass over the ledger.
    fn start_balances(&self, config: &TraceConfig, accounts: usize) -> Result<Vec<Units>, TraceError> {
        let n = self.events.len();
        let mut known: Vec<Option<Units>> = vec![None; accounts];
        for &(a, d) in &config.known_openings {
            known[a as usize] = Some(self.units(d)?);
        }
        let need_min = config.opening == OpeningPolicy::MinimalClean;
        let mut running: Vec<Units> = vec![0; accounts];
        let mut lowest: Vec<Units> = vec![0; accounts];
        let mut at_first: Vec<Units> = Vec::new();
        let stop = if need_min { n } else { self.first };
        for pos in 0..stop {
            if pos == self.first {
                at_first = running.clone();
            }
            let ev = self.event(pos);
            let amt = self.units(ev.amount)?;
            if let Some(f) = ev.from {
                let r = &mut running[f as usize];
                *r = r.checked_sub(amt).ok_or(out_of_range("summing balances"))?;
                let l = &mut lowest[f as usize];
                *l = (*l).min(*r);
            }
            if let Some(t) = ev.to {
                let r = &mut running[t as usize];
                *r = r.checked_add(amt).ok_or(out_of_range("summing balances"))?;
            }
        }
        if at_first.is_empty() {
            at_first = running;
        }
        (0..accounts)
            .map(|a| {
                let opening = match known[a] {
                    Some(k) => k,
                    None if need_min => (-lowest[a]).max(0),
                    None => 0,
                };
                opening.checked_add(at_first[a]).ok_or(out_of_range("summing balances"))
            })
            .collect()
    }

    fn event(&self, pos: usize) -> &'a Event {
        match &self.order {
            Some(o) => &self.events[o[pos] as usize],
            None => &self.events[pos],
        }
    }

    /// Exact conversion of an input amount to units at the trace's scale.
    fn units(&self, d: Decimal) -> Result<Units, TraceError> {
        let m = d.mantissa();
        let s = d.scale();
        if s <= self.scale {
            m.checked_mul(POW10[(self.scale - s) as usize]).ok_or(out_of_range("converting an amount to units"))
        } else {
            // The trace's scale is at least every input's normalised scale, so the digits dropped
            // here are trailing zeros and the division is exact.
            Ok(m / POW10[(s - self.scale) as usize])
        }
    }

    fn decimal(&self, u: Units) -> Result<Decimal, TraceError> {
        Decimal::try_from_i128_with_scale(u, self.scale).map_err(|_| out_of_range("converting a result to a decimal"))
    }
}

/// Rejects a `seq` used twice. O(n) with a bitmap when seqs are roughly dense, else O(n log n).
fn check_unique_seqs(events: &[Event], max_seq: u32) -> Result<(), TraceError> {
    let words = max_seq as usize / 64 + 1;
    if words <= events.len() + 1024 {
        let mut seen = vec![0u64; words];
        for ev in events {
            let (w, b) = (ev.seq as usize / 64, ev.seq % 64);
            if seen[w] & (1 << b) != 0 {
                return Err(TraceError::DuplicateSeq { seq: ev.seq });
            }
            seen[w] |= 1 << b;
        }
    } else {
        let mut seqs: Vec<u32> = events.iter().map(|e| e.seq).collect();
        seqs.sort_unstable();
        if let Some(w) = seqs.windows(2).find(|w| w[0] == w[1]) {
            return Err(TraceError::DuplicateSeq { seq: w[0] });
        }
    }
    Ok(())
}

/// Internal lineage record: debit at `pos` drew `lot` from `account`.
struct RawEdge {
    pos: u32,
    account: u32,
    lot: Lot,
}

/// What a run records besides the pools: taint rows, lineage and per-label totals (indexed by
/// dense label).
struct Recorded {
    /// (position, tainted part of the event's credit).
    rows: Vec<(u32, Lot)>,
    edges: Vec<RawEdge>,
    introduced: Vec<Units>,
    exited: Vec<Units>,
    absorbed: Vec<Units>,
}

/// Propagates taint through the ledger under the rule implemented by `P`.
///
/// The loop over the events stays in this one function on purpose: it is the hot path of every
/// trace (once per transfer and rule), and its per-account state (balances, pools, scratch
/// buffers) lives in locals rather than being threaded through helpers; only the stateless steps
/// ([`carry_parts`], [`repay_overdraft`]) and the final accounting are functions of their own.
fn run<P: Pool>(prep: &Prepared<'_>, rule: Rule) -> Result<TraceResult, TraceError> {
    let n = prep.events.len();
    let nl = prep.labels.len();
    let mut balance = prep.start_balance.clone();
    let mut pool_of: Vec<u32> = vec![NO_POOL; balance.len()];
    let mut pools: Vec<P> = Vec::new();
    let mut scratch = Scratch::default();
    let mut taken: Vec<Lot> = Vec::new();
    let mut parts: Vec<Lot> = Vec::new();
    let mut rec = Recorded {
        rows: Vec::new(),
        edges: Vec::new(),
        introduced: vec![0; nl],
        exited: vec![0; nl],
        absorbed: vec![0; nl],
    };
    let mut next_source = 0usize;
    // Progress in blocks of events, so that the reports cost nothing beside the tracing.
    const BLOCK: usize = 1 << 16;

    for pos in prep.first..n {
        if (pos - prep.first) % BLOCK == BLOCK - 1 {
            crate::progress::advance(BLOCK as u64);
        }
        let ev = prep.event(pos);
        let amt = prep.units(ev.amount)?;
        let source = match prep.sources.get(next_source) {
            Some(&(p, l)) if p as usize == pos => {
                next_source += 1;
                Some(l)
            }
            _ => None,
        };
        taken.clear();
        parts.clear();

        // Debit: the pool gives up `take`, the part covered by the positive balance; any excess is
        // overdraft (clean). Poison taints the whole debit.
        if let Some(f) = ev.from {
            let f = f as usize;
            let b = balance[f];
            let pi = pool_of[f];
            if pi != NO_POOL {
                let take = if P::CONSERVING { amt.min(b.max(0)) } else { amt };
                pools[pi as usize].debit(take, amt, &mut scratch, &mut taken)?;
            }
            balance[f] = b.checked_sub(amt).ok_or(out_of_range("updating a balance"))?;
            debug_assert!(!P::CONSERVING || pi == NO_POOL || pools[pi as usize].total() == balance[f].max(0));
            for lot in &taken {
                rec.edges.push(RawEdge { pos: pos as u32, account: f as u32, lot: *lot });
            }
        }

        if !taken.is_empty() {
            carry_parts::<P>(&mut taken, &mut parts, ev.seq);
        }
        if let Some(l) = source {
            let carried: Units = parts.iter().map(|p| p.amount).sum();
            let fresh = if P::CONSERVING { amt - carried } else { amt };
            if fresh > 0 {
                parts.push(Lot { amount: fresh, label: l, hop: 0, origin: ev.seq });
                rec.introduced[l as usize] += fresh;
                parts.sort_by_key(|p| (p.label, p.hop));
            }
        }
        for p in &parts {
            rec.rows.push((pos as u32, *p));
        }

        // Credit.
        match ev.to {
            None => {
                for p in &parts {
                    rec.exited[p.label as usize] += p.amount;
                }
            }
            Some(t) => {
                let t = t as usize;
                let b = balance[t];
                let mut credited = amt;
                if P::CONSERVING && b < 0 && amt > 0 {
                    credited = repay_overdraft(&mut parts, &mut rec.absorbed, amt, b);
                }
                balance[t] = b.checked_add(amt).ok_or(out_of_range("updating a balance"))?;
                let mut pi = pool_of[t];
                if pi == NO_POOL && !parts.is_empty() {
                    pools.push(P::with_clean(b.max(0), prep.max_lots));
                    // Pools are at most one per account, and accounts fit in u32.
                    pi = (pools.len() - 1) as u32;
                    pool_of[t] = pi;
                }
                if pi != NO_POOL {
                    pools[pi as usize].credit(credited, &parts);
                    debug_assert!(!P::CONSERVING || pools[pi as usize].total() == balance[t].max(0));
                }
            }
        }
    }
    crate::progress::advance((n.saturating_sub(prep.first) % BLOCK) as u64);

    let (balances, remaining) = final_balances(prep, &balance, &pool_of, &pools)?;
    into_result(prep, rule, P::CONSERVING, rec, balances, remaining)
}

/// The debit's tainted lots `taken`, one part per label, become the credit's `parts` at hop
/// max + 1, with the debit's `seq` as origin (summed under a conserving rule, the largest under
/// poison).
#[inline]
fn carry_parts<P: Pool>(taken: &mut [Lot], parts: &mut Vec<Lot>, seq: u32) {
    taken.sort_by_key(|l| l.label);
    for lot in taken.iter() {
        match parts.last_mut() {
            Some(p) if p.label == lot.label => {
                p.amount = if P::CONSERVING { p.amount + lot.amount } else { p.amount.max(lot.amount) };
                p.hop = p.hop.max(lot.hop);
            }
            _ => parts.push(Lot { origin: seq, ..*lot }),
        }
    }
    for p in parts.iter_mut() {
        p.hop = p.hop.saturating_add(1);
    }
}

/// A credit of `amt` into an account overdrawn to `balance` (< 0) repays the overdraft with the
/// clean part first, then tainted `parts` in (label, hop) order; the tainted money repaid is
/// lost to tracing (added to `absorbed`). Returns the amount that reaches the pool.
#[inline]
fn repay_overdraft(parts: &mut Vec<Lot>, absorbed: &mut [Units], amt: Units, balance: Units) -> Units {
    let repay = amt.min(-balance);
    let clean = amt - parts.iter().map(|p| p.amount).sum::<Units>();
    let mut rest = repay - repay.min(clean);
    for p in parts.iter_mut() {
        if rest == 0 {
            break;
        }
        let x = rest.min(p.amount);
        p.amount -= x;
        absorbed[p.label as usize] += x;
        rest -= x;
    }
    parts.retain(|p| p.amount > 0);
    amt - repay
}

/// Final tainted balances, by account then label, and the tainted total left per label.
fn final_balances<P: Pool>(
    prep: &Prepared<'_>,
    balance: &[Units],
    pool_of: &[u32],
    pools: &[P],
) -> Result<(Vec<AccountLabelBalance>, Vec<Units>), TraceError> {
    let mut remaining: Vec<Units> = vec![0; prep.labels.len()];
    let mut balances = Vec::new();
    let mut held: Vec<(u32, Units)> = Vec::new();
    for (a, &pi) in pool_of.iter().enumerate() {
        if pi == NO_POOL {
            continue;
        }
        held.clear();
        pools[pi as usize].remaining(balance[a].max(0), &mut |l, u| held.push((l, u)));
        held.sort_unstable_by_key(|h| h.0);
        let mut i = 0;
        while i < held.len() {
            let label = held[i].0;
            let mut sum: Units = 0;
            while i < held.len() && held[i].0 == label {
                sum += held[i].1;
                i += 1;
            }
            if sum != 0 {
                remaining[label as usize] += sum;
                balances.push(AccountLabelBalance {
                    account: a as u32,
                    label: prep.labels[label as usize],
                    balance: prep.decimal(balance[a])?,
                    tainted: prep.decimal(sum)?,
                });
            }
        }
    }
    Ok((balances, remaining))
}

/// The run's records in the result's terms: events by seq, labels as given, units as decimals.
fn into_result(
    prep: &Prepared<'_>,
    rule: Rule,
    conserving: bool,
    rec: Recorded,
    balances: Vec<AccountLabelBalance>,
    remaining: Vec<Units>,
) -> Result<TraceResult, TraceError> {
    let rows = rec
        .rows
        .into_iter()
        .map(|(pos, p)| {
            let ev = prep.event(pos as usize);
            Ok(TaintRow {
                seq: ev.seq,
                at: ev.at,
                from: ev.from,
                to: ev.to,
                amount: ev.amount,
                label: prep.labels[p.label as usize],
                hop: p.hop,
                tainted: prep.decimal(p.amount)?,
            })
        })
        .collect::<Result<Vec<_>, TraceError>>()?;
    let lineage = rec
        .edges
        .into_iter()
        .map(|e| {
            Ok(LineageEdge {
                debit_seq: prep.event(e.pos as usize).seq,
                credit_seq: (e.lot.origin != POOLED).then_some(e.lot.origin),
                account: e.account,
                label: prep.labels[e.lot.label as usize],
                hop: e.lot.hop,
                amount: prep.decimal(e.lot.amount)?,
            })
        })
        .collect::<Result<Vec<_>, TraceError>>()?;
    let labels = (0..prep.labels.len())
        .map(|i| {
            Ok(LabelSummary {
                label: prep.labels[i],
                introduced: prep.decimal(rec.introduced[i])?,
                exited: prep.decimal(rec.exited[i])?,
                absorbed_by_overdraft: prep.decimal(rec.absorbed[i])?,
                remaining: prep.decimal(remaining[i])?,
            })
        })
        .collect::<Result<Vec<_>, TraceError>>()?;
    Ok(TraceResult { rule, conserving, scale: prep.scale, rows, lineage, balances, labels })
}
