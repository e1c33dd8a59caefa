//! The [`Detector`] trait every typology implements, and [`DetectCtx`], what a detector sees.

use super::budget::Gauge;
use super::context::{DataContext, Spec};
use super::finding::Finding;
use super::gather_scatter::GatherScatterParams;
use super::layering_chain::LayeringChainParams;
use super::params::Params;
use super::registry::Typology;
use super::scatter_gather::ScatterGatherParams;
use super::signals::Signals;
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
    /// The transfer baselines of the case, computed once (see [`super::signals`]).
    pub signals: &'a Signals,
    /// The configured parameters of the detectors whose rules others reuse.
    pub borrowed: &'a BorrowedParams,
    /// The detector's share of the run's row, memory and time budgets: every search that grows
    /// with an account's degree charges it, and returns early when it says the budget is spent
    /// ([`super::budget`]).
    pub budget: &'a Gauge<'a>,
}

/// Parameters that one detector reads from another's configuration, so that an override
/// reaches every use: fan-in leaves to gather-scatter the episodes that gather-scatter's rule
/// (`gather_scatter::scatter_after`) would report, and fan-out leaves out the receivers that
/// scatter-gather's rule (`scatter_gather::onward`) makes intermediaries, and the random walk
/// leaves to the layering chain the walks its rule links. The runner fills it
/// from the configured detectors ([`Detector::lend`]); a lender that is not selected lends its
/// defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BorrowedParams {
    /// The gather-scatter detector's parameters.
    pub gather_scatter: GatherScatterParams,
    /// The scatter-gather detector's parameters.
    pub scatter_gather: ScatterGatherParams,
    /// The layering-chain detector's parameters.
    pub layering_chain: LayeringChainParams,
}

/// A typology detector. Implementations are `Send + Sync`, parallelise internally with rayon
/// (inside the runner's pool) and return findings via [`Finding::finish`].
pub trait Detector: Send + Sync {
    /// The typology it detects.
    fn typology(&self) -> Typology;
    /// Typology name, as in truth/patterns.csv.
    fn name(&self) -> &'static str {
        self.typology().as_str()
    }
    /// The parameters, for listing.
    fn params(&self) -> &dyn Params;
    /// The parameters, for overriding.
    fn params_mut(&mut self) -> &mut dyn Params;
    /// Every indicator it may fire, with its points: the only place the points are written.
    fn indicators(&self) -> &'static [Spec];
    /// Copies its parameters into `to` when other detectors reuse its rule (see
    /// [`BorrowedParams`]); most detectors lend nothing.
    fn lend(&self, _to: &mut BorrowedParams) {}
    /// Finds every instance in the case.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding>;
}

/// The parts of [`Detector`] that every detector writes the same way, inside its
/// `impl Detector`: its typology, its parameters in the field `p`, and its indicator table
/// `INDICATORS`.
macro_rules! detector_parts {
    ($typology:expr) => {
        fn typology(&self) -> $crate::patterns::Typology {
            $typology
        }
        fn params(&self) -> &dyn $crate::patterns::Params {
            &self.p
        }
        fn params_mut(&mut self) -> &mut dyn $crate::patterns::Params {
            &mut self.p
        }
        fn indicators(&self) -> &'static [$crate::patterns::context::Spec] {
            INDICATORS
        }
    };
}
pub(crate) use detector_parts;
