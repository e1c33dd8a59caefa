//! Writing results as CSV (formula-safe, see [`crate::text::csv_safe`]) or JSON (numbers as
//! exact decimal strings, lists as arrays): complete, for programs. The terminal's table (fitted
//! to its width, long cells cut) belongs to the command line (`moneytrail query --format
//! table`), which draws it from [`crate::query::common::Value::render`] as these do.

use super::common::Value;
use super::QueryResult;
use crate::model::Case;
use std::io::{self, Write};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            o => Err(format!("unknown format '{o}'; expected csv or json")),
        }
    }
}

/// Writes `r` to `w` in format `f`.
///
/// # Errors
/// I/O errors of `w`.
pub fn write(case: &Case, r: &QueryResult, f: Format, w: &mut dyn Write) -> io::Result<()> {
    match f {
        Format::Csv => {
            let mut cw = csv::Writer::from_writer(w);
            cw.write_record(r.columns.iter().map(|c| crate::text::csv_safe::cell(c).into_owned()))?;
            for row in &r.rows {
                let cells: Vec<String> = row.iter().map(|v| v.render(case)).collect();
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                crate::text::csv_safe::write_record(&mut cw, &refs)?;
            }
            cw.flush()
        }
        Format::Json => {
            // Written by hand so the keys keep the column order (serde_json's map sorts them).
            w.write_all(b"[")?;
            for (i, row) in r.rows.iter().enumerate() {
                w.write_all(if i == 0 { b"\n  {" } else { b",\n  {" })?;
                for (j, (c, v)) in r.columns.iter().zip(row).enumerate() {
                    let key = serde_json::to_string(c).map_err(io::Error::other)?;
                    let val = serde_json::to_string(&json(case, v)).map_err(io::Error::other)?;
                    write!(w, "{}{key}: {val}", if j == 0 { "" } else { ", " })?;
                }
                w.write_all(b"}")?;
            }
            w.write_all(if r.rows.is_empty() { b"]\n" } else { b"\n]\n" })
        }
    }
}

fn json(case: &Case, v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::List(l) => J::Array(l.iter().map(|x| json(case, x)).collect()),
        Value::Map(m) => J::Object(m.iter().map(|(k, x)| (k.clone(), json(case, x))).collect()),
        Value::Path(p) => {
            let mut o = serde_json::Map::new();
            o.insert(
                "nodes".into(),
                J::Array(p.nodes.iter().map(|&n| J::String(super::common::node_key(case, n))).collect()),
            );
            o.insert(
                "rels".into(),
                J::Array(p.rels.iter().map(|&r| J::String(super::common::rel_key(case, r))).collect()),
            );
            J::Object(o)
        }
        other => J::String(other.render(case)),
    }
}
