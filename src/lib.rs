//! moneytrail: follows the money in human-trafficking cases.
//!
//! Layers (a module may use lower layers only), after `docs/architecture.md`:
//! L0 `model`, L1 `ingest`, `generate` and `graph`, L2 `patterns` and `trace`, L3 `assets`,
//! L5 `export`, L6 the binary. `resolve` (entity resolution) sits between ingest and the graph.
//! `workspace` (the workspace's own hash-chained log) stands alone; `serve` (the browser
//! workspace's HTTP server) sits beside the binary and reaches the layers below through one
//! adapter, `serve::adapter`.

// Input is hostile: outside tests, no unwrap, expect or panic! (issue "Hostile and broken input").
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assets;
pub mod export;
pub mod generate;
pub mod graph;
pub mod ingest;
pub mod model;
pub mod patterns;
pub mod query;
pub mod resolve;
pub mod serve;
pub mod trace;
pub mod victims;
pub mod workspace;
