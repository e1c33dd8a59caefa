//! The evidence bundle: an [`Investigation`] written as files in one folder (diagrams,
//! timelines, tables, report.html and manifest.json). Same investigation and version give the
//! same bytes: nothing depends on the clock, the machine, the output path or hash-map order.
//!
//! [`investigate`] is the main job in one call: [`crate::investigation::pipeline::run`], then
//! [`write`].

use super::dot::{self, Rendering};
use super::manifest::{BundleManifest, BundleWriter};
use super::report::{Drawn, FindingDiagram, SuspectDrawing};
use super::timeline::timeline_svg;
use crate::evidence::chart::{Chart, Footer};
use crate::evidence::exhibits::{full_list, Exhibits};
use crate::investigation::pipeline::{run, Investigation, PipelineError, SuspectSection, Timing};
use crate::investigation::Config;
use crate::model::Case;
use crate::text::csv_safe;
use crate::text::file_stem;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Errors that stop writing a bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvestigateError {
    /// The investigation itself.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Writing the bundle.
    #[error("writing the bundle: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV file.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Building workbook.xlsx failed.
    #[error(transparent)]
    Workbook(#[from] super::xlsx::WorkbookError),
    /// `--pdf` could not print the report.
    #[error(transparent)]
    Pdf(#[from] super::pdf::PdfError),
    /// The bundle folder cannot be claimed or the bundle not put in place.
    #[error(transparent)]
    Target(#[from] super::target::TargetError),
}

/// How [`write_with`] writes a bundle. `Default` is what [`write`] does: a missing or empty
/// folder, or a bundle of the same case, is replaced whole; no signature.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Replace whatever the folder holds (never merged) instead of refusing a folder that is
    /// not empty and not a bundle of the same case.
    pub force: bool,
    /// Sign manifest.json with this Ed25519 key (`manifest.json.sig`, [`super::signing`]).
    pub sign: Option<super::signing::SecretKey>,
    /// Also print the report to report.pdf with headless Chromium ([`super::pdf`]).
    pub pdf: bool,
    /// The language of the report (and of report.pdf).
    pub lang: super::report::Lang,
    /// Give each suspect a page of their own from this many suspects on; `None`:
    /// [`super::report::SUSPECT_PAGES_FROM`].
    pub suspect_pages_from: Option<usize>,
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
    /// Notes for the analyst (renderer, problems met), scrubbed for the audience.
    pub notes: Vec<String>,
    /// Wall time per stage, the investigation's and the writer's.
    pub timings: Vec<Timing>,
}

/// Runs the investigation of `case` with `config` and writes its bundle into `out`.
///
/// # Errors
/// Those of [`run`] and [`write`].
pub fn investigate(case: &Case, out: &Path, config: &Config) -> Result<Summary, InvestigateError> {
    let inv = run(case, config)?;
    write(&inv, out)
}

/// Renders one chart to files; returns the inline SVG.
#[allow(clippy::too_many_arguments)] // a private helper called twice; a struct would only rename the list
fn render_chart(
    w: &mut BundleWriter,
    chart: &Chart,
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

/// Writes the bundle of `inv` into `out`: every diagram (Graphviz when installed and allowed,
/// else the pure-Rust layout), timelines, findings.csv, exhibits.csv, assets.csv, tracing.csv,
/// entities.csv, identities.csv (when resolution folded records), probable_victims.csv, the
/// sealed mapping (court), report.html and manifest.json.
///
/// # Errors
/// I/O and CSV errors.
pub fn write(inv: &Investigation<'_>, out: &Path) -> Result<Summary, InvestigateError> {
    write_with(inv, out, &WriteOptions::default())
}

/// [`write`] with options: claims `out` ([`super::target::claim`]: a lock beside it, refused
/// when it holds something else than a bundle of the same case unless `force`), writes the
/// bundle into a temporary folder beside it, signs the manifest when a key is given, and renames
/// the complete bundle into place.
///
/// # Errors
/// Those of [`write`], and [`InvestigateError::Target`] when `out` cannot be claimed.
pub fn write_with(inv: &Investigation<'_>, out: &Path, opts: &WriteOptions) -> Result<Summary, InvestigateError> {
    let claim = super::target::claim(out, opts.force)?;
    write_claimed(inv, claim, opts)
}

/// Writes the bundle into a folder claimed beforehand (a caller that claims before the
/// investigation runs fails fast on a busy or unsuitable folder), then puts it in place.
///
/// # Errors
/// As [`write_with`].
pub fn write_claimed(
    inv: &Investigation<'_>,
    claim: super::target::Claim,
    opts: &WriteOptions,
) -> Result<Summary, InvestigateError> {
    let summary = write_files(inv, claim.dir(), opts)?;
    claim.commit(&inv.case().meta.name)?;
    Ok(summary)
}

/// Writes every file of the bundle into `out` (no claim, no rename).
fn write_files(inv: &Investigation<'_>, out: &Path, opts: &WriteOptions) -> Result<Summary, InvestigateError> {
    let (sign, pdf, lang) = (opts.sign.as_ref(), opts.pdf, opts.lang);
    // Progress: one step per file written (BundleWriter::write reports each).
    let _progress = crate::progress::stage("bundle", None, crate::progress::Unit::Steps);
    let mut t = Instant::now();
    let mut timings = inv.timings.clone();
    let case = inv.case();
    let graphviz = inv.graphviz && dot::graphviz_available();
    let mut notes = Vec::new();
    if !graphviz {
        notes.push(lang.t("doc.no_graphviz").into());
    }
    notes.extend(inv.notes.iter().cloned());
    let mut settings = inv.settings.clone();
    settings
        .insert("renderer".into(), if graphviz { "graphviz dot".into() } else { "moneytrail pure-Rust SVG".into() });
    let mut w = BundleWriter::new(out)?;
    let pdf_date = case.meta.valuation_date.to_string().replace('-', "");
    let footer = &footer_in(inv, lang);
    let ex = &inv.exhibits;
    let mut drawings = Vec::with_capacity(inv.suspects.len());
    for (k, sec) in inv.suspects.iter().enumerate() {
        let stem = format!("suspect-{:02}-{}", k + 1, file_stem(case.entity_id(sec.suspect)));
        let mut files = Vec::new();
        let network_svg = render_chart(
            &mut w,
            &super::report::chart_in(&sec.network.chart, lang),
            &stem,
            ex,
            footer,
            graphviz,
            true,
            &pdf_date,
            &mut notes,
            &mut files,
        )?;
        let title = lang.f(
            "suspect.timeline_title",
            &[("name", case.entity_name(sec.suspect)), ("id", case.entity_id(sec.suspect))],
        );
        let tl = timeline_svg(
            case,
            &inv.graph.flow,
            &title,
            &sec.network.accounts,
            &sec.network.txns,
            ex,
            footer,
            &inv.timeline_limits,
        );
        let rel = format!("diagrams/timeline-{:02}-{}.svg", k + 1, file_stem(case.entity_id(sec.suspect)));
        w.write(&rel, tl.as_bytes())?;
        files.push(rel);
        drawings.push(SuspectDrawing { network_svg, timeline_svg: tl, files });
    }
    let mut diagrams = Vec::new();
    for (rank, fc) in inv.finding_charts.iter().enumerate() {
        let stem = format!("finding-{:02}-{}", rank + 1, file_stem(&inv.findings[fc.finding].id));
        let mut files = Vec::new();
        let svg = render_chart(
            &mut w,
            &super::report::chart_in(&fc.chart, lang),
            &stem,
            ex,
            footer,
            graphviz,
            false,
            &pdf_date,
            &mut notes,
            &mut files,
        )?;
        diagrams.push(FindingDiagram { finding: fc.finding, svg, files });
    }
    super::finding_timelines::write_all(
        &mut w,
        case,
        &inv.graph.flow,
        &inv.findings,
        &inv.timeline_targets,
        ex,
        footer,
    )?;
    timings.push(Timing { stage: "diagrams", took: t.elapsed() });
    t = Instant::now();
    let mut findings_csv = Vec::new();
    super::findings::write_csv(case, &inv.findings, &mut findings_csv)?;
    w.write("findings.csv", &findings_csv)?;
    let mut exhibits_csv = Vec::new();
    ex.write_csv(&mut exhibits_csv)?;
    w.write("exhibits.csv", &exhibits_csv)?;
    let assets = assets_csv(case, &inv.suspects, ex)?;
    w.write("assets.csv", &assets)?;
    let tracing = tracing_csv(case, &inv.suspects)?;
    w.write("tracing.csv", &tracing)?;
    w.write(
        "workbook.xlsx",
        &super::xlsx::workbook(
            &super::xlsx::bundle_sheets(&findings_csv, &exhibits_csv, &tracing, &assets),
            case.meta.valuation_date.to_naive(),
        )?,
    )?;
    let mut graphml = Vec::new();
    let roles = super::graphml::Roles::of(inv, &inv.graph.flow);
    super::graphml::write_graphml_with(case, &inv.graph.flow, &roles, &mut graphml)?;
    w.write("case.graphml", &graphml)?;
    w.write("case.anx", super::anx::write_anx(case, &inv.graph.flow, &roles).as_bytes())?;
    let charts = inv.suspects.iter().map(|s| &s.network.chart).chain(inv.finding_charts.iter().map(|f| &f.chart));
    w.write("entities.csv", &entities_csv(charts)?)?;
    if !case.inferred_links.is_empty() {
        w.write("identities.csv", &identities_csv(case)?)?;
    }
    w.write("probable_victims.csv", &super::victims::write_csv(case, inv.prepared())?)?;
    w.write(super::methodology::FILE, super::methodology::render_html_in(lang, &case.meta.name).as_bytes())?;
    if let Some(csv) = &inv.triage_csv {
        w.write("triage.csv", csv)?;
    }
    if let Some(sealed) = &inv.sealed {
        w.write(&sealed.path, &sealed.bytes)?;
    }
    notes.extend(inv.protection_notes.iter().cloned());
    let notes: Vec<String> = notes.iter().map(|n| inv.scrub(n)).collect();
    let pages_from = opts.suspect_pages_from.unwrap_or(super::report::SUSPECT_PAGES_FROM).max(1);
    let suspect_pages: Vec<String> = if inv.suspects.len() >= pages_from {
        (0..inv.suspects.len()).map(|k| super::report::suspect_page_path(inv, k)).collect()
    } else {
        Vec::new()
    };
    let drawn = Drawn { notes, settings, suspects: drawings, diagrams, lang, suspect_pages };
    for (k, page) in drawn.suspect_pages.iter().enumerate() {
        w.write(page, super::report::render_suspect_page(inv, &drawn, k).as_bytes())?;
    }
    let html = super::report::render(inv, &drawn, &w.outputs());
    w.write("report.html", html.as_bytes())?;
    if pdf {
        let bytes = super::pdf::print(&super::report::print_page(&html, lang), &pdf_date)?;
        w.write("report.pdf", &bytes)?;
    }
    let outputs = w.outputs().len();
    let manifest = BundleManifest {
        tool: "moneytrail".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        case_name: case.meta.name.clone(),
        input_manifest_sha256: inv.input_hash.clone(),
        settings: drawn.settings,
        inputs: case.files.clone(),
        outputs: Vec::new(),
    };
    let manifest_sha256 = w.finish_signed(manifest, sign)?;
    timings.push(Timing { stage: "tables, report, manifest", took: t.elapsed() });
    Ok(Summary {
        findings: inv.findings.len(),
        suspects: inv.suspects.len(),
        outputs,
        manifest_sha256,
        notes: drawn.notes,
        timings,
    })
}

/// The diagrams' footer in the report's language: the investigation's lines (case, detectors and
/// rules, input hash) with their words from the catalogue; a line of another form is kept.
fn footer_in(inv: &Investigation<'_>, lang: super::report::Lang) -> Footer {
    let case = inv.case();
    let lines = inv
        .footer
        .lines
        .iter()
        .map(|l| {
            if l.starts_with("Case: ") {
                return lang.f(
                    "footer.case",
                    &[
                        ("case", &case.meta.name),
                        ("version", env!("CARGO_PKG_VERSION")),
                        ("date", &lang.date(case.meta.valuation_date)),
                    ],
                );
            }
            if let Some(rest) = l.strip_prefix("Detectors: ") {
                if let Some((dets, rest)) = rest.split_once(" · tracing rules: ") {
                    let rules = rest.split(" · ").next().unwrap_or(rest);
                    return lang.f("footer.detectors", &[("detectors", dets), ("rules", rules)]);
                }
            }
            if let Some(hash) = l.strip_prefix("Input manifest SHA-256: ") {
                return lang.f("footer.hash", &[("hash", hash)]);
            }
            l.clone()
        })
        .collect();
    Footer { lines }
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
fn entities_csv<'c>(charts: impl Iterator<Item = &'c Chart>) -> Result<Vec<u8>, csv::Error> {
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
