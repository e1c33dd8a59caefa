//! Replays every file of tests/fuzz-corpus/<target>/ through the code the `cargo fuzz` target of
//! the same name runs (fuzz/harness.rs), so CI checks the corpus, and every crash the fuzzers
//! ever found, without cargo-fuzz or a nightly toolchain.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no corpus files", dir.display());
    files
}

fn replay(target: &str, run: fn(&Path, &[u8])) {
    let root = harness::repo_root();
    for f in corpus(target) {
        let data = std::fs::read(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(e) = std::panic::catch_unwind(|| run(&root, &data)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}/{name} fails: {msg}");
        }
    }
}

#[test]
fn ingest_csv_corpus_replays_cleanly() {
    replay("ingest_csv", harness::ingest_csv);
}

#[test]
fn case_toml_corpus_replays_cleanly() {
    replay("case_toml", harness::case_toml);
}

#[test]
fn query_parse_corpus_replays_cleanly() {
    replay("query_parse", harness::query_parse);
}
