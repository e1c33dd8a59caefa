//! Every detector, in a fixed order, and the [`Typology`] names that select them.

use super::detector::Detector;
use super::runner::PatternError;
use std::fmt;
use std::str::FromStr;

/// A laundering typology with a detector. The order of [`Typology::ALL`] is the registry's
/// order: detectors are configured, listed and run in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Typology {
    /// Many senders into one account ([`super::fan_in`]).
    FanIn,
    /// One account paying many receivers ([`super::fan_out`]).
    FanOut,
    /// A hub gathering and scattering on ([`super::gather_scatter`]).
    GatherScatter,
    /// One source, intermediaries, one destination ([`super::scatter_gather`]).
    ScatterGather,
    /// Money returning to its origin ([`super::cycle`]).
    Cycle,
    /// Rapid pass-through over several hops ([`super::layering_chain`]).
    LayeringChain,
    /// Cash deposits just below the reporting threshold ([`super::structuring`]).
    Structuring,
    /// Cash paid in across cities and passed on ([`super::funnel_account`]).
    FunnelAccount,
    /// Companies holding each other ([`super::circular_ownership`]).
    CircularOwnership,
    /// One officer directing many companies ([`super::nominee_director`]).
    NomineeDirector,
    /// A property bought after suspect inflows ([`super::property_after_inflow`]).
    PropertyAfterInflow,
    /// A property bought well below its value ([`super::undervalued_purchase`]).
    UndervaluedPurchase,
    /// Acquisitions above declared income ([`super::disproportion`]).
    Disproportion,
    /// Money round-tripping through own companies ([`super::round_tripping`]).
    RoundTripping,
    /// A company with the marks of a vehicle ([`super::shell_company`]).
    ShellCompany,
    /// A set of senders paying a set of receivers ([`super::bipartite`]).
    Bipartite,
    /// Money handed on hop by hop, no fixed shape ([`super::random_walk`]).
    RandomWalk,
}

impl Typology {
    /// Every typology, in the registry's order.
    pub const ALL: [Typology; 17] = [
        Typology::FanIn,
        Typology::FanOut,
        Typology::GatherScatter,
        Typology::ScatterGather,
        Typology::Cycle,
        Typology::LayeringChain,
        Typology::Structuring,
        Typology::FunnelAccount,
        Typology::CircularOwnership,
        Typology::NomineeDirector,
        Typology::PropertyAfterInflow,
        Typology::UndervaluedPurchase,
        Typology::Disproportion,
        Typology::RoundTripping,
        Typology::ShellCompany,
        Typology::Bipartite,
        Typology::RandomWalk,
    ];

    /// The name, as in truth/patterns.csv, `--typology` and `typology.key=value`.
    pub fn as_str(self) -> &'static str {
        match self {
            Typology::FanIn => "fan_in",
            Typology::FanOut => "fan_out",
            Typology::GatherScatter => "gather_scatter",
            Typology::ScatterGather => "scatter_gather",
            Typology::Cycle => "cycle",
            Typology::LayeringChain => "layering_chain",
            Typology::Structuring => "structuring",
            Typology::FunnelAccount => "funnel_account",
            Typology::CircularOwnership => "circular_ownership",
            Typology::NomineeDirector => "nominee_director",
            Typology::PropertyAfterInflow => "property_after_inflow",
            Typology::UndervaluedPurchase => "undervalued_purchase",
            Typology::Disproportion => "disproportion",
            Typology::RoundTripping => "round_tripping",
            Typology::ShellCompany => "shell_company",
            Typology::Bipartite => "bipartite",
            Typology::RandomWalk => "random",
        }
    }

    /// Every name, comma-separated, for messages.
    pub fn known() -> String {
        Typology::ALL.map(Typology::as_str).join(", ")
    }

    /// Its detector, with default parameters.
    pub fn detector(self) -> Box<dyn Detector> {
        use super::*;
        match self {
            Typology::FanIn => Box::new(fan_in::FanIn::default()),
            Typology::FanOut => Box::new(fan_out::FanOut::default()),
            Typology::GatherScatter => Box::new(gather_scatter::GatherScatter::default()),
            Typology::ScatterGather => Box::new(scatter_gather::ScatterGather::default()),
            Typology::Cycle => Box::new(cycle::Cycle::default()),
            Typology::LayeringChain => Box::new(layering_chain::LayeringChain::default()),
            Typology::Structuring => Box::new(structuring::Structuring::default()),
            Typology::FunnelAccount => Box::new(funnel_account::FunnelAccount::default()),
            Typology::CircularOwnership => Box::new(circular_ownership::CircularOwnership::default()),
            Typology::NomineeDirector => Box::new(nominee_director::NomineeDirector::default()),
            Typology::PropertyAfterInflow => Box::new(property_after_inflow::PropertyAfterInflow::default()),
            Typology::UndervaluedPurchase => Box::new(undervalued_purchase::UndervaluedPurchase::default()),
            Typology::Disproportion => Box::new(disproportion::Disproportion::default()),
            Typology::RoundTripping => Box::new(round_tripping::RoundTripping::default()),
            Typology::ShellCompany => Box::new(shell_company::ShellCompany::default()),
            Typology::Bipartite => Box::new(bipartite::Bipartite::default()),
            Typology::RandomWalk => Box::new(random_walk::RandomWalk::default()),
        }
    }
}

impl TryFrom<String> for Typology {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Typology, PatternError> {
        s.parse()
    }
}

impl FromStr for Typology {
    type Err = PatternError;

    /// The typology of an exact name ("fan_in"); the error lists the known names.
    fn from_str(s: &str) -> Result<Typology, PatternError> {
        Typology::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| PatternError::UnknownTypology { name: s.to_string(), known: Typology::known() })
    }
}

impl fmt::Display for Typology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every detector with default parameters, in the order of [`Typology::ALL`].
pub fn registry() -> Vec<Box<dyn Detector>> {
    Typology::ALL.into_iter().map(Typology::detector).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_each_detector_reports_its_typology() {
        for t in Typology::ALL {
            assert_eq!(t.as_str().parse::<Typology>().unwrap(), t);
            assert_eq!(t.detector().typology(), t);
            assert_eq!(t.detector().name(), t.as_str());
        }
        let e = "Fan_in".parse::<Typology>().unwrap_err().to_string();
        assert_eq!(e, format!("unknown typology 'Fan_in'; known: {}", Typology::known()));
        assert!(Typology::known().starts_with("fan_in, fan_out, gather_scatter, "));
    }
}
