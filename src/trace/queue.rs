//! The lot queue shared by FIFO and LIFO: one pool, consumed from the oldest or the newest end.

use std::collections::VecDeque;

use super::ledger::{clean_lot, Lot, Pool, Scratch, Units};
use super::TraceError;

/// Lots in arrival order; adjacent clean lots are merged (clean money is fungible), tainted lots
/// are kept apart for lineage. Within one credit the clean part is queued before its tainted parts,
/// which follow in (label, hop) order. A debit consumes from the oldest end (FIFO) or the newest
/// end (LIFO, `NEWEST_FIRST`), so the tainted parts of a credit are the first to leave under LIFO.
#[derive(Debug, Default)]
pub(crate) struct QueuePool<const NEWEST_FIRST: bool> {
    lots: VecDeque<Lot>,
    total: Units,
}

impl<const NEWEST_FIRST: bool> QueuePool<NEWEST_FIRST> {
    fn push(&mut self, lot: Lot) {
        if lot.amount <= 0 {
            return;
        }
        self.total += lot.amount;
        if lot.is_clean() {
            if let Some(back) = self.lots.back_mut() {
                if back.is_clean() {
                    back.amount += lot.amount;
                    return;
                }
            }
        }
        self.lots.push_back(lot);
    }
}

impl<const NEWEST_FIRST: bool> Pool for QueuePool<NEWEST_FIRST> {
    const CONSERVING: bool = true;

    fn with_clean(clean: Units, _max_lots: usize) -> Self {
        let mut p = Self::default();
        p.push(clean_lot(clean));
        p
    }

    /// O(parts).
    fn credit(&mut self, amount: Units, parts: &[Lot]) {
        let tainted: Units = parts.iter().map(|p| p.amount).sum();
        self.push(clean_lot(amount - tainted));
        for p in parts {
            self.push(*p);
        }
    }

    /// O(lots consumed).
    fn debit(
        &mut self,
        mut take: Units,
        _amount: Units,
        _scratch: &mut Scratch,
        out: &mut Vec<Lot>,
    ) -> Result<(), TraceError> {
        self.total -= take;
        while take > 0 {
            let end = if NEWEST_FIRST { self.lots.back_mut() } else { self.lots.front_mut() };
            let Some(end) = end else {
                debug_assert!(false, "lot pool exhausted with {take} units left to take");
                break;
            };
            let t = take.min(end.amount);
            if !end.is_clean() {
                out.push(Lot { amount: t, ..*end });
            }
            end.amount -= t;
            take -= t;
            if end.amount == 0 {
                if NEWEST_FIRST {
                    self.lots.pop_back();
                } else {
                    self.lots.pop_front();
                }
            }
        }
        Ok(())
    }

    fn total(&self) -> Units {
        self.total
    }

    fn remaining(&self, _positive_balance: Units, f: &mut dyn FnMut(u32, Units)) {
        for l in self.lots.iter().filter(|l| !l.is_clean()) {
            f(l.label, l.amount);
        }
    }
}
