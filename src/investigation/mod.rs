//! L5, the investigation: what every analysis command does before it writes anything, in one
//! place the CLI, the workspace and tests call alike.
//!
//! - [`config`]: the settings of a run, validated and typed once, from flags or a file;
//! - [`load`]: ingest plus entity resolution plus the analyst's decisions, with their provenance;
//! - [`keys`]: the case passphrase and the keys derived from it;
//! - [`query`]: pattern queries planned and run on the audience's view of the case;
//! - [`pipeline`]: detection, victims, scope, valuation, tracing and the evidence model, returned
//!   as a plain-data [`Investigation`]; `export::bundle::write` turns it into files.
//!
//! Depends on every analysis layer below (model, ingest, resolve, graph, patterns, trace,
//! assets, victims, evidence); nothing here prints or writes files.

pub mod config;
pub mod keys;
pub mod load;
pub mod pipeline;
pub mod query;

pub use config::{Config, ConfigError, Settings, WorkspaceStamp};
pub use load::{load, LoadError, LoadSettings, LoadedCase};
pub use pipeline::{run, Investigation, PipelineError};
