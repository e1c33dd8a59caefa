//! `moneytrail detect CASE`: run the laundering-pattern detectors.

use super::common::{AudienceArgs, LoadArgs};
use super::output::OutKind;
use anyhow::{bail, Context, Result};
use moneytrail::export::findings;
use moneytrail::graph::CaseGraph;
use moneytrail::investigation::{Config, ConfigError, Settings};
use moneytrail::patterns::account_score::AccountAlert;
use moneytrail::patterns::{self, PatternError, Typology};
use std::path::PathBuf;
use std::process::ExitCode;

/// Detector selection and parameters, shared by `detect`, `eval` and `investigate`.
#[derive(clap::Args, Debug, Clone)]
pub struct DetectArgs {
    /// Only these typologies (comma-separated; `detect --list` names them).
    #[arg(long, value_delimiter = ',', value_parser = parse_typology)]
    pub typology: Option<Vec<Typology>>,
    /// Override a parameter: typology.key=value, or a classifier parameter victims.key=value
    /// (repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Largest number of hops at which a finding is linked to a suspect.
    #[arg(long, default_value_t = 4)]
    pub max_suspect_hops: u32,
    /// Stop when one detector has examined more candidate rows than this (successor
    /// transfers, window members, search steps); the message names the detector and the hub.
    #[arg(long, default_value_t = 200_000_000)]
    pub max_rows: u64,
    /// Stop when the detectors hold more than this many MiB while searching.
    #[arg(long, default_value_t = 512)]
    pub max_memory: u64,
    /// Stop detection after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
}

impl DetectArgs {
    /// The typology selection, when one was given.
    pub fn typologies(&self) -> Option<Vec<Typology>> {
        self.typology.clone()
    }

    /// The row, memory and time budgets of the detectors.
    pub fn budget(&self) -> patterns::Budget {
        patterns::Budget {
            max_rows: self.max_rows,
            max_bytes: self.max_memory.saturating_mul(1 << 20),
            max_time: std::time::Duration::from_secs(self.timeout),
        }
    }

    /// The validated configuration these flags give (the rest at its defaults).
    pub fn config(&self) -> Result<Config> {
        let settings = Settings {
            typologies: self.typologies(),
            params: self.params.clone(),
            max_suspect_hops: Some(self.max_suspect_hops),
            threads: self.threads,
            ..Settings::default()
        };
        let mut config = Config::from_settings(&settings).map_err(flag_error)?;
        config.detect.budget = self.budget();
        Ok(config)
    }
}

/// Parses one name of `--typology`.
pub fn parse_typology(s: &str) -> Result<Typology, String> {
    s.parse().map_err(|e: patterns::PatternError| e.to_string())
}

/// A configuration error worded with the flag that gave the value.
pub fn flag_error(e: ConfigError) -> anyhow::Error {
    match e {
        ConfigError::VictimParam { param, reason } => anyhow::anyhow!("--param {param}: {reason}"),
        ConfigError::Patterns(e @ PatternError::BadParam { .. }) => anyhow::anyhow!("--param {e}"),
        other => anyhow::Error::new(other),
    }
}

/// Flags of `detect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    #[arg(required_unless_present = "list")]
    case: Option<PathBuf>,
    #[command(flatten)]
    load: LoadArgs,
    #[command(flatten)]
    detect: DetectArgs,
    /// Output file: .csv or .json.
    #[arg(long, required_unless_present = "list")]
    out: Option<PathBuf>,
    /// List the detectors and their parameters, then stop.
    #[arg(long)]
    list: bool,
    /// Keep only the first N findings of the ranked list (default: all).
    #[arg(long)]
    top: Option<usize>,
    /// Keep only findings with at least this score (default 0: every candidate, ranked).
    #[arg(long, default_value_t = 0)]
    min_score: u32,
    #[command(flatten)]
    audience: AudienceArgs,
    #[command(flatten)]
    engine: super::cluster::EngineArgs,
}

/// `detect --list`: one block per typology, each parameter with its default and its meaning
/// wrapped to `width` columns.
fn list(width: usize) -> String {
    use super::table::wrap;
    let mut out = String::new();
    for d in patterns::registry() {
        let params = d.params().describe();
        out.push_str(&format!("{} ({} parameters)\n", d.name(), params.len()));
        for p in params {
            // A list value may wrap after its commas.
            let value = p.value.replace(',', ", ");
            out.push_str(&wrap(&format!("{}.{} = {value}", d.name(), p.key), width.saturating_sub(1), "  "));
            out.push('\n');
            if !p.doc.is_empty() {
                out.push_str(&wrap(p.doc, width.saturating_sub(1), "      "));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

pub fn run(a: Args) -> Result<ExitCode> {
    if a.list {
        print!("{}", list(super::table::terminal_width()));
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(case_dir), Some(out)) = (a.case, a.out) else { bail!("CASE and --out are required") };
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext != "csv" && ext != "json" {
        bail!("--out must end in .csv or .json, not '{}'", out.display());
    }
    let inputs = a.audience.key.inputs(a.load.inputs(&case_dir));
    inputs.check_all(&[("--out", Some(&out), OutKind::File)])?;
    let config = a.detect.config()?;
    // Every candidate is ranked first, so that the account alert scores read all the findings
    // an account takes part in; the cut (--top, --min-score) is applied below, the runner's way.
    let opts = config.detect;
    let t0 = std::time::Instant::now();
    let loaded = super::common::load(&case_dir, &a.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    let t1 = std::time::Instant::now();
    let graph = CaseGraph::build(case);
    let t2 = std::time::Instant::now();
    let ranked = a.engine.detect(case, &graph, &opts, !a.load.no_resolve)?;
    // Detection ends here; the victims' classification (for the findings' notes and the
    // audience) is timed on its own.
    let t_detected = std::time::Instant::now();
    let mut found = ranked.findings;
    let alerts = patterns::account_score::account_alerts(case, &found);
    let total = found.len() + ranked.below;
    let keep = found.partition_point(|f| f.score >= a.min_score).min(a.top.unwrap_or(usize::MAX));
    found.truncate(keep);
    let below = total - found.len();
    // Findings on victims' accounts say so; outside the court, protected persons are pseudonymised.
    let prepared = a.audience.prepare(case, &graph.flow)?;
    moneytrail::victims::annotate_findings(case, &mut found, &prepared.assessed);
    for f in found.iter_mut() {
        for i in f.indicators.iter_mut() {
            i.detail = prepared.scrub(&i.detail).into_owned();
        }
    }
    let case = prepared.view(case);
    let t3 = std::time::Instant::now();
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = std::fs::File::create(&out).with_context(|| format!("cannot write {}", out.display()))?;
    let w = std::io::BufWriter::new(file);
    if ext == "csv" {
        findings::write_csv_with(case, &found, &alerts, w)?;
    } else {
        findings::write_json_with(case, &found, &alerts, w)?;
    }
    let mut per: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &found {
        *per.entry(f.typology).or_default() += 1;
    }
    let mut t = super::table::Table::new(["typology", "findings"]).right(&[1]);
    for (name, n) in &per {
        t.row([name.to_string(), super::table::count(*n as u64)]);
    }
    if !per.is_empty() {
        t.print();
        account_table(case, &found, &alerts);
    }
    println!(
        "{} findings written to {} (ingest {:.2} s, graph {:.2} s, detect {:.2} s, victims {:.2} s)",
        found.len(),
        out.display(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t_detected - t2).as_secs_f64(),
        (t3 - t_detected).as_secs_f64()
    );
    if below > 0 {
        println!("{below} more candidates ranked below the cut (--top / --min-score)");
    }
    println!("{}", patterns::RANKING_BASIS);
    if !per.is_empty() {
        println!("{}", patterns::account_score::ACCOUNT_BASIS);
    }
    let missing = moneytrail::patterns::DataContext::of(case).summary();
    if !missing.is_empty() {
        println!("{missing}: indicators that need it add no points; every candidate is still ranked (docs/ranking.md)");
    }
    Ok(super::common::done(rejected))
}

/// Accounts listed in the top of the account ranking, at most this many.
const TOP_ACCOUNTS: usize = 10;

/// The accounts of the listed findings with the highest alert scores
/// (`patterns::account_score`), each with its percentile among the accounts in some candidate
/// and what made its score: the accounts an analyst reads first.
fn account_table(case: &moneytrail::model::Case, found: &[patterns::Finding], alerts: &[Option<AccountAlert>]) {
    let mut listed: Vec<usize> = found.iter().flat_map(|f| f.accounts.iter().map(|&a| a.ix())).collect();
    listed.sort_unstable();
    listed.dedup();
    let mut top: Vec<(usize, &AccountAlert)> =
        listed.into_iter().filter_map(|a| alerts.get(a).and_then(Option::as_ref).map(|x| (a, x))).collect();
    // Highest score first; ties in account order, so the table is reproducible.
    top.sort_by(|x, y| y.1.decibans.total_cmp(&x.1.decibans).then(x.0.cmp(&y.0)));
    if top.is_empty() {
        return;
    }
    let n = top.len();
    let mut t = super::table::Table::new([
        "account",
        "percentile",
        "decibans",
        "findings",
        "strongest",
        "split",
        "amount tail",
        "counterparts",
    ])
    .right(&[1, 2, 3, 4, 5, 6, 7]);
    for (a, x) in top.into_iter().take(TOP_ACCOUNTS) {
        t.row([
            case.accounts.rows[a].id.clone(),
            format!("{:.1}", x.percentile),
            format!("{:.0}", x.decibans),
            super::table::count(u64::from(x.findings)),
            x.evidence.to_string(),
            x.split.to_string(),
            format!("{:.2} %", x.amount_tail * 100.0),
            format!("top {:.1} %", x.p[2] * 100.0),
        ]);
    }
    println!();
    println!("accounts with the highest alert scores (top {} of {n} in the listed findings):", n.min(TOP_ACCOUNTS));
    t.print();
}
