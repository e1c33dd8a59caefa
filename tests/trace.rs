//! Tests of the fund-tracing engine (`src/trace/`): known answers from docs/methodology.md#tracing, hand-
//! computed multi-victim figures, hop propagation, and property tests over random ledgers.

use std::str::FromStr;

use moneytrail::trace::{
    trace, trace_rules, trace_with, Event, Label, OpeningPolicy, Rule, Sources, TraceConfig, TraceError, TraceResult,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn ev(seq: u32, from: Option<u32>, to: Option<u32>, amount: &str) -> Event {
    Event { seq, at: i64::from(seq) * 100, from, to, amount: d(amount) }
}

const V1: Label = Label(1);
const V2: Label = Label(2);

/// methodology.md#tracing.1: account S = 0, relative Y = account 1, car X bought outside the case.
fn worked_example() -> (Vec<Event>, Sources) {
    let events = vec![
        ev(1, None, Some(0), "1000"),    // t1 salary (C)
        ev(2, None, Some(0), "3000"),    // t2 trafficking cash (T)
        ev(3, Some(0), None, "2500"),    // t3 car X
        ev(4, None, Some(0), "1000"),    // t4 salary (C)
        ev(5, Some(0), Some(1), "2000"), // t5 relative Y
    ];
    let mut sources = Sources::new();
    sources.add_transfer(2, V1);
    (events, sources)
}

/// The figures of the table in methodology.md#tracing.1: (car X, relative Y, left in S, total attributed).
#[test]
fn worked_example_reproduces_every_rule() {
    let (events, sources) = worked_example();
    let table = [
        (Rule::Fifo, "1500", "1500", "0", "3000"),
        (Rule::Lifo, "2500", "500", "0", "3000"),
        (Rule::ProRata, "1875", "900", "225", "3000"),
        (Rule::Libr, "1500", "1000", "500", "3000"),
        (Rule::Poison, "2500", "2000", "500", "5000"),
    ];
    for (rule, car, y, left, total) in table {
        let r = trace(&events, &sources, rule).unwrap();
        assert_eq!(r.tainted_in_event(3, V1), d(car), "{rule}: car X");
        assert_eq!(r.tainted_in_event(5, V1), d(y), "{rule}: relative Y");
        assert_eq!(r.remaining(0, V1), d(left), "{rule}: left in S");
        assert_eq!(r.remaining(1, V1), d(y), "{rule}: held by Y");
        let s = r.summary(V1).unwrap();
        assert_eq!(s.introduced, d("3000"), "{rule}: introduced");
        assert_eq!(s.attributed(), d(total), "{rule}: total attributed");
        assert_eq!(r.conserving, rule != Rule::Poison);
        // Source at hop 0, both payments one hop on.
        assert!(r.rows_of(2).all(|row| row.hop == 0));
        assert!(r.rows_of(3).chain(r.rows_of(5)).all(|row| row.hop == 1));
    }
}

#[test]
fn worked_example_fifo_lineage_cites_the_source_credit() {
    let (events, sources) = worked_example();
    let r = trace(&events, &sources, Rule::Fifo).unwrap();
    let car: Vec<_> = r.lineage_of(3).collect();
    assert_eq!(car.len(), 1);
    assert_eq!((car[0].credit_seq, car[0].account, car[0].hop), (Some(2), 0, 0));
    assert_eq!(car[0].amount, d("1500"));
    let y: Vec<_> = r.lineage_of(5).collect();
    assert_eq!(y.len(), 1);
    assert_eq!((y[0].credit_seq, y[0].amount), (Some(2), d("1500")));
}

/// methodology.md#tracing: T3,000 in; withdraw 2,800 (B = 200); clean 5,000 in: the claim stays at 200,
/// and a later debit is presumed to spend the clean 5,000 first (Hallett).
#[test]
fn libr_claim_is_capped_at_lowest_intermediate_balance() {
    let events = vec![
        ev(1, None, Some(0), "3000"),
        ev(2, Some(0), None, "2800"),
        ev(3, None, Some(0), "5000"),
        ev(4, Some(0), None, "1000"),
    ];
    let mut sources = Sources::new();
    sources.add_transfer(1, V1);
    let r = trace(&events, &sources, Rule::Libr).unwrap();
    assert_eq!(r.tainted_in_event(2, V1), d("2800"));
    assert_eq!(r.tainted_in_event(4, V1), Decimal::ZERO);
    assert_eq!(r.remaining(0, V1), d("200"));
    // Pro-rata would have charged the last debit: 1000 * 200 / 5200 = 38.461.. -> 38.46.
    let p = trace(&events, &sources, Rule::ProRata).unwrap();
    assert_eq!(p.tainted_in_event(4, V1), d("38.46"));
    assert_eq!(p.remaining(0, V1), d("161.54"));
}

/// Issue 9: two victims' earnings mixed in a controller's account with his own money, then an
/// apartment payment. Figures computed by hand below.
#[test]
fn two_victims_mixed_then_apartment_per_rule() {
    // Controller C = 0, victims' accounts 1 and 2, notary escrow for the apartment = 3.
    let events = vec![
        ev(1, None, Some(0), "500"),     // controller's own money
        ev(2, Some(1), Some(0), "1000"), // victim 1's earnings swept
        ev(3, Some(2), Some(0), "3000"), // victim 2's earnings swept
        ev(4, Some(0), None, "1500"),    // cash withdrawal
        ev(5, Some(0), Some(3), "2000"), // apartment payment
    ];
    let mut sources = Sources::new();
    sources.add_transfer(2, V1).add_transfer(3, V2);

    // (rule, cash V1, cash V2, apartment V1, apartment V2, left V1, left V2)
    let table = [
        // FIFO: lots C500, V1 1000, V2 3000. Cash 1500 = C500 + V1 1000; apartment = V2 2000.
        (Rule::Fifo, "1000", "0", "0", "2000", "0", "1000"),
        // LIFO: cash 1500 = V2 1500; apartment 2000 = V2 1500 + V1 500; C500 + V1 500 left.
        (Rule::Lifo, "0", "1500", "500", "1500", "500", "0"),
        // Pro-rata, balance 4500: cash takes 1/3 of each: C 166.666.., V1 333.333.., V2 1000.
        // In cents the one leftover unit goes to the largest remainder (C, .67 > V1, .33):
        // C 166.67, V1 333.33, V2 1000.00. Left: C 333.33, V1 666.67, V2 2000 (B = 3000).
        // Apartment takes 2/3: C 222.22 exactly, V1 444.446.., V2 1333.333..; the leftover
        // cent goes to V1 (remainder .67 > .33): V1 444.45, V2 1333.33.
        // Left: V1 666.67 - 444.45 = 222.22, V2 2000 - 1333.33 = 666.67.
        (Rule::ProRata, "333.33", "1000", "444.45", "1333.33", "222.22", "666.67"),
        // LIBR + Hallett: cash 1500 = C500 first, then 1000 shared 1:3 by the victims (250, 750).
        // Left V1 750, V2 2250; apartment 2000 shared 1:3 (500, 1500); left 250, 750.
        (Rule::Libr, "250", "750", "500", "1500", "250", "750"),
        // Poison: every output carries both labels in full; 1000 left in C for each.
        (Rule::Poison, "1500", "1500", "2000", "2000", "1000", "1000"),
    ];
    for (rule, c1, c2, a1, a2, l1, l2) in table {
        let r = trace(&events, &sources, rule).unwrap();
        assert_eq!(r.tainted_in_event(4, V1), d(c1), "{rule}: cash V1");
        assert_eq!(r.tainted_in_event(4, V2), d(c2), "{rule}: cash V2");
        assert_eq!(r.tainted_in_event(5, V1), d(a1), "{rule}: apartment V1");
        assert_eq!(r.tainted_in_event(5, V2), d(a2), "{rule}: apartment V2");
        assert_eq!(r.remaining(3, V1), d(a1), "{rule}: escrow V1");
        assert_eq!(r.remaining(3, V2), d(a2), "{rule}: escrow V2");
        assert_eq!(r.remaining(0, V1), d(l1), "{rule}: left V1");
        assert_eq!(r.remaining(0, V2), d(l2), "{rule}: left V2");
        if rule.is_conserving() {
            assert_eq!(r.summary(V1).unwrap().attributed(), d("1000"), "{rule}");
            assert_eq!(r.summary(V2).unwrap().attributed(), d("3000"), "{rule}");
        }
    }
}

#[test]
fn taint_propagates_hop_by_hop() {
    // A = 0 receives the proceeds, forwards them to B = 1, which pays C = 2.
    let events = vec![ev(1, None, Some(0), "1000"), ev(2, Some(0), Some(1), "1000"), ev(3, Some(1), Some(2), "600")];
    let mut sources = Sources::new();
    sources.add_transfer(1, V1);
    for rule in Rule::ALL {
        let r = trace(&events, &sources, rule).unwrap();
        let hops: Vec<(u32, u32)> = r.rows.iter().map(|row| (row.seq, row.hop)).collect();
        assert_eq!(hops, vec![(1, 0), (2, 1), (3, 2)], "{rule}");
        assert_eq!(r.remaining(2, V1), d("600"), "{rule}");
        assert_eq!(r.remaining(1, V1), d("400"), "{rule}");
        let back: Vec<_> = r.lineage_of(3).collect();
        assert_eq!(back.len(), 1, "{rule}");
        assert_eq!((back[0].credit_seq, back[0].account, back[0].hop), (Some(2), 1, 1));
        let back: Vec<_> = r.lineage_of(2).collect();
        assert_eq!((back[0].credit_seq, back[0].account, back[0].hop), (Some(1), 0, 0));
    }
}

#[test]
fn events_are_processed_by_time_then_seq_whatever_the_input_order() {
    let (mut events, sources) = worked_example();
    let sorted = trace(&events, &sources, Rule::Fifo).unwrap();
    events.reverse();
    assert_eq!(trace(&events, &sources, Rule::Fifo).unwrap(), sorted);
    // Same booking time: seq decides. Debit (seq 3) before the tainted credit (seq 4) at t = 0.
    let events = vec![
        Event { seq: 4, at: 0, from: None, to: Some(0), amount: d("100") },
        Event { seq: 3, at: 0, from: Some(0), to: None, amount: d("100") },
    ];
    let mut s = Sources::new();
    s.add_transfer(4, V1);
    let r = trace(&events, &s, Rule::Fifo).unwrap();
    assert_eq!(r.tainted_in_event(3, V1), Decimal::ZERO);
    assert_eq!(r.remaining(0, V1), d("100"));
}

#[test]
fn overdraft_absorbs_taint_and_caps_the_balance() {
    // Opening balances known to be zero: the 300 debit overdraws, the tainted 1000 first repays
    // the overdraft (300 absorbed, Bishopsgate), 700 stays traceable.
    let events = vec![ev(1, Some(0), None, "300"), ev(2, None, Some(0), "1000"), ev(3, Some(0), None, "900")];
    let mut sources = Sources::new();
    sources.add_transfer(2, V1);
    let config = TraceConfig { opening: OpeningPolicy::Zero, ..TraceConfig::default() };
    for rule in [Rule::Fifo, Rule::Lifo, Rule::ProRata, Rule::Libr] {
        let r = trace_with(&events, &sources, rule, &config).unwrap();
        let s = r.summary(V1).unwrap();
        assert_eq!(s.absorbed_by_overdraft, d("300"), "{rule}");
        // The 900 debit takes all 700 of taint; 200 beyond the balance is overdraft (clean).
        assert_eq!(r.tainted_in_event(3, V1), d("700"), "{rule}");
        assert_eq!(s.exited, d("700"), "{rule}");
        assert_eq!(r.remaining(0, V1), Decimal::ZERO, "{rule}");
    }
    // Default policy: unknown prior funds are the minimal clean opening (300), never overdrawn.
    let r = trace(&events, &sources, Rule::Fifo).unwrap();
    assert_eq!(r.summary(V1).unwrap().absorbed_by_overdraft, Decimal::ZERO);
    assert_eq!(r.tainted_in_event(3, V1), d("900"));
    assert_eq!(r.remaining(0, V1), d("100"));
    // Known opening balance of 1000: FIFO spends it first.
    let config = TraceConfig { known_openings: vec![(0, d("1000"))], ..TraceConfig::default() };
    let r = trace_with(&events, &sources, Rule::Fifo, &config).unwrap();
    assert_eq!(r.tainted_in_event(3, V1), d("200"));
}

#[test]
fn inflow_window_selects_credits_in_period() {
    let events = vec![
        ev(1, None, Some(0), "100"),    // at 100: before the window
        ev(2, Some(5), Some(0), "200"), // at 200: in
        ev(3, None, Some(0), "300"),    // at 300: in (cash)
        ev(4, None, Some(1), "400"),    // other account
        ev(5, None, Some(0), "500"),    // at 500: after
    ];
    let mut s = Sources::new();
    s.add_inflows(0, 200, 300, V1);
    let r = trace(&events, &s, Rule::Fifo).unwrap();
    assert_eq!(r.summary(V1).unwrap().introduced, d("500"));
    let mut s = Sources::new();
    s.add_cash_deposits(0, 0, 1000, V2);
    let r = trace(&events, &s, Rule::Fifo).unwrap();
    assert_eq!(r.summary(V2).unwrap().introduced, d("900"));
}

#[test]
fn invalid_inputs_are_rejected_with_a_reason() {
    let (events, _) = worked_example();
    let mut s = Sources::new();
    s.add_transfer(99, V1);
    assert_eq!(trace(&events, &s, Rule::Fifo), Err(TraceError::UnknownSourceSeq { seq: 99 }));
    let mut s = Sources::new();
    s.add_transfer(2, Label::CLEAN);
    assert_eq!(trace(&events, &s, Rule::Fifo), Err(TraceError::ReservedLabel));
    let mut s = Sources::new();
    s.add_transfer(2, V1).add_inflows(0, 0, 1000, V2);
    assert!(matches!(trace(&events, &s, Rule::Fifo), Err(TraceError::ConflictingSources { seq: 2, .. })));
    let mut dup = events.clone();
    dup[4].seq = 1;
    let mut s = Sources::new();
    s.add_transfer(2, V1);
    assert_eq!(trace(&dup, &s, Rule::Fifo), Err(TraceError::DuplicateSeq { seq: 1 }));
    let mut neg = events.clone();
    neg[0].amount = d("-1");
    assert!(matches!(trace(&neg, &s, Rule::Fifo), Err(TraceError::NegativeAmount { seq: 1, .. })));
}

#[test]
fn rule_names_round_trip() {
    for rule in Rule::ALL {
        assert_eq!(Rule::from_str(&rule.to_string()), Ok(rule));
    }
    assert_eq!(Rule::from_str("Pro_Rata"), Ok(Rule::ProRata));
    assert!(Rule::from_str("clayton").is_err());
}

#[test]
fn parallel_rules_equal_sequential_and_repeat_identically() {
    let (events, sources) = worked_example();
    let config = TraceConfig::default();
    let par = trace_rules(
        &events,
        &sources,
        &[Rule::Poison, Rule::Fifo, Rule::Libr, Rule::Fifo, Rule::Lifo, Rule::ProRata],
        &config,
    )
    .unwrap();
    let seq: Vec<TraceResult> = Rule::ALL.iter().map(|&r| trace_with(&events, &sources, r, &config).unwrap()).collect();
    assert_eq!(par, seq);
    assert_eq!(trace_rules(&events, &sources, &Rule::ALL, &config).unwrap(), par);
}

mod properties {
    use std::collections::BTreeMap;

    use super::*;
    use proptest::prelude::*;

    const ACCOUNTS: u32 = 5;

    #[derive(Debug, Clone)]
    struct Case {
        events: Vec<Event>,
        sources: Sources,
        config: TraceConfig,
    }

    /// Random ledgers: up to 40 transfers among 5 accounts and the outside, booking times with
    /// many ties, amounts in cents, 0-4 source transfers with labels 1-2, maybe an inflow window
    /// with label 3, opening policy and scale varied.
    fn case() -> impl Strategy<Value = Case> {
        (1usize..40)
            .prop_flat_map(|n| {
                (
                    prop::collection::vec(
                        (
                            0i64..15,
                            prop::option::weighted(0.8, 0u32..ACCOUNTS),
                            prop::option::weighted(0.8, 0u32..ACCOUNTS),
                            0i64..300_000,
                        ),
                        n,
                    ),
                    prop::collection::vec((0..n as u32, 1u32..3), 0..5),
                    prop::option::of((0u32..ACCOUNTS, 0i64..15, 0i64..6)),
                    any::<bool>(),
                    prop::sample::select(vec![0u32, 2, 4]),
                    prop::sample::select(vec![1usize, 2, 256]),
                )
            })
            .prop_map(|(raw, picks, window, zero, scale, max_lots)| {
                let events: Vec<Event> = raw
                    .iter()
                    .enumerate()
                    .map(|(i, &(at, from, to, cents))| Event {
                        seq: i as u32,
                        at,
                        from,
                        to,
                        amount: Decimal::new(cents, 2),
                    })
                    .collect();
                let mut sources = Sources::new();
                let in_window = |e: &Event| {
                    window.is_some_and(|(a, from, len)| e.to == Some(a) && e.at >= from && e.at <= from + len)
                };
                if let Some((a, from, len)) = window {
                    sources.add_inflows(a, from, from + len, Label(3));
                }
                let mut picked = BTreeMap::new();
                for (seq, label) in picks {
                    if !in_window(&events[seq as usize]) {
                        picked.entry(seq).or_insert(label);
                    }
                }
                for (seq, label) in picked {
                    sources.add_transfer(seq, Label(label));
                }
                let config = TraceConfig {
                    scale,
                    opening: if zero { OpeningPolicy::Zero } else { OpeningPolicy::MinimalClean },
                    known_openings: Vec::new(),
                    max_lots_per_account: max_lots,
                };
                Case { events, sources, config }
            })
    }

    fn tainted(r: &TraceResult, pred: impl Fn(&moneytrail::trace::TaintRow) -> bool) -> Decimal {
        r.rows.iter().filter(|row| pred(row)).map(|row| row.tainted).sum()
    }

    /// Final balances computed independently of the engine (processing order (at, seq)).
    fn balances(c: &Case) -> Vec<Decimal> {
        let mut order: Vec<&Event> = c.events.iter().collect();
        order.sort_by_key(|e| (e.at, e.seq));
        let mut run = vec![Decimal::ZERO; ACCOUNTS as usize];
        let mut low = vec![Decimal::ZERO; ACCOUNTS as usize];
        for e in order {
            if let Some(f) = e.from {
                run[f as usize] -= e.amount;
                low[f as usize] = low[f as usize].min(run[f as usize]);
            }
            if let Some(t) = e.to {
                run[t as usize] += e.amount;
            }
        }
        (0..ACCOUNTS as usize)
            .map(|a| match c.config.opening {
                OpeningPolicy::MinimalClean => run[a] - low[a].min(Decimal::ZERO),
                _ => run[a],
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn conserving_rules_conserve_per_label_exactly(c in case()) {
            let results = trace_rules(&c.events, &c.sources, &Rule::ALL, &c.config).unwrap();
            let poison = results.iter().find(|r| r.rule == Rule::Poison).unwrap();
            let expected_balance = balances(&c);
            for r in results.iter().filter(|r| r.conserving) {
                let rule = r.rule;
                for s in &r.labels {
                    // in == out of the system + absorbed by overdrafts + remaining, exactly.
                    prop_assert_eq!(s.introduced, s.attributed(), "{}: label {}", rule, s.label);
                    prop_assert_eq!(s.introduced, tainted(r, |row| row.label == s.label && row.hop == 0));
                    prop_assert_eq!(s.exited, tainted(r, |row| row.label == s.label && row.to.is_none()));
                    if c.config.opening == OpeningPolicy::MinimalClean {
                        prop_assert_eq!(s.absorbed_by_overdraft, Decimal::ZERO);
                    }
                }
                // No tainted debit exceeds the debit, per label or summed over labels.
                for e in &c.events {
                    let rows: Vec<_> = r.rows_of(e.seq).collect();
                    let sum: Decimal = rows.iter().map(|row| row.tainted).sum();
                    prop_assert!(sum <= e.amount, "{}: seq {} carries {} of {}", rule, e.seq, sum, e.amount);
                    for row in rows {
                        prop_assert!(row.tainted > Decimal::ZERO);
                        prop_assert!(row.tainted.scale() <= r.scale);
                    }
                    // Lineage accounts for every propagated part of a debit.
                    for label in [Label(1), Label(2), Label(3)] {
                        let drawn: Decimal = r.lineage_of(e.seq).filter(|l| l.label == label).map(|l| l.amount).sum();
                        let carried = tainted(r, |row| row.seq == e.seq && row.label == label && row.hop > 0);
                        prop_assert_eq!(drawn, carried, "{}: lineage of seq {}", rule, e.seq);
                    }
                }
                // Tainted balance never exceeds max(0, balance); balances match an independent sum.
                for a in 0..ACCOUNTS {
                    let held: Vec<_> = r.balances.iter().filter(|b| b.account == a).collect();
                    let total: Decimal = held.iter().map(|b| b.tainted).sum();
                    for b in &held {
                        prop_assert_eq!(b.balance, expected_balance[a as usize]);
                    }
                    prop_assert!(total <= expected_balance[a as usize].max(Decimal::ZERO));
                    // Without overdrafts, each account's taint is what flowed in minus what left.
                    if c.config.opening == OpeningPolicy::MinimalClean {
                        for label in [Label(1), Label(2), Label(3)] {
                            let inflow = tainted(r, |row| row.to == Some(a) && row.label == label);
                            let outflow = tainted(r, |row| row.from == Some(a) && row.label == label && row.hop > 0);
                            prop_assert_eq!(inflow - outflow, r.remaining(a, label), "{}: account {}", rule, a);
                        }
                    }
                }
                // Poison reaches at least as far, with at least as much, as every conserving rule.
                for row in &r.rows {
                    prop_assert!(poison.tainted_in_event(row.seq, row.label) >= r.tainted_in_event(row.seq, row.label));
                }
                for b in &r.balances {
                    prop_assert!(poison.remaining(b.account, b.label) >= b.tainted);
                }
            }
        }

        #[test]
        fn tracing_is_deterministic_and_parallel_equals_sequential(c in case()) {
            let par = trace_rules(&c.events, &c.sources, &Rule::ALL, &c.config).unwrap();
            let again = trace_rules(&c.events, &c.sources, &Rule::ALL, &c.config).unwrap();
            prop_assert_eq!(&par, &again);
            let mut shuffled = c.events.clone();
            shuffled.reverse();
            for (i, &rule) in Rule::ALL.iter().enumerate() {
                let seq = trace_with(&c.events, &c.sources, rule, &c.config).unwrap();
                prop_assert_eq!(&par[i], &seq);
                prop_assert_eq!(&trace_with(&shuffled, &c.sources, rule, &c.config).unwrap(), &seq);
            }
        }
    }
}

/// Scale check (not run by default; a timed test asserts nothing about speed): a synthetic ledger
/// of `MONEYTRAIL_TRACE_EVENTS` transfers (default 10M) among 200k accounts (1,000 of them busy) with
/// all inflows to 50 victims' accounts in the first half as sources, traced under every rule in parallel. Run with
/// `cargo test --test trace scale -- --ignored --nocapture`.
#[test]
#[ignore]
fn scale_synthetic_ledger() {
    let n: usize = std::env::var("MONEYTRAIL_TRACE_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let accounts = 200_000u64;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let t0 = std::time::Instant::now();
    let events: Vec<Event> = (0..n)
        .map(|i| {
            let r = next();
            // A third of the endpoints are among 1,000 busy accounts, so taint spreads.
            let mut pick = || {
                let a = next();
                (if a % 3 == 0 { a % 1_000 } else { a % accounts }) as u32
            };
            let from = (r % 10 != 0).then(&mut pick);
            let to = (r % 10 != 1).then(&mut pick);
            Event { seq: i as u32, at: i as i64 / 3, from, to, amount: Decimal::new((next() % 500_000) as i64 + 1, 2) }
        })
        .collect();
    let mut sources = Sources::new();
    for v in 1..=50u32 {
        sources.add_inflows(v, 0, n as i64 / 6, Label(v));
    }
    let built = t0.elapsed();
    let t1 = std::time::Instant::now();
    let results = trace_rules(&events, &sources, &Rule::ALL, &TraceConfig::default()).unwrap();
    let traced = t1.elapsed();
    eprintln!("{n} events generated in {built:?}, traced under all rules in {traced:?}");
    for rule in Rule::ALL {
        let t = std::time::Instant::now();
        let r = trace_with(&events, &sources, rule, &TraceConfig::default()).unwrap();
        eprintln!("  {rule} alone: {:?} ({} rows)", t.elapsed(), r.rows.len());
    }
    for r in &results {
        eprintln!(
            "  {}: {} rows, {} lineage edges, {} tainted balances",
            r.rule,
            r.rows.len(),
            r.lineage.len(),
            r.balances.len()
        );
    }
}
