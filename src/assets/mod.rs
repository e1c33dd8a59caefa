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
