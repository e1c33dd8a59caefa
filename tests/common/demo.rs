//! A copy of the bundled demo case's files, for tests that change or write beside it (inputs are
//! read-only to every command, so tests never touch datasets/demo itself).

use std::path::{Path, PathBuf};

/// Copies the files of datasets/demo into `dir/case` and returns that folder.
pub fn demo_copy(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let dst = dir.join("case");
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    dst
}
