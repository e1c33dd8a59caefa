//! The run: options parsed and checked once ([`RunOptions`], [`ParamOverride`]), detectors
//! configured from them, and a [`Runner`] that owns the one thread pool of a run, runs the
//! detectors in it, links findings to suspects and sorts.

use super::budget::{self, Budget, Meter};
use super::context::{spec, DataContext, Spec};
use super::detector::{BorrowedParams, DetectCtx, Detector};
use super::finding::{Finding, Indicator, SuspectLink};
use super::link::SuspectLinks;
use super::registry::{registry, Typology};
use super::signals::Signals;
use crate::graph::CaseGraph;
use crate::model::Case;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Errors of configuring a detection run. None names a command-line flag: the CLI says which
/// flag carried the text.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// A typology name is not one of [`Typology::ALL`].
    #[error("unknown typology '{name}'; known: {known}")]
    UnknownTypology {
        /// The name given.
        name: String,
        /// Every known name, comma-separated.
        known: String,
    },
    /// A parameter override was malformed, named a typology not selected (or unknown), or an
    /// unknown parameter, or its value did not parse.
    #[error("{given}: {reason}")]
    BadParam {
        /// The override as given (`typology.key=value`).
        given: String,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// The thread pool could not start.
    #[error("cannot start the thread pool: {0}")]
    Pool(String),
    /// A detector spent the run's row, memory or time budget ([`RunOptions::budget`]); the
    /// message names the detector and the hub account it was searching.
    #[error("{0}")]
    Budget(String),
}

/// One parameter override, `typology.key=value`. Parsing checks its form and typology; whether
/// the typology is selected and the key and value fit its parameters is checked against the
/// selection ([`RunOptions::parse`], [`Runner::new`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamOverride {
    /// The detector whose parameter it sets.
    pub typology: Typology,
    /// The parameter name, as written.
    pub key: String,
    /// The value, as written.
    pub value: String,
}

impl ParamOverride {
    fn error(&self, reason: String) -> PatternError {
        PatternError::BadParam { given: self.to_string(), reason }
    }

    /// Sets the parameter on the first of `detectors` of its typology.
    fn apply(&self, detectors: &mut [Box<dyn Detector>]) -> Result<(), PatternError> {
        let d = detectors.iter_mut().find(|d| d.typology() == self.typology).ok_or_else(|| {
            self.error(format!("typology '{}' is not selected or unknown; known: {}", self.typology, Typology::known()))
        })?;
        d.params_mut().set(&self.key, &self.value).map_err(|e| self.error(e))
    }
}

impl FromStr for ParamOverride {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<ParamOverride, PatternError> {
        let bad = |reason: String| PatternError::BadParam { given: s.to_string(), reason };
        let form = || bad("expected typology.key=value".into());
        let (lhs, value) = s.split_once('=').ok_or_else(form)?;
        let (typ, key) = lhs.split_once('.').ok_or_else(form)?;
        let typology = typ
            .parse::<Typology>()
            .map_err(|_| bad(format!("typology '{typ}' is not selected or unknown; known: {}", Typology::known())))?;
        Ok(ParamOverride { typology, key: key.to_string(), value: value.to_string() })
    }
}

impl fmt::Display for ParamOverride {
    /// As the user wrote it: `typology.key=value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}={}", self.typology, self.key, self.value)
    }
}

/// Options of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    /// Only these typologies (all when `None`).
    pub typologies: Option<Vec<Typology>>,
    /// Parameter overrides, applied in order.
    pub params: Vec<ParamOverride>,
    /// Largest hop count at which a finding is linked to a suspect [D: 4].
    pub max_suspect_hops: u32,
    /// Worker threads (0 = all cores; 1 = sequential).
    pub threads: usize,
    /// Row, memory and time limits of the detectors ([`super::budget`]).
    pub budget: Budget,
    /// Keep only findings with at least this score (0 = every candidate, the default: detection
    /// ranks, it does not gate). The others are counted in [`Ranked::below`].
    pub min_score: u32,
    /// Keep only the first `top` findings of the ranked list (`None` = all).
    pub top: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            typologies: None,
            params: Vec::new(),
            max_suspect_hops: 4,
            threads: 0,
            budget: Budget::default(),
            min_score: 0,
            top: None,
        }
    }
}

/// The ranked findings of a run: the head of the list that `min_score` and `top` keep, and how
/// many candidates lie below it.
#[derive(Clone, Debug, Default)]
pub struct Ranked {
    /// Findings kept, ranked (score, then typology and id).
    pub findings: Vec<Finding>,
    /// Candidates ranked below the kept ones (cut by `min_score` or `top`).
    pub below: usize,
}

/// How findings are ranked, in words, for the CLI, the report and the bundle.
pub const RANKING_BASIS: &str = "ranked by score: the evidence, in decibans (10·log10 of a likelihood ratio against \
     benign activity), summed over the indicators that fired; transfer signals are surprises against the account's own \
     history and its peer group; each finding also states its percentile among the case's candidates of its typology \
     (docs/methodology.md#ranking)";

impl RunOptions {
    /// Options from text (typology names, `typology.key=value` overrides; the other fields at
    /// their defaults), checked in the order a reader gives them: every name, then each
    /// override in turn (its form, its typology among those selected, its key and value).
    ///
    /// # Errors
    /// The first name or override that does not fit.
    pub fn parse<S: AsRef<str>>(typologies: Option<&[S]>, params: &[S]) -> Result<RunOptions, PatternError> {
        let typologies = match typologies {
            Some(names) => Some(names.iter().map(|n| n.as_ref().parse()).collect::<Result<Vec<Typology>, _>>()?),
            None => None,
        };
        RunOptions::select(typologies, params)
    }

    /// Like [`RunOptions::parse`] with the typologies already typed (the CLI parses them).
    ///
    /// # Errors
    /// [`PatternError::BadParam`] for the first override that is malformed, names a typology
    /// not selected, or a key or value the detector refuses.
    pub fn select<S: AsRef<str>>(typologies: Option<Vec<Typology>>, params: &[S]) -> Result<RunOptions, PatternError> {
        let mut scratch = select(registry(), typologies.as_deref());
        let mut overrides = Vec::with_capacity(params.len());
        for p in params {
            let o: ParamOverride = p.as_ref().parse()?;
            o.apply(&mut scratch)?;
            overrides.push(o);
        }
        Ok(RunOptions { typologies, params: overrides, ..RunOptions::default() })
    }

    /// The overrides as the user wrote them, comma-separated (the bundle manifest's
    /// `detect.params`).
    pub fn params_text(&self) -> String {
        self.params.iter().map(ParamOverride::to_string).collect::<Vec<_>>().join(",")
    }
}

/// The detectors of `all` that `sel` selects (all when `None`), in registry order.
fn select(mut all: Vec<Box<dyn Detector>>, sel: Option<&[Typology]>) -> Vec<Box<dyn Detector>> {
    if let Some(sel) = sel {
        all.retain(|d| sel.contains(&d.typology()));
    }
    all
}

/// A configured run: the selected detectors with their overrides applied, and the thread pool
/// every stage of the run shares. Built once per run from [`RunOptions`].
pub struct Runner {
    options: RunOptions,
    detectors: Vec<Box<dyn Detector>>,
    borrowed: BorrowedParams,
    pool: rayon::ThreadPool,
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.detectors.iter().map(|d| d.name()).collect();
        f.debug_struct("Runner").field("options", &self.options).field("detectors", &names).finish_non_exhaustive()
    }
}

impl Runner {
    /// Configures the detectors `options` selects, applies its overrides, and starts the
    /// thread pool (`options.threads`; 0 = all cores).
    ///
    /// # Errors
    /// An override of a typology that is not selected, an unknown key or a bad value; a pool
    /// that cannot start.
    pub fn new(options: &RunOptions) -> Result<Runner, PatternError> {
        let mut detectors = select(registry(), options.typologies.as_deref());
        for o in &options.params {
            o.apply(&mut detectors)?;
        }
        let mut borrowed = BorrowedParams::default();
        for d in &detectors {
            d.lend(&mut borrowed);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads)
            .build()
            .map_err(|e| PatternError::Pool(e.to_string()))?;
        Ok(Runner { options: options.clone(), detectors, borrowed, pool })
    }

    /// The options it was built from.
    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// The parameters the detectors lend each other ([`BorrowedParams`]).
    pub fn borrowed(&self) -> &BorrowedParams {
        &self.borrowed
    }

    /// The configured detectors, in registry order.
    pub fn detectors(&self) -> &[Box<dyn Detector>] {
        &self.detectors
    }

    /// Worker threads of the pool.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `op` in the run's thread pool, so that a caller's own stages (classification,
    /// tracing, valuation) share it with detection; [`Runner::run`] inside `op` stays in it.
    pub fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        self.pool.install(op)
    }

    /// Runs the detectors and returns the kept findings ([`Runner::run_ranked`]).
    ///
    /// # Errors
    /// [`PatternError::Budget`] when a detector spends the options' budget (the first to do
    /// so; the others stop at their next charge).
    pub fn run(&self, case: &Case, graph: &CaseGraph) -> Result<Vec<Finding>, PatternError> {
        self.run_ranked(case, graph).map(|r| r.findings)
    }

    /// Runs the detectors: every candidate scored and linked to its nearest suspect, sorted by
    /// score (highest first), the uncapped evidence, then typology and id; then `min_score` and
    /// `top` cut the list and the rest is counted. With one thread everything runs
    /// sequentially; the output is the same.
    ///
    /// # Errors
    /// As [`Runner::run`].
    pub fn run_ranked(&self, case: &Case, graph: &CaseGraph) -> Result<Ranked, PatternError> {
        self.ranked_with(case, graph, &|d, ctx| d.detect(ctx))
    }

    /// [`Runner::run`], with each configured detector's findings produced by `detect` instead
    /// of [`Detector::detect`]: the distributed engine (feature `distributed`) scores there the
    /// candidates its cluster found, and the suspect links, ranking, de-duplication and
    /// budgets stay the runner's, so a run on the cluster and a local run end alike.
    ///
    /// # Errors
    /// As [`Runner::run`].
    pub fn run_with(
        &self,
        case: &Case,
        graph: &CaseGraph,
        detect: &(dyn Fn(&dyn Detector, &DetectCtx<'_>) -> Vec<Finding> + Sync),
    ) -> Result<Vec<Finding>, PatternError> {
        self.ranked_with(case, graph, detect).map(|r| r.findings)
    }

    /// [`Runner::run_with`], ranked and cut as [`Runner::run_ranked`]: the kept findings and
    /// how many candidates lie below the cut.
    ///
    /// # Errors
    /// As [`Runner::run`].
    pub fn run_ranked_with(
        &self,
        case: &Case,
        graph: &CaseGraph,
        detect: &(dyn Fn(&dyn Detector, &DetectCtx<'_>) -> Vec<Finding> + Sync),
    ) -> Result<Ranked, PatternError> {
        self.ranked_with(case, graph, detect)
    }

    fn ranked_with(
        &self,
        case: &Case,
        graph: &CaseGraph,
        detect: &(dyn Fn(&dyn Detector, &DetectCtx<'_>) -> Vec<Finding> + Sync),
    ) -> Result<Ranked, PatternError> {
        let meter = Meter::new(&self.options.budget);
        let mut findings = self.pool.install(|| {
            use rayon::prelude::*;
            let signals = Signals::of(case, &graph.flow);
            let data = DataContext::of(case);
            let links = SuspectLinks::compute(case, graph, self.options.max_suspect_hops);
            let _progress =
                crate::progress::stage("detect", Some(self.detectors.len() as u64), crate::progress::Unit::Steps);
            let mut f: Vec<Finding> = self
                .detectors
                .par_iter()
                .flat_map_iter(|d| {
                    let gauge = meter.gauge(d.name());
                    let ctx = DetectCtx {
                        case,
                        graph,
                        data: data.clone(),
                        signals: &signals,
                        borrowed: &self.borrowed,
                        budget: &gauge,
                    };
                    crate::progress::step(d.name(), || detect(d.as_ref(), &ctx))
                })
                .collect();
            if meter.stopped().is_none() {
                f.par_iter_mut().for_each(|x| link_suspect(case, graph, &links, x));
            }
            f.par_sort_by(|a, b| {
                (b.score, b.evidence).cmp(&(a.score, a.evidence)).then(a.typology.cmp(b.typology)).then(a.id.cmp(&b.id))
            });
            f
        });
        if let Some(stop) = meter.stopped() {
            let g = &graph.flow;
            return Err(PatternError::Budget(budget::message(stop, |a| {
                (case.accounts.rows[a as usize].id.clone(), g.in_edges(a).len(), g.out_edges(a).len())
            })));
        }
        findings.dedup_by(|a, b| a.id == b.id);
        percentiles(&mut findings);
        let total = findings.len();
        let keep =
            findings.partition_point(|f| f.score >= self.options.min_score).min(self.options.top.unwrap_or(usize::MAX));
        findings.truncate(keep);
        Ok(Ranked { below: total - findings.len(), findings })
    }
}

/// The runner's own indicator, `near_suspect`, by hop count from 0 to 4 (none beyond):
/// proximity to a suspect corroborates a pattern; it never fires alone (project default).
pub const NEAR_SUSPECT: [Spec; 5] = [
    spec("near_suspect", 30, &[]),
    spec("near_suspect", 25, &[]),
    spec("near_suspect", 15, &[]),
    spec("near_suspect", 10, &[]),
    spec("near_suspect", 5, &[]),
];

/// Links `x` to its nearest suspect; proximity corroborates the pattern and adds points.
fn link_suspect(case: &Case, graph: &CaseGraph, links: &SuspectLinks, x: &mut Finding) {
    x.suspect = links.nearest(graph, &x.accounts, &x.entities);
    if let Some(SuspectLink { suspect: s, hops }) = x.suspect {
        if let Some(near) = NEAR_SUSPECT.get(hops as usize) {
            x.indicate(near, format!("{hops} hops from suspect {}", case.entity_id(s)));
            x.rescore();
        }
    }
}

/// The indicators of `f` that neither its detector's table ([`Detector::indicators`]) nor the
/// runner's [`NEAR_SUSPECT`] declares with those points. Empty for every finding a run
/// returns (tests/indicators.rs); indicators added afterwards (the victims post-pass) are not
/// the detectors' and show here.
pub fn undeclared(f: &Finding) -> Vec<&Indicator> {
    let table = f.typology.parse::<Typology>().map(|t| t.detector().indicators()).unwrap_or(&[]);
    let declared = |i: &&Indicator| {
        table
            .iter()
            .chain(&NEAR_SUSPECT)
            .any(|s| s.name == i.name && (s.points == i.points || (s.graded && i.points <= s.points)))
    };
    f.indicators.iter().filter(|i| !declared(i)).collect()
}

/// Fills [`Finding::percentile`] and [`Finding::candidates`]: per typology, the mid-rank
/// percentile of each finding's (score, evidence) among that typology's candidates. Exact
/// counts, so the same on every run.
fn percentiles(findings: &mut [Finding]) {
    let mut keys: BTreeMap<&'static str, Vec<(u32, u32)>> = BTreeMap::new();
    for f in findings.iter() {
        keys.entry(f.typology).or_default().push((f.score, f.evidence));
    }
    for k in keys.values_mut() {
        k.sort_unstable();
    }
    for f in findings.iter_mut() {
        let k = &keys[f.typology];
        let key = (f.score, f.evidence);
        let lower = k.partition_point(|x| *x < key);
        let tied = k.partition_point(|x| *x <= key) - lower;
        let pct = 100.0 * (lower as f64 + 0.5 * tied as f64) / k.len() as f64;
        f.percentile = (pct * 10.0).round() / 10.0;
        f.candidates = u32::try_from(k.len()).unwrap_or(u32::MAX);
    }
}

/// Configures a [`Runner`] for `opts` and runs it once: for callers that run detection alone.
///
/// # Errors
/// As [`Runner::new`].
pub fn run(case: &Case, graph: &CaseGraph, opts: &RunOptions) -> Result<Vec<Finding>, PatternError> {
    Runner::new(opts)?.run(case, graph)
}

/// Configures a [`Runner`] for `opts` and runs it once with `detect` ([`Runner::run_with`]).
///
/// # Errors
/// As [`Runner::new`].
pub fn run_with(
    case: &Case,
    graph: &CaseGraph,
    opts: &RunOptions,
    detect: &(dyn Fn(&dyn Detector, &DetectCtx<'_>) -> Vec<Finding> + Sync),
) -> Result<Vec<Finding>, PatternError> {
    Runner::new(opts)?.run_with(case, graph, detect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_keep_their_text_and_errors_name_no_flag() {
        let o: ParamOverride = "fan_in.min_senders= 6".parse().unwrap();
        assert_eq!((o.typology, o.key.as_str(), o.value.as_str()), (Typology::FanIn, "min_senders", " 6"));
        assert_eq!(o.to_string(), "fan_in.min_senders= 6");
        let opts = RunOptions::parse(None, &["fan_in.min_senders= 6", "cycle.max_hops=3"]).unwrap();
        assert_eq!(opts.params_text(), "fan_in.min_senders= 6,cycle.max_hops=3");
        let err = |t: Option<&[&str]>, p: &[&str]| RunOptions::parse(t, p).unwrap_err().to_string();
        assert_eq!(err(None, &["fan_in"]), "fan_in: expected typology.key=value");
        assert_eq!(err(None, &["fan_in.x"]), "fan_in.x: expected typology.key=value");
        let known = Typology::known();
        assert_eq!(err(None, &["zz.x=1"]), format!("zz.x=1: typology 'zz' is not selected or unknown; known: {known}"));
        assert_eq!(
            err(Some(&["fan_in"]), &["cycle.max_hops=3"]),
            format!("cycle.max_hops=3: typology 'cycle' is not selected or unknown; known: {known}")
        );
        assert!(
            err(None, &["fan_in.nope=1"]).starts_with("fan_in.nope=1: unknown parameter 'nope'; known: min_senders")
        );
        assert_eq!(
            err(None, &["fan_in.min_senders=abc"]),
            "fan_in.min_senders=abc: min_senders=abc: expected usize (invalid digit found in string)"
        );
        // Names are checked before overrides.
        assert_eq!(err(Some(&["fan_in", "nope"]), &["zz"]), format!("unknown typology 'nope'; known: {known}"));
        // Built directly, the options are checked by the runner.
        let direct =
            RunOptions { typologies: Some(vec![Typology::FanIn]), params: opts.params, ..RunOptions::default() };
        assert!(Runner::new(&direct).unwrap_err().to_string().starts_with("cycle.max_hops=3: typology 'cycle'"));
    }

    #[test]
    fn overrides_reach_the_parameters_other_detectors_borrow() {
        let opts = RunOptions::parse(None, &["gather_scatter.window_days=3", "scatter_gather.rapid_hours=5"]).unwrap();
        let r = Runner::new(&opts).unwrap();
        assert_eq!((r.borrowed().gather_scatter.window_days, r.borrowed().scatter_gather.rapid_hours), (3, 5));
        // A lender that is not selected lends its defaults.
        let r = Runner::new(&RunOptions::parse(Some(&["fan_in"]), &[]).unwrap()).unwrap();
        assert_eq!(r.borrowed(), &BorrowedParams::default());
    }

    #[test]
    fn the_runner_owns_one_pool() {
        let r = Runner::new(&RunOptions { threads: 2, ..RunOptions::default() }).unwrap();
        assert_eq!(r.threads(), 2);
        assert_eq!(r.detectors().len(), Typology::ALL.len());
        // Inside `install` the caller's own parallel work runs in the same pool.
        assert_eq!(r.install(rayon::current_num_threads), 2);
        assert!(r.install(|| rayon::current_thread_index().is_some()));
    }
}
