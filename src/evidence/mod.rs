//! L4, the evidence model: what a court is shown, as data, before any file is written.
//!
//! - [`chart`]: the link chart every diagram is drawn from (typed entities and links after i2
//!   Analyst's Notebook conventions, folded multiplicity, the source rows behind every link);
//! - [`charts`]: the builders, the diagram of one finding and the network of one suspect, cut to
//!   what matters at scale;
//! - [`exhibits`]: exhibit numbers `E1, E2, ...` for every cited source row (file, line, SHA-256);
//! - [`timelines`]: which findings get a timeline, and the rows those timelines cite.
//!
//! Depends on `model`, `graph`, `patterns` (findings) and `text`; the renderers (Graphviz DOT,
//! the pure-Rust SVG layout, timelines, the HTML report) live one layer up in `export`. Never
//! prints, never writes files.

pub mod chart;
pub mod charts;
pub mod exhibits;
pub mod timelines;
