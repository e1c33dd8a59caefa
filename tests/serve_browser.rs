//! The workspace in a real headless Chromium, driven through chromedriver (WebDriver, the
//! fantoccini crate): open the one-time login URL, list findings, export every finding (the same
//! bytes as `moneytrail investigate`), open a finding, confirm it with a reason, expand a node in
//! the explorer, run a library query, and export the selection as a bundle that `verify` accepts
//! and that carries the log's head. Assertions are on what the DOM shows. Screenshots go to
//! target/tmp/serve_browser/. Without chromium and chromedriver (`apt-get install chromium
//! chromium-driver`) the test prints SKIP and passes without asserting anything else.

#[path = "common/http.rs"]
mod http;

use fantoccini::{Client, ClientBuilder, Locator};
use http::copy_dir;
use moneytrail::serve::adapter::{Engine, EngineOptions};
use moneytrail::serve::{self, App};
use moneytrail::victims::view::Audience;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "demo case passphrase";

fn find(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_driver(bin: &Path, log: &Path) -> (Driver, u16) {
    let port = free_port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::from(std::fs::File::create(log).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let d = Driver(child);
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(30), "chromedriver did not listen in 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    (d, port)
}

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(90))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.len() > 5_000, "{name}: screenshot has content");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn attr_num(c: &Client, css: &str, attr: &str) -> u64 {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.attr(attr).await.unwrap().and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[test]
fn workspace_in_headless_chromium() {
    let (Some(chrome), Some(driver)) = (
        find(&["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]),
        find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
    ) else {
        println!(
            "SKIP workspace_in_headless_chromium: chromium or chromedriver not installed (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve_browser");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let case = base.join("case");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &case);

    // `moneytrail investigate` on the same case, for the byte-for-byte comparison.
    let cli_out = base.join("investigate");
    let o = Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(["investigate", "--no-graphviz", "--out"])
        .arg(&cli_out)
        .arg(&case)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cli_manifest = moneytrail::export::manifest::sha256_hex(&std::fs::read(cli_out.join("manifest.json")).unwrap());

    let engine = Engine::load(EngineOptions {
        case_dir: case.clone(),
        mapping: None,
        audience: Audience::Police,
        protection: None,
        passphrase: Some(PASSPHRASE.into()),
        no_resolve: false,
        graphviz: false,
    })
    .unwrap();
    let app = App::new(engine, "Test Analyst", None).unwrap();
    let srv = serve::start(app, TcpListener::bind("127.0.0.1:0").unwrap(), 2).unwrap();
    let url = srv.login_url().unwrap();
    let (_driver, port) = start_driver(&driver, &base.join("chromedriver.log"));
    let profile = base.join("profile");
    std::fs::create_dir_all(&profile).unwrap();

    let name = moneytrail::ingest::load_case(&case, &Default::default()).unwrap().case.meta.name;
    let key = moneytrail::victims::Protection::from_passphrase(PASSPHRASE, &name).unwrap();
    let needles = http::protected_needles(&case, &key);
    let mut pages: Vec<(String, String)> = Vec::new();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1400,1000",
                         format!("--user-data-dir={}", profile.display())],
            }),
        );
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");

        // Log in and list the findings.
        c.goto(&url).await.unwrap();
        wait_css(&c, "body[data-ready='ok'] table#findings tbody tr").await;
        let rows = c.find_all(Locator::Css("table#findings tbody tr")).await.unwrap();
        assert!(rows.len() >= 5, "{} findings listed", rows.len());
        let count = c.find(Locator::Css("#findings-count")).await.unwrap().text().await.unwrap();
        // Every candidate is ranked (none gated), so the list is paged: the count names them all.
        let listed: Vec<usize> =
            count.split_whitespace().filter_map(|w| w.replace(',', "").parse().ok()).take(2).collect();
        assert!(
            listed.len() == 2 && listed[0] == listed[1] && listed[0] >= rows.len() && count.contains("findings"),
            "{count} ({} rows listed)",
            rows.len()
        );
        shot(&c, &base, "findings").await;
        pages.push(("findings".into(), c.source().await.unwrap()));

        // Every finding exported before any triage: the same bundle as `investigate`.
        c.find(Locator::Css("#export-all")).await.unwrap().click().await.unwrap();
        let res = wait_css(&c, "#export-result[data-state='ok']").await;
        let text = res.text().await.unwrap();
        assert!(text.contains("verify: OK"), "{text}");
        assert_eq!(res.attr("data-manifest").await.unwrap().unwrap(), cli_manifest, "same bytes as investigate");

        // Open the first finding.
        let link = c.find(Locator::Css("table#findings tbody tr a.finding-link")).await.unwrap();
        let fid = link.text().await.unwrap();
        link.click().await.unwrap();
        let st = wait_css(&c, "body[data-ready='ok'] #statement").await;
        assert!(st.text().await.unwrap().contains("pattern of score"));
        assert_eq!(c.find(Locator::Css("#finding-id")).await.unwrap().text().await.unwrap(), fid);
        let prov = c.find_all(Locator::Css("#transfers td.prov")).await.unwrap();
        assert!(!prov.is_empty());
        for p in &prov {
            let t = p.text().await.unwrap();
            assert!(t.starts_with("transfers.csv:") && t[14..].parse::<u32>().is_ok(), "{t}");
        }
        assert!(!c.find_all(Locator::Css("#diagram svg")).await.unwrap().is_empty(), "diagram shown");
        assert!(!c.find_all(Locator::Css("#indicators tbody tr")).await.unwrap().is_empty());

        // Confirm it with a reason.
        assert_eq!(c.find(Locator::Css("#status-current")).await.unwrap().text().await.unwrap(), "new");
        c.find(Locator::Css("#triage-status")).await.unwrap().select_by_value("confirmed").await.unwrap();
        c.find(Locator::Css("#triage-reason")).await.unwrap().send_keys("matches the bank's production").await.unwrap();
        c.find(Locator::Css("#triage-save")).await.unwrap().click().await.unwrap();
        wait_css(&c, "#triage-result[data-state='ok']").await;
        assert_eq!(c.find(Locator::Css("#status-current")).await.unwrap().text().await.unwrap(), "confirmed");
        let by = c.find(Locator::Css("#status-by")).await.unwrap().text().await.unwrap();
        assert!(by.contains("Test Analyst") && by.contains("matches the bank's production"), "{by}");
        shot(&c, &base, "finding").await;
        pages.push(("finding".into(), c.source().await.unwrap()));

        // The explorer starts from the finding; expanding a node adds its neighbours.
        c.find(Locator::Css("#explore-link")).await.unwrap().click().await.unwrap();
        wait_css(&c, "#node-list li").await;
        let before = attr_num(&c, "#graph-stats", "data-nodes").await;
        assert!(before > 0);
        let mut after = before;
        for i in 0..8 {
            let buttons = c.find_all(Locator::Css("#node-list button.expand")).await.unwrap();
            let Some(b) = buttons.get(i) else { break };
            b.click().await.unwrap();
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let s = c.find(Locator::Css("#graph-stats")).await.unwrap();
                if s.attr("data-state").await.unwrap().as_deref() == Some("idle") {
                    break;
                }
            }
            after = attr_num(&c, "#graph-stats", "data-nodes").await;
            if after > before {
                break;
            }
        }
        assert!(after > before, "expanding added nodes: {before} -> {after}");
        let stats = c.find(Locator::Css("#graph-stats")).await.unwrap().text().await.unwrap();
        assert!(stats.contains(&format!("{after} nodes")), "{stats}");
        shot(&c, &base, "explorer").await;
        pages.push(("explorer".into(), c.source().await.unwrap()));

        // A library query from the console.
        c.goto(&format!("http://{}/query", srv.addr)).await.unwrap();
        wait_css(&c, "body[data-ready='ok'] #library").await;
        let t0 = Instant::now();
        loop {
            c.find(Locator::Css("#library")).await.unwrap().select_by_value("fan_in.cypher").await.unwrap();
            let v = c.find(Locator::Css("#query-text")).await.unwrap().prop("value").await.unwrap().unwrap_or_default();
            if v.contains("MATCH") {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(30), "the library query was not loaded");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        c.find(Locator::Css("#run")).await.unwrap().click().await.unwrap();
        let status = wait_css(&c, "#query-status[data-state='ok']").await;
        let rows: u64 = status.attr("data-rows").await.unwrap().unwrap().parse().unwrap();
        assert!(rows > 0, "fan_in.cypher finds the demo's fan-in");
        let cells = c.find_all(Locator::Css("#result-table tbody tr")).await.unwrap();
        assert_eq!(cells.len() as u64, rows.min(1000));
        let head = c.find(Locator::Css("#result-table thead")).await.unwrap().text().await.unwrap();
        assert!(head.contains("account") && head.contains("senders"), "{head}");
        let st = status.text().await.unwrap();
        assert!(!st.contains("graph: 0 nodes"), "the rows' transfers drawn as a graph: {st}");
        shot(&c, &base, "query").await;
        pages.push(("query".into(), c.source().await.unwrap()));

        // Back to the list: the finding shows as confirmed; export it alone.
        c.goto(&format!("http://{}/?status=confirmed", srv.addr)).await.unwrap();
        wait_css(&c, "body[data-ready='ok'] table#findings").await;
        let listed = c.find_all(Locator::Css("table#findings tbody tr")).await.unwrap();
        assert_eq!(listed.len(), 1, "one confirmed finding");
        assert_eq!(listed[0].attr("data-finding").await.unwrap().unwrap(), fid);
        c.find(Locator::Css("input.pick")).await.unwrap().click().await.unwrap();
        c.find(Locator::Css("#export-selected")).await.unwrap().click().await.unwrap();
        let res = wait_css(&c, "#export-result[data-state='ok']").await;
        let dir = PathBuf::from(res.attr("data-dir").await.unwrap().unwrap());
        pages.push(("export".into(), c.source().await.unwrap()));
        c.close().await.unwrap();
        dir
    });
    // What the police analyst's browser showed holds no protected identity, only pseudonyms.
    let mut leaks = Vec::new();
    for (page, dom) in &pages {
        leaks.extend(needles.iter().filter(|n| http::contains_token(dom, n)).map(|n| format!("{page}: {n}")));
    }
    assert!(leaks.is_empty(), "protected identifiers in the browser: {leaks:?}");
    assert!(pages.iter().any(|(_, d)| d.contains("PP-")), "pseudonyms shown");
    let dirs: Vec<PathBuf> =
        std::fs::read_dir(case.join(".moneytrail/exports")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(dirs.len(), 2, "two bundles exported");
    assert_eq!(dirs.iter().max(), Some(&dir), "the page names the newest bundle");
    let dir = &dir;
    let v = moneytrail::export::manifest::verify(dir, Some(&case)).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let head = m["settings"]["workspace.log_head_sha256"].as_str().unwrap();
    let lv = moneytrail::workspace::verify(&case, Some(head)).unwrap();
    assert!(lv.problems.is_empty() && lv.anchor == Some(lv.entries), "{lv:?}");
    assert!(m["settings"]["workspace.triage"].as_str().unwrap().contains("confirmed 1"));
    let triage = std::fs::read_to_string(dir.join("triage.csv")).unwrap();
    assert!(triage.contains("confirmed,Test Analyst") && triage.contains("matches the bank's production"), "{triage}");
    let findings = std::fs::read_to_string(dir.join("findings.csv")).unwrap();
    assert_eq!(findings.lines().count(), 2, "the selection only");
    assert!(m["settings"]["findings.selection"].is_string());
    let cli = Command::new(env!("CARGO_BIN_EXE_moneytrail")).arg("verify").arg(dir).output().unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stdout));
    println!("screenshots in {}", base.display());
}
