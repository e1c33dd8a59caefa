//! `investigate`, the main job: ingest result -> detect -> trace -> value -> charts, timelines,
//! tables, report.html and manifest.json in one folder. Same inputs and version give the same
//! bytes: nothing depends on the clock, the machine, the output path or hash-map order.

use super::chart::Footer;
use super::charts::{finding_chart, suspect_network, ChartCtx, ChartLimits, SuspectNetwork};
use super::csv_safe;
use super::dot::{self, Rendering};
use super::escape::file_stem;
use super::exhibits::{full_list, ExhibitCollector, Exhibits};
use super::manifest::{input_manifest_hash, BundleManifest, BundleWriter};
use super::timeline::{timeline_svg, TimelineLimits};
use super::tracing::{trace_suspects, SuspectTrace, TraceRequest, DEFAULT_RULES};
use super::valuation::{scope_assets, AssetRow, OwnershipModel};
use crate::assets::family::ScopeMember;
use crate::graph::CaseGraph;
use crate::model::{Case, EntityKind, EntityRef};
use crate::patterns::{self, Finding, PatternError, RunOptions};
use crate::trace::{Rule, TraceConfig};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

pub use super::audience::Audience;
use super::audience::{prepare, NeedsKey};
use crate::victims::classify::{annotate_findings, Status, VictimParams};
use crate::victims::protect::{mapping, ProtectError, Protection};

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct InvestigateOptions {
    /// Audience.
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

/// What a bundle exported from the workspace carries of its log (see `crate::workspace`).
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

impl Default for InvestigateOptions {
    fn default() -> Self {
        InvestigateOptions {
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

/// Errors that stop `investigate`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvestigateError {
    /// Detector configuration.
    #[error(transparent)]
    Patterns(#[from] PatternError),
    /// Writing the bundle.
    #[error("writing the bundle: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV file.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A non-court bundle of a case with protected persons, without the case key.
    #[error(transparent)]
    NeedsKey(#[from] NeedsKey),
    /// Sealing the pseudonym mapping.
    #[error("sealing the pseudonym mapping: {0}")]
    Seal(#[from] ProtectError),
}

/// One suspect's part of the report.
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
    /// Network diagram SVG (inline-ready) and timeline SVG.
    pub network_svg: String,
    /// Timeline SVG.
    pub timeline_svg: String,
    /// Files written for this suspect.
    pub files: Vec<String>,
}

/// A finding diagram.
pub struct FindingDiagram {
    /// Index into the findings.
    pub finding: usize,
    /// SVG, inline-ready.
    pub svg: String,
    /// Files written.
    pub files: Vec<String>,
}

/// Everything the report shows.
pub struct Investigation<'a> {
    /// The case.
    pub case: &'a Case,
    /// Findings, ranked.
    pub findings: Vec<Finding>,
    /// Per suspect.
    pub suspects: Vec<SuspectSection>,
    /// Finding diagrams.
    pub diagrams: Vec<FindingDiagram>,
    /// Exhibits.
    pub exhibits: Exhibits,
    /// Footer lines.
    pub footer: Footer,
    /// Settings, for the methodology and the manifest.
    pub settings: BTreeMap<String, String>,
    /// Detector parameters: (typology, key, value, doc).
    pub detector_params: Vec<(String, String, String, String)>,
    /// Notes about the run (renderer, problems met).
    pub notes: Vec<String>,
    /// Input-manifest hash.
    pub input_hash: String,
    /// Audience.
    pub audience: Audience,
    /// Listed and probable victims, as the audience may see them.
    pub victims: Vec<VictimRow>,
    /// Protected persons pseudonymised in this bundle (0 for the court).
    pub pseudonymised: usize,
    /// Path of the sealed pseudonym mapping inside the bundle (court bundles with a key).
    pub sealed: Option<String>,
}

/// One listed or probable victim in the report (pseudonymised outside the court).
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

/// What the CLI reports.
#[derive(Debug)]
pub struct Summary {
    /// Findings.
    pub findings: usize,
    /// Suspects.
    pub suspects: usize,
    /// Files written (manifest excluded).
    pub outputs: usize,
    /// SHA-256 of manifest.json.
    pub manifest_sha256: String,
    /// Notes for the analyst (renderer, problems met).
    pub notes: Vec<String>,
    /// Wall time per stage.
    pub timings: Vec<(&'static str, Duration)>,
}

fn settings(case: &Case, opts: &InvestigateOptions, graphviz: bool) -> BTreeMap<String, String> {
    let mut s = BTreeMap::new();
    let rules: Vec<String> = opts.rules.iter().map(|r| r.to_string()).collect();
    s.insert("audience".into(), opts.audience.as_str().into());
    s.insert("trace.rules".into(), rules.join(","));
    s.insert("trace.scale".into(), "2".into());
    s.insert("trace.opening".into(), "minimal-clean".into());
    s.insert("trace.sources".into(), "credits to accounts held by the suspect since the suspicion date".into());
    s.insert("valuation.date".into(), case.meta.valuation_date.to_string());
    s.insert("valuation.family_scope".into(), "spouse, child, parent, sibling, cohabitant; depth 1".into());
    s.insert("charts.max_nodes".into(), opts.charts.max_nodes.to_string());
    s.insert("charts.max_counterparties".into(), opts.charts.max_counterparties.to_string());
    s.insert("timeline.max_lanes".into(), opts.timeline.max_lanes.to_string());
    s.insert("timeline.max_arrows".into(), opts.timeline.max_arrows.to_string());
    s.insert("finding_diagrams".into(), opts.finding_diagrams.to_string());
    s.insert("detect.max_suspect_hops".into(), opts.detect.max_suspect_hops.to_string());
    s.insert("detect.params".into(), opts.detect.params.join(","));
    s.insert("renderer".into(), if graphviz { "graphviz dot".into() } else { "moneytrail pure-Rust SVG".into() });
    if let Some(sel) = &opts.selection {
        s.insert("findings.selection".into(), sel.iter().cloned().collect::<Vec<_>>().join(","));
    }
    if let Some(ws) = &opts.workspace {
        s.insert("workspace.log_head_sha256".into(), ws.log_head_sha256.clone());
        s.insert("workspace.log_entries".into(), ws.log_entries.to_string());
        s.insert("workspace.triage".into(), format!("triage.csv: {}", ws.summary));
    }
    s
}

/// Renders one chart to files; returns the inline SVG.
#[allow(clippy::too_many_arguments)] // a private helper called twice; a struct would only rename the list
fn render_chart(
    w: &mut BundleWriter,
    chart: &super::chart::Chart,
    stem: &str,
    ex: &Exhibits,
    footer: &Footer,
    graphviz: bool,
    all_formats: bool,
    pdf_date: &str,
    notes: &mut Vec<String>,
    files: &mut Vec<String>,
) -> std::io::Result<String> {
    let dot_src = dot::to_dot(chart, ex, footer);
    let rel = format!("diagrams/{stem}.dot");
    w.write(&rel, dot_src.as_bytes())?;
    files.push(rel);
    if graphviz {
        match dot::render(&dot_src, Rendering::Svg, pdf_date) {
            Ok(svg) => {
                let rel = format!("diagrams/{stem}.svg");
                w.write(&rel, &svg)?;
                files.push(rel);
                if all_formats {
                    for (f, ext) in [(Rendering::Png, "png"), (Rendering::Pdf, "pdf")] {
                        match dot::render(&dot_src, f, pdf_date) {
                            Ok(b) => {
                                let rel = format!("diagrams/{stem}.{ext}");
                                w.write(&rel, &b)?;
                                files.push(rel);
                            }
                            Err(e) => notes.push(format!("{stem}.{ext} not rendered: {e}")),
                        }
                    }
                }
                return Ok(dot::inline_svg(&String::from_utf8_lossy(&svg)).to_string());
            }
            Err(e) => notes.push(format!("Graphviz failed on {stem} ({e}); the pure-Rust SVG is used")),
        }
    }
    let svg = super::svg::to_svg(chart, ex, footer);
    let rel = format!("diagrams/{stem}.svg");
    w.write(&rel, svg.as_bytes())?;
    files.push(rel);
    Ok(svg)
}

/// Runs the whole job on a loaded case and writes the bundle into `out`.
///
/// # Errors
/// Detector configuration errors and I/O errors. Tracing or ownership problems do not stop the
/// run: they become notes in the report.
pub fn investigate(real: &Case, out: &Path, opts: &InvestigateOptions) -> Result<Summary, InvestigateError> {
    let mut timings = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, t: &mut Instant| {
        timings.push((name, t.elapsed()));
        *t = Instant::now();
    };
    let detectors = patterns::configure(&opts.detect)?;
    // Detection and classification read the real case; everything written reads `case`, the
    // audience's view (pseudonymised outside the court). Row order is the same in both, so the
    // dense indices of findings stay valid.
    let graph = CaseGraph::build(real);
    lap("graph", &mut t);
    let mut findings = patterns::run(real, &graph, &opts.detect)?;
    if let Some(sel) = &opts.selection {
        findings.retain(|f| sel.contains(&f.id));
    }
    lap("detect", &mut t);
    let prepared = prepare(real, &graph.flow, opts.audience, opts.protection.as_ref(), &opts.victims)?;
    annotate_findings(real, &mut findings, &prepared.assessed);
    let case = prepared.view(real);
    if prepared.redaction.is_some() {
        for f in findings.iter_mut() {
            for i in f.indicators.iter_mut() {
                i.detail = prepared.scrub(&i.detail).into_owned();
            }
        }
    }
    lap("victims", &mut t);
    let graphviz = opts.graphviz && dot::graphviz_available();
    let mut notes = Vec::new();
    if !graphviz {
        notes.push(
            "Diagrams drawn by moneytrail's own layout. For Graphviz rendering (SVG, PNG, PDF) install Graphviz \
             (Debian/Ubuntu: apt-get install graphviz) and run again; the .dot files can also be rendered with \
             `dot -Tpdf file.dot -o file.pdf`."
                .into(),
        );
    }
    let model = OwnershipModel::build(case);
    if let Some(p) = &model.problem {
        notes.push(p.clone());
    }
    let cx = ChartCtx::new(case, &graph.flow);
    let mut col = ExhibitCollector::default();
    let mut suspects: Vec<(usize, EntityRef)> =
        case.suspects.rows.iter().enumerate().map(|(i, s)| (i, s.entity)).collect();
    suspects.sort_by(|a, b| case.entity_id(a.1).cmp(case.entity_id(b.1)).then(a.0.cmp(&b.0)));
    suspects.dedup_by_key(|x| x.1);
    // A listed victim who is also on the suspects list is presented as a victim, not as a
    // suspect (non-punishment principle, issue 9); the analyst is told to review the list.
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
    let mut sections = Vec::new();
    let mut requests = Vec::new();
    for &(row, s) in &suspects {
        let scope = if s.kind == EntityKind::Person { model.scope(s.idx) } else { Vec::new() };
        let persons: Vec<u32> = scope.iter().map(|m| m.person).collect();
        let network = suspect_network(&cx, s, &persons, &opts.charts, &mut col);
        let assets = scope_assets(case, &model, s, &scope);
        for a in &assets {
            for &p in &a.provs {
                col.cite(p, || format!("property {}", case.properties.rows[a.property as usize].id));
            }
        }
        let own: Vec<u32> =
            (0..case.accounts.len() as u32).filter(|&a| case.accounts.rows[a as usize].holder == Some(s)).collect();
        requests.push(TraceRequest {
            suspect: s,
            own_accounts: own,
            scope_accounts: network.accounts.clone(),
            since: case.suspects.rows[row].since.map_or(i64::MIN, |d| d.start().0),
        });
        sections.push(SuspectSection {
            suspect: s,
            row,
            scope,
            network,
            assets,
            trace: None,
            network_svg: String::new(),
            timeline_svg: String::new(),
            files: Vec::new(),
        });
    }
    lap("networks and valuation", &mut t);
    match trace_suspects(case, &graph.flow, &requests, &opts.rules, &TraceConfig::default()) {
        Ok(traces) => {
            for (sec, tr) in sections.iter_mut().zip(traces) {
                sec.trace = Some(tr);
            }
        }
        Err(e) => notes.push(format!("tracing failed: {e}")),
    }
    lap("trace", &mut t);
    let chosen: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| opts.audience.all_findings() || f.suspect.is_some())
        .map(|(i, _)| i)
        .take(opts.finding_diagrams)
        .collect();
    let finding_charts: Vec<(usize, super::chart::Chart)> =
        chosen.iter().map(|&i| (i, finding_chart(&cx, &findings[i], &opts.charts, &mut col))).collect();
    let timeline_targets = super::finding_timelines::targets(&findings);
    super::finding_timelines::cite(case, &findings, &timeline_targets, &mut col);
    let exhibits = col.finish(case);
    let input_hash = input_manifest_hash(case);
    let settings = settings(case, opts, graphviz);
    let rules: Vec<String> = opts.rules.iter().map(|r| r.to_string()).collect();
    let footer = Footer {
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
    };
    let mut w = BundleWriter::new(out)?;
    let pdf_date = case.meta.valuation_date.to_string().replace('-', "");
    for (k, sec) in sections.iter_mut().enumerate() {
        let stem = format!("suspect-{:02}-{}", k + 1, file_stem(case.entity_id(sec.suspect)));
        sec.network_svg = render_chart(
            &mut w,
            &sec.network.chart,
            &stem,
            &exhibits,
            &footer,
            graphviz,
            true,
            &pdf_date,
            &mut notes,
            &mut sec.files,
        )?;
        let title =
            format!("Timeline of the accounts of {} ({})", case.entity_name(sec.suspect), case.entity_id(sec.suspect));
        let tl = timeline_svg(
            case,
            &graph.flow,
            &title,
            &sec.network.accounts,
            &sec.network.txns,
            &exhibits,
            &footer,
            &opts.timeline,
        );
        let rel = format!("diagrams/timeline-{:02}-{}.svg", k + 1, file_stem(case.entity_id(sec.suspect)));
        w.write(&rel, tl.as_bytes())?;
        sec.files.push(rel);
        sec.timeline_svg = tl;
    }
    let mut diagrams = Vec::new();
    for (rank, (i, chart)) in finding_charts.iter().enumerate() {
        let stem = format!("finding-{:02}-{}", rank + 1, file_stem(&findings[*i].id));
        let mut files = Vec::new();
        let svg =
            render_chart(&mut w, chart, &stem, &exhibits, &footer, graphviz, false, &pdf_date, &mut notes, &mut files)?;
        diagrams.push(FindingDiagram { finding: *i, svg, files });
    }
    super::finding_timelines::write_all(&mut w, case, &graph.flow, &findings, &timeline_targets, &exhibits, &footer)?;
    lap("diagrams", &mut t);
    let mut buf = Vec::new();
    super::findings::write_csv(case, &findings, &mut buf)?;
    w.write("findings.csv", &buf)?;
    let mut buf = Vec::new();
    exhibits.write_csv(&mut buf)?;
    w.write("exhibits.csv", &buf)?;
    w.write("assets.csv", &assets_csv(case, &sections, &exhibits)?)?;
    w.write("tracing.csv", &tracing_csv(case, &sections)?)?;
    let charts = sections.iter().map(|s| &s.network.chart).chain(finding_charts.iter().map(|(_, c)| c));
    w.write("entities.csv", &entities_csv(charts)?)?;
    if !case.inferred_links.is_empty() {
        w.write("identities.csv", &identities_csv(case)?)?;
    }
    w.write("probable_victims.csv", &super::victims::write_csv(case, &prepared)?)?;
    if let Some(ws) = &opts.workspace {
        w.write("triage.csv", &ws.csv)?;
    }
    let pseudonymised = if prepared.redaction.is_some() { prepared.set.persons.len() } else { 0 };
    if pseudonymised > 0 {
        notes.push(format!(
            "{pseudonymised} protected persons (listed and probable victims, minors) are pseudonymised for the {} \
             audience; the court bundle holds the sealed mapping.",
            opts.audience.as_str()
        ));
    }
    let mut sealed = None;
    if opts.audience.identities_in_clear() {
        if let Some(key) = &opts.protection {
            let plain = crate::victims::seal::mapping_csv(&mapping(real, &prepared.set, key))?;
            let rel = "sealed/identities.mtseal".to_string();
            w.write(&rel, &crate::victims::seal::seal(key, &plain)?)?;
            sealed = Some(rel);
        } else if !prepared.set.persons.is_empty() {
            notes.push(
                "No case passphrase was given: the sealed pseudonym mapping was not written, so pseudonyms in \
                 other bundles of this case cannot be resolved from this bundle."
                    .into(),
            );
        }
    }
    let notes: Vec<String> = notes.iter().map(|n| prepared.scrub(n).into_owned()).collect();
    let victims: Vec<VictimRow> = prepared
        .assessed
        .iter()
        .filter(|a| a.status != Status::NotFlagged)
        .map(|a| {
            let p = &case.persons.rows[a.person as usize];
            VictimRow {
                id: p.id.clone(),
                name: p.full_name.clone(),
                status: a.status.as_str(),
                minor: a.minor,
                score: a.score.to_string(),
                reasons: prepared.scrub(&a.explanation()).into_owned(),
            }
        })
        .collect();
    let detector_params = {
        let mut v = Vec::new();
        for mut d in detectors {
            let name = d.name().to_string();
            for (k, val, doc) in d.params().describe() {
                v.push((name.clone(), k.to_string(), val, doc.to_string()));
            }
        }
        for (k, val, doc) in crate::patterns::Params::describe(&opts.victims) {
            v.push(("victims".to_string(), k.to_string(), val, doc.to_string()));
        }
        v
    };
    let inv = Investigation {
        case,
        findings,
        suspects: sections,
        diagrams,
        exhibits,
        footer,
        settings: settings.clone(),
        detector_params,
        notes: notes.clone(),
        input_hash: input_hash.clone(),
        audience: opts.audience,
        victims,
        pseudonymised,
        sealed,
    };
    let html = super::report::render(&inv, &w.outputs());
    w.write("report.html", html.as_bytes())?;
    let outputs = w.outputs().len();
    let manifest = BundleManifest {
        tool: "moneytrail".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        case_name: case.meta.name.clone(),
        input_manifest_sha256: input_hash,
        settings,
        inputs: case.files.clone(),
        outputs: Vec::new(),
    };
    let manifest_sha256 = w.finish(manifest)?;
    lap("tables, report, manifest", &mut t);
    Ok(Summary { findings: inv.findings.len(), suspects: inv.suspects.len(), outputs, manifest_sha256, notes, timings })
}

fn dec(d: Option<rust_decimal::Decimal>) -> String {
    d.map(|d| d.round_dp(2).to_string()).unwrap_or_default()
}

fn assets_csv(case: &Case, sections: &[SuspectSection], ex: &Exhibits) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "suspect_id",
        "property_id",
        "kind",
        "city",
        "holders",
        "share",
        "basis",
        "gross_value",
        "encumbrances",
        "net_value",
        "attributable",
        "currency",
        "controlled_only",
        "note",
        "exhibits",
    ])?;
    for s in sections {
        for a in &s.assets {
            let p = &case.properties.rows[a.property as usize];
            let cells = [
                case.entity_id(s.suspect).to_string(),
                p.id.clone(),
                p.kind.clone().unwrap_or_default(),
                p.city.clone().unwrap_or_default(),
                a.holders.join("; "),
                a.share.round_dp(6).normalize().to_string(),
                a.basis.as_str().to_string(),
                dec(a.gross),
                dec(Some(a.encumbrances)),
                dec(a.net),
                dec(a.attributable),
                case.meta.base_currency.to_string(),
                a.controlled_only.to_string(),
                a.note.clone(),
                full_list(&ex.numbers(&a.provs)),
            ];
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            csv_safe::write_record(&mut w, &refs)?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Every entity drawn on a chart, once: key, class, name, detail (a table for spreadsheets).
fn entities_csv<'c>(charts: impl Iterator<Item = &'c super::chart::Chart>) -> Result<Vec<u8>, csv::Error> {
    let mut all: BTreeMap<String, (&'static str, String, String)> = BTreeMap::new();
    for c in charts {
        for n in &c.nodes {
            all.entry(n.key.clone()).or_insert((n.class.name(), n.title.clone(), n.detail.clone()));
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["key", "class", "name", "detail"])?;
    for (k, (class, name, detail)) in &all {
        csv_safe::write_record(&mut w, &[k, class, name, detail])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Records folded into another record's entity by entity resolution, with their evidence.
fn identities_csv(case: &Case) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "record_id",
        "as_written",
        "source",
        "entity_id",
        "entity_name",
        "basis",
        "status",
        "confidence",
        "evidence",
    ])?;
    for l in &case.inferred_links {
        let prov = match l.record.kind {
            crate::model::EntityKind::Person => case.persons.rows.get(l.record.idx as usize).map(|r| r.prov),
            crate::model::EntityKind::Company => case.companies.rows.get(l.record.idx as usize).map(|r| r.prov),
        };
        let source = prov.and_then(|p| case.file_of(p).map(|f| format!("{}:{}", f.path, p.line))).unwrap_or_default();
        let cells = [
            case.entity_id(l.record).to_string(),
            case.entity_name(l.record).to_string(),
            source,
            case.entity_id(l.entity).to_string(),
            case.entity_name(l.entity).to_string(),
            l.basis.as_str().to_string(),
            if l.basis.confirmed() { "confirmed" } else { "unconfirmed" }.to_string(),
            format!("{:.3}", l.confidence),
            l.evidence.clone(),
        ];
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        csv_safe::write_record(&mut w, &refs)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn tracing_csv(case: &Case, sections: &[SuspectSection]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "suspect_id",
        "rule",
        "introduced",
        "held_in_scope",
        "into_property",
        "identifiable",
        "held_elsewhere",
        "exited",
        "absorbed_by_overdraft",
        "currency",
        "legal_basis",
    ])?;
    for s in sections {
        for f in s.trace.iter().flat_map(|t| &t.figures) {
            let cells = [
                case.entity_id(s.suspect).to_string(),
                f.rule.to_string(),
                f.introduced.to_string(),
                f.held_in_scope.to_string(),
                f.into_property.to_string(),
                f.identifiable().to_string(),
                f.held_elsewhere.to_string(),
                f.exited.to_string(),
                f.absorbed.to_string(),
                case.meta.base_currency.to_string(),
                f.rule.legal_basis().to_string(),
            ];
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            csv_safe::write_record(&mut w, &refs)?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
