//! L5, exports: files for people and other tools. Names in the data are hostile input: every
//! writer here escapes for its format (CSV formula neutralisation, HTML/SVG/DOT escaping).

pub mod csv_safe;
pub mod findings;
