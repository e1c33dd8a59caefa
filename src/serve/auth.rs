//! Login and sessions: a one-time token (printed by `moneytrail serve`, as Jupyter does) is
//! exchanged for an HttpOnly, SameSite=Strict session cookie; every state-changing request must
//! carry the session's CSRF token in a header, as JSON, from this origin.

use axum::http::{header, HeaderMap, Method};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Name of the session cookie.
pub const COOKIE: &str = "mt_session";
/// Header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// One logged-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// The CSRF token pages embed and scripts send back.
    pub csrf: String,
    /// Who triages in this session.
    pub analyst: String,
}

/// Tokens and sessions of one server.
#[derive(Default)]
pub struct Auth {
    tokens: Mutex<HashSet<String>>,
    sessions: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes as hex.
///
/// # Errors
/// When the operating system has no random source.
pub fn random_token() -> std::io::Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Compares two secrets in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Auth {
    /// A new one-time login token.
    ///
    /// # Errors
    /// No random source.
    pub fn issue_token(&self) -> std::io::Result<String> {
        let t = random_token()?;
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).insert(t.clone());
        Ok(t)
    }

    /// Exchanges a login token (once) for a new session id.
    pub fn login(&self, token: &str, analyst: &str) -> Option<String> {
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let found = tokens.iter().find(|t| same(t, token)).cloned()?;
        tokens.remove(&found);
        drop(tokens);
        let id = random_token().ok()?;
        let csrf = random_token().ok()?;
        let s = Session { csrf, analyst: analyst.to_string() };
        self.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), s);
        Some(id)
    }

    /// The session of a request's cookie.
    pub fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let id = cookie(headers, COOKIE)?;
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.iter().find(|(k, _)| same(k, &id)).map(|(_, s)| s.clone())
    }
}

/// The value of cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Why a state-changing request is refused, or `None` when it may proceed: it must come from
/// this origin (Origin, when sent, names this host; Sec-Fetch-Site, when sent, is same-origin),
/// be JSON (a cross-site HTML form cannot send that type), and carry the session's CSRF token.
pub fn csrf_problem(method: &Method, headers: &HeaderMap, s: &Session) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(site) = h("sec-fetch-site") {
        if site != "same-origin" && site != "none" {
            return Some("cross-site request refused");
        }
    }
    if let (Some(origin), Some(host)) = (h("origin"), h("host")) {
        let o = origin.trim_start_matches("http://").trim_start_matches("https://");
        if o != host {
            return Some("request from another origin refused");
        }
    }
    if !h("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Some("state-changing requests must be JSON");
    }
    match h(CSRF_HEADER) {
        Some(t) if same(t, &s.csrf) => None,
        _ => Some("missing or wrong CSRF token"),
    }
}
