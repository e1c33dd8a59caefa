//! Findings as CSV (the contract columns of `moneytrail detect`) or JSON, with the provenance
//! of every transfer (file, line, SHA-256) so each finding can be checked against the sources.

use crate::model::Case;
use crate::patterns::account_score::{account_alerts, AccountAlert};
use crate::patterns::Finding;
use crate::text::csv_safe;
use serde::Serialize;
use std::io::Write;

/// CSV header of findings files: the contract, then `evidence`, then the ranking an analyst
/// reads: `percentile`, the finding's mid-rank percentile among the case's candidates of its
/// typology ([`Finding::percentile`]), and `account_percentiles`, each account of `accounts`
/// (same order) at its alert-score percentile among the accounts in some candidate
/// ([`crate::patterns::account_score`]; empty for an account without a score).
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
    "percentile",
    "account_percentiles",
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
    /// Percentile among the case's candidates of its typology.
    percentile: f64,
    /// Candidates of its typology in the case.
    candidates: u32,
    /// Per account of `accounts`, its alert-score percentile (`None` without a score).
    account_percentiles: Vec<Option<f64>>,
}

/// Where one transfer of a finding was read.
#[derive(Serialize)]
pub struct Evidence {
    txn_id: String,
    file: String,
    line: u32,
    sha256: String,
}

/// Flattens a finding; `alerts` are the account alerts of the case
/// ([`crate::patterns::account_score::account_alerts`]).
pub fn row(case: &Case, f: &Finding, alerts: &[Option<AccountAlert>]) -> FindingRow {
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
        percentile: f.percentile,
        candidates: f.candidates,
        account_percentiles: f
            .accounts
            .iter()
            .map(|&a| alerts.get(a.ix()).and_then(Option::as_ref).map(|x| x.percentile))
            .collect(),
    }
}

/// Writes findings as CSV with formula neutralisation, the account percentiles computed over
/// these findings.
pub fn write_csv<W: Write>(case: &Case, findings: &[Finding], out: W) -> csv::Result<()> {
    write_csv_with(case, findings, &account_alerts(case, findings), out)
}

/// [`write_csv`] with account alerts computed over another list (`detect` computes them over
/// every candidate before its cut).
pub fn write_csv_with<W: Write>(
    case: &Case,
    findings: &[Finding],
    alerts: &[Option<AccountAlert>],
    out: W,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for f in findings {
        let r = row(case, f, alerts);
        let pct = |p: f64| format!("{p:.1}");
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
            pct(r.percentile),
            r.account_percentiles.iter().map(|p| p.map(pct).unwrap_or_default()).collect::<Vec<_>>().join(";"),
        ];
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes findings as a JSON array (with full evidence records).
pub fn write_json<W: Write>(case: &Case, findings: &[Finding], out: W) -> std::io::Result<()> {
    write_json_with(case, findings, &account_alerts(case, findings), out)
}

/// [`write_json`] with account alerts computed over another list (see [`write_csv_with`]).
pub fn write_json_with<W: Write>(
    case: &Case,
    findings: &[Finding],
    alerts: &[Option<AccountAlert>],
    mut out: W,
) -> std::io::Result<()> {
    let rows: Vec<FindingRow> = findings.iter().map(|f| row(case, f, alerts)).collect();
    serde_json::to_writer_pretty(&mut out, &rows)?;
    out.write_all(b"\n")
}
