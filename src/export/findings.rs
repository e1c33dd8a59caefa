//! Findings as CSV (the contract columns of `moneytrail detect`) or JSON, with the provenance
//! of every transfer (file, line, SHA-256) so each finding can be checked against the sources.

use crate::model::Case;
use crate::patterns::Finding;
use crate::text::csv_safe;
use serde::Serialize;
use std::io::Write;

/// CSV header of findings files (the contract, then `evidence`).
pub const COLUMNS: &[&str] = &[
    "finding_id",
    "typology",
    "score",
    "accounts",
    "entities",
    "txn_ids",
    "total_amount",
    "currency",
    "first_at",
    "last_at",
    "suspect_id",
    "suspect_hops",
    "explanation",
    "evidence",
];

/// One finding flattened for output; lists joined by `;`.
#[derive(Serialize)]
pub struct FindingRow {
    finding_id: String,
    typology: String,
    score: u32,
    accounts: Vec<String>,
    entities: Vec<String>,
    txn_ids: Vec<String>,
    total_amount: String,
    currency: String,
    first_at: String,
    last_at: String,
    suspect_id: String,
    suspect_hops: Option<u32>,
    explanation: String,
    evidence: Vec<Evidence>,
}

/// Where one transfer of a finding was read.
#[derive(Serialize)]
pub struct Evidence {
    txn_id: String,
    file: String,
    line: u32,
    sha256: String,
}

/// Flattens a finding.
pub fn row(case: &Case, f: &Finding) -> FindingRow {
    let t = &case.transfers;
    FindingRow {
        finding_id: f.id.clone(),
        typology: f.typology.to_string(),
        score: f.score,
        accounts: f.accounts.iter().map(|&a| case.accounts.rows[a.ix()].id.clone()).collect(),
        entities: f.entities.iter().map(|&e| case.entity_id(e).to_string()).collect(),
        txn_ids: f.txns.iter().map(|&i| t.txn_id.get(i.ix()).to_string()).collect(),
        total_amount: f.total.to_string(),
        currency: case.meta.base_currency.to_string(),
        first_at: f.first_at.map(|d| d.to_string()).unwrap_or_default(),
        last_at: f.last_at.map(|d| d.to_string()).unwrap_or_default(),
        suspect_id: f.suspect.map(|l| case.entity_id(l.suspect).to_string()).unwrap_or_default(),
        suspect_hops: f.suspect.map(|l| l.hops),
        explanation: f.explanation(),
        evidence: f
            .txns
            .iter()
            .map(|&i| {
                let p = t.prov(i.ix());
                let file = case.file_of(p);
                Evidence {
                    txn_id: t.txn_id.get(i.ix()).to_string(),
                    file: file.map(|f| f.path.clone()).unwrap_or_default(),
                    line: p.line,
                    sha256: file.map(|f| f.sha256.clone()).unwrap_or_default(),
                }
            })
            .collect(),
    }
}

/// Writes findings as CSV with formula neutralisation.
pub fn write_csv<W: Write>(case: &Case, findings: &[Finding], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for f in findings {
        let r = row(case, f);
        let ev: Vec<String> = r.evidence.iter().map(|e| format!("{}:{}", e.file, e.line)).collect();
        let cells = [
            r.finding_id,
            r.typology,
            r.score.to_string(),
            r.accounts.join(";"),
            r.entities.join(";"),
            r.txn_ids.join(";"),
            r.total_amount,
            r.currency,
            r.first_at,
            r.last_at,
            r.suspect_id,
            r.suspect_hops.map(|h| h.to_string()).unwrap_or_default(),
            r.explanation,
            ev.join(";"),
        ];
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes findings as a JSON array (with full evidence records).
pub fn write_json<W: Write>(case: &Case, findings: &[Finding], mut out: W) -> std::io::Result<()> {
    let rows: Vec<FindingRow> = findings.iter().map(|f| row(case, f)).collect();
    serde_json::to_writer_pretty(&mut out, &rows)?;
    out.write_all(b"\n")
}
