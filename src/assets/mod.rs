//! L3, what the suspects' circles hold and what can be confiscated, over the ownership arithmetic
//! of [`crate::ownership`] and the tracing of [`crate::trace`]:
//!
//! - [`valuation`]: the properties of a suspect's scope (own titles, the family scope's, those of
//!   companies they own, looked through, or control) valued at a date, with FX, minus
//!   encumbrances;
//! - [`confiscable`]: the object-based, value-based and disproportion views of the confiscable
//!   value, with the proceeds traced into each asset under each rule;
//! - [`compensation`]: each victim's traced earnings in the confiscable assets and their share of
//!   a compensation fund (docs/compensation.md).
//!
//! Depends on `model`, `ownership` and `trace`; never prints.

pub mod compensation;
pub mod confiscable;
pub mod valuation;

use rust_decimal::Decimal;

/// A money sum or product of the asset figures left `Decimal`'s exact range (about ±7.9e28).
///
/// Never reached by a case that `moneytrail ingest` loaded (docs/data-model.md, "Amount range":
/// every amount below 10^12, every table below 2^32 rows), but a case assembled in memory or
/// from edited files can reach it. Shared by the figures of [`crate::assets`], the evidence
/// charts and the exports, so that an overflow is this error and never a panic or a wrapped value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "amount overflow while {what}: the result does not fit the exact decimal range (about 7.9e28); \
     a case loaded by `moneytrail ingest` stays below it (docs/data-model.md, \"Amount range\"), so check \
     the amounts of the rows involved or load the case again with `moneytrail ingest`"
)]
pub struct AmountOverflow {
    /// What was being computed, e.g. "summing the traced value of property P1".
    pub what: String,
}

impl AmountOverflow {
    /// The error for `what`.
    pub fn new(what: impl Into<String>) -> AmountOverflow {
        AmountOverflow { what: what.into() }
    }
}

/// `Σ values`, or [`AmountOverflow`] naming `what`.
pub fn sum<I: IntoIterator<Item = Decimal>>(what: &str, values: I) -> Result<Decimal, AmountOverflow> {
    crate::model::money::checked_sum(values).ok_or_else(|| AmountOverflow::new(what))
}

/// `*acc += v`, or [`AmountOverflow`] naming `what` (the accumulator is left unchanged).
pub fn add_to(acc: &mut Decimal, v: Decimal, what: &str) -> Result<(), AmountOverflow> {
    *acc = acc.checked_add(v).ok_or_else(|| AmountOverflow::new(what))?;
    Ok(())
}

/// `a - b`, or [`AmountOverflow`] naming `what`.
pub fn sub(a: Decimal, b: Decimal, what: &str) -> Result<Decimal, AmountOverflow> {
    a.checked_sub(b).ok_or_else(|| AmountOverflow::new(what))
}

/// `a * b`, or [`AmountOverflow`] naming `what`.
pub fn mul(a: Decimal, b: Decimal, what: &str) -> Result<Decimal, AmountOverflow> {
    a.checked_mul(b).ok_or_else(|| AmountOverflow::new(what))
}
