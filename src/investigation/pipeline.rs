//! The main job as one function: a loaded case in, an [`Investigation`] out. Detection, the
//! non-punishment classifier and the audience's view, each suspect's family scope, network,
//! assets and traced proceeds, the finding diagrams as data, and the exhibits they cite. Plain
//! data only: no file is written and nothing is rendered (the bundle writer,
//! `export::bundle::write`, does that), so a test can call what `investigate` does and assert on
//! the result.
//!
//! Same inputs and settings give the same `Investigation`: nothing depends on the clock (the
//! stage timings aside), the machine or hash-map order.

use super::config::Config;
use crate::assets::valuation::{scope_assets, AssetRow, OwnershipModel};
use crate::evidence::chart::{Chart, Footer};
use crate::evidence::charts::{finding_chart, suspect_network, ChartCtx, SuspectNetwork};
use crate::evidence::exhibits::{ExhibitCollector, Exhibits};
use crate::graph::CaseGraph;
use crate::model::{AccountId, Case, EntityKind, EntityRef};
use crate::ownership::family::ScopeMember;
use crate::patterns::{self, Finding, PatternError, Runner};
use crate::trace::case::{trace_suspects, SuspectTrace, TraceRequest};
use crate::trace::TraceConfig;
use crate::victims::classify::{annotate_findings, Status};
use crate::victims::protect::{mapping, ProtectError};
use crate::victims::view::{prepare, Audience, NeedsKey, Prepared};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Errors that stop the pipeline. Tracing or ownership problems do not: they become notes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// Detector configuration.
    #[error(transparent)]
    Patterns(#[from] PatternError),
    /// A non-court bundle of a case with protected persons, without the case key.
    #[error(transparent)]
    NeedsKey(#[from] NeedsKey),
    /// Sealing the pseudonym mapping.
    #[error("sealing the pseudonym mapping: {0}")]
    Seal(#[from] ProtectError),
    /// Writing the pseudonym mapping as CSV before sealing it.
    #[error("writing the pseudonym mapping: {0}")]
    Csv(#[from] csv::Error),
}

/// One suspect's part of the investigation.
pub struct SuspectSection {
    /// The suspect.
    pub suspect: EntityRef,
    /// Row in `Case::suspects`.
    pub row: usize,
    /// Family scope.
    pub scope: Vec<ScopeMember>,
    /// Network chart and its accounts and transfers.
    pub network: SuspectNetwork,
    /// Properties in scope with values.
    pub assets: Vec<AssetRow>,
    /// Tracing figures (absent when tracing failed or there were no inflows).
    pub trace: Option<SuspectTrace>,
}

/// The diagram of one finding, as data.
pub struct FindingChart {
    /// Index into [`Investigation::findings`].
    pub finding: usize,
    /// The chart.
    pub chart: Chart,
}

/// One listed or probable victim, as the audience may see them (pseudonymised outside the court).
pub struct VictimRow {
    /// Person id (or pseudonym).
    pub id: String,
    /// Name (or pseudonym).
    pub name: String,
    /// `listed` or `probable`.
    pub status: &'static str,
    /// Minor at the time of the transfers.
    pub minor: bool,
    /// Classifier score.
    pub score: String,
    /// Reasons with weights.
    pub reasons: String,
}

/// A detector or classifier parameter as the run used it, for the methodology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunParam {
    /// `fan_in`, ..., or `victims`.
    pub owner: &'static str,
    /// The parameter, its value and its documentation.
    pub param: patterns::ParamDoc,
}

/// The court bundle's sealed pseudonym mapping.
pub struct SealedMapping {
    /// Path inside the bundle.
    pub path: String,
    /// The sealed bytes.
    pub bytes: Vec<u8>,
}

/// The wall time of one stage.
#[derive(Clone, Debug)]
pub struct Timing {
    /// Stage name.
    pub stage: &'static str,
    /// Wall time.
    pub took: Duration,
}

/// Everything an investigation found, as plain data.
pub struct Investigation<'a> {
    real: &'a Case,
    prepared: Prepared,
    /// The graphs of the case (the real case: row order is the same in the view).
    pub graph: CaseGraph,
    /// Findings, ranked; victim annotations added, free text scrubbed for the audience.
    pub findings: Vec<Finding>,
    /// Per suspect (listed victims never among them).
    pub suspects: Vec<SuspectSection>,
    /// Diagrams of the top findings.
    pub finding_charts: Vec<FindingChart>,
    /// Findings (indices) that get a timeline of their own.
    pub timeline_targets: Vec<usize>,
    /// Every cited source row, numbered.
    pub exhibits: Exhibits,
    /// Footer lines of every diagram.
    pub footer: Footer,
    /// Settings, for the methodology and the manifest.
    pub settings: BTreeMap<String, String>,
    /// Detector and classifier parameters.
    pub detector_params: Vec<RunParam>,
    /// Notes about the run (problems met), not yet scrubbed: see [`Investigation::scrub`].
    pub notes: Vec<String>,
    /// Notes about the protection of persons in this bundle (after the renderer's notes).
    pub protection_notes: Vec<String>,
    /// Input-manifest hash.
    pub input_hash: String,
    /// Audience.
    pub audience: Audience,
    /// Listed and probable victims, as the audience may see them.
    pub victims: Vec<VictimRow>,
    /// Protected persons pseudonymised in this bundle (0 for the court).
    pub pseudonymised: usize,
    /// The sealed pseudonym mapping (court bundles with a key).
    pub sealed: Option<SealedMapping>,
    /// Wall time per stage.
    pub timings: Vec<Timing>,
    /// Timeline caps (for the renderer).
    pub timeline_limits: crate::evidence::timelines::TimelineLimits,
    /// Render with Graphviz when it is installed.
    pub graphviz: bool,
    /// The workspace's triage table (`triage.csv`), when the bundle is exported from it.
    pub triage_csv: Option<Vec<u8>>,
}

impl<'a> Investigation<'a> {
    /// The case as the audience may see it: pseudonymised outside the court.
    pub fn case(&self) -> &Case {
        self.prepared.view(self.real)
    }

    /// The classifier's result and the audience's redaction.
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Free text computed from the real case, scrubbed for the audience.
    pub fn scrub(&self, s: &str) -> String {
        self.prepared.scrub(s).into_owned()
    }
}

/// Runs the investigation of `real` (loaded and resolved) with `config`, inside the detector
/// runner's thread pool.
///
/// # Errors
/// Detector configuration, a missing case key outside the court, or a failure to seal the
/// pseudonym mapping.
pub fn run<'a>(real: &'a Case, config: &Config) -> Result<Investigation<'a>, PipelineError> {
    let runner = Runner::new(&config.detect)?;
    runner.install(|| run_in_pool(&runner, real, config))
}

struct Clock {
    t: Instant,
    timings: Vec<Timing>,
}

/// The stages [`Clock::lap`] closes, in order (for the progress report).
const STAGES: [&str; 6] = ["graph", "detect", "victims", "networks and valuation", "trace", "charts and exhibits"];

impl Clock {
    fn lap(&mut self, stage: &'static str) {
        self.timings.push(Timing { stage, took: self.t.elapsed() });
        self.t = Instant::now();
        crate::progress::advance(1);
        crate::progress::note(STAGES.get(self.timings.len()).copied().unwrap_or(""));
    }
}

fn run_in_pool<'a>(runner: &Runner, real: &'a Case, config: &Config) -> Result<Investigation<'a>, PipelineError> {
    let mut clock = Clock { t: Instant::now(), timings: Vec::new() };
    let _progress = crate::progress::stage("investigate", Some(STAGES.len() as u64), crate::progress::Unit::Steps);
    crate::progress::note(STAGES[0]);
    let detectors = runner.detectors();
    // Detection and classification read the real case; everything shown reads the audience's
    // view (pseudonymised outside the court). Row order is the same in both, so the dense
    // indices of findings stay valid.
    let graph = CaseGraph::build(real);
    clock.lap("graph");
    let ranked = runner.run_ranked(real, &graph)?;
    let candidates = ranked.findings.len() + ranked.below;
    let mut findings = ranked.findings;
    if let Some(sel) = &config.selection {
        findings.retain(|f| sel.contains(&f.id));
    }
    clock.lap("detect");
    let prepared = prepare(real, &graph.flow, config.audience, config.protection.as_ref(), &config.victims)?;
    annotate_findings(real, &mut findings, &prepared.assessed);
    if prepared.redaction.is_some() {
        for f in findings.iter_mut() {
            for i in f.indicators.iter_mut() {
                i.detail = prepared.scrub(&i.detail).into_owned();
            }
        }
    }
    clock.lap("victims");
    let case = prepared.view(real);
    let mut notes = Vec::new();
    let model = OwnershipModel::build(case);
    if let Some(p) = &model.problem {
        notes.push(p.clone());
    }
    let cx = ChartCtx::new(case, &graph.flow);
    let mut col = ExhibitCollector::default();
    let suspects = suspects_to_present(case, &mut notes);
    let mut sections = Vec::new();
    let mut requests = Vec::new();
    for &(row, s) in &suspects {
        let scope = if s.kind == EntityKind::Person { model.scope(s.idx) } else { Vec::new() };
        let persons: Vec<u32> = scope.iter().map(|m| m.person).collect();
        let network = suspect_network(&cx, s, &persons, &config.charts, &mut col);
        let assets = scope_assets(case, &model, s, &scope);
        for a in &assets {
            for &p in &a.provs {
                col.cite(p, || format!("property {}", case.properties.rows[a.property as usize].id));
            }
        }
        let own: Vec<AccountId> = (0..case.accounts.len() as u32)
            .map(AccountId::from_raw)
            .filter(|&a| case.account_row(a).holder == Some(s))
            .collect();
        requests.push(TraceRequest {
            suspect: s,
            own_accounts: own,
            scope_accounts: AccountId::from_raws(&network.accounts).collect(),
            since: case.suspects.rows[row].since.map_or(i64::MIN, |d| d.start().0),
        });
        sections.push(SuspectSection { suspect: s, row, scope, network, assets, trace: None });
    }
    clock.lap("networks and valuation");
    notes.extend(crate::trace::case::unknown_base_note(case));
    // "Top N of M" (issue 21): how many ranked candidates the cut (--top / --min-score) left out.
    notes.push(format!(
        "Findings: the top {} of {candidates} ranked candidates are listed; {} lie below the cut. {}",
        findings.len(),
        candidates - findings.len(),
        crate::patterns::RANKING_BASIS
    ));
    match trace_suspects(case, &graph.flow, &requests, &config.rules, &TraceConfig::default()) {
        Ok(traces) => {
            for (sec, tr) in sections.iter_mut().zip(traces) {
                sec.trace = Some(tr);
            }
        }
        Err(e) => notes.push(format!("tracing failed: {e}")),
    }
    clock.lap("trace");
    let finding_charts: Vec<FindingChart> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| config.audience.all_findings() || f.suspect.is_some())
        .map(|(i, _)| i)
        .take(config.finding_diagrams)
        .map(|i| FindingChart { finding: i, chart: finding_chart(&cx, &findings[i], &config.charts, &mut col) })
        .collect();
    let timeline_targets = crate::evidence::timelines::targets(&findings);
    crate::evidence::timelines::cite(case, &findings, &timeline_targets, &mut col);
    let exhibits = col.finish(case);
    let input_hash = crate::model::input_manifest_hash(&case.files);
    let footer = footer(case, config, detectors, &input_hash);
    let (protection_notes, pseudonymised, sealed) = protection(real, &prepared, config)?;
    let victims = victim_rows(case, &prepared);
    let detector_params = detector_params(detectors, config);
    clock.lap("charts and exhibits");
    Ok(Investigation {
        real,
        graph,
        findings,
        suspects: sections,
        finding_charts,
        timeline_targets,
        exhibits,
        footer,
        settings: settings(case, config),
        detector_params,
        notes,
        protection_notes,
        input_hash,
        audience: config.audience,
        victims,
        pseudonymised,
        sealed,
        timings: clock.timings,
        timeline_limits: config.timeline.clone(),
        graphviz: config.graphviz,
        triage_csv: config.workspace.as_ref().map(|w| w.csv.clone()),
        prepared,
    })
}

/// The suspects the report presents, in id order, once each. A listed victim who is also on the
/// suspects list is presented as a victim, not as a suspect (non-punishment principle, issue 9);
/// the analyst is told to review the list.
fn suspects_to_present(case: &Case, notes: &mut Vec<String>) -> Vec<(usize, EntityRef)> {
    let mut suspects: Vec<(usize, EntityRef)> =
        case.suspects.rows.iter().enumerate().map(|(i, s)| (i, s.entity)).collect();
    suspects.sort_by(|a, b| case.entity_id(a.1).cmp(case.entity_id(b.1)).then(a.0.cmp(&b.0)));
    suspects.dedup_by_key(|x| x.1);
    suspects.retain(|&(_, s)| {
        let victim = case.victims.rows.iter().any(|v| v.entity == s);
        if victim {
            notes.push(format!(
                "{} is on both the suspects and the victims lists: presented as a victim only (non-punishment \
                 principle); review the suspects list.",
                case.entity_id(s)
            ));
        }
        !victim
    });
    suspects
}

fn footer(case: &Case, config: &Config, detectors: &[Box<dyn patterns::Detector>], input_hash: &str) -> Footer {
    let rules: Vec<String> = config.rules.iter().map(|r| r.to_string()).collect();
    Footer {
        lines: vec![
            format!(
                "Case: {} · moneytrail {} · valuation date {}",
                case.meta.name,
                env!("CARGO_PKG_VERSION"),
                case.meta.valuation_date
            ),
            format!(
                "Detectors: {} · tracing rules: {} · parameters: see report methodology",
                detectors.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "),
                rules.join(", ")
            ),
            format!("Input manifest SHA-256: {input_hash}"),
        ],
    }
}

/// The settings recorded in the methodology and the manifest (the renderer adds its own).
fn settings(case: &Case, c: &Config) -> BTreeMap<String, String> {
    let mut s = BTreeMap::new();
    let rules: Vec<String> = c.rules.iter().map(|r| r.to_string()).collect();
    s.insert("audience".into(), c.audience.as_str().into());
    s.insert("trace.rules".into(), rules.join(","));
    s.insert("trace.scale".into(), "2".into());
    s.insert("trace.opening".into(), "minimal-clean".into());
    s.insert("trace.sources".into(), "credits to accounts held by the suspect since the suspicion date".into());
    s.insert("valuation.date".into(), case.meta.valuation_date.to_string());
    s.insert("valuation.family_scope".into(), "spouse, child, parent, sibling, cohabitant; depth 1".into());
    s.insert("charts.max_nodes".into(), c.charts.max_nodes.to_string());
    s.insert("charts.max_counterparties".into(), c.charts.max_counterparties.to_string());
    s.insert("timeline.max_lanes".into(), c.timeline.max_lanes.to_string());
    s.insert("timeline.max_arrows".into(), c.timeline.max_arrows.to_string());
    s.insert("finding_diagrams".into(), c.finding_diagrams.to_string());
    s.insert("detect.max_suspect_hops".into(), c.detect.max_suspect_hops.to_string());
    s.insert("detect.params".into(), c.detect.params_text());
    if let Some(sel) = &c.selection {
        s.insert("findings.selection".into(), sel.iter().cloned().collect::<Vec<_>>().join(","));
    }
    if let Some(ws) = &c.workspace {
        s.insert("workspace.log_head_sha256".into(), ws.log_head_sha256.clone());
        s.insert("workspace.log_entries".into(), ws.log_entries.to_string());
        s.insert("workspace.triage".into(), format!("triage.csv: {}", ws.summary));
    }
    s
}

/// Notes on the protection of persons, the count of pseudonymised persons, and (for the court,
/// with a key) the sealed pseudonym mapping.
fn protection(
    real: &Case,
    prepared: &Prepared,
    config: &Config,
) -> Result<(Vec<String>, usize, Option<SealedMapping>), PipelineError> {
    let mut notes = Vec::new();
    let pseudonymised = if prepared.redaction.is_some() { prepared.set.persons.len() } else { 0 };
    if pseudonymised > 0 {
        notes.push(format!(
            "{pseudonymised} protected persons (listed and probable victims, minors) are pseudonymised for the {} \
             audience; the court bundle holds the sealed mapping.",
            config.audience.as_str()
        ));
    }
    let mut sealed = None;
    if config.audience.identities_in_clear() {
        if let Some(key) = &config.protection {
            let plain = crate::victims::seal::mapping_csv(&mapping(real, &prepared.set, key))?;
            let bytes = crate::victims::seal::seal(key, &plain)?;
            sealed = Some(SealedMapping { path: "sealed/identities.mtseal".into(), bytes });
        } else if !prepared.set.persons.is_empty() {
            notes.push(
                "No case passphrase was given: the sealed pseudonym mapping was not written, so pseudonyms in \
                 other bundles of this case cannot be resolved from this bundle."
                    .into(),
            );
        }
    }
    Ok((notes, pseudonymised, sealed))
}

fn victim_rows(case: &Case, prepared: &Prepared) -> Vec<VictimRow> {
    prepared
        .assessed
        .iter()
        .filter(|a| a.status != Status::NotFlagged)
        .map(|a| {
            let p = &case.persons.rows[a.person.ix()];
            VictimRow {
                id: p.id.clone(),
                name: p.full_name.clone(),
                status: a.status.as_str(),
                minor: a.minor,
                score: a.score.to_string(),
                reasons: prepared.scrub(&a.explanation()).into_owned(),
            }
        })
        .collect()
}

fn detector_params(detectors: &[Box<dyn patterns::Detector>], config: &Config) -> Vec<RunParam> {
    let mut v = Vec::new();
    for d in detectors {
        v.extend(d.params().describe().into_iter().map(|param| RunParam { owner: d.name(), param }));
    }
    let victims = crate::patterns::Params::describe(&config.victims);
    v.extend(victims.into_iter().map(|param| RunParam { owner: "victims", param }));
    v
}
