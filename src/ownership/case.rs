//! The one adapter from a loaded [`Case`] to the ownership engine: the case's persons and
//! companies in one dense id space (persons first, then companies), its company register as
//! [`Holding`]s, its person-to-person relations as family-scope [`Relation`]s, and the share
//! graph in force on a date.
//!
//! Both the register detectors (`patterns`, L2) and the valuation (`assets::valuation`, L3) map
//! a case through this module, so a finding about "his" companies and the confiscation report
//! agree on who holds and controls what. It uses `model` (L0) and the pure `assets` algorithms
//! only, so every layer above may call it.

use super::effective::{Oversubscribed, OwnershipInput, OwnershipParams, ShareGraph};
use super::family::{FamilyGraph, FamilyParams, Relation, RelationKind as FamKind, ScopeMember};
use super::{AssetsError, EntityKind as AKind, Holding, Role as ARole};
use crate::model::{Case, Date, EntityKind, EntityRef, RelationKind, Role};
use std::sync::OnceLock;

/// A case's registers as input to the ownership engine.
#[derive(Clone, Debug)]
pub struct CaseRegister {
    persons: u32,
    /// Entity kinds by dense id: `persons` persons, then the companies.
    pub kinds: Vec<AKind>,
    /// One holding per company_ownership row (`row` = its index).
    pub holdings: Vec<Holding>,
    /// Person-to-person relations (`row` = the relations row).
    pub relations: Vec<Relation>,
    /// The relations' adjacency under the default family kinds, built on first use.
    family: OnceLock<FamilyGraph>,
}

impl CaseRegister {
    /// Maps `case`'s registers.
    ///
    /// # Complexity
    /// O(P + C + R) for P persons, C companies and R register and relation rows.
    pub fn of(case: &Case) -> CaseRegister {
        let persons = case.persons.len() as u32;
        let mut kinds = vec![AKind::Person; persons as usize];
        kinds.extend(std::iter::repeat_n(AKind::Company, case.companies.len()));
        let mut reg = CaseRegister {
            persons,
            kinds,
            holdings: Vec::new(),
            relations: register_relations(case),
            family: OnceLock::new(),
        };
        reg.holdings = register_holdings(case, &reg);
        reg
    }

    /// The engine's dense id of an entity (persons first, then companies).
    pub fn dense(&self, e: EntityRef) -> u32 {
        match e.kind {
            EntityKind::Person => e.idx,
            EntityKind::Company => self.persons + e.idx,
        }
    }

    /// The entity behind a dense id.
    pub fn entity(&self, id: u32) -> EntityRef {
        if id < self.persons {
            EntityRef { kind: EntityKind::Person, idx: id }
        } else {
            EntityRef { kind: EntityKind::Company, idx: id - self.persons }
        }
    }

    /// The share graph of the register rows in force on `d`, oversubscribed companies scaled
    /// (and flagged by the engine).
    ///
    /// # Errors
    /// A register row the engine rejects (see [`AssetsError`]).
    pub fn share_graph_at(&self, d: Date) -> Result<ShareGraph, AssetsError> {
        let input = OwnershipInput { kinds: &self.kinds, holdings: &self.holdings, nominees: &[] };
        let params =
            OwnershipParams { as_of: Some(d.0), oversubscribed: Oversubscribed::Scale, ..OwnershipParams::default() };
        ShareGraph::build(input, &params)
    }

    /// The family scope of person `person` (Law 10192 defaults: spouse, child, parent, sibling,
    /// cohabitant; depth 1).
    ///
    /// # Complexity
    /// O(R log R) for R relations on the first call (the adjacency is kept), then the steps
    /// reached.
    pub fn family(&self, person: u32) -> Vec<ScopeMember> {
        let p = FamilyParams::default();
        self.family.get_or_init(|| FamilyGraph::new(&self.relations, &p.kinds)).scope(person, p.max_depth)
    }
}

/// The case's person-to-person relations as input to the family scope (`row` = the relations
/// row); relations naming a company are left out (family scope is about persons).
fn register_relations(case: &Case) -> Vec<Relation> {
    case.relations
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.related.kind == EntityKind::Person)
        .map(|(row, r)| Relation {
            person: r.person,
            related: r.related.idx,
            kind: match r.kind {
                RelationKind::Spouse => FamKind::Spouse,
                RelationKind::Child => FamKind::Child,
                RelationKind::Parent => FamKind::Parent,
                RelationKind::Sibling => FamKind::Sibling,
                RelationKind::Cohabitant => FamKind::Cohabitant,
                RelationKind::Associate => FamKind::Associate,
            },
            row: row as u32,
        })
        .collect()
}

/// One [`Holding`] per company_ownership row (`row` = its index), ids from `ids`. The case's
/// `to` is inclusive, the engine's exclusive.
fn register_holdings(case: &Case, ids: &CaseRegister) -> Vec<Holding> {
    case.ownership
        .rows
        .iter()
        .enumerate()
        .map(|(row, o)| Holding {
            company: ids.dense(EntityRef { kind: EntityKind::Company, idx: o.company }),
            holder: ids.dense(o.holder),
            role: match o.role {
                Role::Shareholder => ARole::Shareholder,
                Role::Director => ARole::Director,
                Role::NomineeShareholder => ARole::NomineeShareholder,
                Role::NomineeDirector => ARole::NomineeDirector,
                Role::Administrator => ARole::Administrator,
            },
            share: o.share,
            from: o.from.map(|d| d.0),
            to: o.to.map(|d| d.0.saturating_add(1)),
            row: row as u32,
        })
        .collect()
}
