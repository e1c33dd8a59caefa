//! What an executing query sees: the case, its graphs, parameter values, the suspect index and
//! the budgets that stop runaway queries.

use crate::graph::CaseGraph;
use crate::model::{Case, EntityRef};
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Longest string an expression may build (16 MiB).
pub const MAX_STRING: usize = 16 << 20;

/// Limits on one query run, and on one detection run (`patterns::RunOptions::budget`, where
/// rows are the candidates a detector examines and bytes what it holds while it searches).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most rows any single operator may produce (default 2,000,000).
    pub max_rows: u64,
    /// Most bytes of text the query's expressions may yield, counted over the whole run
    /// (strings of 64 bytes or more, each time an expression yields one, the result's included),
    /// so that neither 1M copies of a long string nor a result that big can exhaust memory
    /// (default 2 GiB).
    pub max_bytes: u64,
    /// Wall-clock limit (default 120 s).
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_rows: 2_000_000, max_bytes: 2 << 30, max_time: Duration::from_secs(120) }
    }
}

/// Strings shorter than this are not counted against [`Budget::max_bytes`]: the row budget
/// bounds them, and counting every short value would cost an atomic add per value.
pub const COUNTED_STRING: usize = 64;

/// Runs the detectors for `CALL detect(...)` in place of the query's own case: the typologies
/// (all when `None`) and `typology.key=value` overrides in, findings (indices valid in the
/// query's case) out. `moneytrail query` outside the court runs the query on the audience's
/// view and detection on the real case, as every other command does, with the findings' text
/// scrubbed, so the findings and their ids are those of `detect` and `investigate`.
pub type DetectFn<'f> =
    dyn Fn(Option<&[String]>, &[String]) -> Result<Vec<crate::patterns::Finding>, String> + Sync + 'f;

/// Execution context shared by every operator (read-only except the budget counters).
pub struct Ctx<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its graphs.
    pub graph: &'a CaseGraph,
    /// `$parameters`.
    pub params: HashMap<String, Value>,
    /// Suspect row per entity.
    pub suspects: HashMap<EntityRef, usize>,
    /// Limits.
    pub budget: Budget,
    /// Detection for `CALL detect`, when not on `case` itself.
    pub detect: Option<&'a DetectFn<'a>>,
    started: Instant,
    produced: AtomicU64,
    values: AtomicU64,
    bytes: AtomicU64,
    /// The first budget that stopped the query; every worker reports this one cause, so the
    /// message does not depend on which parallel worker rayon happens to return.
    stopped: OnceLock<String>,
}

impl<'a> Ctx<'a> {
    /// A new context; the time budget starts now.
    pub fn new(case: &'a Case, graph: &'a CaseGraph, params: HashMap<String, Value>, budget: Budget) -> Ctx<'a> {
        let suspects = case.suspects.rows.iter().enumerate().map(|(i, s)| (s.entity, i)).collect();
        Ctx {
            case,
            graph,
            params,
            suspects,
            budget,
            detect: None,
            started: Instant::now(),
            produced: AtomicU64::new(0),
            values: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            stopped: OnceLock::new(),
        }
    }

    /// Counts `n` more rows produced by an expansion and checks both budgets.
    ///
    /// # Errors
    /// A `Budget` error naming the limit that was hit and what to change.
    pub fn charge(&self, n: u64) -> QResult<()> {
        let total = self.produced.fetch_add(n, Ordering::Relaxed) + n;
        if total > self.budget.max_rows {
            return Err(self.stop(format!(
                "more than {} intermediate rows; narrow the pattern (fewer hops, a WITHIN window, an anchored start node) or raise --max-rows",
                self.budget.max_rows
            )));
        }
        self.check_time()
    }

    /// Checks the time budget (cheap; called every few thousand steps), and whether another
    /// worker already stopped the query (then it reports that worker's cause).
    pub fn check_time(&self) -> QResult<()> {
        if let Some(cause) = self.stopped.get() {
            return Err(QueryError::budget(cause.clone()));
        }
        if self.started.elapsed() > self.budget.max_time {
            return Err(self.stop(format!(
                "the query ran longer than {} s; narrow the pattern or raise --timeout",
                self.budget.max_time.as_secs()
            )));
        }
        Ok(())
    }

    /// Records `cause` as the reason the query stopped unless another worker recorded one
    /// first, and returns the error for whichever cause won.
    fn stop(&self, cause: String) -> QueryError {
        QueryError::budget(self.stopped.get_or_init(|| cause).clone())
    }

    /// Counts `n` list elements built by expressions (range, comprehensions, concatenation,
    /// collect) over the whole query; stops past ten times the row budget, so an expression
    /// such as `[x IN range(1, 1000000) | range(1, 1000000)]` cannot exhaust memory.
    ///
    /// # Errors
    /// A `Budget` error.
    pub fn charge_values(&self, n: u64) -> QResult<()> {
        let limit = self.budget.max_rows.saturating_mul(10);
        let total = self.values.fetch_add(n, Ordering::Relaxed) + n;
        if total > limit {
            return Err(self.stop(format!(
                "expressions built more than {limit} list elements; simplify the lists or raise --max-rows"
            )));
        }
        Ok(())
    }

    /// Counts a string of `len` bytes that an expression yielded (below [`COUNTED_STRING`]
    /// free) and stops past [`Budget::max_bytes`] over the whole query.
    ///
    /// # Errors
    /// A `Budget` error.
    pub fn charge_bytes(&self, len: usize) -> QResult<()> {
        if len < COUNTED_STRING {
            return Ok(());
        }
        let total = self.bytes.fetch_add(len as u64, Ordering::Relaxed) + len as u64;
        if total > self.budget.max_bytes {
            return Err(self.stop(format!(
                "expressions yielded more than {} MiB of text; select shorter values (substring, size) or fewer rows, or raise --max-memory",
                self.budget.max_bytes >> 20
            )));
        }
        Ok(())
    }

    /// Resets the row counter between clauses (the budget is per operator).
    pub fn reset_rows(&self) {
        self.produced.store(0, Ordering::Relaxed);
    }
}
