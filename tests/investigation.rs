//! The library pipeline, called as the CLI calls it but without writing a file: load with
//! resolution, run, and assert on the plain-data `Investigation`.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::investigation::{self, pipeline, Config, LoadSettings, Settings};
use moneytrail::model::EntityKind;
use moneytrail::victims::view::Audience;
use moneytrail::victims::Protection;
use std::collections::BTreeSet;

fn key() -> Protection {
    Protection::from_master([7; 32], [0; 16])
}

#[test]
fn pipeline_run_returns_the_investigation_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed: 5, transfers: 6000, ..GenConfig::default() }, tmp.path()).unwrap();
    let loaded = investigation::load(tmp.path(), &LoadSettings::default()).unwrap();
    assert!(loaded.resolution.is_some(), "entity resolution runs by default");
    let config = Config { protection: Some(key()), ..Config::default() };
    let inv = pipeline::run(&loaded.case, &config).unwrap();

    // Findings are ranked, and every finding's transfers are rows of the case.
    assert!(!inv.findings.is_empty());
    assert!(inv.findings.windows(2).all(|w| w[0].score >= w[1].score));
    let n = loaded.case.transfers.len() as u32;
    assert!(inv.findings.iter().all(|f| f.txns.iter().all(|&t| t.raw() < n)));

    // One section per suspect on the list who is not a listed victim, each traced under the
    // default rules; every rule conserves what it introduced (what is still held, in the scope's
    // accounts or elsewhere, plus what left the case or was lost to overdrafts).
    let suspects: BTreeSet<_> = loaded.case.suspects.rows.iter().map(|s| s.entity).collect();
    let victims: BTreeSet<_> = loaded.case.victims.rows.iter().map(|v| v.entity).collect();
    assert_eq!(inv.suspects.len(), suspects.difference(&victims).count());
    for sec in &inv.suspects {
        let tr = sec.trace.as_ref().expect("traced");
        assert_eq!(tr.figures.len(), config.rules.len());
        for f in &tr.figures {
            let out = f.held_in_scope + f.held_elsewhere + f.exited + f.absorbed;
            assert!((f.introduced - out).abs() <= rust_decimal::Decimal::new(1, 2), "{f:?}");
            assert!(f.into_property <= f.held_elsewhere + f.exited, "{f:?}");
        }
        assert!(!sec.network.chart.nodes.is_empty());
        if sec.suspect.kind == EntityKind::Person {
            assert!(sec.scope.iter().all(|m| m.person != sec.suspect.idx), "the suspect is not its own relative");
        }
    }

    // The police view pseudonymises the protected persons; the diagrams of the top findings
    // are charts (data), each citing exhibits that exist.
    assert_eq!(inv.audience, Audience::Police);
    assert!(inv.pseudonymised > 0 && inv.sealed.is_none());
    let protected = &inv.prepared().set.persons;
    for &p in protected.keys() {
        let real = &loaded.case.persons.rows[p as usize];
        let shown = &inv.case().persons.rows[p as usize];
        assert_ne!(real.full_name, shown.full_name);
        assert!(shown.id.starts_with("PP-"), "{}", shown.id);
    }
    assert!(inv.victims.iter().all(|v| v.id.starts_with("PP-")));
    assert_eq!(inv.finding_charts.len(), config.finding_diagrams.min(inv.findings.len()));
    let numbers = inv.exhibits.rows().len() as u32;
    for fc in &inv.finding_charts {
        for e in &fc.chart.edges {
            assert!(inv.exhibits.numbers(&e.provs).iter().all(|&x| x >= 1 && x <= numbers));
        }
    }
    assert_eq!(inv.settings.get("audience").map(String::as_str), Some("police"));
    assert!(inv.timings.iter().any(|t| t.stage == "detect"));
}

#[test]
fn the_court_run_carries_the_sealed_mapping_and_identities_in_clear() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed: 6, transfers: 4000, ..GenConfig::default() }, tmp.path()).unwrap();
    let loaded =
        investigation::load(tmp.path(), &LoadSettings { no_resolve: true, ..LoadSettings::default() }).unwrap();
    assert!(loaded.resolution.is_none());
    let settings = Settings { audience: Some(Audience::Court), ..Settings::default() };
    let config = Config { protection: Some(key()), ..Config::from_settings(&settings).unwrap() };
    let inv = pipeline::run(&loaded.case, &config).unwrap();
    assert_eq!(inv.pseudonymised, 0);
    assert!(inv.sealed.as_ref().is_some_and(|s| !s.bytes.is_empty()));
    assert!(std::ptr::eq(inv.case(), &loaded.case), "the court sees the case itself");
}

#[test]
fn settings_from_a_file_are_checked_once() {
    let s: Settings =
        toml::from_str("audience = \"ngo\"\nrules = [\"libr\"]\nparams = [\"fan_in.min_senders=7\"]\n").unwrap();
    let c = Config::from_settings(&s).unwrap();
    assert_eq!(c.audience, Audience::Ngo);
    assert_eq!(c.rules, vec![moneytrail::trace::Rule::Libr]);
    assert!(toml::from_str::<Settings>("audiance = \"ngo\"\n").is_err(), "unknown keys are refused");
    assert!(toml::from_str::<Settings>("audience = \"press\"\n").is_err());
    let bad = Settings { params: vec!["fan_in.no_such_key=1".into()], ..Settings::default() };
    assert!(Config::from_settings(&bad).is_err());
    let bad = Settings { params: vec!["victims.no_such_key=1".into()], ..Settings::default() };
    assert!(Config::from_settings(&bad).is_err());
}
