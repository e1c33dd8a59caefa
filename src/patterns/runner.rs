//! Runs detectors in a thread pool of a chosen size, links findings to suspects, and sorts.

use super::context::DataContext;
use super::finding::Finding;
use super::link::SuspectLinks;
use super::params::Params;
use crate::graph::CaseGraph;
use crate::model::Case;

/// What a detector sees.
pub struct DetectCtx<'a> {
    /// The loaded case.
    pub case: &'a Case,
    /// Its graphs.
    pub graph: &'a CaseGraph,
    /// Which context data the case holds, computed once (see [`super::context`]).
    pub data: DataContext,
}

/// A typology detector. Implementations are `Send + Sync`, parallelise internally with rayon
/// (inside the runner's pool) and return findings via [`Finding::finish`].
pub trait Detector: Send + Sync {
    /// Typology name, as in truth/patterns.csv.
    fn name(&self) -> &'static str;
    /// The parameters, for listing and overriding.
    fn params(&mut self) -> &mut dyn Params;
    /// Finds every instance in the case.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding>;
}

/// Every detector with default parameters, in a fixed order.
pub fn registry() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(super::fan_in::FanIn::default()),
        Box::new(super::fan_out::FanOut::default()),
        Box::new(super::gather_scatter::GatherScatter::default()),
        Box::new(super::scatter_gather::ScatterGather::default()),
        Box::new(super::cycle::Cycle::default()),
        Box::new(super::layering_chain::LayeringChain::default()),
        Box::new(super::structuring::Structuring::default()),
        Box::new(super::funnel_account::FunnelAccount::default()),
        Box::new(super::circular_ownership::CircularOwnership::default()),
        Box::new(super::nominee_director::NomineeDirector::default()),
        Box::new(super::property_after_inflow::PropertyAfterInflow::default()),
        Box::new(super::undervalued_purchase::UndervaluedPurchase::default()),
        Box::new(super::disproportion::Disproportion::default()),
        Box::new(super::round_tripping::RoundTripping::default()),
        Box::new(super::shell_company::ShellCompany::default()),
    ]
}

/// Errors of a detection run.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// `--typology` named an unknown detector.
    #[error("unknown typology '{0}'; known: {1}")]
    UnknownTypology(String, String),
    /// `--param` was malformed or named an unknown parameter.
    #[error("--param {0}: {1}")]
    BadParam(String, String),
    /// The thread pool could not start.
    #[error("cannot start the thread pool: {0}")]
    Pool(String),
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Only these typologies (all when `None`).
    pub typologies: Option<Vec<String>>,
    /// `typology.key=value` overrides.
    pub params: Vec<String>,
    /// Largest hop count at which a finding is linked to a suspect [D: 4].
    pub max_suspect_hops: u32,
    /// Worker threads (0 = all cores; 1 = sequential).
    pub threads: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { typologies: None, params: Vec::new(), max_suspect_hops: 4, threads: 0 }
    }
}

/// Configured detectors for `opts` (selection and overrides applied).
pub fn configure(opts: &RunOptions) -> Result<Vec<Box<dyn Detector>>, PatternError> {
    let mut all = registry();
    let names = || all_names();
    if let Some(sel) = &opts.typologies {
        for s in sel {
            if !all.iter().any(|d| d.name() == s) {
                return Err(PatternError::UnknownTypology(s.clone(), names()));
            }
        }
        all.retain(|d| sel.iter().any(|s| s == d.name()));
    }
    for p in &opts.params {
        let (lhs, value) =
            p.split_once('=').ok_or_else(|| PatternError::BadParam(p.clone(), "expected typology.key=value".into()))?;
        let (typ, key) = lhs
            .split_once('.')
            .ok_or_else(|| PatternError::BadParam(p.clone(), "expected typology.key=value".into()))?;
        let d = all.iter_mut().find(|d| d.name() == typ).ok_or_else(|| {
            PatternError::BadParam(
                p.clone(),
                format!("typology '{typ}' is not selected or unknown; known: {}", names()),
            )
        })?;
        d.params().set(key, value).map_err(|e| PatternError::BadParam(p.clone(), e))?;
    }
    Ok(all)
}

fn all_names() -> String {
    registry().iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
}

/// Runs the selected detectors and returns findings sorted by score (highest first), then
/// typology and id. With `threads = 1` everything runs on one thread; the output is the same.
pub fn run(case: &Case, graph: &CaseGraph, opts: &RunOptions) -> Result<Vec<Finding>, PatternError> {
    run_with(case, graph, opts, &|d, ctx| d.detect(ctx))
}

/// [`run`], with each configured detector's findings produced by `detect` instead of
/// [`Detector::detect`]: the distributed engine (`crate::distributed`) scores the candidates
/// its cluster found there, and the suspect links, ordering and de-duplication stay this
/// function's, so a run on the cluster and a local run end alike.
pub fn run_with(
    case: &Case,
    graph: &CaseGraph,
    opts: &RunOptions,
    detect: &(dyn Fn(&dyn Detector, &DetectCtx<'_>) -> Vec<Finding> + Sync),
) -> Result<Vec<Finding>, PatternError> {
    let detectors = configure(opts)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| PatternError::Pool(e.to_string()))?;
    let ctx = DetectCtx { case, graph, data: DataContext::of(case) };
    let mut findings = pool.install(|| {
        use rayon::prelude::*;
        let links = SuspectLinks::compute(case, graph, opts.max_suspect_hops);
        let mut f: Vec<Finding> = detectors.par_iter().flat_map_iter(|d| detect(d.as_ref(), &ctx)).collect();
        f.par_iter_mut().for_each(|x| {
            x.suspect = links.nearest(graph, &x.accounts, &x.entities);
            if let Some((s, hops)) = x.suspect {
                // Proximity to a suspect corroborates a pattern; it never fires alone [D].
                let points = [30, 25, 15, 10, 5].get(hops as usize).copied().unwrap_or(0);
                if points > 0 {
                    x.indicate("near_suspect", points, format!("{hops} hops from suspect {}", case.entity_id(s)));
                    x.rescore();
                }
            }
        });
        f
    });
    findings.sort_by(|a, b| b.score.cmp(&a.score).then(a.typology.cmp(b.typology)).then(a.id.cmp(&b.id)));
    findings.dedup_by(|a, b| a.id == b.id);
    Ok(findings)
}
