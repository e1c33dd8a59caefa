//! Compensation files (issue 9) over [`crate::assets::compensation`]: the table (CSV, formula-safe
//! through [`crate::text::csv_safe`], or JSON) and one self-contained HTML statement per victim for the
//! victim's lawyer. Names and ids are hostile input: HTML goes through [`super::escape`], file
//! names through [`crate::text::file_stem`]. No clock, no randomness: the same inputs give the
//! same bytes.

use crate::assets::compensation::{Compensation, ShareBasis, VictimClaim, FUND_BASIS};
use crate::model::{Case, Prov};
use crate::text::csv_safe;
use crate::text::file_stem;
use crate::text::xml::html;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

/// Columns of the compensation CSV.
pub const COLUMNS: &[&str] = &[
    "kind",
    "victim_id",
    "asset_id",
    "asset_kind",
    "rule",
    "value",
    "traced",
    "earnings",
    "claim",
    "allocated",
    "remainder",
    "currency",
    "basis",
    "evidence",
];

/// `file:line` for a provenance record.
fn cite(case: &Case, p: Prov) -> String {
    format!("{}:{}", case.file_of(p).map_or("?", |f| f.path.as_str()), p.line)
}

fn transfer_provs(case: &Case, seqs: &[u32]) -> Vec<Prov> {
    seqs.iter().map(|&s| case.transfers.prov(s as usize)).collect()
}

fn cites(case: &Case, provs: &[Prov]) -> Vec<String> {
    let mut p = provs.to_vec();
    p.sort_unstable();
    p.dedup();
    p.into_iter().map(|p| cite(case, p)).collect()
}

/// The method in one sentence: rule and legal basis, sharing and fund basis.
pub fn method(c: &Compensation) -> String {
    format!(
        "tracing rule {}: {}; fund shared {}; fund: {} ({})",
        c.rule,
        c.rule.legal_basis(),
        c.share_by.legal_basis(),
        if c.fund_given {
            "amount given"
        } else {
            "confiscated value: net attributable value of the confiscable assets"
        },
        FUND_BASIS
    )
}

fn victim_basis(case: &Case, v: &VictimClaim) -> String {
    let who = if v.listed { "identified (victims table)" } else { "given by id (probable victim)" };
    let since = v.since.map(|d| format!("; earnings since {d}")).unwrap_or_else(|| "; earnings: every credit".into());
    let claim = if v.claim_declared { "claim declared" } else { "claim = traced earnings" };
    format!("{} {who}{since}; {claim}", case.entity_id(v.victim))
}

/// Every provenance record a result cites (assets' register rows, chains, earnings credits).
pub fn cited(case: &Case, c: &Compensation) -> Vec<Prov> {
    let mut all: BTreeSet<Prov> = BTreeSet::new();
    for a in &c.assets {
        all.extend(a.evidence.iter().copied());
    }
    for v in &c.victims {
        all.extend(transfer_provs(case, &v.earnings_credits));
        for t in &v.traced {
            all.extend(transfer_provs(case, &t.chain));
        }
        if let Some(r) = case.victims.rows.iter().find(|r| r.entity == v.victim) {
            all.insert(r.prov);
        }
    }
    all.into_iter().collect()
}

/// Writes the compensation CSV: one `fund` row (fund, Σ claims, Σ allocated, surplus, method),
/// one `asset` row per confiscable asset, one `victim` row per victim (earnings, claim, traced
/// total, allocated, remainder), one `traced` row per victim and asset with a traced amount,
/// and one `file` row per cited input file (path in `evidence`, SHA-256 in `basis`). Evidence
/// cells list `file:line` separated by `;`.
///
/// # Errors
/// Write errors.
pub fn write_compensation_csv<W: Write>(case: &Case, c: &Compensation, out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let ccy = case.meta.base_currency.to_string();
    let rule = c.rule.to_string();
    let mut row = |cells: [String; 14]| {
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)
    };
    let e = String::new;
    row([
        "fund".into(),
        e(),
        e(),
        e(),
        rule.clone(),
        c.fund.to_string(),
        c.traced_total().to_string(),
        c.earnings().to_string(),
        c.claims().to_string(),
        c.allocated.to_string(),
        c.surplus.to_string(),
        ccy.clone(),
        method(c),
        e(),
    ])?;
    for a in &c.assets {
        let holders: Vec<&str> = a.suspects.iter().map(|s| case.entity_id(*s)).collect();
        row([
            "asset".into(),
            e(),
            a.asset_id.clone(),
            a.asset_kind.clone(),
            rule.clone(),
            a.value.to_string(),
            e(),
            e(),
            e(),
            e(),
            e(),
            ccy.clone(),
            format!("net attributable value on {}; scope of {}", c.as_of, holders.join(" ")),
            cites(case, &a.evidence).join(";"),
        ])?;
    }
    for v in &c.victims {
        let id = case.entity_id(v.victim).to_string();
        row([
            "victim".into(),
            id.clone(),
            e(),
            e(),
            rule.clone(),
            e(),
            v.traced_total.to_string(),
            v.earnings.to_string(),
            v.claim.to_string(),
            v.allocated.to_string(),
            v.remainder.to_string(),
            ccy.clone(),
            victim_basis(case, v),
            cites(case, &transfer_provs(case, &v.earnings_credits)).join(";"),
        ])?;
        for t in &v.traced {
            let a = &c.assets[t.asset];
            row([
                "traced".into(),
                id.clone(),
                a.asset_id.clone(),
                a.asset_kind.clone(),
                rule.clone(),
                a.value.to_string(),
                t.traced.to_string(),
                e(),
                e(),
                e(),
                e(),
                ccy.clone(),
                if a.account.is_some() { "held in the account" } else { "in the purchase payments" }.into(),
                cites(case, &transfer_provs(case, &t.chain)).join(";"),
            ])?;
        }
    }
    let files: BTreeSet<u32> = cited(case, c).iter().map(|p| p.file).collect();
    for f in files.iter().filter_map(|&f| case.files.get(f as usize)) {
        row(["file".into(), e(), e(), e(), e(), e(), e(), e(), e(), e(), e(), e(), f.sha256.clone(), f.path.clone()])?;
    }
    w.flush()?;
    Ok(())
}

/// The result as a JSON value (same content as the CSV, nested).
pub fn compensation_json(case: &Case, c: &Compensation) -> serde_json::Value {
    use serde_json::json;
    let ids = |seqs: &[u32]| -> Vec<String> { cites(case, &transfer_provs(case, seqs)) };
    let files: BTreeSet<u32> = cited(case, c).iter().map(|p| p.file).collect();
    json!({
        "case": case.meta.name,
        "currency": case.meta.base_currency.to_string(),
        "as_of": c.as_of.to_string(),
        "rule": c.rule.to_string(),
        "rule_legal_basis": c.rule.legal_basis(),
        "share_by": c.share_by.as_str(),
        "share_legal_basis": c.share_by.legal_basis(),
        "fund": c.fund.to_string(),
        "fund_given": c.fund_given,
        "fund_legal_basis": FUND_BASIS,
        "confiscated_value": c.confiscated_value.to_string(),
        "claims": c.claims().to_string(),
        "allocated": c.allocated.to_string(),
        "surplus": c.surplus.to_string(),
        "remainder": c.remainder().to_string(),
        "assets": c.assets.iter().map(|a| json!({
            "asset_id": a.asset_id,
            "asset_kind": a.asset_kind,
            "value": a.value.to_string(),
            "suspects": a.suspects.iter().map(|s| case.entity_id(*s)).collect::<Vec<_>>(),
            "evidence": cites(case, &a.evidence),
        })).collect::<Vec<_>>(),
        "victims": c.victims.iter().map(|v| json!({
            "victim_id": case.entity_id(v.victim),
            "label": v.label.0,
            "identified": v.listed,
            "since": v.since.map(|d| d.to_string()),
            "earnings": v.earnings.to_string(),
            "earnings_evidence": ids(&v.earnings_credits),
            "claim": v.claim.to_string(),
            "claim_declared": v.claim_declared,
            "traced_total": v.traced_total.to_string(),
            "allocated": v.allocated.to_string(),
            "remainder": v.remainder.to_string(),
            "traced": v.traced.iter().map(|t| json!({
                "asset_id": c.assets[t.asset].asset_id,
                "traced": t.traced.to_string(),
                "evidence": ids(&t.chain),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "files": files.iter().filter_map(|&f| case.files.get(f as usize)).map(|f| json!({
            "path": f.path, "sha256": f.sha256,
        })).collect::<Vec<_>>(),
        "notes": c.notes,
    })
}

/// The file name of a victim's statement: `victim-<label>-<safe id>.html` (ids are hostile; the
/// label keeps names distinct when two ids fold to the same safe stem).
pub fn statement_file_name(case: &Case, v: &VictimClaim) -> String {
    format!("victim-{:03}-{}.html", v.label.0, file_stem(case.entity_id(v.victim)))
}

/// Most `file:line` citations printed per figure in a statement (the CSV lists them all).
const SHOWN: usize = 12;

/// Most assets listed in a statement, largest traced amounts first (the CSV lists them all), so
/// the statement stays one page.
const SHOWN_ASSETS: usize = 15;

fn cite_list(case: &Case, provs: &[Prov]) -> String {
    let all = cites(case, provs);
    let mut s = all.iter().take(SHOWN).map(|c| html(c).into_owned()).collect::<Vec<_>>().join(", ");
    if all.len() > SHOWN {
        let _ = write!(s, " and {} more (compensation CSV)", all.len() - SHOWN);
    }
    s
}

/// A one-page, self-contained HTML statement of one victim's figures for the victim's lawyer:
/// who, the method and its legal basis, earnings, claim, traced amount per confiscable asset with
/// the transfers and register rows behind it, the share of the fund, the unsatisfied remainder,
/// and the SHA-256 of every input file cited. Inline CSS, no script, no external resource.
pub fn statement_html(case: &Case, c: &Compensation, v: &VictimClaim) -> String {
    let mut s = String::with_capacity(8 * 1024);
    head(&mut s, case, c, v);
    let victim_row = case.victims.rows.iter().find(|r| r.entity == v.victim);
    victim_section(&mut s, case, v, victim_row);
    method_section(&mut s, c, v);
    figures_section(&mut s, case, c, v);
    traced_section(&mut s, case, c, v);
    files_section(&mut s, case, c, v, victim_row);
    s
}

/// The document head (inline CSS) and the statement's title line.
fn head(s: &mut String, case: &Case, c: &Compensation, v: &VictimClaim) {
    let ccy = case.meta.base_currency.to_string();
    let id = case.entity_id(v.victim);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Compensation statement {}</title>\n\
<style>body{{font:11pt/1.35 Georgia,serif;max-width:48em;margin:1.5em auto;color:#111}}h1{{font-size:15pt;margin:0 0 .3em}}\
h2{{font-size:11.5pt;margin:1em 0 .3em;border-bottom:1px solid #999}}table{{border-collapse:collapse;width:100%;font-size:9.5pt}}\
td,th{{border:1px solid #bbb;padding:2px 5px;vertical-align:top;text-align:left}}td.n{{text-align:right;white-space:nowrap}}\
.small{{font-size:8.5pt;color:#333}}@page{{size:A4;margin:15mm}}</style></head><body>\n",
        html(id)
    );
    let _ = write!(
        s,
        "<h1>Compensation statement</h1>\n<p class=\"small\">Case: {} &middot; valuation date {} &middot; amounts in {}</p>\n",
        html(&case.meta.name),
        c.as_of,
        html(&ccy)
    );
}

/// Who the victim is, and how identified.
fn victim_section(s: &mut String, case: &Case, v: &VictimClaim, victim_row: Option<&crate::model::Victim>) {
    let id = case.entity_id(v.victim);
    let name = case.entity_name(v.victim);
    let identified = match victim_row {
        Some(r) => format!(
            "identified ({}; victims table {})",
            html(r.basis.as_deref().unwrap_or("basis not recorded")),
            html(&cite(case, r.prov))
        ),
        None => "given by id as a probable victim (not in the victims table)".into(),
    };
    let _ = write!(
        s,
        "<h2>Victim</h2>\n<table><tr><th>Id</th><td>{}</td></tr><tr><th>Name</th><td>{}</td></tr>\
<tr><th>Status</th><td>{}</td></tr><tr><th>Earnings traced</th><td>{}</td></tr></table>\n",
        html(id),
        html(name),
        identified,
        match v.since {
            Some(d) => format!("every credit to the victim's accounts from {d}"),
            None => "every credit to the victim's accounts".into(),
        }
    );
}

/// The tracing rule, the sharing basis and the fund, with their legal basis.
fn method_section(s: &mut String, c: &Compensation, v: &VictimClaim) {
    let _ = write!(
        s,
        "<h2>Method and legal basis</h2>\n<p class=\"small\">Tracing rule <b>{}</b>: {}. The fund is shared {}. \
Fund: {} ({}). Claim: {}. Every figure is exact to the cent and cites the input rows (file:line) it rests on.</p>\n",
        html(&c.rule.to_string()),
        html(c.rule.legal_basis()),
        html(c.share_by.legal_basis()),
        if c.fund_given {
            "the amount given"
        } else {
            "the confiscated value (net attributable value of the confiscable assets)"
        },
        html(FUND_BASIS),
        if v.claim_declared { "declared claim" } else { "the victim's traced earnings" }
    );
}

/// Earnings, claim, traced total, fund, share and remainder.
fn figures_section(s: &mut String, case: &Case, c: &Compensation, v: &VictimClaim) {
    let capped = if v.allocated == v.claim && !v.claim.is_zero() { ", capped at the claim" } else { "" };
    let share_of = match c.share_by {
        ShareBasis::Traced => format!("{} of {} traced by all victims", v.traced_total, c.traced_total()),
        ShareBasis::Claim => format!("{} of {} claimed by all victims", v.claim, c.claims()),
    };
    let _ = write!(
        s,
        "<h2>Figures</h2>\n<table>\
<tr><th>Earnings (taken from the victim)</th><td class=\"n\">{}</td><td class=\"small\">{}</td></tr>\
<tr><th>Claim</th><td class=\"n\">{}</td><td class=\"small\">{}</td></tr>\
<tr><th>Traced into confiscable assets</th><td class=\"n\">{}</td><td class=\"small\">per asset below</td></tr>\
<tr><th>Fund</th><td class=\"n\">{}</td><td class=\"small\">{} victims; allocated {}, surplus {}</td></tr>\
<tr><th>Share of the fund</th><td class=\"n\"><b>{}</b></td><td class=\"small\">in proportion to {}{}</td></tr>\
<tr><th>Unsatisfied remainder</th><td class=\"n\"><b>{}</b></td><td class=\"small\">claim minus share</td></tr></table>\n",
        v.earnings,
        cite_list(case, &transfer_provs(case, &v.earnings_credits)),
        v.claim,
        if v.claim_declared { "declared" } else { "= earnings" },
        v.traced_total,
        c.fund,
        c.victims.len(),
        c.allocated,
        c.surplus,
        v.allocated,
        html(&share_of),
        capped,
        v.remainder
    );
}

/// The money traced into each confiscable asset, with the chain of transfers and the register
/// rows behind it.
fn traced_section(s: &mut String, case: &Case, c: &Compensation, v: &VictimClaim) {
    s.push_str("<h2>Traced per confiscable asset</h2>\n");
    if v.traced.is_empty() {
        s.push_str("<p>None of the victim's earnings is traced into a confiscable asset under this rule.</p>\n");
    } else {
        s.push_str("<table><tr><th>Asset</th><th>Net value</th><th>Traced</th><th>Transfers (chain)</th><th>Register rows</th></tr>\n");
        // One page: the largest amounts first, at most SHOWN_ASSETS rows, the rest summed.
        let mut order: Vec<&crate::assets::compensation::TracedAsset> = v.traced.iter().collect();
        order.sort_by(|x, y| y.traced.cmp(&x.traced).then(x.asset.cmp(&y.asset)));
        for t in order.iter().take(SHOWN_ASSETS) {
            let a = &c.assets[t.asset];
            let _ = writeln!(
                s,
                "<tr><td>{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"small\">{}</td><td class=\"small\">{}</td></tr>",
                html(&a.asset_id),
                html(&a.asset_kind),
                a.value,
                t.traced,
                cite_list(case, &transfer_provs(case, &t.chain)),
                cite_list(case, &a.evidence)
            );
        }
        if order.len() > SHOWN_ASSETS {
            // Part of v.traced_total, which compensation() checked: cannot overflow.
            let rest = crate::model::money::checked_sum(order.iter().skip(SHOWN_ASSETS).map(|t| t.traced))
                .unwrap_or(v.traced_total);
            let _ = writeln!(
                s,
                "<tr><td colspan=\"2\">{} more assets (compensation CSV, rows <code>traced</code>)</td><td class=\"n\">{}</td><td></td><td></td></tr>",
                order.len() - SHOWN_ASSETS,
                rest
            );
        }
        s.push_str("</table>\n");
    }
}

/// The files cited on the page, with their hashes, and the closing line.
fn files_section(
    s: &mut String,
    case: &Case,
    c: &Compensation,
    v: &VictimClaim,
    victim_row: Option<&crate::model::Victim>,
) {
    let mut provs: BTreeSet<Prov> = transfer_provs(case, &v.earnings_credits).into_iter().collect();
    for t in &v.traced {
        provs.extend(transfer_provs(case, &t.chain));
        provs.extend(c.assets[t.asset].evidence.iter().copied());
    }
    if let Some(r) = victim_row {
        provs.insert(r.prov);
    }
    let files: BTreeSet<u32> = provs.iter().map(|p| p.file).collect();
    s.push_str("<h2>Input files (SHA-256)</h2>\n<table class=\"small\">");
    for f in files.iter().filter_map(|&f| case.files.get(f as usize)) {
        let _ = write!(s, "<tr><td>{}</td><td><code>{}</code></td></tr>", html(&f.path), html(&f.sha256));
    }
    let _ = write!(
        s,
        "</table>\n<p class=\"small\">moneytrail {} &middot; the same inputs give this page byte for byte.</p>\n</body></html>\n",
        env!("CARGO_PKG_VERSION")
    );
}

/// Writes the per-victim asset table of `moneytrail trace --source-victims --victim-assets FILE`:
/// `victim_id, asset_id, traced_<rule>...` (one column per rule, in the results' order) and
/// `evidence` (the chain of transfers as `file:line`).
///
/// # Errors
/// Write errors.
pub fn write_victim_assets_csv<W: Write>(
    case: &Case,
    rules: &[crate::trace::Rule],
    rows: &[crate::trace::victims::VictimAsset],
    out: W,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["victim_id".to_string(), "asset_id".to_string()];
    header.extend(rules.iter().map(|r| format!("traced_{}", r.to_string().replace('-', "_"))));
    header.push("evidence".into());
    w.write_record(&header)?;
    for r in rows {
        let mut cells = vec![
            case.entity_id(r.victim).to_string(),
            case.properties.rows.get(r.property as usize).map_or(String::new(), |p| p.id.clone()),
        ];
        cells.extend(r.traced.iter().map(|t| t.1.to_string()));
        let provs: Vec<Prov> = r.chain.iter().map(|&s| case.transfers.prov(s.ix())).collect();
        cells.push(cites(case, &provs).join(";"));
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)?;
    }
    w.flush()?;
    Ok(())
}
