//! `moneytrail trace CASE (--source-txn ID ... | --source-account ID [--from D] [--to D] |
//! --source-findings FILE.csv | --source-victims [--victim ID[@DATE]...]) --rule RULE [--out FILE]`:
//! trace chosen proceeds through the case. With victims as sources every victim's earnings carry a
//! label of its own (the CSV's label column shows the victim's id; docs/compensation.md).
//!
//! `--source-query` (rows of a query as sources) waits for the query language (src/query,
//! another engineer's work); until then, write the query's transfers to a findings-style CSV with
//! a `txn_ids` column and pass it with `--source-findings`.

use super::output::OutKind;
use anyhow::{bail, Context, Result};
use moneytrail::export::compensation::write_victim_assets_csv;
use moneytrail::export::tracing::write_trace_csv_labelled;
use moneytrail::graph::{CaseGraph, FlowGraph};
use moneytrail::model::{Case, Date};
use moneytrail::query;
use moneytrail::trace::case::{case_events, findings_txn_ids, trace_case, SourceSelection};
use moneytrail::trace::victims::{select_victims, victim_assets, victim_sources, VictimLabel, VictimSelection};
use moneytrail::trace::{trace_rules, Label, OpeningPolicy, Rule, TraceConfig, TraceResult};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `trace`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: super::common::CaseArgs,
    /// Transfers whose credits are tainted (repeatable, or comma-separated).
    #[arg(long = "source-txn", value_delimiter = ',')]
    source_txn: Vec<String>,
    /// An account all of whose credits in [--from, --to] are tainted.
    #[arg(long = "source-account")]
    source_account: Option<String>,
    /// First day of the --source-account window (YYYY-MM-DD, inclusive).
    #[arg(long)]
    from: Option<String>,
    /// Last day of the --source-account window (YYYY-MM-DD, inclusive).
    #[arg(long)]
    to: Option<String>,
    /// A findings CSV of `moneytrail detect`: the transfers of its txn_ids column are tainted.
    #[arg(long = "source-findings")]
    source_findings: Option<PathBuf>,
    /// A query file (docs/query-language.md): every transfer its rows mention is tainted
    /// (transfer relationships, paths, or txn_id / txn_ids columns).
    #[arg(long = "source-query")]
    source_query: Option<PathBuf>,
    /// One label per victim of the case's victims table: the victim's earnings (every credit to
    /// the victim's accounts from its `since` day on) are the sources.
    #[arg(long = "source-victims")]
    source_victims: bool,
    /// A further true or probable victim traced with a label of its own: person id, optionally
    /// ID@YYYY-MM-DD for the first day of the exploitation (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    victim: Vec<String>,
    /// With victims as sources: also write, per victim and property, the amount of its purchase
    /// payments traced to the victim under each rule, with the chain (CSV).
    #[arg(long = "victim-assets")]
    victim_assets: Option<PathBuf>,
    /// A query parameter for --source-query: name=value (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// fifo, lifo, pro-rata, libr, poison, or all.
    #[arg(long, default_value = "all")]
    rule: String,
    /// Unknown opening balances: `minimal-clean` (the smallest clean balance that keeps each
    /// account from going negative; default) or `zero` (accounts may be overdrawn; taint paid
    /// into an overdraft is absorbed, Bishopsgate v Homan).
    #[arg(long, default_value = "minimal-clean")]
    opening: String,
    /// Output CSV (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
}

fn date(flag: &str, s: &Option<String>) -> Result<Option<Date>> {
    s.as_deref()
        .map(|v| Date::parse_iso(v).with_context(|| format!("{flag} '{v}' is not a date (YYYY-MM-DD)")))
        .transpose()
}

pub fn run(a: Args) -> Result<ExitCode> {
    let rules: Vec<Rule> = if a.rule.trim().eq_ignore_ascii_case("all") {
        Rule::ALL.to_vec()
    } else {
        a.rule.split(',').map(|r| r.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))).collect::<Result<_>>()?
    };
    let victims_given = a.source_victims || !a.victim.is_empty();
    let mut selections = flag_sources(&a, victims_given)?;
    let opening = match a.opening.as_str() {
        "minimal-clean" => OpeningPolicy::MinimalClean,
        "zero" => OpeningPolicy::Zero,
        other => bail!("--opening must be minimal-clean or zero, not '{other}'"),
    };
    let config = TraceConfig { opening, ..TraceConfig::default() };
    let inputs =
        a.audience.key.inputs(a.case.inputs()).file(a.source_findings.as_deref()).file(a.source_query.as_deref());
    inputs.check_all(&[
        ("--out", a.out.as_deref(), OutKind::File),
        ("--victim-assets", a.victim_assets.as_deref(), OutKind::File),
    ])?;
    let t0 = std::time::Instant::now();
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    // Tracing reads the real case; every file and line written reads `view`, pseudonymised
    // outside the court (same rows in the same order, so the results' indices hold).
    let prepared = a.audience.prepare(case, &FlowGraph::build(case))?;
    let view = prepared.view(case);
    if let Some(qf) = &a.source_query {
        selections.push(SourceSelection::Txns(query_sources(qf, &a.params, case)?));
    }
    let t1 = std::time::Instant::now();
    let mut names: BTreeMap<Label, String> = BTreeMap::new();
    let mut victims = Vec::new();
    let results = if victims_given {
        let extra = a
            .victim
            .iter()
            .map(|v| {
                VictimSelection::parse_extra(v).with_context(|| format!("--victim '{v}': expected ID or ID@YYYY-MM-DD"))
            })
            .collect::<Result<Vec<_>>>()?;
        victims = select_victims(case, &VictimSelection { listed: a.source_victims, extra })?;
        let sources = victim_sources(&victims);
        if sources.is_empty() {
            bail!("no victim selected holds an account in the case: nothing to trace");
        }
        for v in &victims {
            names.insert(v.label, view.entity_id(v.victim).to_string());
        }
        trace_rules(&case_events(case), &sources, &rules, &config)?
    } else {
        trace_case(case, &selections, &rules, &config)?
    };
    let t2 = std::time::Instant::now();
    if !write_rows(a.out.as_deref(), view, &results, &names)? {
        return Ok(super::common::done(rejected));
    }
    if victims_given {
        report_victims(&a, case, view, &victims, &results, &names)?;
    }
    for r in results.iter().filter(|_| !victims_given) {
        if let Some(s) = r.summary(Label(1)) {
            eprintln!(
                "{:<8} introduced {} = exited {} + absorbed by overdraft {} + remaining {}{} ({} rows)",
                r.rule.to_string(),
                s.introduced,
                s.exited,
                s.absorbed_by_overdraft,
                s.remaining,
                if r.conserving { "" } else { " (poison: not value-conserving)" },
                r.rows.len()
            );
        }
    }
    if let Some(n) = moneytrail::trace::case::unknown_base_note(case) {
        eprintln!("note: {n}");
    }
    eprintln!(
        "{} transfers, amounts in {}; ingest {:.2} s, trace {:.2} s",
        case.transfers.len(),
        case.meta.base_currency,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64()
    );
    Ok(super::common::done(rejected))
}

/// Checks that exactly one kind of source is given, and reads the sources that need no case:
/// --source-txn, --source-account (with its window) and --source-findings.
fn flag_sources(a: &Args, victims_given: bool) -> Result<Vec<SourceSelection>> {
    let given = [
        !a.source_txn.is_empty(),
        a.source_account.is_some(),
        a.source_findings.is_some(),
        a.source_query.is_some(),
        victims_given,
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        bail!(
            "give exactly one of --source-txn, --source-account, --source-findings, --source-query or \
             --source-victims/--victim"
        );
    }
    if a.victim_assets.is_some() && !victims_given {
        bail!("--victim-assets goes with --source-victims or --victim");
    }
    let mut selections = Vec::new();
    if !a.source_txn.is_empty() {
        selections.push(SourceSelection::Txns(a.source_txn.clone()));
    }
    if let Some(acct) = &a.source_account {
        let (from, to) = (date("--from", &a.from)?, date("--to", &a.to)?);
        selections.push(SourceSelection::Account { account: acct.clone(), from, to });
    } else if a.from.is_some() || a.to.is_some() {
        bail!("--from and --to go with --source-account");
    }
    if let Some(f) = &a.source_findings {
        let file = std::fs::File::open(f).with_context(|| format!("cannot read {}", f.display()))?;
        let ids = findings_txn_ids(file)?;
        if ids.is_empty() {
            bail!("{} lists no transfers in its txn_ids column", f.display());
        }
        selections.push(SourceSelection::Txns(ids));
    }
    Ok(selections)
}

/// The transfers that the rows of query file `qf` (with `--param`s) mention.
fn query_sources(qf: &Path, param_flags: &[String], case: &Case) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(qf).with_context(|| format!("cannot read {}", qf.display()))?;
    let mut params = std::collections::HashMap::new();
    for p in param_flags {
        let (k, v) = p.split_once('=').with_context(|| format!("--param {p}: expected name=value"))?;
        params.insert(k.trim().to_string(), query::param_value(v));
    }
    let q = query::prepare(&text, case, &params).map_err(|e| anyhow::anyhow!("{}", e.render(&text)))?;
    let graph = CaseGraph::build(case);
    let res = query::execute(&q, case, &graph, params, &query::Budget::default())
        .map_err(|e| anyhow::anyhow!("{}", e.render(&text)))?;
    let ids: Vec<String> =
        query::transfers_in(&res, case).iter().map(|&t| case.transfers.txn_id.get(t as usize).to_string()).collect();
    if ids.is_empty() {
        bail!("{}: the query's {} rows mention no transfer", qf.display(), res.rows.len());
    }
    eprintln!("--source-query: {} rows, {} source transfers", res.rows.len(), ids.len());
    Ok(ids)
}

/// Writes the trace rows to `out` (or standard output); false when standard output was closed
/// early (`| head`), which is not an error but ends the command.
fn write_rows(
    out: Option<&Path>,
    view: &Case,
    results: &[TraceResult],
    names: &BTreeMap<Label, String>,
) -> Result<bool> {
    match out {
        Some(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let f = std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
            write_trace_csv_labelled(view, results, names, std::io::BufWriter::new(f))?;
        }
        None => {
            if let Err(e) = write_trace_csv_labelled(view, results, names, std::io::stdout().lock()) {
                if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe) {
                    return Ok(false);
                }
                return Err(e.into());
            }
        }
    }
    Ok(true)
}

/// With victims as sources: the --victim-assets CSV, and per rule and victim the reconciliation
/// of the victim's money.
fn report_victims(
    a: &Args,
    case: &Case,
    view: &Case,
    victims: &[VictimLabel],
    results: &[TraceResult],
    names: &BTreeMap<Label, String>,
) -> Result<()> {
    let by_victim = victim_assets(case, victims, results, case.meta.valuation_date);
    if let Some(p) = &a.victim_assets {
        let f = std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
        let rules: Vec<Rule> = results.iter().map(|r| r.rule).collect();
        write_victim_assets_csv(view, &rules, &by_victim, std::io::BufWriter::new(f))?;
    }
    for r in results {
        for s in &r.labels {
            eprintln!(
                "{:<8} {:<10} introduced {} = exited {} + absorbed by overdraft {} + remaining {}{}",
                r.rule.to_string(),
                names.get(&s.label).map_or("?", String::as_str),
                s.introduced,
                s.exited,
                s.absorbed_by_overdraft,
                s.remaining,
                if r.conserving { "" } else { " (poison: not value-conserving)" },
            );
        }
    }
    eprintln!("{} victims, {} (victim, property) pairs with traced purchase payments", victims.len(), by_victim.len());
    Ok(())
}
