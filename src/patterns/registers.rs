//! Register views shared by the ownership, company and property detectors: the case's
//! persons and companies as dense ids of the [`crate::ownership`] engine, ownership snapshots per
//! period (effective shares and control, AMLR Art. 52-53, docs/methodology.md#ownership), the family scope
//! of Law 10192 (docs/methodology.md#law-10192), registered addresses and currency conversion.
//!
//! Nothing here is a detector: the detectors `round_tripping`, `property_after_inflow`,
//! `undervalued_purchase`, `circular_ownership`, `nominee_director`, `shell_company` and
//! `disproportion` call it.

use crate::model::{Case, Date, EntityKind, EntityRef, Money};
use crate::ownership::case::CaseRegister;
use crate::ownership::control::{control, Control, ControlBasis, ControlParams};
use crate::ownership::effective::{effective_ownership, ShareGraph};
use crate::ownership::family::RelationKind as AKind;
use crate::ownership::Role as ARole;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// The ownership state of one period: shares, effective ownership and control.
pub struct Snapshot {
    /// Date-filtered holdings (`None` when the register rows could not be validated).
    pub graph: Option<ShareGraph>,
    /// Effective (integrated) ownership; `None` when undefined (e.g. a closed cycle).
    pub own: Option<crate::ownership::effective::Ownership>,
    /// Control (majority, directorship, nominee).
    pub control: Control,
}

/// How an entity is tied to a company at a date.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyTie {
    /// Human-readable basis ("owns 70 %", "director", "controls by majority via ...").
    pub how: String,
    /// Intermediate companies of the tie (for majority control through other companies).
    pub via: Vec<EntityRef>,
}

/// A read-only view of the case's registers for the entity detectors.
pub struct Registers<'a> {
    /// The case.
    pub case: &'a Case,
    register: CaseRegister,
    bounds: Vec<i32>,
    snaps: Vec<OnceLock<Snapshot>>,
    upstream: HashMap<u32, BTreeSet<EntityRef>>,
    families: BTreeMap<u32, Vec<(u32, &'static str)>>,
}

impl<'a> Registers<'a> {
    /// Indexes the case's ownership rows and relations.
    ///
    /// # Complexity
    /// O(R log R) for R ownership rows; snapshots are computed lazily, one per period in which
    /// the register does not change, on first use.
    pub fn new(case: &'a Case) -> Registers<'a> {
        let register = CaseRegister::of(case);
        let mut bounds: Vec<i32> = register.holdings.iter().flat_map(|h| [h.from, h.to]).flatten().collect();
        bounds.sort_unstable();
        bounds.dedup();
        let snaps = (0..=bounds.len()).map(|_| OnceLock::new()).collect();
        let mut reg = Registers { case, register, bounds, snaps, upstream: upstream(case), families: BTreeMap::new() };
        // The suspects' family scopes are asked for again and again: computed once.
        for s in case.suspects.rows.iter().filter(|s| s.entity.kind == EntityKind::Person) {
            let fam = reg.family_uncached(s.entity.idx);
            reg.families.insert(s.entity.idx, fam);
        }
        reg
    }

    /// The engine's dense id of an entity.
    pub fn dense(&self, e: EntityRef) -> u32 {
        self.register.dense(e)
    }

    /// The entity of a dense id.
    pub fn entity(&self, id: u32) -> EntityRef {
        self.register.entity(id)
    }

    /// A company as an entity.
    pub fn company(idx: u32) -> EntityRef {
        EntityRef { kind: EntityKind::Company, idx }
    }

    /// A person as an entity.
    pub fn person(idx: u32) -> EntityRef {
        EntityRef { kind: EntityKind::Person, idx }
    }

    /// The ownership state in force on `d` (`None`: every row regardless of dates is not
    /// offered, since historic and current holders would be summed).
    ///
    /// # Complexity
    /// O(log B) when cached; otherwise one build of the share graph, effective ownership and
    /// control (see [`crate::ownership`]).
    pub fn at(&self, d: Date) -> &Snapshot {
        let epoch = self.bounds.partition_point(|b| *b <= d.0);
        self.snaps[epoch].get_or_init(|| self.build(d))
    }

    fn build(&self, d: Date) -> Snapshot {
        match self.register.share_graph_at(d) {
            Ok(g) => {
                let own = effective_ownership(&g).ok();
                let control = control(&g, &ControlParams::default());
                Snapshot { graph: Some(g), own, control }
            }
            Err(_) => Snapshot { graph: None, own: None, control: Control::default() },
        }
    }

    /// How `x` is tied to company `c` on `d`: director, administrator or nominee director;
    /// effective share of at least `min_share` (persons, through chains); or control by
    /// majority through companies it controls. `None` when not tied.
    pub fn tie(&self, x: EntityRef, c: u32, d: Date, min_share: Decimal) -> Option<CompanyTie> {
        let (xd, cd) = (self.dense(x), self.dense(Registers::company(c)));
        if xd == cd || !self.upstream.get(&c).is_some_and(|u| u.contains(&x)) {
            return None;
        }
        let snap = self.at(d);
        let mut majority: Option<CompanyTie> = None;
        let mut directs: Option<CompanyTie> = None;
        let edges = snap.control.edges();
        let start = edges.partition_point(|e| e.controller < xd);
        let mine = edges[start..].iter().take_while(|e| e.controller == xd);
        for e in mine.filter(|e| e.controlled == cd) {
            match &e.basis {
                ControlBasis::Majority { votes, via, .. } => {
                    let via: Vec<EntityRef> = via.iter().map(|&v| self.entity(v)).collect();
                    let how = if via.is_empty() {
                        format!("holds {} of the votes", pct(*votes))
                    } else {
                        let names: Vec<&str> = via.iter().map(|&v| self.case.entity_id(v)).collect();
                        format!("controls {} of the votes through {}", pct(*votes), names.join(", "))
                    };
                    majority = Some(CompanyTie { how, via });
                }
                ControlBasis::Directorship { role, .. } => {
                    directs = Some(CompanyTie { how: role_name(*role).to_string(), via: Vec::new() });
                }
                ControlBasis::Nominee { .. } => {
                    directs = Some(CompanyTie { how: "principal of a nominee".into(), via: Vec::new() });
                }
            }
        }
        if majority.is_some() {
            return majority;
        }
        if x.kind == EntityKind::Person {
            if let Some(own) = &snap.own {
                let s = own.share(xd, cd);
                if s >= min_share && !s.is_zero() {
                    return Some(CompanyTie { how: format!("owns {} (effective)", pct(s)), via: Vec::new() });
                }
            }
        } else if let Some(g) = &snap.graph {
            let s: Decimal = g.holders_of(cd).iter().filter(|h| h.holder == xd).map(|h| h.share).sum();
            if s >= min_share && !s.is_zero() {
                return Some(CompanyTie { how: format!("holds {}", pct(s)), via: Vec::new() });
            }
        }
        directs
    }

    /// Family scope of person `p` (Law 10192 default kinds, depth 1), as (relative, kind).
    ///
    /// # Complexity
    /// O(R log R) for R relations.
    pub fn family(&self, p: u32) -> Vec<(u32, &'static str)> {
        match self.families.get(&p) {
            Some(f) => f.clone(),
            None => self.family_uncached(p),
        }
    }

    fn family_uncached(&self, p: u32) -> Vec<(u32, &'static str)> {
        self.register
            .family(p)
            .into_iter()
            .map(|m| (m.person, m.path.last().map_or("relative", |s| kind_name(s.kind))))
            .collect()
    }

    /// Why `e` belongs to the scope of `suspect` on `d`: the suspect himself, a member of his
    /// family scope, or a company that the suspect or a family member owns (at least
    /// `min_share`), directs or controls. `None` when outside the scope.
    pub fn scope_reason(&self, suspect: EntityRef, e: EntityRef, d: Date, min_share: Decimal) -> Option<String> {
        if e == suspect {
            return Some("the suspect".into());
        }
        let fam = match suspect.kind {
            EntityKind::Person => self.family(suspect.idx),
            EntityKind::Company => Vec::new(),
        };
        match e.kind {
            EntityKind::Person => fam
                .iter()
                .find(|(p, _)| *p == e.idx)
                .map(|(_, k)| format!("{k} of suspect {}", self.case.entity_id(suspect))),
            EntityKind::Company => {
                let members =
                    std::iter::once((suspect, "suspect")).chain(fam.iter().map(|(p, k)| (Registers::person(*p), *k)));
                for (m, k) in members {
                    if let Some(t) = self.tie(m, e.idx, d, min_share) {
                        let who = if m == suspect {
                            format!("suspect {}", self.case.entity_id(m))
                        } else {
                            format!("{k} {} of suspect {}", self.case.entity_id(m), self.case.entity_id(suspect))
                        };
                        return Some(format!("company of which {who} {}", t.how));
                    }
                }
                None
            }
        }
    }

    /// The suspects of the case, sorted by external id (deterministic tie-breaking).
    pub fn suspects(&self) -> Vec<EntityRef> {
        let mut s: Vec<EntityRef> = self.case.suspects.rows.iter().map(|s| s.entity).collect();
        s.sort_by(|a, b| self.case.entity_id(*a).cmp(self.case.entity_id(*b)));
        s.dedup();
        s
    }

    /// Converts `m` to the base currency at `d` with the case's FX table; `None` when no rate
    /// is on record (never a silent 1.0).
    pub fn to_base(&self, m: Money, d: Date) -> Option<Decimal> {
        self.case.fx.convert(m.amount, m.currency, d).ok().map(|c| c.base_amount)
    }
}

/// True when `x` appears anywhere above company `c` in the register (as shareholder or officer
/// of it or of a company above it), dates ignored: a cheap filter before dated checks.
pub fn is_upstream(reg: &Registers<'_>, x: EntityRef, c: u32) -> bool {
    reg.upstream.get(&c).is_some_and(|u| u.contains(&x))
}

/// For each company, every entity registered above it (shareholders and officers, and theirs,
/// upward), dates ignored.
///
/// # Complexity
/// O(C · U) for C companies and U entities above each.
fn upstream(case: &Case) -> HashMap<u32, BTreeSet<EntityRef>> {
    let mut direct: HashMap<u32, Vec<EntityRef>> = HashMap::new();
    for o in &case.ownership.rows {
        direct.entry(o.company).or_default().push(o.holder);
    }
    let mut out = HashMap::new();
    for &c in direct.keys() {
        let mut seen: BTreeSet<EntityRef> = BTreeSet::new();
        let mut stack = vec![c];
        while let Some(k) = stack.pop() {
            for &h in direct.get(&k).map_or(&[][..], |v| v.as_slice()) {
                if seen.insert(h) && h.kind == EntityKind::Company {
                    stack.push(h.idx);
                }
            }
        }
        out.insert(c, seen);
    }
    out
}

/// Company ids grouped by normalised registered address (address + city), groups only.
pub fn address_groups(case: &Case) -> BTreeMap<String, Vec<u32>> {
    let mut m: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, c) in case.companies.rows.iter().enumerate() {
        if let Some(a) = c.registered_address.as_deref() {
            let key = normalise_address(a, c.city.as_deref());
            if !key.is_empty() {
                m.entry(key).or_default().push(i as u32);
            }
        }
    }
    m
}

/// Lower case, letters and digits only, single spaces; the city appended.
pub fn normalise_address(addr: &str, city: Option<&str>) -> String {
    let norm = |s: &str| {
        s.chars()
            .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let a = norm(addr);
    if a.is_empty() {
        return a;
    }
    format!("{a}|{}", norm(city.unwrap_or("")))
}

/// The ISO country code ending an address ("..., CY"), when there is one.
pub fn address_country(addr: &str) -> Option<&str> {
    let last = addr.rsplit(',').next()?.trim();
    (last.len() == 2 && last.chars().all(|c| c.is_ascii_uppercase())).then_some(last)
}

/// A fraction as a percentage with one decimal.
pub fn pct(x: Decimal) -> String {
    format!("{}%", (x * Decimal::ONE_HUNDRED).round_dp(1).normalize())
}

/// A base-currency amount rounded to whole units with the currency code.
pub fn amount(case: &Case, x: Decimal) -> String {
    let cur = case.fx.base().map_or_else(|| case.meta.base_currency.to_string(), |c| c.to_string());
    format!("{} {cur}", x.round_dp(0))
}

fn role_name(r: ARole) -> &'static str {
    match r {
        ARole::Shareholder => "shareholder",
        ARole::Director => "director",
        ARole::NomineeShareholder => "nominee shareholder",
        ARole::NomineeDirector => "nominee director",
        ARole::Administrator => "administrator",
    }
}

fn kind_name(k: AKind) -> &'static str {
    match k {
        AKind::Spouse => "spouse",
        AKind::Child => "child",
        AKind::Parent => "parent",
        AKind::Sibling => "sibling",
        AKind::Cohabitant => "cohabitant",
        AKind::Associate => "associate",
    }
}

/// One acquisition in the land register: the titles of one property acquired on one date
/// (co-owners buying together form one purchase), with their price and payments.
#[derive(Clone, Debug)]
pub struct Purchase {
    /// Index into `Case::properties`.
    pub property: u32,
    /// Acquisition date.
    pub date: Date,
    /// Rows of `Case::titles`.
    pub titles: Vec<usize>,
    /// Owners with the share each acquired.
    pub owners: Vec<(EntityRef, Decimal)>,
    /// Total share acquired.
    pub share: Decimal,
    /// Sum of the titles' prices in the base currency, each converted at the acquisition date;
    /// `None` when a title has no price or no rate is on record.
    pub price: Option<Decimal>,
    /// The prices as recorded, for the explanation ("166936 EUR at 104.21 on 2024-03-01").
    pub price_text: String,
    /// Paying transfers (indices into `Case::transfers`), sorted.
    pub payments: Vec<u32>,
    /// Holders of the titles of the same property that ended on the acquisition date.
    pub sellers: Vec<EntityRef>,
}

impl Purchase {
    /// Accounts debited by the payments (cash payments have none).
    pub fn payer_accounts(&self, case: &Case) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .payments
            .iter()
            .map(|&t| case.transfers.from[t as usize])
            .filter(|&a| a != crate::model::NO_ACCOUNT)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Accounts credited by the payments.
    pub fn payee_accounts(&self, case: &Case) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .payments
            .iter()
            .map(|&t| case.transfers.to[t as usize])
            .filter(|&a| a != crate::model::NO_ACCOUNT)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Owners as external ids joined by ", ".
    pub fn owner_ids(&self, case: &Case) -> String {
        self.owners.iter().map(|(e, _)| case.entity_id(*e)).collect::<Vec<_>>().join(", ")
    }
}

/// Every acquisition with a date, sorted by (date, property).
///
/// # Complexity
/// O(T log T) for T titles.
pub fn purchases(reg: &Registers<'_>) -> Vec<Purchase> {
    let case = reg.case;
    let mut groups: BTreeMap<(Date, u32), Vec<usize>> = BTreeMap::new();
    for (i, t) in case.titles.rows.iter().enumerate() {
        if let Some(d) = t.acquired_on {
            groups.entry((d, t.property)).or_default().push(i);
        }
    }
    groups
        .into_iter()
        .map(|((date, property), titles)| {
            let rows: Vec<&crate::model::Title> = titles.iter().map(|&i| &case.titles.rows[i]).collect();
            let mut price = Some(Decimal::ZERO);
            let mut texts = Vec::new();
            for t in &rows {
                match t.price {
                    Some(m) => {
                        let conv = case.fx.convert(m.amount, m.currency, date).ok();
                        price = price.zip(conv.map(|c| c.base_amount)).map(|(a, b)| a + b);
                        match conv.and_then(|c| c.rate_date.map(|rd| (c.rate, rd))) {
                            Some((rate, rd)) => texts.push(format!("{m} at {rate} of {rd}")),
                            None if conv.is_none() => texts.push(format!("{m} (no rate on record)")),
                            None => texts.push(m.to_string()),
                        }
                    }
                    None => price = None,
                }
            }
            let mut payments: Vec<u32> = rows.iter().flat_map(|t| t.payment_txns.iter().copied()).collect();
            payments.sort_unstable();
            payments.dedup();
            let mut sellers: Vec<EntityRef> = case
                .titles
                .rows
                .iter()
                .filter(|t| t.property == property && t.disposed_on == Some(date))
                .map(|t| t.owner)
                .collect();
            sellers.sort_unstable();
            sellers.dedup();
            Purchase {
                property,
                date,
                owners: rows.iter().map(|t| (t.owner, t.share)).collect(),
                share: rows.iter().map(|t| t.share).sum(),
                titles,
                price,
                price_text: texts.join(" + "),
                payments,
                sellers,
            }
        })
        .collect()
}
