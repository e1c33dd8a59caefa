//! A loaded case: every table, the index from external ids to dense ids, and the input files.

use super::entities::*;
use super::ids::{AccountId, CompanyId, PersonId};
use super::money::{Currency, FxTable, Money};
use super::provenance::SourceFile;
use super::time::Date;
use super::transfers::Transfers;
/// Hash maps keyed by external ids: foldhash with a fixed seed (fast on short ids, where FxHash
/// clustered badly, and deterministic).
pub type IdMap<V> = std::collections::HashMap<String, V, foldhash::fast::FixedState>;

/// The case-level settings from case.toml.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CaseMeta {
    /// Case name.
    pub name: String,
    /// Currency all figures are converted to.
    pub base_currency: Currency,
    /// Date at which assets are valued.
    pub valuation_date: Date,
    /// Cash reporting threshold (default ALL 1,000,000, docs/methodology.md#albania-thresholds).
    pub cash_report: Money,
}

/// Everything loaded from a case folder.
#[derive(Clone, Debug)]
pub struct Case {
    /// Settings.
    pub meta: CaseMeta,
    /// Input files, indexed by `Prov::file`.
    pub files: Vec<SourceFile>,
    /// Persons.
    pub persons: Table<Person>,
    /// Companies.
    pub companies: Table<Company>,
    /// Accounts.
    pub accounts: Table<Account>,
    /// Transfers.
    pub transfers: Transfers,
    /// Properties.
    pub properties: Table<Property>,
    /// Property titles.
    pub titles: Table<Title>,
    /// Encumbrances.
    pub encumbrances: Table<Encumbrance>,
    /// Company ownership and officers.
    pub ownership: Table<Ownership>,
    /// Relations between persons.
    pub relations: Table<Relation>,
    /// Declared income.
    pub income: Table<Income>,
    /// Suspects.
    pub suspects: Table<Suspect>,
    /// Identified victims.
    pub victims: Table<Victim>,
    /// Extra labelled node and edge tables declared in case.toml (`[[labels.nodes]]`,
    /// `[[labels.edges]]`); empty when none are declared.
    pub labelled: super::labelled::Labelled,
    /// FX rates.
    pub fx: FxTable,
    /// Extra columns of fx_rates.
    pub fx_extras: Extras,
    /// Interned branch cities (`Transfers::branch_city` indexes this).
    pub cities: Vec<String>,
    /// External person/company id to entity.
    pub entity_index: IdMap<EntityRef>,
    /// External account id to account index.
    pub account_index: IdMap<u32>,
    /// External property id to property index.
    pub property_index: IdMap<u32>,
    /// Records folded into another record of the same entity by entity resolution
    /// (`resolve::apply`); empty until then. Exporters draw them as inferred (dashed) links.
    pub inferred_links: Vec<InferredLink>,
}

/// What an identity link between two records rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkBasis {
    /// Both records carry the same personal number or NUIS: confirmed.
    Id,
    /// Names, dates and addresses agree above the threshold: unconfirmed.
    Machine,
    /// An analyst's must-link decision.
    Analyst,
}

impl LinkBasis {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkBasis::Id => "id",
            LinkBasis::Machine => "machine",
            LinkBasis::Analyst => "analyst",
        }
    }

    /// True only for id-number matches (docs/methodology.md#integrity-resolution: every other link is shown
    /// as unconfirmed).
    pub fn confirmed(self) -> bool {
        self == LinkBasis::Id
    }
}

/// A record of a person or company folded into the entity's representative record.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InferredLink {
    /// The folded record (its rows now point at `entity`).
    pub record: EntityRef,
    /// The representative record of the entity.
    pub entity: EntityRef,
    /// Confidence in [0, 1] (1 for id matches and analyst decisions).
    pub confidence: f64,
    /// What the link rests on.
    pub basis: LinkBasis,
    /// The matching evidence, field by field.
    pub evidence: String,
}

impl Case {
    /// The external id of an entity.
    pub fn entity_id(&self, e: EntityRef) -> &str {
        match e.kind {
            EntityKind::Person => &self.persons.rows[e.idx as usize].id,
            EntityKind::Company => &self.companies.rows[e.idx as usize].id,
        }
    }

    /// The display name of an entity.
    pub fn entity_name(&self, e: EntityRef) -> &str {
        match e.kind {
            EntityKind::Person => &self.persons.rows[e.idx as usize].full_name,
            EntityKind::Company => &self.companies.rows[e.idx as usize].name,
        }
    }

    /// Looks up an entity by external id.
    pub fn entity(&self, id: &str) -> Option<EntityRef> {
        self.entity_index.get(id).copied()
    }

    /// Looks up an account by external id.
    pub fn account(&self, id: &str) -> Option<AccountId> {
        self.account_index.get(id).copied().map(AccountId::from_raw)
    }

    /// Account `a`'s row.
    #[inline]
    pub fn account_row(&self, a: AccountId) -> &Account {
        &self.accounts.rows[a.ix()]
    }

    /// Person `p`'s row.
    #[inline]
    pub fn person_row(&self, p: PersonId) -> &Person {
        &self.persons.rows[p.ix()]
    }

    /// Company `c`'s row.
    #[inline]
    pub fn company_row(&self, c: CompanyId) -> &Company {
        &self.companies.rows[c.ix()]
    }

    /// The source file of a provenance record.
    pub fn file_of(&self, p: super::provenance::Prov) -> Option<&SourceFile> {
        self.files.get(p.file as usize)
    }
}
