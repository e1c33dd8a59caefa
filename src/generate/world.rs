//! The in-memory world: every entity table of a case (they scale with N, which is fine) and the
//! planned transfers (purchases, loans and injected schemes: few, so they fit in memory). The bulk of
//! the transfers is never stored; see `background.rs`.

use super::ids;
use super::names::{self, City, CITIES};
use super::rng::Rng;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashSet;

/// A reference to a person or a company (dense index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    /// Index into `World::persons`.
    P(u32),
    /// Index into `World::companies`.
    C(u32),
}

impl Entity {
    /// The external id (`P000001` or `C00001`).
    pub fn id(self) -> String {
        match self {
            Entity::P(i) => ids::person_id(i as usize),
            Entity::C(i) => ids::company_id(i as usize),
        }
    }
}

/// Ground-truth role of an entity (`truth/roles.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Ring leader.
    Suspect,
    /// Collects the victims' earnings.
    Controller,
    /// Exploited person.
    Victim,
    /// Pass-through account holder.
    Mule,
    /// Family member of a suspect.
    Relative,
    /// Nominee director or shareholder.
    Nominee,
    /// Company with no activity used to hold assets.
    ShellCompany,
    /// Cash-intensive business used to mix proceeds.
    FrontCompany,
    /// Everyone else.
    Background,
}

impl Role {
    /// Name as written in `truth/roles.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Suspect => "suspect",
            Role::Controller => "controller",
            Role::Victim => "victim",
            Role::Mule => "mule",
            Role::Relative => "relative",
            Role::Nominee => "nominee",
            Role::ShellCompany => "shell_company",
            Role::FrontCompany => "front_company",
            Role::Background => "background",
        }
    }
}

/// A natural person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Given name and surname.
    pub full_name: String,
    /// Date of birth.
    pub birth: NaiveDate,
    /// Albanian personal number (NID).
    pub national_id: String,
    /// Street address.
    pub address: String,
    /// City of residence, or of the property.
    pub city: &'static str,
    /// Ground-truth role.
    pub role: Role,
    /// Under 18 when first exploited (victims only).
    pub minor: bool,
}

/// A company (domestic or foreign).
#[derive(Debug, Clone)]
pub struct Company {
    /// Registered name including the legal form.
    pub name: String,
    /// NUIS tax id (empty for foreign companies).
    pub nuis: String,
    /// SH.P.K., SH.A., person fizik or a foreign form.
    pub legal_form: &'static str,
    /// Street address.
    pub address: String,
    /// City of the registered address.
    pub city: String,
    /// Date of registration.
    pub incorporated: NaiveDate,
    /// Date of dissolution, if any.
    pub dissolved: Option<NaiveDate>,
    /// Declared employees.
    pub employees: u32,
    /// Ground-truth role.
    pub role: Role,
}

/// A bank account; `holder` None for foreign remittance senders.
#[derive(Debug, Clone)]
pub struct Account {
    /// IBAN with valid check digits.
    pub iban: String,
    /// Bank name.
    pub bank: &'static str,
    /// Holder; None for foreign remittance senders.
    pub holder: Option<Entity>,
    /// Opening date.
    pub opened: NaiveDate,
    /// Closing date, if closed.
    pub closed: Option<NaiveDate>,
    /// EUR (true) or ALL (false).
    pub eur: bool,
}

impl Account {
    /// True when `d` lies within the account's life.
    pub fn alive(&self, d: NaiveDate) -> bool {
        self.opened <= d && self.closed.is_none_or(|c| d <= c)
    }
}

/// A real-estate property.
#[derive(Debug, Clone)]
pub struct Property {
    /// Cadastral code (city prefix, zone, parcel).
    pub cadastral_code: String,
    /// apartment, house, land or shop.
    pub kind: &'static str,
    /// City of residence, or of the property.
    pub city: &'static str,
    /// Cadastral zone number.
    pub zone: u32,
    /// Surface in square metres.
    pub area_m2: u32,
    /// Market value (EUR).
    pub market_value: Decimal,
    /// Cadastral (reference) value, below market (EUR).
    pub cadastral_value: Decimal,
    /// EUR (true) or ALL (false).
    pub eur: bool,
    /// Date of the valuation.
    pub valued_on: NaiveDate,
}

/// A title (ownership share) on a property.
#[derive(Debug, Clone)]
pub struct Title {
    /// Property index.
    pub property: u32,
    /// Title holder.
    pub owner: Entity,
    /// Fraction owned, in [0, 1].
    pub share: Decimal,
    /// Acquisition date.
    pub acquired: NaiveDate,
    /// Price paid for this share, if known.
    pub price: Option<Decimal>,
    /// EUR (true) or ALL (false).
    pub eur: bool,
    /// Date sold, if sold.
    pub disposed: Option<NaiveDate>,
    /// Indices of planned events that paid for it.
    pub payments: Vec<u32>,
}

/// A mortgage registered by a bank.
#[derive(Debug, Clone)]
pub struct Encumbrance {
    /// Property index.
    pub property: u32,
    /// Bank company index.
    pub creditor: u32,
    /// Amount in the currency of the account or register entry.
    pub amount: Decimal,
    /// EUR (true) or ALL (false).
    pub eur: bool,
    /// Registration date.
    pub registered: NaiveDate,
    /// Release date, if released.
    pub released: Option<NaiveDate>,
}

/// A company-register row.
#[derive(Debug, Clone)]
pub struct Ownership {
    /// Company index.
    pub company: u32,
    /// Shareholder, director or administrator.
    pub holder: Entity,
    /// Register role (shareholder, director, nominee_*, administrator).
    pub role: &'static str,
    /// Share for shareholder roles, None for directors.
    pub share: Option<Decimal>,
    /// First day of the role.
    pub from: NaiveDate,
    /// Last day of the role, if ended.
    pub to: Option<NaiveDate>,
}

/// Transfer channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Credit transfer between accounts.
    Wire,
    /// Cash paid in at a branch or ATM.
    CashDeposit,
    /// Cash taken out at a branch or ATM.
    CashWithdrawal,
    /// Card payment at a merchant.
    Card,
    /// Between two accounts of the same holder.
    Internal,
    /// Money-transfer or cross-border remittance.
    Remittance,
}

impl Channel {
    /// Name as written in transfers.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Wire => "wire",
            Channel::CashDeposit => "cash_deposit",
            Channel::CashWithdrawal => "cash_withdrawal",
            Channel::Card => "card",
            Channel::Internal => "internal",
            Channel::Remittance => "remittance",
        }
    }
}

/// One transfer before it gets its txn_id.
#[derive(Debug, Clone)]
pub struct Event {
    /// Local booking time.
    pub at: NaiveDateTime,
    /// Debited account (None for cash deposits).
    pub from: Option<u32>,
    /// Credited account (None for cash withdrawals).
    pub to: Option<u32>,
    /// Amount in the currency of the account or register entry.
    pub amount: Decimal,
    /// Payment channel.
    pub channel: Channel,
    /// Payment reference text.
    pub reference: Cow<'static, str>,
    /// Branch city for cash.
    pub branch: Option<&'static str>,
}

/// A ground-truth pattern; `events` index `World::planned`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Typology name as in truth/patterns.csv.
    pub typology: &'static str,
    /// Planned transfers forming the pattern.
    pub events: Vec<u32>,
    /// Accounts involved.
    pub accounts: Vec<u32>,
    /// Persons and companies involved.
    pub entities: Vec<Entity>,
}

/// A monthly recurring payment (salary, rent, utility, mortgage instalment, family remittance).
#[derive(Debug, Clone)]
pub struct Obligation {
    /// Debited account.
    pub from: u32,
    /// Credited account.
    pub to: u32,
    /// Amount in the currency of the account or register entry.
    pub amount: Decimal,
    /// Day of month (1-28).
    pub day: u8,
    /// First day the payment may occur.
    pub first: NaiveDate,
    /// Last day the payment may occur.
    pub last: NaiveDate,
    /// Payment channel.
    pub channel: Channel,
    /// Payment reference text.
    pub reference: &'static str,
    /// Vary the amount by up to +-30 % each month (utilities).
    pub jitter: bool,
    /// Never dropped when the recurring payments are fitted to the budget.
    pub keep: bool,
}

/// Everything generated except the streamed background transfers.
#[derive(Debug, Default)]
pub struct World {
    /// Persons (index = P id - 1).
    pub persons: Vec<Person>,
    /// Companies (index = C id - 1).
    pub companies: Vec<Company>,
    /// Accounts (index = A id - 1).
    pub accounts: Vec<Account>,
    /// Properties (index = R id - 1).
    pub properties: Vec<Property>,
    /// Land-register titles.
    pub titles: Vec<Title>,
    /// Mortgages.
    pub encumbrances: Vec<Encumbrance>,
    /// Company-register rows.
    pub ownership: Vec<Ownership>,
    /// (person, related person, kind).
    pub relations: Vec<(u32, u32, &'static str)>,
    /// (entity, year, amount in ALL, source).
    pub income: Vec<(Entity, i32, Decimal, &'static str)>,
    /// (entity, basis, case reference, since).
    pub suspects: Vec<(Entity, &'static str, String, NaiveDate)>,
    /// Identified victims (person, basis, minor, since): a subset of the victims in truth, as in a
    /// real case where some victims have come forward and the rest are still to be found.
    pub victims: Vec<(u32, &'static str, bool, NaiveDate)>,
    /// Every victim in truth (identified or not) with the start of its ring's window, from which
    /// its earnings are traced (`truth/victim_holdings.csv`).
    pub all_victims: Vec<(u32, NaiveDate)>,
    /// Planned transfers (purchases, loans, schemes).
    pub planned: Vec<Event>,
    /// Injected ground-truth patterns.
    pub patterns: Vec<Pattern>,
    /// Monthly recurring payments for the background stream.
    pub obligations: Vec<Obligation>,
    /// Accounts of each person (index = person).
    pub person_accounts: Vec<Vec<u32>>,
    /// Accounts of each company (index = company).
    pub company_accounts: Vec<Vec<u32>>,
    /// Bank companies (creditors of mortgages), index parallel to `names::BANKS`.
    pub banks: Vec<u32>,
    /// Background counterparties (employers, shops, utilities, foreign senders).
    pub roster: super::population::Roster,
    nids: HashSet<String>,
    parcels: Vec<(u32, u32)>,
}

/// Legal forms of companies.
pub const SHPK: &str = "SH.P.K.";
/// Joint-stock company.
pub const SHA: &str = "SH.A.";
/// Sole trader.
pub const PF: &str = "person fizik";

/// A date `days` after `d` (saturating on overflow).
pub fn add_days(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days)).unwrap_or(d)
}

/// A datetime at `d` plus minutes after midnight.
pub fn at(d: NaiveDate, minutes: i64) -> NaiveDateTime {
    let base = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    base + Duration::minutes(minutes.clamp(0, 24 * 60 - 1))
}

/// A random date in `[a, b]`.
pub fn date_between(rng: &mut Rng, a: NaiveDate, b: NaiveDate) -> NaiveDate {
    add_days(a, rng.range(0, (b - a).num_days()))
}

impl World {
    /// Adds a person born in `[born_from, born_to]`, living in `city` (random when None).
    pub fn add_person(
        &mut self,
        rng: &mut Rng,
        role: Role,
        born: (NaiveDate, NaiveDate),
        city: Option<&'static City>,
        surname: Option<&str>,
    ) -> u32 {
        let female = rng.chance(0.5);
        let first = if female { rng.pick_str(names::FEMALE) } else { rng.pick_str(names::MALE) };
        let last = surname.map(str::to_owned).unwrap_or_else(|| rng.pick_str(names::SURNAMES).to_owned());
        let birth = date_between(rng, born.0, born.1);
        let mut nid = String::new();
        for _ in 0..50 {
            nid = ids::national_id(birth, female, rng.below(1000) as u32);
            if !self.nids.contains(&nid) {
                break;
            }
        }
        self.nids.insert(nid.clone());
        let city = city.unwrap_or_else(|| &CITIES[weighted_city(rng)]);
        let address = format!("{}, Nr. {}", rng.pick_str(names::STREETS), rng.range(1, 180));
        self.persons.push(Person {
            full_name: format!("{first} {last}"),
            birth,
            national_id: nid,
            address,
            city: city.name,
            role,
            minor: false,
        });
        self.person_accounts.push(Vec::new());
        (self.persons.len() - 1) as u32
    }

    /// Adds a domestic company.
    pub fn add_company(
        &mut self,
        rng: &mut Rng,
        name: String,
        legal_form: &'static str,
        incorporated: NaiveDate,
        employees: u32,
        role: Role,
    ) -> u32 {
        let idx = self.companies.len();
        let city = CITIES[weighted_city(rng)].name;
        let address = format!("{}, Nr. {}", rng.pick_str(names::STREETS), rng.range(1, 180));
        self.companies.push(Company {
            name,
            nuis: ids::nuis(incorporated, idx as u64),
            legal_form,
            address,
            city: city.to_owned(),
            incorporated,
            dissolved: None,
            employees,
            role,
        });
        self.company_accounts.push(Vec::new());
        idx as u32
    }

    /// A plausible company name for a sector.
    pub fn company_name(rng: &mut Rng, sector: &str, legal_form: &str) -> String {
        let w = rng.pick_str(names::COMPANY_WORDS);
        if legal_form == PF {
            format!("{} {} {sector}", rng.pick_str(names::MALE), rng.pick_str(names::SURNAMES))
        } else if rng.chance(0.5) {
            format!("{w} {sector} {legal_form}")
        } else {
            format!("{w}-{} {legal_form}", rng.range(1, 99))
        }
    }

    /// Opens a domestic account at a random (or given) bank.
    pub fn add_account(
        &mut self,
        rng: &mut Rng,
        holder: Entity,
        opened: NaiveDate,
        closed: Option<NaiveDate>,
        eur: bool,
    ) -> u32 {
        let bank_idx = rng.index(names::BANKS.len());
        self.add_account_at(rng, bank_idx, holder, opened, closed, eur)
    }

    /// Opens a domestic account at bank `bank_idx` of `names::BANKS`.
    pub fn add_account_at(
        &mut self,
        rng: &mut Rng,
        bank_idx: usize,
        holder: Entity,
        opened: NaiveDate,
        closed: Option<NaiveDate>,
        eur: bool,
    ) -> u32 {
        let idx = self.accounts.len();
        let (bank, code) = names::BANKS[bank_idx.min(names::BANKS.len() - 1)];
        let iban = ids::albanian_iban(code, rng.range(1, 120) as u32, idx as u64 + 1);
        self.accounts.push(Account { iban, bank, holder: Some(holder), opened, closed, eur });
        match holder {
            Entity::P(p) => {
                if let Some(v) = self.person_accounts.get_mut(p as usize) {
                    v.push(idx as u32);
                }
            }
            Entity::C(c) => {
                if let Some(v) = self.company_accounts.get_mut(c as usize) {
                    v.push(idx as u32);
                }
            }
        }
        idx as u32
    }

    /// Opens a foreign EUR sender account (holder empty) in IT, GR or GB.
    pub fn add_foreign_account(&mut self, rng: &mut Rng, opened: NaiveDate) -> u32 {
        let idx = self.accounts.len();
        let (country, bank) = names::FOREIGN_BANKS[rng.index(names::FOREIGN_BANKS.len())];
        let iban = ids::foreign_iban(country, idx as u64 + 1, rng.below(1_000_000));
        self.accounts.push(Account { iban, bank, holder: None, opened, closed: None, eur: true });
        idx as u32
    }

    /// Adds a property with market and cadastral values plausible for its zone.
    pub fn add_property(&mut self, rng: &mut Rng, kind: &'static str, city_idx: usize, valued_on: NaiveDate) -> u32 {
        let city = &CITIES[city_idx.min(CITIES.len() - 1)];
        let zone = rng.pick(city.zones).copied().unwrap_or(8000);
        let parcel = match self.parcels.iter_mut().find(|(z, _)| *z == zone) {
            Some((_, p)) => {
                *p += 1;
                *p
            }
            None => {
                self.parcels.push((zone, 1 + rng.below(40) as u32));
                self.parcels.last().map(|x| x.1).unwrap_or(1)
            }
        };
        let (lo, hi) = city.eur_m2;
        let (area, per_m2) = match kind {
            "apartment" => (rng.range(45, 160), rng.range(lo, hi)),
            "house" => (rng.range(90, 260), rng.range(lo * 6 / 10, hi * 8 / 10)),
            "shop" => (rng.range(30, 150), rng.range(lo * 12 / 10, hi * 15 / 10)),
            _ => (rng.range(400, 6000), rng.range(15, 60 + lo / 10)),
        };
        let market = Decimal::from(area * per_m2 / 100 * 100);
        // Cadastral (reference) values lag the market: 45-75 %.
        let cad = (market * Decimal::new(rng.range(45, 75), 2)).round_dp(0);
        self.properties.push(Property {
            cadastral_code: ids::cadastral_code(city.prefix, zone, parcel),
            kind,
            city: city.name,
            zone,
            area_m2: area as u32,
            market_value: market,
            cadastral_value: cad,
            eur: true,
            valued_on,
        });
        (self.properties.len() - 1) as u32
    }

    /// Adds a planned transfer; returns its index.
    pub fn plan(&mut self, mut e: Event) -> u32 {
        // Seconds of the booking time, derived from the plan index (planning has minute precision).
        e.at += Duration::seconds((self.planned.len() as i64 * 37 + 11) % 60);
        self.planned.push(e);
        (self.planned.len() - 1) as u32
    }

    /// A first account of `e` in ALL, if any.
    pub fn all_account(&self, e: Entity) -> Option<u32> {
        let v = match e {
            Entity::P(p) => self.person_accounts.get(p as usize),
            Entity::C(c) => self.company_accounts.get(c as usize),
        }?;
        v.iter().copied().find(|&a| self.accounts.get(a as usize).is_some_and(|x| !x.eur))
    }

    /// Holder entity of an account.
    pub fn holder(&self, a: u32) -> Option<Entity> {
        self.accounts.get(a as usize).and_then(|x| x.holder)
    }

    /// Age in whole years at `d`.
    pub fn age(&self, p: u32, d: NaiveDate) -> i32 {
        self.persons.get(p as usize).map_or(0, |x| d.year() - x.birth.year())
    }
}

/// Cities weighted roughly by population: Tirana dominates.
pub fn weighted_city(rng: &mut Rng) -> usize {
    const W: [u64; 8] = [40, 14, 10, 8, 8, 7, 7, 6];
    let mut x = rng.below(W.iter().sum());
    for (i, w) in W.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    0
}

/// `d` as a NaiveDate from y/m/d, falling back to the Unix epoch only for impossible dates.
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}
