//! `--engine local|ballista://HOST:PORT` and the client session against a Ballista scheduler.

use super::storage::ParquetManifest;
use super::DistError;
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Where detection and queries run.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Engine {
    /// In this process, on the case loaded in memory (the default).
    #[default]
    Local,
    /// On a Ballista cluster: the scheduler's host and port.
    Ballista {
        /// Scheduler host name or address.
        host: String,
        /// Scheduler gRPC port.
        port: u16,
    },
}

impl FromStr for Engine {
    type Err = String;

    /// `local`, `ballista://HOST:PORT`, or `df://HOST:PORT` (the scheme Ballista's own client
    /// documents; both mean the same scheduler).
    fn from_str(s: &str) -> Result<Engine, String> {
        let s = s.trim();
        if s == "local" {
            return Ok(Engine::Local);
        }
        let bad = || format!("--engine {s}: expected local, ballista://HOST:PORT or df://HOST:PORT");
        let rest = s.strip_prefix("ballista://").or_else(|| s.strip_prefix("df://")).ok_or_else(bad)?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        Ok(Engine::Ballista { host: host.trim_matches(['[', ']']).to_string(), port })
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::Local => f.write_str("local"),
            Engine::Ballista { host, port } => write!(f, "ballista://{host}:{port}"),
        }
    }
}

/// A client session on a Ballista cluster with the Parquet case registered as the tables
/// `transfers`, `accounts` and `files`. It owns the async runtime, so callers stay synchronous.
pub struct Session {
    rt: tokio::runtime::Runtime,
    ctx: SessionContext,
    /// The Parquet case's manifest.
    pub manifest: ParquetManifest,
    /// Where the Parquet case lies.
    pub dir: PathBuf,
    /// Longest wait for one job ([`Session::with_job_timeout`]).
    job_timeout: Duration,
}

/// Shuffle partitions per query: enough for four executors of two slots each (project default).
pub const DEFAULT_PARTITIONS: usize = 8;

/// Longest wait for one cluster job by default: one hour (project default). A job that neither finishes nor
/// fails by then (Ballista 55 can leave a job running after losing an executor whose shuffle
/// output it needs, docs/scale-out.md "Losing an executor") is an error, never a hang.
pub const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(3600);

impl Session {
    /// Connects to the scheduler of `engine` and registers the Parquet case in `dir`.
    ///
    /// # Errors
    /// `Engine::Local` (nothing to connect to), an unreadable manifest, or a scheduler that
    /// does not answer.
    pub fn connect(engine: &Engine, dir: &Path, partitions: usize) -> Result<Session, DistError> {
        let Engine::Ballista { host, port } = engine else {
            return Err(DistError::Config("the local engine needs no cluster session".into()));
        };
        let manifest = ParquetManifest::read(dir)?;
        let dir = std::path::absolute(dir).map_err(|e| DistError::Storage(format!("{}: {e}", dir.display())))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| DistError::Engine(format!("cannot start the async runtime: {e}")))?;
        let url = format!("df://{host}:{port}");
        let ctx = rt.block_on(async {
            let config = SessionConfig::new_with_ballista()
                .with_target_partitions(partitions.max(1))
                .with_information_schema(false);
            let state = SessionStateBuilder::new().with_config(config).with_default_features().build();
            let ctx = SessionContext::remote_with_state(&url, state)
                .await
                .map_err(|e| DistError::Engine(format!("cannot reach the scheduler at {url}: {e}")))?;
            let t = dir.join("transfers");
            ctx.register_parquet("transfers", path_str(&t)?, ParquetReadOptions::default()).await?;
            ctx.register_parquet("accounts", path_str(&dir.join("accounts.parquet"))?, ParquetReadOptions::default())
                .await?;
            ctx.register_parquet("files", path_str(&dir.join("files.parquet"))?, ParquetReadOptions::default()).await?;
            Ok::<_, DistError>(ctx)
        })?;
        Ok(Session { rt, ctx, manifest, dir, job_timeout: DEFAULT_JOB_TIMEOUT })
    }

    /// The same session with another bound on each job's wall time (at least one second).
    pub fn with_job_timeout(mut self, limit: Duration) -> Session {
        self.job_timeout = limit.max(Duration::from_secs(1));
        self
    }

    /// Runs one SQL statement on the cluster and collects every row. A job that fails (a lost
    /// executor whose tasks could not be rerun, a planning error) is an error: never a partial
    /// result.
    ///
    /// # Errors
    /// The scheduler's or executor's error.
    /// A job still running after the session's job timeout is abandoned with an error that
    /// says so; its rows, if any came, are dropped.
    pub fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, DistError> {
        self.rt.block_on(async {
            let job = async {
                let df = self.ctx.sql(sql).await?;
                Ok::<_, DistError>(df.collect().await?)
            };
            match tokio::time::timeout(self.job_timeout, job).await {
                Ok(r) => r,
                Err(_) => Err(DistError::Engine(format!(
                    "the job neither finished nor failed within {} s (an executor lost mid-job?); no result was \
                     returned: check `cluster executor` processes and run again",
                    self.job_timeout.as_secs()
                ))),
            }
        })
    }
}

fn path_str(p: &Path) -> Result<&str, DistError> {
    p.to_str().ok_or_else(|| DistError::Storage(format!("{}: the path is not UTF-8", p.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_both_spellings() {
        assert_eq!("local".parse::<Engine>(), Ok(Engine::Local));
        let b = Engine::Ballista { host: "127.0.0.1".into(), port: 50050 };
        assert_eq!("ballista://127.0.0.1:50050".parse::<Engine>(), Ok(b.clone()));
        assert_eq!("df://127.0.0.1:50050/".parse::<Engine>(), Ok(b.clone()));
        assert_eq!(b.to_string(), "ballista://127.0.0.1:50050");
        for bad in ["", "ballista", "ballista://host", "ballista://:1", "ballista://h:0", "http://h:1", "df://h:x"] {
            assert!(bad.parse::<Engine>().is_err(), "{bad}");
        }
    }
}
