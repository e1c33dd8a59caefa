//! `moneytrail victims CASE --out FILE`: the non-punishment classifier (listed and probable
//! victims with score and reasons), and `moneytrail unseal FILE`: open a sealed pseudonym mapping.

use super::output::{Inputs, OutKind};
use anyhow::{Context, Result};
use moneytrail::graph::FlowGraph;
use moneytrail::patterns::Params;
use moneytrail::victims::classify::{Status, VictimParams};
use moneytrail::victims::seal;
use moneytrail::victims::view::prepare;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `victims`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: super::common::CaseArgs,
    /// Output CSV (person_id, name, status, minor, score, indicators, accounts, reasons, evidence).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
    /// Override a classifier parameter: victims.key=value (repeatable; `victims.threshold=6`).
    #[arg(long = "param")]
    params: Vec<String>,
    /// truth/roles.csv of a generated case: print precision and recall of the probable victims.
    #[arg(long)]
    truth: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let audience = a.audience.audience;
    let mut params = VictimParams::default();
    for p in &a.params {
        let (k, v) = p.split_once('=').context("--param expects victims.key=value")?;
        let k = k.strip_prefix("victims.").unwrap_or(k);
        params.set(k, v).map_err(|e| anyhow::anyhow!("--param {p}: {e}"))?;
    }
    let inputs = a.audience.key.inputs(a.case.inputs()).file(a.truth.as_deref());
    inputs.check_all(&[("--out", Some(&a.out), OutKind::File)])?;
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    let key = a.audience.key.case_keys(&case.meta.name)?;
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
            let id = &case.persons.rows[x.person.ix()].id;
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
    Ok(super::common::done(rejected))
}

/// Flags of `unseal`.
#[derive(clap::Args, Debug)]
pub struct UnsealArgs {
    /// The sealed mapping (sealed/identities.mtseal of a court bundle).
    file: PathBuf,
    #[command(flatten)]
    key: super::common::KeyArgs,
    /// Write the mapping CSV here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn unseal(a: UnsealArgs) -> Result<ExitCode> {
    let inputs = a.key.inputs(Inputs::default().file(Some(&a.file)));
    inputs.check_all(&[("--out", a.out.as_deref(), OutKind::File)])?;
    let pass =
        a.key.passphrase()?.context("give the passphrase in MONEYTRAIL_SEAL_PASSPHRASE or --seal-passphrase-file")?;
    let meta = std::fs::metadata(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
    if !meta.is_file() || meta.len() > seal::MAX_SEALED_BYTES {
        anyhow::bail!(
            "{} is not a sealed mapping: not a regular file of at most {} bytes",
            a.file.display(),
            seal::MAX_SEALED_BYTES
        );
    }
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
