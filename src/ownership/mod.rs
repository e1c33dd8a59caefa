//! L1, beneficial ownership, control and family scope: pure arithmetic over dense ids.
//!
//! Purpose: from company-register holdings (shareholders, directors, nominees) compute
//! * effective (integrated) ownership of every natural person in every company, through chains,
//!   parallel chains and circular holdings ([`effective`], docs/methodology.md#bo-computation, AMLR Art. 52);
//! * the contributing chains behind one figure, so a report can cite register rows ([`explain`]);
//! * control, kept apart from ownership and never multiplied ([`control`], AMLR Art. 53-54);
//! * the UBO list of a company at a configurable threshold ([`ubo`], AMLR Art. 52, 25 % / 15 %);
//! * the family scope of a suspect under Albanian Law 10192 ([`family`], methodology.md#law-10192);
//! * each suspect's attributable share of each asset without double counting ([`attribution`],
//!   methodology.md#cv-double-counting).
//!
//! The module is a pure library: it does not know how data is loaded. Entities are dense `u32`
//! ids (the caller keeps its external keys and provenance); every input row carries the caller's
//! `row` number and every result cites the rows it rests on. Nothing here prints.
//!
//! Allowed dependencies of the algorithms: `std`, `rust_decimal`, `petgraph`, `rayon`, `serde`,
//! `thiserror`. [`bods`] reads BODS 0.4 statements (serde_json) into ownership rows and holds the
//! standard's record-selection rule, which the BODS importer of `ingest` uses too. [`case`] is
//! the one adapter from a loaded `Case` (`model`, L0) to these algorithms, shared by the register
//! detectors (`patterns`) and the valuation (`assets`, L3). Nothing else in the crate is used.
//! Shares are [`Decimal`] fractions in `[0, 1]`, never `f64`.
//!
//! Pipeline: [`effective::ShareGraph::build`] (validate, filter by date, resolve nominees) ->
//! [`effective::effective_ownership`] -> [`explain::explain`], [`control::control`],
//! [`ubo::ubo_list`]; [`family::family_scope`] -> [`attribution::attribute`].
//!
//! # Example
//! The chain example of docs/methodology.md#bo-computation: P 60 % of A, A 50 % of B, P 20 % of B, B 100 % of C.
//! ```
//! use moneytrail::ownership::effective::{effective_ownership, OwnershipInput, OwnershipParams, ShareGraph};
//! use moneytrail::ownership::{Decimal, EntityKind::*, Holding, Role};
//! let h = |company, holder, share: Decimal, row| Holding {
//!     company, holder, role: Role::Shareholder, share: Some(share), from: None, to: None, row,
//! };
//! let (p, a, b, c) = (0, 1, 2, 3);
//! let holdings = [
//!     h(a, p, Decimal::new(6, 1), 1),
//!     h(b, a, Decimal::new(5, 1), 2),
//!     h(b, p, Decimal::new(2, 1), 3),
//!     h(c, b, Decimal::ONE, 4),
//! ];
//! let input = OwnershipInput { kinds: &[Person, Company, Company, Company], holdings: &holdings, nominees: &[] };
//! let g = ShareGraph::build(input, &OwnershipParams::default())?;
//! let own = effective_ownership(&g)?;
//! assert_eq!(own.share(p, c), Decimal::new(5, 1));
//! assert_eq!(own.owners(c).map(|o| o.unknown), Some(Decimal::new(5, 1)));
//! # Ok::<(), moneytrail::ownership::AssetsError>(())
//! ```

pub mod attribution;
pub mod bods;
pub mod case;
pub mod control;
pub mod effective;
pub mod explain;
pub mod family;
mod linalg;
pub mod ubo;

pub use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A date as days since 1970-01-01 (negative before). Register dates map onto it losslessly.
pub type Day = i32;

/// Kind of an entity, indexed by its dense id (`kinds[id]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    /// A natural person: the end of every ownership chain (an "ultimate" holder).
    Person,
    /// A legal person that can be held (company, foundation, partnership, ...).
    Company,
}

/// The role a holder plays in a company, as recorded in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Registered shareholder / quota holder; `share` is its fraction of the capital or votes.
    Shareholder,
    /// Director (board member, managing director).
    Director,
    /// Shareholder recorded or known to hold for someone else (see [`NomineeArrangement`]).
    NomineeShareholder,
    /// Director acting for someone else (see [`NomineeArrangement`]).
    NomineeDirector,
    /// Administrator (Albanian "administrator" of an shpk), treated like a director.
    Administrator,
}

impl Role {
    /// True for roles that carry a share of capital and votes.
    pub fn is_shareholding(self) -> bool {
        matches!(self, Role::Shareholder | Role::NomineeShareholder)
    }

    /// True for roles that give directorship control (AMLR Art. 53, senior managing official).
    pub fn is_directorship(self) -> bool {
        matches!(self, Role::Director | Role::NomineeDirector | Role::Administrator)
    }
}

/// One register row: `holder` plays `role` in `company`.
///
/// Validity interval: `from` inclusive, `to` exclusive, both in [`Day`]s; `None` is open. A holding
/// counts at date `d` iff `from <= d < to`. So a share transferred on day `t` is held by the seller
/// up to `t - 1` and by the buyer from `t` on, and never by both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holding {
    /// The company held or directed (must be [`EntityKind::Company`]).
    pub company: u32,
    /// The holder (person or company).
    pub holder: u32,
    /// The role of the holder.
    pub role: Role,
    /// Fraction in `[0, 1]` for shareholding roles; ignored for directorship roles. `None` on a
    /// shareholding role means "share not recorded": it counts as unknown and is flagged.
    pub share: Option<Decimal>,
    /// First day the holding is valid (inclusive), `None` = since ever.
    pub from: Option<Day>,
    /// First day the holding is no longer valid (exclusive), `None` = still valid.
    pub to: Option<Day>,
    /// The caller's provenance row, cited in every result.
    pub row: u32,
}

impl Holding {
    /// True if the holding is valid at `day` (`from <= day < to`); `None` day means "ignore dates".
    pub fn valid_at(&self, day: Option<Day>) -> bool {
        match day {
            None => true,
            Some(d) => self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d < t),
        }
    }
}

/// A known nominee arrangement: `nominee` holds or directs for `principal` (AMLR Art. 53(1)
/// nominee arrangements; Law 10192 "persons holding assets for the subject").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineeArrangement {
    /// The registered nominee.
    pub nominee: u32,
    /// The person or company the nominee acts for.
    pub principal: u32,
    /// Restrict the arrangement to one company; `None` = all of the nominee's nominee roles.
    pub company: Option<u32>,
    /// The caller's provenance row (e.g. a declaration or investigative finding).
    pub row: u32,
}

/// Errors of the ownership engine. Each names the rows or companies to look at.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AssetsError {
    /// An id is not below `kinds.len()`.
    #[error("row {row}: entity id {id} is unknown (ids must be below the number of entity kinds given)")]
    UnknownEntity {
        /// The id.
        id: u32,
        /// The input row.
        row: u32,
    },
    /// A holding's `company` is a person.
    #[error("row {row}: entity {id} is held but is not a company; fix the entity kind or the row")]
    NotACompany {
        /// The id.
        id: u32,
        /// The input row.
        row: u32,
    },
    /// A share outside `[0, 1]`.
    #[error("row {row}: share {share} is outside [0, 1]; shares are fractions, not percentages")]
    ShareOutOfRange {
        /// The input row.
        row: u32,
        /// The offending value.
        share: Decimal,
    },
    /// A company's valid holdings sum above 1.
    #[error(
        "company {company}: holdings sum to {total} > 1 (rows {rows:?}); fix the register or use Oversubscribed::Scale"
    )]
    Oversubscribed {
        /// The company.
        company: u32,
        /// The sum of its valid shareholdings.
        total: Decimal,
        /// Rows contributing to the sum.
        rows: Vec<u32>,
    },
    /// A set of companies owned wholly by each other, with no outside or unknown interest:
    /// integrated ownership is undefined there (I - W_cc is singular, methodology.md#bo-computation).
    #[error("companies {companies:?} own each other entirely with no outside holder; integrated ownership is undefined - check the register for a missing holder")]
    ClosedCycle {
        /// The companies of the strongly connected component.
        companies: Vec<u32>,
    },
    /// A product or sum of shares left `Decimal`'s exact range (only shares outside `[0, 1]`
    /// can do that, and those are [`AssetsError::ShareOutOfRange`] first).
    #[error("row {row}: a product or sum of shares left the exact decimal range; shares are fractions in [0, 1]")]
    Overflow {
        /// The input row.
        row: u32,
    },
    /// Decimal overflow or a zero pivot while solving a cyclic component (should not happen
    /// for valid input; reported rather than panicking).
    #[error("numeric failure while solving the cyclic component {companies:?}")]
    Numeric {
        /// The companies of the strongly connected component.
        companies: Vec<u32>,
    },
}
