//! Detection with the structural search on the cluster and the scoring local.
//!
//! For every selected detector that has a cluster plan ([`super::plans`]), the cluster returns
//! its candidate rows (an account and the transfers of one window episode; a cycle's
//! transfers; scatter-gather legs; layering successor links; structuring's deposits in the
//! band), and the detector's own code turns them into findings (`score_*`, and for the fans
//! their candidate rule `fan_in::candidates`), exactly as its local `detect` would. Detectors
//! without a plan (ownership, property and register detectors, which read small tables the
//! cluster does not hold) run locally on the same case, and the run says so. The runner then
//! links suspects, ranks, de-duplicates and cuts (`min_score`, `top`) as in a local run
//! ([`crate::patterns::Runner::run_ranked_with`]), so the findings and the count below the cut
//! are identical; each detector's gauge is charged what its local search charges (`charge`),
//! so budgets stop both runs alike.

use super::engine::Session;
use super::plans::{
    band_sql, cycles_sql, episodes_sql, fraction, links_sql, pairs_sql, ChainPlan, CyclePlan, ScatterPlan, Selection,
    Side, WindowPlan,
};
use super::DistError;
use crate::graph::CaseGraph;
use crate::model::Case;
use crate::model::DateTime;
use crate::patterns::cycle::Cycle;
use crate::patterns::fan_in::{candidates, FanIn};
use crate::patterns::fan_out::FanOut;
use crate::patterns::funnel_account::FunnelAccount;
use crate::patterns::gather_scatter::GatherScatter;
use crate::patterns::layering_chain::LayeringChain;
use crate::patterns::scatter_gather::ScatterGather;
use crate::patterns::structuring::Structuring;
use crate::patterns::{DetectCtx, Detector, Finding, RunOptions, Runner, Typology};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::UInt32Type;
use datafusion::arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Where each detector of a run ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The structural search ran on the cluster; `candidates` rows came back.
    Cluster {
        /// Candidate rows returned.
        candidates: usize,
        /// Wall time of the cluster job.
        took: Duration,
    },
    /// It ran locally, for this reason.
    Local(String),
}

/// The result of [`detect`].
#[derive(Debug)]
pub struct ClusterRun {
    /// Findings, linked, ranked and cut (`min_score`, `top`) as [`Runner::run_ranked`] returns
    /// them.
    pub findings: Vec<Finding>,
    /// Candidates ranked below the cut, as [`crate::patterns::Ranked::below`].
    pub below: usize,
    /// Per selected detector (registry order), where it ran.
    pub placement: Vec<(&'static str, Placement)>,
}

/// Scatter-gather legs `(scatter, gather)` per source account.
type PairsBySource = Vec<(u32, Vec<(u32, u32)>)>;

/// Candidate rows of one detector.
enum Candidates {
    /// `(account, episode transfers)`.
    Episodes(Vec<(u32, Vec<u32>)>),
    /// Cycles, transfers in hop order.
    Cycles(Vec<Vec<u32>>),
    /// Scatter-gather pairs `(e1, e2)` per source, sources ascending.
    Pairs(PairsBySource),
    /// Layering chains' successor links `(e, n)`, in the local search's order.
    Links(Vec<(u32, u32)>),
    /// Structuring's cash deposits in the band, ascending ids.
    Band(Vec<u32>),
}

/// A detector of type `D` with the run's `typology.key=value` overrides applied (already
/// validated by [`Runner::new`]).
fn configured<D: Detector + Default>(opts: &RunOptions) -> Result<D, DistError> {
    let mut d = D::default();
    let typology = d.typology();
    for o in opts.params.iter().filter(|o| o.typology == typology) {
        d.params_mut().set(&o.key, &o.value).map_err(|e| DistError::Config(format!("--param {o}: {e}")))?;
    }
    Ok(d)
}

/// The window plan of an episode detector, or why it has none.
fn window_plan(t: Typology, opts: &RunOptions) -> Result<Option<WindowPlan>, DistError> {
    let plan = |side, selection, days: i64, min: usize| WindowPlan { side, selection, window_s: days * DAY, min };
    Ok(match t {
        Typology::FanIn => {
            let d: FanIn = configured(opts)?;
            Some(plan(Side::In, Selection::Flows, d.p.window_days, d.p.min_senders))
        }
        Typology::FanOut => {
            let d: FanOut = configured(opts)?;
            Some(plan(Side::Out, Selection::FlowsNoPersonToCompany, d.p.window_days, d.p.min_receivers))
        }
        Typology::GatherScatter => {
            let d: GatherScatter = configured(opts)?;
            Some(plan(Side::In, Selection::Flows, d.p.window_days, d.p.min_senders))
        }
        Typology::FunnelAccount => {
            let d: FunnelAccount = configured(opts)?;
            Some(plan(Side::In, Selection::CashDepositsWithCity, d.p.window_days, d.p.min_cities))
        }
        _ => None,
    })
}

/// The cycle plan, or why the cycle search stays local.
fn cycle_plan(opts: &RunOptions, graph: &CaseGraph) -> Result<Result<CyclePlan, String>, DistError> {
    let c: Cycle = configured(opts)?;
    if !c.p.ordered {
        return Ok(Err("cycle.ordered=false (hops in any order) has no cluster plan".into()));
    }
    if let Some(why) = amounts_not_comparable(graph) {
        return Ok(Err(why));
    }
    if c.p.max_hops < 2 {
        return Ok(Err("cycle.max_hops below 2 finds nothing".into()));
    }
    let (min_ret, max_ret) = match (fraction(c.p.min_retention), fraction(c.p.max_retention)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e.to_string())),
    };
    Ok(Ok(CyclePlan { max_hops: c.p.max_hops, window_s: c.p.window_days * DAY, min_ret, max_ret }))
}

/// Why a plan that compares amounts cannot run: the local band (`patterns::common::in_band`)
/// compares a transfer without a base amount (no rate) with its neighbour in their own currency,
/// and the Parquet case holds base cents only.
fn amounts_not_comparable(graph: &CaseGraph) -> Option<String> {
    let unknown = graph.flow.unknown_base();
    (unknown > 0).then(|| {
        format!("{unknown} transfers have no base amount (no rate); the cluster plan compares base amounts only")
    })
}

/// The scatter-gather plan, or why the search stays local.
fn scatter_plan(opts: &RunOptions, graph: &CaseGraph) -> Result<Result<ScatterPlan, String>, DistError> {
    let d: ScatterGather = configured(opts)?;
    if let Some(why) = amounts_not_comparable(graph) {
        return Ok(Err(why));
    }
    Ok(match (fraction(d.p.min_retention), fraction(d.p.max_retention)) {
        (Ok(min_ret), Ok(max_ret)) => Ok(ScatterPlan { window_s: d.p.window_days * DAY, min_ret, max_ret }),
        (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
    })
}

/// The layering-chain plan, or why the search stays local.
fn chain_plan(opts: &RunOptions, graph: &CaseGraph) -> Result<Result<ChainPlan, String>, DistError> {
    let d: LayeringChain = configured(opts)?;
    if let Some(why) = amounts_not_comparable(graph) {
        return Ok(Err(why));
    }
    Ok(match (fraction(d.p.min_retention), fraction(d.p.max_retention)) {
        (Ok(min_ret), Ok(max_ret)) => Ok(ChainPlan { gap_s: d.p.max_gap_hours * 3600, min_ret, max_ret }),
        (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
    })
}

/// Charges the detector's gauge what its local search charges, so that a cluster run stops
/// where a local run stops, with the same message (`--max-rows`, `--max-memory`, `--timeout`):
///
/// - rows: the same counts at the same hub accounts, in the order of a one-thread local run,
///   computed from the local adjacency (the cluster did the examining; counting is a pass over
///   the accounts, or one binary search per transfer): the window detectors charge each
///   account's inflows (fan-out its outflows), scatter-gather each scatter's onward transfers
///   in the window, layering chains each flow's onward transfers within the gap. Structuring
///   charges no rows locally. The cycle search charges its depth-first steps, which only the
///   search knows; on the cluster its rows are bounded by the job timeout instead
///   (`--job-timeout`), and its memory below;
/// - bytes: what the local search holds for the candidates it keeps, for the same candidates
///   (24 + 4 per hop per cycle at its origin, 8 per layering link at the receiver).
///
/// `false` once a budget of the run is spent.
fn charge(ctx: &DetectCtx<'_>, t: Typology, c: &Candidates, scatter_w: i64, chain_gap: i64) -> bool {
    let (case, g, budget) = (ctx.case, &ctx.graph.flow, ctx.budget);
    let accounts = 0..g.account_count();
    let onward =
        |from: u32, at: DateTime, within: i64| g.out_between(from, DateTime(at.0 + 1), DateTime(at.0 + within));
    let rows = match t {
        Typology::FanIn | Typology::GatherScatter | Typology::FunnelAccount => {
            accounts.into_iter().all(|a| budget.rows(a, g.in_edges(a).len() as u64))
        }
        Typology::FanOut => accounts.into_iter().all(|a| budget.rows(a, g.out_edges(a).len() as u64)),
        Typology::ScatterGather => accounts.into_iter().all(|s| {
            g.out_edges(s).iter().filter(|&&e| g.is_account_flow(case, e)).all(|&e| {
                let mid = g.dst[e as usize];
                budget.rows(mid, onward(mid, g.time[e as usize], scatter_w).len() as u64)
            })
        }),
        Typology::LayeringChain => (0..g.edge_count() as u32).filter(|&e| g.is_account_flow(case, e)).all(|e| {
            let d = g.dst[e as usize];
            budget.rows(d, onward(d, g.time[e as usize], chain_gap).len() as u64)
        }),
        _ => budget.time(None),
    };
    rows && match c {
        Candidates::Cycles(v) => v.iter().all(|p| budget.hold(Some(g.src[p[0] as usize]), 24 + 4 * p.len() as u64)),
        Candidates::Links(v) => {
            v.chunk_by(|a, b| a.0 == b.0).all(|l| budget.hold(Some(g.dst[l[0].0 as usize]), 8 * l.len() as u64))
        }
        _ => true,
    }
}

/// Rows of `columns` u32 columns, each row as a vector.
fn read_u32_rows(batches: &[RecordBatch], columns: usize) -> Result<Vec<Vec<u32>>, DistError> {
    let bad = || DistError::Engine("unexpected result from the cluster: the ids are not u32".into());
    let mut rows = Vec::new();
    for b in batches {
        let cols = (0..columns)
            .map(|i| b.column(i).as_primitive_opt::<UInt32Type>().filter(|c| c.null_count() == 0).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        rows.extend((0..b.num_rows()).map(|i| cols.iter().map(|c| c.value(i)).collect::<Vec<u32>>()));
    }
    Ok(rows)
}

/// `(source, e1, e2)` rows of [`pairs_sql`], grouped by source (ascending).
fn read_pairs(batches: &[RecordBatch]) -> Result<PairsBySource, DistError> {
    let mut rows: Vec<(u32, u32, u32)> = read_u32_rows(batches, 3)?.iter().map(|r| (r[0], r[1], r[2])).collect();
    rows.sort_unstable();
    let mut out: PairsBySource = Vec::new();
    for (s, e1, e2) in rows {
        match out.last_mut() {
            Some((last, v)) if *last == s => v.push((e1, e2)),
            _ => out.push((s, vec![(e1, e2)])),
        }
    }
    Ok(out)
}

/// Why a detector without a cluster plan runs locally.
fn local_reason(t: Typology) -> String {
    match t {
        Typology::Bipartite | Typology::RandomWalk => format!("{} has no cluster plan yet", t.as_str()),
        _ => format!("{} reads the ownership, property or income registers, which stay local", t.as_str()),
    }
}

/// Rows of nullable u32 columns `h1..hk` ([`cycles_sql`]), each the ids up to its first null.
fn read_paths(batches: &[RecordBatch]) -> Result<Vec<Vec<u32>>, DistError> {
    let bad = || DistError::Engine("unexpected result from the cluster: the hops are not u32".into());
    let mut rows = Vec::new();
    for b in batches {
        let cols = b
            .columns()
            .iter()
            .map(|c| c.as_primitive_opt::<UInt32Type>().ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        rows.extend(
            (0..b.num_rows())
                .map(|i| cols.iter().take_while(|c| c.is_valid(i)).map(|c| c.value(i)).collect::<Vec<u32>>()),
        );
    }
    Ok(rows)
}

/// `(u32, list<u32>)` rows ([`episodes_sql`]): an account and its episode's transfers.
fn read_lists(batches: &[RecordBatch]) -> Result<Vec<(u32, Vec<u32>)>, DistError> {
    let bad = |what: &str| DistError::Engine(format!("unexpected result from the cluster: {what}"));
    let mut out = Vec::new();
    for b in batches {
        let lists = b.column(1).as_list_opt::<i32>().ok_or_else(|| bad("not a list of transfer ids"))?;
        let accts = b.column(0).as_primitive_opt::<UInt32Type>().ok_or_else(|| bad("account is not u32"))?;
        for i in 0..b.num_rows() {
            let ids = lists.value(i);
            let ids = ids.as_primitive_opt::<UInt32Type>().ok_or_else(|| bad("transfer ids are not u32"))?;
            if ids.null_count() > 0 || accts.is_null(i) {
                return Err(bad("a null id"));
            }
            out.push((accts.value(i), ids.values().to_vec()));
        }
    }
    Ok(out)
}

/// Runs the detectors of `opts` with their structural search on the cluster of `session`.
///
/// `case` and `graph` are the case loaded locally (the one the Parquet case was written from:
/// [`super::storage::ParquetManifest::check`] is the caller's first step). `resolved` says
/// whether entity resolution was applied to it.
///
/// # Errors
/// A Parquet case that does not match, a configuration error, or a failed cluster job (never
/// a partial result).
pub fn detect(
    session: &Session,
    case: &Case,
    graph: &CaseGraph,
    opts: &RunOptions,
    resolved: bool,
) -> Result<ClusterRun, DistError> {
    session.manifest.check(case, &graph.flow, resolved)?;
    let runner = Runner::new(opts).map_err(|e| DistError::Config(e.to_string()))?;
    let accounts = session.manifest.accounts;
    let mut found: HashMap<Typology, Candidates> = HashMap::new();
    let mut placement = Vec::new();
    for d in runner.detectors() {
        let (t, name) = (d.typology(), d.name());
        let t0 = Instant::now();
        let cands = if let Some(w) = window_plan(t, opts)? {
            let mut rows = read_lists(&session.sql(&episodes_sql(&w, accounts))?)?;
            // The local search's order: by account, then by time.
            let (g, n_e) = (&graph.flow, graph.flow.edge_count() as u32);
            let first = |ep: &[u32]| ep.first().filter(|&&e| e < n_e).map(|&e| (g.time[e as usize], e));
            rows.sort_unstable_by_key(|a| (a.0, first(&a.1)));
            Some(Candidates::Episodes(rows))
        } else if t == Typology::Cycle {
            match cycle_plan(opts, graph)? {
                Ok(c) => {
                    let mut rows = read_paths(&session.sql(&cycles_sql(&c, accounts))?)?;
                    // The local search's order: by first hop, then hop by hop in (time, id).
                    let g = &graph.flow;
                    let n_e = g.edge_count() as u32;
                    rows.sort_by_cached_key(|p| {
                        let hops: Vec<_> = p.iter().filter(|&&e| e < n_e).map(|&e| (g.time[e as usize], e)).collect();
                        (p.first().copied(), hops)
                    });
                    Some(Candidates::Cycles(rows))
                }
                Err(why) => {
                    placement.push((name, Placement::Local(why)));
                    None
                }
            }
        } else if t == Typology::ScatterGather {
            match scatter_plan(opts, graph)? {
                Ok(p) => Some(Candidates::Pairs(read_pairs(&session.sql(&pairs_sql(&p, accounts))?)?)),
                Err(why) => {
                    placement.push((name, Placement::Local(why)));
                    None
                }
            }
        } else if t == Typology::Structuring {
            let d: Structuring = configured(opts)?;
            let threshold = crate::graph::FlowGraph::cents_of(case.meta.cash_report.amount);
            match fraction(d.p.band_low) {
                // No reporting threshold: the local detector finds nothing, and so does this.
                Ok(_) if threshold <= 0 => Some(Candidates::Band(Vec::new())),
                Ok(low) => {
                    let mut ids: Vec<u32> = read_u32_rows(&session.sql(&band_sql(low, threshold, accounts))?, 1)?
                        .iter()
                        .map(|r| r[0])
                        .collect();
                    ids.sort_unstable();
                    Some(Candidates::Band(ids))
                }
                Err(why) => {
                    placement.push((name, Placement::Local(why.to_string())));
                    None
                }
            }
        } else if t == Typology::LayeringChain {
            match chain_plan(opts, graph)? {
                Ok(p) => {
                    let mut links: Vec<(u32, u32)> = read_u32_rows(&session.sql(&links_sql(&p, accounts))?, 2)?
                        .iter()
                        .map(|r| (r[0], r[1]))
                        .collect();
                    // The local search's order: by e, then n in (time, id) order.
                    let time = &graph.flow.time;
                    links.sort_unstable_by_key(|&(e, n)| (e, time.get(n as usize).copied(), n));
                    Some(Candidates::Links(links))
                }
                Err(why) => {
                    placement.push((name, Placement::Local(why)));
                    None
                }
            }
        } else {
            placement.push((name, Placement::Local(local_reason(t))));
            None
        };
        if let Some(c) = cands {
            let n = match &c {
                Candidates::Episodes(v) => v.len(),
                Candidates::Cycles(v) => v.len(),
                Candidates::Pairs(v) => v.iter().map(|(_, p)| p.len()).sum(),
                Candidates::Links(v) => v.len(),
                Candidates::Band(v) => v.len(),
            };
            placement.push((name, Placement::Cluster { candidates: n, took: t0.elapsed() }));
            found.insert(t, c);
        }
    }
    // Bounds-check every id before the local code indexes with it.
    let (n_e, n_a) = (graph.flow.edge_count() as u32, graph.flow.account_count());
    let ok = found.values().all(|c| match c {
        Candidates::Episodes(v) => v.iter().all(|(a, ep)| *a < n_a && ep.iter().all(|&e| e < n_e)),
        Candidates::Cycles(v) => v.iter().all(|p| !p.is_empty() && p.iter().all(|&e| e < n_e)),
        Candidates::Pairs(v) => v.iter().all(|(s, p)| *s < n_a && p.iter().all(|&(a, b)| a < n_e && b < n_e)),
        Candidates::Links(v) => v.iter().all(|&(a, b)| a < n_e && b < n_e),
        Candidates::Band(v) => v.iter().all(|&e| e < n_e),
    });
    if !ok {
        return Err(DistError::Storage("returned ids outside the local case: write it again".into()));
    }
    let fan_in: FanIn = configured(opts)?;
    let fan_out: FanOut = configured(opts)?;
    let gather: GatherScatter = configured(opts)?;
    let funnel: FunnelAccount = configured(opts)?;
    let cycle: Cycle = configured(opts)?;
    let scatter: ScatterGather = configured(opts)?;
    let chains: LayeringChain = configured(opts)?;
    let structuring: Structuring = configured(opts)?;
    let (fan_in_w, fan_in_steady) = (fan_in.p.window_days * DAY, fan_in.p.steady_days * DAY);
    let (fan_out_w, fan_out_steady) = (fan_out.p.window_days * DAY, fan_out.p.steady_days * DAY);
    let score = |d: &dyn Detector, ctx: &DetectCtx<'_>| -> Vec<Finding> {
        use rayon::prelude::*;
        let t = d.typology();
        let g = &ctx.graph.flow;
        if let Some(c) = found.get(&t) {
            if !charge(ctx, t, c, scatter.p.window_days * DAY, chains.p.max_gap_hours * 3600) {
                return Vec::new();
            }
        }
        match (t, found.get(&t)) {
            (Typology::Cycle, Some(Candidates::Cycles(c))) => cycle.score_cycles(ctx, c.clone()),
            (Typology::LayeringChain, Some(Candidates::Links(l))) => chains.score_links(ctx, l.clone()),
            (Typology::Structuring, Some(Candidates::Band(b))) => structuring.score_band(ctx, b),
            (Typology::ScatterGather, Some(Candidates::Pairs(p))) => {
                p.par_iter().flat_map_iter(|(s, pairs)| scatter.score_pairs(ctx, *s, pairs)).collect()
            }
            (t, Some(Candidates::Episodes(eps))) => eps
                .par_iter()
                .flat_map_iter(|(a, ep)| match t {
                    // The fans' candidate rule (`fan_in::candidates`) on the cluster's episode:
                    // the episode alone is its own single episode (every qualifying window of
                    // it lies inside it), so only the local narrowing of a steady run applies.
                    Typology::FanIn => candidates(ctx, ep, &g.src, fan_in_w, fan_in.p.min_senders, fan_in_steady)
                        .into_iter()
                        .filter_map(|c| fan_in.score_episode(ctx, *a, c))
                        .collect::<Vec<_>>(),
                    Typology::FanOut => candidates(ctx, ep, &g.dst, fan_out_w, fan_out.p.min_receivers, fan_out_steady)
                        .into_iter()
                        .flat_map(|c| fan_out.score_episode(ctx, *a, c))
                        .collect(),
                    Typology::GatherScatter => gather.score_episode(ctx, *a, ep).into_iter().collect(),
                    Typology::FunnelAccount => funnel.score_episode(ctx, *a, ep.clone()).into_iter().collect(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => d.detect(ctx),
        }
    };
    // A spent budget stops the run as it does locally, with the same message.
    let ranked = runner.run_ranked_with(case, graph, &score).map_err(|e| DistError::Config(e.to_string()))?;
    Ok(ClusterRun { findings: ranked.findings, below: ranked.below, placement })
}
