//! L5, exports: files for people and other tools. Names in the data are hostile input: every
//! writer here escapes for its format (CSV formula neutralisation, HTML/SVG/DOT escaping).

pub mod anx;
pub mod bundle;
pub mod compensation;
pub mod dot;
pub mod finding_timelines;
pub mod findings;
pub mod ftm;
pub mod graphml;
pub mod manifest;
pub mod methodology;
pub mod pdf;
pub mod report;
pub mod signing;
pub mod svg;
pub mod target;
pub mod timeline;
pub mod tracing;
pub mod valuation;
pub mod victims;
pub mod xlsx;
