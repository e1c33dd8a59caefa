//! Errors that teach: a mistyped or misplaced key in case.toml or a mapping file is answered
//! with the keys allowed at that place, a one-line example and the nearest allowed key.
//!
//! The allowed keys are not listed here a second time: serde's own "unknown field" error names
//! them, and [`fields_of`] reads each settings struct's field list from its derived
//! `Deserialize`, so the place is found by comparing the two lists. Only the examples are
//! written here.

use super::config::{
    CaseToml, ColumnRule, Condition, DirectionSpec, EdgeSpec, EndSpec, Generator, ImportRecord, ImportSource, Labels,
    NodeSpec, ReadOptions, SourceSpec, StatementSpec, Thresholds,
};
use serde::de::{self, Deserialize, Visitor};

/// Every settings place: its name, the fields of its struct and an example.
fn places() -> Vec<(&'static str, &'static [&'static str], &'static str)> {
    vec![
        (
            "the top level of case.toml",
            fields_of::<CaseToml>(),
            "name = \"Operation X\"  base_currency = \"ALL\"  valuation_date = \"2025-12-31\"  timezone = \"Europe/Tirane\"",
        ),
        ("[thresholds]", fields_of::<Thresholds>(), "[thresholds] cash_report = \"1000000\""),
        ("[generator] (written by moneytrail generate)", fields_of::<Generator>(), "[generator] seed = 7  transfers = 5000  version = \"0.1.0\"  identity_noise = \"medium\""),
        ("[import] (written by import-ftm / import-bods)", fields_of::<ImportRecord>(), "[import] format = \"ftm\"  tool = \"moneytrail 0.1.0\"  read = 120  written = 118"),
        ("[[import.sources]]", fields_of::<ImportSource>(), "[[import.sources]] file = \"entities.ftm.json\"  sha256 = \"...\"  size = 1024  records = 120"),
        (
            "read = { ... } (how to read a file)",
            fields_of::<ReadOptions>(),
            "read = { delimiter = \";\", encoding = \"windows-1250\", decimal_comma = true, header_contains = [\"Data\", \"Debi\"] }",
        ),
        (
            "a [[tables.<table>]] source",
            fields_of::<SourceSpec>(),
            "[[tables.transfers]] file = \"bank/statement.csv\"  read = { ... }  columns = { ... }  statement = { own_account = { label = \"IBAN\" } }",
        ),
        (
            "a column rule",
            fields_of::<ColumnRule>(),
            "amount = { debit = \"Debi\", credit = \"Kredi\" }   txn_id = { row_number = true, prefix = \"BKT-\" }   booked_at = { column = \"Data\", format = \"%d.%m.%Y\" }",
        ),
        (
            "direction = { ... } (debit or credit by a marker column)",
            fields_of::<DirectionSpec>(),
            "amount = { column = \"Shuma\", direction = { column = \"D/K\", debit = [\"D\"], credit = [\"K\"] } }",
        ),
        (
            "a condition (when, footer)",
            fields_of::<Condition>(),
            "when = { column = \"Lloji\", equals = \"Depozitë cash\" }   footer = { column = \"Data\", starts_with = \"Totali\" }",
        ),
        (
            "statement = { ... }",
            fields_of::<StatementSpec>(),
            "statement = { own_account = { label = \"IBAN\" }, opening_balance = { label = \"Gjendja fillestare\" } }",
        ),
        ("[labels]", fields_of::<Labels>(), "[[labels.nodes]] ...  [[labels.edges]] ..."),
        (
            "[[labels.nodes]]",
            fields_of::<NodeSpec>(),
            "[[labels.nodes]] label = \"Phone\"  file = \"ids/phones.csv\"  id = \"number\"",
        ),
        (
            "[[labels.edges]]",
            fields_of::<EdgeSpec>(),
            "[[labels.edges]] type = \"USES\"  file = \"p.csv\"  from = { label = \"Person\", column = \"person_id\" }  to = { label = \"Phone\", column = \"phone\" }",
        ),
        ("an edge end (from, to)", fields_of::<EndSpec>(), "from = { label = \"Person\", column = \"person_id\", prefix = \"P\" }"),
    ]
}

/// Rewrites a settings-file parse error: an unknown key gets the allowed keys of its place, an
/// example and the nearest key; other messages are returned unchanged.
pub fn explain(message: &str) -> String {
    let Some(start) = message.find("unknown field `") else { return message.to_string() };
    let rest = &message[start + "unknown field `".len()..];
    let Some(end) = rest.find('`') else { return message.to_string() };
    let key = &rest[..end];
    let expected: Vec<&str> = rest[end..].split('`').skip(2).step_by(2).collect();
    let mut out = message.trim_end().to_string();
    let place = places()
        .into_iter()
        .find(|(_, fields, _)| fields.len() == expected.len() && fields.iter().all(|f| expected.contains(f)));
    if let Some((name, fields, example)) = place {
        out.push_str(&format!("\nallowed in {name}: {}\nexample: {example}", fields.join(", ")));
        let near = fields
            .iter()
            .map(|f| (strsim::jaro_winkler(&key.to_lowercase(), f), *f))
            .filter(|(s, _)| *s >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, f)) = near {
            out.push_str(&format!("\ndid you mean `{f}`?"));
        }
        if matches!(key, "debit" | "credit" | "counterparty_iban" | "counterparty_name" | "balance")
            && name != "a column rule"
        {
            out.push_str(
                "\nstatement columns go in the source's columns table: columns = { amount = { debit = \"Debi\", credit = \"Kredi\" }, counterparty_iban = \"IBAN i palës\", balance = \"Gjendja\" }",
            );
        }
    }
    out
}

/// The field names of a struct with a derived `Deserialize`, as serde passes them to the
/// deserializer (one source of truth for the allowed keys).
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldLister) {
        Err(Listed(fields)) => fields,
        Ok(_) => &[],
    }
}

struct FieldLister;

#[derive(Debug)]
struct Listed(&'static [&'static str]);

impl std::fmt::Display for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field list")
    }
}

impl std::error::Error for Listed {}

impl de::Error for Listed {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Listed(&[])
    }
}

impl<'de> de::Deserializer<'de> for FieldLister {
    type Error = Listed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Listed> {
        Err(Listed(&[]))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Listed> {
        Err(Listed(fields))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let e = toml::from_str::<CaseToml>(text).unwrap_err();
        explain(&e.to_string())
    }

    const HEAD: &str = "name='x'\nbase_currency='ALL'\nvaluation_date='2020-01-01'\n";

    #[test]
    fn field_lists_come_from_the_structs() {
        assert!(fields_of::<ReadOptions>().contains(&"delimiter"));
        assert!(fields_of::<ColumnRule>().contains(&"debit"));
    }

    #[test]
    fn an_unknown_key_lists_the_allowed_keys_an_example_and_the_nearest() {
        let m = err(&format!("{HEAD}[read]\ndelimter=';'\n"));
        assert!(m.contains("allowed in read = { ... }"), "{m}");
        assert!(m.contains("example: read = {"), "{m}");
        assert!(m.contains("did you mean `delimiter`?"), "{m}");
        assert!(m.contains("line 5"), "the position is kept: {m}");
    }

    #[test]
    fn a_mistyped_column_rule_names_its_keys_not_an_untagged_enum() {
        let m = err(&format!(
            "{HEAD}[[tables.transfers]]\nfile='s.csv'\ncolumns = {{ amount = {{ debet = 'Debi', credit = 'Kredi' }} }}\n"
        ));
        assert!(!m.contains("did not match any variant"), "{m}");
        assert!(m.contains("unknown field `debet`"), "{m}");
        assert!(m.contains("allowed in a column rule"), "{m}");
        assert!(m.contains("did you mean `debit`?"), "{m}");
    }

    #[test]
    fn conditional_values_parse_as_a_list_of_rules() {
        let t: CaseToml = toml::from_str(&format!(
            "{HEAD}[[tables.transfers]]\nfile='s.csv'\n[tables.transfers.columns]\nchannel = [ {{ when = {{ column = 'P', matches = '*ATM*' }}, value = 'cash_withdrawal' }}, {{ value = 'wire' }} ]\n"
        ))
        .unwrap();
        assert!(
            matches!(&t.tables["transfers"][0].columns["channel"], super::super::ColumnSpec::Choice(r) if r.len() == 2)
        );
    }
}
