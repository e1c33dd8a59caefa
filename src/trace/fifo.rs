//! FIFO, *Clayton's Case* (Devaynes v Noble (1816) 1 Mer 572; domain.md §2.2): a debit consumes
//! the oldest lots first. Worked example §2.1: car X carries T1,500, relative Y T1,500.

use std::collections::VecDeque;

use super::ledger::{clean_lot, Lot, Pool, Scratch, Units};
use super::TraceError;

/// Lots in arrival order; adjacent clean lots are merged (clean money is fungible), tainted lots
/// are kept apart for lineage. Within one credit the clean part is queued before its tainted parts,
/// which follow in (label, hop) order.
#[derive(Debug, Default)]
pub(crate) struct FifoPool {
    lots: VecDeque<Lot>,
    total: Units,
}

impl FifoPool {
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

impl Pool for FifoPool {
    const CONSERVING: bool = true;

    fn with_clean(clean: Units, _max_lots: usize) -> Self {
        let mut p = FifoPool::default();
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
            let Some(front) = self.lots.front_mut() else {
                debug_assert!(false, "FIFO pool exhausted with {take} units left to take");
                break;
            };
            let t = take.min(front.amount);
            if !front.is_clean() {
                out.push(Lot { amount: t, ..*front });
            }
            front.amount -= t;
            take -= t;
            if front.amount == 0 {
                self.lots.pop_front();
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
