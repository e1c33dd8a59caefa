//! Pattern queries for an audience (issue 14): outside the court a query is planned and run on
//! the audience's view of the case ([`crate::victims::view`]), in which every protected person
//! is a pseudonym without name, birth date, national id, address, phone, e-mail, IBAN or account
//! id, and free text is scrubbed. No function of the language can rebuild what the engine never
//! sees (substrings, case changes, date parts, character-by-character rebuilding); protecting
//! the text afterwards could not promise that.
//!
//! The view has the rows of the case in the same order, so a query's rows, their order and
//! every value of non-protected data are those of the real case (an `ORDER BY` on a protected
//! name orders by the pseudonym). `CALL detect(...)` runs the detectors on the real case, as
//! `detect` and `investigate` do (same findings and finding ids), and gives the query indices
//! and scrubbed text only.

use crate::graph::{CaseGraph, FlowGraph};
use crate::model::Case;
use crate::patterns::{self, Finding, RunOptions};
use crate::query::{self, Budget, QueryError, QueryResult, Value};
use crate::victims::classify::VictimParams;
use crate::victims::protect::Protection;
use crate::victims::view::{prepare_view_of, Audience, NeedsKey, Prepared};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Errors that stop a query session before any query runs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The resolved copy (to decide protected persons) could not be made.
    #[error(transparent)]
    Load(#[from] super::LoadError),
    /// Protected persons, a non-court audience, and no case key.
    #[error(transparent)]
    NeedsKey(#[from] NeedsKey),
}

/// One case prepared for the queries of one audience.
pub struct QuerySession<'c> {
    case: &'c Case,
    prepared: Option<Prepared>,
    graph: CaseGraph,
    real_graph: OnceLock<CaseGraph>,
}

impl<'c> QuerySession<'c> {
    /// Prepares `case` (loaded from `case_dir` without entity resolution, as `moneytrail query`
    /// reads it) for `audience`. Protected persons are decided on the case as entity resolution
    /// folds it, as every other command decides them, so a register record folded into a victim
    /// is protected too.
    ///
    /// # Errors
    /// [`SessionError::NeedsKey`] outside the court when someone is protected and `key` is
    /// `None`; a resolution that cannot be made.
    pub fn new(
        case_dir: &Path,
        case: &'c Case,
        audience: Audience,
        key: Option<&Protection>,
    ) -> Result<QuerySession<'c>, SessionError> {
        let prepared = if audience.identities_in_clear() {
            None
        } else {
            let resolved = super::load::resolved_copy(case_dir, case)?;
            let flow = FlowGraph::build(&resolved);
            Some(prepare_view_of(case, &resolved, &flow, audience, key, &VictimParams::default())?)
        };
        let view = prepared.as_ref().map_or(case, |p| p.view(case));
        let graph = CaseGraph::build(view);
        Ok(QuerySession { case, prepared, graph, real_graph: OnceLock::new() })
    }

    /// The case the queries see: the audience's view (the case itself for the court or when
    /// nobody is protected).
    pub fn view(&self) -> &Case {
        self.prepared.as_ref().map_or(self.case, |p| p.view(self.case))
    }

    /// The graphs of [`QuerySession::view`].
    pub fn graph(&self) -> &CaseGraph {
        &self.graph
    }

    /// The classifier's result and protected set (`None` for the court).
    pub fn prepared(&self) -> Option<&Prepared> {
        self.prepared.as_ref()
    }

    /// Plans `text` against the view.
    ///
    /// # Errors
    /// Parse and plan errors.
    pub fn prepare(&self, text: &str, params: &HashMap<String, Value>) -> Result<query::Prepared, QueryError> {
        query::prepare(text, self.view(), params)
    }

    /// Detection on the real case with the findings' text scrubbed for the audience.
    fn detect_real(&self, typologies: Option<&[String]>, overrides: &[String]) -> Result<Vec<Finding>, String> {
        let opts = RunOptions::parse(typologies, overrides).map_err(|e| e.to_string())?;
        let g = self.real_graph.get_or_init(|| CaseGraph::build(self.case));
        let mut found = patterns::run(self.case, g, &opts).map_err(|e| e.to_string())?;
        if let Some(p) = &self.prepared {
            for f in found.iter_mut() {
                for i in f.indicators.iter_mut() {
                    p.scrub_in_place(&mut i.detail);
                }
                for n in f.notes.iter_mut() {
                    p.scrub_in_place(n);
                }
            }
        }
        Ok(found)
    }

    /// Runs a planned query on the view.
    ///
    /// # Errors
    /// Execution errors and budget stops.
    pub fn execute(
        &self,
        q: &query::Prepared,
        params: HashMap<String, Value>,
        budget: &Budget,
    ) -> Result<QueryResult, QueryError> {
        let redacts = self.prepared.as_ref().is_some_and(Prepared::redacts);
        let hook = |t: Option<&[String]>, o: &[String]| self.detect_real(t, o);
        let hook: Option<&query::DetectFn<'_>> = if redacts { Some(&hook) } else { None };
        query::execute_with(q, self.view(), &self.graph, params, budget, hook)
    }

    /// [`QuerySession::prepare`] then [`QuerySession::execute`].
    ///
    /// # Errors
    /// Parse, plan and execution errors.
    pub fn run(&self, text: &str, params: HashMap<String, Value>, budget: &Budget) -> Result<QueryResult, QueryError> {
        let q = self.prepare(text, &params)?;
        self.execute(&q, params, budget)
    }
}
