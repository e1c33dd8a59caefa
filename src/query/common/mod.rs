//! What every stage of the query pipeline shares: errors with their position in the query text,
//! and runtime values (the literals the parser reads, the parameters the planner checks, the
//! rows the executor produces).
//!
//! Depends on `model` only, and on no stage: `parse`, `plan` and `exec` all use it.

pub mod error;
pub mod value;

pub use error::{ErrorKind, QResult, QueryError, Span};
pub use value::{cash_city, fmt_duration, node_key, rel_key, NodeId, PathVal, RelId, Value};
