//! A small reference implementation of the conserving tracing rules (FIFO, LIBR with the Hallett
//! presumption, pro-rata) over the generator's own ledger, written independently of `src/trace`
//! so that the engine can be checked against known answers (truth/holdings.csv).
//!
//! It implements the rules exactly as docs/methodology.md#tracing states them, for one label, in integer
//! cents of the base currency (ALL), with the conventions the case format fixes:
//! * booking order is the order of transfers.csv (the generator writes it sorted by time);
//! * a foreign-currency amount is converted at its booking day's rate, rounded to the cent half
//!   away from zero (docs/methodology.md#albania-thresholds);
//! * an account's unknown opening balance is the smallest clean balance that keeps it from going
//!   negative over the whole ledger, so no account is ever overdrawn;
//! * a source credit is tainted in full;
//! * FIFO queues a credit's clean part before its tainted part;
//! * pro-rata rounds each debit's tainted part to the cent by largest remainder between the clean
//!   and tainted money, a tie going to clean money;
//! * LIBR spends clean money first; taint never exceeds the balance.
//!
//! Memory: 24 bytes per transfer. The ledger is kept only up to [`MAX_LEDGER`] transfers.

use std::collections::VecDeque;

/// Transfers up to which the generator keeps its ledger and writes traced amounts.
pub const MAX_LEDGER: u64 = 5_000_000;

/// One booked transfer in base-currency cents. `u32::MAX` = no account (cash, outside).
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Booking time in seconds (any epoch; only the order matters here).
    pub at: i64,
    /// Debited account or `u32::MAX`.
    pub from: u32,
    /// Credited account or `u32::MAX`.
    pub to: u32,
    /// Amount in cents of the base currency.
    pub cents: i64,
}

/// The rules implemented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefRule {
    /// Clayton's Case.
    Fifo,
    /// Lowest intermediate balance with the Hallett presumption.
    Libr,
    /// Rolling charge.
    ProRata,
}

const NONE: u32 = u32::MAX;

/// Per-account state: the clean/tainted lots (FIFO) or the (balance, tainted) pair.
#[derive(Debug, Clone, Default)]
struct Acct {
    lots: VecDeque<(i64, bool)>,
    balance: i64,
    tainted: i64,
}

/// Per account, the lowest running balance over the whole ledger (zero or negative): negated,
/// the opening balance that keeps every account out of overdraft.
fn lowest_running_balances(rows: &[Row], accounts: usize) -> Vec<i64> {
    let mut run = vec![0i64; accounts];
    let mut low = vec![0i64; accounts];
    for r in rows {
        if r.from != NONE {
            let a = r.from as usize;
            run[a] -= r.cents;
            low[a] = low[a].min(run[a]);
        }
        if r.to != NONE {
            run[r.to as usize] += r.cents;
        }
    }
    low
}

/// Tainted cents carried by every row under `rule`, given which rows are sources.
///
/// O(n + lots consumed) for FIFO, O(n) for the others.
pub fn trace(rows: &[Row], accounts: usize, is_source: &[bool], rule: RefRule) -> Vec<i64> {
    // Opening balances: the lowest running balance over the whole ledger, negated.
    let low = lowest_running_balances(rows, accounts);
    let mut st: Vec<Acct> = low
        .iter()
        .map(|&l| {
            let open = -l;
            let mut a = Acct { balance: open, ..Acct::default() };
            if open > 0 {
                a.lots.push_back((open, false));
            }
            a
        })
        .collect();
    let mut out = vec![0i64; rows.len()];
    for (i, r) in rows.iter().enumerate() {
        let mut taint = 0i64;
        if r.from != NONE {
            let a = &mut st[r.from as usize];
            taint = debit(a, r.cents, rule);
        }
        if is_source.get(i).copied().unwrap_or(false) {
            taint = r.cents;
        }
        out[i] = taint;
        if r.to != NONE {
            let a = &mut st[r.to as usize];
            a.balance += r.cents;
            a.tainted += taint;
            if rule == RefRule::Fifo {
                if r.cents - taint > 0 {
                    match a.lots.back_mut() {
                        Some(last) if !last.1 => last.0 += r.cents - taint,
                        _ => a.lots.push_back((r.cents - taint, false)),
                    }
                }
                if taint > 0 {
                    a.lots.push_back((taint, true));
                }
            }
        }
    }
    out
}

/// Removes `d` cents from an account; returns the tainted cents removed.
fn debit(a: &mut Acct, d: i64, rule: RefRule) -> i64 {
    let taken = match rule {
        RefRule::Fifo => {
            let mut left = d;
            let mut t = 0;
            while left > 0 {
                let Some(front) = a.lots.front_mut() else { break };
                let x = left.min(front.0);
                if front.1 {
                    t += x;
                }
                front.0 -= x;
                left -= x;
                if front.0 == 0 {
                    a.lots.pop_front();
                }
            }
            t
        }
        RefRule::Libr => (d - (a.balance - a.tainted)).clamp(0, a.tainted),
        RefRule::ProRata => {
            if a.balance <= 0 || a.tainted == 0 {
                0
            } else {
                let b = i128::from(a.balance);
                let (dt, dc) =
                    (i128::from(d) * i128::from(a.tainted), i128::from(d) * i128::from(a.balance - a.tainted));
                let (qt, rt, qc, rc) = (dt / b, dt % b, dc / b, dc % b);
                let left = i128::from(d) - qt - qc;
                let t = if left > 0 && rt > rc { qt + 1 } else { qt };
                i64::try_from(t).unwrap_or(a.tainted).min(a.tainted)
            }
        }
    };
    a.balance -= d;
    a.tainted -= taken;
    taken
}

/// Multi-label reference trace: one label per source (labels `1..`, `0` = not a source), the
/// conventions of the module docs plus, for several labels (issue 9, one label per victim):
/// * a source credit taints only its part not already tainted by an earlier label (that part
///   keeps its label), so nothing is counted twice;
/// * FIFO queues a credit's clean part first, then its tainted parts by ascending label;
/// * pro-rata splits each debit over the clean money and each label's total by largest remainder
///   to the cent, a tie going to clean money, then to the lower label;
/// * LIBR spends clean money first, then splits the rest over the labels' totals the same way
///   (equally innocent victims share rateably).
///
/// Returns, for every row `i` with `want[i]`, the tainted cents per label (ascending, non-zero).
/// O(n + lots consumed) for FIFO, O(n k) for the others with k labels held by an account.
pub fn trace_labels(
    rows: &[Row],
    accounts: usize,
    source: &[u32],
    want: &[bool],
    rule: RefRule,
) -> std::collections::BTreeMap<usize, Vec<(u32, i64)>> {
    let low = lowest_running_balances(rows, accounts);
    let mut st: Vec<Multi> = low
        .iter()
        .map(|&l| {
            let mut m = Multi { balance: -l, ..Multi::default() };
            if -l > 0 {
                m.lots.push_back((-l, 0));
            }
            m
        })
        .collect();
    let mut out = std::collections::BTreeMap::new();
    let mut parts: Vec<(u32, i64)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        parts.clear();
        if r.from != NONE {
            st[r.from as usize].debit(r.cents, rule, &mut parts);
        }
        let src = source.get(i).copied().unwrap_or(0);
        if src != 0 {
            let fresh = r.cents - parts.iter().map(|p| p.1).sum::<i64>();
            if fresh > 0 {
                add_part(&mut parts, src, fresh);
            }
        }
        if want.get(i).copied().unwrap_or(false) {
            out.insert(i, parts.clone());
        }
        if r.to != NONE {
            st[r.to as usize].credit(r.cents, &parts, rule);
        }
    }
    out
}

/// Adds `x` cents of `label` to label-sorted parts.
fn add_part(parts: &mut Vec<(u32, i64)>, label: u32, x: i64) {
    match parts.binary_search_by_key(&label, |p| p.0) {
        Ok(k) => parts[k].1 += x,
        Err(k) => parts.insert(k, (label, x)),
    }
}

/// Per-account state of the multi-label trace: FIFO lots `(cents, label)` (label 0 = clean), or
/// each label's tainted cents (pro-rata, LIBR).
#[derive(Debug, Clone, Default)]
struct Multi {
    balance: i64,
    lots: VecDeque<(i64, u32)>,
    taint: Vec<(u32, i64)>,
}

impl Multi {
    fn credit(&mut self, cents: i64, parts: &[(u32, i64)], rule: RefRule) {
        self.balance += cents;
        let tainted: i64 = parts.iter().map(|p| p.1).sum();
        if rule == RefRule::Fifo {
            for (label, x) in std::iter::once((0u32, cents - tainted)).chain(parts.iter().copied()) {
                if x <= 0 {
                    continue;
                }
                match self.lots.back_mut() {
                    Some(last) if last.1 == label => last.0 += x,
                    _ => self.lots.push_back((x, label)),
                }
            }
        } else {
            for &(label, x) in parts {
                add_part(&mut self.taint, label, x);
            }
        }
    }

    fn debit(&mut self, d: i64, rule: RefRule, parts: &mut Vec<(u32, i64)>) {
        match rule {
            RefRule::Fifo => {
                let mut left = d;
                while left > 0 {
                    let Some(front) = self.lots.front_mut() else { break };
                    let x = left.min(front.0);
                    if front.1 != 0 {
                        add_part(parts, front.1, x);
                    }
                    front.0 -= x;
                    left -= x;
                    if front.0 == 0 {
                        self.lots.pop_front();
                    }
                }
            }
            RefRule::ProRata | RefRule::Libr => {
                let tainted: i64 = self.taint.iter().map(|t| t.1).sum();
                if tainted > 0 && self.balance > 0 {
                    let clean = self.balance - tainted;
                    let (take, mut weights) = if rule == RefRule::ProRata {
                        (d.min(self.balance), vec![clean])
                    } else {
                        ((d - clean).clamp(0, tainted), vec![0])
                    };
                    weights.extend(self.taint.iter().map(|t| t.1));
                    let shares = largest_remainder(take, &weights);
                    for (k, t) in self.taint.iter_mut().enumerate() {
                        let x = shares[k + 1];
                        if x > 0 {
                            parts.push((t.0, x));
                            t.1 -= x;
                        }
                    }
                    self.taint.retain(|t| t.1 > 0);
                }
            }
        }
        self.balance -= d;
    }
}

/// Splits `take` over `weights` in proportion: floors first, then one cent each to the largest
/// remainders, a tie going to the lower index.
fn largest_remainder(take: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if take <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut rem: Vec<(i128, usize)> = Vec::new();
    let mut given: i128 = 0;
    for (k, &w) in weights.iter().enumerate() {
        let p = i128::from(take) * i128::from(w);
        shares.push((p / total) as i64);
        given += p / total;
        if p % total > 0 {
            rem.push((p % total, k));
        }
    }
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, k) in rem.iter().take((i128::from(take) - given) as usize) {
        shares[k] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/methodology.md#tracing-example: salary 1,000, trafficking cash 3,000 (source), car 2,500, salary
    /// 1,000, relative 2,000. Account 0 is the suspect's, 1 the relative's.
    #[test]
    fn worked_example() {
        let r = |from, to, eur: i64| Row { at: 0, from, to, cents: eur * 100 };
        let rows = [r(NONE, 0, 1000), r(NONE, 0, 3000), r(0, NONE, 2500), r(NONE, 0, 1000), r(0, 1, 2000)];
        let src = [false, true, false, false, false];
        let f = trace(&rows, 2, &src, RefRule::Fifo);
        assert_eq!((f[2], f[4]), (150_000, 150_000));
        let p = trace(&rows, 2, &src, RefRule::ProRata);
        assert_eq!((p[2], p[4]), (187_500, 90_000));
        let l = trace(&rows, 2, &src, RefRule::Libr);
        assert_eq!((l[2], l[4]), (150_000, 100_000));
    }

    /// Two victims mix in one account: 1,000 clean, victim 1 brings 3,000, victim 2 1,000;
    /// 4,000 leave. FIFO: 1,000 clean + 3,000 of victim 1; LIBR: clean first, then 3,000 split
    /// 3:1 (2,250 and 750); pro-rata: 4,000 x (3/5, 1/5) = 2,400 and 800.
    #[test]
    fn two_labels() {
        let r = |from, to, eur: i64| Row { at: 0, from, to, cents: eur * 100 };
        let rows = [r(NONE, 0, 1000), r(NONE, 0, 3000), r(NONE, 0, 1000), r(0, NONE, 4000)];
        let src = [0, 1, 2, 0];
        let want = [false, false, false, true];
        let get = |rule| trace_labels(&rows, 1, &src, &want, rule)[&3].clone();
        assert_eq!(get(RefRule::Fifo), vec![(1, 300_000)]);
        assert_eq!(get(RefRule::Libr), vec![(1, 225_000), (2, 75_000)]);
        assert_eq!(get(RefRule::ProRata), vec![(1, 240_000), (2, 80_000)]);
    }
}
