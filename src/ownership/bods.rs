//! A small reader of Beneficial Ownership Data Standard (BODS) 0.4 statements
//! (`openownership/data-standard`, docs/methodology.md#bods), mapped onto ownership rows, plus a check
//! of the declared indirect interests against the ones the ownership engine computes.
//!
//! Mapping:
//! * `entity` records become companies, `person` records persons, keyed by `recordId`. Several
//!   statements about one record (updates) keep the last one in statement order (file order on
//!   equal `statementDate`); a `closed` record or relationship is dropped.
//! * A `relationship` record's **direct** `shareholding` interests (`directOrIndirect` direct or
//!   absent) become [`Holding`] rows with the share as a fraction (BODS shares are percentages):
//!   `exact`, else the range `minimum`/`exclusiveMinimum` .. `maximum`/`exclusiveMaximum`
//!   (exclusive bounds are used as bounds: the range is closed for interval arithmetic). A
//!   component relationship with no share (`unknownInterest`, control only) is an unknown share:
//!   at least 0, at most what the subject's other holders leave. Other interest types (board
//!   member, trustee, settlor, ...) are control or arrangements, not shares, and are not mapped.
//! * `indirect` interests are *declarations* to check, not inputs.
//!
//! Check ([`check_indirect`]): the engine is run twice, once with every share at its lower bound
//! and once at its upper bound, giving `[computed_min, computed_max]` for each declared indirect
//! interest (effective ownership is monotone in every share), minus the party's direct share in
//! the subject (a declared indirect interest excludes the direct one). An interested party that is an
//! entity holding nothing is treated as an ultimate holder for this computation. The declaration
//! `agrees` when both bounds equal it, is `consistent` when it lies inside the bounds (not
//! determinable from the published links), else `disagrees`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;

use super::effective::{effective_ownership, Oversubscribed, OwnershipInput, OwnershipParams, ShareGraph};
use super::{EntityKind, Holding, Role};

/// One party of a BODS file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodsParty {
    /// `recordId`.
    pub record_id: String,
    /// Company (entity record) or person.
    pub kind: EntityKind,
    /// The first name given, if any.
    pub name: String,
}

/// One interest of a relationship record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodsInterest {
    /// The relationship's `recordId`.
    pub relationship: String,
    /// `subject` (the entity the interest is in).
    pub subject: String,
    /// `interestedParty` record id (empty when unspecified).
    pub party: String,
    /// Interest `type` (empty when absent).
    pub kind: String,
    /// `directOrIndirect` (`direct` when absent).
    pub directness: String,
    /// Lower bound of the share as a fraction (`None` when no share is published).
    pub min: Option<Decimal>,
    /// Upper bound of the share as a fraction.
    pub max: Option<Decimal>,
}

/// The parties and interests of one BODS file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodsDocument {
    /// Parties, in first-seen order.
    pub parties: Vec<BodsParty>,
    /// Interests of the open relationships, in statement order.
    pub interests: Vec<BodsInterest>,
}

/// Why a BODS file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodsError {
    /// Not JSON, or not an array of statements.
    #[error("not a BODS statement array: {0}; pass a JSON array of BODS 0.4 statements")]
    Format(String),
    /// A published share that is not a number within Decimal's exact range.
    #[error(
        "relationship {relationship}, interests[{interest}]: {message}; a share is a percentage such as 25 or 33.3"
    )]
    Share {
        /// The relationship's `recordId`.
        relationship: String,
        /// The index of the interest in the relationship.
        interest: usize,
        /// What is wrong with the value.
        message: String,
    },
}

/// A share bound as a fraction; `Ok(None)` when absent or `null`. Before, a value that did not
/// parse (a word, 30 digits, or a JSON number printed as `1e-5`) was read as "no share
/// published", without a word.
fn pct(key: &str, v: Option<&Value>) -> Result<Option<Decimal>, String> {
    let s = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => return Err(format!("share.{key} is not a number")),
    };
    let shown: String = s.chars().take(40).collect();
    let d = s
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&s))
        .map_err(|_| format!("share.{key} '{shown}' is not a number within the exact decimal range"))?;
    // |d| / 100 is below |d|: the division cannot overflow.
    d.checked_div(Decimal::ONE_HUNDRED).map(Some).ok_or_else(|| format!("share.{key} '{shown}': division failed"))
}

/// One statement as the record-selection rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementKey<'a> {
    /// The record the statement is about (`recordId`; `statementID` in 0.2/0.3). Empty: not a
    /// record statement.
    pub record: &'a str,
    /// `statementDate` (ISO dates compare as text).
    pub date: &'a str,
    /// Another statement names this one in `replacesStatements` (0.2/0.3).
    pub replaced: bool,
}

/// The BODS record-selection rule, the one place it is written: among the statements about one
/// record, the one in force is the last by (`statementDate`, position in the input); a statement
/// that another replaces is never in force. Returns, per record id, the position (index in
/// `statements`) of its statement in force. Whether that statement closes the record is the
/// caller's business.
///
/// # Complexity
/// O(n log n) for n statements.
pub fn current_statements<'a>(statements: impl IntoIterator<Item = StatementKey<'a>>) -> BTreeMap<&'a str, usize> {
    let mut latest: BTreeMap<&'a str, (&'a str, usize)> = BTreeMap::new();
    for (i, s) in statements.into_iter().enumerate() {
        if s.record.is_empty() || s.replaced {
            continue;
        }
        match latest.get(s.record) {
            Some((d, _)) if *d > s.date => {}
            _ => {
                latest.insert(s.record, (s.date, i));
            }
        }
    }
    latest.into_iter().map(|(k, (_, i))| (k, i)).collect()
}

/// Parses a JSON array of BODS 0.4 statements.
///
/// # Errors
/// [`BodsError::Format`] when the text is not a JSON array; [`BodsError::Share`] when a
/// published share is not a number (its range, [0, 100] %, is [`check_indirect`]'s to check).
pub fn read_bods(json: &str) -> Result<BodsDocument, BodsError> {
    let v: Value = serde_json::from_str(json).map_err(|e| BodsError::Format(e.to_string()))?;
    let Value::Array(statements) = v else { return Err(BodsError::Format("top level is not an array".into())) };
    let keys = statements.iter().map(|s| StatementKey {
        record: s.get("recordId").and_then(Value::as_str).unwrap_or(""),
        date: s.get("statementDate").and_then(Value::as_str).unwrap_or(""),
        replaced: false,
    });
    let mut order: Vec<usize> = current_statements(keys).into_values().collect();
    order.sort_unstable();
    let mut doc = BodsDocument::default();
    for i in order {
        let s = &statements[i];
        if s.get("recordStatus").and_then(Value::as_str) == Some("closed") {
            continue;
        }
        let id = s.get("recordId").and_then(Value::as_str).unwrap_or("").to_string();
        let details = s.get("recordDetails").cloned().unwrap_or(Value::Null);
        match s.get("recordType").and_then(Value::as_str) {
            Some(t @ ("entity" | "person")) => {
                let name = details
                    .get("name")
                    .and_then(Value::as_str)
                    .or_else(|| details.pointer("/names/0/fullName").and_then(Value::as_str))
                    .unwrap_or("")
                    .to_string();
                let kind = if t == "entity" { EntityKind::Company } else { EntityKind::Person };
                doc.parties.push(BodsParty { record_id: id, kind, name });
            }
            Some("relationship") => {
                let subject = details.get("subject").and_then(Value::as_str).unwrap_or("").to_string();
                let party = details.get("interestedParty").and_then(Value::as_str).unwrap_or("").to_string();
                let interests = details.get("interests").and_then(Value::as_array).cloned().unwrap_or_default();
                if interests.is_empty() {
                    doc.interests.push(BodsInterest {
                        relationship: id.clone(),
                        subject: subject.clone(),
                        party: party.clone(),
                        kind: String::new(),
                        directness: "unknown".into(),
                        min: None,
                        max: None,
                    });
                }
                for (k, it) in interests.into_iter().enumerate() {
                    let share = it.get("share");
                    let bound = |key: &str| {
                        pct(key, share.and_then(|x| x.get(key))).map_err(|message| BodsError::Share {
                            relationship: id.clone(),
                            interest: k,
                            message,
                        })
                    };
                    let exact = bound("exact")?;
                    let lo = bound("minimum")?.or(bound("exclusiveMinimum")?);
                    let hi = bound("maximum")?.or(bound("exclusiveMaximum")?);
                    let (min, max) = match (exact, lo, hi) {
                        (Some(e), _, _) => (Some(e), Some(e)),
                        (None, None, None) => (None, None),
                        (None, lo, hi) => (Some(lo.unwrap_or(Decimal::ZERO)), Some(hi.unwrap_or(Decimal::ONE))),
                    };
                    doc.interests.push(BodsInterest {
                        relationship: id.clone(),
                        subject: subject.clone(),
                        party: party.clone(),
                        kind: it.get("type").and_then(Value::as_str).unwrap_or("").to_string(),
                        directness: it.get("directOrIndirect").and_then(Value::as_str).unwrap_or("direct").to_string(),
                        min,
                        max,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(doc)
}

/// The outcome of checking one declared indirect interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndirectCheck {
    /// The interested party's record id.
    pub party: String,
    /// The subject's record id.
    pub subject: String,
    /// Declared share (lower, upper), fractions.
    pub declared: (Decimal, Decimal),
    /// Computed effective share (lower, upper), fractions.
    pub computed: (Decimal, Decimal),
    /// `agrees`, `consistent` (inside the computed bounds, not determinable) or `disagrees`.
    pub status: &'static str,
}

/// Rounding tolerance of the comparison (shares are exact decimals; cycles round at 28 digits).
fn close(a: Decimal, b: Decimal) -> bool {
    (a - b).abs() <= Decimal::new(1, 12)
}

/// Compares every declared indirect shareholding with the effective shares computed from the
/// direct links (see the module docs).
///
/// # Errors
/// [`super::AssetsError::ShareOutOfRange`] for a direct share bound outside [0, 100] % (the
/// row is the interest's position in `doc.interests`); the ownership engine's errors (e.g. a
/// closed cycle).
pub fn check_indirect(doc: &BodsDocument) -> Result<Vec<IndirectCheck>, super::AssetsError> {
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    let mut kinds = Vec::new();
    let held: std::collections::BTreeSet<&str> =
        doc.interests.iter().filter(|i| i.directness != "indirect").map(|i| i.subject.as_str()).collect();
    let mut id = |rid: &str, kinds: &mut Vec<EntityKind>| -> u32 {
        *ids.entry(rid.to_string()).or_insert_with(|| {
            let party = doc.parties.iter().find(|p| p.record_id == rid);
            let company = party.is_none_or(|p| p.kind == EntityKind::Company) && held.contains(rid);
            kinds.push(if company { EntityKind::Company } else { EntityKind::Person });
            (kinds.len() - 1) as u32
        })
    };
    // Direct links: (company, holder, min, max, row); shareholding, or no share (unknown).
    let mut links = Vec::new();
    for (row, i) in doc.interests.iter().enumerate() {
        if i.directness == "indirect" || i.party.is_empty() || i.subject.is_empty() {
            continue;
        }
        // A link of unknown size: no type, unknownInterest, or control of unstated size, in a
        // relationship that states no shareholding (BODS component links of indirect chains).
        let unknown = matches!(i.kind.as_str(), "" | "unknownInterest" | "otherInfluenceOrControl")
            && i.min.is_none()
            && !doc.interests.iter().any(|j| j.relationship == i.relationship && j.kind == "shareholding");
        let share_like = i.kind == "shareholding" || unknown;
        if !share_like {
            continue;
        }
        let c = id(&i.subject, &mut kinds);
        let h = id(&i.party, &mut kinds);
        if kinds[c as usize] != EntityKind::Company {
            continue;
        }
        // Shares are fractions in [0, 1]: checked here, before any arithmetic, since a
        // hostile file can publish -7.9e28 % (before, 100 such holders summed to Decimal's
        // minimum and `1 - sum` below panicked).
        for share in [i.min, i.max].into_iter().flatten() {
            if share < Decimal::ZERO || share > Decimal::ONE {
                return Err(super::AssetsError::ShareOutOfRange { row: row as u32, share });
            }
        }
        links.push((c, h, i.min, i.max, row as u32));
    }
    // Unknown upper bounds: what the company's other holders leave. Each bound is in [0, 1]
    // (checked above), so `known_min` is in [0, number of links] and `1 - known_min` cannot
    // leave the range; the sum is checked all the same.
    let mut known_min: BTreeMap<u32, Decimal> = BTreeMap::new();
    for l in &links {
        let m = known_min.entry(l.0).or_default();
        *m = m.checked_add(l.2.unwrap_or_default()).ok_or(super::AssetsError::Overflow { row: l.4 })?;
    }
    let solve = |upper: bool| -> Result<super::effective::Ownership, super::AssetsError> {
        let holdings: Vec<Holding> = links
            .iter()
            .map(|&(c, h, lo, hi, row)| {
                let rest = (Decimal::ONE - known_min.get(&c).copied().unwrap_or_default()).max(Decimal::ZERO);
                let share = if upper { hi.unwrap_or(rest) } else { lo.unwrap_or(Decimal::ZERO) };
                Holding {
                    company: c,
                    holder: h,
                    role: Role::Shareholder,
                    share: Some(share),
                    from: None,
                    to: None,
                    row,
                }
            })
            .collect();
        let input = OwnershipInput { kinds: &kinds, holdings: &holdings, nominees: &[] };
        let params = OwnershipParams { oversubscribed: Oversubscribed::Scale, ..OwnershipParams::default() };
        effective_ownership(&ShareGraph::build(input, &params)?)
    };
    let (lo, hi) = (solve(false)?, solve(true)?);
    let mut out = Vec::new();
    for (row, i) in
        doc.interests.iter().enumerate().filter(|(_, i)| i.directness == "indirect" && i.kind == "shareholding")
    {
        let (Some(dmin), Some(dmax)) = (i.min, i.max) else { continue };
        let (p, c) = (ids.get(&i.party).copied(), ids.get(&i.subject).copied());
        // The indirect part: effective share minus the party's direct share in the subject.
        let direct = |upper: bool| -> Option<Decimal> {
            links
                .iter()
                .filter(|l| Some(l.0) == c && Some(l.1) == p)
                .map(|l| if upper { l.3.unwrap_or(Decimal::ZERO) } else { l.2.unwrap_or(Decimal::ZERO) })
                .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
        };
        let computed = match (p, c) {
            (Some(p), Some(c)) => {
                let overflow = super::AssetsError::Overflow { row: row as u32 };
                let lo_part = direct(false).and_then(|d| lo.share(p, c).checked_sub(d)).ok_or(overflow.clone())?;
                let hi_part = direct(true).and_then(|d| hi.share(p, c).checked_sub(d)).ok_or(overflow)?;
                (lo_part, hi_part)
            }
            _ => (Decimal::ZERO, Decimal::ZERO),
        };
        let status = if close(computed.0, dmin) && close(computed.1, dmax) {
            "agrees"
        } else if computed.0 <= dmax + Decimal::new(1, 12) && dmin <= computed.1 + Decimal::new(1, 12) {
            "consistent"
        } else {
            "disagrees"
        };
        out.push(IndirectCheck {
            party: i.party.clone(),
            subject: i.subject.clone(),
            declared: (dmin, dmax),
            computed,
            status,
        });
    }
    Ok(out)
}
