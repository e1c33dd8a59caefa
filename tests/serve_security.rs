//! The workspace server's security (issue 19), over real HTTP on 127.0.0.1 port 0: 401 without
//! a session or with a wrong or used token; cross-site and token-less POSTs refused; no path
//! outside the embedded assets served; hostile names inert in every page and API response; and
//! the police audience never receiving a protected person's name, id or IBAN in any response.

#[path = "common/http.rs"]
mod http;

use http::{contains_token, copy_dir, enc, protected_needles, request, Resp, Session};
use moneytrail::serve::adapter::{Engine, EngineOptions};
use moneytrail::serve::{self, App, Running};
use moneytrail::victims::view::Audience;
use moneytrail::victims::Protection;
use serde_json::json;
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

fn demo_copy(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &case);
    case
}

fn key() -> Protection {
    Protection::from_master([7; 32], [0; 16])
}

fn start(case: &Path, audience: Audience) -> Running {
    let engine = Engine::load(EngineOptions {
        case_dir: case.to_path_buf(),
        mapping: None,
        audience,
        protection: Some(key()),
        passphrase: None,
        no_resolve: false,
        graphviz: false,
    })
    .unwrap();
    let app = App::new(engine, "Test Analyst", None).unwrap();
    serve::start(app, TcpListener::bind("127.0.0.1:0").unwrap(), 2).unwrap()
}

#[test]
fn requests_without_a_session_or_with_a_wrong_token_get_401() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let srv = start(&case, Audience::Police);
    let a = srv.addr;
    for path in ["/", "/api/findings", "/finding/x", "/explore", "/query", "/trace", "/log", "/assets/app.js", "/nope"]
    {
        assert_eq!(request(a, "GET", path, &[], b"").status, 401, "{path} without a session");
        let r = request(a, "GET", path, &[("Cookie", "mt_session=0123456789abcdef")], b"");
        assert_eq!(r.status, 401, "{path} with a made-up session");
    }
    let post = request(a, "POST", "/api/status", &[("Content-Type", "application/json")], b"{}");
    assert_eq!(post.status, 401);
    assert_eq!(request(a, "GET", "/login?token=wrong", &[], b"").status, 401, "wrong token");
    assert_eq!(request(a, "GET", "/login", &[], b"").status, 401, "no token");
    let url = srv.login_url().unwrap();
    let s = Session::login(a, &url);
    assert_eq!(s.get("/").status, 200, "the session works");
    let again = request(a, "GET", &url[url.find("/login").unwrap()..], &[], b"");
    assert_eq!(again.status, 401, "a login token works once");
}

#[test]
fn cross_site_and_tokenless_posts_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let srv = start(&case, Audience::Police);
    let s = Session::login(srv.addr, &srv.login_url().unwrap());
    let fid = s.get("/api/findings").json()["findings"][0]["id"].as_str().unwrap().to_string();
    let body = json!({"finding": fid, "status": "confirmed", "reason": "cross-site", "version": 0}).to_string();
    let c = s.cookie.as_str();
    let good_origin = format!("http://{}", srv.addr);
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "another origin",
            vec![
                ("Cookie", c),
                ("Content-Type", "application/json"),
                ("X-CSRF-Token", &s.csrf),
                ("Origin", "http://evil.example"),
            ],
        ),
        (
            "Sec-Fetch-Site cross-site",
            vec![
                ("Cookie", c),
                ("Content-Type", "application/json"),
                ("X-CSRF-Token", &s.csrf),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ),
        (
            "an HTML form post",
            vec![("Cookie", c), ("Content-Type", "application/x-www-form-urlencoded"), ("Origin", &good_origin)],
        ),
        ("no CSRF token", vec![("Cookie", c), ("Content-Type", "application/json"), ("Origin", &good_origin)]),
        ("a wrong CSRF token", vec![("Cookie", c), ("Content-Type", "application/json"), ("X-CSRF-Token", "00ff")]),
    ];
    for (what, headers) in &cases {
        let r = request(srv.addr, "POST", "/api/status", headers, body.as_bytes());
        assert_eq!(r.status, 403, "{what}: {}", r.text());
    }
    assert!(!moneytrail::workspace::log_path(&case).exists(), "nothing was written");
    let ok = s.post("/api/status", &serde_json::from_str(&body).unwrap());
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(moneytrail::workspace::verify(&case, None).unwrap().entries, 1);
}

#[test]
fn path_traversal_serves_nothing_outside_the_embedded_assets() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    std::fs::write(case.join("secret.txt"), "TOP-SECRET-MARKER").unwrap();
    let srv = start(&case, Audience::Police);
    let s = Session::login(srv.addr, &srv.login_url().unwrap());
    assert_eq!(s.get("/assets/app.js").status, 200);
    let lic = s.get("/assets/vendor/cytoscape.LICENSE");
    assert!(lic.status == 200 && lic.text().contains("Cytoscape Consortium"));
    for t in [
        "/assets/../Cargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/vendor/../../../../../../etc/passwd",
        "/assets/..%5c..%5cCargo.toml",
        "/assets//etc/passwd",
        "/assets/%2fetc%2fpasswd",
        "/../../etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/assets/secret.txt",
        "/assets/../secret.txt",
        "/assets/mod.rs",
        "/assets/../adapter.rs",
        "/finding/..%2f..%2fsecret.txt",
        "/entity/account/..%2fsecret.txt",
    ] {
        let r = s.get(t);
        let body = r.text();
        assert!(r.status == 404 || r.status == 400, "{t}: status {}", r.status);
        assert!(
            !body.contains("root:") && !body.contains("[package]") && !body.contains("TOP-SECRET-MARKER"),
            "{t} served a file"
        );
    }
}

const HOSTILE: [&str; 3] = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "javascript:alert(3)"];

/// A demo case with hostile names on a suspect, a company, a bank and a transfer reference.
fn hostile_case(dir: &Path) -> PathBuf {
    let case = demo_copy(dir);
    let edit = |file: &str, f: &dyn Fn(&str) -> String| {
        let p = case.join(file);
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(&t)).unwrap();
    };
    // Quote the hostile text as CSV would.
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    edit("persons.csv", &|t| {
        t.lines()
            .map(|l| {
                if l.starts_with("P000063,") {
                    let rest: Vec<&str> = l.splitn(3, ',').collect();
                    format!("{},{},{}", rest[0], q(HOSTILE[0]), rest[2])
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    edit("companies.csv", &|t| t.replacen("Banka Kombëtare Tregtare SH.A.", &q(HOSTILE[1]), 1));
    edit("accounts.csv", &|t| t.replace("Raiffeisen Bank", HOSTILE[2]));
    case
}

/// The attributes of a tag's text (`a href="x" class=y`): names and unquoted values.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map_or("", |x| x.1);
    while !rest.trim().is_empty() {
        rest = rest.trim_start().trim_start_matches('/');
        let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..end].to_string();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            if let Some(q) = r.strip_prefix('"') {
                let close = q.find('"').unwrap_or(q.len());
                value = q[..close].to_string();
                rest = q.get(close + 1..).unwrap_or("");
            } else {
                let close = r.find(char::is_whitespace).unwrap_or(r.len());
                value = r[..close].to_string();
                rest = &r[close..];
            }
        }
        if name.is_empty() {
            break;
        }
        out.push((name, value));
    }
    out
}

fn assert_inert(what: &str, r: &Resp) {
    let ty = r.header("content-type").unwrap_or("");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}");
    let csp = r.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline'; img") || csp.contains("script-src 'self';"),
        "{what}: {csp}"
    );
    if ty.starts_with("text/html") {
        let body = r.text();
        // Markup must arrive escaped; `javascript:` is inert as text and checked in URLs below.
        for h in &HOSTILE[..2] {
            assert!(!body.contains(h), "{what}: raw {h:?} in HTML");
        }
        let lower = body.to_ascii_lowercase();
        assert!(!lower.contains("<img"), "{what}: an <img> element in HTML");
        // Inside the markup itself (escaped text holds no `<`): no event handler, no script URL.
        for tag in lower.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
            for (name, value) in attributes(tag) {
                assert!(!name.starts_with("on"), "{what}: an event handler in <{tag}>");
                let url = matches!(name.as_str(), "href" | "src" | "action" | "xlink:href" | "formaction");
                assert!(
                    !(url && value.trim_start().starts_with("javascript:")),
                    "{what}: a javascript: URL in <{tag}>"
                );
            }
        }
        assert_eq!(lower.matches("<script").count(), 2, "{what}: only the two embedded scripts");
        assert!(!lower.contains("<script>"), "{what}: an inline script");
    } else {
        assert!(ty.starts_with("application/json") || r.status == 303, "{what}: type {ty}");
    }
}

#[test]
fn hostile_names_stay_inert_in_every_page_and_api_response() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hostile_case(tmp.path());
    // The court sees names in clear: the most hostile text reaches the pages.
    let srv = start(&case, Audience::Court);
    let s = Session::login(srv.addr, &srv.login_url().unwrap());
    let seen: std::cell::RefCell<Vec<(String, Resp)>> = Default::default();
    let get = |t: &str| {
        let r = s.get(t);
        assert!(r.status < 500, "{t}: {}", r.status);
        seen.borrow_mut().push((t.to_string(), r.clone()));
        r
    };
    let list = get("/api/findings");
    let ids: Vec<String> =
        list.json()["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect();
    assert!(!ids.is_empty());
    for p in ["/", "/?sort=suspect&dir=asc", "/explore", "/query", "/log", "/trace?suspect=P000063", "/api/library"] {
        get(p);
    }
    for id in &ids {
        get(&format!("/finding/{}", enc(id)));
        get(&format!("/api/finding/{}", enc(id)));
        get(&format!("/api/graph/finding/{}", enc(id)));
    }
    for key in ["P:P000063", "C:C00001", "A:A0000001", "A:A0000002"] {
        get(&format!("/api/graph/expand?key={}", enc(key)));
        get(&format!("/explore?start={}", enc(key)));
    }
    get("/entity/person/P000063");
    get("/entity/company/C00001");
    get("/entity/account/A0000002");
    get("/trace?account=A0000002&rule=fifo");
    // Hostile text written by an analyst: a note, a reason, a saved query name.
    for (url, body) in [
        ("/api/note", json!({"kind": "person", "id": "P000063", "text": HOSTILE.join(" ")})),
        ("/api/status", json!({"finding": ids[0], "status": "dismissed", "reason": HOSTILE.join(" "), "version": 0})),
        ("/api/query/save", json!({"name": HOSTILE[1], "text": "MATCH (p:Person) RETURN p.id, p.full_name"})),
        ("/api/query", json!({"text": "MATCH (p:Person) RETURN p.id AS id, p.full_name AS name, p", "params": {}})),
        ("/api/query", json!({"text": "MATCH (c:Company)<-[h:HOLDS]-(a) RETURN c, h, a", "params": {}})),
    ] {
        let r = s.post(url, &body);
        assert!(r.status < 500, "{url}: {}", r.text());
        seen.borrow_mut().push((url.to_string(), r));
    }
    let q = seen.borrow().last().unwrap().1.json();
    for p in ["/entity/person/P000063", "/log", "/query", &format!("/finding/{}", enc(&ids[0]))] {
        get(p);
    }
    let names = s.post("/api/query", &json!({"text": "MATCH (p:Person) RETURN p.full_name AS name", "params": {}}));
    assert!(names.text().contains("alert(1)"), "the hostile name is in the data the page shows, as data");
    seen.borrow_mut().push(("query names".into(), names));
    let person = seen.borrow().iter().find(|(t, _)| t == "/entity/person/P000063").unwrap().1.text();
    assert!(person.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown escaped");
    assert!(q.is_object());
    for (t, r) in seen.borrow().iter() {
        assert_inert(t, r);
    }
}

#[test]
fn the_police_audience_never_receives_a_protected_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let needles = protected_needles(&case, &key());
    let srv = start(&case, Audience::Police);
    let s = Session::login(srv.addr, &srv.login_url().unwrap());
    let seen: std::cell::RefCell<Vec<(String, Resp)>> = Default::default();
    let get = |t: &str| -> Resp {
        let r = s.get(t);
        seen.borrow_mut().push((t.to_string(), r.clone()));
        r
    };
    let home = get("/");
    let list = get("/api/findings");
    let findings = list.json()["findings"].as_array().unwrap().clone();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for f in &findings {
        let id = f["id"].as_str().unwrap();
        get(&format!("/finding/{}", enc(id)));
        get(&format!("/api/finding/{}", enc(id)));
        let g = get(&format!("/api/graph/finding/{}", enc(id))).json();
        for n in g["nodes"].as_array().unwrap() {
            keys.insert(n["id"].as_str().unwrap().to_string());
        }
    }
    // Expand every node reached from the findings, and one ring further.
    let mut frontier: Vec<String> = keys.iter().cloned().collect();
    for _ in 0..2 {
        let mut next = Vec::new();
        for k in frontier.iter().take(400) {
            let g = get(&format!("/api/graph/expand?key={}&limit=50", enc(k))).json();
            for n in g["nodes"].as_array().into_iter().flatten() {
                let id = n["id"].as_str().unwrap().to_string();
                if keys.insert(id.clone()) {
                    next.push(id);
                }
            }
        }
        frontier = next;
    }
    for k in &keys {
        if let Some((kind, id)) = k.split_once(':') {
            let kind = match kind {
                "A" => "account",
                "P" => "person",
                "C" => "company",
                _ => continue,
            };
            get(&format!("/entity/{kind}/{}", enc(id)));
        }
    }
    for p in ["/explore", "/query", "/log", "/api/library", "/trace?account=A0000114&rule=all"] {
        get(p);
    }
    let suspects: Vec<String> = home
        .text()
        .split("<select name=\"suspect\">")
        .nth(1)
        .unwrap()
        .split("</select>")
        .next()
        .unwrap()
        .split("value=\"")
        .skip(2)
        .map(|v| v.split('"').next().unwrap().to_string())
        .collect();
    assert!(!suspects.is_empty());
    for sus in &suspects {
        let r = get(&format!("/trace?suspect={}", enc(sus)));
        assert!(r.text().contains("object-based") && r.text().contains("<table id=\"assets\">"), "asset view of {sus}");
    }
    let tr = seen.borrow().iter().find(|(t, _)| t.starts_with("/trace?account=")).unwrap().1.text();
    assert!(tr.contains("Introduced") && tr.contains("class=\"trace\""), "the trace ran");
    // Every library query (with the demo's ids for the parameterised ones), as the console runs them.
    let lib = get("/api/library").json();
    let mut posts = Vec::new();
    for q in lib.as_array().unwrap() {
        let params =
            json!({"account": "A0000114", "suspect": suspects[0], "threshold": "1000000", "company": "C00031"});
        posts.push(("/api/query", json!({"text": q["text"], "params": params})));
    }
    posts.push((
        "/api/query",
        json!({"text": "MATCH (p:Person) RETURN p.id, p.full_name, p.national_id, p", "params": {}}),
    ));
    posts.push(("/api/query", json!({"text": "MATCH (a:Account) RETURN a.id, a.iban, a", "params": {}})));
    posts.push(("/api/note", json!({"kind": "finding", "id": findings[0]["id"], "text": "looked at it"})));
    posts.push((
        "/api/status",
        json!({"finding": findings[0]["id"], "status": "confirmed", "reason": "ok", "version": 0}),
    ));
    posts.push(("/api/export", json!({"findings": [findings[0]["id"]]})));
    for (url, body) in posts {
        let r = s.post(url, &body);
        assert!(r.status < 500, "{url}: {}", r.text());
        seen.borrow_mut().push((url.to_string(), r));
    }
    get("/log");
    let mut leaks = Vec::new();
    let seen = seen.into_inner();
    for (t, r) in &seen {
        let text = r.text();
        for n in &needles {
            if contains_token(&text, n) {
                leaks.push(format!("{t}: {n}"));
            }
        }
    }
    assert!(seen.len() > 100, "{} responses scanned", seen.len());
    assert!(leaks.is_empty(), "protected identifiers in {} responses:\n{}", leaks.len(), leaks.join("\n"));
    // The pseudonyms are there instead.
    assert!(seen.iter().any(|(_, r)| r.text().contains("PP-")), "pseudonyms shown");
}

#[test]
fn the_command_line_binds_loopback_and_prints_a_one_time_url() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let bin = env!("CARGO_BIN_EXE_moneytrail");
    // A non-loopback address needs the explicit flag.
    let o = std::process::Command::new(bin)
        .args(["serve", "--bind", "0.0.0.0:0"])
        .arg(&case)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allow-remote"));
    // Outside the court, a case with protected persons needs the passphrase (fails closed).
    let o = std::process::Command::new(bin)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .arg(&case)
        .env_remove("MONEYTRAIL_SEAL_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("passphrase"));
    let mut child = std::process::Command::new(bin)
        .args(["serve", "--bind", "127.0.0.1:0", "--analyst", "Dana"])
        .arg(&case)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
            break;
        }
        if let Some(i) = line.find("http://127.0.0.1:") {
            url = line[i..].trim().to_string();
            break;
        }
    }
    assert!(url.contains("/login?token="), "printed a login URL");
    let addr: std::net::SocketAddr = url["http://".len()..url.find("/login").unwrap()].parse().unwrap();
    let s = Session::login(addr, &url);
    let page = s.get("/").text();
    assert!(
        page.contains("<span id=\"analyst\">Dana</span>") && page.contains("audience <span id=\"audience\">police")
    );
    assert_eq!(request(addr, "GET", &url[url.find("/login").unwrap()..], &[], b"").status, 401, "used once");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn two_sessions_triaging_at_once_never_lose_an_update() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let srv = start(&case, Audience::Police);
    let a = Session::login(srv.addr, &srv.login_url().unwrap());
    let b = Session::login(srv.addr, &srv.login_url().unwrap());
    assert_ne!(a.csrf, b.csrf, "each session has its own CSRF token");
    let fid = a.get("/api/findings").json()["findings"][0]["id"].as_str().unwrap().to_string();
    let url = format!("/api/finding/{}", enc(&fid));
    assert!(a.get(&url).json()["status"].is_null() && b.get(&url).json()["status"].is_null(), "both see version 0");
    let ra = a.post("/api/status", &json!({"finding": fid, "status": "confirmed", "reason": "A's view", "version": 0}));
    assert_eq!(ra.status, 200, "{}", ra.text());
    let rb = b.post("/api/status", &json!({"finding": fid, "status": "dismissed", "reason": "B's view", "version": 0}));
    assert_eq!(rb.status, 409, "B's change from the old version is refused: {}", rb.text());
    assert!(rb.json()["error"].as_str().unwrap().contains("version 1"));
    let now = b.get(&url).json();
    assert_eq!((now["status"]["status"].as_str(), now["status"]["version"].as_u64()), (Some("confirmed"), Some(1)));
    let rb = b.post("/api/status", &json!({"finding": fid, "status": "dismissed", "reason": "B's view", "version": 1}));
    assert_eq!(rb.status, 200, "after reloading, B's change goes through");
    // Notes from both sessions at once: every one is kept, in one valid chain.
    std::thread::scope(|s| {
        for (who, sess) in [("a", &a), ("b", &b)] {
            let fid = fid.clone();
            s.spawn(move || {
                for i in 0..20 {
                    let r =
                        sess.post("/api/note", &json!({"kind": "finding", "id": fid, "text": format!("{who} {i}")}));
                    assert_eq!(r.status, 200, "{}", r.text());
                }
            });
        }
    });
    let v = moneytrail::workspace::verify(&case, None).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.entries, 42);
    let page = a.get(&format!("/finding/{}", enc(&fid))).text();
    assert_eq!(page.matches("<span class=\"text\">").count(), 40, "every note shown");
    assert!(page.contains("v2 dismissed") && page.contains("v1 confirmed"), "history");
}
