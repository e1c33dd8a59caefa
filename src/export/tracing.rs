//! Tracing tables for people: the `moneytrail trace` CSV (one row per tainted transfer, label and
//! hop, with the transfer's provenance and the rate it was converted at) over the results of
//! [`crate::trace`]. The case mapping and the per-suspect figures live in [`crate::trace::case`];
//! they are re-exported here for the report code that used them from this module.

use crate::model::Case;
use crate::text::csv_safe;
use crate::trace::case::Destinations;
use crate::trace::{Label, TraceResult};
use std::collections::BTreeMap;
use std::io::Write;

pub use crate::trace::case::{events, trace_suspects, RuleFigures, SuspectTrace, TraceRequest, DEFAULT_RULES};

/// Columns of the `trace` CSV.
pub const COLUMNS: &[&str] = &[
    "rule",
    "txn_id",
    "from_account",
    "to_account",
    "amount",
    "tainted_amount",
    "hop",
    "label",
    "booked_at",
    "currency",
    "original_amount",
    "original_currency",
    "fx_rate",
    "fx_rate_date",
    "destination",
    "conserving",
    "file",
    "line",
];

/// Writes the rows of every result (in the order given; each result's rows are in booking order,
/// then label and hop). Amounts are in the case's base currency, converted at booking; the rate
/// and its date are recorded per row.
///
/// # Errors
/// Write errors.
pub fn write_trace_csv<W: Write>(case: &Case, results: &[TraceResult], out: W) -> csv::Result<()> {
    write_trace_csv_labelled(case, results, &BTreeMap::new(), out)
}

/// Like [`write_trace_csv`], with the `label` column showing `names[label]` (e.g. the victim's
/// id for per-victim sources) where given, else the label number.
///
/// # Errors
/// Write errors.
pub fn write_trace_csv_labelled<W: Write>(
    case: &Case,
    results: &[TraceResult],
    names: &BTreeMap<Label, String>,
    out: W,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let dest = Destinations::new(case);
    let t = &case.transfers;
    let acct = |a: Option<u32>| a.and_then(|a| case.accounts.rows.get(a as usize)).map_or("", |x| x.id.as_str());
    let base = case.meta.base_currency.to_string();
    for r in results {
        for row in &r.rows {
            let i = row.seq as usize;
            // Traced transfers all have a base amount (case_events leaves the others out).
            let conv = t.base_amount(i, &case.fx);
            let p = t.prov(i);
            let file = case.file_of(p).map_or("", |f| f.path.as_str());
            let cells = [
                r.rule.to_string(),
                t.txn_id.get(i).to_string(),
                acct(row.from).to_string(),
                acct(row.to).to_string(),
                row.amount.to_string(),
                row.tainted.to_string(),
                row.hop.to_string(),
                names.get(&row.label).cloned().unwrap_or_else(|| row.label.to_string()),
                t.booked_at[i].to_string(),
                base.clone(),
                t.amount(i).to_string(),
                t.currency[i].to_string(),
                conv.map(|c| c.rate.to_string()).unwrap_or_default(),
                conv.and_then(|c| c.rate_date).map(|d| d.to_string()).unwrap_or_default(),
                dest.of(case, row.seq).describe(case),
                r.conserving.to_string(),
                file.to_string(),
                p.line.to_string(),
            ];
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            csv_safe::write_record(&mut w, &refs)?;
        }
    }
    w.flush()?;
    Ok(())
}
