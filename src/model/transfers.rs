//! Transfers stored by column (structure of arrays): about 60 bytes a row plus the text of
//! ids and references, so tens of millions fit in memory and scans stay cache-friendly.

use super::compact::{AmountColumn, ProvColumn};
use super::entities::{Channel, Extras};
use super::money::{Conversion, Currency, FxTable};
use super::provenance::Prov;
use super::strcol::{ColumnFull, StrColumn};
use super::time::DateTime;
use rust_decimal::Decimal;

/// Marks a missing account (cash side of a deposit or withdrawal) in `from` / `to`.
pub const NO_ACCOUNT: u32 = u32::MAX;
/// Marks "no rate needed" (base currency) in `fx`.
pub const NO_RATE: u32 = u32::MAX;
/// Marks "rate missing" in `fx`: the transfer is in another currency than the base and no
/// rate is quoted for it on or before its booking date. It is loaded with its own amount; its
/// base amount is unknown ([`Transfers::base_amount`] is `None`), never guessed.
pub const MISSING_RATE: u32 = u32::MAX - 1;
/// Marks a missing branch city.
pub const NO_CITY: u32 = u32::MAX;

/// One transfer, as handed to [`Transfers::push`].
#[derive(Clone, Debug)]
pub struct TransferRow<'a> {
    /// External id.
    pub txn_id: &'a str,
    /// Booking time.
    pub booked_at: DateTime,
    /// Debited account index or [`NO_ACCOUNT`].
    pub from: u32,
    /// Credited account index or [`NO_ACCOUNT`].
    pub to: u32,
    /// Amount in `currency`, > 0.
    pub amount: Decimal,
    /// Currency of `amount`.
    pub currency: Currency,
    /// Index of the FX rate used, [`NO_RATE`] (base currency) or [`MISSING_RATE`].
    pub fx: u32,
    /// Channel.
    pub channel: Channel,
    /// Free-text reference.
    pub reference: &'a str,
    /// Index into `Case::cities`, or [`NO_CITY`].
    pub branch_city: u32,
    /// Source row.
    pub prov: Prov,
}

/// All loaded transfers, column by column; index `i` is the transfer's dense id.
#[derive(Clone, Debug, Default)]
pub struct Transfers {
    /// External ids.
    pub txn_id: StrColumn,
    /// Booking times.
    pub booked_at: Vec<DateTime>,
    /// Debited account or [`NO_ACCOUNT`].
    pub from: Vec<u32>,
    /// Credited account or [`NO_ACCOUNT`].
    pub to: Vec<u32>,
    /// Amounts in the transfer's own currency (read with [`Transfers::amount`]).
    amounts: AmountColumn,
    /// Currencies.
    pub currency: Vec<Currency>,
    /// FX rate index used for the base amount, [`NO_RATE`] (base currency) or
    /// [`MISSING_RATE`] (base amount unknown).
    pub fx: Vec<u32>,
    /// Channels.
    pub channel: Vec<Channel>,
    /// References.
    pub reference: StrColumn,
    /// Branch city index or [`NO_CITY`].
    pub branch_city: Vec<u32>,
    /// Source rows (read with [`Transfers::prov`]).
    provs: ProvColumn,
    /// Extra columns.
    pub extras: Extras,
}

impl Transfers {
    /// Number of transfers.
    pub fn len(&self) -> usize {
        self.booked_at.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.booked_at.is_empty()
    }

    /// Reserves room for `n` more transfers (ids and references: room for `n` values; their
    /// bytes grow as read).
    pub fn reserve(&mut self, n: usize) {
        self.txn_id.reserve(n, 0);
        self.reference.reserve(n, 0);
        self.booked_at.reserve_exact(n);
        self.from.reserve_exact(n);
        self.to.reserve_exact(n);
        self.amounts.reserve(n);
        self.currency.reserve_exact(n);
        self.fx.reserve_exact(n);
        self.channel.reserve_exact(n);
        self.branch_city.reserve_exact(n);
        self.provs.reserve(n);
    }

    /// Appends one transfer.
    pub fn push(&mut self, r: &TransferRow<'_>) -> Result<(), ColumnFull> {
        self.txn_id.push(r.txn_id)?;
        self.reference.push(r.reference)?;
        self.booked_at.push(r.booked_at);
        self.from.push(r.from);
        self.to.push(r.to);
        self.amounts.push(r.amount);
        self.currency.push(r.currency);
        self.fx.push(r.fx);
        self.channel.push(r.channel);
        self.branch_city.push(r.branch_city);
        self.provs.push(r.prov);
        Ok(())
    }

    /// Keeps only the transfers whose `keep` flag is set (used to drop duplicates).
    pub fn retain(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep[i];
                i += 1;
                k
            });
        }
        self.txn_id.retain_indices(keep);
        self.reference.retain_indices(keep);
        for c in &mut self.extras.columns {
            c.retain_indices(keep);
        }
        filter(&mut self.booked_at, keep);
        filter(&mut self.from, keep);
        filter(&mut self.to, keep);
        self.amounts.retain(keep);
        filter(&mut self.currency, keep);
        filter(&mut self.fx, keep);
        filter(&mut self.channel, keep);
        filter(&mut self.branch_city, keep);
        self.provs.retain(keep);
    }

    /// The amount of transfer `i` in its own currency, exact.
    pub fn amount(&self, i: usize) -> Decimal {
        self.amounts.get(i)
    }

    /// Where transfer `i` was read: file index and line.
    pub fn prov(&self, i: usize) -> Prov {
        self.provs.get(i)
    }

    /// The amount of transfer `i` in the base currency, with the rate and rate date used;
    /// `None` when no rate exists for its currency on or before its date ([`MISSING_RATE`]):
    /// the base amount is unknown, and a sum that needs it must leave the transfer out and
    /// say so.
    pub fn base_amount(&self, i: usize, fx: &FxTable) -> Option<Conversion> {
        match self.fx[i] {
            MISSING_RATE => None,
            NO_RATE => Some(fx.apply(self.amounts.get(i), None)),
            idx => Some(fx.apply(self.amounts.get(i), Some(idx))),
        }
    }

    /// True when transfer `i` has a known base amount.
    pub fn has_base(&self, i: usize) -> bool {
        self.fx[i] != MISSING_RATE
    }

    /// Transfers whose base amount is unknown (no rate for their currency on or before their
    /// date).
    pub fn unknown_base(&self) -> usize {
        self.fx.iter().filter(|&&f| f == MISSING_RATE).count()
    }

    /// Bytes held by the columns, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.txn_id.heap_bytes()
            + self.reference.heap_bytes()
            + self.booked_at.capacity() * 8
            + (self.from.capacity() + self.to.capacity() + self.fx.capacity() + self.branch_city.capacity()) * 4
            + self.amounts.heap_bytes()
            + self.currency.capacity() * 3
            + self.channel.capacity()
            + self.provs.heap_bytes()
            + self.extras.columns.iter().map(StrColumn::heap_bytes).sum::<usize>()
    }

    /// Releases spare capacity after loading.
    pub fn shrink_to_fit(&mut self) {
        self.txn_id.shrink_to_fit();
        self.reference.shrink_to_fit();
        self.booked_at.shrink_to_fit();
        self.from.shrink_to_fit();
        self.to.shrink_to_fit();
        self.amounts.shrink_to_fit();
        self.currency.shrink_to_fit();
        self.fx.shrink_to_fit();
        self.channel.shrink_to_fit();
        self.branch_city.shrink_to_fit();
        self.provs.shrink_to_fit();
        for c in &mut self.extras.columns {
            c.shrink_to_fit();
        }
    }
}
