//! The words of the report: finding numbers, one-sentence statements in the language of each
//! typology, amounts in one format, exhibit links.

use crate::evidence::chart::money;
use crate::evidence::exhibits::{label, Exhibits};
use crate::model::{Case, DateTime, NO_ACCOUNT};
use crate::patterns::Finding;
use crate::text::xml::html;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The short, stable number of the finding at `rank` (0-based) in the ranked list: `F-001`.
/// Findings are ranked by score, then by their hash id, so the same inputs and version always
/// give the same numbers; the hash id stays in findings.csv and the workbook.
pub fn number(rank: usize) -> String {
    format!("F-{:03}", rank + 1)
}

/// The anchor of a finding in the report.
pub fn anchor(rank: usize) -> String {
    format!("f-{:03}", rank + 1)
}

/// The methodology section of a typology.
pub fn typology_anchor(typology: &str) -> &'static str {
    match typology {
        "structuring" => "t-structuring",
        "funnel_account" => "t-funnel-account",
        "fan_in" => "t-fan-in",
        "fan_out" => "t-fan-out",
        "scatter_gather" => "t-scatter-gather",
        "gather_scatter" => "t-gather-scatter",
        "cycle" => "t-cycle",
        "round_tripping" => "t-round-tripping",
        "layering_chain" => "t-layering-chain",
        "shell_company" => "t-shell-company",
        "nominee_director" => "t-nominee-director",
        "circular_ownership" => "t-circular-ownership",
        "property_after_inflow" => "t-real-estate",
        "undervalued_purchase" => "t-undervalued-purchase",
        "disproportion" => "t-disproportion",
        _ => "typologies",
    }
}

/// The typology's name in words.
pub fn typology_name(typology: &str) -> String {
    match typology {
        "fan_in" => "Fan-in".into(),
        "fan_out" => "Fan-out".into(),
        "property_after_inflow" => "Property bought after inflows".into(),
        t => {
            let mut s = t.replace('_', " ");
            if let Some(c) = s.get(0..1) {
                let up = c.to_uppercase();
                s.replace_range(0..1, &up);
            }
            s
        }
    }
}

fn count_word(n: usize) -> String {
    const W: [&str; 13] =
        ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve"];
    W.get(n).map(|w| (*w).to_string()).unwrap_or_else(|| n.to_string())
}

fn lower_count(n: usize) -> String {
    count_word(n).to_lowercase()
}

fn window(first: Option<DateTime>, last: Option<DateTime>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => {
            let secs = b.0 - a.0;
            let h = secs / 3600;
            if a.date() == b.date() {
                format!("on {}", a.date())
            } else if h <= 72 {
                format!("within {} hours ({} – {})", h.max(1), a.date(), b.date())
            } else {
                format!("within {} days ({} – {})", secs / 86_400 + 1, a.date(), b.date())
            }
        }
        _ => String::new(),
    }
}

/// Accounts by how often they appear as debited (`from`) or credited (`to`) in `f`'s transfers.
fn tally(case: &Case, f: &Finding, to: bool) -> BTreeMap<u32, usize> {
    let t = &case.transfers;
    let mut m = BTreeMap::new();
    for &i in &f.txns {
        let a = if to { t.to[i as usize] } else { t.from[i as usize] };
        if a != NO_ACCOUNT {
            *m.entry(a).or_insert(0) += 1;
        }
    }
    m
}

fn top(m: &BTreeMap<u32, usize>) -> Option<u32> {
    // Highest count; ties broken by the lowest index, so the choice is stable.
    m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(a, _)| *a)
}

/// One sentence that states a finding in the language of its typology, with amounts in the
/// report's format; the indicator with most points follows after a semicolon. Plain text.
pub fn statement(case: &Case, f: &Finding) -> String {
    let cur = case.meta.base_currency.as_str();
    let acc = |a: u32| case.accounts.rows[a as usize].id.clone();
    let total = money(f.total, cur);
    let when = window(f.first_at, f.last_at);
    let (ins, outs) = (tally(case, f, true), tally(case, f, false));
    let accounts: std::collections::BTreeSet<u32> = ins.keys().chain(outs.keys()).copied().collect();
    let main = match f.typology {
        _ if f.txns.is_empty() => None,
        "fan_in" | "structuring" | "funnel_account" => top(&ins).map(|hub| {
            let senders = outs.keys().filter(|&&a| a != hub).count();
            let deposits = f.txns.iter().filter(|&&i| case.transfers.to[i as usize] == hub).count();
            match (f.typology, senders) {
                ("fan_in", _) | (_, 2..) => {
                    format!("{} accounts paid {total} into {} {when}", count_word(senders), acc(hub))
                }
                _ => format!("{} deposits of {total} in all were paid into {} {when}", count_word(deposits), acc(hub)),
            }
        }),
        "fan_out" => top(&outs).map(|hub| {
            let n = ins.keys().filter(|&&a| a != hub).count();
            format!("{} paid {total} to {} accounts {when}", acc(hub), lower_count(n))
        }),
        "gather_scatter" => top(&ins).map(|hub| {
            let n = outs.keys().filter(|&&a| a != hub).count();
            let m = ins.keys().filter(|&&a| a != hub).count();
            format!(
                "{} accounts paid into {}, which paid {} accounts; {total} moved {when}",
                count_word(n),
                acc(hub),
                lower_count(m)
            )
        }),
        "scatter_gather" => {
            let src = outs.keys().find(|a| !ins.contains_key(a)).copied();
            let dst = ins.keys().find(|a| !outs.contains_key(a)).copied();
            let mid = accounts.len().saturating_sub(2);
            match (src, dst) {
                (Some(s), Some(d)) => Some(format!(
                    "{} paid {} intermediary accounts, which passed the money on to {}; {total} moved {when}",
                    acc(s),
                    lower_count(mid),
                    acc(d)
                )),
                _ => None,
            }
        }
        "cycle" | "round_tripping" => {
            let first = f.txns.iter().min_by_key(|&&i| (case.transfers.booked_at[i as usize], i)).copied();
            first.map(|i| {
                let origin = case.transfers.from[i as usize];
                let o = if origin == NO_ACCOUNT { "its origin".to_string() } else { acc(origin) };
                format!("{total} went round {} accounts and came back to {o} {when}", lower_count(accounts.len()))
            })
        }
        "layering_chain" => {
            let by_time = |i: &&u32| (case.transfers.booked_at[**i as usize], **i);
            let first = f.txns.iter().min_by_key(by_time).copied();
            let last = f.txns.iter().max_by_key(by_time).copied();
            match (first, last) {
                (Some(a), Some(b))
                    if case.transfers.from[a as usize] != NO_ACCOUNT && case.transfers.to[b as usize] != NO_ACCOUNT =>
                {
                    Some(format!(
                        "{total} passed along a chain of {} accounts from {} to {} {when}",
                        lower_count(accounts.len()),
                        acc(case.transfers.from[a as usize]),
                        acc(case.transfers.to[b as usize])
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let main = main.unwrap_or_else(|| {
        let who: Vec<&str> = f.entities.iter().take(3).map(|&e| case.entity_id(e)).collect();
        let mut s = typology_name(f.typology);
        if !who.is_empty() {
            let _ = write!(s, " involving {}", who.join(", "));
            if f.entities.len() > 3 {
                let _ = write!(s, " and {} more", f.entities.len() - 3);
            }
        }
        if !f.txns.is_empty() {
            let _ = write!(s, ": {} transfers, {total}, {when}", f.txns.len());
        } else if !f.total.is_zero() {
            let _ = write!(s, ": {total}");
        }
        s
    });
    let best = f.indicators.iter().max_by(|a, b| a.points.cmp(&b.points).then(b.name.cmp(a.name)));
    let mut s = group_amounts(main.trim_end());
    if let Some(i) = best.filter(|i| !i.detail.is_empty()) {
        let _ = write!(s, "; {}", group_amounts(&i.detail));
    }
    s.push('.');
    s
}

/// Puts every plain amount in `text` (four or more integer digits and exactly two decimals,
/// not part of an identifier) into the report's one format: `826759.16` -> `826,759.16`.
pub fn group_amounts(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < b.len() {
        let prev_ok =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'.' | b',' | b'_' | b'-' | b':'));
        if b[i].is_ascii_digit() && prev_ok {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let frac = j + 3 <= b.len()
                && b[j] == b'.'
                && b[j + 1].is_ascii_digit()
                && b[j + 2].is_ascii_digit()
                && (j + 3 == b.len() || !(b[j + 3].is_ascii_alphanumeric()));
            if frac && j - i >= 4 {
                let int = &text[i..j];
                for (k, c) in int.chars().enumerate() {
                    if k > 0 && (int.len() - k) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(c);
                }
                out.push_str(&text[j..j + 3]);
                i = j + 3;
            } else {
                out.push_str(&text[i..j]);
                i = j;
            }
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Exhibit numbers as links to their rows in the exhibit table (`E3`, `E4`, ...), at most
/// `max` of them, then "and N more (all in exhibits.csv)". HTML.
pub fn exhibit_links(numbers: &[u32], max: usize) -> String {
    let mut s = String::new();
    for (k, n) in numbers.iter().take(max).enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        let l = label(*n);
        let _ = write!(s, "<a href=\"#{l}\">{l}</a>");
    }
    if numbers.len() > max {
        let _ = write!(s, " and {} more (exhibits.csv)", numbers.len() - max);
    }
    s
}

/// The exhibit numbers of a finding's transfers.
pub fn finding_exhibits(case: &Case, ex: &Exhibits, f: &Finding) -> Vec<u32> {
    let provs: Vec<_> = f.txns.iter().map(|&i| case.transfers.prov(i as usize)).collect();
    ex.numbers(&provs)
}

/// The indicator table of a finding, folded (HTML).
pub fn indicator_details(f: &Finding, hash_id: &str) -> String {
    let mut s = String::from("<details><summary>Indicators and finding id</summary><table class=\"ind\"><thead><tr><th>Indicator</th><th>Points</th><th>Measured</th></tr></thead><tbody>");
    for i in &f.indicators {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">+{}</td><td>{}</td></tr>",
            html(&i.name.replace('_', " ")),
            i.points,
            crate::export::methodology::cite_html(&group_amounts(&i.detail))
        );
    }
    for note in &f.notes {
        let _ = write!(
            s,
            "<tr><td>not checked</td><td></td><td>{}</td></tr>",
            crate::export::methodology::cite_html(&group_amounts(note))
        );
    }
    let _ = write!(
        s,
        "</tbody></table><p>Score {} of 100. Finding id (findings.csv): <code>{}</code></p></details>",
        f.score,
        html(hash_id)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_grouped_identifiers_left_alone() {
        assert_eq!(
            group_amounts("paid 826759.16 into A0000114 on 2024-03-05, 12.50 and 1234567.00; id x-1234.56"),
            "paid 826,759.16 into A0000114 on 2024-03-05, 12.50 and 1,234,567.00; id x-1234.56"
        );
        assert_eq!(group_amounts("ë 1000.00"), "ë 1,000.00");
    }

    #[test]
    fn numbers_are_short_and_padded() {
        assert_eq!(number(0), "F-001");
        assert_eq!(number(119), "F-120");
        assert_eq!(anchor(4), "f-005");
        assert_eq!(typology_name("funnel_account"), "Funnel account");
    }
}
