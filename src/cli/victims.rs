//! `moneytrail victims CASE --out FILE`: the non-punishment classifier (listed and probable
//! victims with score and reasons), and `moneytrail unseal FILE`: open a sealed pseudonym mapping.
//! Also the passphrase handling shared by every command with `--audience`.

use anyhow::{Context, Result};
use moneytrail::graph::FlowGraph;
use moneytrail::patterns::Params;
use moneytrail::victims::classify::{Status, VictimParams};
use moneytrail::victims::protect::Protection;
use moneytrail::victims::seal;
use moneytrail::victims::view::{prepare, prepare_view_of, Audience, Prepared};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Environment variable holding the case passphrase.
pub const PASSPHRASE_ENV: &str = "MONEYTRAIL_SEAL_PASSPHRASE";

/// The case passphrase from `--seal-passphrase-file` or the environment, if any (never from the
/// command line, where other users and shell histories would see it).
pub fn passphrase(file: Option<&Path>) -> Result<Option<String>> {
    if let Some(f) = file {
        let s = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        return Ok(Some(s.lines().next().unwrap_or("").to_string()));
    }
    Ok(std::env::var(PASSPHRASE_ENV).ok().filter(|s| !s.is_empty()))
}

/// The case keys, when a passphrase was given.
pub fn protection(file: Option<&Path>, case_name: &str) -> Result<Option<Protection>> {
    match passphrase(file)? {
        Some(p) => Ok(Some(Protection::from_passphrase(&p, case_name)?)),
        None => Ok(None),
    }
}

/// Flags shared by the commands that write case data: `--audience` and the passphrase file.
#[derive(clap::Args, Debug)]
pub struct AudienceArgs {
    /// court (identities in clear), police (alias analyst), ngo or public: outside the court,
    /// protected persons (listed and probable victims, minors) are pseudonymised.
    #[arg(long, default_value = "analyst")]
    pub audience: String,
    /// File whose first line is the case passphrase (else MONEYTRAIL_SEAL_PASSPHRASE); never
    /// give it on the command line.
    #[arg(long)]
    pub seal_passphrase_file: Option<PathBuf>,
}

impl AudienceArgs {
    /// Classifies, and redacts for the audience (fails closed without a key).
    pub fn prepare(&self, case: &moneytrail::model::Case, flow: &FlowGraph) -> Result<Prepared> {
        let aud = audience(&self.audience)?;
        let key = protection(self.seal_passphrase_file.as_deref(), &case.meta.name)?;
        Ok(prepare(case, flow, aud, key.as_ref(), &VictimParams::default())?)
    }

    /// Like [`AudienceArgs::prepare`] for a command that reads the case before entity
    /// resolution: protected persons are decided on `resolved` (flow graph `flow`), the view is of
    /// `case` (see `moneytrail::victims::view::prepare_view_of`).
    pub fn prepare_view_of(
        &self,
        case: &moneytrail::model::Case,
        resolved: &moneytrail::model::Case,
        flow: &FlowGraph,
    ) -> Result<Prepared> {
        let aud = audience(&self.audience)?;
        let key = protection(self.seal_passphrase_file.as_deref(), &case.meta.name)?;
        Ok(prepare_view_of(case, resolved, flow, aud, key.as_ref(), &VictimParams::default())?)
    }

    /// True for `--audience court` (identities in clear: nothing to classify or redact).
    pub fn is_court(&self) -> Result<bool> {
        Ok(audience(&self.audience)?.identities_in_clear())
    }
}

/// Parses `--audience`.
pub fn audience(s: &str) -> Result<Audience> {
    s.parse().map_err(|e: String| anyhow::anyhow!("--audience: {e}"))
}

/// Flags of `victims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// Output CSV (person_id, name, status, minor, score, indicators, accounts, reasons, evidence).
    #[arg(long)]
    out: PathBuf,
    /// A mapping file used instead of the folder's case.toml.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// court (identities in clear), police (alias analyst), ngo or public (protected persons pseudonymised).
    #[arg(long, default_value = "police")]
    audience: String,
    /// File whose first line is the case passphrase (else MONEYTRAIL_SEAL_PASSPHRASE).
    #[arg(long)]
    seal_passphrase_file: Option<PathBuf>,
    /// Override a classifier parameter: victims.key=value (repeatable; `victims.threshold=6`).
    #[arg(long = "param")]
    params: Vec<String>,
    /// truth/roles.csv of a generated case: print precision and recall of the probable victims.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Skip entity resolution.
    #[arg(long)]
    no_resolve: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let audience = audience(&a.audience)?;
    let mut params = VictimParams::default();
    for p in &a.params {
        let (k, v) = p.split_once('=').context("--param expects victims.key=value")?;
        let k = k.strip_prefix("victims.").unwrap_or(k);
        params.set(k, v).map_err(|e| anyhow::anyhow!("--param {p}: {e}"))?;
    }
    let loaded = super::resolve::load_resolved(&a.case, a.mapping, a.no_resolve)?;
    let case = &loaded.case;
    let key = protection(a.seal_passphrase_file.as_deref(), &case.meta.name)?;
    let flow = FlowGraph::build(case);
    let prepared = prepare(case, &flow, audience, key.as_ref(), &params)?;
    let bytes = moneytrail::export::victims::write_csv(prepared.view(case), &prepared)?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&a.out, bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    let count = |s: Status| prepared.assessed.iter().filter(|x| x.status == s).count();
    println!(
        "{} listed victims, {} probable victims ({} persons holding accounts assessed); {} protected persons; {} written",
        count(Status::Listed),
        count(Status::Probable),
        prepared.assessed.len(),
        prepared.set.persons.len(),
        a.out.display()
    );
    if let Some(t) = &a.truth {
        let mut roles: BTreeMap<String, String> = BTreeMap::new();
        let mut r = csv::Reader::from_path(t).with_context(|| format!("cannot read {}", t.display()))?;
        for rec in r.records() {
            let rec = rec?;
            roles.insert(rec.get(0).unwrap_or("").to_string(), rec.get(1).unwrap_or("").to_string());
        }
        let (mut tp, mut fp, mut fn_, mut mules) = (0, 0, 0, 0);
        for x in &prepared.assessed {
            if x.status == Status::Listed {
                continue;
            }
            let id = &case.persons.rows[x.person as usize].id;
            let role = roles.get(id).map(String::as_str).unwrap_or("");
            match (x.status == Status::Probable, role == "victim") {
                (true, true) => tp += 1,
                (true, false) => {
                    fp += 1;
                    mules += usize::from(role == "mule");
                }
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        println!(
            "unlisted victims: precision {:.3} ({tp}/{}), recall {:.3} ({tp}/{}); mules flagged: {mules}",
            ratio(tp, tp + fp),
            tp + fp,
            ratio(tp, tp + fn_),
            tp + fn_
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Flags of `unseal`.
#[derive(clap::Args, Debug)]
pub struct UnsealArgs {
    /// The sealed mapping (sealed/identities.mtseal of a court bundle).
    file: PathBuf,
    /// File whose first line is the case passphrase (else MONEYTRAIL_SEAL_PASSPHRASE).
    #[arg(long)]
    seal_passphrase_file: Option<PathBuf>,
    /// Write the mapping CSV here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn unseal(a: UnsealArgs) -> Result<ExitCode> {
    let pass = passphrase(a.seal_passphrase_file.as_deref())?
        .context("give the passphrase in MONEYTRAIL_SEAL_PASSPHRASE or --seal-passphrase-file")?;
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    let plain = seal::unseal(&pass, &bytes)?;
    match &a.out {
        Some(o) => std::fs::write(o, plain).with_context(|| format!("cannot write {}", o.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&plain)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
