//! Defaults from files (issue 18): ~/.config/moneytrail/config.toml (XDG_CONFIG_HOME and HOME
//! respected), overridden by CASE/moneytrail.toml, overridden by flags; `config show` names the
//! source of each value; unknown keys are errors that list the known ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary with HOME and XDG_CONFIG_HOME pointed at `home`.
fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moneytrail"));
    c.env_remove("MONEYTRAIL_SEAL_PASSPHRASE").env("HOME", home).env("XDG_CONFIG_HOME", home.join("xdg"));
    c
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The row of `key` in `config show`'s table.
fn row<'a>(show: &'a str, key: &str) -> &'a str {
    show.lines().find(|l| l.split_whitespace().next() == Some(key)).unwrap_or("")
}

/// A copy of the demo case (its folder gets a moneytrail.toml).
fn demo_copy(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    for e in std::fs::read_dir(demo).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), case.join(e.file_name())).unwrap();
        }
    }
    case
}

#[test]
fn config_show_names_each_source() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let case = demo_copy(tmp.path());
    // Nothing configured: every value is a default.
    let o = bin(&home).args(["config", "show"]).arg(&case).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let s = text(&o);
    for k in ["audience", "out_dir", "language", "threads"] {
        assert!(row(&s, k).ends_with("default"), "{k}: {s}");
    }
    // The user's file (under XDG_CONFIG_HOME) ...
    let user = home.join("xdg/moneytrail/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(
        &user,
        "audience = \"ngo\"\nthreads = 2\nout_dir = \"/srv/bundles\"\npassphrase_file = \"pass.txt\"\n",
    )
    .unwrap();
    // ... overridden by the case's ...
    std::fs::write(case.join("moneytrail.toml"), "audience = \"public\"\n").unwrap();
    let o = bin(&home).args(["config", "show"]).arg(&case).output().unwrap();
    let s = text(&o);
    assert!(o.status.success(), "{s}");
    assert!(row(&s, "audience").contains("public") && row(&s, "audience").contains("moneytrail.toml"), "{s}");
    assert!(row(&s, "threads").contains('2') && row(&s, "threads").contains("config.toml"), "{s}");
    assert!(row(&s, "out_dir").contains("/srv/bundles"), "{s}");
    // A relative path is relative to the file that gives it.
    let pass = user.parent().unwrap().join("pass.txt");
    assert!(row(&s, "passphrase_file").contains(&pass.display().to_string()), "{s}");
    assert!(row(&s, "language").ends_with("default"), "{s}");
    // ... overridden by a flag.
    let o = bin(&home).args(["config", "show"]).arg(&case).args(["--audience", "court"]).output().unwrap();
    let s = text(&o);
    assert!(row(&s, "audience").contains("court") && row(&s, "audience").contains("flag --audience"), "{s}");
    // Without XDG_CONFIG_HOME, HOME/.config is read.
    let o = Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(text(&o).contains(&home.join(".config/moneytrail/config.toml").display().to_string()), "{}", text(&o));
}

#[test]
fn unknown_keys_and_bad_values_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let user = home.join("xdg/moneytrail/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "audiense = \"ngo\"\n").unwrap();
    let o = bin(&home).args(["config", "show"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let s = text(&o);
    assert!(s.contains("unknown key 'audiense'"), "{s}");
    for k in ["audience", "passphrase_file", "out_dir", "language", "threads"] {
        assert!(s.contains(k), "the known keys are listed: {s}");
    }
    // Any command refuses to run on a bad config, before reading the case.
    let o = bin(&home).args(["detect", "--list"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    std::fs::write(&user, "audience = \"press\"\n").unwrap();
    let o = bin(&home).args(["config", "show"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("press"), "{}", text(&o));
}

#[test]
fn defaults_reach_the_commands_and_flags_win() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let case = demo_copy(tmp.path());
    let bundles = tmp.path().join("bundles");
    // The case file sets the audience and the output folder: ingest writes under out_dir.
    std::fs::write(
        case.join("moneytrail.toml"),
        format!("audience = \"court\"\nout_dir = \"{}\"\n", bundles.display()),
    )
    .unwrap();
    let o = bin(&home).arg("ingest").arg(&case).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(bundles.join("case/manifest.json").is_file(), "{}", text(&o));
    // The court audience from the file: investigate runs without a passphrase ...
    let bundles = tmp.path().join("bundles2");
    std::fs::write(
        case.join("moneytrail.toml"),
        format!("audience = \"court\"\nout_dir = \"{}\"\n", bundles.display()),
    )
    .unwrap();
    let o =
        bin(&home).arg("investigate").arg(&case).args(["--no-graphviz", "--finding-diagrams", "0"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(bundles.join("case/report.html").is_file());
    // ... and a flag wins over the file: police needs the passphrase.
    let o = bin(&home)
        .arg("investigate")
        .arg(&case)
        .args(["--out".as_ref(), tmp.path().join("p").as_os_str(), "--audience".as_ref(), "police".as_ref()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("MONEYTRAIL_SEAL_PASSPHRASE"), "{}", text(&o));
}
