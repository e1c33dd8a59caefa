//! Typed dense ids: the row numbers that identify accounts, transfers, flow-graph nodes, persons
//! and companies inside one loaded case.
//!
//! Each is a `#[repr(transparent)]` wrapper of a `u32`, so a `Vec<AccountId>` has the layout of a
//! `Vec<u32>` and costs nothing at run time; what it adds is that a transfer index can no longer
//! be passed where an account index is expected. The ids are created where their rows are:
//! `ingest` numbers the rows of each table, the flow graph (`graph::FlowGraph`, a layer above) numbers its nodes
//! (accounts first, so an account's node has the account's number, then one cash node per
//! city). Hot loops over the column store and the CSR may keep raw `u32` arrays and convert at
//! their boundary with [`AccountId::from_raw`] and `raw()`: the columns hold ids that ingest
//! already checked against the table sizes.
//!
//! None of them implements `Display`: a dense id is a position in memory, not something a user
//! may see or cite. What a report, CSV or diagram shows is the row's external id
//! ([`crate::model::Case::entity_id`], `Account::id`, `Transfers::txn_id`). `Debug` prints the
//! type and the number, for tests and logs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A row index does not fit the 32 bits of a dense id (more than 4,294,967,295 rows of one
/// table): the case is too large for one machine's dense ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdOverflow {
    /// The kind of id (`AccountId`, ...).
    pub kind: &'static str,
    /// The index that did not fit.
    pub index: usize,
}

impl fmt::Display for IdOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} does not fit a 32-bit {} (at most {} rows per table)", self.index, self.kind, u32::MAX)
    }
}

impl std::error::Error for IdOverflow {}

/// Declares one dense id type.
macro_rules! dense_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(u32);

        impl $name {
            /// The id of row `ix`; an index past `u32::MAX` is refused with [`IdOverflow`].
            #[inline]
            pub fn new(ix: usize) -> Result<$name, IdOverflow> {
                u32::try_from(ix).map($name).map_err(|_| IdOverflow { kind: stringify!($name), index: ix })
            }

            /// The id stored as `raw` in a column (always valid: every `u32` is an index).
            #[inline]
            pub const fn from_raw(raw: u32) -> $name {
                $name(raw)
            }

            /// The ids stored in a raw column slice, in order (for handing a hot loop's ids to a
            /// typed boundary).
            #[inline]
            pub fn from_raws(raw: &[u32]) -> impl ExactSizeIterator<Item = $name> + Clone + '_ {
                raw.iter().map(|&r| $name(r))
            }

            /// The row index, for indexing the owning table.
            #[inline]
            pub const fn ix(self) -> usize {
                self.0 as usize
            }

            /// The stored 32-bit value, for the raw columns of hot loops.
            #[inline]
            pub const fn raw(self) -> u32 {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }
    };
}

dense_id! {
    /// An account: index into `Case::accounts`. In the transfer graph an account's node has the
    /// same number ([`AccountId::node`]); the graph's cash nodes come after the accounts.
    AccountId
}

dense_id! {
    /// A transfer: index into `Case::transfers`, and the id of its edge in
    /// the flow graph (`graph::FlowGraph`: it numbers its edges as the case numbers transfers).
    TransferId
}

dense_id! {
    /// A node of the flow graph (`graph::FlowGraph`): accounts first (node `i` is account `i`), then one
    /// cash node per branch city and one for cash of unknown place. It is its own type because
    /// a node is not always an account: [`NodeId::account`] says when it is.
    NodeId
}

dense_id! {
    /// A person: index into `Case::persons`. With [`CompanyId`], the typed halves of
    /// [`crate::model::EntityRef`], which is the id of "a person or a company".
    PersonId
}

dense_id! {
    /// A company: index into `Case::companies` (see [`PersonId`]).
    CompanyId
}

impl AccountId {
    /// The account's node in the transfer graph (same number).
    #[inline]
    pub const fn node(self) -> NodeId {
        NodeId(self.0)
    }
}

impl NodeId {
    /// The account this node is, when it is one (`n_accounts`: the graph's account count).
    #[inline]
    pub const fn account(self, n_accounts: u32) -> Option<AccountId> {
        if self.0 < n_accounts {
            Some(AccountId(self.0))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_refuses_an_index_past_u32() {
        assert_eq!(AccountId::new(7).map(AccountId::ix), Ok(7));
        assert_eq!(TransferId::new(u32::MAX as usize).map(TransferId::raw), Ok(u32::MAX));
        if let Some(past) = (u32::MAX as usize).checked_add(1) {
            let err = NodeId::new(past).unwrap_err();
            assert_eq!(err, IdOverflow { kind: "NodeId", index: past });
            assert!(err.to_string().contains("32-bit NodeId"));
        }
    }

    #[test]
    fn accounts_are_the_first_nodes() {
        let a = AccountId::from_raw(4);
        assert_eq!(a.node().account(5), Some(a));
        assert_eq!(NodeId::from_raw(5).account(5), None);
    }

    #[test]
    fn typed_ids_are_free_and_serialise_as_numbers() {
        assert_eq!(std::mem::size_of::<Option<u32>>(), std::mem::size_of::<Option<PersonId>>());
        assert_eq!(std::mem::size_of::<Vec<u32>>(), std::mem::size_of::<Vec<CompanyId>>());
        assert_eq!(serde_json::to_string(&[TransferId::from_raw(3)]).unwrap(), "[3]");
        assert_eq!(serde_json::from_str::<AccountId>("9").unwrap(), AccountId::from_raw(9));
        assert_eq!(format!("{:?}", PersonId::from_raw(2)), "PersonId(2)");
    }
}
