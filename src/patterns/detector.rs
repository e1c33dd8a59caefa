//! The [`Detector`] trait every typology implements, and [`DetectCtx`], what a detector sees.

use super::context::{DataContext, Spec};
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
    /// Every indicator it may fire, with its points: the only place the points are written.
    fn indicators(&self) -> &'static [Spec];
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
            &INDICATORS
        }
    };
}
pub(crate) use detector_parts;
