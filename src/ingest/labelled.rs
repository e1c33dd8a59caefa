//! Loading the extra labelled tables of `[labels]` (docs/data-model.md, "Extra labelled
//! tables"): node tables first (one per label, fed by every source declared with it), then
//! edge tables, whose endpoints must name loaded rows of a case table or a node table.
//!
//! They go through the same driver as every case table: the same CSV reader (encodings, line
//! limit), provenance per row, extra columns kept by name, rejects with file, line, column,
//! value and reason, and counts that reconcile.

use super::config::{ColumnRule, ColumnSpec, EdgeSpec, EndSpec, NodeSpec, SourceSpec};
use super::driver::{Ctx, Loader, TableDef};
use super::row::{Fault, RowView};
use super::IngestError;
use crate::model::*;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Labels of the case tables; a declared label may not reuse them.
pub const BUILTIN_LABELS: &[&str] = &["Person", "Company", "Account", "Property", "Cash"];
/// Relationship types of the case tables; a declared type may not reuse them.
pub const BUILTIN_TYPES: &[&str] = &["TRANSFER", "HOLDS", "OWNS", "DIRECTS", "TITLE", "RELATED"];

/// Loads every `[[labels.nodes]]` and `[[labels.edges]]` declaration.
pub(crate) fn load(l: &mut Loader) -> Result<(), IngestError> {
    let labels = l.toml.labels.clone();
    if labels.nodes.is_empty() && labels.edges.is_empty() {
        return Ok(());
    }
    // Node sources grouped by label, in order of first declaration.
    let mut groups: Vec<(String, Vec<NodeSpec>)> = Vec::new();
    for n in &labels.nodes {
        check_name(l, &n.label, "label", BUILTIN_LABELS)?;
        match groups.iter_mut().find(|(lab, _)| *lab == n.label) {
            Some((_, v)) => v.push(n.clone()),
            None => groups.push((n.label.clone(), vec![n.clone()])),
        }
    }
    for (label, specs) in groups {
        nodes(l, &label, &specs)?;
    }
    for e in &labels.edges {
        check_name(l, &e.rel_type, "type", BUILTIN_TYPES)?;
        for end in [&e.from, &e.to] {
            let known =
                BUILTIN_LABELS.contains(&end.label.as_str()) || l.case.labelled.node_table(&end.label).is_some();
            if !known || end.label == "Cash" {
                let declared: Vec<&str> = l.case.labelled.nodes.iter().map(|t| t.label.as_str()).collect();
                return Err(config(
                    l,
                    format!(
                        "edge type {}: endpoint label '{}' is neither Person, Company, Account, Property nor a declared [[labels.nodes]] label ({})",
                        e.rel_type,
                        end.label,
                        if declared.is_empty() { "none declared".to_string() } else { declared.join(", ") }
                    ),
                ));
            }
        }
        edges(l, e)?;
    }
    Ok(())
}

fn config(l: &Loader, message: String) -> IngestError {
    IngestError::Config { path: l.settings.clone(), message }
}

/// Labels and types: a letter, then letters, digits or `_`; not a built-in name.
fn check_name(l: &Loader, name: &str, what: &str, builtin: &[&str]) -> Result<(), IngestError> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(config(
            l,
            format!("[labels] {what} '{name}' must start with a letter and hold only letters, digits and _"),
        ));
    }
    if builtin.iter().any(|b| b.eq_ignore_ascii_case(name)) {
        return Err(config(l, format!("[labels] {what} '{name}' is built in; choose another name")));
    }
    Ok(())
}

/// A declaration's `types` and `formats` tables.
type TypeDecl<'a> = (&'a BTreeMap<String, String>, &'a BTreeMap<String, String>);

/// Typed columns of one or more declarations: (name, type, format), in name order.
fn typed_columns(
    l: &Loader,
    what: &str,
    decls: &[TypeDecl<'_>],
    reserved: &[&str],
) -> Result<Vec<(String, PropType, Option<String>)>, IngestError> {
    let mut out: Vec<(String, PropType, Option<String>)> = Vec::new();
    for (types, formats) in decls {
        for f in formats.keys() {
            if !types.contains_key(f) {
                return Err(config(l, format!("{what}: formats names '{f}', which has no entry in types")));
            }
        }
        for (name, t) in types.iter() {
            let ty = PropType::parse(t).ok_or_else(|| {
                config(l, format!("{what}: type '{t}' of column '{name}' is not one of decimal, date, datetime, bool"))
            })?;
            if reserved.contains(&name.as_str()) {
                return Err(config(l, format!("{what}: '{name}' is the declaration's own column; it cannot be typed")));
            }
            match out.iter().find(|(n, _, _)| n == name) {
                Some((_, prev, _)) if *prev != ty => {
                    return Err(config(
                        l,
                        format!("{what}: column '{name}' is typed {} in one source and {t} in another", prev.as_str()),
                    ))
                }
                Some(_) => {}
                None => out.push((name.clone(), ty, formats.get(name).cloned())),
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Parses the typed columns, which follow the first `skip` contract columns.
fn parse_typed(v: &RowView<'_>, skip: usize, types: &[PropType]) -> Result<Vec<Option<PropValue>>, Fault> {
    let mut out = Vec::with_capacity(types.len());
    for (j, t) in types.iter().enumerate() {
        let col = skip + j;
        out.push(match t {
            PropType::Decimal => v.decimal(col)?.map(PropValue::Decimal),
            PropType::Date => v.date(col)?.map(PropValue::Date),
            PropType::DateTime => v.datetime(col)?.map(PropValue::DateTime),
            PropType::Bool => match v.text(col)?.to_ascii_lowercase().as_str() {
                "" => None,
                "true" | "yes" | "y" | "1" => Some(PropValue::Bool(true)),
                "false" | "no" | "n" | "0" => Some(PropValue::Bool(false)),
                _ => return Err(v.fault(col, "not a boolean: write true or false (yes/no, 1/0)")),
            },
        });
    }
    Ok(out)
}

/// Column rules for the typed columns that carry a format.
fn typed_rules(typed: &[(String, PropType, Option<String>)], columns: &mut BTreeMap<String, ColumnSpec>) {
    for (name, _, format) in typed {
        if let Some(f) = format {
            columns.insert(
                name.clone(),
                ColumnSpec::Rule(ColumnRule {
                    column: Some(name.clone()),
                    format: Some(f.clone()),
                    ..Default::default()
                }),
            );
        }
    }
}

fn push_typed(cols: &mut [TypedColumn], values: Vec<Option<PropValue>>) {
    for (c, v) in cols.iter_mut().zip(values) {
        c.values.push(v);
    }
}

fn nodes(l: &mut Loader, label: &str, specs: &[NodeSpec]) -> Result<(), IngestError> {
    let what = format!("[[labels.nodes]] {label}");
    let decls: Vec<_> = specs.iter().map(|s| (&s.types, &s.formats)).collect();
    let typed = typed_columns(l, &what, &decls, &["id"])?;
    let mut columns: Vec<&str> = vec!["id"];
    columns.extend(typed.iter().map(|(n, _, _)| n.as_str()));
    let types: Vec<PropType> = typed.iter().map(|t| t.1).collect();
    let sources: Vec<SourceSpec> = specs
        .iter()
        .map(|s| {
            let mut cols = BTreeMap::new();
            cols.insert("id".to_string(), s.id.clone());
            typed_rules(&typed, &mut cols);
            SourceSpec { file: s.file.clone(), read: s.read.clone(), columns: cols, ..Default::default() }
        })
        .collect();
    let k = l.case.labelled.nodes.len();
    l.case.labelled.nodes.push(NodeTable {
        label: label.to_string(),
        typed: typed.iter().map(|(n, _, _)| TypedColumn { name: n.clone(), values: Vec::new() }).collect(),
        ..Default::default()
    });
    let types_ref = &types;
    let label_owned = label.to_string();
    l.load_from(
        TableDef {
            name: label,
            columns: &columns,
            required: &["id"],
            parse: move |v: &RowView<'_>| Ok((v.required(0)?.into_owned(), parse_typed(v, 1, types_ref)?)),
            accept: move |ctx: &mut Ctx<'_>,
                          (id, values): (String, Vec<Option<PropValue>>),
                          _: &RowView<'_>,
                          prov: Prov| {
                let t = ctx
                    .case
                    .labelled
                    .nodes
                    .get_mut(k)
                    .ok_or_else(|| Fault::new("id", &id, "internal: node table missing"))?;
                if let Some(&first) = t.index.get(&id) {
                    let line = t.prov.get(first as usize).map_or(0, |p| p.line);
                    return Err(Fault::new(
                        "id",
                        &id,
                        format!("duplicate {label_owned} id (first at line {line} of its file)"),
                    ));
                }
                let row = t.ids.len() as u32;
                t.index.insert(id.clone(), row);
                t.ids.push(id);
                t.prov.push(prov);
                push_typed(&mut t.typed, values);
                Ok(())
            },
            extras: Box::new(move |c: &mut Case| &mut c.labelled.nodes[k].extras),
            reserve: |_, _| {},
            show: None,
            _row: PhantomData,
        },
        sources,
    )
}

/// The node an edge end names, or why not.
fn resolve_end(case: &Case, end: &EndSpec, table: Option<u16>, id: &str) -> Result<LabelEnd, Fault> {
    let unknown = |what: &str| {
        Fault::new(&end.column, id, format!("unknown {} id '{id}': {what} (the row's {} end)", end.label, end.column))
    };
    match end.label.as_str() {
        "Person" | "Company" => match case.entity(id) {
            Some(EntityRef { kind: EntityKind::Person, idx }) if end.label == "Person" => Ok(LabelEnd::Person(idx)),
            Some(EntityRef { kind: EntityKind::Company, idx }) if end.label == "Company" => Ok(LabelEnd::Company(idx)),
            Some(_) => Err(Fault::new(
                &end.column,
                id,
                format!("'{id}' is not a {}: the id belongs to the other kind of entity", end.label),
            )),
            None => Err(unknown(if end.label == "Person" { "not in persons" } else { "not in companies" })),
        },
        "Account" => case.account(id).map(|a| LabelEnd::Account(a.raw())).ok_or_else(|| unknown("not in accounts")),
        "Property" => {
            case.property_index.get(id).map(|&p| LabelEnd::Property(p)).ok_or_else(|| unknown("not in properties"))
        }
        _ => {
            let t = table.ok_or_else(|| unknown("the label has no node table"))?;
            let row = case.labelled.nodes.get(t as usize).and_then(|n| n.index.get(id)).copied();
            row.map(|row| LabelEnd::Node { table: t, row })
                .ok_or_else(|| unknown(&format!("no row of the {} node table has this id", end.label)))
        }
    }
}

fn edges(l: &mut Loader, e: &EdgeSpec) -> Result<(), IngestError> {
    let name = format!("{} ({}->{})", e.rel_type, e.from.label, e.to.label);
    let what = format!("[[labels.edges]] {name}");
    let typed = typed_columns(l, &what, &[(&e.types, &e.formats)], &[&e.from.column, &e.to.column])?;
    let has_id = e.id.is_some();
    let mut columns: Vec<&str> = vec!["from", "to"];
    if has_id {
        columns.push("id");
    }
    let skip = columns.len();
    columns.extend(typed.iter().map(|(n, _, _)| n.as_str()));
    let types: Vec<PropType> = typed.iter().map(|t| t.1).collect();
    let mut cols = BTreeMap::new();
    for (key, end) in [("from", &e.from), ("to", &e.to)] {
        cols.insert(
            key.to_string(),
            ColumnSpec::Rule(ColumnRule {
                column: Some(end.column.clone()),
                prefix: end.prefix.clone(),
                ..Default::default()
            }),
        );
    }
    if let Some(id) = &e.id {
        cols.insert("id".to_string(), id.clone());
    }
    typed_rules(&typed, &mut cols);
    let source = SourceSpec { file: e.file.clone(), read: e.read.clone(), columns: cols, ..Default::default() };
    let from_table = l.case.labelled.node_table(&e.from.label).map(|t| t as u16);
    let to_table = l.case.labelled.node_table(&e.to.label).map(|t| t as u16);
    let k = l.case.labelled.edges.len();
    l.case.labelled.edges.push(EdgeTable {
        rel_type: e.rel_type.clone(),
        from_label: e.from.label.clone(),
        to_label: e.to.label.clone(),
        typed: typed.iter().map(|(n, _, _)| TypedColumn { name: n.clone(), values: Vec::new() }).collect(),
        ..Default::default()
    });
    let types_ref = &types;
    let mut seen: IdMap<u32> = Default::default();
    let (from_end, to_end) = (e.from.clone(), e.to.clone());
    let res = l.load_from(
        TableDef {
            name: &name,
            columns: &columns,
            required: &["from", "to"],
            parse: move |v: &RowView<'_>| {
                let from = v.text(0)?.into_owned();
                let to = v.text(1)?.into_owned();
                if from.is_empty() {
                    return Err(Fault::new(&from_end.column, "", format!("{} is empty but required", from_end.column)));
                }
                if to.is_empty() {
                    return Err(Fault::new(&to_end.column, "", format!("{} is empty but required", to_end.column)));
                }
                let id = if has_id { Some(v.required(2)?.into_owned()) } else { None };
                Ok((from, to, id, parse_typed(v, skip, types_ref)?))
            },
            accept: move |ctx: &mut Ctx<'_>,
                          (from, to, id, values): (String, String, Option<String>, Vec<Option<PropValue>>),
                          _: &RowView<'_>,
                          prov: Prov| {
                let f = resolve_end(ctx.case, &e.from, from_table, &from)?;
                let t = resolve_end(ctx.case, &e.to, to_table, &to)?;
                if let Some(id) = &id {
                    if let Some(line) = seen.get(id) {
                        return Err(Fault::new("id", id, format!("duplicate edge id (first at line {line})")));
                    }
                    seen.insert(id.clone(), prov.line);
                }
                let table = ctx
                    .case
                    .labelled
                    .edges
                    .get_mut(k)
                    .ok_or_else(|| Fault::new("", "", "internal: edge table missing"))?;
                table.from.push(f);
                table.to.push(t);
                table.prov.push(prov);
                if let Some(id) = id {
                    table.ids.push(id);
                }
                push_typed(&mut table.typed, values);
                Ok(())
            },
            extras: Box::new(move |c: &mut Case| &mut c.labelled.edges[k].extras),
            reserve: |_, _| {},
            show: None,
            _row: PhantomData,
        },
        vec![source],
    );
    if let Some(t) = l.case.labelled.edges.get_mut(k) {
        t.index();
    }
    res
}
