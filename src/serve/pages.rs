//! Server-rendered pages. Every value from the case or the log goes through [`e`] (HTML text and
//! attributes) or [`enc`] (URL components); the pages hold no inline script (the
//! Content-Security-Policy forbids it), only data attributes that /assets/app.js reads.

use super::adapter::Engine;
use super::App;
use crate::patterns::Finding;
use crate::workspace::{Event, State, Status, Target, TargetKind};
use std::borrow::Cow;
use std::fmt::Write;

/// HTML-escapes text for content and quoted attributes.
pub fn e(s: &str) -> Cow<'_, str> {
    super::adapter::html(s)
}

/// Percent-encodes a URL path segment or query value (everything but unreserved characters).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The page frame: title, navigation, the session's CSRF token for the scripts.
pub fn layout(app: &App, title: &str, csrf: &str, page: &str, body: &str) -> String {
    let eng = &app.engine;
    let nav = [
        ("/", "Findings"),
        ("/explore", "Explorer"),
        ("/query", "Query"),
        ("/trace", "Tracing and assets"),
        ("/log", "Audit log"),
    ];
    let mut links = String::new();
    for (href, name) in nav {
        let _ = write!(links, "<a href=\"{href}\">{name}</a>");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · moneytrail</title>\
         <meta name=\"csrf-token\" content=\"{}\"><meta name=\"viewport\" content=\"width=device-width\">\
         <link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body data-page=\"{}\"><header><strong>moneytrail</strong> · case {} · audience <span id=\"audience\">{}</span> \
         · analyst <span id=\"analyst\">{}</span><nav>{links}</nav></header><main>{body}</main>\
         <footer>Every figure traces to a source file, line and SHA-256. Cytoscape.js is MIT-licensed \
         (<a href=\"/assets/vendor/cytoscape.LICENSE\">licence</a>).</footer>\
         <script src=\"/assets/vendor/cytoscape.min.js\"></script><script src=\"/assets/app.js\"></script></body></html>",
        e(title),
        e(csrf),
        e(page),
        e(&eng.view().meta.name),
        eng.audience().as_str(),
        e(&app.analyst),
    )
}

/// Filters and order of the findings list.
#[derive(Default, Clone, Debug)]
pub struct FindingFilter {
    /// Typology, exact.
    pub typology: Option<String>,
    /// Smallest score.
    pub min_score: Option<u32>,
    /// Suspect id (as shown).
    pub suspect: Option<String>,
    /// Status.
    pub status: Option<Status>,
    /// score, typology, total, first, suspect, status.
    pub sort: String,
    /// Ascending.
    pub asc: bool,
    /// Page (0-based) of [`PAGE`] rows.
    pub page: usize,
}

/// Rows per findings page.
pub const PAGE: usize = 100;

/// Indices of the findings passing `f`, in its order.
pub fn filter_findings(eng: &Engine, st: &State, f: &FindingFilter) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..eng.findings.len())
        .filter(|&i| {
            let x = &eng.findings[i];
            f.typology.as_deref().is_none_or(|t| x.typology == t)
                && f.min_score.is_none_or(|m| x.score >= m)
                && f.suspect.as_deref().is_none_or(|s| eng.suspect_of(x).is_some_and(|(id, _)| id == s))
                && f.status.is_none_or(|s| st.status_of(&x.id) == s)
        })
        .collect();
    let key_cmp = |a: &usize, b: &usize| {
        let (x, y) = (&eng.findings[*a], &eng.findings[*b]);
        let o = match f.sort.as_str() {
            "typology" => x.typology.cmp(y.typology),
            "total" => x.total.cmp(&y.total),
            "first" => x.first_at.cmp(&y.first_at),
            "suspect" => eng.suspect_of(x).cmp(&eng.suspect_of(y)),
            "status" => st.status_of(&x.id).cmp(&st.status_of(&y.id)),
            _ => x.score.cmp(&y.score),
        };
        if f.asc { o } else { o.reverse() }.then(a.cmp(b))
    };
    idx.sort_by(key_cmp);
    idx
}

fn opt_sel(v: &str, cur: Option<&str>) -> String {
    format!("<option value=\"{0}\"{1}>{0}</option>", e(v), if cur == Some(v) { " selected" } else { "" })
}

/// The findings list.
pub fn findings(app: &App, st: &State, f: &FindingFilter, csrf: &str) -> String {
    let eng = &app.engine;
    let idx = filter_findings(eng, st, f);
    let mut typologies: Vec<&str> = eng.findings.iter().map(|x| x.typology).collect();
    typologies.sort_unstable();
    typologies.dedup();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Findings</h1><p id=\"findings-count\">{} of {} findings (detected in {:.1} s; {} input rows rejected at ingest)</p>",
        idx.len(),
        eng.findings.len(),
        eng.load_seconds,
        eng.rejected
    );
    b.push_str("<form id=\"filters\" method=\"get\" action=\"/\"><label>Typology <select name=\"typology\"><option value=\"\">any</option>");
    for t in &typologies {
        b.push_str(&opt_sel(t, f.typology.as_deref()));
    }
    let _ = write!(
        b,
        "</select></label> <label>Score ≥ <input name=\"min_score\" type=\"number\" min=\"0\" max=\"100\" value=\"{}\"></label> \
         <label>Suspect <select name=\"suspect\"><option value=\"\">any</option>",
        f.min_score.map(|m| m.to_string()).unwrap_or_default()
    );
    for s in eng.suspect_ids() {
        b.push_str(&opt_sel(&s, f.suspect.as_deref()));
    }
    b.push_str("</select></label> <label>Status <select name=\"status\"><option value=\"\">any</option>");
    for s in Status::ALL {
        b.push_str(&opt_sel(s.as_str(), f.status.map(Status::as_str)));
    }
    let _ = write!(
        b,
        "</select></label> <input type=\"hidden\" name=\"sort\" value=\"{}\"><input type=\"hidden\" name=\"dir\" value=\"{}\">\
         <button>Filter</button> <a href=\"/\">clear</a></form>",
        e(&f.sort),
        if f.asc { "asc" } else { "desc" }
    );
    b.push_str(
        "<div class=\"bar\"><button type=\"button\" id=\"select-page\">Select all on this page</button> \
         <button type=\"button\" id=\"export-selected\">Export bundle of selected findings</button> \
         <button type=\"button\" id=\"export-all\">Export bundle of all findings</button> \
         <span id=\"export-result\" role=\"status\"></span></div>",
    );
    let qs = |sort: &str| {
        let asc = if f.sort == sort { !f.asc } else { false };
        let mut q = format!("?sort={sort}&dir={}", if asc { "asc" } else { "desc" });
        if let Some(t) = &f.typology {
            let _ = write!(q, "&typology={}", enc(t));
        }
        if let Some(m) = f.min_score {
            let _ = write!(q, "&min_score={m}");
        }
        if let Some(s) = &f.suspect {
            let _ = write!(q, "&suspect={}", enc(s));
        }
        if let Some(s) = f.status {
            let _ = write!(q, "&status={}", s.as_str());
        }
        q
    };
    b.push_str("<table id=\"findings\"><thead><tr><th></th><th>Finding</th>");
    for (k, name) in [
        ("typology", "Typology"),
        ("score", "Score"),
        ("suspect", "Suspect"),
        ("total", "Total"),
        ("first", "First"),
        ("status", "Status"),
    ] {
        let arrow = if f.sort == k || (f.sort.is_empty() && k == "score") {
            if f.asc {
                " ▲"
            } else {
                " ▼"
            }
        } else {
            ""
        };
        let _ = write!(b, "<th><a class=\"sort\" href=\"{}\">{name}{arrow}</a></th>", e(&qs(k)));
    }
    b.push_str("<th>Last</th><th>Accounts</th></tr></thead><tbody>");
    let base = eng.view().meta.base_currency.to_string();
    for &i in idx.iter().skip(f.page * PAGE).take(PAGE) {
        let x = &eng.findings[i];
        let status = st.status_of(&x.id);
        let suspect = eng.suspect_of(x).map(|(s, h)| format!("{} ({h} hops)", s)).unwrap_or_default();
        let _ = write!(
            b,
            "<tr data-finding=\"{id}\"><td><input type=\"checkbox\" class=\"pick\" value=\"{id}\" aria-label=\"select\"></td>\
             <td><a class=\"finding-link\" href=\"/finding/{url}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{} {base}</td><td>{}</td><td class=\"status status-{st}\">{st}</td><td>{}</td><td>{}</td></tr>",
            e(x.typology),
            x.score,
            e(&suspect),
            x.total.round_dp(2),
            x.first_at.map(|d| d.to_string()).unwrap_or_default(),
            x.last_at.map(|d| d.to_string()).unwrap_or_default(),
            x.accounts.len(),
            id = e(&x.id),
            url = enc(&x.id),
            st = status.as_str(),
        );
    }
    b.push_str("</tbody></table>");
    let pages = idx.len().div_ceil(PAGE);
    if pages > 1 {
        b.push_str("<p class=\"pages\">Page ");
        for p in 0..pages {
            let q = format!("{}&page={p}", qs(&f.sort));
            // qs flips the direction of the current sort; keep it for paging.
            let q = q.replace(
                &format!("dir={}", if f.asc { "desc" } else { "asc" }),
                &format!("dir={}", if f.asc { "asc" } else { "desc" }),
            );
            if p == f.page {
                let _ = write!(b, "<strong>{}</strong> ", p + 1);
            } else {
                let _ = write!(b, "<a href=\"{}\">{}</a> ", e(&q), p + 1);
            }
        }
        b.push_str("</p>");
    }
    layout(app, "Findings", csrf, "findings", &b)
}

/// The statement of a finding in one sentence.
pub fn statement(eng: &Engine, f: &Finding) -> String {
    let c = eng.view();
    let when = match (f.first_at, f.last_at) {
        (Some(a), Some(b)) => format!(" between {a} and {b}"),
        _ => String::new(),
    };
    let suspect = match eng.suspect_of(f) {
        Some((s, 0)) => format!(" It involves suspect {s} directly."),
        Some((s, h)) => format!(" The nearest suspect is {s}, {h} hops away."),
        None => " No suspect is within reach.".to_string(),
    };
    format!(
        "A {} pattern of score {} (of 100): {} transfers totalling {} {} across {} accounts{when}.{suspect}",
        f.typology,
        f.score,
        f.txns.len(),
        f.total.round_dp(2),
        c.meta.base_currency,
        f.accounts.len()
    )
}

fn notes_block(eng: &Engine, st: &State, kind: TargetKind, shown_id: &str, real_id: &str) -> String {
    let mut b = String::from("<section class=\"notes\"><h2>Notes</h2><ul id=\"notes\">");
    for n in st.notes(&Target { kind, id: real_id.to_string() }) {
        if let Event::Note { text, .. } = &n.event {
            let _ = write!(
                b,
                "<li><span class=\"who\">{} · {}</span> <span class=\"text\">{}</span></li>",
                e(&eng.scrub(&n.analyst)),
                e(&n.at),
                e(&eng.scrub(text))
            );
        }
    }
    let _ = write!(
        b,
        "</ul><form id=\"note-form\" data-kind=\"{}\" data-id=\"{}\"><textarea id=\"note-text\" rows=\"3\" cols=\"60\" \
         placeholder=\"Add a note\"></textarea><br><button type=\"submit\">Add note</button> <span id=\"note-result\" role=\"status\"></span></form></section>",
        kind.as_str(),
        e(shown_id)
    );
    b
}

/// A finding's page.
pub fn finding(app: &App, st: &State, f: &Finding, csrf: &str) -> String {
    let eng = &app.engine;
    let mut b = String::new();
    let rec = st.status(&f.id);
    let _ = write!(
        b,
        "<h1>Finding <span id=\"finding-id\">{}</span></h1><p class=\"statement\" id=\"statement\">{}</p>",
        e(&f.id),
        e(&statement(eng, f))
    );
    for n in &f.notes {
        let _ = write!(b, "<p class=\"structural\">Not checked: {}</p>", e(n));
    }
    let _ = write!(
        b,
        "<p><a id=\"explore-link\" href=\"/explore?finding={}\">Open in the graph explorer</a></p>",
        enc(&f.id)
    );
    // Triage.
    let _ = write!(
        b,
        "<section class=\"triage\"><h2>Triage</h2><p>Status: <strong id=\"status-current\" class=\"status status-{0}\">{0}</strong> \
         <span id=\"status-by\">{1}</span></p><form id=\"triage-form\" data-finding=\"{2}\" data-version=\"{3}\">\
         <label>New status <select id=\"triage-status\">",
        rec.as_ref().map_or("new", |r| r.status.as_str()),
        rec.as_ref()
            .map(|r| format!("set by {} at {}: {}", e(&eng.scrub(&r.analyst)), e(&r.at), e(&eng.scrub(&r.reason))))
            .unwrap_or_else(|| "never triaged".into()),
        e(&f.id),
        rec.as_ref().map_or(0, |r| r.version),
    );
    for s in Status::ALL {
        let _ = write!(b, "<option value=\"{0}\">{0}</option>", s.as_str());
    }
    b.push_str(
        "</select></label> <label>Reason <input id=\"triage-reason\" size=\"50\" required></label> \
         <button type=\"submit\" id=\"triage-save\">Save</button> <span id=\"triage-result\" role=\"status\"></span></form>",
    );
    let hist = st.history(&f.id);
    if !hist.is_empty() {
        b.push_str("<details><summary>History</summary><ol id=\"status-history\">");
        for h in hist {
            if let Event::Status { status, reason, version, .. } = &h.event {
                let _ = write!(
                    b,
                    "<li>v{version} {} by {} at {}: {}</li>",
                    status.as_str(),
                    e(&eng.scrub(&h.analyst)),
                    e(&h.at),
                    e(&eng.scrub(reason))
                );
            }
        }
        b.push_str("</ol></details>");
    }
    b.push_str("</section>");
    // Indicators.
    b.push_str("<h2>Indicators</h2><table id=\"indicators\"><thead><tr><th>Indicator</th><th>Points</th><th>What was measured</th></tr></thead><tbody>");
    for i in &f.indicators {
        let _ =
            write!(b, "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>", e(i.name), i.points, e(&i.detail));
    }
    b.push_str("</tbody></table>");
    if !f.not_evaluable.is_empty() {
        let _ = write!(b, "<p>Not evaluable on this data: {}</p>", e(&f.not_evaluable.join(", ")));
    }
    // Diagram.
    let _ = write!(b, "<h2>Diagram</h2><div class=\"diagram\" id=\"diagram\">{}</div>", eng.finding_svg(f));
    // Transfers.
    b.push_str(
        "<h2>Transfers</h2><table id=\"transfers\"><thead><tr><th>Transfer</th><th>Booked</th><th>From</th><th>To</th>\
         <th>Amount</th><th>Source (file:line)</th><th>File SHA-256</th></tr></thead><tbody>",
    );
    for t in eng.transfers_of(f) {
        let acct = |a: &str| {
            if a.is_empty() {
                "outside".to_string()
            } else {
                format!("<a href=\"/entity/account/{}\">{}</a>", enc(a), e(a))
            }
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} {}</td><td class=\"prov\">{}:{}</td>\
             <td class=\"sha\" title=\"{sha}\">{}</td></tr>",
            e(&t.txn_id),
            e(&t.at),
            acct(&t.from),
            acct(&t.to),
            e(&t.amount),
            e(&t.currency),
            e(&t.file),
            t.line,
            e(t.sha256.get(..16).unwrap_or(&t.sha256)),
            sha = e(&t.sha256),
        );
    }
    b.push_str("</tbody></table>");
    b.push_str(&notes_block(eng, st, TargetKind::Finding, &f.id, &f.id));
    layout(app, &format!("Finding {}", f.id), csrf, "finding", &b)
}

/// An account, person or company with its notes.
pub fn entity(app: &App, st: &State, kind: TargetKind, id: &str, real: &str, csrf: &str) -> String {
    let eng = &app.engine;
    let c = eng.view();
    let mut b = format!("<h1>{} <span id=\"entity-id\">{}</span></h1><dl>", kind.as_str(), e(id));
    let mut dd = |k: &str, v: &str| {
        let _ = write!(b, "<dt>{}</dt><dd>{}</dd>", e(k), e(v));
    };
    let key = match kind {
        TargetKind::Account => {
            if let Some(a) = c.accounts.rows.iter().find(|a| a.id == id) {
                dd("IBAN", a.iban.as_deref().unwrap_or("withheld or unknown"));
                dd("bank", a.bank.as_deref().unwrap_or(""));
                dd(
                    "holder",
                    &a.holder.map(|h| format!("{} ({})", c.entity_name(h), c.entity_id(h))).unwrap_or_default(),
                );
                dd("currency", &a.currency.to_string());
            }
            format!("A:{id}")
        }
        TargetKind::Person => {
            if let Some(p) = c.persons.rows.iter().find(|p| p.id == id) {
                dd("name", &p.full_name);
                dd("born", &p.birth_date.map(|d| d.to_string()).unwrap_or_default());
                dd("city", p.city.as_deref().unwrap_or(""));
            }
            format!("P:{id}")
        }
        TargetKind::Company => {
            if let Some(x) = c.companies.rows.iter().find(|x| x.id == id) {
                dd("name", &x.name);
            }
            format!("C:{id}")
        }
        TargetKind::Finding => String::new(),
    };
    b.push_str("</dl>");
    let _ = write!(b, "<p><a href=\"/explore?start={}\">Open in the graph explorer</a></p>", enc(&key));
    b.push_str(&notes_block(eng, st, kind, id, real));
    layout(app, &format!("{} {id}", kind.as_str()), csrf, "entity", &b)
}

/// The graph explorer (the graph itself is loaded by the script, node by node).
pub fn explore(app: &App, start: &str, finding: &str, csrf: &str) -> String {
    let eng = &app.engine;
    let c = eng.view();
    let (lo, hi) = if c.transfers.is_empty() {
        (0, 0)
    } else {
        let t = &c.transfers.booked_at;
        (t.iter().map(|d| d.0).min().unwrap_or(0), t.iter().map(|d| d.0).max().unwrap_or(0))
    };
    let mut sus = String::new();
    for s in eng.suspect_ids() {
        let _ = write!(sus, "<option value=\"P:{0}\">{0}</option>", e(&s));
    }
    let b = format!(
        "<h1>Graph explorer</h1><div class=\"controls\"><label>Start from <select id=\"start-suspect\"><option value=\"\">a suspect…</option>{sus}</select></label> \
         <label>or key <input id=\"start-key\" size=\"18\" placeholder=\"A:ACCOUNT, P:PERSON\"></label> <button id=\"start-go\" type=\"button\">Show</button> \
         <label>From <input type=\"date\" id=\"f-from\"></label> <label>To <input type=\"date\" id=\"f-to\"></label> \
         <label>Min amount <input type=\"number\" id=\"f-min\" min=\"0\" step=\"any\" size=\"10\"></label> \
         <label>Counterparties per expansion <input type=\"number\" id=\"f-limit\" value=\"25\" min=\"1\" max=\"500\"></label></div>\
         <div class=\"timebar\"><label>Time bar: show transfers up to <output id=\"timebar-label\"></output> \
         <input type=\"range\" id=\"timebar\" min=\"{lo}\" max=\"{hi}\" value=\"{hi}\" step=\"3600\"></label></div>\
         <div class=\"explorer\" id=\"explorer\" data-start=\"{}\" data-finding=\"{}\"><div id=\"cy\"></div>\
         <aside><p id=\"graph-stats\" role=\"status\">0 nodes · 0 edges</p><div id=\"details\"><p>Click a node to expand it; click an edge for its source rows.</p></div>\
         <h3>Nodes</h3><ul id=\"node-list\"></ul></aside></div>\
         <p class=\"legend\">Shapes and colours as in the evidence diagrams: suspect (red octagon), person (blue ellipse), company (amber box), \
         bank account (green), real estate (purple), cash (grey diamond); solid lines are bank or register rows, dashed inferred.</p>",
        e(start),
        e(finding),
    );
    layout(app, "Explorer", csrf, "explore", &b)
}

/// The query console.
pub fn query(app: &App, st: &State, csrf: &str) -> String {
    let eng = &app.engine;
    let mut lib = String::new();
    for (name, _) in super::assets::LIBRARY {
        let _ = write!(lib, "<option value=\"{0}\">{0}</option>", e(name));
    }
    let mut saved = String::new();
    for (name, _, _) in st.queries() {
        let _ = write!(saved, "<option value=\"{0}\">{0}</option>", e(&eng.scrub(name)));
    }
    let b = format!(
        "<h1>Query console</h1><p>openCypher-style pattern queries (docs/query-language.md), run on this audience's view of the case \
         with the command line's budgets (2,000,000 rows per operator, 120 s).</p>\
         <div class=\"controls\"><label>Library <select id=\"library\"><option value=\"\">queries/…</option>{lib}</select></label> \
         <label>Saved for this case <select id=\"saved\"><option value=\"\">…</option>{saved}</select></label></div>\
         <textarea id=\"query-text\" rows=\"12\" cols=\"100\" spellcheck=\"false\"></textarea><br>\
         <label>Parameters (name=value per line) <textarea id=\"query-params\" rows=\"2\" cols=\"60\"></textarea></label><br>\
         <button type=\"button\" id=\"run\">Run</button> <button type=\"button\" id=\"explain\">EXPLAIN</button> \
         <input id=\"save-name\" placeholder=\"name\" size=\"20\"> <button type=\"button\" id=\"save\">Save for the case</button> \
         <span id=\"query-status\" role=\"status\"></span>\
         <pre id=\"plan\" hidden></pre><div id=\"result-graph\"></div><div class=\"scroll\"><table id=\"result-table\"></table></div>"
    );
    layout(app, "Query", csrf, "query", &b)
}

/// Tracing and assets, rendered with their results when the form was sent.
pub fn trace(
    app: &App,
    csrf: &str,
    form: &std::collections::HashMap<String, String>,
    trace: Option<Result<super::adapter::TraceOut, String>>,
    assets: Option<Result<super::adapter::SuspectAssets, String>>,
) -> String {
    let eng = &app.engine;
    let g = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut rules = String::new();
    for r in ["all", "fifo", "lifo", "pro-rata", "libr", "poison"] {
        rules.push_str(&opt_sel(r, Some(g("rule")).filter(|s| !s.is_empty()).or(Some("all"))));
    }
    let mut sus = String::new();
    for s in eng.suspect_ids() {
        sus.push_str(&opt_sel(&s, Some(g("suspect"))));
    }
    let mut b = format!(
        "<h1>Tracing and assets</h1><form method=\"get\" action=\"/trace\" id=\"trace-form\"><h2>Trace proceeds</h2>\
         <label>Source account <input name=\"account\" value=\"{}\" required></label> <label>from <input type=\"date\" name=\"from\" value=\"{}\"></label> \
         <label>to <input type=\"date\" name=\"to\" value=\"{}\"></label> <label>Rule <select name=\"rule\">{rules}</select></label> \
         <button>Trace</button></form>",
        e(g("account")),
        e(g("from")),
        e(g("to"))
    );
    match trace {
        Some(Ok(t)) => {
            for r in &t.rules {
                let _ = write!(
                    b,
                    "<h3>{}</h3><p>{}</p><p>Introduced {} = exited {} + absorbed by overdraft {} + remaining {} {}</p>\
                     <table class=\"trace\"><thead><tr><th>Account</th><th>Holder</th><th>Tainted received</th><th>Tainted remaining</th></tr></thead><tbody>",
                    e(&r.rule),
                    e(&r.basis),
                    e(&r.introduced),
                    e(&r.exited),
                    e(&r.absorbed),
                    e(&r.remaining),
                    e(&eng.view().meta.base_currency.to_string())
                );
                for a in &r.accounts {
                    let _ = write!(
                        b,
                        "<tr><td><a href=\"/entity/account/{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                        enc(&a[0]),
                        e(&a[0]),
                        e(&a[1]),
                        e(&a[2]),
                        e(&a[3])
                    );
                }
                b.push_str("</tbody></table>");
                if !r.properties.is_empty() {
                    b.push_str(
                        "<table class=\"trace-properties\"><thead><tr><th>Property</th><th>Title holder</th>\
                         <th>Tainted purchase payments</th><th>Source rows</th></tr></thead><tbody>",
                    );
                    for p in &r.properties {
                        let _ = write!(
                            b,
                            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"prov\">{}</td></tr>",
                            e(&p[0]),
                            e(&p[1]),
                            e(&p[2]),
                            e(&p[3])
                        );
                    }
                    b.push_str("</tbody></table>");
                }
            }
        }
        Some(Err(msg)) => {
            let _ = write!(b, "<p class=\"error\">{}</p>", e(&msg));
        }
        None => {}
    }
    let _ = write!(
        b,
        "<form method=\"get\" action=\"/trace\" id=\"assets-form\"><h2>Assets and confiscable value</h2>\
         <label>Suspect <select name=\"suspect\">{sus}</select></label> <button>Value</button></form>"
    );
    match assets {
        Some(Ok(a)) => {
            let cur = eng.view().meta.base_currency.to_string();
            let _ = write!(
                b,
                "<p>Suspect {}: object-based {} .. {} {cur}; value-based {} .. {}; disproportion {} .. {}</p>\
                 <table id=\"assets\"><thead><tr><th>Asset</th><th>Kind</th><th>Share</th><th>Net attributable</th><th>Traced per rule</th>\
                 <th>Confiscable band</th><th>Basis</th><th>Evidence</th></tr></thead><tbody>",
                e(&a.suspect),
                e(&a.object_band.0),
                e(&a.object_band.1),
                e(&a.value_band.0),
                e(&a.value_band.1),
                e(&a.disproportion_band.0),
                e(&a.disproportion_band.1)
            );
            for x in &a.assets {
                let traced: Vec<String> = x.traced.iter().map(|(r, d)| format!("{r} {d}")).collect();
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} .. {}</td><td>{}</td><td class=\"prov\">{}</td></tr>",
                    e(&eng.scrub(&x.id)),
                    e(&eng.scrub(&x.kind)),
                    e(&x.share),
                    e(&x.net),
                    e(&traced.join(", ")),
                    e(&x.band.0),
                    e(&x.band.1),
                    e(&eng.scrub(&x.basis)),
                    e(&x.evidence.join(" "))
                );
            }
            b.push_str("</tbody></table>");
            for n in &a.notes {
                let _ = write!(b, "<p class=\"note\">{}</p>", e(&eng.scrub(n)));
            }
        }
        Some(Err(msg)) => {
            let _ = write!(b, "<p class=\"error\">{}</p>", e(&msg));
        }
        None => {}
    }
    layout(app, "Tracing and assets", csrf, "trace", &b)
}

/// The audit log.
pub fn log(app: &App, st: &State, csrf: &str) -> String {
    let eng = &app.engine;
    let v = crate::workspace::verify(&eng.opts.case_dir, None);
    let mut b = format!(
        "<h1>Audit log</h1><p>{} entries in <code>{}</code>; head SHA-256 <code id=\"log-head\">{}</code>. ",
        st.len(),
        e(&app.log.path().display().to_string()),
        e(&st.head)
    );
    match v {
        Ok(v) if v.problems.is_empty() => b.push_str("<span id=\"log-verify\">Chain verified.</span></p>"),
        Ok(v) => {
            let _ = write!(b, "<span id=\"log-verify\" class=\"error\">{}</span></p>", e(&v.problems.join("; ")));
        }
        Err(err) => {
            let _ = write!(b, "<span id=\"log-verify\" class=\"error\">{}</span></p>", e(&err.to_string()));
        }
    }
    b.push_str("<table id=\"log\"><thead><tr><th>#</th><th>When</th><th>Analyst</th><th>What</th></tr></thead><tbody>");
    for x in st.entries.iter().rev().take(500) {
        let what = match &x.event {
            Event::Status { finding, status, reason, version } => {
                format!("finding {finding}: {} (v{version}): {}", status.as_str(), eng.scrub(reason))
            }
            Event::Note { target, text } => format!(
                "note on {} {}: {}",
                target.kind.as_str(),
                eng.shown_id(target.kind, &target.id),
                eng.scrub(text)
            ),
            Event::Query { name, .. } => format!("saved query {}", eng.scrub(name)),
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            x.seq,
            e(&x.at),
            e(&eng.scrub(&x.analyst)),
            e(&what)
        );
    }
    b.push_str("</tbody></table>");
    layout(app, "Audit log", csrf, "log", &b)
}
