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

/// One row of the CSV: empty cells but for those set by column name.
struct Line(Vec<String>);

impl Line {
    /// A row of `view` for suspect `sid`, amounts in `cur`.
    fn new(sid: &str, view: &str, cur: &str) -> Line {
        let mut l = Line(vec![String::new(); COLUMNS.len()]);
        l.set("suspect_id", sid.to_string()).set("view", view.to_string()).set("currency", cur.to_string());
        l
    }

    fn set(&mut self, col: &str, v: String) -> &mut Line {
        let i = COLUMNS.iter().position(|c| *c == col);
        debug_assert!(i.is_some(), "no column {col}");
        if let Some(i) = i {
            self.0[i] = v;
        }
        self
    }

    /// The traced_* columns from per-rule figures.
    fn per_rule(&mut self, v: &[(Rule, Decimal)]) -> &mut Line {
        self.set("traced_fifo", per_rule(v, Rule::Fifo))
            .set("traced_libr", per_rule(v, Rule::Libr))
            .set("traced_pro_rata", per_rule(v, Rule::ProRata))
    }

    fn band(&mut self, (lo, hi): (Decimal, Decimal)) -> &mut Line {
        self.set("low", lo.to_string()).set("high", hi.to_string())
    }

    fn write<W: Write>(&self, w: &mut csv::Writer<W>) -> csv::Result<()> {
        let refs: Vec<&str> = self.0.iter().map(String::as_str).collect();
        csv_safe::write_record(w, &refs)
    }
}

/// Writes the three views of every suspect (in the order given).
///
/// # Errors
/// Write errors.
pub fn write_assets_csv<W: Write>(case: &Case, figures: &[SuspectFigures], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let cur = case.meta.base_currency.to_string();
    for f in figures {
        let sid = case.entity_id(f.suspect).to_string();
        for a in &f.assets {
            let holders: Vec<&str> = a.holders.iter().map(|&h| case.entity_id(h)).collect();
            Line::new(&sid, "asset", &cur)
                .set("asset_id", a.asset_id.clone())
                .set("asset_kind", a.asset_kind.clone())
                .set("holder_id", holders.join(";"))
                .set("attributable_share", a.share.normalize().to_string())
                .set("gross_value", opt(a.gross))
                .set("encumbrances", a.encumbrances.to_string())
                .set("net_attributable", opt(a.net_attributable))
                .per_rule(&a.traced)
                .set("basis", a.basis.clone())
                .set("evidence", cite(case, &a.evidence))
                .write(&mut w)?;
        }
        let all_ev: Vec<Prov> = {
            let mut v: Vec<Prov> = f.assets.iter().flat_map(|a| a.evidence.iter().copied()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        Line::new(&sid, "object_based", &cur)
            .per_rule(&f.object)
            .band(f.object_band())
            .set("basis", "sum over assets of min(traced proceeds, net attributable value)".into())
            .set("evidence", cite(case, &all_ev))
            .write(&mut w)?;
        value_line(case, f, &sid, &cur, all_ev).write(&mut w)?;
        for y in &f.years {
            Line::new(&sid, "disproportion", &cur)
                .set("year", y.year.to_string())
                .set("net_worth_growth", (y.acquisitions + y.balance_change).to_string())
                .set("spending", y.spending.to_string())
                .set("lawful_income", y.lawful_income.to_string())
                .set("unexplained", y.unexplained.to_string())
                .set(
                    "basis",
                    format!(
                        "acquisitions {} + balance change {} + spending {} - lawful income {}",
                        y.acquisitions, y.balance_change, y.spending, y.lawful_income
                    ),
                )
                .set("evidence", cite(case, &y.evidence))
                .write(&mut w)?;
        }
        let lawful = f.lawful_income();
        let notes = if f.notes.is_empty() { String::new() } else { format!("; notes: {}", f.notes.join("; ")) };
        Line::new(&sid, "disproportion_total", &cur)
            .band(f.disproportion_band())
            .set("lawful_income", lawful.to_string())
            .set(
                "basis",
                format!(
                    "low: every year's lawful income credited as savings (defence view); high: sum of positive years; \
                     lawful income declared in all years {lawful}{notes}"
                ),
            )
            .write(&mut w)?;
    }
    w.flush()?;
    Ok(())
}

/// The value-based row: confiscable per rule, how each was capped, and the assets' evidence
/// `all_ev` with the first tainted gifts of each rule.
fn value_line(case: &Case, f: &SuspectFigures, sid: &str, cur: &str, all_ev: Vec<Prov>) -> Line {
    let vals: Vec<(Rule, Decimal)> = f.value.iter().map(|v| (v.rule, v.confiscable)).collect();
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
    let mut gift_ev = all_ev;
    for v in &f.value {
        gift_ev.extend(v.gifts.iter().take(50).map(|&g| case.transfers.prov(g as usize)));
    }
    gift_ev.sort_unstable();
    gift_ev.dedup();
    let mut l = Line::new(sid, "value_based", cur);
    l.per_rule(&vals).band(f.value_band()).set("basis", detail.join("; ")).set("evidence", cite(case, &gift_ev));
    l
}
