//! moneytrail: follows the money in human-trafficking cases.
//!
//! One crate in layers that depend one way only; the layer map, with one paragraph per layer and
//! the reasons, is docs/architecture.md. From the bottom: L0 `model` and `text`; L1 `ownership`,
//! `ingest`, `generate`, `resolve` and `graph`; L2 `patterns`, `trace` and `victims`; L3 `assets`;
//! L4 `evidence` and `query`; L5 `investigation`; L6 `export` and `serve` (the browser workspace,
//! with its hash-chained log in `workspace`, which stands alone); L7 the binary.

// Input is hostile: outside tests, no unwrap, expect or panic! (issue "Hostile and broken input").
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assets;
pub mod evidence;
pub mod export;
pub mod generate;
pub mod graph;
pub mod ingest;
pub mod investigation;
pub mod model;
pub mod ownership;
pub mod patterns;
pub mod query;
pub mod resolve;
pub mod serve;
pub mod text;
pub mod trace;
pub mod victims;
pub mod workspace;
