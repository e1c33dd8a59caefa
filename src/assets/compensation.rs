//! Compensation claims (issue 9): per victim, the money traced into each confiscable asset, the
//! victim's pro-rata share of a compensation fund, and the part of the claim left unsatisfied,
//! with every sum reconciling to the cent.
//!
//! # Definitions
//! * **Victims** and their **earnings**: [`crate::trace::victims`] (one label per victim; the
//!   earnings are every credit to the victim's accounts from its `since` day on).
//! * **Confiscable assets**: the assets of every suspect's scope as [`super::confiscable`] values
//!   them on the valuation date (properties held by the suspect, the family scope or companies
//!   looked through; positive balances of the scope's person accounts), each at its **net
//!   attributable value** (share x (value - encumbrances)). An asset reached from several suspects
//!   is counted once, at the largest attributable value \[D\] (never double counted).
//! * **Traced amount** of a victim in an asset, under the chosen rule: for a property, the victim's
//!   label in its purchase payments (the whole purchase, as in `assets`); for an account, the
//!   victim's label still held in it.
//! * **Fund**: the confiscated value, i.e. the sum of the confiscable assets' net attributable
//!   values (an estimate, the object-based preventive view of Law 10192, docs/methodology.md#confiscable-value
//!   step 5), or the amount actually realised when given ([`CompensationParams::fund_value`]).
//!   Law 10192 Art. 37 (special fund, used inter alia for victims of trafficking) and Law 34/2019
//!   (compensation to crime victims) are the Albanian basis (docs/methodology.md#law-10192).
//! * **Claim**: the victim's earnings under the rule (what was taken from the victim, the smallest
//!   figure a court would recognise) unless a **declared claim** is given for the victim (e.g. the
//!   damages a court assessed, which may include non-pecuniary loss) \[D\].
//! * **Share of the fund**: by default in proportion to the victims' traced amounts in the
//!   confiscable assets ([`ShareBasis::Traced`]: a proportionate share of what was bought with
//!   their money, *Foskett v McKeown* \[2001\] 1 AC 102, docs/methodology.md#tracing), or in proportion to
//!   the claims ([`ShareBasis::Claim`]: pari passu among equally innocent claimants, *Barlow Clowes
//!   v Vaughan* \[1992\] 4 All ER 22, *Cunningham v Brown* 265 U.S. 1 (1924)). No victim receives
//!   more than its claim: a share above the claim is capped and the excess re-shared among the
//!   others in the same proportion; what no victim can take is the **surplus** (returned to the
//!   fund).
//! * **Unsatisfied remainder** = claim - allocated (never negative).
//!
//! # Exactness
//! The fund is allocated in cents by the largest-remainder method: every victim gets the floor of
//! its exact share, the leftover cents go one each to the largest remainders, a tie to the lower
//! victim id. So `Σ allocated + surplus = fund` and `remainder = claim - allocated`, exactly.

use super::confiscable::{confiscable, ConfiscableError, ConfiscableParams};
use super::{sum, AmountOverflow};
use crate::model::money::checked_sum;
use crate::model::{Case, Date, EntityRef, Prov};
use crate::trace::case::CaseTraceError;
use crate::trace::victims::{
    earnings_credits, label_chain, lineage_by_label, select_victims, tainted_by_label, trace_victims, VictimLabel,
    VictimSelection, MAX_CHAIN,
};
use crate::trace::{Label, Rule, TraceConfig, TraceResult};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the fund is shared in proportion to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShareBasis {
    /// The victims' traced amounts in the confiscable assets (the rule decides).
    #[default]
    Traced,
    /// The victims' claims (pari passu).
    Claim,
}

impl ShareBasis {
    /// The name used in files and flags.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareBasis::Traced => "traced",
            ShareBasis::Claim => "claim",
        }
    }

    /// The legal basis of the sharing (docs/methodology.md#tracing).
    pub fn legal_basis(self) -> &'static str {
        match self {
            ShareBasis::Traced => {
                "in proportion to each victim's money traced into the confiscated assets (proportionate share: Foskett v McKeown [2001] 1 AC 102), capped at the claim"
            }
            ShareBasis::Claim => {
                "pari passu in proportion to the claims among equally innocent claimants (Barlow Clowes v Vaughan [1992] 4 All ER 22; Cunningham v Brown 265 U.S. 1 (1924)), capped at the claim"
            }
        }
    }
}

/// The legal basis of the fund (docs/methodology.md#law-10192).
pub const FUND_BASIS: &str = "Law 10192/2009 Art. 37 special fund (assistance to victims of trafficking); Law 34/2019 (compensation to crime victims)";

/// Parameters of [`compensation`]. `Default`: LIBR with the Hallett presumption (the rule courts
/// apply against a wrongdoer who mixed victims' money with his own; victims share rateably among
/// themselves, docs/methodology.md#tracing), the victims table, the confiscated value as the fund, the
/// earnings as claims, shares by traced amount, the case's valuation date, the engine's default
/// settings.
#[derive(Clone, Debug, PartialEq)]
pub struct CompensationParams {
    /// The tracing rule (conserving rules only).
    pub rule: Rule,
    /// Which victims.
    pub victims: VictimSelection,
    /// The fund in the base currency, to the cent; `None` = the confiscated value.
    pub fund_value: Option<Decimal>,
    /// Declared claims by victim id (base currency); other victims claim their earnings.
    pub claims: BTreeMap<String, Decimal>,
    /// What the fund is shared in proportion to.
    pub share_by: ShareBasis,
    /// Valuation date; `None` = the case's.
    pub as_of: Option<Date>,
    /// Engine settings.
    pub trace: TraceConfig,
}

impl Default for CompensationParams {
    fn default() -> Self {
        CompensationParams {
            rule: Rule::Libr,
            victims: VictimSelection::listed(),
            fund_value: None,
            claims: BTreeMap::new(),
            share_by: ShareBasis::Traced,
            as_of: None,
            trace: TraceConfig::default(),
        }
    }
}

/// Why compensation could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompensationError {
    /// Victim selection or tracing failed.
    #[error(transparent)]
    Trace(#[from] CaseTraceError),
    /// The rule does not conserve value.
    #[error("rule {0} is not value-conserving; choose fifo, lifo, pro-rata or libr")]
    Rule(Rule),
    /// A money figure is negative or finer than a cent.
    #[error("{what} {value} must be a non-negative amount to the cent")]
    Amount {
        /// Which figure.
        what: String,
        /// The value given.
        value: Decimal,
    },
    /// A declared claim names no selected victim.
    #[error("a claim is declared for '{0}', which is not among the victims traced; add it with --victim")]
    UnknownClaimant(String),
    /// No victim was selected.
    #[error("no victims: the case has no victims table rows and none were given by id")]
    NoVictims,
    /// A sum or product of the figures left the exact range.
    #[error(transparent)]
    Overflow(#[from] AmountOverflow),
}

impl From<ConfiscableError> for CompensationError {
    fn from(e: ConfiscableError) -> Self {
        match e {
            ConfiscableError::Trace(t) => CompensationError::Trace(t),
            ConfiscableError::Overflow(o) => CompensationError::Overflow(o),
        }
    }
}

/// One confiscable asset in the fund.
#[derive(Clone, Debug, PartialEq)]
pub struct FundAsset {
    /// Property id or account id.
    pub asset_id: String,
    /// The property's kind or `bank_account`.
    pub asset_kind: String,
    /// Net attributable value (base currency).
    pub value: Decimal,
    /// Suspects whose scope holds it, ascending.
    pub suspects: Vec<EntityRef>,
    /// Purchase payments (properties), indices into `Case::transfers`.
    pub payments: Vec<u32>,
    /// The account (bank accounts), dense index.
    pub account: Option<u32>,
    /// Register rows behind the value (property, titles, encumbrances, ownership chains,
    /// relations, account row), sorted.
    pub evidence: Vec<Prov>,
}

/// A victim's traced amount in one fund asset.
#[derive(Clone, Debug, PartialEq)]
pub struct TracedAsset {
    /// Index into [`Compensation::assets`].
    pub asset: usize,
    /// The victim's label in the asset under the rule.
    pub traced: Decimal,
    /// The transfers behind it: the payments (or tainted credits) carrying the label and the
    /// label's lineage back to the victim's source credits, at most [`MAX_CHAIN`], ascending.
    pub chain: Vec<u32>,
}

/// One victim's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct VictimClaim {
    /// The victim.
    pub victim: EntityRef,
    /// The victim's label in the trace.
    pub label: Label,
    /// In the victims table (identified) rather than given by id.
    pub listed: bool,
    /// First day of the earnings.
    pub since: Option<Date>,
    /// Earnings introduced under the rule.
    pub earnings: Decimal,
    /// The credits that brought the earnings (at most [`MAX_CHAIN`]), ascending.
    pub earnings_credits: Vec<u32>,
    /// The claim.
    pub claim: Decimal,
    /// Whether the claim was declared (else it is the earnings).
    pub claim_declared: bool,
    /// Non-zero traced amounts, by asset.
    pub traced: Vec<TracedAsset>,
    /// Σ traced.
    pub traced_total: Decimal,
    /// Share of the fund.
    pub allocated: Decimal,
    /// `claim - allocated`.
    pub remainder: Decimal,
}

/// The result: the fund, its assets, every victim's figures, and the reconciliation.
#[derive(Clone, Debug, PartialEq)]
pub struct Compensation {
    /// The tracing rule.
    pub rule: Rule,
    /// What the fund was shared in proportion to.
    pub share_by: ShareBasis,
    /// Valuation date.
    pub as_of: Date,
    /// The fund.
    pub fund: Decimal,
    /// Whether the fund was given (else the confiscated value).
    pub fund_given: bool,
    /// Σ net attributable value of the assets (the confiscated value).
    pub confiscated_value: Decimal,
    /// Confiscable assets: properties first, then accounts, each by id.
    pub assets: Vec<FundAsset>,
    /// Victims by id (label order).
    pub victims: Vec<VictimClaim>,
    /// Σ allocated.
    pub allocated: Decimal,
    /// `fund - allocated`: what no victim could take (every claim met, or nothing traced).
    pub surplus: Decimal,
    /// Problems met (register errors), for the report.
    pub notes: Vec<String>,
}

/// Computes the compensation figures (see the module docs).
///
/// # Errors
/// [`CompensationError`]: unknown victim ids or claimants, a non-conserving rule, amounts not
/// to the cent, no victims, the engine's validation errors.
///
/// # Complexity
/// One trace of the victims under the rule, plus one ledger pass per suspect for the scope
/// balances ([`confiscable`] without tracing), plus O(victims x assets) for the figures.
pub fn compensation(case: &Case, params: &CompensationParams) -> Result<Compensation, CompensationError> {
    if !params.rule.is_conserving() {
        return Err(CompensationError::Rule(params.rule));
    }
    let vd = params.as_of.unwrap_or(case.meta.valuation_date);
    let victims = select_victims(case, &params.victims)?;
    if victims.is_empty() {
        return Err(CompensationError::NoVictims);
    }
    for id in params.claims.keys() {
        if !victims.iter().any(|v| case.entity_id(v.victim) == id) {
            return Err(CompensationError::UnknownClaimant(id.clone()));
        }
    }
    let (assets, notes) = fund_assets(case, vd, params)?;
    let confiscated_value = sum("summing the value of the fund's assets", assets.iter().map(|a| a.value))?;
    let fund = match params.fund_value {
        Some(f) => cents("--fund-value", f)?,
        None => confiscated_value,
    };

    // The victims' trace under the rule.
    let results = trace_victims(case, &victims, vd, &[params.rule], &params.trace)?;
    let traced = VictimsTraced::new(&results, &assets);
    let mut out: Vec<VictimClaim> = Vec::with_capacity(victims.len());
    for v in &victims {
        out.push(victim_claim(case, params, &assets, &traced, v)?);
    }
    let surplus = allocate_fund(&mut out, params.share_by, fund)?;
    let allocated = sum("summing the shares allocated", out.iter().map(|v| v.allocated))?;
    // The sums the report prints, checked here so that the plain getters cannot overflow later.
    sum("summing the victims' claims", out.iter().map(|v| v.claim))?;
    sum("summing the unsatisfied remainders", out.iter().map(|v| v.remainder))?;
    sum("summing the amounts traced for every victim", out.iter().map(|v| v.traced_total))?;
    sum("summing the victims' traced earnings", out.iter().map(|v| v.earnings))?;
    Ok(Compensation {
        rule: params.rule,
        share_by: params.share_by,
        as_of: vd,
        fund,
        fund_given: params.fund_value.is_some(),
        confiscated_value,
        assets,
        victims: out,
        allocated,
        surplus,
        notes,
    })
}

/// The fund's assets: every suspect's scope, valued on `vd` (no tracing needed for the values);
/// an asset in several scopes once, at its largest value. With the notes of the valuation.
fn fund_assets(
    case: &Case,
    vd: Date,
    params: &CompensationParams,
) -> Result<(Vec<FundAsset>, Vec<String>), CompensationError> {
    let mut suspects: Vec<EntityRef> = case.suspects.rows.iter().map(|s| s.entity).collect();
    suspects.sort_by(|a, b| case.entity_id(*a).cmp(case.entity_id(*b)));
    suspects.dedup();
    let cp = ConfiscableParams { rules: Vec::new(), as_of: Some(vd), trace: params.trace.clone() };
    let figures = confiscable(case, &suspects, &cp)?;
    let mut by_id: BTreeMap<(bool, String), FundAsset> = BTreeMap::new();
    let mut notes: Vec<String> = Vec::new();
    for s in &figures {
        notes.extend(s.notes.iter().cloned());
        for a in &s.assets {
            let Some(v) = a.net_attributable.filter(|v| *v > Decimal::ZERO) else { continue };
            if a.share.is_zero() {
                continue;
            }
            let account =
                (a.asset_kind == "bank_account").then(|| case.account(&a.asset_id)).flatten().map(|a| a.raw());
            let e = by_id.entry((account.is_some(), a.asset_id.clone())).or_insert_with(|| FundAsset {
                asset_id: a.asset_id.clone(),
                asset_kind: a.asset_kind.clone(),
                value: v,
                suspects: Vec::new(),
                payments: if account.is_some() { Vec::new() } else { a.transfers.clone() },
                account,
                evidence: Vec::new(),
            });
            e.value = e.value.max(v);
            e.suspects.push(s.suspect);
            e.evidence.extend(a.evidence.iter().copied());
        }
    }
    let mut assets: Vec<FundAsset> = by_id.into_values().collect();
    for a in &mut assets {
        a.suspects.sort_by(|x, y| case.entity_id(*x).cmp(case.entity_id(*y)));
        a.suspects.dedup();
        a.evidence.sort_unstable();
        a.evidence.dedup();
    }
    notes.sort();
    notes.dedup();
    Ok((assets, notes))
}

/// The victims' trace, indexed for the fund's assets.
struct VictimsTraced<'a> {
    result: Option<&'a TraceResult>,
    /// (purchase payment of a fund asset, label) -> tainted amount.
    tainted: HashMap<(u32, Label), Decimal>,
    /// The lineage of [`lineage_by_label`].
    back: HashMap<(u32, Label), Vec<u32>>,
    /// Tainted credits into the fund's accounts, per (account, label).
    credits_into: BTreeMap<(u32, Label), BTreeSet<u32>>,
}

impl<'a> VictimsTraced<'a> {
    fn new(results: &'a [TraceResult], assets: &[FundAsset]) -> VictimsTraced<'a> {
        let result: Option<&TraceResult> = results.first();
        let payments: BTreeSet<u32> = assets.iter().flat_map(|a| a.payments.iter().copied()).collect();
        let tainted = result.map(|r| tainted_by_label(r, &payments)).unwrap_or_default();
        let back = lineage_by_label(results);
        // One pass over the rows.
        let fund_accounts: BTreeSet<u32> = assets.iter().filter_map(|a| a.account).collect();
        let mut credits_into: BTreeMap<(u32, Label), BTreeSet<u32>> = BTreeMap::new();
        for row in result.map_or(&[][..], |r| &r.rows[..]) {
            if let Some(t) = row.to.filter(|t| fund_accounts.contains(t)) {
                credits_into.entry((t, row.label)).or_default().insert(row.seq);
            }
        }
        VictimsTraced { result, tainted, back, credits_into }
    }
}

/// One victim's earnings, claim and money traced into each fund asset (not yet allocated).
fn victim_claim(
    case: &Case,
    params: &CompensationParams,
    assets: &[FundAsset],
    t: &VictimsTraced,
    v: &VictimLabel,
) -> Result<VictimClaim, CompensationError> {
    let id = case.entity_id(v.victim);
    let result = t.result;
    let earnings = result.and_then(|r| r.summary(v.label)).map_or(Decimal::ZERO, |s| s.introduced);
    let mut credits = result.map(|r| earnings_credits(r, v.label)).unwrap_or_default();
    credits.truncate(MAX_CHAIN);
    let (claim, declared) = match params.claims.get(id) {
        Some(&c) => (cents(&format!("claim of {id}"), c)?, true),
        None => (earnings, false),
    };
    let mut traced = Vec::new();
    for (k, a) in assets.iter().enumerate() {
        let (amount, carriers): (Decimal, Vec<u32>) = match (a.account, result) {
            (Some(acct), Some(r)) => (
                r.remaining(acct, v.label),
                t.credits_into.get(&(acct, v.label)).map(|c| c.iter().copied().collect()).unwrap_or_default(),
            ),
            (None, Some(_)) => {
                let carriers: Vec<u32> =
                    a.payments.iter().copied().filter(|p| t.tainted.contains_key(&(*p, v.label))).collect();
                let what = format!("summing {id}'s money traced into asset {}", a.asset_id);
                (sum(&what, carriers.iter().filter_map(|p| t.tainted.get(&(*p, v.label))).copied())?, carriers)
            }
            _ => (Decimal::ZERO, Vec::new()),
        };
        if amount.is_zero() {
            continue;
        }
        traced.push(TracedAsset {
            asset: k,
            traced: amount,
            chain: label_chain(&t.back, v.label, &carriers, MAX_CHAIN),
        });
    }
    let traced_total = sum(&format!("summing {id}'s money traced into the fund"), traced.iter().map(|t| t.traced))?;
    Ok(VictimClaim {
        victim: v.victim,
        label: v.label,
        listed: v.listed,
        since: v.since,
        earnings,
        earnings_credits: credits,
        claim,
        claim_declared: declared,
        traced,
        traced_total,
        allocated: Decimal::ZERO,
        remainder: claim,
    })
}

/// Shares `fund` over the victims in cents, by `share_by`, no share above the claim; returns
/// the surplus.
fn allocate_fund(out: &mut [VictimClaim], share_by: ShareBasis, fund: Decimal) -> Result<Decimal, AmountOverflow> {
    let weights: Vec<Decimal> = out
        .iter()
        .map(|v| match share_by {
            ShareBasis::Traced => v.traced_total,
            ShareBasis::Claim => v.claim,
        })
        .collect();
    let what = "sharing the fund in proportion (fund x weight must stay below 1.7e38 units of the smallest decimal)";
    let overflow = || AmountOverflow::new(what);
    let caps: Vec<i128> = out.iter().map(|v| to_units(v.claim, 2)).collect::<Option<_>>().ok_or_else(overflow)?;
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(2).max(2);
    let w_units: Vec<i128> = weights.iter().map(|w| to_units(*w, scale)).collect::<Option<_>>().ok_or_else(overflow)?;
    let (alloc, surplus) = allocate(to_units(fund, 2).ok_or_else(overflow)?, &w_units, &caps).ok_or_else(overflow)?;
    for (v, a) in out.iter_mut().zip(&alloc) {
        v.allocated = Decimal::try_from_i128_with_scale(*a, 2).map_err(|_| overflow())?;
        v.remainder = super::sub(v.claim, v.allocated, what)?;
    }
    Decimal::try_from_i128_with_scale(surplus, 2).map_err(|_| overflow())
}

/// A money figure to the cent, never negative.
fn cents(what: &str, d: Decimal) -> Result<Decimal, CompensationError> {
    let n = d.normalize();
    if n.is_sign_negative() && !n.is_zero() || n.scale() > 2 {
        return Err(CompensationError::Amount { what: what.to_string(), value: d });
    }
    Ok(n.round_dp(2))
}

/// `d` in integer units of `10^-scale`, rounded down (amounts here are never negative);
/// `None` when `d` has too many digits to be written with `scale` decimals.
fn to_units(d: Decimal, scale: u32) -> Option<i128> {
    let x = d.trunc_with_scale(scale);
    x.mantissa().checked_mul(10i128.checked_pow(scale.checked_sub(x.scale())?)?)
}

/// Shares `fund` units over `weights` in proportion, no share above its cap: shares whose exact
/// value reaches the cap are fixed at the cap and the rest of the fund re-shared among the others
/// (repeated until no share reaches its cap), then the largest-remainder method (ties to the lower
/// index). Returns the shares and the surplus (`fund - Σ shares`, positive only when every
/// remaining weight is zero or every cap is met); `None` when a sum of weights or a product
/// `fund x weight` does not fit an `i128` (never a wrapped or saturated share).
///
/// # Complexity
/// O(k^2) for k weights in the worst case (one cap fixed per round), O(k log k) per round.
pub fn allocate(fund: i128, weights: &[i128], caps: &[i128]) -> Option<(Vec<i128>, i128)> {
    let k = weights.len();
    let mut shares = vec![0i128; k];
    let mut left = fund.max(0);
    let mut active: Vec<usize> = (0..k).filter(|&i| weights[i] > 0 && caps.get(i).is_some_and(|&c| c > 0)).collect();
    loop {
        let total: i128 = active.iter().try_fold(0i128, |t, &i| t.checked_add(weights[i]))?;
        if active.is_empty() || total <= 0 || left == 0 {
            break;
        }
        // Exact share left * w / total reaches the cap  <=>  left * w >= cap * total.
        let mut capped: Vec<usize> = Vec::new();
        for &i in &active {
            if left.checked_mul(weights[i])? >= caps[i].checked_mul(total)? {
                capped.push(i);
            }
        }
        if !capped.is_empty() {
            for &i in &capped {
                shares[i] = caps[i];
                left -= caps[i];
            }
            active.retain(|i| !capped.contains(i));
            continue;
        }
        let mut given = 0i128;
        let mut rem: Vec<(i128, usize)> = Vec::with_capacity(active.len());
        for &i in &active {
            let p = left.checked_mul(weights[i])?;
            shares[i] = p / total;
            given += p / total;
            rem.push((p % total, i));
        }
        rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let leftover = left - given;
        for &(_, i) in rem.iter().take(usize::try_from(leftover).unwrap_or(0)) {
            shares[i] += 1;
        }
        left = 0;
        break;
    }
    Some((shares, left))
}

impl Compensation {
    /// Whether every sum reconciles: `Σ allocated + surplus = fund`, `remainder = claim -
    /// allocated` and `0 <= allocated <= claim` per victim, `traced_total = Σ traced`.
    /// A sum that overflows does not reconcile.
    pub fn reconciles(&self) -> bool {
        let alloc = checked_sum(self.victims.iter().map(|v| v.allocated));
        alloc == Some(self.allocated)
            && self.allocated.checked_add(self.surplus) == Some(self.fund)
            && self.surplus >= Decimal::ZERO
            && self.victims.iter().all(|v| {
                v.claim.checked_sub(v.allocated) == Some(v.remainder)
                    && v.allocated >= Decimal::ZERO
                    && v.allocated <= v.claim
                    && checked_sum(v.traced.iter().map(|t| t.traced)) == Some(v.traced_total)
            })
    }

    /// Σ claims (checked when [`compensation`] built the figures; `Decimal::MAX` past the range
    /// on figures built by hand).
    pub fn claims(&self) -> Decimal {
        checked_sum(self.victims.iter().map(|v| v.claim)).unwrap_or(Decimal::MAX)
    }

    /// Σ traced totals of the victims (checked as [`Compensation::claims`]).
    pub fn traced_total(&self) -> Decimal {
        checked_sum(self.victims.iter().map(|v| v.traced_total)).unwrap_or(Decimal::MAX)
    }

    /// Σ traced earnings of the victims (checked as [`Compensation::claims`]).
    pub fn earnings(&self) -> Decimal {
        checked_sum(self.victims.iter().map(|v| v.earnings)).unwrap_or(Decimal::MAX)
    }

    /// Σ unsatisfied remainders (checked as [`Compensation::claims`]).
    pub fn remainder(&self) -> Decimal {
        checked_sum(self.victims.iter().map(|v| v.remainder)).unwrap_or(Decimal::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_capped_and_deterministic() {
        // 100 over 1:1:1 -> 34, 33, 33 (the tie goes to the lower index).
        assert_eq!(allocate(100, &[1, 1, 1], &[1000, 1000, 1000]), Some((vec![34, 33, 33], 0)));
        // Caps: weights 1:1, caps 10 and 1000, fund 100 -> 10 capped, the other takes 90.
        assert_eq!(allocate(100, &[1, 1], &[10, 1000]), Some((vec![10, 90], 0)));
        // Every cap met: the surplus stays.
        assert_eq!(allocate(100, &[3, 1], &[20, 30]), Some((vec![20, 30], 50)));
        // Nothing traced: everything is surplus.
        assert_eq!(allocate(100, &[0, 0], &[20, 30]), Some((vec![0, 0], 100)));
    }

    #[test]
    fn allocation_past_i128_is_none_not_a_saturated_share() {
        // Before: left.saturating_mul(w) clamped at i128::MAX and shared a wrong fund.
        let big = i128::MAX / 4;
        assert_eq!(allocate(big, &[big, big], &[big, big]), None);
        assert_eq!(allocate(10, &[i128::MAX, 1], &[10, 10]), None);
    }
}
