//! Flag groups shared by the commands, declared once and flattened into each command's flags,
//! and the one way every analysis command loads a case and says what happened on the way.
//! Values are parsed into the library's types here, so a typo fails before anything is read.

use super::output::Inputs;
use anyhow::Result;
use moneytrail::graph::FlowGraph;
use moneytrail::investigation::keys;
use moneytrail::investigation::{LoadSettings, LoadedCase};
use moneytrail::model::Case;
use moneytrail::trace::Rule;
use moneytrail::victims::classify::VictimParams;
use moneytrail::victims::protect::Protection;
use moneytrail::victims::view::{prepare, Audience, Prepared};
use std::path::{Path, PathBuf};

/// The case folder and how to load it.
#[derive(clap::Args, Debug, Clone)]
pub struct CaseArgs {
    /// The case folder.
    pub case: PathBuf,
    #[command(flatten)]
    pub load: LoadArgs,
}

/// How a case is loaded: its mapping and entity resolution.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// A mapping file used instead of the folder's case.toml (foreign layouts read in place).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Skip entity resolution (by default person and company records of one entity are folded
    /// into one, with the case folder's resolution.csv decisions).
    #[arg(long)]
    pub no_resolve: bool,
}

impl CaseArgs {
    /// What the command reads: the case folder and the mapping file.
    pub fn inputs(&self) -> Inputs {
        self.load.inputs(&self.case)
    }
}

impl LoadArgs {
    /// The case folder `case` and the mapping file, as inputs no output may overwrite.
    pub fn inputs(&self, case: &Path) -> Inputs {
        Inputs::case(case).file(self.mapping.as_deref())
    }

    /// The library's load settings.
    pub fn settings(&self) -> LoadSettings {
        LoadSettings { mapping: self.mapping.clone(), no_resolve: self.no_resolve }
    }
}

/// Loads the case in `dir` as every analysis command does, printing the loader's messages on
/// stderr (`warning: ...` for warnings).
pub fn load(dir: &Path, load: &LoadArgs) -> Result<LoadedCase> {
    let loaded = moneytrail::investigation::load(dir, &load.settings())?;
    for m in &loaded.messages {
        if m.warning {
            eprintln!("warning: {}", m.text);
        } else {
            eprintln!("{}", m.text);
        }
    }
    Ok(loaded)
}

/// The exit code of a command that loaded a case and did its work: 1 (done with rejected rows,
/// [`super::exit::DONE_WITH_REJECTS`]) when the loader rejected `rejected` input rows, else 0.
/// Every command that loads a case ends this way, so a script sees rejected rows whatever it
/// ran; the loader's warning, printed by [`load`], has already said how many and where to look.
pub fn done(rejected: u64) -> std::process::ExitCode {
    super::exit::rejected(rejected)
}

/// Parses `--audience`: court, police (alias analyst), ngo or public.
pub fn parse_audience(s: &str) -> Result<Audience, String> {
    s.parse()
}

/// Parses one tracing rule of `--rule`.
pub fn parse_rule(s: &str) -> Result<Rule, String> {
    s.parse().map_err(|e: moneytrail::trace::ParseRuleError| e.to_string())
}

/// Flags shared by the commands that write case data: `--audience` and the passphrase file.
#[derive(clap::Args, Debug, Clone)]
pub struct AudienceArgs {
    /// court (identities in clear), police (alias analyst), ngo or public: outside the court,
    /// protected persons (listed and probable victims, minors) are pseudonymised.
    #[arg(long, default_value = "analyst", value_parser = parse_audience)]
    pub audience: Audience,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// Where the case passphrase comes from.
#[derive(clap::Args, Debug, Clone)]
pub struct KeyArgs {
    /// File whose first line is the case passphrase (else MONEYTRAIL_SEAL_PASSPHRASE); never
    /// give it on the command line.
    #[arg(long)]
    pub seal_passphrase_file: Option<PathBuf>,
}

impl KeyArgs {
    /// `inputs` with the passphrase file, when one is given.
    pub fn inputs(&self, inputs: Inputs) -> Inputs {
        inputs.file(self.seal_passphrase_file.as_deref())
    }

    /// The case passphrase, if given.
    pub fn passphrase(&self) -> Result<Option<String>> {
        Ok(keys::passphrase(self.seal_passphrase_file.as_deref())?)
    }

    /// The keys of the case named `case_name`, when a passphrase was given. For a case folder
    /// of its own (with a case.toml) the passphrase is checked against the case's key check,
    /// recorded on first use (`moneytrail key`): a mistyped passphrase is refused.
    pub fn case_keys(&self, case_name: &str) -> Result<Option<Protection>> {
        match (self.passphrase()?, super::config::case_dir()) {
            (Some(p), Some(dir)) if dir.join("case.toml").is_file() => {
                Ok(Some(super::key::checked_keys(dir, case_name, &p)?))
            }
            _ => Ok(keys::case_keys(self.seal_passphrase_file.as_deref(), case_name)?),
        }
    }
}

impl AudienceArgs {
    /// Classifies, and redacts for the audience (fails closed without a key).
    pub fn prepare(&self, case: &Case, flow: &FlowGraph) -> Result<Prepared> {
        let key = self.key.case_keys(&case.meta.name)?;
        Ok(prepare(case, flow, self.audience, key.as_ref(), &VictimParams::default())?)
    }

    /// True for `--audience court` (identities in clear: nothing to classify or redact).
    pub fn is_court(&self) -> bool {
        self.audience.identities_in_clear()
    }
}
