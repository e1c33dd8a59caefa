//! Defaults from files (issue 18): `~/.config/moneytrail/config.toml` (or
//! `$XDG_CONFIG_HOME/moneytrail/config.toml`), overridden by `CASE/moneytrail.toml`, overridden
//! by flags. They cover the audience, the passphrase file, the output folder, the language and
//! the thread count. A default is applied by adding its flag to the command line before clap
//! parses it, so every command reads its flags as before and a flag given always wins.
//! `moneytrail config show [CASE]` prints each effective value and where it came from.

use anyhow::{bail, Context, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The keys a config file may hold.
pub const KEYS: [&str; 5] = ["audience", "passphrase_file", "out_dir", "language", "threads"];
/// The languages outputs can be written in.
const LANGUAGES: [&str; 2] = ["en", "sq"];
/// The case folder's config file.
pub const CASE_FILE: &str = "moneytrail.toml";

/// One effective value and where it came from.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The value as text.
    pub value: String,
    /// `default`, a file's path, `flag --x`, or an environment variable.
    pub source: String,
}

/// The effective defaults of one run.
#[derive(Clone, Debug)]
pub struct Effective {
    /// audience, passphrase_file, out_dir, language, threads: in [`KEYS`] order.
    pub settings: Vec<(&'static str, Option<Setting>)>,
    /// The files looked at, with whether they exist.
    pub files: Vec<(PathBuf, bool)>,
}

impl Effective {
    fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|(k, _)| *k == key).and_then(|(_, s)| s.as_ref())
    }
    fn set(&mut self, key: &str, value: String, source: String) {
        if let Some((_, s)) = self.settings.iter_mut().find(|(k, _)| *k == key) {
            *s = Some(Setting { value, source });
        }
    }
}

/// The user's config file: `$XDG_CONFIG_HOME/moneytrail/config.toml`, else
/// `$HOME/.config/moneytrail/config.toml`.
pub fn user_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("moneytrail").join("config.toml"))
}

/// Reads one config file into `eff` (values relative to the file's folder for paths).
fn read_file(path: &Path, eff: &mut Effective) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eff.files.push((path.to_path_buf(), false));
            return Ok(());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    eff.files.push((path.to_path_buf(), true));
    let table: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let src = path.display().to_string();
    let base = path.parent().unwrap_or(Path::new("."));
    for (k, v) in &table {
        let bad = |what: &str| anyhow::anyhow!("{}: {k} {what}", path.display());
        let value = match (k.as_str(), v) {
            ("audience", toml::Value::String(s)) => {
                super::common::parse_audience(s).map_err(|e| bad(&format!("= \"{s}\": {e}")))?;
                s.clone()
            }
            ("passphrase_file" | "out_dir", toml::Value::String(s)) => {
                let p = Path::new(s);
                let full = if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
                full.display().to_string()
            }
            ("language", toml::Value::String(s)) => {
                if !LANGUAGES.contains(&s.as_str()) {
                    return Err(bad(&format!(
                        "= \"{s}\": outputs are written in {} only for now",
                        LANGUAGES.join(", ")
                    )));
                }
                s.clone()
            }
            ("threads", toml::Value::Integer(n)) if *n >= 0 => n.to_string(),
            ("threads", _) => return Err(bad("must be a whole number (0 = all cores)")),
            (k, _) if KEYS.contains(&k) => return Err(bad("must be a string")),
            _ => bail!("{}: unknown key '{k}'; the known keys are: {}", path.display(), KEYS.join(", ")),
        };
        eff.set(k, value, src.clone());
    }
    Ok(())
}

/// The defaults for a command on the case folder `case` (if any): the user's file, then the
/// case's `moneytrail.toml`.
///
/// # Errors
/// A file that cannot be read, is not TOML, has an unknown key or a bad value.
pub fn effective(case: Option<&Path>) -> Result<Effective> {
    let mut eff = Effective { settings: KEYS.iter().map(|k| (*k, None)).collect(), files: Vec::new() };
    eff.set("audience", "analyst".into(), "default".into());
    eff.set("out_dir", "out".into(), "default".into());
    eff.set("language", "en".into(), "default".into());
    eff.set("threads", "0".into(), "default".into());
    if let Some(f) = user_file() {
        read_file(&f, &mut eff)?;
    }
    if let Some(c) = case.filter(|c| c.is_dir()) {
        read_file(&c.join(CASE_FILE), &mut eff)?;
    }
    Ok(eff)
}

static CASE_DIR: OnceLock<PathBuf> = OnceLock::new();

/// The case folder named on the command line, if any (the key check lives there).
pub fn case_dir() -> Option<&'static Path> {
    CASE_DIR.get().map(PathBuf::as_path)
}

/// The deepest subcommand's name and matches.
fn leaf(m: &ArgMatches) -> Option<(Vec<String>, &ArgMatches)> {
    let (mut names, mut cur) = (Vec::new(), m);
    while let Some((n, sub)) = cur.subcommand() {
        names.push(n.to_string());
        cur = sub;
    }
    if names.is_empty() {
        None
    } else {
        Some((names, cur))
    }
}

/// The command line with the defaults of the config files added as flags where the command
/// takes them and the user did not give them; records the case folder for [`case_dir`].
///
/// # Errors
/// As [`effective`].
pub fn apply(args: Vec<OsString>) -> Result<Vec<OsString>> {
    let cmd = super::Cli::command();
    let Ok(m) = cmd.clone().ignore_errors(true).try_get_matches_from(&args) else { return Ok(args) };
    let Some((names, sub)) = leaf(&m) else { return Ok(args) };
    let mut target = &cmd;
    for n in &names {
        match target.find_subcommand(n) {
            Some(s) => target = s,
            None => return Ok(args),
        }
    }
    let has = |id: &str| target.get_arguments().any(|a| a.get_id() == id);
    let case = if has("case") { sub.try_get_one::<PathBuf>("case").ok().flatten().cloned() } else { None };
    if let Some(c) = &case {
        let _ = CASE_DIR.set(c.clone());
    }
    if names[0] == "config" || args.iter().any(|a| a == "--") {
        return Ok(args);
    }
    let eff = effective(case.as_deref())?;
    let given = |id: &str| sub.value_source(id) == Some(ValueSource::CommandLine);
    let from_file = |key: &str| eff.get(key).filter(|s| s.source != "default").map(|s| s.value.clone());
    let mut extra: Vec<OsString> = Vec::new();
    if has("audience") && !given("audience") {
        if let Some(v) = from_file("audience") {
            extra.extend(["--audience".into(), v.into()]);
        }
    }
    if has("seal_passphrase_file") && !given("seal_passphrase_file") {
        if let Some(v) = from_file("passphrase_file") {
            extra.extend(["--seal-passphrase-file".into(), v.into()]);
        }
    }
    if has("lang") && !given("lang") {
        if let Some(v) = from_file("language") {
            extra.extend(["--lang".into(), v.into()]);
        }
    }
    if has("threads") && !given("threads") {
        if let Some(v) = from_file("threads") {
            extra.extend(["--threads".into(), v.into()]);
        }
    }
    // The output folder: `<out_dir>/<case folder name>` for the commands that write a folder.
    if matches!(names[0].as_str(), "ingest" | "investigate") && !given("out") {
        if let (Some(base), Some(c)) = (from_file("out_dir"), &case) {
            let name = c
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_os_string()))
                .unwrap_or_else(|| "case".into());
            extra.extend(["--out".into(), PathBuf::from(base).join(name).into_os_string()]);
        }
    }
    let mut args = args;
    args.extend(extra);
    Ok(args)
}

/// `moneytrail config ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Print each effective default (audience, passphrase_file, out_dir, language, threads) and
    /// where it came from: default, ~/.config/moneytrail/config.toml, CASE/moneytrail.toml, or a flag.
    Show(ShowArgs),
}

/// Flags of `config show`: the flags a command would be given, to see them win.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The case folder whose moneytrail.toml applies.
    case: Option<PathBuf>,
    /// As a command's --audience.
    #[arg(long)]
    audience: Option<String>,
    /// As a command's --seal-passphrase-file.
    #[arg(long)]
    seal_passphrase_file: Option<PathBuf>,
    /// As a command's --out (a folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// As a command's --threads.
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(c: Command) -> Result<std::process::ExitCode> {
    let Command::Show(a) = c;
    let mut eff = effective(a.case.as_deref())?;
    if let Some(v) = &a.audience {
        super::common::parse_audience(v).map_err(|e| anyhow::anyhow!("--audience {v}: {e}"))?;
        eff.set("audience", v.clone(), "flag --audience".into());
    }
    if let Some(v) = &a.seal_passphrase_file {
        eff.set("passphrase_file", v.display().to_string(), "flag --seal-passphrase-file".into());
    }
    if let Some(v) = &a.out {
        eff.set("out_dir", v.display().to_string(), "flag --out".into());
    }
    if let Some(v) = a.threads {
        eff.set("threads", v.to_string(), "flag --threads".into());
    }
    if eff.get("passphrase_file").is_none() {
        let env = moneytrail::investigation::keys::PASSPHRASE_ENV;
        if std::env::var_os(env).is_some_and(|v| !v.is_empty()) {
            eff.set("passphrase_file", "(the passphrase itself, not shown)".into(), format!("environment {env}"));
        }
    }
    for (f, exists) in &eff.files {
        println!("{} {}", if *exists { "read:  " } else { "absent:" }, f.display());
    }
    let mut t = super::table::Table::new(["key", "value", "source"]);
    for (k, s) in &eff.settings {
        match s {
            Some(s) => t.row([k.to_string(), s.value.clone(), s.source.clone()]),
            None => t.row([k.to_string(), "(none)".to_string(), "default".to_string()]),
        }
    }
    t.print();
    Ok(std::process::ExitCode::SUCCESS)
}
