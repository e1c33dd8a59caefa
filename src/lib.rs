//! moneytrail: follows the money in human-trafficking cases.
//!
//! Layers (a module may use lower layers only), after `docs/architecture.md`:
//! L0 `model`, L1 `ingest`, `generate` and `graph`, L2 `patterns` and `trace`, L3 `assets`,
//! L5 `export`, L6 the binary. `resolve` (entity resolution) sits between ingest and the graph.
//! `distributed` (feature `distributed`) sits beside `query` and `patterns`: it runs their
//! structural searches on a DataFusion Ballista cluster (docs/scale-out.md).

// Input is hostile: outside tests, no unwrap, expect or panic! (issue "Hostile and broken input").
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assets;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod export;
pub mod generate;
pub mod graph;
pub mod ingest;
pub mod model;
pub mod patterns;
pub mod query;
pub mod resolve;
pub mod trace;
pub mod victims;
