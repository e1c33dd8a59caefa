//! The words of the report: finding numbers, one-sentence statements in the language of each
//! typology, amounts in one format, exhibit links.

use super::i18n::Lang;
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

/// The typology's name in words, from the catalogue; a typology the catalogue does not know
/// (a new detector) is named by its code.
pub fn typology_name(lang: Lang, typology: &str) -> String {
    let key = format!("typology.{typology}");
    match lang.catalogue().get(&key) {
        Some(v) => v.clone(),
        None => typology.replace('_', " "),
    }
}

fn window(lang: Lang, first: Option<DateTime>, last: Option<DateTime>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => {
            let secs = b.0 - a.0;
            let h = secs / 3600;
            let (from, to) = (lang.date(a.date()), lang.date(b.date()));
            if a.date() == b.date() {
                lang.f("stmt.on", &[("date", &from)])
            } else if h <= 72 {
                lang.p("stmt.hours", h.max(1) as u64, &[("from", &from), ("to", &to)])
            } else {
                lang.p("stmt.days", (secs / 86_400 + 1) as u64, &[("from", &from), ("to", &to)])
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
        let a = if to { t.to[i.ix()] } else { t.from[i.ix()] };
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
pub fn statement(lang: Lang, case: &Case, f: &Finding) -> String {
    let cur = case.meta.base_currency.as_str();
    let acc = |a: u32| case.accounts.rows[a as usize].id.clone();
    let total = lang.money(f.total, cur);
    let when = window(lang, f.first_at, f.last_at);
    let (ins, outs) = (tally(case, f, true), tally(case, f, false));
    let accounts: std::collections::BTreeSet<u32> = ins.keys().chain(outs.keys()).copied().collect();
    let t = |key: &str, args: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = vec![("total", &total), ("when", &when)];
        all.extend_from_slice(args);
        lang.f(key, &all)
    };
    // A plural text (`key.one`, `key.other`) in the form of the count `n`.
    let tp = |key: &str, n: usize, args: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = vec![("total", &total), ("when", &when)];
        all.extend_from_slice(args);
        lang.p(key, n as u64, &all)
    };
    let main = match f.typology {
        _ if f.txns.is_empty() => None,
        "fan_in" | "structuring" | "funnel_account" => top(&ins).map(|hub| {
            let senders = outs.keys().filter(|&&a| a != hub).count();
            let deposits = f.txns.iter().filter(|&&i| case.transfers.to[i.ix()] == hub).count();
            match (f.typology, senders) {
                ("fan_in", _) | (_, 2..) => {
                    tp("stmt.fan_in", senders, &[("n", &lang.count(senders)), ("hub", &acc(hub))])
                }
                _ => tp("stmt.deposits", deposits, &[("n", &lang.count(deposits)), ("hub", &acc(hub))]),
            }
        }),
        "fan_out" => top(&outs).map(|hub| {
            let n = ins.keys().filter(|&&a| a != hub).count();
            tp("stmt.fan_out", n, &[("n", &lang.count_lower(n)), ("hub", &acc(hub))])
        }),
        "gather_scatter" => top(&ins).map(|hub| {
            let n = outs.keys().filter(|&&a| a != hub).count();
            let m = ins.keys().filter(|&&a| a != hub).count();
            t("stmt.gather_scatter", &[("n", &lang.count(n)), ("hub", &acc(hub)), ("m", &lang.count_lower(m))])
        }),
        "scatter_gather" => {
            let src = outs.keys().find(|a| !ins.contains_key(a)).copied();
            let dst = ins.keys().find(|a| !outs.contains_key(a)).copied();
            let mid = accounts.len().saturating_sub(2);
            match (src, dst) {
                (Some(s), Some(d)) => {
                    Some(t("stmt.scatter_gather", &[("src", &acc(s)), ("n", &lang.count_lower(mid)), ("dst", &acc(d))]))
                }
                _ => None,
            }
        }
        "cycle" | "round_tripping" => {
            let first = f.txns.iter().min_by_key(|&&i| (case.transfers.booked_at[i.ix()], i)).copied();
            first.map(|i| {
                let origin = case.transfers.from[i.ix()];
                let o = if origin == NO_ACCOUNT { lang.t("stmt.its_origin").to_string() } else { acc(origin) };
                t("stmt.cycle", &[("n", &lang.count_lower(accounts.len())), ("origin", &o)])
            })
        }
        "layering_chain" => {
            let by_time = |i: &&crate::model::TransferId| (case.transfers.booked_at[i.ix()], **i);
            let first = f.txns.iter().min_by_key(by_time).copied();
            let last = f.txns.iter().max_by_key(by_time).copied();
            match (first, last) {
                (Some(a), Some(b))
                    if case.transfers.from[a.ix()] != NO_ACCOUNT && case.transfers.to[b.ix()] != NO_ACCOUNT =>
                {
                    Some(t(
                        "stmt.chain",
                        &[
                            ("n", &lang.count_lower(accounts.len())),
                            ("src", &acc(case.transfers.from[a.ix()])),
                            ("dst", &acc(case.transfers.to[b.ix()])),
                        ],
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let main = main.unwrap_or_else(|| {
        let who: Vec<&str> = f.entities.iter().take(3).map(|&e| case.entity_id(e)).collect();
        let mut s = typology_name(lang, f.typology);
        if !who.is_empty() {
            s.push_str(&lang.f("stmt.involving", &[("list", &who.join(", "))]));
            if f.entities.len() > 3 {
                s.push_str(&lang.p("stmt.and_more", (f.entities.len() - 3) as u64, &[]));
            }
        }
        if !f.txns.is_empty() {
            s.push_str(&tp("stmt.transfers", f.txns.len(), &[]));
        } else if !f.total.is_zero() {
            s.push_str(&t("stmt.total", &[]));
        }
        s
    });
    let best = f.indicators.iter().max_by(|a, b| a.points.cmp(&b.points).then(b.name.cmp(a.name)));
    let mut s = main.trim_end().to_string();
    // The detectors write their measured details in English only: an Albanian sentence stops
    // before them (the folded indicator table beneath still shows every detail).
    if let Some(i) = best.filter(|i| !i.detail.is_empty() && lang == Lang::En) {
        let _ = write!(s, "; {}", lang.localise(&i.detail));
    }
    s.push('.');
    s
}

/// Exhibit numbers as links to their rows in the exhibit table (`E3`, `E4`, ...), at most
/// `max` of them, then "and N more (all in exhibits.csv)". HTML.
pub fn exhibit_links(lang: Lang, numbers: &[u32], max: usize) -> String {
    let mut s = String::new();
    for (k, n) in numbers.iter().take(max).enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        let l = label(*n);
        let _ = write!(s, "<a href=\"#{l}\">{l}</a>");
    }
    if numbers.len() > max {
        s.push_str(&lang.p("doc.and_more", (numbers.len() - max) as u64, &[]));
    }
    s
}

/// The exhibit numbers of a finding's transfers.
pub fn finding_exhibits(case: &Case, ex: &Exhibits, f: &Finding) -> Vec<u32> {
    let provs: Vec<_> = f.txns.iter().map(|&i| case.transfers.prov(i.ix())).collect();
    ex.numbers(&provs)
}

/// The indicator table of a finding, folded (HTML).
pub fn indicator_details(lang: Lang, f: &Finding, hash_id: &str) -> String {
    let mut s = format!(
        "<details><summary>{}</summary><table class=\"ind\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("findings.indicators"),
        lang.t("findings.th_indicator"),
        lang.t("findings.th_points"),
        lang.t("findings.th_measured")
    );
    for i in &f.indicators {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\">+{}</td><td>{}</td></tr>",
            html(&i.name.replace('_', " ")),
            i.points,
            super::cite(lang, &lang.localise(&i.detail))
        );
    }
    for note in &f.notes {
        let _ = write!(
            s,
            "<tr><td>{}</td><td></td><td>{}</td></tr>",
            lang.t("findings.not_checked"),
            super::cite(lang, &lang.localise(note))
        );
    }
    let _ = write!(
        s,
        "</tbody></table><p>{}</p></details>",
        lang.f("findings.score_id", &[("score", &f.score.to_string()), ("id", &html(hash_id))])
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_padded() {
        assert_eq!(number(0), "F-001");
        assert_eq!(number(119), "F-120");
        assert_eq!(anchor(4), "f-005");
        assert_eq!(typology_name(Lang::En, "funnel_account"), "Funnel account");
        assert_eq!(typology_name(Lang::Sq, "new_detector"), "new detector");
    }
}
