//! Property purchase following suspect inflows: a property bought by a suspect, a member of his
//! family scope or a company they own, direct or control, paid by transfers into which money
//! linked to the suspect arrived in the preceding days (docs/methodology.md#t-real-estate real-estate
//! integration; methodology.md#law-10192 family scope of Law 10192; methodology.md#confiscation-concepts third-party confiscation).
//!
//! The paying transfers come from the titles' `payment_txns`. An inflow into a paying account
//! is linked to the suspect when it comes from an account held by someone in his scope, or
//! when the paying account is the suspect's own (all money reaching a suspect is his).

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{amount, purchases, Purchase, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Channel, DateTime, EntityRef, NO_ACCOUNT};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

crate::params! {
    /// Parameters of [`PropertyAfterInflow`].
    pub struct PropertyAfterInflowParams {
        /// Look-back before the first payment in which inflows count, in days (six months: the
        /// source-of-funds period of a purchase; methodology.md#t-real-estate says "shortly after") (project default).
        lookback_days: i64 = 180,
        /// A linked inflow this close to the payment, in days, corroborates (project default).
        short_gap_days: i64 = 30,
        /// Linked inflows covering this fraction of the price corroborate (project default).
        cover_ratio: Decimal = Decimal::new(5, 1),
        /// Smallest effective share that makes a company "owned" (AMLD4 / AMLR Art. 52: 25 %,
        /// methodology.md#bo-thresholds).
        min_share: Decimal = Decimal::new(25, 2),
    }
}

super::context::indicators! {
    /// The indicators of [`PropertyAfterInflow`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    PURCHASE_AFTER_INFLOWS = ("purchase_after_inflows", 30, []);
    INFLOWS_COVER_PRICE = ("inflows_cover_price", 20, []);
    SHORTLY_AFTER = ("shortly_after", 15, []);
    THIRD_PARTY_TITLE = ("third_party_title", 15, []);
    CASH_PAYMENT = ("cash_payment", 15, []);
}

/// The property-after-inflow detector.
#[derive(Default)]
pub struct PropertyAfterInflow {
    /// Parameters.
    pub p: PropertyAfterInflowParams,
}

impl Detector for PropertyAfterInflow {
    super::detector::detector_parts!(Typology::PropertyAfterInflow);

    /// # Complexity
    /// O(P · S · (F + I)) for P purchases with payments, S suspects, F family and register ties
    /// looked up per entity, and I inflows in the look-back window of the paying accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let reg = Registers::new(ctx.case);
        let suspects = reg.suspects();
        if suspects.is_empty() {
            return Vec::new();
        }
        let all = purchases(&reg);
        all.par_iter().filter(|p| !p.payments.is_empty()).filter_map(|p| self.check(ctx, &reg, &suspects, p)).collect()
    }
}

impl PropertyAfterInflow {
    fn check(&self, ctx: &DetectCtx<'_>, reg: &Registers<'_>, suspects: &[EntityRef], p: &Purchase) -> Option<Finding> {
        let case = ctx.case;
        let t = &case.transfers;
        let g = &ctx.graph.flow;
        let d = p.date;
        let mut payers = p.payer_accounts(case);
        if payers.is_empty() {
            // Paid in cash: the owners' own accounts are where the money would have gathered.
            payers = case
                .accounts
                .rows
                .iter()
                .enumerate()
                .filter(|(_, a)| a.holder.is_some_and(|h| p.owners.iter().any(|(o, _)| *o == h)))
                .map(|(i, _)| i as u32)
                .collect();
        }
        let holder = |a: u32| case.accounts.rows.get(a as usize).and_then(|x| x.holder);
        // The first suspect (by id) whose scope holds an owner, else a paying account's holder.
        let buyers: Vec<EntityRef> =
            p.owners.iter().map(|(o, _)| *o).chain(payers.iter().filter_map(|&a| holder(a))).collect();
        let (suspect, buyer, reason) = suspects.iter().find_map(|&s| {
            buyers.iter().find_map(|&b| reg.scope_reason(s, b, d, self.p.min_share).map(|r| (s, b, r)))
        })?;
        let first_pay = p.payments.iter().map(|&e| t.booked_at[e as usize]).min()?;
        let from = DateTime(first_pay.0 - self.p.lookback_days * 86_400);
        let to = DateTime(first_pay.0 - 1);
        let mut in_scope: BTreeMap<EntityRef, bool> = BTreeMap::new();
        let mut linked: Vec<u32> = Vec::new();
        let mut sources: Vec<u32> = Vec::new();
        for &a in &payers {
            let own_account = holder(a) == Some(suspect);
            for &e in g.in_between(a, from, to) {
                if p.payments.binary_search(&e).is_ok() {
                    continue;
                }
                let src = t.from[e as usize];
                let src_holder = if src == NO_ACCOUNT { None } else { holder(src) };
                let from_scope = src_holder.is_some_and(|h| {
                    *in_scope.entry(h).or_insert_with(|| reg.scope_reason(suspect, h, d, self.p.min_share).is_some())
                });
                if own_account || (from_scope && src_holder != holder(a)) {
                    linked.push(e);
                    if src != NO_ACCOUNT {
                        sources.push(src);
                    }
                }
            }
        }
        if linked.is_empty() {
            return None;
        }
        let inflow: Decimal = linked.iter().map(|&e| g.base_of(e as usize)).sum();
        let last_in = linked.iter().map(|&e| t.booked_at[e as usize]).max().unwrap_or(first_pay);
        let gap_days = (first_pay.0 - last_in.0) / 86_400;
        let prop = &case.properties.rows[p.property as usize];
        let mut f = Finding::new(self.name());
        f.first_at = linked.iter().chain(&p.payments).map(|&e| t.booked_at[e as usize]).min();
        let price = p.price.map_or_else(|| "an unrecorded price".to_string(), |x| amount(case, x));
        f.indicate(&PURCHASE_AFTER_INFLOWS, format!(
                "{} ({}; {reason}) acquired {} {} on {d} for {price} ({}); {} inflows linked to the suspect totalling {} in the {} days before the first payment",
                case.entity_id(buyer),
                case.entity_name(buyer),
                prop.kind.as_deref().unwrap_or("property"),
                prop.id,
                if p.price_text.is_empty() { "-" } else { &p.price_text },
                linked.len(),
                amount(case, inflow),
                self.p.lookback_days
            ),
        );
        if let Some(pr) = p.price.filter(|x| !x.is_zero()) {
            if inflow >= pr * self.p.cover_ratio {
                f.indicate(
                    &INFLOWS_COVER_PRICE,
                    format!("linked inflows are {:.0}% of the price", inflow * Decimal::ONE_HUNDRED / pr),
                );
            }
        }
        if gap_days <= self.p.short_gap_days {
            f.indicate(&SHORTLY_AFTER, format!("last linked inflow {gap_days} days before the payment"));
        }
        let third: Vec<&str> =
            p.owners.iter().filter(|(o, _)| *o != suspect).map(|(o, _)| case.entity_id(*o)).collect();
        if !third.is_empty() {
            f.indicate(
                &THIRD_PARTY_TITLE,
                format!("title held by {} rather than the suspect (methodology.md#confiscation-concepts, methodology.md#law-10192)", third.join(", ")),
            );
        }
        let cash = p
            .payments
            .iter()
            .filter(|&&e| t.channel[e as usize] == Channel::CashDeposit || t.from[e as usize] == NO_ACCOUNT)
            .count();
        if cash > 0 {
            f.indicate(&CASH_PAYMENT, format!("{cash} of the payments in cash"));
        }
        f.entities.push(suspect);
        f.entities.extend(p.owners.iter().map(|(o, _)| *o));
        f.entities.extend(in_scope.iter().filter(|(_, v)| **v).map(|(k, _)| *k));
        f.accounts.extend(payers.into_iter().chain(sources).map(AccountId::from_raw));
        f.txns.extend(linked.into_iter().map(TransferId::from_raw));
        f.txns.extend(TransferId::from_raws(&p.payments));
        f.total = p.price.unwrap_or(Decimal::ZERO);
        Some(f.finish(case, g))
    }
}
