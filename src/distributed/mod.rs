//! L2½, scale-out on Apache DataFusion Ballista (feature `distributed`, docs/scale-out.md).
//!
//! What this layer is for: running the structural part of the transfer detectors, and the part
//! of the query language that is plain joins, on a DataFusion Ballista cluster, over the case
//! written as partitioned Parquet, and handing the candidate rows back to the local detector
//! code, which scores and explains them. One definition per detector: the cluster only finds
//! the same structural candidates the local detector finds (the episodes of a sliding window,
//! the time-respecting cycles), and `patterns` turns each into a finding as it always does.
//!
//! - [`storage`]: the Parquet case layout (`ingest --parquet-out`): dense ids, integer cents and
//!   provenance only, partitioned by month and by account hash; never names, external ids or
//!   the sealed identity mapping.
//! - [`cluster`]: the scheduler and executor processes (`moneytrail cluster ...`).
//! - [`engine`]: `--engine local|ballista://HOST:PORT` and the client session.
//! - [`plans`]: the detectors' structural searches as DataFusion SQL (window aggregates,
//!   self-joins with time predicates, iterative joins).
//! - [`detect`]: candidate rows from the cluster, scored by the local detectors; the runner's
//!   suspect links and ordering applied as in a local run.
//! - [`query`]: the openCypher subset that is joins, planned on the cluster; everything else
//!   is refused with "runs locally only: <reason>".
//!
//! Depends on `model`, `graph`, `ingest` and `patterns`, plus datafusion and ballista; nothing
//! above (no `export`, no CLI). It sits beside `query` and `patterns`; what must stay local (the
//! ownership graph, tracing ledgers, the report) consumes its results.

pub mod cluster;
pub mod detect;
pub mod engine;
pub mod plans;
pub mod query;
pub mod storage;

pub use engine::Engine;

/// Errors of the distributed layer. Every message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    /// DataFusion or Ballista failed (planning, execution, a lost executor).
    #[error("cluster: {0}")]
    Engine(String),
    /// The Parquet case does not match the case loaded locally, or is unreadable.
    #[error("parquet case {0}")]
    Storage(String),
    /// Writing the Parquet case failed.
    #[error("cannot write {0}")]
    Io(String),
    /// The request cannot run on the cluster; it runs locally only.
    #[error("runs locally only: {0}")]
    LocalOnly(String),
    /// A bad `--engine` value or detector parameter.
    #[error("{0}")]
    Config(String),
}

impl From<datafusion::error::DataFusionError> for DistError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        DistError::Engine(e.to_string())
    }
}

impl From<ballista_core::error::BallistaError> for DistError {
    fn from(e: ballista_core::error::BallistaError) -> Self {
        DistError::Engine(e.to_string())
    }
}
