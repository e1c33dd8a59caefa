//! The case format's contract columns, one list per table (docs/data-model.md). Ingest reads by
//! these names and the generator writes them, so the two cannot drift apart.

/// persons.
pub const PERSONS: &[&str] = &["person_id", "full_name", "birth_date", "national_id", "address", "city"];
/// companies.
pub const COMPANIES: &[&str] = &[
    "company_id",
    "name",
    "nuis",
    "legal_form",
    "registered_address",
    "city",
    "incorporated_on",
    "dissolved_on",
    "employees",
];
/// accounts.
pub const ACCOUNTS: &[&str] = &["account_id", "iban", "bank", "holder_id", "opened_on", "closed_on", "currency"];
/// transfers.
pub const TRANSFERS: &[&str] =
    &["txn_id", "booked_at", "from_account", "to_account", "amount", "currency", "channel", "reference", "branch_city"];
/// properties.
pub const PROPERTIES: &[&str] = &[
    "property_id",
    "cadastral_code",
    "kind",
    "city",
    "zone",
    "area_m2",
    "market_value",
    "cadastral_value",
    "value_currency",
    "valued_on",
];
/// property_titles.
pub const PROPERTY_TITLES: &[&str] =
    &["property_id", "owner_id", "share", "acquired_on", "price", "currency", "disposed_on", "payment_txn_ids"];
/// encumbrances.
pub const ENCUMBRANCES: &[&str] = &["property_id", "creditor_id", "amount", "currency", "registered_on", "released_on"];
/// company_ownership.
pub const COMPANY_OWNERSHIP: &[&str] = &["company_id", "holder_id", "role", "share", "from", "to"];
/// relations.
pub const RELATIONS: &[&str] = &["person_id", "related_id", "kind"];
/// income.
pub const INCOME: &[&str] = &["entity_id", "year", "amount", "currency", "source"];
/// fx_rates.
pub const FX_RATES: &[&str] = &["date", "currency", "rate"];
/// suspects.
pub const SUSPECTS: &[&str] = &["entity_id", "basis", "case_ref", "since"];

/// victims.
pub const VICTIMS: &[&str] = &["entity_id", "basis", "minor", "since"];

/// Every table with its columns, in load order.
pub const TABLES: &[(&str, &[&str])] = &[
    ("fx_rates", FX_RATES),
    ("persons", PERSONS),
    ("companies", COMPANIES),
    ("accounts", ACCOUNTS),
    ("transfers", TRANSFERS),
    ("properties", PROPERTIES),
    ("property_titles", PROPERTY_TITLES),
    ("encumbrances", ENCUMBRANCES),
    ("company_ownership", COMPANY_OWNERSHIP),
    ("relations", RELATIONS),
    ("income", INCOME),
    ("suspects", SUSPECTS),
    ("victims", VICTIMS),
];
