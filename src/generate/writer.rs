//! Writes the case folder: case.toml, one CSV per table (csv crate, RFC 4180) and truth/*.csv.
//! Transfers are streamed day by day from `background.rs` merged with the planned transfers.

use super::background::Stream;
use super::fx::FxTable;
use super::ids;
use super::noise::{self, IdentityNoise};
use super::reftrace;
use super::truth;
use super::world::*;
use super::{GenConfig, GenError, GenSummary};
use crate::model::schema;
use chrono::{Datelike, NaiveDate, Timelike};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

type Csv = csv::Writer<BufWriter<File>>;

struct Out {
    dir: PathBuf,
    summary: GenSummary,
}

impl Out {
    fn open(&self, rel: &str, header: &[&str]) -> Result<(Csv, PathBuf), GenError> {
        let path = self.dir.join(rel);
        let f = File::create(&path).map_err(|source| GenError::Io { path: path.clone(), source })?;
        let mut w = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 16, f));
        w.write_record(header).map_err(|source| GenError::Csv { path: path.clone(), source })?;
        Ok((w, path))
    }

    fn finish(&mut self, mut w: Csv, path: PathBuf, table: &str, rows: u64) -> Result<(), GenError> {
        w.flush().map_err(|source| GenError::Io { path, source })?;
        self.summary.tables.push((table.to_owned(), rows));
        Ok(())
    }

    /// Writes a whole table from an iterator of rows.
    fn table<I, R>(&mut self, rel: &str, table: &str, header: &[&str], rows: I) -> Result<(), GenError>
    where
        I: IntoIterator<Item = R>,
        R: IntoIterator<Item = String>,
    {
        let (mut w, path) = self.open(rel, header)?;
        let mut n = 0u64;
        for r in rows {
            let rec: Vec<String> = r.into_iter().collect();
            w.write_record(&rec).map_err(|source| GenError::Csv { path: path.clone(), source })?;
            n += 1;
        }
        self.finish(w, path, table, n)
    }
}

fn date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}
fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}
fn money(x: Decimal) -> String {
    format!("{:.2}", x.round_dp(2))
}
fn cur(eur: bool) -> String {
    if eur { "EUR" } else { "ALL" }.to_owned()
}
fn share(x: Decimal) -> String {
    x.round_dp(4).normalize().to_string()
}

/// Writes every file of the case.
pub fn write_case(cfg: &GenConfig, fx: &FxTable, w: &World, dir: &Path) -> Result<GenSummary, GenError> {
    let truth_dir = dir.join("truth");
    std::fs::create_dir_all(&truth_dir).map_err(|source| GenError::Io { path: truth_dir.clone(), source })?;
    let mut o = Out { dir: dir.to_path_buf(), summary: GenSummary::default() };
    let plan = (cfg.identity_noise != IdentityNoise::None).then(|| noise::plan(cfg.seed, cfg.identity_noise, w));
    write_parties(&mut o, w, plan.as_ref())?;
    let (txn_of, ledger) = write_transfers(cfg, fx, w, &mut o)?;
    write_registers(&mut o, w, plan.as_ref(), &txn_of)?;
    write_case_lists(&mut o, fx, w)?;
    write_truth(&mut o, cfg, fx, w, plan.as_ref(), &txn_of, ledger.as_deref())?;
    o.summary.suspects = w.suspects.len() as u64;
    write_toml(cfg, dir)?;
    Ok(o.summary)
}

/// The txn ids of planned events `evs`, sorted and `;`-joined.
fn txn_list(txn_of: &[u64], evs: &[u32]) -> String {
    let mut v: Vec<u64> = evs.iter().filter_map(|&e| txn_of.get(e as usize).copied()).collect();
    v.sort_unstable();
    v.into_iter().map(ids::txn_id).collect::<Vec<_>>().join(";")
}

/// persons.csv (with the look-alikes of the identity noise), companies.csv, the registers' own
/// person and company records under identity noise, and accounts.csv.
fn write_parties(o: &mut Out, w: &World, plan: Option<&noise::Plan>) -> Result<(), GenError> {
    let withheld = |i: usize| plan.and_then(|p| p.bank_withheld.get(i).copied()).unwrap_or(false);
    let extra_persons = plan.map(|p| p.lookalikes.clone()).unwrap_or_default();
    o.table(
        "persons.csv",
        "persons",
        schema::PERSONS,
        w.persons
            .iter()
            .enumerate()
            .map(|(i, p)| {
                [
                    ids::person_id(i),
                    p.full_name.clone(),
                    date(p.birth),
                    if withheld(i) { String::new() } else { p.national_id.clone() },
                    p.address.clone(),
                    p.city.to_owned(),
                ]
            })
            .chain(extra_persons),
    )?;
    o.table(
        "companies.csv",
        "companies",
        schema::COMPANIES,
        w.companies.iter().enumerate().map(|(i, c)| {
            [
                ids::company_id(i),
                c.name.clone(),
                c.nuis.clone(),
                c.legal_form.to_owned(),
                c.address.clone(),
                c.city.clone(),
                date(c.incorporated),
                opt_date(c.dissolved),
                c.employees.to_string(),
            ]
        }),
    )?;
    if let Some(p) = plan {
        o.table("land_persons.csv", "land_persons", schema::PERSONS, p.land_persons.iter().cloned())?;
        o.table("company_persons.csv", "company_persons", schema::PERSONS, p.company_persons.iter().cloned())?;
        o.table("land_companies.csv", "land_companies", schema::COMPANIES, p.land_companies.iter().cloned())?;
    }
    o.table(
        "accounts.csv",
        "accounts",
        schema::ACCOUNTS,
        w.accounts.iter().enumerate().map(|(i, a)| {
            [
                ids::account_id(i),
                a.iban.clone(),
                a.bank.to_owned(),
                a.holder.map(Entity::id).unwrap_or_default(),
                date(a.opened),
                opt_date(a.closed),
                cur(a.eur),
            ]
        }),
    )
}

/// The land and company registers: properties, titles (their payments by txn id), encumbrances
/// and company ownership; under identity noise, owners as the registers spell them.
fn write_registers(o: &mut Out, w: &World, plan: Option<&noise::Plan>, txn_of: &[u64]) -> Result<(), GenError> {
    let title_owner =
        |i: usize, e: Entity| plan.and_then(|p| p.title_owner.get(i).cloned().flatten()).unwrap_or_else(|| e.id());
    let holder = |i: usize, e: Entity| plan.and_then(|p| p.holder.get(i).cloned().flatten()).unwrap_or_else(|| e.id());
    o.table(
        "properties.csv",
        "properties",
        schema::PROPERTIES,
        w.properties.iter().enumerate().map(|(i, p)| {
            [
                ids::property_id(i),
                p.cadastral_code.clone(),
                p.kind.to_owned(),
                p.city.to_owned(),
                p.zone.to_string(),
                p.area_m2.to_string(),
                money(p.market_value),
                money(p.cadastral_value),
                cur(p.eur),
                date(p.valued_on),
            ]
        }),
    )?;
    o.table(
        "property_titles.csv",
        "property_titles",
        schema::PROPERTY_TITLES,
        w.titles.iter().enumerate().map(|(i, t)| {
            [
                ids::property_id(t.property as usize),
                title_owner(i, t.owner),
                share(t.share),
                date(t.acquired),
                t.price.map(money).unwrap_or_default(),
                cur(t.eur),
                opt_date(t.disposed),
                txn_list(txn_of, &t.payments),
            ]
        }),
    )?;
    o.table(
        "encumbrances.csv",
        "encumbrances",
        schema::ENCUMBRANCES,
        w.encumbrances.iter().map(|e| {
            [
                ids::property_id(e.property as usize),
                ids::company_id(e.creditor as usize),
                money(e.amount),
                cur(e.eur),
                date(e.registered),
                opt_date(e.released),
            ]
        }),
    )?;
    o.table(
        "company_ownership.csv",
        "company_ownership",
        schema::COMPANY_OWNERSHIP,
        w.ownership.iter().enumerate().map(|(i, x)| {
            [
                ids::company_id(x.company as usize),
                holder(i, x.holder),
                x.role.to_owned(),
                x.share.map(share).unwrap_or_default(),
                date(x.from),
                opt_date(x.to),
            ]
        }),
    )
}

/// Relations, income, fx rates, suspects and victims.
fn write_case_lists(o: &mut Out, fx: &FxTable, w: &World) -> Result<(), GenError> {
    o.table(
        "relations.csv",
        "relations",
        schema::RELATIONS,
        w.relations.iter().map(|&(p, q, k)| [ids::person_id(p as usize), ids::person_id(q as usize), k.to_owned()]),
    )?;
    o.table(
        "income.csv",
        "income",
        schema::INCOME,
        w.income
            .iter()
            .filter(|x| x.2 > Decimal::ZERO)
            .map(|(e, y, a, s)| [e.id(), y.to_string(), money(*a), "ALL".to_owned(), (*s).to_owned()]),
    )?;
    o.table(
        "fx_rates.csv",
        "fx_rates",
        schema::FX_RATES,
        fx.rows().map(|(d, r)| [date(d), "EUR".to_owned(), format!("{:.4}", r)]),
    )?;
    o.table(
        "suspects.csv",
        "suspects",
        schema::SUSPECTS,
        w.suspects.iter().map(|(e, b, c, s)| [e.id(), (*b).to_owned(), c.clone(), date(*s)]),
    )?;
    o.table(
        "victims.csv",
        "victims",
        schema::VICTIMS,
        w.victims.iter().map(|(p, b, m, s)| {
            [Entity::P(*p).id(), (*b).to_owned(), if *m { "yes" } else { "no" }.to_owned(), date(*s)]
        }),
    )
}

/// The ground truth under truth/: roles, injected patterns, holdings traced by the reference
/// tracer, victims' holdings and, under identity noise, the record-to-entity map.
fn write_truth(
    o: &mut Out,
    cfg: &GenConfig,
    fx: &FxTable,
    w: &World,
    plan: Option<&noise::Plan>,
    txn_of: &[u64],
    ledger: Option<&[reftrace::Row]>,
) -> Result<(), GenError> {
    let persons =
        w.persons.iter().enumerate().map(|(i, p)| {
            [ids::person_id(i), p.role.as_str().to_owned(), if p.minor { "yes" } else { "no" }.to_owned()]
        });
    let companies =
        w.companies.iter().enumerate().map(|(i, c)| [ids::company_id(i), c.role.as_str().to_owned(), "no".to_owned()]);
    o.table("truth/roles.csv", "truth/roles", &["entity_id", "role", "minor"], persons.chain(companies))?;
    let mut per_typ: BTreeMap<&str, u64> = BTreeMap::new();
    o.table(
        "truth/patterns.csv",
        "truth/patterns",
        &["pattern_id", "typology", "txn_ids", "accounts", "entities"],
        w.patterns.iter().enumerate().map(|(i, p)| {
            *per_typ.entry(p.typology).or_default() += 1;
            [
                format!("PAT{:05}", i + 1),
                p.typology.to_owned(),
                txn_list(txn_of, &p.events),
                p.accounts.iter().map(|&a| ids::account_id(a as usize)).collect::<Vec<_>>().join(";"),
                p.entities.iter().map(|e| e.id()).collect::<Vec<_>>().join(";"),
            ]
        }),
    )?;
    o.summary.patterns = per_typ.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let hs = truth::holdings(w, fx, cfg.end, ledger, txn_of);
    let traced = |x: Option<Decimal>| x.map(money).unwrap_or_default();
    o.table(
        "truth/holdings.csv",
        "truth/holdings",
        &[
            "suspect_id",
            "asset_id",
            "attributable_share",
            "net_attributable",
            "traced_fifo",
            "traced_libr",
            "traced_pro_rata",
        ],
        hs.iter().map(|h| {
            [
                h.suspect.id(),
                ids::property_id(h.property as usize),
                share(h.share),
                money(h.net_all),
                traced(h.traced.map(|t| t[0])),
                traced(h.traced.map(|t| t[1])),
                traced(h.traced.map(|t| t[2])),
            ]
        }),
    )?;
    let vh = ledger.map(|l| truth::victim_holdings(w, cfg.end, l, txn_of)).unwrap_or_default();
    o.table(
        "truth/victim_holdings.csv",
        "truth/victim_holdings",
        &["victim_id", "asset_id", "traced_fifo", "traced_libr", "traced_pro_rata"],
        vh.iter().map(|h| {
            [
                Entity::P(h.victim).id(),
                ids::property_id(h.property as usize),
                money(h.traced[0]),
                money(h.traced[1]),
                money(h.traced[2]),
            ]
        }),
    )?;
    if let Some(p) = plan {
        o.table(
            "truth/identities.csv",
            "truth/identities",
            &["table", "record_id", "true_entity_id"],
            p.identities.iter().cloned(),
        )?;
    }
    Ok(())
}

fn write_toml(cfg: &GenConfig, dir: &Path) -> Result<(), GenError> {
    let path = dir.join("case.toml");
    let text = format!(
        "name = \"Generated case, seed {seed}\"\nbase_currency = \"ALL\"\nvaluation_date = \"{val}\"\n\n[thresholds]\ncash_report = \"{t}\"\n\n[generator]\nseed = {seed}\ntransfers = {n}\nversion = \"{v}\"\n",
        seed = cfg.seed,
        val = date(cfg.end),
        t = cfg.cash_threshold.normalize(),
        n = cfg.transfers,
        v = env!("CARGO_PKG_VERSION"),
    );
    // A non-default population density is part of what made the case (the default is not written,
    // so default output stays as it was).
    let text = if cfg.transfers_per_person == GenConfig::default().transfers_per_person {
        text
    } else {
        format!("{text}transfers_per_person = {}\n", cfg.transfers_per_person)
    };
    let text = if cfg.hub_percent == 0 { text } else { format!("{text}hub_percent = {}\n", cfg.hub_percent) };
    let text = if cfg.identity_noise == IdentityNoise::None {
        text
    } else {
        // Three registers feed the persons table, two the companies table, each with its dates.
        format!(
            "{text}identity_noise = \"{level}\"\n\n[[tables.persons]]\nfile = \"persons.csv\"\n\n[[tables.persons]]\nfile = \"land_persons.csv\"\nread = {{ date_format = \"{land}\" }}\n\n[[tables.persons]]\nfile = \"company_persons.csv\"\nread = {{ date_format = \"{reg}\" }}\n\n[[tables.companies]]\nfile = \"companies.csv\"\n\n[[tables.companies]]\nfile = \"land_companies.csv\"\n",
            level = cfg.identity_noise.as_str(),
            land = noise::LAND_DATE_FORMAT,
            reg = noise::COMPANY_DATE_FORMAT,
        )
    };
    std::fs::write(&path, text).map_err(|source| GenError::Io { path, source })
}

/// The generator's own ledger (base-currency cents, file order), for the reference tracer.
pub type Ledger = Vec<reftrace::Row>;

/// Streams transfers.csv; returns the txn number of every planned event (index = planned index)
/// and, up to [`reftrace::MAX_LEDGER`] transfers, the ledger in base-currency cents.
fn write_transfers(
    cfg: &GenConfig,
    fx: &FxTable,
    w: &World,
    o: &mut Out,
) -> Result<(Vec<u64>, Option<Ledger>), GenError> {
    let (mut csv, path) = o.open("transfers.csv", schema::TRANSFERS)?;
    let csv_err = |source| GenError::Csv { path: path.clone(), source };

    // Planned events in time order; ties keep planning order.
    let mut order: Vec<u32> = (0..w.planned.len() as u32).collect();
    order.sort_by_key(|&i| (w.planned[i as usize].at, i));
    let mut txn_of = vec![0u64; w.planned.len()];
    let first = order.first().map(|&i| w.planned[i as usize].at.date()).unwrap_or(cfg.start).min(cfg.start);
    let last = order.last().map(|&i| w.planned[i as usize].at.date()).unwrap_or(cfg.end).max(cfg.end);
    let days = (cfg.end - cfg.start).num_days() as u64 + 1;
    let budget = cfg.transfers.saturating_sub(w.planned.len() as u64);

    let mut ledger: Option<Ledger> =
        (cfg.transfers <= reftrace::MAX_LEDGER).then(|| Vec::with_capacity(cfg.transfers as usize));
    let mut stream = Stream::new(cfg, w);
    let mut buf: Vec<(Event, Option<u32>)> = Vec::new();
    let mut day_bg: Vec<Event> = Vec::new();
    let mut next = 0usize;
    let mut txn = 0u64;
    let mut s = String::with_capacity(64);
    let mut d = first;
    while d <= last {
        buf.clear();
        day_bg.clear();
        if d >= cfg.start && d <= cfg.end {
            let i = (d - cfg.start).num_days() as u64;
            let quota = budget * (i + 1) / days - budget * i / days;
            stream.day(d, quota, &mut day_bg);
        }
        buf.extend(day_bg.drain(..).map(|e| (e, None)));
        while let Some(&pi) = order.get(next) {
            let e = &w.planned[pi as usize];
            if e.at.date() != d {
                break;
            }
            buf.push((e.clone(), Some(pi)));
            next += 1;
        }
        buf.sort_by_key(|x| x.0.at);
        for (e, pi) in &buf {
            txn += 1;
            if let Some(pi) = pi {
                if let Some(slot) = txn_of.get_mut(*pi as usize) {
                    *slot = txn;
                }
            }
            let cur_acct = e.from.or(e.to).and_then(|a| w.accounts.get(a as usize));
            let currency = if cur_acct.is_some_and(|a| a.eur) { "EUR" } else { "ALL" };
            s.clear();
            let _ = write!(s, "T{txn:09}");
            csv.write_field(&s).map_err(csv_err)?;
            s.clear();
            let t = e.at;
            let _ = write!(
                s,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            csv.write_field(&s).map_err(csv_err)?;
            for a in [e.from, e.to] {
                s.clear();
                if let Some(a) = a {
                    let _ = write!(s, "A{:07}", a + 1);
                }
                csv.write_field(&s).map_err(csv_err)?;
            }
            s.clear();
            let _ = write!(s, "{:.2}", e.amount);
            csv.write_field(&s).map_err(csv_err)?;
            if let Some(l) = ledger.as_mut() {
                // The amount as written, converted as ingest does (booking day's rate, cent, half
                // away from zero).
                let written: Decimal = s.parse().unwrap_or_default();
                let base = if currency == "EUR" {
                    (written * fx.rate(t.date()))
                        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                } else {
                    written
                };
                let cents = (base * Decimal::ONE_HUNDRED).to_i64().unwrap_or_default();
                let none = u32::MAX;
                l.push(reftrace::Row {
                    at: t.and_utc().timestamp(),
                    from: e.from.unwrap_or(none),
                    to: e.to.unwrap_or(none),
                    cents,
                });
            }
            csv.write_field(currency).map_err(csv_err)?;
            csv.write_field(e.channel.as_str()).map_err(csv_err)?;
            csv.write_field(e.reference.as_ref()).map_err(csv_err)?;
            csv.write_field(e.branch.unwrap_or("")).map_err(csv_err)?;
            csv.write_record(None::<&[u8]>).map_err(csv_err)?;
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    let mut inner = csv.into_inner().map_err(|e| GenError::Io { path: path.clone(), source: e.into_error() })?;
    inner.flush().map_err(|source| GenError::Io { path: path.clone(), source })?;
    o.summary.tables.push(("transfers".to_owned(), txn));
    Ok((txn_of, ledger))
}
