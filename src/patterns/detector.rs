//! The [`Detector`] trait every typology implements, and [`DetectCtx`], what a detector sees.

use super::context::DataContext;
use super::finding::Finding;
use super::params::Params;
use super::registry::Typology;
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
    /// Finds every instance in the case.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding>;
}

/// The parts of [`Detector`] that every detector writes the same way, inside its
/// `impl Detector`: its typology, and its parameters in the field `p`.
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
    };
}
pub(crate) use detector_parts;
