//! Issue 14, "Costs and messages": hostile sizes fail fast with a clear message. A 10 MB case
//! name, ids and names past their documented limits (docs/data-model.md, "Limits"), and a sealed
//! file whose header asks for a gigabyte of key derivation.

use std::path::Path;
use std::process::{Command, Output};

#[path = "common/demo.rs"]
mod demo;
use demo::demo_copy;

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap()
}

#[test]
fn a_ten_megabyte_case_name_is_a_clear_error_not_a_583_megabyte_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    let long = "N".repeat(10 << 20);
    std::fs::write(
        case.join("case.toml"),
        toml.replace("name = \"Generated case, seed 7\"", &format!("name = \"{long}\"")),
    )
    .unwrap();
    let out = tmp.path().join("bundle");
    let o =
        run(&["investigate".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str(), "--no-graphviz".as_ref()]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("name has 10485760 characters; the longest accepted is 200"), "{}", &e[..e.len().min(400)]);
    assert!(e.len() < 2000, "the message does not quote the name back ({} bytes)", e.len());
    assert!(!out.exists(), "no bundle");
}

#[test]
fn ids_and_names_past_their_limits_are_rejected_rows_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let mut persons = std::fs::read_to_string(case.join("persons.csv")).unwrap();
    persons.push_str(&format!("{},Long Id,1980-01-01,,,\n", "P".repeat(129)));
    persons.push_str(&format!("P-LONG-NAME,{},1980-01-01,,,\n", "Arta ".repeat(60)));
    persons.push_str(&format!("P-HUGE,Huge Address,1980-01-01,,{},\n", "x".repeat(70_000)));
    std::fs::write(case.join("persons.csv"), persons).unwrap();
    let out = tmp.path().join("ingest");
    let o = run(&[
        "ingest".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--audience".as_ref(),
        "court".as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.contains("person_id has 129 bytes; the longest an id accepted has 128"), "{rejects}");
    assert!(rejects.contains("full_name has 299 characters; the longest a name accepted has 256"), "{rejects}");
    assert!(rejects.contains("is 70000 bytes; the longest accepted is 65536"), "{rejects}");
    assert!(rejects.len() < 4000, "rejects quote at most the start of a value ({} bytes)", rejects.len());
}

#[test]
fn unseal_forged_header_fails_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let out = tmp.path().join("court");
    let o = run(&[
        "investigate".as_ref(),
        demo.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--audience".as_ref(),
        "court".as_ref(),
        "--no-graphviz".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sealed = out.join("sealed/identities.mtseal");
    let mut bytes = std::fs::read(&sealed).unwrap();
    // Argon2 memory 1 GiB, 64 passes: the forger's header.
    bytes[8..12].copy_from_slice(&(1024u32 * 1024).to_le_bytes());
    bytes[12..16].copy_from_slice(&64u32.to_le_bytes());
    let forged = tmp.path().join("forged.mtseal");
    std::fs::write(&forged, &bytes).unwrap();
    let o = run(&["unseal".as_ref(), forged.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a moneytrail sealed file"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The untouched file still opens.
    let o = run(&["unseal".as_ref(), sealed.as_os_str()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
