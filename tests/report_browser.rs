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
    assert!(dom.contains("id=\"summary\"") && dom.contains("id=\"findings-table\""));
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
