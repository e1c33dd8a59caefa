//! Writing result files: the output folder, CSV with formula neutralisation, JSON; and the one
//! check every command makes of the paths it is asked to write ([`Inputs::check_all`]): inputs
//! are read-only.

use anyhow::{bail, Context, Result};
use moneytrail::ingest::Issue;
use moneytrail::text::csv_safe;
use std::path::{Path, PathBuf};

/// The output folder: `--out` or `out/<case folder name>`, checked against `inputs` and
/// created if needed.
pub fn out_dir(out: Option<PathBuf>, case: &Path, inputs: &Inputs) -> Result<PathBuf> {
    let dir = match out {
        Some(d) => d,
        None => {
            let name = case
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "case".into());
            PathBuf::from("out").join(name)
        }
    };
    inputs.check("--out", &dir, OutKind::Dir)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create output folder {}", dir.display()))?;
    Ok(dir)
}

/// Writes issues (rejects or warnings) as CSV: table, file, line, column, value, reason.
pub fn write_issues(path: &Path, issues: &[Issue]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["table", "file", "line", "column", "value", "reason"])?;
    for i in issues {
        let line = i.line.to_string();
        csv_safe::write_record(&mut w, &[&i.table, &i.file, &line, &i.column, &i.value, &i.reason])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON with a trailing newline.
pub fn write_json<T: serde::Serialize>(path: &Path, v: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    std::fs::write(path, s).with_context(|| format!("cannot write {}", path.display()))
}

/// What a kind of output path must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutKind {
    /// A file (created or replaced).
    File,
    /// A folder (created if needed).
    Dir,
}

/// What a command reads: the case folder and the other files named on its command line
/// (mapping, decisions, query, claims, passphrase file ...). Every path a command writes is
/// checked against it before anything is read or written: inputs are read-only (issue 14).
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    /// Input folders, resolved (the case folder, an import's input folder).
    dirs: Vec<PathBuf>,
    /// Input files, resolved.
    files: Vec<PathBuf>,
}

impl Inputs {
    /// The inputs of a command that reads the case folder `case`.
    pub fn case(case: &Path) -> Inputs {
        Inputs::default().dir(case)
    }

    /// Adds an input folder (ignored when it does not exist: the command will say so itself).
    pub fn dir(mut self, d: &Path) -> Inputs {
        if let Ok(p) = d.canonicalize() {
            if p.is_dir() {
                self.dirs.push(p);
            } else {
                self.files.push(p);
            }
        }
        self
    }

    /// Adds an input file when given (a folder given as a file is treated as a folder).
    pub fn file(self, f: Option<&Path>) -> Inputs {
        match f {
            Some(f) => self.dir(f),
            None => self,
        }
    }

    /// Checks one output path (see [`Inputs::check_all`]) and returns it resolved.
    ///
    /// # Errors
    /// As [`Inputs::check_all`].
    pub fn check(&self, flag: &str, out: &Path, kind: OutKind) -> Result<PathBuf> {
        let r = resolve_out(flag, out)?;
        let shown = out.display();
        if r.parent().is_none() {
            bail!("{flag} {shown} is the root folder /: refusing to write there; give a file or folder of its own");
        }
        for d in &self.dirs {
            if &r == d {
                bail!(
                    "{flag} {shown} is the input folder {} itself: inputs are read-only; write outside it",
                    d.display()
                );
            }
            if r.starts_with(d) {
                bail!(
                    "{flag} {shown} is inside the input folder {}: inputs are read-only; write outside it",
                    d.display()
                );
            }
            if d.starts_with(&r) {
                bail!(
                    "{flag} {shown} contains the input folder {}: inputs are read-only; write elsewhere",
                    d.display()
                );
            }
        }
        for f in &self.files {
            if &r == f {
                bail!("{flag} {shown} is the input file {}: inputs are read-only; write elsewhere", f.display());
            }
            if f.starts_with(&r) {
                bail!("{flag} {shown} contains the input file {}: inputs are read-only; write elsewhere", f.display());
            }
        }
        match (kind, std::fs::metadata(&r)) {
            (OutKind::File, Ok(m)) if m.is_dir() => {
                bail!("{flag} {shown} is a folder, not a file: give the name of the file to write")
            }
            (OutKind::File, Ok(m)) if !m.is_file() => {
                bail!("{flag} {shown} is not a regular file (a device, pipe or socket): give a file to write")
            }
            (OutKind::Dir, Ok(m)) if !m.is_dir() => {
                bail!("{flag} {shown} is a file, not a folder: give the folder to write into (it is created if needed)")
            }
            _ => {}
        }
        Ok(r)
    }

    /// Checks every output path of a command before it runs: none may be `/`, an input folder,
    /// inside one or around one, an input file, or another output of the same run; a file
    /// output must not be a folder and a folder output not a file. Paths are resolved through
    /// the nearest existing folder (`canonicalize`), so links and `..` cannot get around it.
    ///
    /// # Errors
    /// A message naming the flag, the path and what to do instead.
    pub fn check_all(&self, outs: &[(&str, Option<&Path>, OutKind)]) -> Result<()> {
        let mut seen: Vec<(&str, PathBuf)> = Vec::new();
        for (flag, out, kind) in outs {
            let Some(out) = out else { continue };
            let r = self.check(flag, out, *kind)?;
            if let Some((other, _)) = seen.iter().find(|(_, p)| p == &r || p.starts_with(&r) || r.starts_with(p)) {
                bail!("{flag} {} and {other} name the same place: give each output its own path", out.display());
            }
            seen.push((flag, r));
        }
        Ok(())
    }
}

/// `p` made absolute as the system would resolve it: component by component, each existing
/// part through `canonicalize` (links followed, `..` taken from the real folder), the parts
/// below the last existing one appended as words. A dangling symbolic link is refused: writing
/// through it would create a file wherever it points.
fn resolve_out(flag: &str, p: &Path) -> Result<PathBuf> {
    use std::path::Component;
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir()?.join(p) };
    let mut cur = PathBuf::new();
    let mut exists = true;
    for c in abs.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => cur.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(name) => {
                cur.push(name);
                if exists {
                    match std::fs::symlink_metadata(&cur) {
                        Err(_) => exists = false,
                        Ok(_) => {
                            cur = cur.canonicalize().map_err(|_| {
                                anyhow::anyhow!(
                                    "{flag} {}: {} is a symbolic link to a missing file; give a plain path",
                                    p.display(),
                                    cur.display()
                                )
                            })?;
                        }
                    }
                }
            }
        }
    }
    Ok(cur)
}

/// Prepares the folder a case is written into (`generate`, `import-*`): it may be new or empty;
/// a folder with files in it is refused unless `force` (then the case files in it are
/// overwritten). It must not be, contain or sit inside an input.
///
/// # Errors
/// A file where the folder should be, a non-empty folder without `force`, or an input in the way.
pub fn case_target(out: &Path, force: bool, inputs: &Inputs) -> Result<()> {
    inputs.check("--out", out, OutKind::Dir)?;
    if let Ok(rd) = std::fs::read_dir(out) {
        let n = rd.count();
        if n > 0 && !force {
            bail!(
                "--out {} is not empty ({n} entries): give a new or empty folder, or --force to overwrite the case \
                 files in it",
                out.display()
            );
        }
    }
    Ok(())
}
