//! Opens report.html in headless Chromium: it loads without script errors (the inline script
//! marks the body `data-report-ready="ok"`), the summary and findings table are there, and a
//! screenshot is saved under the test output (target/tmp). Skipped, with a message, when
//! Chromium is not installed (`apt-get install chromium`).

use moneytrail::export::bundle::investigate;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    std::fs::create_dir_all(profile).expect("profile dir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        // To a file: a piped stdout that nobody reads blocks Chromium once the pipe is full.
        .stdout(Stdio::from(std::fs::File::create(profile.with_extension("out")).expect("stdout file")))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read_to_string(profile.with_extension("out")).unwrap_or_default()
}

#[test]
fn report_opens_in_headless_chromium() {
    let Some(bin) = chromium() else {
        println!("SKIPPED report_opens_in_headless_chromium: chromium not installed (apt-get install chromium)");
        return;
    };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    let _ = std::fs::remove_dir_all(&base);
    let case =
        load_case(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &LoadOptions::default()).unwrap().case;
    let out = base.join("bundle");
    investigate(
        &case,
        &out,
        &InvestigateOptions {
            graphviz: false,
            protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
            ..InvestigateOptions::default()
        },
    )
    .unwrap();
    let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
    let dom = run_chromium(&bin, &base.join("profile-dom"), &["--dump-dom".into(), url.clone()]);
    assert!(
        dom.contains("data-report-ready=\"ok\""),
        "the inline script ran to the end: {}",
        &dom[..dom.len().min(500)]
    );
    assert!(dom.contains("id=\"summary\"") && dom.contains("id=\"f-001\""));
    assert!(dom.contains("[ready]</title>"));
    let shot = base.join("report.png");
    run_chromium(
        &bin,
        &base.join("profile-shot"),
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,2000".into(), url],
    );
    let len = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(len > 10_000, "screenshot written to {}", shot.display());
    println!("screenshot: {}", shot.display());
}

struct Driver(std::process::Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the page measures of itself at A4 width: elements wider than the page, and pairs of
/// timeline exhibit labels whose boxes overlap (bounding boxes from the layout engine).
const MEASURE: &str = r#"
const W = document.documentElement.clientWidth;
const wide = [];
let clipped = 0;
for (const e of document.querySelectorAll('body *')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (e.closest('details:not([open])')) continue;
  // Inside a diagram the SVG viewport clips its own children; the SVG element is checked.
  if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') { if (r.right > W + 1) clipped++; continue; }
  if (r.right > W + 1 || r.left < -1) wide.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
}
const overlaps = [];
let labels = 0;
for (const svg of document.querySelectorAll('svg')) {
  const ts = Array.from(svg.querySelectorAll('text.exl')).map(t => t.getBoundingClientRect());
  labels += ts.length;
  for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) {
    const a = ts[i], b = ts[j];
    const ix = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const iy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (ix > 0.5 && iy > 0.5) overlaps.push([i, j, ix.toFixed(1), iy.toFixed(1)]);
  }
}
return {clipped: clipped, width: W, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 20), nwide: wide.length,
        labels: labels, overlaps: overlaps.slice(0, 20), noverlaps: overlaps.length};
"#;

#[test]
fn report_fits_a4_width_in_headless_chromium() {
    let (Some(bin), Some(driver)) = (
        chromium(),
        ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].iter().map(PathBuf::from).find(|p| p.exists()),
    ) else {
        println!("SKIPPED report_fits_a4_width_in_headless_chromium: chromium or chromedriver not installed (apt-get install chromium chromium-driver)");
        return;
    };
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_a4");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let case =
        load_case(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &LoadOptions::default()).unwrap().case;
    let out = base.join("bundle");
    investigate(
        &case,
        &out,
        &InvestigateOptions {
            graphviz: false,
            protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
            ..InvestigateOptions::default()
        },
    )
    .unwrap();
    let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::from(std::fs::File::create(base.join("chromedriver.log")).unwrap()))
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(30), "chromedriver did not listen in 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = base.join("profile");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let m = rt.block_on(async {
        let mut caps = serde_json::Map::new();
        // A4 is 210 mm wide: 794 CSS pixels at 96 per inch.
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": bin,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=794,1123",
                         format!("--user-data-dir={}", profile.display())],
            }),
        );
        let c = fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        c.goto(&url).await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(60))
            .for_element(fantoccini::Locator::Css("body[data-report-ready='ok']"))
            .await
            .unwrap();
        let m = c.execute(MEASURE, vec![]).await.unwrap();
        for (css, name) in [("#summary", "summary"), ("#f-001", "finding"), ("#fd-f-001, .fig", "finding-diagram")] {
            if let Ok(e) = c.find(fantoccini::Locator::Css(css)).await {
                if let Ok(png) = e.screenshot().await {
                    std::fs::write(base.join(format!("{name}.png")), png).unwrap();
                }
            }
        }
        let _ = c.close().await;
        m
    });
    println!("A4 measurement: {m}\nscreenshots in {}", base.display());
    let w = m["width"].as_f64().unwrap();
    assert!(w <= 800.0, "the window is A4 wide ({w})");
    assert_eq!(m["nwide"], 0, "elements wider than the page: {}", m["wide"]);
    assert!(m["scrollWidth"].as_f64().unwrap() <= w + 1.0, "no horizontal scrolling: {m}");
    assert!(m["labels"].as_u64().unwrap() > 0, "timelines carry exhibit labels");
    assert_eq!(m["noverlaps"], 0, "overlapping timeline labels: {}", m["overlaps"]);
}
