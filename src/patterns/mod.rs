//! L2, laundering-pattern detectors: one typology per file, each with a [`Params`] struct whose
//! defaults cite docs/domain.md, over the graphs of [`crate::graph`]. The runner owns the
//! thread pool, links findings to suspects and sorts the output, so parallel runs equal
//! sequential runs byte for byte.
//!
//! Depends on `model` and `graph`. Detectors never print.
//! The ownership, company and property detectors also call the pure `assets` library (control,
//! effective shares, family scope) through `registers`, so findings and the confiscation report
//! rest on one ownership logic.

mod common;
pub mod context;
mod finding;
mod link;
mod params;
mod registers;
mod runner;

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
pub mod round_tripping;
pub mod scatter_gather;
pub mod shell_company;
pub mod structuring;
pub mod undervalued_purchase;

pub use context::{DataContext, Datum};
pub use finding::{Finding, Indicator, SINGLE_INDICATOR_CAP};
pub use link::SuspectLinks;
pub use params::Params;
pub use runner::{configure, registry, run, run_with, DetectCtx, Detector, PatternError, RunOptions};
