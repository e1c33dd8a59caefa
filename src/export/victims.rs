//! `probable_victims.csv`: listed and probable victims with score, reasons and evidence,
//! formula-safe, written from the audience's view of the case.

use crate::model::Case;
use crate::text::csv_safe;
use crate::victims::classify::Status;
use crate::victims::view::Prepared;

/// Header of probable_victims.csv.
pub const COLUMNS: &[&str] =
    &["person_id", "name", "status", "minor", "score", "indicators", "accounts", "reasons", "evidence"];

/// Writes the listed and probable victims (not the persons left unflagged). `view` is the
/// audience's case (pseudonymised outside the court); reasons are scrubbed the same way.
pub fn write_csv(view: &Case, prepared: &Prepared) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for a in prepared.assessed.iter().filter(|a| a.status != Status::NotFlagged) {
        let p = &view.persons.rows[a.person.ix()];
        let accounts: Vec<&str> = a.accounts.iter().map(|&x| view.accounts.rows[x.ix()].id.as_str()).collect();
        let evidence: Vec<String> = a
            .txns
            .iter()
            .map(|&t| {
                let pv = view.transfers.prov(t.ix());
                let file = view.file_of(pv).map_or("", |f| f.path.as_str());
                format!("{file}:{}", pv.line)
            })
            .collect();
        let cells = [
            p.id.clone(),
            p.full_name.clone(),
            a.status.as_str().to_string(),
            if a.minor { "yes" } else { "no" }.to_string(),
            a.score.to_string(),
            a.positive_indicators().to_string(),
            accounts.join(";"),
            prepared.scrub(&a.explanation()).into_owned(),
            evidence.join(";"),
        ];
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
