//! Applying a resolution to a loaded case: every row that names a record of a multi-record
//! entity is re-pointed at the entity's representative record, so detectors, tracing and asset
//! estimation see one node per entity. Source rows keep their provenance; the folded records
//! stay in the tables (nothing is deleted) and each fold is kept as an
//! [`InferredLink`] on the case for the exporters.

use super::Resolution;
use crate::model::{Case, EntityKind, EntityRef, InferredLink};

/// The resolution does not belong to the case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// Record counts or ids differ from the case's.
    #[error("the resolution does not match the case: {0}; resolve the case as loaded, then apply")]
    Mismatch(String),
}

/// Re-points holders, titles, encumbrances, ownership, relations, income and suspects at the
/// representative records; maps every folded id to its representative in `entity_index`;
/// stores one [`InferredLink`] per folded record in `case.inferred_links` (replacing earlier
/// ones). Returns the number of folded records.
///
/// # Errors
/// [`ApplyError::Mismatch`] when `r` was computed on other tables.
///
/// # Complexity
/// O(rows of the case).
pub fn apply(case: &mut Case, r: &Resolution) -> Result<usize, ApplyError> {
    let (np, nc) = (case.persons.len(), case.companies.len());
    if r.records.len() != np + nc {
        return Err(ApplyError::Mismatch(format!(
            "{} records resolved, the case has {} persons and {} companies",
            r.records.len(),
            np,
            nc
        )));
    }
    let mut person: Vec<u32> = (0..np as u32).collect();
    let mut company: Vec<u32> = (0..nc as u32).collect();
    let mut links = Vec::new();
    for rec in &r.records {
        let (i, e) = (rec.record.idx as usize, rec.entity);
        let ok = rec.record.kind == e.kind
            && match rec.record.kind {
                EntityKind::Person => i < np && (e.idx as usize) < np && case.persons.rows[i].id == rec.record_id,
                EntityKind::Company => i < nc && (e.idx as usize) < nc && case.companies.rows[i].id == rec.record_id,
            };
        if !ok {
            return Err(ApplyError::Mismatch(format!("record {} is not where the resolution puts it", rec.record_id)));
        }
        match e.kind {
            EntityKind::Person => person[i] = e.idx,
            EntityKind::Company => company[i] = e.idx,
        }
        if rec.record != e {
            links.push(InferredLink {
                record: rec.record,
                entity: e,
                confidence: rec.confidence,
                basis: rec.basis.unwrap_or(crate::model::LinkBasis::Machine),
                evidence: rec.evidence.clone(),
            });
        }
    }
    let map = |x: EntityRef| match x.kind {
        EntityKind::Person => EntityRef { kind: x.kind, idx: person.get(x.idx as usize).copied().unwrap_or(x.idx) },
        EntityKind::Company => EntityRef { kind: x.kind, idx: company.get(x.idx as usize).copied().unwrap_or(x.idx) },
    };
    let comp = |c: u32| company.get(c as usize).copied().unwrap_or(c);
    let pers = |p: u32| person.get(p as usize).copied().unwrap_or(p);
    for a in &mut case.accounts.rows {
        a.holder = a.holder.map(map);
    }
    for t in &mut case.titles.rows {
        t.owner = map(t.owner);
    }
    for e in &mut case.encumbrances.rows {
        e.creditor = map(e.creditor);
    }
    for o in &mut case.ownership.rows {
        o.company = comp(o.company);
        o.holder = map(o.holder);
    }
    for x in &mut case.relations.rows {
        x.person = pers(x.person);
        x.related = map(x.related);
    }
    for x in &mut case.income.rows {
        x.entity = map(x.entity);
    }
    for s in &mut case.suspects.rows {
        s.entity = map(s.entity);
    }
    for v in &mut case.victims.rows {
        v.entity = map(v.entity);
    }
    for v in case.entity_index.values_mut() {
        *v = map(*v);
    }
    let n = links.len();
    case.inferred_links = links;
    Ok(n)
}
