//! The workspace's audit log (issue 19): an append-only hash chain in the case folder that
//! `log verify` re-checks; concurrent writers (two servers on one case) never lose an update;
//! a finding's status changes only from the version the analyst saw.

use moneytrail::workspace::{verify, AppendError, Event, Log, Status, Target, TargetKind};
use std::path::Path;
use std::process::Command;

fn note(text: &str) -> Event {
    Event::Note { target: Target { kind: TargetKind::Account, id: "A0000001".into() }, text: text.into() }
}

fn status(finding: &str, s: Status, version: u64) -> Event {
    Event::Status { finding: finding.into(), status: s, reason: "checked the statements".into(), version }
}

fn three_entries(dir: &Path) -> Log {
    let log = Log::open(dir).unwrap();
    log.append("Ana", note("first"), |_| Ok(())).unwrap();
    log.append("Ben", status("fan_in-1", Status::Confirmed, 1), |_| Ok(())).unwrap();
    log.append("Ana", Event::Query { name: "mine".into(), text: "MATCH (a) RETURN a".into() }, |_| Ok(())).unwrap();
    log
}

fn cli_verify(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moneytrail")).args(["log", "verify"]).arg(dir).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn an_intact_log_verifies_and_folds_into_the_state() {
    let tmp = tempfile::tempdir().unwrap();
    let log = three_entries(tmp.path());
    let v = verify(tmp.path(), None).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.entries, 3);
    let st = log.refresh().unwrap();
    assert_eq!(st.head, v.head);
    let r = st.status("fan_in-1").unwrap();
    assert_eq!((r.status, r.analyst.as_str(), r.version), (Status::Confirmed, "Ben", 1));
    assert!(r.at.ends_with('Z') && r.at.len() == 20, "RFC 3339 time: {}", r.at);
    assert_eq!(st.queries().len(), 1);
    assert_eq!(st.notes(&Target { kind: TargetKind::Account, id: "A0000001".into() }).len(), 1);
    let (code, out) = cli_verify(tmp.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK: 3 entries"), "{out}");
    // A head recorded elsewhere (a bundle's manifest) is accepted while the log only grows.
    let head = v.head.clone();
    log.append("Ana", note("later"), |_| Ok(())).unwrap();
    let v2 = verify(tmp.path(), Some(&head)).unwrap();
    assert!(v2.problems.is_empty() && v2.anchor == Some(3), "{:?}", v2);
    assert!(!verify(tmp.path(), Some(&"ab".repeat(32))).unwrap().problems.is_empty());
}

#[test]
fn log_verify_catches_one_changed_byte_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    three_entries(tmp.path());
    let path = moneytrail::workspace::log_path(tmp.path());
    let original = std::fs::read(&path).unwrap();
    let lines: Vec<usize> = std::iter::once(0)
        .chain(original.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1))
        .collect();
    // One byte changed in each entry (a letter of the analyst's name or the text), including the
    // last one, which only workspace.head can vouch for.
    for (k, w) in lines.windows(2).enumerate() {
        let line = &original[w[0]..w[1]];
        let at = w[0] + line.windows(4).position(|x| x == b"\"at\"").unwrap() + 7;
        let mut bytes = original.clone();
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        std::fs::write(&path, &bytes).unwrap();
        let v = verify(tmp.path(), None).unwrap();
        assert!(!v.problems.is_empty(), "entry {} edited by one byte went unnoticed", k + 1);
        let (code, out) = cli_verify(tmp.path());
        assert_eq!(code, 1, "entry {}: {out}", k + 1);
        assert!(out.contains("FAIL"), "{out}");
    }
    // Removed entries: the middle one, the last one.
    let mid: Vec<u8> = [&original[..lines[1]], &original[lines[2]..]].concat();
    std::fs::write(&path, &mid).unwrap();
    assert!(!verify(tmp.path(), None).unwrap().problems.is_empty(), "removed middle entry");
    std::fs::write(&path, &original[..lines[2]]).unwrap();
    assert!(!verify(tmp.path(), None).unwrap().problems.is_empty(), "removed last entry");
    // Reordered entries.
    let swapped: Vec<u8> = [&original[lines[1]..lines[2]], &original[..lines[1]], &original[lines[2]..]].concat();
    std::fs::write(&path, &swapped).unwrap();
    assert!(!verify(tmp.path(), None).unwrap().problems.is_empty(), "reordered entries");
    std::fs::write(&path, &original).unwrap();
    assert!(verify(tmp.path(), None).unwrap().problems.is_empty());
    // A server refuses to work on a broken chain rather than extend it.
    std::fs::write(&path, &mid).unwrap();
    assert!(Log::open(tmp.path()).is_err());
}

#[test]
fn two_servers_on_one_case_never_lose_an_update() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    // Two independent handles, as two `moneytrail serve` processes would have.
    let a = Log::open(&dir).unwrap();
    let b = Log::open(&dir).unwrap();
    std::thread::scope(|s| {
        for (log, who) in [(&a, "Ana"), (&b, "Ben")] {
            s.spawn(move || {
                for i in 0..40 {
                    log.append(who, note(&format!("{who} {i}")), |_| Ok(())).unwrap();
                }
            });
        }
    });
    let st = a.refresh().unwrap();
    assert_eq!(st.len(), 80, "every note kept");
    assert!(verify(&dir, None).unwrap().problems.is_empty());
    // Both analysts saw version 0 of a finding and both decide: one wins, the other is told.
    let check = |seen: u64| {
        move |st: &moneytrail::workspace::State| {
            if st.version_of("cycle-9") == seen {
                Ok(())
            } else {
                Err(format!("now at version {}", st.version_of("cycle-9")))
            }
        }
    };
    let ra = a.append("Ana", status("cycle-9", Status::Confirmed, 1), check(0));
    let rb = b.append("Ben", status("cycle-9", Status::Dismissed, 1), check(0));
    assert!(ra.is_ok());
    assert!(matches!(rb, Err(AppendError::Conflict(_))), "{rb:?}");
    let st = b.refresh().unwrap();
    assert_eq!(st.status_of("cycle-9"), Status::Confirmed);
    // Ben reloads (version 1) and his change goes through.
    b.append("Ben", status("cycle-9", Status::NeedsInformation, 2), check(1)).unwrap();
    let st = a.refresh().unwrap();
    let r = st.status("cycle-9").unwrap();
    assert_eq!((r.status, r.version, r.analyst.as_str()), (Status::NeedsInformation, 2, "Ben"));
    assert_eq!(st.history("cycle-9").len(), 2);
    assert!(verify(&dir, None).unwrap().problems.is_empty());
}

#[test]
fn a_status_entry_that_skips_a_version_is_refused_and_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Log::open(tmp.path()).unwrap();
    log.append("Ana", status("f", Status::Confirmed, 1), |_| Ok(())).unwrap();
    let r = log.append("Ana", status("f", Status::Dismissed, 3), |_| Ok(()));
    assert!(matches!(r, Err(AppendError::Invalid(_))), "{r:?}");
    assert!(matches!(log.append(" ", note("x"), |_| Ok(())), Err(AppendError::Invalid(_))), "no analyst name");
    // Written by hand, it breaks the chain.
    let path = moneytrail::workspace::log_path(tmp.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap().to_string();
    let h = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(first.as_bytes()));
    text.push_str(&format!(
        "{{\"seq\":2,\"prev\":\"{h}\",\"at\":\"2026-01-01T00:00:00Z\",\"analyst\":\"X\",\"event\":{{\"kind\":\"status\",\"finding\":\"f\",\"status\":\"dismissed\",\"reason\":\"r\",\"version\":3}}}}\n"
    ));
    std::fs::write(&path, text).unwrap();
    let v = verify(tmp.path(), None).unwrap();
    assert!(v.problems.iter().any(|p| p.contains("version")), "{:?}", v.problems);
}
