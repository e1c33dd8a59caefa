//! Ultimate beneficial owners of a company (AMLR Art. 51-54; docs/methodology.md#bo-thresholds).
//!
//! A person is a UBO of company `c` when
//! * **ownership**: its effective share in `c` is **at or above** the threshold. AMLR Art. 52
//!   says "25 % or more", hence `>=` (AMLD4 Art. 3(6) said "more than 25 %"; set
//!   [`UboParams::inclusive`] to `false` for that reading). Default 0.25; the Commission may lower
//!   it to 15 % for high-risk categories (Art. 52(2)), hence [`UboParams::high_risk`];
//! * **control**: it controls `c` on any basis of [`super::control`] (Art. 53);
//! * **owning a controller** (Art. 54, ownership and control at different layers): it holds at
//!   least the threshold of an entity that controls `c` (switch: [`UboParams::owners_of_controllers`]).
//!
//! When no person qualifies, [`UboList::no_owner_identified`] is set: the caller then lists the
//! senior managing officials (directors appear already under control when recorded).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::control::{Control, ControlBasis};
use super::effective::{Ownership, ShareGraph};

/// Parameters of [`ubo_list`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UboParams {
    /// Ownership threshold as a fraction (default 0.25, AMLR Art. 52(1)).
    pub threshold: Decimal,
    /// `true`: share >= threshold (AMLR "25 % or more", default); `false`: share > threshold.
    pub inclusive: bool,
    /// Include persons owning >= threshold of an entity that controls the company (Art. 54).
    pub owners_of_controllers: bool,
}

impl Default for UboParams {
    fn default() -> Self {
        Self { threshold: Decimal::new(25, 2), inclusive: true, owners_of_controllers: true }
    }
}

impl UboParams {
    /// The lowered 15 % threshold for high-risk categories (AMLR Art. 52(2)).
    pub fn high_risk() -> Self {
        Self { threshold: Decimal::new(15, 2), ..Self::default() }
    }

    fn meets(&self, share: Decimal) -> bool {
        if self.inclusive {
            share >= self.threshold
        } else {
            share > self.threshold
        }
    }
}

/// Why a person is a UBO.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UboBasis {
    /// Effective share at or above the threshold (see [`super::explain`] for the chains).
    Ownership {
        /// The effective share.
        share: Decimal,
    },
    /// Control of the company.
    Control(ControlBasis),
    /// Ownership of an entity that controls the company (Art. 54).
    OwnsController {
        /// The controlling entity.
        controller: u32,
        /// The person's effective share in it.
        share: Decimal,
    },
}

/// One UBO with every basis found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ubo {
    /// The person.
    pub person: u32,
    /// Effective share in the company (zero for pure controllers).
    pub effective_share: Decimal,
    /// Bases, sorted.
    pub bases: Vec<UboBasis>,
}

/// UBOs of one company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UboList {
    /// The company.
    pub company: u32,
    /// UBOs sorted by person id.
    pub ubos: Vec<Ubo>,
    /// Effective share with no identified person (missing holders or shares).
    pub unknown: Decimal,
    /// True when no person qualifies (fallback to senior managing officials applies).
    pub no_owner_identified: bool,
}

/// UBOs of `company`.
///
/// # Complexity
/// O(P log P + K) for P ultimate persons of the company and K control edges.
pub fn ubo_list(g: &ShareGraph, own: &Ownership, ctl: &Control, company: u32, params: &UboParams) -> UboList {
    let mut found: BTreeMap<u32, Vec<UboBasis>> = BTreeMap::new();
    let owners = own.owners(company);
    if let Some(o) = owners {
        for (&p, &share) in &o.persons {
            if params.meets(share) {
                found.entry(p).or_default().push(UboBasis::Ownership { share });
            }
        }
    }
    for e in ctl.controllers_of(company) {
        if g.is_company(e.controller) {
            if params.owners_of_controllers {
                if let Some(o) = own.owners(e.controller) {
                    for (&p, &share) in &o.persons {
                        if params.meets(share) {
                            found
                                .entry(p)
                                .or_default()
                                .push(UboBasis::OwnsController { controller: e.controller, share });
                        }
                    }
                }
            }
        } else {
            found.entry(e.controller).or_default().push(UboBasis::Control(e.basis.clone()));
        }
    }
    let ubos: Vec<Ubo> = found
        .into_iter()
        .map(|(person, mut bases)| {
            bases.sort();
            bases.dedup();
            Ubo { person, effective_share: own.share(person, company), bases }
        })
        .collect();
    UboList { company, no_owner_identified: ubos.is_empty(), unknown: owners.map_or(Decimal::ONE, |o| o.unknown), ubos }
}
