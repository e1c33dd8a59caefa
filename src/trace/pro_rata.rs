//! Pro-rata / rolling charge / "haircut" (methodology.md#tracing; *Re Diplock* \[1948\], *Foskett v
//! McKeown* \[2001\] 1 AC 102): each debit carries every lot, clean or tainted, in proportion to the
//! balance. Worked example methodology.md#tracing-example: car X carries T1,875, relative Y T900, T225 remain.
//!
//! Rounding: the exact two-stage largest-remainder split of [`split_pool`] at the trace's scale:
//! first over clean money and each label's total (on equal remainders the leftover unit goes to
//! clean money first, the figure that favours the account holder, then to the lower label), then
//! each label's share over its lots in arrival order. A label's figure therefore does not depend
//! on how many credits brought it.

use super::ledger::{compact_by_label, split_pool, Lot, Pool, Scratch, Units};
use super::TraceError;

/// Clean money as one amount, tainted lots apart (in arrival order) for lineage.
#[derive(Debug, Default)]
pub(crate) struct ProRataPool {
    clean: Units,
    lots: Vec<Lot>,
    tainted: Units,
    max_lots: usize,
}

impl Pool for ProRataPool {
    const CONSERVING: bool = true;

    fn with_clean(clean: Units, max_lots: usize) -> Self {
        ProRataPool { clean: clean.max(0), max_lots, ..ProRataPool::default() }
    }

    /// O(parts), or O(k log k) when the lots are compacted.
    fn credit(&mut self, amount: Units, parts: &[Lot]) {
        credit_split(&mut self.clean, &mut self.lots, &mut self.tainted, amount, parts);
        if self.lots.len() > self.max_lots {
            compact_by_label(&mut self.lots);
        }
    }

    /// O(k log k) for k tainted lots held.
    fn debit(
        &mut self,
        take: Units,
        _amount: Units,
        scratch: &mut Scratch,
        out: &mut Vec<Lot>,
    ) -> Result<(), TraceError> {
        if take <= 0 {
            return Ok(());
        }
        if self.lots.is_empty() {
            self.clean -= take;
            return Ok(());
        }
        let clean_share = split_pool(take, self.clean, &self.lots, scratch)?;
        self.clean -= clean_share;
        draw_lots(&mut self.lots, &mut self.tainted, &scratch.lot_shares, out);
        Ok(())
    }

    fn total(&self) -> Units {
        self.clean + self.tainted
    }

    fn remaining(&self, _positive_balance: Units, f: &mut dyn FnMut(u32, Units)) {
        for l in &self.lots {
            f(l.label, l.amount);
        }
    }
}

/// Adds a credit to a "clean amount + tainted lots" pool (shared with LIBR).
pub(crate) fn credit_split(clean: &mut Units, lots: &mut Vec<Lot>, tainted: &mut Units, amount: Units, parts: &[Lot]) {
    let mut t: Units = 0;
    for p in parts.iter().filter(|p| p.amount > 0) {
        t += p.amount;
        lots.push(*p);
    }
    *tainted += t;
    *clean += amount - t;
}

/// Takes `shares[i]` from `lots[i]`, reports the non-zero draws and drops emptied lots (shared
/// with LIBR). O(k).
pub(crate) fn draw_lots(lots: &mut Vec<Lot>, tainted: &mut Units, shares: &[Units], out: &mut Vec<Lot>) {
    debug_assert_eq!(lots.len(), shares.len());
    for (lot, &s) in lots.iter_mut().zip(shares) {
        if s > 0 {
            out.push(Lot { amount: s, ..*lot });
            lot.amount -= s;
            *tainted -= s;
        }
    }
    lots.retain(|l| l.amount > 0);
}
