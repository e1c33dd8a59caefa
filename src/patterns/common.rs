//! Small helpers shared by the transfer-pattern detectors: who holds an account, how old it is,
//! amounts as floats for band tests, sliding windows of distinct counterparts, and
//! pass-through ("forwarded within hours") tests. Evidence totals stay in `Decimal`; the float
//! copies are only used to compare amounts against retention bands.

use crate::graph::FlowGraph;
use crate::model::{Case, Channel, DateTime, EntityKind, EntityRef};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;

/// Base-currency amounts as `f64`, for band comparisons in hot loops (O(E)).
pub(crate) fn amounts_f64(g: &FlowGraph) -> Vec<f64> {
    g.base.iter().map(|d| d.to_f64().unwrap_or(0.0)).collect()
}

/// The case's cash-reporting threshold as `f64` (assumed to be in the base currency).
pub(crate) fn threshold(case: &Case) -> f64 {
    case.meta.cash_report.amount.to_f64().unwrap_or(0.0)
}

/// The holder of account `a`, if known.
pub(crate) fn holder(case: &Case, a: u32) -> Option<EntityRef> {
    case.accounts.rows.get(a as usize).and_then(|r| r.holder)
}

/// True when account `a` is held by a natural person.
pub(crate) fn is_personal(case: &Case, a: u32) -> bool {
    holder(case, a).is_some_and(|h| h.kind == EntityKind::Person)
}

/// True when both accounts have the same known holder (own-account transfers).
pub(crate) fn same_holder(case: &Case, a: u32, b: u32) -> bool {
    match (holder(case, a), holder(case, b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// True when account `a` was opened at most `max_days` before `at`.
pub(crate) fn is_new(case: &Case, a: u32, at: DateTime, max_days: i64) -> bool {
    case.accounts.rows.get(a as usize).and_then(|r| r.opened_on).is_some_and(|o| (at.0 - o.start().0) <= max_days * DAY)
}

/// True when transfer `e` is a card payment (merchant acquiring: excluded from flow patterns).
pub(crate) fn is_card(case: &Case, e: u32) -> bool {
    case.transfers.channel[e as usize] == Channel::Card
}

/// True when `e` moves money between two accounts (no cash side, no card), and not between
/// two accounts of the same holder.
pub(crate) fn is_account_flow(case: &Case, g: &FlowGraph, e: u32) -> bool {
    let (s, d) = (g.src[e as usize], g.dst[e as usize]);
    s < g.account_count() && d < g.account_count() && !is_card(case, e) && !same_holder(case, s, d)
}

/// Sum of base amounts.
pub(crate) fn total(g: &FlowGraph, edges: &[u32]) -> Decimal {
    edges.iter().map(|&e| g.base[e as usize]).sum()
}

/// Merged windows of `edges` (sorted by time) in which at least `min` distinct counterparts
/// (`key[e]`) appear within `w` seconds. Returns the edges of each episode.
///
/// # Complexity
/// O(len(edges)) with a hash map of the counterparts in the window.
pub(crate) fn episodes(edges: &[u32], time: &[DateTime], key: &[u32], w: i64, min: usize) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let mut lo = 0;
    // Current episode as an index range [start, end) into `edges`.
    let mut cur: Option<(usize, usize)> = None;
    for hi in 0..edges.len() {
        let th = time[edges[hi] as usize].0;
        *counts.entry(key[edges[hi] as usize]).or_insert(0) += 1;
        while time[edges[lo] as usize].0 < th - w {
            let s = key[edges[lo] as usize];
            if let Some(c) = counts.get_mut(&s) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&s);
                }
            }
            lo += 1;
        }
        if counts.len() >= min {
            cur = match cur {
                Some((s, e)) if lo <= e => Some((s.min(lo), hi + 1)),
                Some((s, e)) => {
                    out.push(edges[s..e].to_vec());
                    Some((lo, hi + 1))
                }
                None => Some((lo, hi + 1)),
            };
        }
    }
    if let Some((s, e)) = cur {
        out.push(edges[s..e].to_vec());
    }
    out
}

/// The inflows of account `a` that fund payment `e` (booked at most `within` seconds before
/// it), when together they cover at least `min_cover` of its amount: the mule's
/// "received, then passed on" (docs/domain.md §1.3 #3). Returns the funding transfers.
pub(crate) fn funding(g: &FlowGraph, amt: &[f64], a: u32, e: u32, within: i64, min_cover: f64) -> Option<Vec<u32>> {
    let t = g.time[e as usize];
    let ins = g.in_between(a, DateTime(t.0 - within), t);
    let mut sum = 0.0;
    let mut used = Vec::new();
    for &i in ins.iter().rev() {
        if i == e || g.time[i as usize] > t {
            continue;
        }
        sum += amt[i as usize];
        used.push(i);
        if sum >= min_cover * amt[e as usize] {
            return Some(used);
        }
    }
    None
}

/// True when transfer `e` sends a case subject's money abroad: the payer's holder is known (a
/// subject of the case, not a foreign counterpart) and the IBAN countries of both accounts
/// differ, or, without IBANs, the transfer is a remittance.
pub(crate) fn goes_abroad(case: &Case, g: &FlowGraph, e: u32) -> bool {
    let country = |a: u32| {
        case.accounts
            .rows
            .get(a as usize)
            .and_then(|r| r.iban.as_deref())
            .and_then(|i| i.get(..2))
            .filter(|c| c.bytes().all(|b| b.is_ascii_uppercase()))
    };
    let (s, d) = (g.src[e as usize], g.dst[e as usize]);
    if holder(case, s).is_none() {
        return false;
    }
    match (country(s), country(d)) {
        (Some(a), Some(b)) => a != b,
        _ => case.transfers.channel[e as usize] == Channel::Remittance,
    }
}

/// The registered address of the holder of account `a`, if known and not empty.
pub(crate) fn address(case: &Case, a: u32) -> Option<&str> {
    let h = holder(case, a)?;
    let s = match h.kind {
        EntityKind::Person => case.persons.rows.get(h.idx as usize)?.address.as_deref(),
        EntityKind::Company => case.companies.rows.get(h.idx as usize)?.registered_address.as_deref(),
    }?;
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// How many of `accts` (distinct holders) share their holder's address with the holder of
/// another account in `accts` or with `with` (FinCEN 2020: "unrelated senders sharing
/// addresses", docs/domain.md §1.1 and §1.3 #10).
pub(crate) fn shared_address_count(case: &Case, accts: &[u32], with: Option<u32>) -> usize {
    let mut by_addr: HashMap<&str, Vec<EntityRef>> = HashMap::new();
    let mut all: Vec<u32> = accts.to_vec();
    all.extend(with);
    for &a in &all {
        if let (Some(ad), Some(h)) = (address(case, a), holder(case, a)) {
            let v = by_addr.entry(ad).or_default();
            if !v.contains(&h) {
                v.push(h);
            }
        }
    }
    accts.iter().filter(|&&a| address(case, a).and_then(|ad| by_addr.get(ad)).is_some_and(|v| v.len() >= 2)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_merge_overlapping_windows() {
        // Senders 1..=5 within 5 days, then nothing for 60 days, then 3 senders.
        let time: Vec<DateTime> = [0, 1, 2, 3, 4, 70, 71, 72].iter().map(|d| DateTime(d * DAY)).collect();
        let src = vec![1, 2, 3, 4, 5, 1, 2, 3];
        let edges: Vec<u32> = (0..8).collect();
        let eps = episodes(&edges, &time, &src, 30 * DAY, 5);
        assert_eq!(eps, vec![vec![0, 1, 2, 3, 4]]);
        assert!(episodes(&edges, &time, &src, 30 * DAY, 6).is_empty());
    }
}
