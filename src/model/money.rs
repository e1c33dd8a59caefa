//! Money: exact decimal amounts with a currency, and conversion to the case's base currency
//! that always records the rate used and the date it was quoted for.

use super::time::Date;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 alphabetic code, three upper-case ASCII letters, stored inline (3 bytes).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses `"EUR"`; lower case is accepted and folded. `None` for anything else.
    pub fn parse(s: &str) -> Option<Currency> {
        let b = s.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        Some(Currency([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase(), b[2].to_ascii_uppercase()]))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored (see `parse`).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s).ok_or_else(|| format!("'{s}' is not a three-letter ISO 4217 currency code"))
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::from_str(&s).map_err(serde::de::Error::custom)
    }
}

/// An exact amount in one currency. Adding two currencies without a rate is impossible by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, exact.
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// A new amount.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Sum of two amounts of the same currency; `None` when the currencies differ.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency).then(|| Money::new(self.amount + other.amount, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Rounds a converted amount to the cent, half away from zero (the convention of bank statements).
pub fn round_cents(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// One quoted rate: `rate` units of the base currency per unit of `currency`, valid from `date`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FxRate {
    /// The day the rate was quoted for.
    pub date: Date,
    /// The foreign currency.
    pub currency: Currency,
    /// Base-currency units per unit of `currency`.
    pub rate: Decimal,
}

/// The outcome of a conversion: the converted amount plus the rate and its date, for the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// Converted amount in the base currency, rounded to the cent.
    pub base_amount: Decimal,
    /// The rate applied (1 for the base currency itself).
    pub rate: Decimal,
    /// The date of the quote used (`None` for the base currency, which needs none).
    pub rate_date: Option<Date>,
}

/// Why a conversion failed: there is no rate on or before the date. Never a silent 1.0.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no {base} rate for {currency} on or before {date}: add a row to fx_rates (date, currency, rate)")]
pub struct MissingRate {
    /// The case's base currency.
    pub base: Currency,
    /// The currency that could not be converted.
    pub currency: Currency,
    /// The date for which a rate was needed.
    pub date: Date,
}

/// All rates of a case, sorted by (currency, date) for O(log n) "latest on or before" look-ups.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FxTable {
    base: Option<Currency>,
    rates: Vec<FxRate>,
}

impl FxTable {
    /// Builds the table; rates are sorted here. Duplicate (currency, date) pairs must be
    /// rejected by the caller beforehand (ingest does).
    pub fn new(base: Currency, mut rates: Vec<FxRate>) -> FxTable {
        rates.sort_by_key(|a| (a.currency, a.date));
        FxTable { base: Some(base), rates }
    }

    /// The base currency.
    pub fn base(&self) -> Option<Currency> {
        self.base
    }

    /// All rates, sorted by currency then date.
    pub fn rates(&self) -> &[FxRate] {
        &self.rates
    }

    /// Index of the latest rate for `currency` quoted on or before `date`.
    ///
    /// O(log n). `Ok(None)` means `currency` is the base currency (no rate needed).
    pub fn lookup(&self, currency: Currency, date: Date) -> Result<Option<u32>, MissingRate> {
        let base = self.base.unwrap_or(currency);
        if currency == base {
            return Ok(None);
        }
        // First index with (currency, date) > key; the one before it is the latest on or before.
        let pos = self.rates.partition_point(|r| (r.currency, r.date) <= (currency, date));
        match pos.checked_sub(1).map(|i| (i, &self.rates[i])) {
            Some((i, r)) if r.currency == currency => Ok(Some(i as u32)),
            _ => Err(MissingRate { base, currency, date }),
        }
    }

    /// The rate stored at `idx` (as returned by [`FxTable::lookup`]).
    pub fn get(&self, idx: u32) -> Option<&FxRate> {
        self.rates.get(idx as usize)
    }

    /// Converts `amount` of `currency` at `date`, recording rate and rate date.
    pub fn convert(&self, amount: Decimal, currency: Currency, date: Date) -> Result<Conversion, MissingRate> {
        Ok(self.apply(amount, self.lookup(currency, date)?))
    }

    /// Applies a looked-up rate index (`None` = base currency) to an amount.
    pub fn apply(&self, amount: Decimal, idx: Option<u32>) -> Conversion {
        match idx.and_then(|i| self.get(i)) {
            None => Conversion { base_amount: amount, rate: Decimal::ONE, rate_date: None },
            Some(r) => Conversion { base_amount: round_cents(amount * r.rate), rate: r.rate, rate_date: Some(r.date) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        /// Parses a decimal literal in tests.
        pub fn dec(s: &str) -> rust_decimal::Decimal {
            s.parse().unwrap()
        }
    }

    #[test]
    fn conversion_uses_latest_rate_on_or_before_and_records_it() {
        let all = Currency::parse("ALL").unwrap();
        let eur = Currency::parse("eur").unwrap();
        let d = |s| Date::parse_iso(s).unwrap();
        let fx = FxTable::new(
            all,
            vec![
                FxRate { date: d("2024-01-02"), currency: eur, rate: dec("103.50") },
                FxRate { date: d("2024-01-01"), currency: eur, rate: dec("104.00") },
            ],
        );
        let c = fx.convert(dec("10.005"), eur, d("2024-01-01")).unwrap();
        assert_eq!(c.base_amount, dec("1040.52"));
        assert_eq!(c.rate_date, Some(d("2024-01-01")));
        let c = fx.convert(dec("10"), eur, d("2024-03-01")).unwrap();
        assert_eq!((c.base_amount, c.rate), (dec("1035.00"), dec("103.50")));
        let err = fx.convert(dec("10"), eur, d("2023-12-31")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no ALL rate for EUR on or before 2023-12-31: add a row to fx_rates (date, currency, rate)"
        );
        let usd = Currency::parse("USD").unwrap();
        assert!(fx.convert(dec("1"), usd, d("2024-03-01")).is_err());
        assert_eq!(fx.convert(dec("7"), all, d("2000-01-01")).unwrap().base_amount, dec("7"));
        assert!(Currency::parse("EURO").is_none() && Currency::parse("E1R").is_none());
    }
}
