//! The settings of an investigation, validated and typed once, before anything is loaded:
//! from command-line flags or from a file ([`Settings`] is what either gives, [`Config`] what the
//! pipeline runs with). Nothing below this point parses a string a user typed.

use crate::evidence::charts::ChartLimits;
use crate::evidence::timelines::TimelineLimits;
use crate::patterns::{self, PatternError, RunOptions, Typology};
use crate::trace::case::DEFAULT_RULES;
use crate::trace::Rule;
use crate::victims::classify::VictimParams;
use crate::victims::protect::Protection;
use crate::victims::view::Audience;

/// Settings of an investigation as a user gives them (flags, or a TOML file with these keys).
/// Every field is optional; [`Config::from_settings`] checks and types them.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `court`, `police` (alias `analyst`), `ngo` or `public`.
    pub audience: Option<Audience>,
    /// Only these typologies.
    pub typologies: Option<Vec<Typology>>,
    /// Overrides: `typology.key=value` for a detector, `victims.key=value` for the
    /// non-punishment classifier.
    #[serde(default)]
    pub params: Vec<String>,
    /// Tracing rules side by side.
    pub rules: Option<Vec<Rule>>,
    /// Largest hop count at which a finding is linked to a suspect.
    pub max_suspect_hops: Option<u32>,
    /// Most nodes on one diagram (at least 5).
    pub max_nodes: Option<usize>,
    /// Findings (top by score) that get their own diagram.
    pub finding_diagrams: Option<usize>,
    /// Draw with moneytrail's own SVG layout even when Graphviz is installed.
    #[serde(default)]
    pub no_graphviz: bool,
    /// Worker threads (0 = all cores).
    #[serde(default)]
    pub threads: usize,
}

/// Settings that are not valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A classifier override is malformed or names an unknown parameter.
    #[error("param {param}: {reason}")]
    VictimParam {
        /// The override as given.
        param: String,
        /// What is wrong.
        reason: String,
    },
    /// The detector selection or a detector override.
    #[error(transparent)]
    Patterns(#[from] PatternError),
}

/// Validated settings of a run of [`super::pipeline::run`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Who the bundle is for.
    pub audience: Audience,
    /// Detector selection and parameters.
    pub detect: RunOptions,
    /// Tracing rules side by side.
    pub rules: Vec<Rule>,
    /// Chart caps.
    pub charts: ChartLimits,
    /// Timeline caps.
    pub timeline: TimelineLimits,
    /// Findings (top by score) that get a diagram.
    pub finding_diagrams: usize,
    /// Render with Graphviz when it is installed (else the pure-Rust SVG).
    pub graphviz: bool,
    /// The case keys (pseudonyms and the sealed mapping); required outside the court audience
    /// when the case has protected persons, optional for the court (then no sealed mapping).
    pub protection: Option<Protection>,
    /// Parameters of the non-punishment classifier.
    pub victims: VictimParams,
    /// Only the findings with these ids (the workspace's selection); `None`: every finding.
    /// Recorded in the manifest's settings as `findings.selection`.
    pub selection: Option<std::collections::BTreeSet<String>>,
    /// The workspace's triage state and log head, written as `triage.csv` and recorded in the
    /// manifest's settings (`workspace.*`); `None` (no workspace log) leaves the bundle as before.
    pub workspace: Option<WorkspaceStamp>,
}

/// What a bundle exported from the workspace (`moneytrail serve`) carries of its log.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkspaceStamp {
    /// SHA-256 of the log's last entry (`moneytrail log verify CASE --head HASH` checks it).
    pub log_head_sha256: String,
    /// Number of entries in the log.
    pub log_entries: u64,
    /// Findings per status, e.g. `confirmed 3, dismissed 1, needs-information 0, new 20`.
    pub summary: String,
    /// The triage table (`triage.csv`: finding, status, analyst, time, reason, version).
    pub csv: Vec<u8>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            audience: Audience::Police,
            detect: RunOptions::default(),
            rules: DEFAULT_RULES.to_vec(),
            charts: ChartLimits::default(),
            timeline: TimelineLimits::default(),
            finding_diagrams: 10,
            graphviz: true,
            protection: None,
            victims: VictimParams::default(),
            selection: None,
            workspace: None,
        }
    }
}

impl Config {
    /// Checks and types `s`; what `s` leaves out keeps its default.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first setting that is not valid.
    pub fn from_settings(s: &Settings) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        if let Some(a) = s.audience {
            c.audience = a;
        }
        if let Some(rules) = &s.rules {
            c.rules = rules.clone();
        }
        // `victims.key=value` goes to the non-punishment classifier, the rest to the detectors.
        let (victim_params, params): (Vec<&String>, Vec<&String>) =
            s.params.iter().partition(|p| p.starts_with("victims."));
        for p in victim_params {
            let bad = |reason: String| ConfigError::VictimParam { param: p.clone(), reason };
            let (k, v) = p.split_once('=').ok_or_else(|| bad("expected victims.key=value".into()))?;
            patterns::Params::set(&mut c.victims, &k["victims.".len()..], v).map_err(bad)?;
        }
        c.detect = RunOptions {
            max_suspect_hops: s.max_suspect_hops.unwrap_or(c.detect.max_suspect_hops),
            threads: s.threads,
            ..RunOptions::select(s.typologies.clone(), &params)?
        };
        if let Some(n) = s.max_nodes {
            c.charts.max_nodes = n.max(5);
        }
        if let Some(n) = s.finding_diagrams {
            c.finding_diagrams = n;
        }
        c.graphviz = !s.no_graphviz;
        Ok(c)
    }
}
