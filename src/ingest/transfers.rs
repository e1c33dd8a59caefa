//! The transfers table: parsed in parallel batches, checked against accounts, channels and FX
//! rates, then de-duplicated by a parallel sort of the ids (later duplicates are rejected).

use super::driver::{Ctx, Loader, TableDef};
use super::row::{Fault, RowView};
use super::IngestError;
use crate::model::*;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::marker::PhantomData;

/// Contract columns of `transfers`.
pub const COLUMNS: &[&str] = crate::model::schema::TRANSFERS;

/// What the parallel parse computes; the text columns are read again from the row when the
/// transfer is stored, so no string is allocated per row.
struct Parsed {
    booked_at: DateTime,
    /// A daylight-saving note on the booking time (rare; boxed to keep the row small).
    dst: Option<Box<str>>,
    from: u32,
    to: u32,
    amount: Decimal,
    currency: Currency,
    fx: u32,
    channel: Channel,
    /// The amount was rounded to the currency's minor unit (`round_amounts`).
    rounded: bool,
    /// Set when no rate exists for the currency on or before the date: the row loads with an
    /// unknown base amount and a warning.
    missing: Option<MissingRate>,
}

/// Loads transfers, then rejects duplicate ids and keeps the sorted id order for look-ups.
pub(crate) fn load(l: &mut Loader) -> Result<(), IngestError> {
    const REQUIRED: &[&str] = &["txn_id", "booked_at", "amount"];
    // Statement sources: own and counterparty accounts first, so that the look-up below
    // knows them.
    let sources = l.sources("transfers");
    let (sources, pending) = if sources.iter().any(|s| s.statement.is_some()) {
        super::statement::prepare(l, sources, COLUMNS, REQUIRED)?
    } else {
        (sources, Vec::new())
    };
    // Read-only views shared by the parallel parse: one compact look-up answers id, life and
    // currency of an account in one probe (see `AccountLookup`).
    let lookup = AccountLookup::build(&l.case.accounts.rows);
    let lookup_ref = &lookup;
    let fx_table = std::mem::take(&mut l.case.fx);
    let fx_ref = &fx_table;
    let mut city_index: IdMap<u32> = Default::default();
    let def = TableDef {
        name: "transfers",
        columns: COLUMNS,
        required: REQUIRED,
        extras: Box::new(|c: &mut Case| &mut c.transfers.extras),
        reserve: |c: &mut Case, n: usize| c.transfers.reserve(n),
        show: Some(show_last),
        _row: PhantomData,
        parse: move |v: &RowView<'_>| {
            v.required(0)?;
            let (booked_at, dst) = v.datetime_noted(1)?.ok_or_else(|| v.fault(1, "booked_at is empty but required"))?;
            let channel: Channel = v.parse(6)?;
            let account = |col: usize| -> Result<Option<AcctEntry>, Fault> {
                let id = v.text(col)?;
                if id.is_empty() {
                    return Ok(None);
                }
                lookup_ref.get(id.as_ref()).map(Some).ok_or_else(|| {
                    v.fault(col, format!("unknown account '{id}': not in accounts (add it, or check the id)"))
                })
            };
            let from_e = account(2)?;
            let to_e = account(3)?;
            let from = from_e.map_or(NO_ACCOUNT, |e| e.idx);
            let to = to_e.map_or(NO_ACCOUNT, |e| e.idx);
            match channel {
                Channel::CashDeposit if from != NO_ACCOUNT => {
                    return Err(v.fault(2, "a cash_deposit has no from_account: leave it empty"))
                }
                Channel::CashWithdrawal if to != NO_ACCOUNT => {
                    return Err(v.fault(3, "a cash_withdrawal has no to_account: leave it empty"))
                }
                Channel::CashDeposit if to == NO_ACCOUNT => return Err(v.fault(3, "a cash_deposit needs to_account")),
                Channel::CashWithdrawal if from == NO_ACCOUNT => {
                    return Err(v.fault(2, "a cash_withdrawal needs from_account"))
                }
                Channel::CashDeposit | Channel::CashWithdrawal => {}
                _ if from == NO_ACCOUNT => return Err(v.fault(2, format!("a {channel} transfer needs from_account"))),
                _ if to == NO_ACCOUNT => return Err(v.fault(3, format!("a {channel} transfer needs to_account"))),
                _ => {}
            }
            if from == to {
                return Err(v.fault(3, "transfer from an account to itself"));
            }
            let amount = match v.amount(4)? {
                Some(a) if a > Decimal::ZERO => a,
                Some(_) => return Err(v.fault(4, "amount must be greater than zero (direction is given by from/to)")),
                None => return Err(v.fault(4, "amount is empty but required")),
            };
            let day = booked_at.date();
            for (col, e) in [(2, from_e), (3, to_e)] {
                if let Some(e) = e.filter(|e| !e.is_open_on(day)) {
                    let shown = |d: Date| {
                        if d == Date(i32::MIN) || d == Date(i32::MAX) {
                            String::new()
                        } else {
                            d.to_string()
                        }
                    };
                    let life = format!("{} .. {}", shown(e.opened), shown(e.closed));
                    return Err(v.fault(col, format!("booked on {day}, outside the account's life ({life})")));
                }
            }
            let account_currency = from_e.or(to_e).map(|e| e.currency);
            let currency = v.currency(5, account_currency)?;
            let (amount, rounded) = v.money(4, amount, currency)?;
            // A missing rate does not reject the row: it loads with its own amount and an
            // unknown base amount (MISSING_RATE), and a warning says so.
            let (fx, missing) = match fx_ref.lookup(currency, day) {
                Ok(idx) => (idx.unwrap_or(NO_RATE), None),
                Err(m) => (MISSING_RATE, Some(m)),
            };
            Ok(Parsed {
                booked_at,
                dst: dst.map(String::into_boxed_str),
                from,
                to,
                amount,
                currency,
                fx,
                channel,
                rounded,
                missing,
            })
        },
        accept: |ctx: &mut Ctx<'_>, p: Parsed, v: &RowView<'_>, prov: Prov| {
            let txn_id = v.text(0)?;
            if p.rounded {
                ctx.warn(Fault::new(
                    "amount",
                    &v.text(4).map(|t| t.into_owned()).unwrap_or_default(),
                    format!(
                        "rounded to {} ({} decimals for {}), as the mapping's round_amounts asks",
                        p.amount,
                        p.currency.minor_units(),
                        p.currency
                    ),
                ));
            }
            if let Some(note) = &p.dst {
                ctx.warn(Fault::new("booked_at", &p.booked_at.to_string(), note.to_string()));
            }
            if let Some(m) = &p.missing {
                ctx.warn(Fault::new(
                    "currency",
                    p.currency.as_str(),
                    format!(
                        "{m}; loaded with its own amount {} {} and an unknown base amount: structure-only \
                         detection uses it, amount comparisons across currencies and tracing leave it out",
                        p.amount, p.currency
                    ),
                ));
            }
            let city = v.text(8)?;
            let branch_city = if city.is_empty() {
                NO_CITY
            } else if let Some(&i) = city_index.get(city.as_ref()) {
                i
            } else {
                let n = ctx.case.cities.len() as u32;
                ctx.case.cities.push(city.to_string());
                city_index.insert(city.to_string(), n);
                n
            };
            ctx.case
                .transfers
                .push(&TransferRow {
                    txn_id: &txn_id,
                    booked_at: p.booked_at,
                    from: p.from,
                    to: p.to,
                    amount: p.amount,
                    currency: p.currency,
                    fx: p.fx,
                    channel: p.channel,
                    reference: &v.text(7)?,
                    branch_city,
                    prov,
                })
                .map_err(|e| Fault::new("txn_id", &txn_id, e.to_string()))
        },
    };
    let result = l.load_from(def, sources);
    l.case.fx = fx_table;
    result?;
    if !pending.is_empty() {
        if let Some(t) = l.report.tables.iter_mut().find(|t| t.table == "transfers") {
            t.warnings += pending.len() as u64;
        }
        l.report.warnings.extend(pending);
    }
    dedupe(l);
    let unknown = l.case.transfers.unknown_base() as u64;
    if let Some(t) = l.report.tables.iter_mut().find(|t| t.table == "transfers") {
        t.unknown_base = unknown;
    }
    Ok(())
}

/// The last loaded transfer as `--preview` shows it.
fn show_last(c: &Case) -> Vec<(String, String)> {
    let t = &c.transfers;
    let Some(i) = t.len().checked_sub(1) else { return Vec::new() };
    let acct = |a: u32| if a == NO_ACCOUNT { "(cash)".to_string() } else { c.accounts.rows[a as usize].id.clone() };
    let mut v = vec![
        ("txn_id".to_string(), t.txn_id.get(i).to_string()),
        ("booked_at".to_string(), t.booked_at[i].to_string()),
        ("from".to_string(), acct(t.from[i])),
        ("to".to_string(), acct(t.to[i])),
        ("amount".to_string(), format!("{} {}", t.amount(i), t.currency[i])),
        ("channel".to_string(), t.channel[i].to_string()),
    ];
    if !t.reference.get(i).is_empty() {
        v.push(("reference".to_string(), t.reference.get(i).to_string()));
    }
    for (n, col) in t.extras.names.iter().zip(&t.extras.columns) {
        if n.ends_with("_original") && col.len() > i && !col.get(i).is_empty() {
            v.push((n.clone(), col.get(i).to_string()));
        }
    }
    v
}

/// What the transfer parse needs of an account, in 16 bytes.
#[derive(Clone, Copy, Debug)]
struct AcctEntry {
    idx: u32,
    opened: Date,
    closed: Date,
    currency: Currency,
}

impl AcctEntry {
    fn is_open_on(&self, d: Date) -> bool {
        self.opened <= d && d <= self.closed
    }
}

/// An account id of at most 23 bytes, stored inline (zero-padded), so a probe needs no pointer
/// chase to a heap string.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortId {
    len: u8,
    bytes: [u8; 23],
}

impl std::hash::Hash for ShortId {
    /// Three words (the length and the zero-padded bytes), not 24 single bytes.
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let mut w = [0u8; 24];
        w[0] = self.len;
        w[1..].copy_from_slice(&self.bytes);
        for c in w.chunks_exact(8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h.write_u64(u64::from_le_bytes(word));
        }
    }
}

impl ShortId {
    fn new(s: &str) -> Option<ShortId> {
        let b = s.as_bytes();
        (b.len() <= 23).then(|| {
            let mut bytes = [0u8; 23];
            bytes[..b.len()].copy_from_slice(b);
            ShortId { len: b.len() as u8, bytes }
        })
    }
}

/// Account look-up for the transfer parse. `Case::account_index` (String keys, then the 112-byte
/// account row for its life and currency) cost four dependent cache misses per account id; at
/// 10M transfers over 170k accounts that was a third of the load time (perf: memcmp on the
/// heap keys 17%, account rows 13%). Here id, life and currency sit together in one bucket of
/// 40 bytes. Ids longer than 23 bytes (IBANs as ids) go to a String map. The hasher is keyed
/// per process: the ids probed are the transfers' (hostile input), and with a fixed seed a
/// file of crafted ids could make every probe walk one long chain.
struct AccountLookup {
    short: std::collections::HashMap<ShortId, AcctEntry, foldhash::fast::RandomState>,
    long: IdMap<AcctEntry>,
}

impl AccountLookup {
    fn build(rows: &[Account]) -> AccountLookup {
        let mut l = AccountLookup { short: Default::default(), long: Default::default() };
        l.short.reserve(rows.len());
        for (i, a) in rows.iter().enumerate() {
            let e = AcctEntry {
                idx: i as u32,
                opened: a.opened_on.unwrap_or(Date(i32::MIN)),
                closed: a.closed_on.unwrap_or(Date(i32::MAX)),
                currency: a.currency,
            };
            // Account ids are unique (checked when accounts load); the first row wins regardless.
            match ShortId::new(&a.id) {
                Some(k) => {
                    l.short.entry(k).or_insert(e);
                }
                None => {
                    l.long.entry(a.id.clone()).or_insert(e);
                }
            }
        }
        l
    }

    fn get(&self, id: &str) -> Option<AcctEntry> {
        match ShortId::new(id) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(id).copied(),
        }
    }
}

/// Transfer ids by hash: `(hash, index)` pairs sorted, so duplicates are adjacent and a look-up
/// is a binary search plus a string comparison. Hashing first avoids sorting strings
/// (a third of the load time at 1M transfers when ids were sorted as text).
pub(crate) struct TxnIndex {
    pairs: Vec<(u64, u32)>,
}

fn id_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(s)
}

impl TxnIndex {
    /// Indexes every id of `ids`. O(n log n), parallel.
    pub fn build(ids: &StrColumn) -> TxnIndex {
        let mut pairs: Vec<(u64, u32)> =
            (0..ids.len()).into_par_iter().map(|i| (id_hash(ids.get(i)), i as u32)).collect();
        pairs.par_sort_unstable();
        TxnIndex { pairs }
    }

    /// The first-loaded transfer with id `id`.
    pub fn find(&self, ids: &StrColumn, id: &str) -> Option<u32> {
        let h = id_hash(id);
        let start = self.pairs.partition_point(|p| p.0 < h);
        self.pairs[start..].iter().take_while(|p| p.0 == h).map(|p| p.1).find(|&i| ids.get(i as usize) == id)
    }

    /// Later duplicates: (duplicate index, first index), sorted by duplicate index.
    fn duplicates(&self, ids: &StrColumn) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < self.pairs.len() {
            let mut e = k + 1;
            while e < self.pairs.len() && self.pairs[e].0 == self.pairs[k].0 {
                e += 1;
            }
            if e - k > 1 {
                let run = &self.pairs[k..e];
                for (j, &(_, b)) in run.iter().enumerate().skip(1) {
                    if let Some(&(_, a)) = run[..j].iter().find(|(_, a)| ids.get(*a as usize) == ids.get(b as usize)) {
                        out.push((b, a));
                    }
                }
            }
            k = e;
        }
        out.sort_unstable();
        out
    }
}

/// Rejects every transfer whose id was already loaded (keeping the first in load order) and
/// leaves `l.txn_index` for payment look-ups.
fn dedupe(l: &mut Loader) {
    let index = TxnIndex::build(&l.case.transfers.txn_id);
    let dups = index.duplicates(&l.case.transfers.txn_id);
    if dups.is_empty() {
        l.txn_index = Some(index);
        return;
    }
    let t = &l.case.transfers;
    let mut keep = vec![true; t.len()];
    let faults: Vec<(Prov, Fault)> = dups
        .iter()
        .map(|&(b, first)| {
            keep[b as usize] = false;
            let fp = t.prov(first as usize);
            let where_ = l.case.files.get(fp.file as usize).map(|f| f.path.as_str()).unwrap_or("");
            let id = t.txn_id.get(b as usize);
            (
                t.prov(b as usize),
                Fault::new("txn_id", id, format!("duplicate txn_id: first loaded from {where_} line {}", fp.line)),
            )
        })
        .collect();
    for (prov, f) in faults {
        l.reject_after("transfers", prov, f);
    }
    l.case.transfers.retain(&keep);
    l.txn_index = Some(TxnIndex::build(&l.case.transfers.txn_id));
}
