//! Seeded generator of realistic Albanian trafficking-proceeds cases with ground truth.
//!
//! What it is for: tests and benchmarks need cases of any size (1,000 to 100,000,000 transfers)
//! whose answers are known. [`generate`] writes a case folder in the case format of
//! `docs/data-model.md` (`case.toml` plus one CSV per table) and a `truth/` folder with the injected
//! patterns (`patterns.csv`), every entity's role (`roles.csv`) and each suspect's attributable
//! assets (`holdings.csv`). With `identity_noise` above none, persons and companies also appear as
//! land- and company-register records spelt their way, and `truth/identities.csv` maps every
//! record to its true entity (see `noise.rs`).
//!
//! How: entity tables (persons, companies, accounts, properties, registers) scale with N and are
//! built in memory, together with a few planned transfers (property purchases, loans and the injected
//! schemes of docs/methodology.md#typologies). The bulk of the transfers (salaries, rent, utilities, card
//! payments, shop sales, remittances) is generated day by day and streamed to disk, so memory for
//! transfers stays constant. Output is deterministic: same seed and N, same bytes.
//!
//! Depends on: nothing else in the crate (L0 helper used by tests, benches and the CLI).

mod background;
mod fx;
mod ids;
mod names;
mod noise;
mod population;
mod reftrace;
mod rng;
mod schemes;
mod truth;
mod world;
mod writer;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

pub use crate::model::iban_valid;
pub use noise::{person_records, IdentityNoise};

/// Settings of one generated case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// PRNG seed; same seed and `transfers` give byte-identical output.
    pub seed: u64,
    /// Exact number of rows written to transfers.csv (at least [`MIN_TRANSFERS`]).
    pub transfers: u64,
    /// First day of the banking period (default 2019-01-01).
    pub start: NaiveDate,
    /// Last day of the banking period and the valuation date (default 2025-12-31).
    pub end: NaiveDate,
    /// Cash-reporting threshold T in ALL; docs/methodology.md#typologies and methodology.md#albania-thresholds (ALL 1,000,000).
    pub cash_threshold: Decimal,
    /// Register spelling, order and format variants, withheld ids and look-alikes
    /// (default none: one record per person, the original bytes).
    pub identity_noise: IdentityNoise,
    /// Transfers per background person, which sizes the population from `transfers` (default
    /// 80). Fewer transfers per person give more accounts for the same number of transfers, and
    /// so heavier hubs: at 10 per person, 10M transfers hold about a million persons and each of
    /// the five utilities collects from over 10^5 distinct payers, as a national utility or
    /// payroll account does (the heavy-hub case of `benches/peers/run.sh`). Other values than the
    /// default give another case, not a larger version of the default one.
    pub transfers_per_person: u64,
    /// Per cent of the one-off background transfers that go through hub accounts (default 0):
    /// half are bills paid by random persons into the five utilities, half pensions and public
    /// pay from the banks' accounts to random persons. With `transfers_per_person = 10` and 25 %,
    /// each utility collects from about 10^5 distinct payers at 10M transfers and each bank pays
    /// about 6·10^4 persons: the heavy hubs of a national ledger. 0 draws nothing extra, so
    /// default output is unchanged.
    pub hub_percent: u32,
}

/// Smallest supported `transfers`: enough room for one instance of every scheme.
pub const MIN_TRANSFERS: u64 = 500;

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 1,
            transfers: 10_000,
            start: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
            cash_threshold: Decimal::from(1_000_000),
            identity_noise: IdentityNoise::None,
            transfers_per_person: 80,
            hub_percent: 0,
        }
    }
}

/// What was written: rows per table and patterns per typology.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// (table name, rows written excluding the header), in writing order.
    pub tables: Vec<(String, u64)>,
    /// (typology, number of injected patterns), sorted by typology.
    pub patterns: Vec<(String, u64)>,
    /// Number of ring leaders and controllers listed in suspects.csv.
    pub suspects: u64,
}

impl GenSummary {
    /// Rows written to `table`, if it was written.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables.iter().find(|(t, _)| t == table).map(|x| x.1)
    }
}

/// Why a case could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    /// The configuration cannot produce a valid case.
    #[error("invalid generator configuration: {0}")]
    Config(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// File or folder being written.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("cannot write CSV {path}: {source}")]
    Csv {
        /// File being written.
        path: PathBuf,
        /// Underlying error.
        source: csv::Error,
    },
}

/// Generates a case into `out` (created if missing; existing files are overwritten).
///
/// # Arguments
/// * `cfg` - seed, exact transfer count, period and threshold.
/// * `out` - case folder; `truth/` is created inside it.
///
/// # Returns
/// Rows per table and injected patterns per typology.
///
/// # Errors
/// [`GenError::Config`] for fewer than [`MIN_TRANSFERS`] transfers or a period shorter than a year;
/// [`GenError::Io`] / [`GenError::Csv`] when a file cannot be written.
///
/// # Complexity
/// O(N) time; memory O(N / 60) for the entity tables, constant for the transfers.
pub fn generate(cfg: &GenConfig, out: &Path) -> Result<GenSummary, GenError> {
    if cfg.transfers < MIN_TRANSFERS {
        return Err(GenError::Config(format!(
            "--transfers {} is too small: at least {MIN_TRANSFERS} are needed to hold one instance of every scheme",
            cfg.transfers
        )));
    }
    if (cfg.end - cfg.start).num_days() < 365 {
        return Err(GenError::Config(format!(
            "period {} .. {} is shorter than one year; choose an earlier start",
            cfg.start, cfg.end
        )));
    }
    if cfg.cash_threshold <= Decimal::from(1000) {
        return Err(GenError::Config(format!(
            "cash threshold {} is implausibly small; Albania uses ALL 1,000,000",
            cfg.cash_threshold
        )));
    }
    let mut world = world::World::default();
    let fx = fx::FxTable::new(cfg.seed, population::FX_FIRST.min(cfg.start), cfg.end);
    let _progress = crate::progress::stage("generate", Some(4), crate::progress::Unit::Steps);
    crate::progress::step("population and background transfers", || population::build(cfg, &fx, &mut world));
    crate::progress::step("schemes", || schemes::inject(cfg, &fx, &mut world));
    crate::progress::step("obligations", || population::fit_obligations(cfg, &mut world))?;
    crate::progress::step("writing the case", || writer::write_case(cfg, &fx, &world, out))
}
