//! The case's records: persons, companies, accounts, properties, titles, encumbrances,
//! ownership, relations, income, suspects. Each row keeps its [`Prov`].

use super::ids::{CompanyId, PersonId};
use super::money::{Currency, Money};
use super::provenance::Prov;
use super::strcol::StrColumn;
use super::time::Date;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Whether an entity is a natural person or a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum EntityKind {
    /// A row of `persons`.
    Person,
    /// A row of `companies`.
    Company,
}

/// A dense reference to a person or company: kind plus row index in its table. This is the
/// crate's entity id; [`EntityRef::as_person`] and [`EntityRef::as_company`] give the typed row
/// ([`PersonId`], [`CompanyId`]) once the kind is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntityRef {
    /// Person or company.
    pub kind: EntityKind,
    /// Index into `Case::persons` or `Case::companies`.
    pub idx: u32,
}

impl EntityRef {
    /// The entity that is person `p`.
    #[inline]
    pub const fn person(p: PersonId) -> EntityRef {
        EntityRef { kind: EntityKind::Person, idx: p.raw() }
    }

    /// The entity that is company `c`.
    #[inline]
    pub const fn company(c: CompanyId) -> EntityRef {
        EntityRef { kind: EntityKind::Company, idx: c.raw() }
    }

    /// The person, when the entity is one.
    #[inline]
    pub const fn as_person(self) -> Option<PersonId> {
        match self.kind {
            EntityKind::Person => Some(PersonId::from_raw(self.idx)),
            EntityKind::Company => None,
        }
    }

    /// The company, when the entity is one.
    #[inline]
    pub const fn as_company(self) -> Option<CompanyId> {
        match self.kind {
            EntityKind::Company => Some(CompanyId::from_raw(self.idx)),
            EntityKind::Person => None,
        }
    }
}

/// Defines a closed vocabulary with its textual names, `FromStr`, `Display` and `ALL`.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name used in case files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{}' is not one of: {}",
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// How a transfer moved (the `channel` column).
    Channel {
        /// Bank transfer between two accounts.
        Wire = "wire",
        /// Cash paid in at a branch: no `from_account`.
        CashDeposit = "cash_deposit",
        /// Cash taken out: no `to_account`.
        CashWithdrawal = "cash_withdrawal",
        /// Card payment.
        Card = "card",
        /// Transfer between accounts of the same bank or holder.
        Internal = "internal",
        /// Money remittance, usually cross-border.
        Remittance = "remittance",
    }
}

vocabulary! {
    /// The `role` of a company_ownership row.
    Role {
        /// Holds `share` of the company.
        Shareholder = "shareholder",
        /// Registered director.
        Director = "director",
        /// Holds shares for someone else.
        NomineeShareholder = "nominee_shareholder",
        /// Directs for someone else.
        NomineeDirector = "nominee_director",
        /// Administrator.
        Administrator = "administrator",
    }
}

impl Role {
    /// True for roles that hold shares (and so need a `share`).
    pub fn holds_shares(self) -> bool {
        matches!(self, Role::Shareholder | Role::NomineeShareholder)
    }
}

vocabulary! {
    /// The `kind` of a relation row.
    RelationKind {
        /// Married partner.
        Spouse = "spouse",
        /// `related_id` is a child of `person_id`.
        Child = "child",
        /// `related_id` is a parent of `person_id`.
        Parent = "parent",
        /// Brother or sister.
        Sibling = "sibling",
        /// Lives with, unmarried.
        Cohabitant = "cohabitant",
        /// Known associate.
        Associate = "associate",
    }
}

/// A natural person.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    /// External id (`person_id`).
    pub id: String,
    /// Name as written in the source.
    pub full_name: String,
    /// Birth date, when given.
    pub birth_date: Option<Date>,
    /// Albanian personal number or other national id, when given.
    pub national_id: Option<String>,
    /// Address text.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Source row.
    pub prov: Prov,
}

/// A company or other legal person.
#[derive(Clone, Debug, Serialize)]
pub struct Company {
    /// External id (`company_id`).
    pub id: String,
    /// Registered name.
    pub name: String,
    /// Albanian NUIS (tax/registration number), when given.
    pub nuis: Option<String>,
    /// Legal form (SH.P.K., SH.A., ...).
    pub legal_form: Option<String>,
    /// Registered address.
    pub registered_address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Incorporation date.
    pub incorporated_on: Option<Date>,
    /// Dissolution date.
    pub dissolved_on: Option<Date>,
    /// Declared employees.
    pub employees: Option<u32>,
    /// Source row.
    pub prov: Prov,
}

/// A bank account.
#[derive(Clone, Debug, Serialize)]
pub struct Account {
    /// External id (`account_id`).
    pub id: String,
    /// IBAN when given.
    pub iban: Option<String>,
    /// Bank name.
    pub bank: Option<String>,
    /// Holder; `None` for counterpart accounts of unknown holders (e.g. foreign senders).
    pub holder: Option<EntityRef>,
    /// Opening date.
    pub opened_on: Option<Date>,
    /// Closing date.
    pub closed_on: Option<Date>,
    /// Account currency.
    pub currency: Currency,
    /// Source row.
    pub prov: Prov,
}

impl Account {
    /// True when `d` lies inside the account's life (open bounds when dates are missing).
    pub fn is_open_on(&self, d: Date) -> bool {
        self.opened_on.is_none_or(|o| o <= d) && self.closed_on.is_none_or(|c| d <= c)
    }
}

/// A parcel, apartment, house or shop in the land register.
#[derive(Clone, Debug, Serialize)]
pub struct Property {
    /// External id (`property_id`).
    pub id: String,
    /// Cadastral code.
    pub cadastral_code: Option<String>,
    /// apartment, house, land, shop, ...
    pub kind: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Cadastral zone.
    pub zone: Option<String>,
    /// Area in square metres.
    pub area_m2: Option<Decimal>,
    /// Market value.
    pub market_value: Option<Money>,
    /// Cadastral (reference) value.
    pub cadastral_value: Option<Money>,
    /// Date of the valuation.
    pub valued_on: Option<Date>,
    /// Source row.
    pub prov: Prov,
}

/// A title: who holds which share of a property, since when, bought for what, paid by which transfers.
#[derive(Clone, Debug, Serialize)]
pub struct Title {
    /// Index into `Case::properties`.
    pub property: u32,
    /// The owner.
    pub owner: EntityRef,
    /// Fraction held, in [0, 1].
    pub share: Decimal,
    /// Acquisition date.
    pub acquired_on: Option<Date>,
    /// Price paid.
    pub price: Option<Money>,
    /// Date the title ended.
    pub disposed_on: Option<Date>,
    /// Indices into `Case::transfers` of the payments.
    pub payment_txns: Vec<u32>,
    /// Source row.
    pub prov: Prov,
}

/// A registered charge (mortgage) on a property.
#[derive(Clone, Debug, Serialize)]
pub struct Encumbrance {
    /// Index into `Case::properties`.
    pub property: u32,
    /// The creditor.
    pub creditor: EntityRef,
    /// Amount secured.
    pub amount: Money,
    /// Registration date.
    pub registered_on: Option<Date>,
    /// Release date.
    pub released_on: Option<Date>,
    /// Source row.
    pub prov: Prov,
}

/// A company_ownership row: a shareholding or a directorship over a period.
#[derive(Clone, Debug, Serialize)]
pub struct Ownership {
    /// Index into `Case::companies`.
    pub company: u32,
    /// The shareholder or officer.
    pub holder: EntityRef,
    /// Role.
    pub role: Role,
    /// Fraction held for shareholder roles.
    pub share: Option<Decimal>,
    /// Start (inclusive).
    pub from: Option<Date>,
    /// End (inclusive), when ended.
    pub to: Option<Date>,
    /// Source row.
    pub prov: Prov,
}

impl Ownership {
    /// True when the row is in force on `d`.
    pub fn in_force_on(&self, d: Date) -> bool {
        self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t)
    }
}

/// A family or social tie between two persons.
#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    /// Index into `Case::persons`.
    pub person: u32,
    /// The related entity (a person; an associate may be a company).
    pub related: EntityRef,
    /// What the tie is, read as "related is the <kind> of person".
    pub kind: RelationKind,
    /// Source row.
    pub prov: Prov,
}

/// A year's declared lawful income of an entity.
#[derive(Clone, Debug, Serialize)]
pub struct Income {
    /// Whose income.
    pub entity: EntityRef,
    /// Calendar year.
    pub year: i32,
    /// Amount (may be zero: a declared zero income is a fact).
    pub amount: Money,
    /// salary, business, pension, rent, ... Shared between the rows that name the same source
    /// (a handful of words over millions of rows: no allocation per row).
    #[serde(serialize_with = "shared_text")]
    pub source: Option<std::sync::Arc<str>>,
    /// Source row.
    pub prov: Prov,
}

/// Serializes shared text as a plain string.
fn shared_text<S: serde::Serializer>(v: &Option<std::sync::Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_some(&**t),
        None => s.serialize_none(),
    }
}

/// An entity under suspicion.
#[derive(Clone, Debug, Serialize)]
pub struct Suspect {
    /// The suspect.
    pub entity: EntityRef,
    /// Legal or factual basis.
    pub basis: Option<String>,
    /// Case or file reference.
    pub case_ref: Option<String>,
    /// Date from which suspicion attaches.
    pub since: Option<Date>,
    /// Source row.
    pub prov: Prov,
}

/// A person identified as a victim of trafficking (by statement, referral or a court). Victims
/// are never linked as suspects' accomplices by default, are pseudonymised outside the court
/// audience, and their earnings are traced per victim for compensation (issue 9).
#[derive(Clone, Debug, Serialize)]
pub struct Victim {
    /// The victim (a person).
    pub entity: EntityRef,
    /// How the person was identified (statement, referral, court finding).
    pub basis: Option<String>,
    /// Under 18 when exploited; `None` when the register does not say (then the birth date decides).
    pub minor: Option<bool>,
    /// Date from which the exploitation is known.
    pub since: Option<Date>,
    /// Source row.
    pub prov: Prov,
}

/// Columns found in a table's sources beyond the contract, kept by name.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Column names, in first-seen order.
    pub names: Vec<String>,
    /// One column per name, one value per loaded row (empty where a source lacked it).
    pub columns: Vec<StrColumn>,
}

impl Extras {
    /// The value of extra column `name` at row `i`, if the column exists.
    pub fn get(&self, name: &str, i: usize) -> Option<&str> {
        let c = self.names.iter().position(|n| n == name)?;
        Some(self.columns[c].get(i))
    }
}

/// A loaded table of row structs plus its extra columns.
#[derive(Clone, Debug)]
pub struct Table<T> {
    /// Loaded rows.
    pub rows: Vec<T>,
    /// Extra columns aligned with `rows`.
    pub extras: Extras,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: Vec::new(), extras: Extras::default() }
    }
}

impl<T> Table<T> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
