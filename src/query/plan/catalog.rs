//! The catalog: every name a query may use, as the planner checks it against the case. Node
//! labels and relationship types (built in, plus the labelled tables of the case), the
//! properties of each, the functions with their argument counts, and the procedures `detect`
//! and `counterparts` with their columns. The executor implements what is named here (`exec/props.rs`,
//! `exec/functions.rs`, `exec/procs.rs`).

use crate::model::{Case, Extras};

/// Node labels of the language.
pub const LABELS: &[&str] = &["Person", "Company", "Account", "Property", "Cash"];
/// Relationship types of the language.
pub const TYPES: &[&str] = &["TRANSFER", "HOLDS", "OWNS", "DIRECTS", "TITLE", "RELATED"];
/// Columns of `CALL detect(...)`.
pub const DETECT_COLUMNS: &[&str] = &[
    "finding_id",
    "typology",
    "score",
    "transfers",
    "txn_ids",
    "accounts",
    "entities",
    "total",
    "first_at",
    "last_at",
    "suspect",
    "suspect_hops",
    "explanation",
];

/// Columns of `CALL counterparts(direction, window)`.
pub const COUNTERPARTS_COLUMNS: &[&str] = &["account", "max_counterparts"];

/// The columns a procedure yields, by name; `None` for an unknown procedure.
pub fn procedure_columns(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "detect" => Some(DETECT_COLUMNS),
        "counterparts" => Some(COUNTERPARTS_COLUMNS),
        _ => None,
    }
}

/// Known properties per label or relationship type (extra columns come on top).
pub fn known(label: &str) -> &'static [&'static str] {
    match label {
        "Person" => &[
            "id",
            "full_name",
            "name",
            "birth_date",
            "national_id",
            "address",
            "city",
            "suspect",
            "suspect_basis",
            "suspect_since",
            "victim",
        ],
        "Company" => &[
            "id",
            "name",
            "nuis",
            "legal_form",
            "registered_address",
            "address",
            "city",
            "incorporated_on",
            "dissolved_on",
            "employees",
            "suspect",
            "suspect_basis",
            "suspect_since",
        ],
        "Account" => &["id", "iban", "bank", "holder_id", "holder_name", "opened_on", "closed_on", "currency"],
        "Property" => &[
            "id",
            "cadastral_code",
            "kind",
            "city",
            "zone",
            "area_m2",
            "market_value",
            "market_currency",
            "cadastral_value",
            "valued_on",
        ],
        "Cash" => &["id", "city"],
        "TRANSFER" => &[
            "id",
            "txn_id",
            "booked_at",
            "date",
            "amount",
            "amount_orig",
            "currency",
            "channel",
            "reference",
            "branch_city",
            "from_id",
            "to_id",
        ],
        "HOLDS" => &["opened_on"],
        "OWNS" => &["share", "role", "from", "to", "nominee"],
        "DIRECTS" => &["role", "from", "to"],
        "TITLE" => &["share", "acquired_on", "price", "price_currency", "disposed_on", "payments"],
        "RELATED" => &["kind"],
        _ => &[],
    }
}

/// The extra columns of the table behind a label or type.
pub fn extras<'c>(case: &'c Case, label: &str) -> Option<&'c Extras> {
    Some(match label {
        "Person" => &case.persons.extras,
        "Company" => &case.companies.extras,
        "Account" => &case.accounts.extras,
        "Property" => &case.properties.extras,
        "TRANSFER" => &case.transfers.extras,
        "OWNS" | "DIRECTS" => &case.ownership.extras,
        "TITLE" => &case.titles.extras,
        "RELATED" => &case.relations.extras,
        _ => return None,
    })
}

/// True when `label` has property `name` in this case.
pub fn has(case: &Case, label: &str, name: &str) -> bool {
    known(label).contains(&name)
        || extras(case, label).is_some_and(|x| x.names.iter().any(|n| n == name))
        || labelled_props(case, label).iter().any(|n| n == name)
}

/// Every property of `label` (or relationship type) in this case, for messages.
pub fn all_known(case: &Case, label: &str) -> Vec<String> {
    let mut v: Vec<String> = known(label).iter().map(|s| s.to_string()).collect();
    if let Some(x) = extras(case, label) {
        v.extend(x.names.iter().cloned());
    }
    for n in labelled_props(case, label) {
        if !v.contains(&n) {
            v.push(n);
        }
    }
    v
}

/// Properties of a labelled node label or edge type: `id`, typed columns, extra columns
/// (over every edge table of the type).
fn labelled_props(case: &Case, label: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut add = |typed: &[crate::model::TypedColumn], extras: &Extras| {
        for n in typed.iter().map(|c| &c.name).chain(&extras.names) {
            if !v.contains(n) {
                v.push(n.clone());
            }
        }
    };
    let mut found = false;
    for t in case.labelled.nodes.iter().filter(|t| t.label == label) {
        found = true;
        add(&t.typed, &t.extras);
    }
    for t in case.labelled.edges.iter().filter(|t| t.rel_type == label) {
        found = true;
        add(&t.typed, &t.extras);
    }
    if found {
        v.insert(0, "id".to_string());
    }
    v
}

/// Aggregate function names.
pub const AGGREGATES: &[&str] = &["count", "sum", "min", "max", "avg", "collect"];

/// Scalar functions with their (min, max) argument counts.
pub const SCALARS: &[(&str, usize, usize)] = &[
    ("date", 0, 1),
    ("datetime", 0, 1),
    ("duration", 1, 1),
    ("tolower", 1, 1),
    ("toupper", 1, 1),
    ("trim", 1, 1),
    ("contains", 2, 2),
    ("startswith", 2, 2),
    ("endswith", 2, 2),
    ("substring", 2, 3),
    ("replace", 3, 3),
    ("split", 2, 2),
    ("size", 1, 1),
    ("length", 1, 1),
    ("nodes", 1, 1),
    ("relationships", 1, 1),
    ("rels", 1, 1),
    ("head", 1, 1),
    ("last", 1, 1),
    ("coalesce", 1, 64),
    ("abs", 1, 1),
    ("round", 1, 2),
    ("floor", 1, 1),
    ("ceil", 1, 1),
    ("tostring", 1, 1),
    ("tointeger", 1, 1),
    ("tonumber", 1, 1),
    ("tofloat", 1, 1),
    ("id", 1, 1),
    ("labels", 1, 1),
    ("type", 1, 1),
    ("startnode", 1, 1),
    ("endnode", 1, 1),
    ("range", 2, 3),
    ("days", 1, 1),
    ("hours", 1, 1),
    ("seconds", 1, 1),
    ("epochmillis", 1, 1),
    ("ascending", 1, 1),
    ("has_label", 2, 2),
];

/// True for aggregate names.
pub fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Checks that `name` exists and takes `n` arguments; the error lists what is known.
pub fn check(name: &str, n: usize) -> Result<(), String> {
    if is_aggregate(name) {
        return if n == 1 { Ok(()) } else { Err(format!("{name}() takes one argument")) };
    }
    match SCALARS.iter().find(|f| f.0 == name) {
        Some(&(_, lo, hi)) if (lo..=hi).contains(&n) => Ok(()),
        Some(&(_, lo, hi)) if lo == hi => Err(format!("{name}() takes {lo} argument(s), not {n}")),
        Some(&(_, lo, hi)) => Err(format!("{name}() takes {lo} to {hi} arguments, not {n}")),
        None => {
            let mut all: Vec<&str> = SCALARS.iter().map(|f| f.0).filter(|f| *f != "has_label").collect();
            all.extend(AGGREGATES);
            Err(format!("unknown function '{name}'; known: {}", all.join(", ")))
        }
    }
}
