//! The router: pages, the JSON API, the embedded assets, and the guard in front of them all
//! (session, CSRF, security headers).

use super::adapter::Expand;
use super::auth::{csrf_problem, Session, COOKIE};
use super::pages::{self, FindingFilter};
use super::{assets, App};
use crate::workspace::{AppendError, Event, Status, Target, TargetKind};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

type AppState = State<Arc<App>>;
type Form = Query<HashMap<String, String>>;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every route of the workspace.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(findings_page))
        .route("/finding/{id}", get(finding_page))
        .route("/entity/{kind}/{id}", get(entity_page))
        .route("/explore", get(explore_page))
        .route("/query", get(query_page))
        .route("/trace", get(trace_page))
        .route("/log", get(log_page))
        .route("/assets/{*name}", get(asset))
        .route("/api/findings", get(api_findings))
        .route("/api/finding/{id}", get(api_finding))
        .route("/api/graph/expand", get(api_expand))
        .route("/api/graph/finding/{id}", get(api_finding_graph))
        .route("/api/library", get(api_library))
        .route("/api/saved-query", get(api_saved_query))
        .route("/api/status", post(api_status))
        .route("/api/note", post(api_note))
        .route("/api/query", post(api_query))
        .route("/api/query/save", post(api_save_query))
        .route("/api/export", post(api_export))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .route("/login", get(login))
        .layer(middleware::map_response(headers))
        .with_state(app)
}

async fn headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn error(code: StatusCode, msg: &str) -> Response {
    (code, Json(json!({ "error": msg }))).into_response()
}

/// 401 without a valid session; 403 for a state-changing request failing the CSRF checks.
async fn guard(State(app): AppState, mut req: Request, next: Next) -> Response {
    let Some(s) = app.auth.session(req.headers()) else {
        return (
            StatusCode::UNAUTHORIZED,
            Html("<!doctype html><title>401</title><p>401: not logged in. Open the login URL that <code>moneytrail serve</code> printed.</p>"),
        )
            .into_response();
    };
    if let Some(p) = csrf_problem(req.method(), req.headers(), &s) {
        return error(StatusCode::FORBIDDEN, p);
    }
    req.extensions_mut().insert(s);
    next.run(req).await
}

async fn login(State(app): AppState, q: Form) -> Response {
    let token = q.get("token").map(String::as_str).unwrap_or("");
    match app.auth.login(token, &app.analyst) {
        Some(id) => {
            let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/");
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        None => (
            StatusCode::UNAUTHORIZED,
            Html(
                "<!doctype html><title>401</title><p>401: this login link is wrong or was already used. Restart \
                  <code>moneytrail serve</code> for a new one.</p>",
            ),
        )
            .into_response(),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not found")
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::get(&name) {
        Some((ty, bytes)) => ([(header::CONTENT_TYPE, ty)], bytes).into_response(),
        None => error(StatusCode::NOT_FOUND, "not found"),
    }
}

/// Runs blocking work (file I/O, the engine) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(|_| error(StatusCode::INTERNAL_SERVER_ERROR, "the request failed"))
}

fn state_or_500(app: &App) -> Result<crate::workspace::State, Box<Response>> {
    app.log.refresh().map_err(|e| Box::new(error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())))
}

fn filter_of(q: &HashMap<String, String>) -> FindingFilter {
    let g = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    FindingFilter {
        typology: g("typology").map(String::from),
        min_score: g("min_score").and_then(|s| s.parse().ok()),
        suspect: g("suspect").map(String::from),
        status: g("status").and_then(|s| s.parse().ok()),
        sort: g("sort").unwrap_or("score").to_string(),
        asc: g("dir") == Some("asc"),
        page: g("page").and_then(|s| s.parse().ok()).unwrap_or(0),
    }
}

async fn findings_page(State(app): AppState, Extension(s): Extension<Session>, q: Form) -> Response {
    blocking(move || match state_or_500(&app) {
        Ok(st) => Html(pages::findings(&app, &st, &filter_of(&q), &s.csrf)).into_response(),
        Err(r) => *r,
    })
    .await
    .unwrap_or_else(|e| e)
}

async fn finding_page(State(app): AppState, Extension(s): Extension<Session>, Path(id): Path<String>) -> Response {
    blocking(move || {
        let Some(f) = app.engine.finding(&id) else { return error(StatusCode::NOT_FOUND, "no such finding") };
        match state_or_500(&app) {
            Ok(st) => Html(pages::finding(&app, &st, f, &s.csrf)).into_response(),
            Err(r) => *r,
        }
    })
    .await
    .unwrap_or_else(|e| e)
}

async fn entity_page(
    State(app): AppState,
    Extension(s): Extension<Session>,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    let Ok(kind) = kind.parse::<TargetKind>() else { return error(StatusCode::NOT_FOUND, "not found") };
    if kind == TargetKind::Finding {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/finding/{}", pages::enc(&id)))]).into_response();
    }
    let Some(real) = app.engine.real_id(kind, &id) else { return error(StatusCode::NOT_FOUND, "not in the case") };
    match state_or_500(&app) {
        Ok(st) => Html(pages::entity(&app, &st, kind, &id, &real, &s.csrf)).into_response(),
        Err(r) => *r,
    }
}

async fn explore_page(State(app): AppState, Extension(s): Extension<Session>, q: Form) -> Response {
    let g = |k: &str| q.get(k).cloned().unwrap_or_default();
    Html(pages::explore(&app, &g("start"), &g("finding"), &s.csrf)).into_response()
}

async fn query_page(State(app): AppState, Extension(s): Extension<Session>) -> Response {
    match state_or_500(&app) {
        Ok(st) => Html(pages::query(&app, &st, &s.csrf)).into_response(),
        Err(r) => *r,
    }
}

async fn trace_page(State(app): AppState, Extension(s): Extension<Session>, q: Form) -> Response {
    blocking(move || {
        let g = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let trace = g("account").map(|acct| app.engine.trace(acct, g("from"), g("to"), g("rule").unwrap_or("all")));
        let assets = g("suspect").map(|sus| app.engine.assets(sus));
        Html(pages::trace(&app, &s.csrf, &q, trace, assets)).into_response()
    })
    .await
    .unwrap_or_else(|e| e)
}

async fn log_page(State(app): AppState, Extension(s): Extension<Session>) -> Response {
    blocking(move || match state_or_500(&app) {
        Ok(st) => Html(pages::log(&app, &st, &s.csrf)).into_response(),
        Err(r) => *r,
    })
    .await
    .unwrap_or_else(|e| e)
}

async fn api_findings(State(app): AppState, q: Form) -> Response {
    let st = match state_or_500(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let eng = &app.engine;
    let f = filter_of(&q);
    let idx = pages::filter_findings(eng, &st, &f);
    let rows: Vec<_> = idx
        .iter()
        .skip(f.page * pages::PAGE)
        .take(pages::PAGE)
        .map(|&i| {
            let x = &eng.findings[i];
            json!({
                "id": x.id, "typology": x.typology, "score": x.score, "total": x.total.to_string(),
                "suspect": eng.suspect_of(x).map(|s| s.0), "status": st.status_of(&x.id).as_str(),
                "version": st.version_of(&x.id), "accounts": eng.accounts_of(x),
            })
        })
        .collect();
    Json(json!({ "total": idx.len(), "findings": rows })).into_response()
}

async fn api_finding(State(app): AppState, Path(id): Path<String>) -> Response {
    let eng = &app.engine;
    let Some(f) = eng.finding(&id) else { return error(StatusCode::NOT_FOUND, "no such finding") };
    let st = match state_or_500(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let indicators: Vec<_> =
        f.indicators.iter().map(|i| json!({"name": i.name, "points": i.points, "detail": i.detail})).collect();
    Json(json!({
        "id": f.id, "typology": f.typology, "score": f.score, "statement": pages::statement(eng, f),
        "indicators": indicators, "transfers": eng.transfers_of(f), "accounts": eng.accounts_of(f),
        "status": st.status(&f.id), "suspect": eng.suspect_of(f).map(|s| s.0),
    }))
    .into_response()
}

async fn api_expand(State(app): AppState, q: Form) -> Response {
    let g = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let f = Expand::parse(g("from"), g("to"), g("min"), g("limit"));
    let key = g("key").unwrap_or("").to_string();
    match blocking(move || app.engine.expand(&key, &f)).await {
        Ok(Some(sg)) => Json(sg).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such node"),
        Err(r) => r,
    }
}

async fn api_finding_graph(State(app): AppState, Path(id): Path<String>) -> Response {
    match app.engine.finding(&id) {
        Some(f) => Json(app.engine.finding_graph(f)).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such finding"),
    }
}

async fn api_library() -> Response {
    let v: Vec<_> = assets::LIBRARY.iter().map(|(n, t)| json!({"name": n, "text": t})).collect();
    Json(v).into_response()
}

async fn api_saved_query(State(app): AppState, q: Form) -> Response {
    let st = match state_or_500(&app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let name = q.get("name").map(String::as_str).unwrap_or("");
    match st.queries().into_iter().find(|(n, _, _)| app.engine.scrub(n) == name) {
        Some((_, text, _)) => Json(json!({"name": name, "text": app.engine.scrub(text)})).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such saved query"),
    }
}

fn append_response(app: &App, r: Result<(crate::workspace::Entry, crate::workspace::State), AppendError>) -> Response {
    match r {
        Ok((e, st)) => {
            Json(json!({"seq": e.seq, "at": e.at, "analyst": app.engine.scrub(&e.analyst), "head": st.head}))
                .into_response()
        }
        Err(AppendError::Conflict(m)) => error(StatusCode::CONFLICT, &m),
        Err(AppendError::Invalid(m)) => error(StatusCode::BAD_REQUEST, &m),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct StatusReq {
    finding: String,
    status: String,
    reason: String,
    version: u64,
}

async fn api_status(State(app): AppState, Extension(s): Extension<Session>, Json(r): Json<StatusReq>) -> Response {
    let Ok(status) = r.status.parse::<Status>() else { return error(StatusCode::BAD_REQUEST, "unknown status") };
    if app.engine.finding(&r.finding).is_none() {
        return error(StatusCode::NOT_FOUND, "no such finding");
    }
    if r.reason.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "give a reason for the status");
    }
    blocking(move || {
        let ev = Event::Status {
            finding: r.finding.clone(),
            status,
            reason: r.reason.trim().to_string(),
            version: r.version + 1,
        };
        let res = app.log.append(&s.analyst, ev, |st| {
            let cur = st.status(&r.finding);
            let v = cur.as_ref().map_or(0, |c| c.version);
            if v == r.version {
                Ok(())
            } else {
                let c = cur.map(|c| format!("{} by {} at {}", c.status, c.analyst, c.at)).unwrap_or_default();
                Err(format!(
                    "finding {} is at version {v} ({}), not {}: reload the page to see the change",
                    r.finding,
                    app.engine.scrub(&c),
                    r.version
                ))
            }
        });
        append_response(&app, res)
    })
    .await
    .unwrap_or_else(|e| e)
}

#[derive(Deserialize)]
struct NoteReq {
    kind: String,
    id: String,
    text: String,
}

async fn api_note(State(app): AppState, Extension(s): Extension<Session>, Json(r): Json<NoteReq>) -> Response {
    let Ok(kind) = r.kind.parse::<TargetKind>() else { return error(StatusCode::BAD_REQUEST, "unknown note target") };
    let Some(real) = app.engine.real_id(kind, &r.id) else { return error(StatusCode::NOT_FOUND, "not in the case") };
    if r.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "the note is empty");
    }
    blocking(move || {
        let ev = Event::Note { target: Target { kind, id: real }, text: r.text.trim().to_string() };
        append_response(&app, app.log.append(&s.analyst, ev, |_| Ok(())))
    })
    .await
    .unwrap_or_else(|e| e)
}

#[derive(Deserialize)]
struct QueryReq {
    text: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    explain: bool,
}

async fn api_query(State(app): AppState, Json(r): Json<QueryReq>) -> Response {
    match blocking(move || app.engine.query(&r.text, &r.params, r.explain)).await {
        Ok(Ok(out)) => Json(out).into_response(),
        Ok(Err(msg)) => error(StatusCode::UNPROCESSABLE_ENTITY, &msg),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct SaveReq {
    name: String,
    text: String,
}

async fn api_save_query(State(app): AppState, Extension(s): Extension<Session>, Json(r): Json<SaveReq>) -> Response {
    if r.name.trim().is_empty() || r.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "give the query a name and a text");
    }
    if let Err(e) = app.engine.check_query(&r.text) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, &e);
    }
    blocking(move || {
        let ev = Event::Query { name: r.name.trim().to_string(), text: r.text };
        append_response(&app, app.log.append(&s.analyst, ev, |_| Ok(())))
    })
    .await
    .unwrap_or_else(|e| e)
}

#[derive(Deserialize)]
struct ExportReq {
    #[serde(default)]
    findings: Vec<String>,
    #[serde(default)]
    all: bool,
}

async fn api_export(State(app): AppState, Json(r): Json<ExportReq>) -> Response {
    blocking(move || export(&app, r)).await.unwrap_or_else(|e| e)
}

fn export(app: &App, r: ExportReq) -> Response {
    let eng = &app.engine;
    let selection: Option<BTreeSet<String>> = if r.all {
        None
    } else {
        let sel: BTreeSet<String> = r.findings.into_iter().collect();
        if sel.is_empty() {
            return error(StatusCode::BAD_REQUEST, "select at least one finding");
        }
        if let Some(bad) = sel.iter().find(|id| eng.finding(id).is_none()) {
            return error(StatusCode::BAD_REQUEST, &format!("no finding {bad}"));
        }
        // Every finding selected is the same bundle as `investigate`'s.
        if sel.len() == eng.findings.len() {
            None
        } else {
            Some(sel)
        }
    };
    let _one = app.export_lock.lock().unwrap_or_else(|p| p.into_inner());
    let st = match state_or_500(app) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let stamp = match eng.workspace_stamp(&st, selection.as_ref()) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let n = (1..).find(|n| !app.exports.join(format!("bundle-{n:03}")).exists()).unwrap_or(1);
    let out = app.exports.join(format!("bundle-{n:03}"));
    match eng.export(&out, selection.clone(), stamp) {
        Ok(sum) => {
            let (ok, problems) = eng.verify_bundle(&out);
            Json(json!({
                "dir": out.display().to_string(), "findings": sum.findings, "files": sum.outputs + 1,
                "manifest_sha256": sum.manifest_sha256, "verified_files": ok, "verify_problems": problems,
                "log_head_sha256": if st.is_empty() { None } else { Some(st.head.clone()) },
            }))
            .into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &format!("{e:#}")),
    }
}
