//! Nominee director: one person (or company) directing many companies at once
//! (docs/methodology.md#t-shell-company: "directors who direct many companies", director with >= 10
//! directorships; AMLR Art. 53 nominee arrangements, methodology.md#bo-thresholds).
//!
//! The count alone is weak (professional administrators exist), so the score needs
//! corroboration: roles registered as nominee, companies without employees, companies sharing
//! one registered address, and one principal holding the shares of the companies fronted.

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{address_groups, normalise_address};
use super::registry::Typology;
use crate::model::{Date, EntityRef, Ownership, Role};
use std::collections::{BTreeMap, BTreeSet};

crate::params! {
    /// Parameters of [`NomineeDirector`].
    pub struct NomineeDirectorParams {
        /// Companies directed at the same time (director, nominee director, administrator)
        /// needed for a finding (docs/methodology.md#t-shell-company: >= 10 directorships) (project default).
        min_directorships: usize = 10,
        /// Companies sharing one registered address that make it a shared address
        /// (formation-agent addresses) (project default).
        min_shared_address: usize = 3,
        /// Companies fronted for one shareholder that make it a common principal (project default).
        min_principal_companies: usize = 3,
    }
}

super::context::indicators! {
    /// The indicators of [`NomineeDirector`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    MANY_DIRECTORSHIPS = ("many_directorships", 30, []);
    REGISTERED_AS_NOMINEE = ("registered_as_nominee", 20, []);
    NO_EMPLOYEES = ("no_employees", 15, []);
    SHARED_ADDRESS = ("shared_address", 15, []);
    COMMON_PRINCIPAL = ("common_principal", 15, []);
}

/// The nominee-director detector.
#[derive(Default)]
pub struct NomineeDirector {
    /// Parameters.
    pub p: NomineeDirectorParams,
}

fn directs(o: &Ownership) -> bool {
    matches!(o.role, Role::Director | Role::NomineeDirector | Role::Administrator)
}

impl Detector for NomineeDirector {
    super::detector::detector_parts!(Typology::NomineeDirector);

    /// Per officer, the largest number of distinct companies directed on one day (checked on
    /// each day a directorship starts).
    ///
    /// # Complexity
    /// O(R log R + Σ r²) for R officer rows and r rows per officer.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let case = ctx.case;
        let rows = &case.ownership.rows;
        let mut by_officer: BTreeMap<EntityRef, Vec<usize>> = BTreeMap::new();
        for (i, o) in rows.iter().enumerate().filter(|(_, o)| directs(o)) {
            by_officer.entry(o.holder).or_default().push(i);
        }
        let addresses = address_groups(case);
        let mut out = Vec::new();
        for (officer, mine) in by_officer {
            let distinct: BTreeSet<u32> = mine.iter().map(|&r| rows[r].company).collect();
            if distinct.len() < self.p.min_directorships {
                continue;
            }
            let (peak, peak_day) = mine
                .iter()
                .map(|&r| {
                    let d = rows[r].from.unwrap_or(Date(i32::MIN / 2));
                    let n: BTreeSet<u32> =
                        mine.iter().filter(|&&x| rows[x].in_force_on(d)).map(|&x| rows[x].company).collect();
                    (n.len(), d)
                })
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .unwrap_or((0, Date(0)));
            if peak < self.p.min_directorships {
                continue;
            }
            out.push(self.finding(ctx, &addresses, officer, &mine, &distinct, peak, peak_day));
        }
        out
    }
}

impl NomineeDirector {
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        ctx: &DetectCtx<'_>,
        addresses: &BTreeMap<String, Vec<u32>>,
        officer: EntityRef,
        mine: &[usize],
        companies: &BTreeSet<u32>,
        peak: usize,
        peak_day: Date,
    ) -> Finding {
        let case = ctx.case;
        let rows = &case.ownership.rows;
        let n = companies.len();
        let mut f = Finding::new(self.name());
        f.entities.push(officer);
        f.entities.extend(companies.iter().map(|&c| EntityRef { kind: crate::model::EntityKind::Company, idx: c }));
        if peak_day.0 > i32::MIN / 2 {
            f.first_at = Some(peak_day.start());
        }
        f.indicate(
            &MANY_DIRECTORSHIPS,
            format!(
                "{} directs {peak} companies at once (from {peak_day}; {n} in all; threshold {})",
                case.entity_id(officer),
                self.p.min_directorships
            ),
        );
        let nominee = mine.iter().filter(|&&r| rows[r].role == Role::NomineeDirector).count();
        if nominee > 0 {
            f.indicate(&REGISTERED_AS_NOMINEE, format!("{nominee} of the roles are registered as nominee director"));
        }
        let empty = companies.iter().filter(|&&c| case.companies.rows[c as usize].employees == Some(0)).count();
        if empty * 2 >= n {
            f.indicate(&NO_EMPLOYEES, format!("{empty} of {n} companies declare no employees"));
        }
        // The largest group of the officer's companies at one registered address.
        let mut at: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
        for &c in companies {
            let co = &case.companies.rows[c as usize];
            if let Some(a) = co.registered_address.as_deref() {
                let key = normalise_address(a, co.city.as_deref());
                if let Some((k, _)) = addresses.get_key_value(&key) {
                    at.entry(k.as_str()).or_insert((0, a)).0 += 1;
                }
            }
        }
        if let Some((_, (k, shown))) = at.into_iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.0.cmp(a.0))) {
            if k >= self.p.min_shared_address && k * 2 >= n {
                f.indicate(&SHARED_ADDRESS, format!("{k} of the companies are registered at '{shown}'"));
            }
        }
        // A shareholder (other than the officer) with a majority in several of the companies.
        let mut principals: BTreeMap<EntityRef, BTreeSet<u32>> = BTreeMap::new();
        for o in rows.iter().filter(|o| o.role.holds_shares() && companies.contains(&o.company)) {
            if o.holder != officer
                && o.share.is_some_and(|s| s * rust_decimal::Decimal::TWO > rust_decimal::Decimal::ONE)
            {
                principals.entry(o.holder).or_default().insert(o.company);
            }
        }
        let mut named = Vec::new();
        for (p, cs) in principals {
            if cs.len() >= self.p.min_principal_companies {
                named.push(format!("{} ({} companies)", case.entity_id(p), cs.len()));
                f.entities.push(p);
            }
        }
        if !named.is_empty() {
            f.indicate(
                &COMMON_PRINCIPAL,
                format!("majority shareholder of the companies fronted: {}", named.join(", ")),
            );
        }
        f.finish(case, &ctx.graph.flow)
    }
}
