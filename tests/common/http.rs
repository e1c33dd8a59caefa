//! A minimal HTTP/1.1 client over a loopback TcpStream for the workspace tests (no client crate:
//! the tests need to send exactly the headers an attacker would, nothing added).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// One response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Sends a raw request (target as written, so `..` and `%2e` reach the server unchanged).
pub fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Resp {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let nl = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
            rest = &rest[nl + 2 + n + 2..];
        }
        body = out;
    }
    Resp { status, headers, body }
}

/// A logged-in browser: the session cookie and the CSRF token.
pub struct Session {
    pub addr: SocketAddr,
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    /// Logs in with a login URL `http://ADDR/login?token=T`.
    pub fn login(addr: SocketAddr, url: &str) -> Session {
        let target = &url[url.find("/login").unwrap()..];
        let r = request(addr, "GET", target, &[], b"");
        assert_eq!(r.status, 303, "login redirects");
        let set = r.header("set-cookie").expect("a session cookie");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "cookie flags: {set}");
        let cookie = set.split(';').next().unwrap().to_string();
        let page = request(addr, "GET", "/", &[("Cookie", &cookie)], b"").text();
        let i = page.find("name=\"csrf-token\" content=\"").expect("csrf meta") + 27;
        let csrf = page[i..i + 64].to_string();
        Session { addr, cookie, csrf }
    }

    pub fn get(&self, target: &str) -> Resp {
        request(self.addr, "GET", target, &[("Cookie", &self.cookie)], b"")
    }

    /// A same-origin JSON POST as the workspace's script sends it.
    pub fn post(&self, target: &str, body: &serde_json::Value) -> Resp {
        let origin = format!("http://{}", self.addr);
        request(
            self.addr,
            "POST",
            target,
            &[
                ("Cookie", &self.cookie),
                ("Content-Type", "application/json"),
                ("X-CSRF-Token", &self.csrf),
                ("Origin", &origin),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            body.to_string().as_bytes(),
        )
    }
}

/// Percent-encodes a URL component.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Copies a folder tree (a case folder into a test's temporary folder).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Every protected person's (the police audience's protected set of the case as every command
/// loads and resolves it) name, id, national id and address, and their accounts' ids and
/// IBANs, raw and as HTML writes them.
pub fn protected_needles(case_dir: &std::path::Path, key: &moneytrail::victims::Protection) -> Vec<String> {
    let mut case = moneytrail::ingest::load_case(case_dir, &Default::default()).unwrap().case;
    let decisions = moneytrail::resolve::read_case_decisions(case_dir).unwrap();
    let r = moneytrail::resolve::resolve(&case, &decisions, &Default::default());
    moneytrail::resolve::apply(&mut case, &r).unwrap();
    let flow = moneytrail::graph::FlowGraph::build(&case);
    let police = moneytrail::victims::view::Audience::Police;
    let p = moneytrail::victims::view::prepare(&case, &flow, police, Some(key), &Default::default()).unwrap();
    assert!(!p.set.persons.is_empty(), "the demo has protected persons");
    let mut raw = Vec::new();
    for &i in p.set.persons.keys() {
        let r = &case.persons.rows[i as usize];
        raw.extend([r.id.clone(), r.full_name.clone()]);
        raw.extend(r.national_id.clone());
        raw.extend(r.address.clone());
    }
    for a in p.set.accounts(&case) {
        let acc = &case.accounts.rows[a as usize];
        raw.push(acc.id.clone());
        raw.extend(acc.iban.clone());
    }
    let mut out = std::collections::BTreeSet::new();
    for n in raw.into_iter().filter(|n| n.len() >= 3) {
        out.insert(moneytrail::text::xml::html(&n).into_owned());
        out.insert(serde_json::to_string(&n).unwrap().trim_matches('"').to_string());
        out.insert(n);
    }
    out.into_iter().collect()
}

pub fn contains_token(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
