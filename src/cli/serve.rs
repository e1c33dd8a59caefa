//! `moneytrail serve CASE [--bind 127.0.0.1:8765] [--audience A]`: the investigation workspace
//! in the browser (findings, explorer, query console, tracing, triage, notes, export).

use anyhow::{bail, Context, Result};
use moneytrail::serve::adapter::{Engine, EngineOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder (its .moneytrail/workspace.log holds triage, notes and saved queries).
    case: PathBuf,
    #[command(flatten)]
    load: super::common::LoadArgs,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8765")]
    bind: SocketAddr,
    /// Allow an address other than loopback (127.0.0.0/8, ::1): anyone who can reach it and
    /// has the login URL sees the case. Only with TLS in front, on a network you control.
    #[arg(long)]
    allow_remote: bool,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
    /// The analyst's name recorded with every status, note and saved query (default: $USER).
    #[arg(long)]
    analyst: Option<String>,
    /// Draw exported bundles with moneytrail's own SVG layout even when Graphviz is installed.
    #[arg(long)]
    no_graphviz: bool,
    /// Folder for exported bundles (default CASE/.moneytrail/exports).
    #[arg(long)]
    exports: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    // main() restores the default SIGPIPE action for piped output; a server must not die when
    // a browser closes a connection while a vectored write (which has no MSG_NOSIGNAL) is in
    // flight, so it ignores SIGPIPE again and sees EPIPE as an error of that one connection.
    #[cfg(unix)]
    // SAFETY: signal(2) with SIGPIPE and SIG_IGN, before the server starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    if !moneytrail::serve::is_loopback(&a.bind) && !a.allow_remote {
        bail!(
            "--bind {}: not a loopback address; the workspace shows case data to whoever reaches it. Add --allow-remote \
             to bind it anyway",
            a.bind
        );
    }
    let analyst = a
        .analyst
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "analyst".into());
    let audience = a.audience.audience;
    // As every command does: the passphrase of a case folder is checked against its key check
    // before anything is loaded (a typo is refused, a kept pseudonym key applied).
    let (protection, passphrase) = match a.audience.key.passphrase()? {
        Some(p) if a.case.join("case.toml").is_file() => {
            let name = super::key::case_name(&a.case, a.load.mapping.as_deref())?;
            (Some(super::key::checked_keys(&a.case, &name, &p)?), None)
        }
        p => (None, p),
    };
    eprintln!("loading {} for the {} audience ...", a.case.display(), audience.as_str());
    let engine = Engine::load(EngineOptions {
        case_dir: a.case.clone(),
        mapping: a.load.mapping.clone(),
        audience,
        protection,
        passphrase,
        no_resolve: a.load.no_resolve,
        graphviz: !a.no_graphviz,
    })?;
    eprintln!("{} findings in {:.1} s", engine.findings.len(), engine.load_seconds);
    let app = moneytrail::serve::App::new(engine, &analyst, a.exports.clone())?;
    let listener = std::net::TcpListener::bind(a.bind).with_context(|| format!("cannot listen on {}", a.bind))?;
    let running = moneytrail::serve::start(app, listener, 0)?;
    if !moneytrail::serve::is_loopback(&running.addr) {
        eprintln!(
            "WARNING: listening on {}, which is not loopback: the case is reachable from the network; anyone with \
             the login URL below sees it. Plain HTTP: put TLS in front.",
            running.addr
        );
    }
    println!("moneytrail workspace for {} (analyst {analyst}); open this one-time login URL:", a.case.display());
    println!("    {}", running.login_url()?);
    println!(
        "Press Ctrl-C to stop. Triage, notes and saved queries go to {}",
        moneytrail::workspace::log_path(&a.case).display()
    );
    running.wait()?;
    Ok(ExitCode::SUCCESS)
}
