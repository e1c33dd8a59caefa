//! Attributable share of each asset for a suspect and its scope (docs/methodology.md#cv-attribution
//! and 4, Law 10192 scope of [`super::family`]).
//!
//! The share of suspect `s` in asset `a` is the sum over persons `p` in `{s} ∪ scope(s)` of
//! `p`'s direct share of `a` plus, for each company `c` holding `a`, `share(c, a) * U[p, c]` with
//! `U` the effective ownership of [`super::effective`].
//!
//! **No double counting** (methodology.md#cv-double-counting): a company's value is taken either through its
//! assets or through its shares, never both. [`Valuation::LookThrough`] (the default) values the
//! companies' own assets and reports no company shares; [`Valuation::Shareholding`] reports the
//! scope's **direct** shareholdings in companies (whose value already includes everything the
//! company owns, subsidiaries too) and ignores company-held assets. Asset holdings passed in must
//! therefore not list company shares as assets: those come from the [`ShareGraph`].

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::effective::{Ownership, ShareGraph};
use super::family::{ScopeMember, Step};
use super::AssetsError;

/// `holder` (person or company) holds `share` of asset `asset` (caller's asset id space).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetHolding {
    /// The asset (land parcel, vehicle, account, ...), in the caller's asset id space.
    pub asset: u32,
    /// The holder, an entity id of the [`ShareGraph`].
    pub holder: u32,
    /// Fraction held in `[0, 1]`.
    pub share: Decimal,
    /// The caller's provenance row (land register, vehicle register, ...).
    pub row: u32,
}

/// How companies are valued (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Valuation {
    /// Look through companies to the assets they hold (default).
    #[default]
    LookThrough,
    /// Value the scope's direct shareholdings; company-held assets are not counted.
    Shareholding,
}

/// What is attributed: an asset, or the shares of a company ([`Valuation::Shareholding`] only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Item {
    /// An asset id.
    Asset(u32),
    /// The shares of a company (entity id).
    CompanyShares(u32),
}

/// One person's part of an attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The person in scope holding (directly or through `via_company`).
    pub person: u32,
    /// Relation path from the suspect to `person` (empty for the suspect).
    pub relation: Vec<Step>,
    /// The company holding the asset, when held through a company (look-through).
    pub via_company: Option<u32>,
    /// The person's effective share in `via_company` (1 for a direct holding).
    pub effective_in_company: Decimal,
    /// The attributed fraction.
    pub share: Decimal,
    /// The asset-holding row, or the shareholding row for [`Item::CompanyShares`].
    pub row: u32,
}

/// The suspect's attributable share of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The suspect.
    pub suspect: u32,
    /// The item.
    pub item: Item,
    /// Sum of the contributions.
    pub share: Decimal,
    /// Contributions, in order of (person, row).
    pub contributions: Vec<Contribution>,
}

/// Attributions for one suspect, sorted by item.
///
/// # Errors
/// [`AssetsError::ShareOutOfRange`] for an asset holding whose share is not in `[0, 1]`, and
/// [`AssetsError::Overflow`] should a product or sum of shares leave the exact range (every
/// share and effective share being in `[0, 1]`, the sums stay below the number of rows).
///
/// # Complexity
/// O(A * S) for A asset holdings and S persons in scope (plus O(E) in shareholding mode).
pub fn attribute(
    suspect: u32,
    scope: &[ScopeMember],
    g: &ShareGraph,
    own: &Ownership,
    assets: &[AssetHolding],
    valuation: Valuation,
) -> Result<Vec<Attribution>, AssetsError> {
    if let Some(h) = assets.iter().find(|h| h.share < Decimal::ZERO || h.share > Decimal::ONE) {
        return Err(AssetsError::ShareOutOfRange { row: h.row, share: h.share });
    }
    let mut members: BTreeMap<u32, &[Step]> = BTreeMap::new();
    members.insert(suspect, &[]);
    for m in scope {
        members.entry(m.person).or_insert(&m.path);
    }
    let mut out: BTreeMap<Item, Vec<Contribution>> = BTreeMap::new();
    let contribution = |person: u32, via: Option<u32>, eff: Decimal, share: Decimal, row| Contribution {
        person,
        relation: members.get(&person).map_or(Vec::new(), |p| p.to_vec()),
        via_company: via,
        effective_in_company: eff,
        share,
        row,
    };
    for h in assets {
        if members.contains_key(&h.holder) {
            let c = contribution(h.holder, None, Decimal::ONE, h.share, h.row);
            out.entry(Item::Asset(h.asset)).or_default().push(c);
        } else if g.is_company(h.holder) && valuation == Valuation::LookThrough {
            for &p in members.keys() {
                let eff = own.share(p, h.holder);
                if !eff.is_zero() {
                    let share = h.share.checked_mul(eff).ok_or(AssetsError::Overflow { row: h.row })?;
                    let c = contribution(p, Some(h.holder), eff, share, h.row);
                    out.entry(Item::Asset(h.asset)).or_default().push(c);
                }
            }
        }
    }
    if valuation == Valuation::Shareholding {
        let companies: BTreeSet<u32> =
            members.keys().flat_map(|&p| g.out_edges.get(p as usize).into_iter().flatten()).map(|&(c, _)| c).collect();
        for c in companies {
            for e in g.holders_of(c).iter().filter(|e| members.contains_key(&e.holder)) {
                let k = contribution(e.holder, None, Decimal::ONE, e.share, e.row);
                out.entry(Item::CompanyShares(c)).or_default().push(k);
            }
        }
    }
    out.into_iter()
        .map(|(item, mut contributions)| {
            contributions.sort_by_key(|c| (c.person, c.row, c.via_company));
            let share = contributions
                .iter()
                .try_fold(Decimal::ZERO, |a, c| a.checked_add(c.share).ok_or(AssetsError::Overflow { row: c.row }))?;
            Ok(Attribution { suspect, item, share, contributions })
        })
        .collect()
}

/// [`attribute`] for many suspects in parallel (rayon); the output is in the order of `suspects`.
pub fn attribute_all(
    suspects: &[(u32, Vec<ScopeMember>)],
    g: &ShareGraph,
    own: &Ownership,
    assets: &[AssetHolding],
    valuation: Valuation,
) -> Result<Vec<Vec<Attribution>>, AssetsError> {
    suspects.par_iter().map(|(s, scope)| attribute(*s, scope, g, own, assets, valuation)).collect()
}
