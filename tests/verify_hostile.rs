//! Issue 14, "verify can be fooled, and reads outside the bundle": crafted manifests and bundle
//! folders against `verify`, and signed bundles against `verify --public-key`.

use moneytrail::export::manifest::{sha256_hex, verify, verify_with, Problem, VerifyOptions};
use moneytrail::export::signing;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small bundle by hand: `files` written and listed, plus `listed` entries as given (path,
/// size, sha256) that are not written.
fn bundle(dir: &Path, files: &[(&str, &[u8])], listed: &[(&str, u64, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut outputs = Vec::new();
    for (rel, bytes) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        outputs.push(serde_json::json!({"path": rel, "size": bytes.len(), "sha256": sha256_hex(bytes)}));
    }
    for (rel, size, sha) in listed {
        outputs.push(serde_json::json!({"path": rel, "size": size, "sha256": sha}));
    }
    let m = serde_json::json!({
        "tool": "moneytrail", "tool_version": "0.1.0", "case_name": "x", "input_manifest_sha256": "",
        "settings": {}, "inputs": [], "outputs": outputs,
    });
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

fn verify_cli(dir: &Path, extra: &[&std::ffi::OsStr]) -> Output {
    let mut a: Vec<&std::ffi::OsStr> = vec!["verify".as_ref(), dir.as_os_str()];
    a.extend_from_slice(extra);
    run(&a)
}

#[test]
fn verify_does_not_read_a_manifest_path_outside_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let passwd = std::fs::read("/etc/passwd").unwrap_or_default();
    let sha = sha256_hex(&passwd);
    bundle(
        &dir,
        &[("findings.csv", b"a,b\n")],
        &[("../../../../etc/passwd", passwd.len() as u64, &sha), ("/etc/passwd", passwd.len() as u64, &sha)],
    );
    let r = verify(&dir, None).unwrap();
    assert_eq!(r.ok, 1, "only the file inside the bundle is read");
    let unsafe_paths: Vec<&str> = r
        .problems
        .iter()
        .filter_map(|p| if let Problem::UnsafePath { path } = p { Some(path.as_str()) } else { None })
        .collect();
    assert_eq!(unsafe_paths, ["../../../../etc/passwd", "/etc/passwd"]);
    let o = verify_cli(&dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    // No hash of anything outside is ever printed: the listed hash appears only as expected.
    assert!(!stdout(&o).contains(&format!("sha256 {sha}")), "{}", stdout(&o));
}

#[test]
fn verify_of_a_dev_zero_entry_does_not_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    bundle(&dir, &[("findings.csv", b"a\n")], &[("/dev/zero", 1 << 40, "00"), ("zero", 1 << 40, "00")]);
    // A link inside the bundle to /dev/zero, and a FIFO nobody writes to.
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero")).unwrap();
    let fifo = dir.join("pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let r = verify(&dir, None).unwrap();
    assert!(r.problems.contains(&Problem::UnsafePath { path: "/dev/zero".into() }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::NotRegular { path: "zero".into() }), "{:?}", r.problems);
    assert!(r.problems.contains(&Problem::NotRegular { path: "pipe".into() }), "{:?}", r.problems);
    assert_eq!(r.ok, 1);
}

#[test]
fn verify_does_not_follow_a_symlink_out_of_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "outside").unwrap();
    let dir = tmp.path().join("b");
    bundle(&dir, &[("findings.csv", b"a\n")], &[("diagrams/s.txt", 7, &sha256_hex(b"outside"))]);
    std::os::unix::fs::symlink(tmp.path(), dir.join("diagrams")).unwrap();
    let r = verify(&dir, None).unwrap();
    assert!(r.problems.contains(&Problem::NotRegular { path: "diagrams/s.txt".into() }), "{:?}", r.problems);
    assert_eq!(r.ok, 1);
}

#[test]
fn verify_fails_a_file_present_but_not_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    bundle(&dir, &[("findings.csv", b"a\n")], &[]);
    std::fs::create_dir_all(dir.join("diagrams")).unwrap();
    std::fs::write(dir.join("diagrams/extra.svg"), "<svg/>").unwrap();
    let r = verify(&dir, None).unwrap();
    assert_eq!(r.problems, [Problem::Unlisted { path: "diagrams/extra.svg".into() }]);
    let o = verify_cli(&dir, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("FAIL diagrams/extra.svg: in the folder but not listed"), "{}", stdout(&o));
}

#[test]
fn verify_fails_an_empty_file_list() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    bundle(&dir, &[], &[]);
    let r = verify(&dir, None).unwrap();
    assert_eq!(r.problems, [Problem::EmptyList]);
    let o = verify_cli(&dir, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(!stdout(&o).contains("OK"), "{}", stdout(&o));
}

#[test]
fn verify_case_does_not_read_input_paths_outside_the_case() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    bundle(&dir, &[("findings.csv", b"a\n")], &[]);
    let m = std::fs::read_to_string(dir.join("manifest.json")).unwrap().replace(
        "\"inputs\": []",
        "\"inputs\": [{\"path\": \"../../etc/passwd\", \"size\": 1, \"sha256\": \"00\", \"table\": \"persons\"}]",
    );
    std::fs::write(dir.join("manifest.json"), m).unwrap();
    let case = tmp.path().join("case");
    std::fs::create_dir_all(&case).unwrap();
    let r = verify(&dir, Some(&case)).unwrap();
    assert_eq!(r.problems, [Problem::UnsafePath { path: "../../etc/passwd".into() }]);
}

fn keys(dir: &Path) -> (PathBuf, PathBuf) {
    let o = run(&["key".as_ref(), "gen".as_ref(), "--out".as_ref(), dir.as_os_str()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir.join(signing::SECRET_FILE), dir.join(signing::PUBLIC_FILE))
}

fn signed_demo(tmp: &Path, secret: &Path) -> PathBuf {
    let out = tmp.join("bundle");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let o = run(&[
        "investigate".as_ref(),
        demo.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--no-graphviz".as_ref(),
        "--sign-key".as_ref(),
        secret.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

/// The forgery of the issue: findings.csv edited and its hash and size recomputed in
/// manifest.json. Plain `verify` cannot tell (the manifest is self-consistent); the signature can.
#[test]
fn signed_bundle_with_findings_and_manifest_edited_fails_verify_public_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (secret, public) = keys(&tmp.path().join("keys"));
    let out = signed_demo(tmp.path(), &secret);
    let ok = verify_cli(&out, &["--public-key".as_ref(), public.as_os_str()]);
    assert!(ok.status.success(), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("signature: valid"));
    // Forge: drop the last finding, recompute its hash and size in the manifest.
    let f = out.join("findings.csv");
    let old = std::fs::read(&f).unwrap();
    let text = String::from_utf8(old.clone()).unwrap();
    let forged = text.lines().take(text.lines().count() - 1).map(|l| format!("{l}\n")).collect::<String>();
    std::fs::write(&f, &forged).unwrap();
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let m = m.replace(&sha256_hex(&old), &sha256_hex(forged.as_bytes())).replace(
        &format!("\"size\": {},\n      \"sha256\": \"{}", old.len(), sha256_hex(forged.as_bytes())),
        &format!("\"size\": {},\n      \"sha256\": \"{}", forged.len(), sha256_hex(forged.as_bytes())),
    );
    std::fs::write(out.join("manifest.json"), &m).unwrap();
    let plain = verify(&out, None).unwrap();
    assert!(plain.problems.is_empty(), "the forgery is self-consistent: {:?}", plain.problems);
    let o = verify_cli(&out, &["--public-key".as_ref(), public.as_os_str()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("the signature does not match"), "{}", stdout(&o));
    let key = signing::read_public(&public).unwrap();
    let r = verify_with(&out, &VerifyOptions { case: None, public_key: Some(key) }).unwrap();
    assert_eq!(r.problems, [Problem::BadSignature]);
    // Another team's key does not vouch for the original either.
    let (_, other) = keys(&tmp.path().join("other-keys"));
    std::fs::write(&f, &old).unwrap();
    let o = verify_cli(&out, &["--public-key".as_ref(), other.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn verify_public_key_fails_an_unsigned_bundle_and_signing_keeps_bundles_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (secret, public) = keys(&tmp.path().join("keys"));
    let out = signed_demo(tmp.path(), &secret);
    let sig = std::fs::read(out.join(signing::SIGNATURE)).unwrap();
    // Same inputs and key: the same signature (RFC 8032 signatures are deterministic).
    let again = tmp.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let out2 = signed_demo(&again, &secret);
    assert_eq!(std::fs::read(out2.join(signing::SIGNATURE)).unwrap(), sig);
    std::fs::remove_file(out.join(signing::SIGNATURE)).unwrap();
    let o = verify_cli(&out, &["--public-key".as_ref(), public.as_os_str()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("not signed"), "{}", stdout(&o));
    // key gen never overwrites a key.
    let o = run(&["key".as_ref(), "gen".as_ref(), "--out".as_ref(), tmp.path().join("keys").as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("never overwritten"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
