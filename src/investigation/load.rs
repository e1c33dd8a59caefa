//! Loading a case for analysis, the same way for every command: ingest (with a mapping instead
//! of the folder's case.toml when given), then entity resolution with the analyst's decisions in
//! `resolution.csv`, whose file becomes an input of the run (hashed into the case's files, and
//! so into every manifest). The library never prints: what the CLI used to print on the way is
//! returned as [`LoadedCase::messages`].

use crate::ingest::{hash_file, load_case, IngestError, IngestReport, LoadOptions};
use crate::model::{Case, SourceFile};
use crate::resolve::{read_case_decisions, resolve, Action, ApplyError, DecisionsError, Params, DECISIONS_FILE};
use std::path::{Path, PathBuf};

/// How a case is loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadSettings {
    /// A mapping file used instead of the folder's case.toml.
    pub mapping: Option<PathBuf>,
    /// Skip entity resolution (by default person and company records of one entity are folded
    /// into one, with the case folder's resolution.csv decisions).
    pub no_resolve: bool,
}

/// What entity resolution did to a loaded case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolutionSummary {
    /// Records folded into another record's entity.
    pub folded: usize,
    /// Entities of several records.
    pub entities: u64,
    /// Folded records confirmed by an id number.
    pub confirmed: usize,
    /// Analyst decisions read from resolution.csv.
    pub decisions: usize,
}

/// A case ready for analysis.
#[derive(Debug)]
pub struct LoadedCase {
    /// The case, resolved unless [`LoadSettings::no_resolve`].
    pub case: Case,
    /// Counts, rejects and warnings of the ingest.
    pub report: IngestReport,
    /// Entity resolution, when it ran.
    pub resolution: Option<ResolutionSummary>,
    /// What the analyst should be told, in the order it arose (decisions that could not be
    /// applied, what resolution did, rows rejected at ingest), worded the same for every command.
    pub messages: Vec<Message>,
}

/// A line for the analyst.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// A warning (something was not used as given) or information.
    pub warning: bool,
    /// The text.
    pub text: String,
}

impl Message {
    fn warning(text: String) -> Message {
        Message { warning: true, text }
    }
}

impl ResolutionSummary {
    /// The one-line summary of entity resolution, when there is anything to say (records folded
    /// or analyst decisions read).
    pub fn line(&self) -> Option<String> {
        (self.folded > 0 || self.decisions > 0).then(|| {
            format!(
                "entity resolution: {} records folded into {} entities ({} by id number, {} unconfirmed); \
                 {} analyst decisions; see `moneytrail resolve` for the evidence (--no-resolve to skip)",
                self.folded,
                self.entities,
                self.confirmed,
                self.folded - self.confirmed,
                self.decisions
            )
        })
    }
}

/// Errors that stop a load.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The case could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The analyst's decisions could not be read.
    #[error(transparent)]
    Decisions(#[from] DecisionsError),
    /// The resolution does not fit the case.
    #[error(transparent)]
    Apply(#[from] ApplyError),
}

/// Loads the case in `case_dir`: ingest, then entity resolution unless `no_resolve`.
///
/// # Errors
/// [`LoadError`] when the case, its mapping or its decisions cannot be read. Rejected rows are
/// not errors: they are in the report, and counted in [`LoadedCase::messages`].
pub fn load(case_dir: &Path, settings: &LoadSettings) -> Result<LoadedCase, LoadError> {
    let loaded = load_case(case_dir, &LoadOptions { mapping: settings.mapping.clone() })?;
    let mut out = LoadedCase { case: loaded.case, report: loaded.report, resolution: None, messages: Vec::new() };
    if !settings.no_resolve {
        let (summary, ignored) = resolve_in_place(case_dir, &mut out.case)?;
        out.messages.extend(ignored.into_iter().map(Message::warning));
        if let Some(text) = summary.line() {
            out.messages.push(Message { warning: false, text });
        }
        out.resolution = Some(summary);
    }
    if out.report.rejected() > 0 {
        out.messages.push(Message::warning(format!(
            "{} input rows were rejected at ingest; run `moneytrail ingest` to see them",
            out.report.rejected()
        )));
    }
    Ok(out)
}

/// Resolves `case` in place with the decisions in `case_dir`/resolution.csv and default
/// parameters; the decision file, when present, becomes an input of the run. Returns the summary
/// and one message per decision that could not be applied.
///
/// # Errors
/// A decision file that cannot be read, or a resolution that does not fit the case.
pub fn resolve_in_place(case_dir: &Path, case: &mut Case) -> Result<(ResolutionSummary, Vec<String>), LoadError> {
    let decisions = read_case_decisions(case_dir)?;
    let path = case_dir.join(DECISIONS_FILE);
    if path.is_file() {
        // The analyst's decisions are an input of the run: hashed into the manifest like the tables.
        let (sha256, size) = hash_file(&path)?;
        case.files.push(SourceFile {
            path: DECISIONS_FILE.into(),
            size,
            sha256,
            table: "resolution".into(),
            sheet: None,
        });
    }
    let r = resolve(case, &decisions, &Params::default());
    let ignored = r
        .log
        .iter()
        .filter(|e| e.action == Action::Ignored)
        .map(|e| format!("decision {} / {}: {}", e.left_id, e.right_id, e.reason))
        .collect();
    let folded = crate::resolve::apply(case, &r)?;
    let confirmed = case.inferred_links.iter().filter(|l| l.basis.confirmed()).count();
    let summary =
        ResolutionSummary { folded, entities: r.stats.multi_record_entities, confirmed, decisions: decisions.len() };
    Ok((summary, ignored))
}

/// A copy of `case` resolved as [`load`] resolves it (the case folder's decisions, default
/// parameters), without the decision file's provenance: for a command that reads the unresolved
/// case but must decide protected persons as the others do (`query`).
///
/// # Errors
/// A decision file that cannot be read, or a resolution that does not fit the case.
pub fn resolved_copy(case_dir: &Path, case: &Case) -> Result<Case, LoadError> {
    let mut c = case.clone();
    let decisions = read_case_decisions(case_dir)?;
    let r = resolve(&c, &decisions, &Params::default());
    crate::resolve::apply(&mut c, &r)?;
    Ok(c)
}
