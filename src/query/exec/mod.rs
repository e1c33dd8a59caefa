//! Stage 3 of the query pipeline: runs a [`LogicalPlan`](crate::query::LogicalPlan) over a case
//! and its graphs. `executor.rs` runs the operator chain; `expand.rs` and `shortest.rs` follow
//! relationships (depth-first with temporal pruning, breadth-first for SHORTEST); `aggregate.rs`
//! groups rows; `eval.rs` evaluates expressions, `functions.rs` the scalar functions; `props.rs`
//! reads node and relationship properties, `graphs.rs` the adjacency; `procs.rs` runs
//! `CALL detect(...)`; `context.rs` holds what a run sees and the budgets that stop it.
//!
//! Depends on `query::common`, `query::parse` (expression trees) and `query::plan`, and on
//! `model`, `graph` and `patterns` (for `CALL detect`).

mod aggregate;
mod context;
mod eval;
mod executor;
mod expand;
mod functions;
pub mod graphs;
mod procs;
pub mod props;
mod shortest;

pub use context::{Budget, Ctx, DetectFn};
pub use executor::run_top;
