//! Diagrams and exhibit descriptions in the report's language.
//!
//! The charts (src/evidence/charts.rs) are built once per investigation, in English, before
//! the language of a bundle is known, and the same charts feed the English-only data exports
//! (GraphML, ANX, entities.csv). Their fixed texts have a small closed set of forms, each
//! written in the `[chart]` section of en.toml exactly as the builders write it
//! (`"{n} other accounts"`, `"title {share}%"`). For another language each text of a chart is
//! matched against the English forms *of its field* (node titles only against node-title
//! forms, edge labels against edge-label forms, ...), its values are taken out (typed by
//! placeholder name: a count, an ISO date, an English-grouped amount, a role word), and the
//! same key of that language's catalogue is filled with them, in that language's formats. A
//! text that matches no form is data (a name, an account number) and stays as it is.
//! tests/report_i18n.rs checks that no English fixed word of a chart reaches an Albanian
//! diagram, so a new form the builders write without a catalogue entry fails there.

use super::i18n::Lang;
use crate::evidence::chart::{Chart, ChartWords, NodeClass};
use std::borrow::Cow;

/// Which field of a chart a text is, and so which `[chart]` forms it may take (the prefix of
/// their keys).
#[derive(Clone, Copy)]
enum Field {
    Title,
    Cluster,
    Node,
    Detail,
    Edge,
    Note,
    What,
}

impl Field {
    /// The prefix of the field's keys in the catalogue (`chart.edge_`).
    fn prefix(self) -> String {
        let name = match self {
            Field::Title => "title",
            Field::Cluster => "cluster",
            Field::Node => "node",
            Field::Detail => "detail",
            Field::Edge => "edge",
            Field::Note => "note",
            Field::What => "what",
        };
        format!("chart.{name}_")
    }
}

/// `chart` in `lang`: borrowed as it is for English, else a copy with every fixed text and the
/// renderers' words translated.
pub fn chart_in(chart: &Chart, lang: Lang) -> Cow<'_, Chart> {
    if lang == Lang::En {
        return Cow::Borrowed(chart);
    }
    let mut c = chart.clone();
    c.title = say(lang, Field::Title, &c.title);
    c.cluster_label = c.cluster_label.map(|l| say(lang, Field::Cluster, &l));
    for n in &mut c.nodes {
        if matches!(n.class, NodeClass::Cash | NodeClass::Aggregate) {
            n.title = say(lang, Field::Node, &n.title);
        }
        n.detail = say(lang, Field::Detail, &n.detail);
    }
    for e in &mut c.edges {
        for l in &mut e.label {
            *l = say(lang, Field::Edge, l);
        }
    }
    c.notes = c.notes.iter().map(|n| say(lang, Field::Note, n)).collect();
    c.words = Some(words(lang));
    Cow::Owned(c)
}

/// The notes of a chart in `lang` (for the report's text beside a diagram).
pub fn notes_in(chart: &Chart, lang: Lang) -> Vec<String> {
    chart.notes.iter().map(|n| say(lang, Field::Note, n)).collect()
}

/// An exhibit's description (`transfer T0001`, `land register title R7`) in `lang`.
pub fn exhibit_in(lang: Lang, what: &str) -> String {
    if lang == Lang::En {
        return what.to_string();
    }
    say(lang, Field::What, what)
}

/// The renderers' fixed words in `lang`.
pub fn words(lang: Lang) -> ChartWords {
    let class = |c: NodeClass| {
        lang.t(match c {
            NodeClass::Suspect => "chart.class_suspect",
            NodeClass::Person => "chart.class_person",
            NodeClass::Company => "chart.class_company",
            NodeClass::Account => "chart.class_account",
            NodeClass::Property => "chart.class_property",
            NodeClass::Cash => "chart.class_cash",
            NodeClass::Aggregate => "chart.class_aggregate",
        })
        .to_string()
    };
    let line = |c: crate::evidence::chart::Confidence| {
        use crate::evidence::chart::Confidence as C;
        lang.t(match c {
            C::Confirmed => "chart.line_confirmed",
            C::Inferred => "chart.line_inferred",
            C::Hypothesis => "chart.line_hypothesis",
        })
        .to_string()
    };
    ChartWords {
        legend: lang.t("chart.legend").to_string(),
        classes: NodeClass::ALL.map(class),
        lines: crate::evidence::chart::Confidence::ALL.map(line),
        note: lang.t("chart.note").to_string(),
        more: lang.t("chart.more").to_string(),
        no_source: lang.t("chart.no_source").to_string(),
    }
}

/// `text` (English, of `field`) in `lang`; unchanged when it matches no form of the field.
fn say(lang: Lang, field: Field, text: &str) -> String {
    let en = Lang::En.catalogue();
    // The most specific form first (most fixed characters): "holder unknown · bank unknown"
    // before "{holder} · bank unknown".
    let prefix = field.prefix();
    let mut forms: Vec<(&String, &String)> =
        en.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).collect();
    forms.sort_by_key(|(k, f)| (std::cmp::Reverse(literal_len(f)), k.as_str()));
    for (key, form) in forms {
        let Some(args) = matches(form, text) else { continue };
        // A plural form (`key.one`, `key.other`) is filled in the form of its count.
        let base = key.strip_suffix(".one").or_else(|| key.strip_suffix(".other"));
        let values: Vec<(String, String)> = args.iter().map(|(k, v)| (k.clone(), value(lang, k, v))).collect();
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        return match base {
            Some(base) => {
                let n = args.iter().find(|(k, _)| k == "n").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
                lang.p(base, n, &refs)
            }
            None => lang.f(key, &refs),
        };
    }
    text.to_string()
}

/// The value of placeholder `name` in `lang`: dates, amounts, decimals and words by the
/// placeholder's type; identifiers and names as they are.
fn value(lang: Lang, name: &str, v: &str) -> String {
    match name {
        "date" | "from" | "to" | "since" | "until" => lang.iso_date(v),
        "amount" => lang.regroup_en(v),
        "money" => match v.rsplit_once(' ') {
            Some((a, cur)) if is_amount(a) => format!("{} {cur}", lang.regroup_en(a)),
            Some((_, cur)) => lang.f("chart.beyond_range", &[("cur", cur)]),
            None => v.to_string(),
        },
        "share" | "c" => v.replace('.', lang.t("format.decimal")),
        "typology" => super::text::typology_name(lang, v),
        "role" => lang.t(&format!("chart.role_{v}")).to_string(),
        "kind" => lang.t(&format!("suspect.kind_{v}")).to_string(),
        _ => v.to_string(),
    }
}

/// How many characters of `form` are not placeholders.
fn literal_len(form: &str) -> usize {
    let mut n = 0;
    let mut inside = false;
    for c in form.chars() {
        match c {
            '{' => inside = true,
            '}' => inside = false,
            _ if !inside => n += 1,
            _ => {}
        }
    }
    n
}

fn is_amount(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    v.split_once('.').is_some_and(|(i, f)| {
        !i.is_empty()
            && f.len() == 2
            && f.chars().all(|c| c.is_ascii_digit())
            && i.chars().all(|c| c.is_ascii_digit() || c == ',')
    })
}

/// Whether `v` can be the value of placeholder `name` (what keeps a form from matching data).
fn fits(name: &str, v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let decimal = |s: &str| s.split_once('.').map_or(digits(s), |(i, f)| digits(i) && digits(f));
    match name {
        "n" | "room" | "score" => digits(v),
        "date" | "from" | "to" | "since" | "until" => {
            let b = v.as_bytes();
            b.len() == 10 && b[4] == b'-' && b[7] == b'-' && v.chars().filter(|c| c.is_ascii_digit()).count() == 8
        }
        "amount" => is_amount(v),
        "money" => v.rsplit_once(' ').is_some_and(|(a, cur)| {
            cur.len() == 3
                && cur.chars().all(|c| c.is_ascii_uppercase())
                && (is_amount(a) || a == crate::evidence::chart::BEYOND_RANGE)
        }),
        "cur" => v.len() == 3 && v.chars().all(|c| c.is_ascii_uppercase()),
        "share" | "c" => decimal(v),
        "typology" => !v.is_empty() && v.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "role" => Lang::En.catalogue().contains_key(&format!("chart.role_{v}")),
        "kind" => Lang::En.catalogue().contains_key(&format!("suspect.kind_{v}")),
        "id" | "a" | "b" => !v.is_empty() && !v.contains(char::is_whitespace),
        _ => !v.is_empty(),
    }
}

/// The values of `form`'s placeholders when `text` is `form` filled in, else `None`.
fn matches(form: &str, text: &str) -> Option<Vec<(String, String)>> {
    // Tokens: literal runs and placeholder names.
    let mut tokens: Vec<(bool, &str)> = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('{') {
        let j = rest[i..].find('}')? + i;
        if i > 0 {
            tokens.push((false, &rest[..i]));
        }
        tokens.push((true, &rest[i + 1..j]));
        rest = &rest[j + 1..];
    }
    if !rest.is_empty() {
        tokens.push((false, rest));
    }
    let mut out = Vec::new();
    walk(&tokens, text, &mut out).then_some(out)
}

fn walk(tokens: &[(bool, &str)], text: &str, out: &mut Vec<(String, String)>) -> bool {
    let Some(&(is_name, tok)) = tokens.first() else { return text.is_empty() };
    if !is_name {
        return text.strip_prefix(tok).is_some_and(|t| walk(&tokens[1..], t, out));
    }
    // A placeholder takes the shortest value that lets the rest match.
    for (end, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
        let v = &text[..end];
        if fits(tok, v) {
            out.push((tok.to_string(), v.to_string()));
            if walk(&tokens[1..], &text[end..], out) {
                return true;
            }
            out.pop();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_match_and_translate() {
        let sq = |f: Field, t: &str| say(Lang::Sq, f, t);
        assert_eq!(sq(Field::Edge, "holds"), "mban");
        assert_eq!(sq(Field::Edge, "3 transfers · 1,234,567.89 ALL"), "3 transferta · 1.234.567,89 ALL");
        assert_eq!(sq(Field::Edge, "1,500.00 EUR · 2024-03-05"), "1.500,00 EUR · 05.03.2024");
        assert_eq!(sq(Field::Edge, "2024-03-05 – 2024-04-01"), "05.03.2024 – 01.04.2024");
        assert_eq!(sq(Field::Edge, "shareholder 50% from 2020-01-02"), "aksionar 50% nga 02.01.2020");
        assert_eq!(sq(Field::Edge, "title 33.3333% since 2019-05-01"), "titull 33,3333% që nga 01.05.2019");
        assert_eq!(sq(Field::Edge, "spouse"), "bashkëshort(e)");
        assert_eq!(
            sq(Field::Edge, "nearest suspect, 1 hops (inferred, no source row)"),
            "i dyshuari më i afërt, 1 hap (e nxjerrë, pa rresht burimor)"
        );
        assert_eq!(sq(Field::Title, "Finding ab12 (fan_in, score 85)"), "Gjetja ab12 (Grumbullim (fan-in), pikët 85)");
        assert_eq!(sq(Field::What, "land register title R0007"), "titull pronësie në kadastër R0007");
        // Data is not a form: a name stays as written, in any field.
        assert_eq!(sq(Field::Detail, "Arben Hoxha"), "Arben Hoxha");
        assert_eq!(sq(Field::Edge, "shareholderX 50%"), "shareholderX 50%");
        assert_eq!(exhibit_in(Lang::En, "transfer T1"), "transfer T1");
    }
}
