//! `moneytrail cluster scheduler|executor`, the `--engine` flags of `detect` and `query`, and
//! `ingest --parquet-out` (feature `distributed`; docs/scale-out.md). Without the feature the
//! flags exist and say how to get it.

use anyhow::{bail, Result};
use moneytrail::graph::CaseGraph;
use moneytrail::model::Case;
use moneytrail::patterns::{Ranked, RunOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[cfg(not(feature = "distributed"))]
const NO_FEATURE: &str =
    "this moneytrail was built without the `distributed` feature: build it with `cargo build --features distributed`";

/// `moneytrail cluster ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Run a Ballista scheduler until Ctrl-C or SIGTERM.
    Scheduler {
        /// Address to listen on (port 0: any free port; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: std::net::SocketAddr,
        /// Seconds without a heartbeat after which an executor is lost and its tasks rerun
        /// elsewhere.
        #[arg(long, default_value_t = 10)]
        executor_timeout: u64,
        /// Seconds after a job when its shuffle files are deleted (0 keeps them, to measure
        /// shuffle volumes).
        #[arg(long, default_value_t = 300)]
        shuffle_cleanup: u64,
    },
    /// Run a Ballista executor that registers with a scheduler, until Ctrl-C or SIGTERM.
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long)]
        scheduler: String,
        /// Concurrent tasks (about one per core).
        #[arg(long, default_value_t = 2)]
        slots: usize,
        /// Host to bind and to advertise to the scheduler.
        #[arg(long, default_value = "127.0.0.1")]
        bind_host: String,
        /// Arrow Flight port (other executors fetch shuffle data here).
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// gRPC port (the scheduler launches tasks here).
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Folder for shuffle files (default: a fresh temporary folder).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
}

/// Makes a closed connection an error of the write, as Rust's default has it, instead of the
/// process's death: `main` restores the default SIGPIPE action so that `moneytrail ... | head`
/// ends quietly, but a scheduler, executor or cluster client writes to sockets that peers close
/// (an executor lost mid-shuffle, a client that went away), and with the default action the
/// first such write killed the whole process (measured: executors exited with signal 13 within
/// seconds of registering, and a job then waited 180 s for executors that were gone).
#[cfg(feature = "distributed")]
fn keep_sigpipe_ignored() {
    #[cfg(unix)]
    // SAFETY: signal(2) with SIGPIPE (13 on Linux and macOS) and SIG_IGN (1) only changes how
    // the process reacts to a write on a closed pipe or socket (EPIPE is returned instead).
    unsafe {
        crate::signal(13, 1);
    }
}

/// Runs `cluster scheduler|executor`.
pub fn run(c: Command) -> Result<ExitCode> {
    #[cfg(feature = "distributed")]
    {
        keep_sigpipe_ignored();
        use moneytrail::distributed::cluster;
        use std::io::Write;
        match c {
            Command::Scheduler { bind, executor_timeout, shuffle_cleanup } => {
                let opts = cluster::SchedulerOptions {
                    bind,
                    executor_timeout_s: executor_timeout,
                    shuffle_cleanup_s: shuffle_cleanup,
                };
                cluster::run_scheduler(&opts, |addr| {
                    // The first line is what scripts and tests read.
                    println!("scheduler listening on {addr}");
                    let _ = std::io::stdout().flush();
                })?;
                // The reader of the first line may be gone by now (a test, a `| head`): a closed
                // stdout is not an error of the scheduler's.
                let _ = writeln!(std::io::stdout(), "scheduler stopped");
            }
            Command::Executor { scheduler, slots, bind_host, port, grpc_port, work_dir } => {
                let Some((host, sport)) = scheduler.rsplit_once(':') else {
                    bail!("--scheduler {scheduler}: expected HOST:PORT");
                };
                let Ok(sport) = sport.parse::<u16>() else { bail!("--scheduler {scheduler}: bad port") };
                let opts = cluster::ExecutorOptions {
                    scheduler_host: host.to_string(),
                    scheduler_port: sport,
                    bind_host,
                    port,
                    grpc_port,
                    slots,
                    work_dir,
                };
                println!(
                    "executor on {}:{port} (grpc {grpc_port}), {slots} slots, scheduler {scheduler}",
                    opts.bind_host
                );
                let _ = std::io::stdout().flush();
                cluster::run_executor(&opts)?;
                let _ = writeln!(std::io::stdout(), "executor stopped");
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    #[cfg(not(feature = "distributed"))]
    {
        let _ = c;
        bail!(NO_FEATURE)
    }
}

/// `--engine`, `--parquet` and `--partitions` of `detect` and `query`.
#[derive(clap::Args, Debug, Clone)]
pub struct EngineArgs {
    /// Where to run: local, or a Ballista scheduler as ballista://HOST:PORT (df://HOST:PORT
    /// is accepted too).
    #[arg(long, default_value = "local")]
    engine: String,
    /// With a cluster engine: the Parquet case written by `ingest CASE --parquet-out DIR`.
    #[arg(long)]
    parquet: Option<PathBuf>,
    /// With a cluster engine: shuffle partitions per query.
    #[arg(long, default_value_t = 8)]
    partitions: usize,
    /// With a cluster engine: seconds one cluster job may run before the run fails with an
    /// error (a job stalled by a lost executor never hangs the command).
    #[arg(long, default_value_t = 3600)]
    job_timeout: u64,
}

impl EngineArgs {
    /// True for the default local engine.
    pub fn is_local(&self) -> bool {
        self.engine.trim() == "local"
    }

    /// Findings of the detectors of `opts`, ranked and cut, on the engine chosen; on a cluster
    /// ranked, cut and counted below the cut as locally.
    pub fn detect(&self, case: &Case, graph: &CaseGraph, opts: &RunOptions, resolved: bool) -> Result<Ranked> {
        if self.is_local() {
            return Ok(moneytrail::patterns::Runner::new(opts)?.run_ranked(case, graph)?);
        }
        #[cfg(feature = "distributed")]
        {
            use moneytrail::distributed::detect::Placement;
            let session = self.session()?;
            let run = moneytrail::distributed::detect::detect(&session, case, graph, opts, resolved)?;
            for (name, p) in &run.placement {
                match p {
                    Placement::Cluster { candidates, took } => eprintln!(
                        "{name}: structural search on {} ({candidates} candidates, {:.2} s), scored locally",
                        self.engine,
                        took.as_secs_f64()
                    ),
                    Placement::Local(why) => eprintln!("{name}: runs locally only: {why}"),
                }
            }
            Ok(Ranked { findings: run.findings, below: run.below })
        }
        #[cfg(not(feature = "distributed"))]
        {
            let _ = resolved;
            bail!(NO_FEATURE)
        }
    }

    /// The rows of query `text` on the cluster, or `None` with the local engine (the caller
    /// runs it). A query outside the cluster's subset is an error: "runs locally only: ...".
    pub fn query(
        &self,
        text: &str,
        case: &Case,
        flow: &moneytrail::graph::FlowGraph,
        params: &std::collections::HashMap<String, moneytrail::query::Value>,
    ) -> Result<Option<moneytrail::query::QueryResult>> {
        if self.is_local() {
            return Ok(None);
        }
        #[cfg(feature = "distributed")]
        {
            let session = self.session()?;
            Ok(Some(moneytrail::distributed::query::run(&session, text, case, flow, params)?))
        }
        #[cfg(not(feature = "distributed"))]
        {
            let _ = (text, case, flow, params);
            bail!(NO_FEATURE)
        }
    }

    /// The cluster session (engine parsed, Parquet case registered).
    #[cfg(feature = "distributed")]
    pub fn session(&self) -> Result<moneytrail::distributed::engine::Session> {
        keep_sigpipe_ignored();
        let engine: moneytrail::distributed::Engine = self.engine.parse().map_err(anyhow::Error::msg)?;
        let Some(dir) = &self.parquet else {
            bail!("--engine {engine} needs --parquet DIR (written by `moneytrail ingest CASE --parquet-out DIR`)");
        };
        let session = moneytrail::distributed::engine::Session::connect(&engine, dir, self.partitions)?;
        Ok(session.with_job_timeout(std::time::Duration::from_secs(self.job_timeout)))
    }
}

/// `--parquet-out`, `--buckets` and `--no-resolve` of `ingest`.
#[derive(clap::Args, Debug, Clone)]
pub struct ParquetOutArgs {
    /// Also write the validated transfers as Parquet partitioned by month and account hash,
    /// for `--engine ballista://...` (feature `distributed`; layout in docs/scale-out.md).
    #[arg(long)]
    parquet_out: Option<PathBuf>,
    /// Account-hash buckets per month in the Parquet case.
    #[arg(long, default_value_t = 8)]
    buckets: u32,
    /// Write the Parquet case without entity resolution (then run `detect --no-resolve` on it).
    #[arg(long)]
    no_resolve: bool,
}

impl ParquetOutArgs {
    /// The folder of `--parquet-out`, if given (checked against the inputs: never written
    /// inside them).
    pub fn out_dir(&self) -> Option<&Path> {
        self.parquet_out.as_deref()
    }

    /// Writes the Parquet case when `--parquet-out` was given: `case` (as loaded, unresolved)
    /// is resolved as `detect` resolves it first, unless `--no-resolve`.
    pub fn write(&self, case_dir: &Path, case: Case) -> Result<()> {
        let Some(dir) = &self.parquet_out else { return Ok(()) };
        #[cfg(feature = "distributed")]
        {
            let mut case = case;
            let t0 = std::time::Instant::now();
            if !self.no_resolve {
                // As every analysis command resolves the case it loads (investigation::load).
                let (summary, ignored) = moneytrail::investigation::load::resolve_in_place(case_dir, &mut case)?;
                for w in ignored {
                    eprintln!("warning: {w}");
                }
                if let Some(line) = summary.line() {
                    eprintln!("{line}");
                }
            }
            let g = moneytrail::graph::FlowGraph::build(&case);
            std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
            let s = moneytrail::distributed::storage::write_case(&case, &g, dir, self.buckets, !self.no_resolve)?;
            println!(
                "parquet: {} transfers in {} partitions, {:.1} MB, in {} ({:.2} s)",
                s.manifest.transfers,
                s.manifest.partitions.len(),
                s.bytes as f64 / 1e6,
                dir.display(),
                t0.elapsed().as_secs_f64()
            );
            Ok(())
        }
        #[cfg(not(feature = "distributed"))]
        {
            let _ = (case_dir, case, dir);
            bail!(NO_FEATURE)
        }
    }
}
