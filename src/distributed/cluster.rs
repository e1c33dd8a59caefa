//! The Ballista scheduler and executor, each run as its own process (`moneytrail cluster
//! scheduler`, `moneytrail cluster executor`): the stock Ballista servers with the settings a
//! case needs, and a clean stop on SIGINT or SIGTERM. Nothing here is home-made scheduling.

use super::DistError;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Settings of `cluster scheduler`.
#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// Address to listen on (port 0: any free port; the bound address is reported).
    pub bind: SocketAddr,
    /// Seconds without a heartbeat after which an executor counts as lost and its tasks are
    /// scheduled again elsewhere.
    pub executor_timeout_s: u64,
    /// Seconds after a job ends when its shuffle files are deleted (0: kept, for measuring
    /// shuffle volumes).
    pub shuffle_cleanup_s: u64,
}

/// Settings of `cluster executor`.
#[derive(Clone, Debug)]
pub struct ExecutorOptions {
    /// Scheduler host.
    pub scheduler_host: String,
    /// Scheduler port.
    pub scheduler_port: u16,
    /// Host to bind and advertise.
    pub bind_host: String,
    /// Arrow Flight port (shuffle reads).
    pub port: u16,
    /// gRPC port (task launches).
    pub grpc_port: u16,
    /// Concurrent tasks.
    pub slots: usize,
    /// Shuffle files go here (a fresh temporary folder when `None`).
    pub work_dir: Option<PathBuf>,
}

fn runtime() -> Result<tokio::runtime::Runtime, DistError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Deep plans recurse when they are (de)serialised, as Ballista's own binaries allow for.
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .map_err(|e| DistError::Engine(format!("cannot start the async runtime: {e}")))
}

/// Resolves when the process receives SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs a scheduler until SIGINT or SIGTERM. `ready` is called once with the bound address
/// (the CLI prints it; with port 0 that is how a caller learns the port).
///
/// # Errors
/// The address cannot be bound, or the server fails.
pub fn run_scheduler(opts: &SchedulerOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), DistError> {
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(opts.bind)
            .await
            .map_err(|e| DistError::Engine(format!("cannot listen on {}: {e}", opts.bind)))?;
        let addr = listener.local_addr().map_err(|e| DistError::Engine(e.to_string()))?;
        let config = SchedulerConfig {
            bind_host: addr.ip().to_string(),
            bind_port: addr.port(),
            external_host: addr.ip().to_string(),
            executor_timeout_seconds: opts.executor_timeout_s,
            // Look for lost executors as often as the timeout allows.
            expire_dead_executor_interval_seconds: (opts.executor_timeout_s / 2).clamp(1, 15),
            finished_job_data_clean_up_interval_seconds: opts.shuffle_cleanup_s,
            ..SchedulerConfig::default()
        };
        let config = Arc::new(config);
        config.validate()?;
        let cluster = BallistaCluster::new_from_config(&config).await?;
        let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config).await?;
        ready(addr);
        tokio::select! {
            r = start_grpc_service_with_listener(listener, scheduler) => r.map_err(DistError::from),
            _ = stop_signal() => Ok(()),
        }
    })
}

/// Runs an executor until SIGINT or SIGTERM; on either it tells the scheduler it is stopping
/// (Ballista's own graceful stop), so no new task is sent to it.
///
/// # Errors
/// The scheduler cannot be reached, or the ports cannot be bound.
pub fn run_executor(opts: &ExecutorOptions) -> Result<(), DistError> {
    let config = ExecutorProcessConfig {
        bind_host: opts.bind_host.clone(),
        external_host: Some(opts.bind_host.clone()),
        port: opts.port,
        grpc_port: opts.grpc_port,
        scheduler_host: opts.scheduler_host.clone(),
        scheduler_port: opts.scheduler_port,
        // Keep trying while the scheduler starts.
        scheduler_connect_timeout_seconds: 30,
        vcores: opts.slots.max(1),
        work_dir: opts.work_dir.as_ref().map(|p| p.display().to_string()),
        print_thread_info: false,
        // Heartbeats often enough for the scheduler to notice a lost executor in seconds.
        executor_heartbeat_interval_seconds: 2,
        ..ExecutorProcessConfig::default()
    };
    runtime()?.block_on(async { start_executor_process(Arc::new(config)).await.map_err(DistError::from) })
}
