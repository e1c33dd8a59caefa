//! Valuation tables for people. The valuation itself lives in [`crate::assets::valuation`] and
//! the confiscable-value views in [`crate::assets::confiscable`]; this module re-exports the
//! valuation types the report uses and writes the `moneytrail assets` CSV.

pub use crate::assets::valuation::{scope_assets, AssetRow, OwnershipModel, ValueBasis};

use crate::assets::confiscable::SuspectFigures;
use crate::model::{Case, Prov};
use crate::text::csv_safe;
use crate::trace::Rule;
use rust_decimal::Decimal;
use std::io::Write;

/// Columns of the `moneytrail assets` CSV. `view` says what a row is: `asset` (one asset of the
/// scope), `object_based` and `value_based` (per-suspect totals, one column per rule, band in
/// `low`/`high`), `disproportion` (one calendar year), `disproportion_total` (the band).
pub const COLUMNS: &[&str] = &[
    "suspect_id",
    "view",
    "asset_id",
    "asset_kind",
    "holder_id",
    "attributable_share",
    "gross_value",
    "encumbrances",
    "net_attributable",
    "currency",
    "traced_fifo",
    "traced_libr",
    "traced_pro_rata",
    "low",
    "high",
    "year",
    "net_worth_growth",
    "spending",
    "lawful_income",
    "unexplained",
    "basis",
    "evidence",
];

fn cite(case: &Case, provs: &[Prov]) -> String {
    provs
        .iter()
        .map(|p| format!("{}:{}", case.file_of(*p).map_or("?", |f| f.path.as_str()), p.line))
        .collect::<Vec<_>>()
        .join(";")
}

fn per_rule(v: &[(Rule, Decimal)], rule: Rule) -> String {
    v.iter().find(|x| x.0 == rule).map(|x| x.1.to_string()).unwrap_or_default()
}

fn opt(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Writes the three views of every suspect (in the order given).
///
/// # Errors
/// Write errors.
pub fn write_assets_csv<W: Write>(case: &Case, figures: &[SuspectFigures], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let cur = case.meta.base_currency.to_string();
    let put = |w: &mut csv::Writer<W>, cells: Vec<String>| {
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(w, &refs)
    };
    let empty = String::new;
    for f in figures {
        let sid = case.entity_id(f.suspect).to_string();
        for a in &f.assets {
            let holders: Vec<&str> = a.holders.iter().map(|&h| case.entity_id(h)).collect();
            put(
                &mut w,
                vec![
                    sid.clone(),
                    "asset".into(),
                    a.asset_id.clone(),
                    a.asset_kind.clone(),
                    holders.join(";"),
                    a.share.normalize().to_string(),
                    opt(a.gross),
                    a.encumbrances.to_string(),
                    opt(a.net_attributable),
                    cur.clone(),
                    per_rule(&a.traced, Rule::Fifo),
                    per_rule(&a.traced, Rule::Libr),
                    per_rule(&a.traced, Rule::ProRata),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    a.basis.clone(),
                    cite(case, &a.evidence),
                ],
            )?;
        }
        let all_ev: Vec<Prov> = {
            let mut v: Vec<Prov> = f.assets.iter().flat_map(|a| a.evidence.iter().copied()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let (lo, hi) = f.object_band();
        let row = |view: &str, vals: &[(Rule, Decimal)], lo: Decimal, hi: Decimal, basis: String, ev: &[Prov]| {
            vec![
                sid.clone(),
                view.to_string(),
                empty(),
                empty(),
                empty(),
                empty(),
                empty(),
                empty(),
                empty(),
                cur.clone(),
                per_rule(vals, Rule::Fifo),
                per_rule(vals, Rule::Libr),
                per_rule(vals, Rule::ProRata),
                lo.to_string(),
                hi.to_string(),
                empty(),
                empty(),
                empty(),
                empty(),
                empty(),
                basis,
                cite(case, ev),
            ]
        };
        let r = row(
            "object_based",
            &f.object,
            lo,
            hi,
            "sum over assets of min(traced proceeds, net attributable value)".into(),
            &all_ev,
        );
        put(&mut w, r)?;
        let vals: Vec<(Rule, Decimal)> = f.value.iter().map(|v| (v.rule, v.confiscable)).collect();
        let (lo, hi) = f.value_band();
        let detail: Vec<String> = f
            .value
            .iter()
            .map(|v| {
                format!(
                    "{}: benefit {} capped by available {} (free property {} + tainted gifts {} in {} transfers)",
                    v.rule,
                    v.benefit,
                    v.available,
                    v.free_property,
                    v.tainted_gifts,
                    v.gifts.len()
                )
            })
            .collect();
        let mut gift_ev: Vec<Prov> = all_ev.clone();
        for v in &f.value {
            gift_ev.extend(v.gifts.iter().take(50).map(|&g| case.transfers.prov(g as usize)));
        }
        gift_ev.sort_unstable();
        gift_ev.dedup();
        let r = row("value_based", &vals, lo, hi, detail.join("; "), &gift_ev);
        put(&mut w, r)?;
        for y in &f.years {
            put(
                &mut w,
                vec![
                    sid.clone(),
                    "disproportion".into(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    cur.clone(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    empty(),
                    y.year.to_string(),
                    (y.acquisitions + y.balance_change).to_string(),
                    y.spending.to_string(),
                    y.lawful_income.to_string(),
                    y.unexplained.to_string(),
                    format!(
                        "acquisitions {} + balance change {} + spending {} - lawful income {}",
                        y.acquisitions, y.balance_change, y.spending, y.lawful_income
                    ),
                    cite(case, &y.evidence),
                ],
            )?;
        }
        let (lo, hi) = f.disproportion_band();
        let lawful: Decimal = f.years.iter().map(|y| y.lawful_income).sum();
        let mut r = row(
            "disproportion_total",
            &[],
            lo,
            hi,
            format!(
                "low: every year's lawful income credited as savings (defence view); high: sum of positive years; \
                 lawful income declared in all years {lawful}{}",
                if f.notes.is_empty() { String::new() } else { format!("; notes: {}", f.notes.join("; ")) }
            ),
            &[],
        );
        r[18] = lawful.to_string();
        put(&mut w, r)?;
    }
    w.flush()?;
    Ok(())
}
