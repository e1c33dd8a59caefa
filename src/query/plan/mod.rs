//! Stage 2 of the query pipeline: syntax tree to [`LogicalPlan`]. The planner resolves variables
//! to row slots and checks labels, types, properties, functions and parameters against the case
//! (`planner.rs`, with the names of `catalog.rs`); plans MATCH by anchoring each pattern on its
//! most selective node and pushing WHERE conjuncts down (`pattern.rs`); plans WITH and RETURN,
//! aggregation included (`projection.rs`). The plan is data, and its `Display` is the EXPLAIN
//! text (`logical.rs`).
//!
//! Depends on `query::common` and `query::parse` (it consumes the syntax tree), and on `model`
//! for the case's labels and columns; never on `exec`.

mod catalog;
mod logical;
mod pattern;
mod planner;
mod projection;

pub use catalog::{COUNTERPARTS_COLUMNS, DETECT_COLUMNS};
pub use logical::{AggSpec, ExpandSpec, LogicalPlan};
pub use planner::plan;
