//! L0, the case data model: ids, money, dates, provenance and the loaded case.
//!
//! Depends on nothing else in the crate. Dense ids ([`AccountId`], [`TransferId`], [`NodeId`],
//! [`PersonId`], [`CompanyId`], typed `u32` row numbers) identify rows inside a loaded case;
//! external keys (ids in the source files) stay strings and are kept apart from the dense ids.

mod case;
mod compact;
mod entities;
mod iban;
mod ids;
mod labelled;
pub mod money;
mod provenance;
pub mod schema;
mod strcol;
mod time;
mod transfers;

pub use case::{Case, CaseMeta, IdMap, InferredLink, LinkBasis};
pub use compact::{AmountColumn, ProvColumn};
pub use entities::*;
pub use iban::iban_valid;
pub use ids::{AccountId, CompanyId, IdOverflow, NodeId, PersonId, TransferId};
pub use labelled::{typed_value, EdgeTable, LabelEnd, Labelled, NodeTable, PropType, PropValue, TypedColumn};
pub use money::{round_cents, Conversion, Currency, FxRate, FxTable, MissingRate, Money};
pub use provenance::{input_manifest_hash, Manifest, Prov, SourceFile};
pub use strcol::{ColumnFull, StrColumn};
pub use time::{Date, DateTime};
pub use transfers::{TransferRow, Transfers, MISSING_RATE, NO_ACCOUNT, NO_CITY, NO_RATE};
