//! moneytrail: follows the money in human-trafficking cases.
//!
//! Layers (a module may use lower layers only), after `docs/architecture.md`:
//! L0 `model`, L1 `ingest` and `graph`, L2 `patterns` and `trace`, L3 `assets`, L5 `export`, L6 the binary.
pub mod trace;
