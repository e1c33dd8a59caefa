//! `moneytrail investigate CASE --out DIR`: the main job (ingest, detect, trace, value, and write
//! the evidence bundle: report.html, diagrams, tables, manifest.json).

use super::common::{self, parse_rule, AudienceArgs, CaseArgs};
use super::output::OutKind;
use anyhow::Result;
use moneytrail::export::{bundle, signing, target};
use moneytrail::investigation::{pipeline, Config, Settings};
use moneytrail::trace::Rule;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `investigate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: CaseArgs,
    /// The bundle folder to write (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// court (identities in clear, sealed pseudonym mapping, key findings linked to a suspect),
    /// police (alias analyst: every finding), ngo or public; outside the court protected persons
    /// (victims, minors) are pseudonymised.
    #[command(flatten)]
    audience: AudienceArgs,
    #[command(flatten)]
    detect: super::detect::DetectArgs,
    /// Tracing rules side by side (comma-separated).
    #[arg(long = "rule", alias = "rules", value_delimiter = ',', default_value = "fifo,pro-rata,libr", value_parser = parse_rule)]
    rule: Vec<Rule>,
    /// Most nodes on one diagram.
    #[arg(long, default_value_t = 60)]
    max_nodes: usize,
    /// Findings (top by score) that get their own diagram.
    #[arg(long, default_value_t = 10)]
    finding_diagrams: usize,
    /// Draw with moneytrail's own SVG layout even when Graphviz is installed.
    #[arg(long)]
    no_graphviz: bool,
    /// Replace whatever --out holds with the bundle (without it, a folder that is not empty and
    /// not a bundle of the same case is refused); never merged.
    #[arg(long)]
    force: bool,
    /// Sign manifest.json with this Ed25519 secret key (PKCS#8 PEM, from `moneytrail key gen`);
    /// `verify --public-key` checks it.
    #[arg(long)]
    sign_key: Option<PathBuf>,
    /// Also write report.pdf (cover sheet, A4 pages, page numbers), printed by headless
    /// Chromium (apt-get install chromium); listed in manifest.json and covered by `verify`.
    #[arg(long)]
    pdf: bool,
    /// The language of report.html and report.pdf: en or sq (Albanian). Default: the
    /// `language` of moneytrail.toml, else en.
    #[arg(long, value_parser = parse_lang, default_value = "en")]
    lang: moneytrail::export::report::Lang,
}

fn parse_lang(s: &str) -> Result<moneytrail::export::report::Lang, String> {
    moneytrail::export::report::Lang::parse(s).ok_or_else(|| format!("'{s}': the report is written in en or sq"))
}

pub fn run(a: Args) -> Result<ExitCode> {
    let settings = Settings {
        audience: Some(a.audience.audience),
        typologies: a.detect.typologies(),
        params: a.detect.params.clone(),
        rules: Some(a.rule),
        max_suspect_hops: Some(a.detect.max_suspect_hops),
        max_nodes: Some(a.max_nodes),
        finding_diagrams: Some(a.finding_diagrams),
        no_graphviz: a.no_graphviz,
        threads: a.detect.threads,
    };
    let mut config = Config::from_settings(&settings).map_err(super::detect::flag_error)?;
    config.detect.budget = a.detect.budget();
    let inputs = a.audience.key.inputs(a.case.inputs()).file(a.sign_key.as_deref());
    inputs.check_all(&[("--out", Some(&a.out), OutKind::Dir)])?;
    let sign = a.sign_key.as_deref().map(signing::read_secret).transpose()?;
    if a.pdf && !moneytrail::export::pdf::available() {
        anyhow::bail!("{}", moneytrail::export::pdf::PdfError::NoChromium);
    }
    // Claimed before the case is read: a busy or unsuitable folder fails at once.
    let claim = target::claim(&a.out, a.force)?;
    let t0 = std::time::Instant::now();
    let loaded = common::load(&a.case.case, &a.case.load)?;
    let t_ingest = t0.elapsed();
    config.protection = a.audience.key.case_keys(&loaded.case.meta.name)?;
    let inv = pipeline::run(&loaded.case, &config)?;
    let signed = sign.is_some();
    let summary = bundle::write_claimed(
        &inv,
        claim,
        &bundle::WriteOptions { force: a.force, sign, pdf: a.pdf, lang: a.lang, suspect_pages_from: None },
    )?;
    for n in &summary.notes {
        eprintln!("note: {n}");
    }
    println!(
        "{} suspects, {} findings; {} files written to {}",
        summary.suspects,
        summary.findings,
        summary.outputs + 1,
        a.out.display()
    );
    let mut times = vec![format!("ingest {:.2} s", t_ingest.as_secs_f64())];
    times.extend(summary.timings.iter().map(|t| format!("{} {:.2} s", t.stage, t.took.as_secs_f64())));
    println!("time: {}; total {:.2} s", times.join(", "), t0.elapsed().as_secs_f64());
    println!("manifest.json SHA-256: {}", summary.manifest_sha256);
    if signed {
        println!("signed: {} (check with `moneytrail verify DIR --public-key KEY.pub.pem`)", signing::SIGNATURE);
    }
    Ok(common::done(loaded.report.rejected()))
}
