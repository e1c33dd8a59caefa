//! LIFO (domain.md §2.2): a debit consumes the newest lots first. Not a court rule of its own; a
//! sensitivity bound. Worked example §2.1: car X carries T2,500, relative Y T500.

use super::ledger::{clean_lot, Lot, Pool, Scratch, Units};
use super::TraceError;

/// Lots as a stack, newest on top; adjacent clean lots are merged. Within one credit the clean part
/// is pushed first, then its tainted parts in (label, hop) order, so the tainted parts of a credit
/// are the first to leave.
#[derive(Debug, Default)]
pub(crate) struct LifoPool {
    lots: Vec<Lot>,
    total: Units,
}

impl LifoPool {
    fn push(&mut self, lot: Lot) {
        if lot.amount <= 0 {
            return;
        }
        self.total += lot.amount;
        if lot.is_clean() {
            if let Some(top) = self.lots.last_mut() {
                if top.is_clean() {
                    top.amount += lot.amount;
                    return;
                }
            }
        }
        self.lots.push(lot);
    }
}

impl Pool for LifoPool {
    const CONSERVING: bool = true;

    fn with_clean(clean: Units, _max_lots: usize) -> Self {
        let mut p = LifoPool::default();
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
            let Some(top) = self.lots.last_mut() else {
                debug_assert!(false, "LIFO pool exhausted with {take} units left to take");
                break;
            };
            let t = take.min(top.amount);
            if !top.is_clean() {
                out.push(Lot { amount: t, ..*top });
            }
            top.amount -= t;
            take -= t;
            if top.amount == 0 {
                self.lots.pop();
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
