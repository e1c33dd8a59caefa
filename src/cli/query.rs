//! `moneytrail query CASE FILE.cypher`: run a pattern query, or print its plan with --explain.

use super::output::{Inputs, OutKind};
use anyhow::{bail, Context, Result};
use moneytrail::investigation::query::QuerySession;
use moneytrail::query::{self, format::Format, Budget, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `query`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// The query file (openCypher-style; see docs/query-language.md).
    file: PathBuf,
    /// A mapping file used instead of the folder's case.toml.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// A query parameter: name=value ('text', 12.50, true, [a, b]); repeatable.
    #[arg(long = "param")]
    params: Vec<String>,
    /// Output format: table, csv or json.
    #[arg(long, default_value = "table")]
    format: String,
    /// Write the result to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the logical plan instead of running the query.
    #[arg(long)]
    explain: bool,
    /// Stop when an operator produces more rows than this.
    #[arg(long, default_value_t = 2_000_000)]
    max_rows: u64,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Stop when the query's expressions have yielded more than this many MiB of text
    /// (strings of 64 bytes or more, each time one is read or built, the result's included).
    #[arg(long, default_value_t = 2048)]
    max_memory: u64,
    /// Write the subgraph of each result row as a Graphviz diagram DIR/row-00001.dot (first
    /// 1,000 rows).
    #[arg(long)]
    evidence: Option<PathBuf>,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
    #[command(flatten)]
    engine: super::cluster::EngineArgs,
}

/// A query result as a terminal table: numbers right-aligned with thousands separators.
fn table(case: &moneytrail::model::Case, r: &query::QueryResult) -> super::table::Table {
    let numeric: Vec<usize> = (0..r.columns.len())
        .filter(|&i| {
            let mut vals = r.rows.iter().filter_map(|row| row.get(i)).filter(|v| !matches!(v, Value::Null)).peekable();
            vals.peek().is_some() && vals.all(|v| matches!(v, Value::Num(_)))
        })
        .collect();
    let mut t = super::table::Table::new(r.columns.iter().cloned()).right(&numeric);
    for row in &r.rows {
        t.row(row.iter().map(|v| match v {
            Value::Num(d) => super::table::money(d),
            other => other.render(case),
        }));
    }
    t
}

/// `--format`: the terminal's table, or one of the library's complete formats.
fn parse_format(s: &str) -> Result<Option<Format>, String> {
    match s.to_ascii_lowercase().as_str() {
        "table" => Ok(None),
        o => o.parse().map(Some).map_err(|_| format!("unknown format '{o}'; expected table, csv or json")),
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    let fmt = parse_format(&a.format).map_err(anyhow::Error::msg)?;
    let inputs = a.audience.key.inputs(Inputs::case(&a.case).file(a.mapping.as_deref()).file(Some(&a.file)));
    inputs.check_all(&[
        ("--out", a.out.as_deref(), OutKind::File),
        ("--evidence", a.evidence.as_deref(), OutKind::Dir),
    ])?;
    let text = std::fs::read_to_string(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let mut params: HashMap<String, Value> = HashMap::new();
    for p in &a.params {
        let Some((k, v)) = p.split_once('=') else { bail!("--param {p}: expected name=value") };
        params.insert(k.trim().trim_start_matches('$').to_string(), query::param_value(v));
    }
    // Syntax first: a typo should not wait for the case to load.
    if let Err(e) = query::check_syntax(&text) {
        eprintln!("{}: {}", a.file.display(), e.render(&text));
        return Ok(ExitCode::from(2));
    }
    let t0 = std::time::Instant::now();
    let load = super::common::LoadArgs { mapping: a.mapping.clone(), no_resolve: true };
    let loaded = super::common::load(&a.case, &load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    if a.explain {
        // The plan holds the query's text and structure, no case data.
        return Ok(match query::prepare(&text, case, &params) {
            Ok(p) => {
                print!("{}", p.plan);
                super::common::done(rejected)
            }
            Err(e) => {
                eprintln!("{}: {}", a.file.display(), e.render(&text));
                ExitCode::from(2)
            }
        });
    }
    // Outside the court the query is planned and run on the audience's view of the case
    // (moneytrail::investigation::query): protected persons are pseudonyms without name, birth
    // date, national id, address, contacts, IBAN or account id, and free text is scrubbed, so no
    // expression can rebuild what the engine never sees. Ids in the query text and parameters are
    // the registers' ids (a protected person's is their pseudonym).
    let key = if a.audience.is_court() { None } else { a.audience.key.case_keys(&case.meta.name)? };
    let session = QuerySession::new(&a.case, case, a.audience.audience, key.as_ref())?;
    let view = session.view();
    let plan = match session.prepare(&text, &params) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}: {}", a.file.display(), e.render(&text));
            return Ok(ExitCode::from(2));
        }
    };
    let graph = session.graph();
    let t1 = std::time::Instant::now();
    let budget = Budget {
        max_rows: a.max_rows,
        max_bytes: a.max_memory.saturating_mul(1 << 20),
        max_time: std::time::Duration::from_secs(a.timeout),
    };
    // On a cluster the rows are mapped back through the audience's view, as the local rows are.
    let on_cluster = a.engine.query(&text, view, &graph.flow, &params)?;
    let result = match on_cluster.map_or_else(|| session.execute(&plan, params, &budget), Ok) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {}", a.file.display(), e.render(&text));
            return Ok(ExitCode::from(2));
        }
    };
    let t2 = std::time::Instant::now();
    let mut w: Box<dyn std::io::Write> = match &a.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match fmt {
        // The terminal's table: fitted to its width, long cells cut with an ellipsis, numbers
        // with thousands separators (csv and json stay complete and plain).
        None => {
            w.write_all(table(view, &result).render(super::table::terminal_width()).as_bytes())?;
            writeln!(w, "({} row{})", result.rows.len(), if result.rows.len() == 1 { "" } else { "s" })?;
        }
        Some(f) => query::format::write(view, &result, f, &mut w)?,
    }
    w.flush()?;
    drop(w);
    if let Some(dir) = &a.evidence {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let ev = query::evidence::Evidence::new(view, graph);
        let name = a.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        for (i, row) in result.rows.iter().take(1000).enumerate() {
            let path = dir.join(format!("row-{:05}.dot", i + 1));
            let dot = ev.dot(&format!("{name}, row {}", i + 1), &result.columns, row);
            std::fs::write(&path, dot).with_context(|| format!("cannot write {}", path.display()))?;
        }
        if result.rows.len() > 1000 {
            eprintln!("evidence: diagrams for the first 1000 of {} rows only", result.rows.len());
        }
    }
    eprintln!(
        "{} rows (load and graph {:.2} s, query {:.3} s)",
        result.rows.len(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64()
    );
    Ok(super::common::done(rejected))
}
