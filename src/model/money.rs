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

    /// Decimals an amount in this currency may have: the ISO 4217 minor unit (JPY 0, ALL and
    /// EUR 2, KWD 3, CLF 4), 4 for the ISO codes that define none (gold, SDR, test codes), 8 for
    /// XBT (Bitcoin's satoshi; not an ISO code, but the one the IBM import writes), and 2 for
    /// every other code. docs/data-model.md, "Amount range".
    pub fn minor_units(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
            | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            "CLF" | "UYW" => 4,
            "XAG" | "XAU" | "XBA" | "XBB" | "XBC" | "XBD" | "XDR" | "XPD" | "XPT" | "XSU" | "XTS" | "XUA" | "XXX" => 4,
            "XBT" => 8,
            _ => 2,
        }
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

    /// Sum of two amounts of the same currency; `None` when the currencies differ or the sum
    /// does not fit a `Decimal`.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(self.amount.checked_add(other.amount)?, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Digits an amount may have before the decimal point (docs/data-model.md, "Amount range").
pub const MAX_AMOUNT_DIGITS: u32 = 12;
/// Digits an amount may have in all, before and after the point.
pub const MAX_AMOUNT_SIGNIFICANT: u32 = 16;
/// Digits a rate may have before the decimal point: every rate is below 10^4.
pub const MAX_RATE_DIGITS: u32 = 4;
/// Decimals a rate may have.
pub const MAX_RATE_DECIMALS: u32 = 10;
/// Rows a table may hold: row indices are `u32`, `u32::MAX` being the "none" marker.
pub const MAX_TABLE_ROWS: u64 = u32::MAX as u64 - 1;

/// Digits before the point and (significant) decimals of `d`: `(3, 2)` for 123.45 and 123.4500.
pub fn digits(d: Decimal) -> (u32, u32) {
    let n = d.normalize();
    let scale = n.scale();
    let int = n.trunc().abs().mantissa();
    let before = if int == 0 { 0 } else { int.ilog10() + 1 };
    (before, scale)
}

/// Checks that `amount` lies in the range ingest accepts for `currency` (docs/data-model.md,
/// "Amount range"): at most [`MAX_AMOUNT_DIGITS`] digits before the point, at most
/// [`MAX_AMOUNT_SIGNIFICANT`] in all, and no more decimals than the currency's minor unit.
/// Inside that range every sum of up to [`MAX_TABLE_ROWS`] converted amounts and every
/// conversion at a rate inside [`check_rate`] fits a `Decimal` exactly. The error says what to fix.
pub fn check_amount(amount: Decimal, currency: Currency) -> Result<(), String> {
    let (before, after) = digits(amount);
    if before > MAX_AMOUNT_DIGITS {
        return Err(format!(
            "{before} digits before the point; the largest amount accepted has {MAX_AMOUNT_DIGITS} (below 10^{MAX_AMOUNT_DIGITS}, docs/data-model.md, \"Amount range\")"
        ));
    }
    let minor = currency.minor_units();
    if after > minor {
        return Err(format!(
            "{after} decimals, but {currency} has {minor} (ISO 4217 minor unit): the amount would have to be rounded; correct the source or check the currency"
        ));
    }
    if before + after > MAX_AMOUNT_SIGNIFICANT {
        return Err(format!(
            "{} significant digits; at most {MAX_AMOUNT_SIGNIFICANT} are accepted (docs/data-model.md, \"Amount range\")",
            before + after
        ));
    }
    Ok(())
}

/// Checks that an FX rate lies in the range ingest accepts: greater than zero, below
/// 10^[`MAX_RATE_DIGITS`], at most [`MAX_RATE_DECIMALS`] decimals.
pub fn check_rate(rate: Decimal) -> Result<(), String> {
    let (before, after) = digits(rate);
    if rate <= Decimal::ZERO {
        return Err("rate must be a number greater than zero".into());
    }
    if before > MAX_RATE_DIGITS {
        return Err(format!(
            "{before} digits before the point; every rate must be below 10^{MAX_RATE_DIGITS} base units per unit (docs/data-model.md, \"Amount range\")"
        ));
    }
    if after > MAX_RATE_DECIMALS {
        return Err(format!(
            "{after} decimals; a rate has at most {MAX_RATE_DECIMALS} (round it at the source, so the case records the rate it uses)"
        ));
    }
    Ok(())
}

/// `amount * rate` rounded to the cent half away from zero, computed exactly (in 128-bit
/// integers, no intermediate rounding); `None` when the result does not fit a `Decimal`.
pub fn checked_convert(amount: Decimal, rate: Decimal) -> Option<Decimal> {
    let m = amount.mantissa().checked_mul(rate.mantissa())?;
    let s = amount.scale() + rate.scale();
    let cents = if s > 2 {
        let d = 10i128.checked_pow(s - 2)?;
        let (q, r) = (m / d, m % d);
        if r.unsigned_abs() >= d.unsigned_abs() - r.unsigned_abs() {
            q + m.signum()
        } else {
            q
        }
    } else {
        m.checked_mul(10i128.pow(2 - s))?
    };
    Decimal::try_from_i128_with_scale(cents, 2).ok()
}

/// The sum of `values`, `None` on overflow (never a panic).
pub fn checked_sum<I: IntoIterator<Item = Decimal>>(values: I) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
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
    ///
    /// Exact for amounts and rates in the ingest range ([`check_amount`], [`check_rate`]),
    /// where it cannot overflow. Outside that range (a case built by hand, not by ingest) an
    /// overflowing product saturates at `Decimal::MAX` with the amount's sign instead of
    /// panicking: use [`FxTable::checked_apply`] to see the overflow.
    pub fn apply(&self, amount: Decimal, idx: Option<u32>) -> Conversion {
        self.checked_apply(amount, idx).unwrap_or_else(|c| Conversion {
            base_amount: if amount.is_sign_negative() { Decimal::MIN } else { Decimal::MAX },
            ..c
        })
    }

    /// As [`FxTable::apply`], but an overflowing conversion is `Err` (holding the rate and
    /// its date, with the amount unconverted).
    pub fn checked_apply(&self, amount: Decimal, idx: Option<u32>) -> Result<Conversion, Conversion> {
        match idx.and_then(|i| self.get(i)) {
            None => Ok(Conversion { base_amount: amount, rate: Decimal::ONE, rate_date: None }),
            Some(r) => match checked_convert(amount, r.rate) {
                Some(b) => Ok(Conversion { base_amount: b, rate: r.rate, rate_date: Some(r.date) }),
                None => Err(Conversion { base_amount: amount, rate: r.rate, rate_date: Some(r.date) }),
            },
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

    #[test]
    fn exact_conversion_rounds_once_half_away_from_zero() {
        assert_eq!(checked_convert(dec("10.005"), dec("104.00")), Some(dec("1040.52")));
        assert_eq!(checked_convert(dec("0.005"), dec("1")), Some(dec("0.01")));
        assert_eq!(checked_convert(dec("-0.005"), dec("1")), Some(dec("-0.01")));
        assert_eq!(checked_convert(dec("0.00499999"), dec("1")), Some(dec("0.00")));
        assert_eq!(checked_convert(dec("3"), dec("2")), Some(dec("6.00")));
        // The largest amount at the largest rate: exact, and 2^32 of them still sum.
        let top = checked_convert(dec("999999999999.9999"), dec("9999.9999999999")).unwrap();
        assert_eq!(top, dec("9999999999999899.00"));
        // Below i64::MAX in cents, so the detectors' graph never saturates.
        assert!(top * Decimal::ONE_HUNDRED < Decimal::from(i64::MAX));
        let sum = top.checked_mul(Decimal::from(MAX_TABLE_ROWS));
        assert!(sum.is_some(), "{top} x {MAX_TABLE_ROWS}");
        assert_eq!(checked_convert(Decimal::MAX, dec("2")), None);
    }

    #[test]
    fn the_amount_range_follows_the_minor_unit() {
        let c = |s| Currency::parse(s).unwrap();
        assert!(check_amount(dec("999999999999.99"), c("ALL")).is_ok());
        assert!(check_amount(dec("12.3400"), c("EUR")).is_ok());
        assert!(check_amount(dec("1000000000000"), c("ALL")).unwrap_err().contains("13 digits before the point"));
        assert!(check_amount(dec("12.345"), c("ALL")).unwrap_err().contains("ALL has 2"));
        assert!(check_amount(dec("12.5"), c("JPY")).is_err());
        assert!(check_amount(dec("1.234"), c("KWD")).is_ok());
        assert!(check_amount(dec("0.37028700"), c("XBT")).is_ok());
        assert!(check_amount(dec("123456789.12345678"), c("XBT")).unwrap_err().contains("17 significant"));
        assert!(check_rate(dec("9999.9999999999")).is_ok());
        assert!(check_rate(dec("10000")).is_err());
        assert!(check_rate(dec("1.12345678901")).is_err());
        assert!(check_rate(Decimal::ZERO).is_err());
    }
}
