//! `moneytrail compensation CASE [--rule fifo|lifo|pro-rata|libr] [--fund-value AMOUNT]
//! [--share-by traced|claim] [--claims FILE] [--victim ID[@DATE]]... [--statements DIR] --out
//! FILE.csv|.json`: per victim, the money traced into each confiscable asset, the share of the
//! compensation fund and the unsatisfied remainder (docs/compensation.md).

use super::output::OutKind;
use anyhow::{bail, Context, Result};
use moneytrail::assets::compensation::{compensation, CompensationParams, ShareBasis};
use moneytrail::export::compensation::{
    compensation_json, statement_file_name, statement_html, write_compensation_csv,
};
use moneytrail::graph::FlowGraph;
use moneytrail::model::Date;
use moneytrail::trace::victims::VictimSelection;
use moneytrail::trace::Rule;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `compensation`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: super::common::CaseArgs,
    /// Tracing rule: libr (default; Hallett presumption against the wrongdoer, victims share
    /// rateably), fifo, lifo or pro-rata.
    #[arg(long, default_value = "libr")]
    rule: String,
    /// The fund to share, in the base currency to the cent (default: the confiscated value, the
    /// net attributable value of the suspects' confiscable assets).
    #[arg(long = "fund-value")]
    fund_value: Option<String>,
    /// Share the fund in proportion to the money `traced` into the confiscable assets (default)
    /// or to the `claim`s (pari passu).
    #[arg(long = "share-by", default_value = "traced")]
    share_by: String,
    /// A CSV of declared claims (columns victim_id, claim); other victims claim their earnings.
    #[arg(long)]
    claims: Option<PathBuf>,
    /// A further true or probable victim: person id, optionally with the first day of the
    /// exploitation as ID@YYYY-MM-DD (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    victim: Vec<String>,
    /// Only the victims given with --victim, not the case's victims table.
    #[arg(long)]
    no_listed: bool,
    /// Valuation date (YYYY-MM-DD); default the case's.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Write one HTML statement per victim into this folder.
    #[arg(long)]
    statements: Option<PathBuf>,
    /// Output file: .csv or .json.
    #[arg(long)]
    out: PathBuf,
    // `court` writes the victims' identities in clear (statements for the victims and their
    // lawyers); `police` (alias analyst, the default), `ngo` and `public` name every victim, also
    // in their own statement, by pseudonym (docs/compensation.md).
    #[command(flatten)]
    audience: super::common::AudienceArgs,
}

fn read_claims(path: &Path) -> Result<BTreeMap<String, Decimal>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = rdr.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x.trim() == n);
    let (Some(id), Some(amount)) = (col("victim_id"), col("claim")) else {
        bail!("{}: needs columns victim_id and claim", path.display());
    };
    let mut out = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let v = rec.get(id).unwrap_or("").trim().to_string();
        let a = rec.get(amount).unwrap_or("").trim();
        let d: Decimal =
            a.parse().with_context(|| format!("{} line {}: claim '{a}' is not an amount", path.display(), i + 2))?;
        if out.insert(v.clone(), d).is_some() {
            bail!("{}: victim {v} has two claims", path.display());
        }
    }
    Ok(out)
}

pub fn run(a: Args) -> Result<ExitCode> {
    let rule: Rule = a.rule.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
    if !rule.is_conserving() {
        bail!("--rule poison is not value-conserving; choose libr, fifo, lifo or pro-rata");
    }
    let share_by = match a.share_by.as_str() {
        "traced" => ShareBasis::Traced,
        "claim" => ShareBasis::Claim,
        other => bail!("--share-by must be traced or claim, not '{other}'"),
    };
    let fund_value = a
        .fund_value
        .as_deref()
        .map(|s| s.trim().parse::<Decimal>().with_context(|| format!("--fund-value '{s}' is not an amount")))
        .transpose()?;
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| Date::parse_iso(s).with_context(|| format!("--as-of '{s}' is not a date (YYYY-MM-DD)")))
        .transpose()?;
    let extra = a
        .victim
        .iter()
        .map(|v| {
            VictimSelection::parse_extra(v).with_context(|| format!("--victim '{v}': expected ID or ID@YYYY-MM-DD"))
        })
        .collect::<Result<Vec<_>>>()?;
    let json = match a.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("json") => true,
        Some(e) if e.eq_ignore_ascii_case("csv") => false,
        _ => bail!("--out {}: the name must end in .csv or .json", a.out.display()),
    };
    let inputs = a.audience.key.inputs(a.case.inputs()).file(a.claims.as_deref());
    inputs.check_all(&[
        ("--out", Some(&a.out), OutKind::File),
        ("--statements", a.statements.as_deref(), OutKind::Dir),
    ])?;
    let claims = a.claims.as_deref().map(read_claims).transpose()?.unwrap_or_default();
    let t0 = std::time::Instant::now();
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    // Figures on the real case; every file and line written reads `view` (victims under their
    // pseudonyms outside the court), and the text the figures carry is scrubbed.
    let prepared = a.audience.prepare(case, &FlowGraph::build(case))?;
    let view = prepared.view(case);
    let params = CompensationParams {
        rule,
        victims: VictimSelection { listed: !a.no_listed, extra },
        fund_value,
        claims,
        share_by,
        as_of,
        ..CompensationParams::default()
    };
    let t1 = std::time::Instant::now();
    let mut c = compensation(case, &params)?;
    if prepared.redacts() {
        for x in c.assets.iter_mut() {
            prepared.scrub_in_place(&mut x.asset_id);
            prepared.scrub_in_place(&mut x.asset_kind);
        }
        for n in c.notes.iter_mut() {
            prepared.scrub_in_place(n);
        }
    }
    let t2 = std::time::Instant::now();
    if !c.reconciles() {
        bail!("internal error: the compensation figures do not reconcile; please report this case");
    }
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if json {
        super::output::write_json(&a.out, &compensation_json(view, &c))?;
    } else {
        let f = std::fs::File::create(&a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
        write_compensation_csv(view, &c, std::io::BufWriter::new(f))?;
    }
    if let Some(dir) = &a.statements {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for v in &c.victims {
            let p = dir.join(statement_file_name(view, v));
            std::fs::write(&p, statement_html(view, &c, v)).with_context(|| format!("cannot write {}", p.display()))?;
        }
    }
    let ccy = &case.meta.base_currency;
    // Thousands separators on the terminal; the CSV and JSON keep the plain figures.
    let m = super::table::money;
    println!(
        "{} victims, {} confiscable assets; fund {} {ccy} ({}); claims {}; allocated {}; surplus {}; unsatisfied {}",
        c.victims.len(),
        c.assets.len(),
        m(&c.fund),
        if c.fund_given { "given" } else { "confiscated value" },
        m(&c.claims()),
        m(&c.allocated),
        m(&c.surplus),
        m(&c.remainder())
    );
    for n in &c.notes {
        eprintln!("note: {n}");
    }
    eprintln!(
        "rule {rule}; written to {}; ingest {:.2} s, compensation {:.2} s",
        a.out.display(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64()
    );
    Ok(super::common::done(rejected))
}
