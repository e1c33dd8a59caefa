//! `moneytrail serve`: the investigation workspace in the browser (issue 19). An HTTP server
//! (axum on tokio) on loopback that shows one case to one audience: findings to sort, filter and
//! triage, each finding's statement, indicators, transfers with provenance and diagram, a graph
//! explorer loaded node by node (Cytoscape.js), a query console, tracing and assets, notes, and
//! the export of an evidence bundle from a selection of findings.
//!
//! - Security: a one-time token is exchanged for an HttpOnly, SameSite=Strict cookie; without it
//!   every path answers 401; state-changing requests need JSON, this origin and the session's
//!   CSRF token ([`auth`]); pages carry a strict Content-Security-Policy (scripts from /assets/
//!   only) and every name from the data is escaped, and the scripts insert text, never HTML.
//! - Protection: the engine reads the audience's view of the case ([`adapter`]).
//! - Record: triage, notes and saved queries go to the case's hash-chained log
//!   ([`crate::workspace`]).

pub mod adapter;
mod assets;
pub mod auth;
mod pages;
mod routes;

use crate::workspace::Log;
use adapter::Engine;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

/// A running workspace's shared state.
pub struct App {
    /// The analysed case.
    pub engine: Engine,
    /// The case's workspace log.
    pub log: Log,
    /// Login tokens and sessions.
    pub auth: auth::Auth,
    /// The analyst's name recorded with every decision.
    pub analyst: String,
    /// Where exported bundles are written.
    pub exports: PathBuf,
    export_lock: std::sync::Mutex<()>,
}

impl App {
    /// A workspace over a loaded engine; opens (and checks) the case's log. Bundles are written
    /// under `exports` (default `CASE/.moneytrail/exports`).
    ///
    /// # Errors
    /// A log that cannot be read or is not a valid chain.
    pub fn new(engine: Engine, analyst: &str, exports: Option<PathBuf>) -> anyhow::Result<App> {
        let log = Log::open(&engine.opts.case_dir)?;
        let exports = exports.unwrap_or_else(|| engine.opts.case_dir.join(crate::workspace::DIR).join("exports"));
        Ok(App {
            engine,
            log,
            auth: auth::Auth::default(),
            analyst: analyst.trim().to_string(),
            exports,
            export_lock: std::sync::Mutex::new(()),
        })
    }
}

/// A server started by [`start`].
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    /// The shared state (to issue more login tokens in tests).
    pub app: Arc<App>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// A login URL carrying a new one-time token.
    ///
    /// # Errors
    /// No random source.
    pub fn login_url(&self) -> std::io::Result<String> {
        Ok(format!("http://{}/login?token={}", self.addr, self.app.auth.issue_token()?))
    }

    /// Stops the server and waits for it.
    ///
    /// # Errors
    /// The server's I/O error, if it failed.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(std::io::Error::other("the server thread panicked")),
            None => Ok(()),
        }
    }

    /// Serves until the process ends (the command line's `moneytrail serve`).
    ///
    /// # Errors
    /// The server's I/O error.
    pub fn wait(mut self) -> std::io::Result<()> {
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(std::io::Error::other("the server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// True for loopback addresses (127.0.0.0/8, ::1).
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Starts serving `app` on `listener` in a thread of its own (a tokio runtime with `threads`
/// workers, 0 = 2) and returns at once.
///
/// # Errors
/// When the runtime cannot start.
pub fn start(app: App, listener: TcpListener, threads: usize) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    let app = Arc::new(app);
    let router = routes::router(app.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(if threads == 0 { 2 } else { threads })
        .enable_io()
        .enable_time()
        .thread_name("moneytrail-serve")
        .build()?;
    let thread = std::thread::Builder::new().name("moneytrail-serve".into()).spawn(move || {
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(l, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        })
    })?;
    Ok(Running { addr, app, stop: Some(tx), thread: Some(thread) })
}
