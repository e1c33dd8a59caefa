//! Under-valued purchase: a property acquired for well below its market value or below its
//! cadastral (reference) value (docs/methodology.md#t-real-estate "price ≪ market"; methodology.md#confiscation-concepts third-party
//! transfers "free of charge or well below market value" (not verified)).
//!
//! Price and values are compared in the base currency, each converted with the case's FX table
//! at the acquisition date (methodology.md#fx-rates: never a fixed rate, never two currencies added).
//! A valuation taken long before or after the purchase says nothing about its price (Albanian
//! prices moved by tens of percent in a few years), so such purchases are not compared.

use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registers::{amount, pct, purchases, Purchase, Registers};
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{EntityKind, EntityRef, NO_ACCOUNT};
use rust_decimal::Decimal;

crate::params! {
    /// Parameters of [`UndervaluedPurchase`].
    pub struct UndervaluedPurchaseParams {
        /// A price below this fraction of the market value (for the share bought) is
        /// under-valued (methodology.md#t-real-estate "price ≪ market") (project default).
        max_market_ratio: Decimal = Decimal::new(7, 1),
        /// Below this fraction of market value the under-valuation is deep (project default).
        deep_market_ratio: Decimal = Decimal::new(5, 1),
        /// A price below this fraction of the cadastral (reference) value is under-valued:
        /// reference values already lag the market (project default).
        max_cadastral_ratio: Decimal = Decimal::ONE,
        /// Largest distance between valuation and acquisition, in days, for a comparison (project default).
        max_valuation_gap_days: i64 = 365,
        /// Resale by the buyer within this many days corroborates (flipping) (project default).
        resale_days: i64 = 730,
    }
}

super::context::indicators! {
    /// The indicators of [`UndervaluedPurchase`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    PRICE_BELOW_MARKET = ("price_below_market", 30, []);
    /// `price_below_market` below `deep_market_ratio` of the market value.
    PRICE_DEEP_BELOW_MARKET = ("price_below_market", 35, []);
    PRICE_BELOW_CADASTRAL = ("price_below_cadastral", 30, []);
    /// `price_below_cadastral` when the price is below market as well: it corroborates that
    /// indicator and earns less.
    PRICE_ALSO_BELOW_CADASTRAL = ("price_below_cadastral", 20, []);
    RELATED_PARTIES = ("related_parties", 20, []);
    QUICK_RESALE = ("quick_resale", 15, []);
    CASH_PAYMENT = ("cash_payment", 10, []);
}

/// The under-valued-purchase detector.
#[derive(Default)]
pub struct UndervaluedPurchase {
    /// Parameters.
    pub p: UndervaluedPurchaseParams,
}

impl Detector for UndervaluedPurchase {
    super::detector::detector_parts!(Typology::UndervaluedPurchase);

    /// # Complexity
    /// O(T log T) for T titles, plus O(R) relation look-ups per flagged purchase.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let reg = Registers::new(ctx.case);
        purchases(&reg).iter().filter_map(|p| self.check(ctx, &reg, p)).collect()
    }
}

impl UndervaluedPurchase {
    fn check(&self, ctx: &DetectCtx<'_>, reg: &Registers<'_>, p: &Purchase) -> Option<Finding> {
        let case = ctx.case;
        let price = p.price?;
        if p.share <= Decimal::ZERO {
            return None;
        }
        let prop = &case.properties.rows[p.property as usize];
        let gap = prop.valued_on.map(|v| (v.0 - p.date.0).abs());
        if gap.is_some_and(|g| i64::from(g) > self.p.max_valuation_gap_days) {
            return None;
        }
        // Values for the share bought, in the base currency at the acquisition date.
        let value = |m: Option<crate::model::Money>| m.and_then(|m| reg.to_base(m, p.date)).map(|v| v * p.share);
        let market = value(prop.market_value).filter(|v| *v > Decimal::ZERO);
        let cadastral = value(prop.cadastral_value).filter(|v| *v > Decimal::ZERO);
        let below_market = market.filter(|m| price < *m * self.p.max_market_ratio);
        let below_cadastral = cadastral.filter(|c| price < *c * self.p.max_cadastral_ratio);
        if below_market.is_none() && below_cadastral.is_none() {
            return None;
        }
        let mut f = Finding::new(self.name());
        let when = match prop.valued_on {
            Some(v) => format!("valued on {v}"),
            None => "valuation undated".to_string(),
        };
        let what = format!(
            "{} {} acquired {} on {} by {} for {} ({})",
            prop.kind.as_deref().unwrap_or("property"),
            prop.id,
            if p.share == Decimal::ONE { "outright".to_string() } else { format!("{} of it", pct(p.share)) },
            p.date,
            p.owner_ids(case),
            amount(case, price),
            p.price_text
        );
        if let Some(m) = below_market {
            let ratio = price / m;
            let deep = ratio < self.p.deep_market_ratio;
            f.indicate(
                if deep { &PRICE_DEEP_BELOW_MARKET } else { &PRICE_BELOW_MARKET },
                format!("{what}: {} of the market value {} ({when})", pct(ratio), amount(case, m)),
            );
        }
        if let Some(c) = below_cadastral {
            let detail = format!("{} of the cadastral reference value {} ({when})", pct(price / c), amount(case, c));
            if below_market.is_some() {
                f.indicate(&PRICE_ALSO_BELOW_CADASTRAL, detail);
            } else {
                f.indicate(&PRICE_BELOW_CADASTRAL, format!("{what}: {detail}"));
            }
        }
        // Buyer and seller tied by family or by a company one of them controls.
        let related = p
            .sellers
            .iter()
            .find_map(|&s| p.owners.iter().find_map(|&(b, _)| self.tie(reg, s, b, p).map(|how| (s, b, how))));
        if let Some((s, b, how)) = related {
            f.indicate(
                &RELATED_PARTIES,
                format!("seller {} and buyer {} are related: {how}", case.entity_id(s), case.entity_id(b)),
            );
        }
        let resold = p.titles.iter().filter_map(|&i| case.titles.rows[i].disposed_on).min();
        if let Some(r) = resold.filter(|r| i64::from(r.0 - p.date.0) <= self.p.resale_days) {
            f.indicate(&QUICK_RESALE, format!("resold on {r}, {} days after the purchase", r.0 - p.date.0));
        }
        if !p.payments.is_empty() && p.payments.iter().any(|&e| case.transfers.from[e as usize] == NO_ACCOUNT) {
            f.indicate(&CASH_PAYMENT, "paid partly in cash");
        }
        f.first_at = Some(p.date.start());
        f.entities.extend(p.owners.iter().map(|(o, _)| *o));
        f.entities.extend(p.sellers.iter().copied());
        f.accounts.extend(AccountId::from_raws(&p.payer_accounts(case)));
        f.accounts.extend(AccountId::from_raws(&p.payee_accounts(case)));
        for a in p.payee_accounts(case) {
            f.entities.extend(case.accounts.rows[a as usize].holder);
        }
        f.txns.extend(TransferId::from_raws(&p.payments));
        f.total = price;
        Some(f.finish(case, &ctx.graph.flow))
    }

    /// How seller `s` and buyer `b` are tied: a recorded relation between two persons, or a
    /// company that one of them owns, directs or controls.
    fn tie(&self, reg: &Registers<'_>, s: EntityRef, b: EntityRef, p: &Purchase) -> Option<String> {
        let case = reg.case;
        match (s.kind, b.kind) {
            (EntityKind::Person, EntityKind::Person) => case
                .relations
                .rows
                .iter()
                .find(|r| (r.person == s.idx && r.related == b) || (r.person == b.idx && r.related == s))
                .map(|r| format!("recorded relation '{}'", r.kind)),
            (_, EntityKind::Company) => reg.tie(s, b.idx, p.date, Decimal::new(25, 2)).map(|t| t.how),
            (EntityKind::Company, _) => reg.tie(b, s.idx, p.date, Decimal::new(25, 2)).map(|t| t.how),
        }
    }
}
