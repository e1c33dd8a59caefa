//! L2, laundering-pattern detection. One detector per typology, a file each, with a parameter
//! struct whose defaults cite docs/methodology.md#contents and a table of the indicators it scores
//! ([`Detector`], [`Spec`]); the registry of detectors by [`Typology`]; and the [`Runner`],
//! built once from validated [`RunOptions`], which configures the detectors, owns the run's
//! one thread pool, links findings to suspects and sorts them, so parallel runs equal
//! sequential runs byte for byte. Also the data context that scales thresholds to the
//! columns a case holds ([`context`]) and evaluation against ground truth ([`eval`]).
//!
//! May depend on `model` (L0), `graph` and `ownership` (L1): the pure ownership, control and
//! family-scope algorithms and their case adapter `ownership::case` (through `registers`), so
//! findings and the confiscation report rest on one ownership logic; never on `assets`
//! (valuation, confiscable, compensation, L3), `trace`, `victims`, `export`, `query`
//! or the binary. External crates: rayon, petgraph, rust_decimal, sha2, csv, thiserror.
//! Nothing here prints.

pub mod account_score;
pub mod budget;
mod common;
pub mod context;
mod detector;
mod finding;
mod link;
mod params;
mod registers;
mod registry;
mod runner;
pub mod signals;

pub mod bipartite;
pub mod circular_ownership;
pub mod cycle;
pub mod disproportion;
pub mod eval;
pub mod fan_in;
pub mod fan_out;
pub mod funnel_account;
pub mod gather_scatter;
pub mod layering_chain;
pub mod nominee_director;
pub mod property_after_inflow;
pub mod random_walk;
pub mod round_tripping;
pub mod scatter_gather;
pub mod shell_company;
pub mod structuring;
pub mod undervalued_purchase;

pub use budget::Budget;
pub use context::{Coverage, DataContext, Datum, Spec};
pub use detector::{BorrowedParams, DetectCtx, Detector};
pub use finding::{Finding, Indicator, SuspectLink, SINGLE_INDICATOR_CAP};
pub use link::SuspectLinks;
pub use params::{ParamDoc, Params};
pub use registry::{registry, Typology};
pub use runner::{
    run, run_with, undeclared, ParamOverride, PatternError, Ranked, RunOptions, Runner, NEAR_SUSPECT, RANKING_BASIS,
};
