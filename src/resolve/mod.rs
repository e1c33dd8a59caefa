//! L1½, entity resolution: links person and company records of the bank, land and company
//! registers into entities, between ingest and graph build.
//!
//! Registers share no keys: the bank knows "Arbën Hoxha, born 12.03.1979", the land register
//! "HOXHA ARBEN", the company register "Arben Hoxha" with a personal number. [`resolve`]:
//! 1. prepares each record ([`score::Rec`]): name words folded and reduced to transliteration
//!    skeletons ([`normalize`]), id numbers checked ([`ids`]), address and city keys;
//! 2. blocks ([`block`]) so only records sharing an id, a name word and date, or the whole name
//!    are compared;
//! 3. scores each candidate pair ([`score::score`], Fellegi-Sunter style points; a pair links
//!    at [`Params::threshold`]);
//! 4. clusters ([`cluster`]): analyst cannot-links first, then must-links, then machine links
//!    from the strongest down, refusing merges that would put two id numbers or two
//!    incompatible birth dates in one entity;
//! 5. logs every decision with its reason ([`LogEntry`]).
//!
//! The entity id is the smallest record id of the cluster (deterministic); [`apply`] re-points
//! a loaded case's rows at that representative record and keeps the merges as
//! [`crate::model::InferredLink`]s for the exporters. Links rest on an id number (confirmed), on
//! the machine's score (unconfirmed, docs/methodology.md#integrity-resolution) or on an analyst's decision.
//!
//! Depends on `model` only. Never prints.

mod apply;
pub mod block;
pub mod cluster;
pub mod decisions;
pub mod ids;
pub mod normalize;
pub mod score;

pub use apply::{apply, ApplyError};
pub use decisions::{read_case_decisions, read_decisions, Decision, DecisionKind, DecisionsError, DECISIONS_FILE};

use crate::model::{Case, Company, EntityKind, EntityRef, IdMap, LinkBasis, Person};
use block::BlockStats;
use cluster::{Clusters, Refusal};
use rayon::prelude::*;
use score::Rec;

/// Weights (points, roughly log2 likelihood ratios) and limits of the matcher.
///
/// Defaults are set by hand (project default) and checked on generated cases at three seeds
/// (tests/resolve.rs: pairwise precision >= 0.99, recall >= 0.97). Worked examples:
/// same name in another order and same birth date, different address, same city:
/// 8 + 7 - 1 + 1 = 15 (linked); same name, different birth date (a namesake):
/// 8 - 12 + ... < 11 (apart); a spouse at the same address: -10 + ... (apart).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Points at which a pair links (default 11).
    pub threshold: f64,
    /// Same folded name words in any order (+8).
    pub name_exact: f64,
    /// Same words up to transliteration (+7).
    pub name_transliteration: f64,
    /// Every word within a typo (+5).
    pub name_typo: f64,
    /// Every word similar (0).
    pub name_weak: f64,
    /// A word differs (-10).
    pub name_different: f64,
    /// Per name word without a counterpart (-1), e.g. a father's name.
    pub extra_token: f64,
    /// Jaro-Winkler at or above which two words count as a typo (0.92).
    pub typo_similarity: f64,
    /// Jaro-Winkler at or above which two words count as similar (0.85).
    pub weak_similarity: f64,
    /// Same birth (registration) date (+7).
    pub date_equal: f64,
    /// Dates differing by a clerical slip: day/month swapped, year off by one, or one digit (+4):
    /// with an equal name and city this links (8 + 4 - 1 + 1 = 12) although the addresses
    /// differ; a namesake's date is a slip of another's only by coincidence (same day and month).
    pub date_near: f64,
    /// Different dates (-12).
    pub date_different: f64,
    /// Same personal number or NUIS (+20): the link is confirmed.
    pub id_equal: f64,
    /// Different well-formed id numbers (-30).
    pub id_different: f64,
    /// A recorded birth date equal to the one the other record's personal number encodes (+5).
    pub id_date_agree: f64,
    /// ... or different from it (-8).
    pub id_date_differ: f64,
    /// Same address (+2).
    pub address_equal: f64,
    /// Different addresses (-1: people move, registers lag).
    pub address_different: f64,
    /// Same city (+1).
    pub city_equal: f64,
    /// Different cities (-1).
    pub city_different: f64,
    /// Largest block expanded into pairs (1,000; larger blocks are skipped and counted).
    pub max_block: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: 11.0,
            name_exact: 8.0,
            name_transliteration: 7.0,
            name_typo: 5.0,
            name_weak: 0.0,
            name_different: -10.0,
            extra_token: -1.0,
            typo_similarity: 0.92,
            weak_similarity: 0.85,
            date_equal: 7.0,
            date_near: 4.0,
            date_different: -12.0,
            id_equal: 20.0,
            id_different: -30.0,
            id_date_agree: 5.0,
            id_date_differ: -8.0,
            address_equal: 2.0,
            address_different: -1.0,
            city_equal: 1.0,
            city_different: -1.0,
            max_block: 1000,
        }
    }
}

impl Params {
    /// Confidence in [0, 1] of a machine link with `score` points: a monotone map (0.89 at the
    /// threshold, 0.98 six points above, at most 0.99), for ranking and display; not a
    /// calibrated probability. Id matches and analyst decisions have confidence 1.
    pub fn confidence(&self, score: f64) -> f64 {
        let x = (score - self.threshold) / 2.0 + 3.0;
        (1.0 / (1.0 + (-x).exp2())).min(0.99)
    }
}

/// The entity of one record.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordEntity {
    /// The record.
    pub record: EntityRef,
    /// Its external id.
    pub record_id: String,
    /// The entity's representative record (smallest id of the cluster).
    pub entity: EntityRef,
    /// The entity id (the representative's id).
    pub entity_id: String,
    /// Confidence of the strongest link that put the record in its cluster (1 when alone).
    pub confidence: f64,
    /// What that link rests on; `None` for a record alone in its entity.
    pub basis: Option<LinkBasis>,
    /// The evidence of that link.
    pub evidence: String,
}

/// What was done with a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// The machine merged the clusters.
    Merged,
    /// A merge above the threshold (or on an equal id) was refused.
    Refused,
    /// An analyst's must-link merged the clusters.
    MustLink,
    /// An analyst's cannot-link was recorded.
    CannotLink,
    /// A decision naming an unknown record, or a record and itself, was ignored.
    Ignored,
}

impl Action {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Merged => "merged",
            Action::Refused => "refused",
            Action::MustLink => "must_link",
            Action::CannotLink => "cannot_link",
            Action::Ignored => "ignored",
        }
    }
}

/// One line of the decision log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// First record id.
    pub left_id: String,
    /// Second record id.
    pub right_id: String,
    /// What was done.
    pub action: Action,
    /// `machine` or the analyst's name.
    pub by: String,
    /// Points, for machine decisions.
    pub score: Option<f64>,
    /// Why, with the evidence.
    pub reason: String,
}

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Records resolved.
    pub records: u64,
    /// Blocking.
    pub blocking: BlockStats,
    /// Pairs at or above the threshold.
    pub links: u64,
    /// Machine merges.
    pub merges: u64,
    /// Refused machine merges.
    pub refused: u64,
    /// Entities (clusters).
    pub entities: u64,
    /// Entities of more than one record.
    pub multi_record_entities: u64,
}

/// The result of a resolution.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// One row per record: persons in table order, then companies.
    pub records: Vec<RecordEntity>,
    /// Every decision with its reason, in the order taken.
    pub log: Vec<LogEntry>,
    /// Counts.
    pub stats: Stats,
}

/// Resolves the persons and companies of a loaded case.
///
/// # Arguments
/// * `case` - the loaded case (not changed; see [`apply`]).
/// * `decisions` - analyst must-link and cannot-link pairs (e.g. from [`read_case_decisions`]).
/// * `params` - weights and threshold.
///
/// # Complexity
/// O(n log n) for blocking plus O(pairs) comparisons; parallel (rayon) in the record preparation,
/// the sorts and the comparisons; the clustering is sequential and deterministic.
pub fn resolve(case: &Case, decisions: &[Decision], params: &Params) -> Resolution {
    resolve_tables(&case.persons.rows, &case.companies.rows, decisions, params)
}

/// Resolves person and company rows that are not (yet) in a case; see [`resolve`].
pub fn resolve_tables(
    persons: &[Person],
    companies: &[Company],
    decisions: &[Decision],
    params: &Params,
) -> Resolution {
    let mut recs: Vec<Rec> = persons
        .par_iter()
        .map(|p| {
            Rec::person(&p.full_name, p.birth_date, p.national_id.as_deref(), p.address.as_deref(), p.city.as_deref())
        })
        .collect();
    recs.extend(companies.iter().map(|c| {
        Rec::company(&c.name, c.nuis.as_deref(), c.incorporated_on, c.registered_address.as_deref(), c.city.as_deref())
    }));
    let mut ids: Vec<&str> = persons.iter().map(|p| p.id.as_str()).collect();
    ids.extend(companies.iter().map(|c| c.id.as_str()));
    let refs: Vec<EntityRef> = (0..persons.len())
        .map(|i| EntityRef { kind: EntityKind::Person, idx: i as u32 })
        .chain((0..companies.len()).map(|i| EntityRef { kind: EntityKind::Company, idx: i as u32 }))
        .collect();
    run(&recs, &ids, &refs, decisions, params)
}

/// The best link seen for a record: (confidence, basis, evidence).
type Best = Option<(f64, LinkBasis, String)>;

fn offer(best: &mut Best, conf: f64, basis: LinkBasis, evidence: impl FnOnce() -> String) {
    let rank = |b: LinkBasis| match b {
        LinkBasis::Analyst => 2,
        LinkBasis::Id => 1,
        LinkBasis::Machine => 0,
    };
    let better = match best {
        None => true,
        Some((c, b, _)) => (rank(basis), conf) > (rank(*b), *c),
    };
    if better {
        *best = Some((conf, basis, evidence()));
    }
}

fn run(recs: &[Rec], ids: &[&str], refs: &[EntityRef], decisions: &[Decision], p: &Params) -> Resolution {
    let mut r = Resolver {
        recs,
        ids,
        refs,
        decisions,
        p,
        cl: Clusters::new(recs),
        log: Vec::new(),
        best: vec![None; recs.len()],
    };
    let _progress = crate::progress::stage("resolve", Some(3), crate::progress::Unit::Steps);
    crate::progress::step("analyst decisions", || r.apply_decisions());
    let stats = crate::progress::step("machine links", || r.machine_links());
    crate::progress::step("entities", || r.finish(stats))
}

/// The state of one resolution: the records, the clusters being formed, the decision log and
/// the best link seen per record.
struct Resolver<'a> {
    recs: &'a [Rec],
    ids: &'a [&'a str],
    refs: &'a [EntityRef],
    decisions: &'a [Decision],
    p: &'a Params,
    cl: Clusters<'a>,
    log: Vec<LogEntry>,
    best: Vec<Best>,
}

impl Resolver<'_> {
    /// The records a decision names, or why it cannot apply.
    fn lookup(&self, index: &IdMap<u32>, d: &Decision) -> Result<(u32, u32), String> {
        let (a, b) = (index.get(&d.left_id), index.get(&d.right_id));
        match (a, b) {
            (Some(&a), Some(&b)) if a == b => Err("a record and itself".into()),
            (Some(&a), Some(&b)) if self.refs[a as usize].kind != self.refs[b as usize].kind => {
                Err("a person and a company are never one entity".into())
            }
            (Some(&a), Some(&b)) => Ok((a, b)),
            _ => Err(format!("unknown record id ({} / {})", d.left_id, d.right_id)),
        }
    }

    fn log_analyst(&mut self, d: &Decision, action: Action, reason: String) {
        self.log.push(LogEntry {
            left_id: d.left_id.clone(),
            right_id: d.right_id.clone(),
            action,
            by: if d.analyst.is_empty() { "analyst".into() } else { d.analyst.clone() },
            score: None,
            reason,
        });
    }

    fn log_machine(&mut self, (a, b): (u32, u32), action: Action, s: f64, reason: String) {
        self.log.push(LogEntry {
            left_id: self.ids[a as usize].to_owned(),
            right_id: self.ids[b as usize].to_owned(),
            action,
            by: "machine".into(),
            score: Some(s),
            reason,
        });
    }

    /// Analyst decisions: cannot-links first, so a must-link can be checked against them.
    fn apply_decisions(&mut self) {
        let mut index: IdMap<u32> = IdMap::default();
        for (i, id) in self.ids.iter().enumerate() {
            index.entry((*id).to_owned()).or_insert(i as u32);
        }
        let decisions = self.decisions;
        for kind in [DecisionKind::CannotLink, DecisionKind::MustLink] {
            for (di, d) in decisions.iter().enumerate().filter(|(_, d)| d.kind == kind) {
                let (a, b) = match self.lookup(&index, d) {
                    Ok(x) => x,
                    Err(e) => {
                        let why = format!("{} (line {}) ignored: {e}", kind.as_str(), d.line);
                        self.log_analyst(d, Action::Ignored, why);
                        continue;
                    }
                };
                let said = format!("{} (resolution.csv line {}): {}", kind.as_str(), d.line, d.reason);
                if kind == DecisionKind::CannotLink {
                    self.cl.forbid(a, b, di);
                    self.log_analyst(d, Action::CannotLink, said);
                } else if let Some(c) = self.cl.cannot_link_between(a, b) {
                    let other = decisions.get(c).map(|x| x.line).unwrap_or(0);
                    let why =
                        format!("{said}; not applied: contradicts cannot_link at line {other} (cannot_link wins)");
                    self.log_analyst(d, Action::Ignored, why);
                } else {
                    self.cl.union(a, b);
                    let who = if d.analyst.is_empty() { "analyst" } else { d.analyst.as_str() };
                    for (x, y) in [(a, b), (b, a)] {
                        offer(&mut self.best[x as usize], 1.0, LinkBasis::Analyst, || {
                            format!("analyst {who}: same as {} ({said})", self.ids[y as usize])
                        });
                    }
                    self.log_analyst(d, Action::MustLink, said);
                }
            }
        }
    }

    /// Machine links: candidate pairs scored in parallel, then merged in a fixed order (id
    /// confirmed first, then by score, then by record) unless a constraint refuses them.
    fn machine_links(&mut self) -> Stats {
        let (recs, p) = (self.recs, self.p);
        let (pairs, blocking) = block::candidate_pairs(recs, p);
        let mut links: Vec<(u32, u32, f64, bool)> = pairs
            .par_iter()
            .filter_map(|&pair| {
                let (a, b) = block::unpack(pair);
                let s = score::score(&recs[a as usize], &recs[b as usize], p, None);
                (s.score >= p.threshold || s.confirmed).then_some((a, b, s.score, s.confirmed))
            })
            .collect();
        links.sort_by(|x, y| y.3.cmp(&x.3).then(y.2.total_cmp(&x.2)).then((x.0, x.1).cmp(&(y.0, y.1))));
        let mut stats = Stats { records: recs.len() as u64, blocking, ..Stats::default() };
        for &(a, b, s, confirmed) in &links {
            self.link(a, b, s, confirmed, &mut stats);
        }
        stats
    }

    /// One scored pair: refused, already one entity, or merged.
    fn link(&mut self, a: u32, b: u32, s: f64, confirmed: bool, stats: &mut Stats) {
        let (recs, ids, p) = (self.recs, self.ids, self.p);
        let evidence = || {
            let mut w = String::new();
            score::score(&recs[a as usize], &recs[b as usize], p, Some(&mut w));
            w
        };
        if s < p.threshold {
            // Same id number, yet names and dates disagree: a data error to look at.
            let why = format!("same id number but score {s} < {}: {}", p.threshold, evidence());
            self.log_machine((a, b), Action::Refused, s, why);
            stats.refused += 1;
            return;
        }
        stats.links += 1;
        let (basis, conf) = if confirmed { (LinkBasis::Id, 1.0) } else { (LinkBasis::Machine, p.confidence(s)) };
        if self.cl.find(a) == self.cl.find(b) {
            for (x, y) in [(a, b), (b, a)] {
                offer(&mut self.best[x as usize], conf, basis, || link_text(basis, ids[y as usize], &evidence(), s, p));
            }
            return;
        }
        if let Some(r) = self.cl.conflict(a, b) {
            let why = match r {
                Refusal::CannotLink(d) => {
                    let d = self.decisions.get(d);
                    format!(
                        "analyst cannot_link (line {}, {}): {}",
                        d.map(|d| d.line).unwrap_or(0),
                        d.map(|d| d.analyst.as_str()).unwrap_or(""),
                        d.map(|d| d.reason.as_str()).unwrap_or("")
                    )
                }
                Refusal::Ids(x, y) => format!("the entities hold different id numbers ({x} / {y})"),
                Refusal::Dates(x, y) => format!("the entities hold incompatible birth dates ({x} / {y})"),
            };
            self.log_machine((a, b), Action::Refused, s, format!("{why}; evidence: {}", evidence()));
            stats.refused += 1;
            return;
        }
        self.cl.union(a, b);
        stats.merges += 1;
        let ev = evidence();
        for (x, y) in [(a, b), (b, a)] {
            offer(&mut self.best[x as usize], conf, basis, || link_text(basis, ids[y as usize], &ev, s, p));
        }
        self.log_machine((a, b), Action::Merged, s, link_text(basis, ids[b as usize], &ev, s, p));
    }

    /// One row per record with its entity's representative (the smallest record id of each
    /// cluster) and its best link.
    fn finish(mut self, mut stats: Stats) -> Resolution {
        let (ids, refs) = (self.ids, self.refs);
        let n = self.recs.len();
        let roots: Vec<u32> = (0..n as u32).map(|i| self.cl.find(i)).collect();
        let mut rep: Vec<u32> = (0..n as u32).collect();
        let mut members = vec![0u32; n];
        for i in 0..n {
            let r = roots[i] as usize;
            members[r] += 1;
            if ids[i] < ids[rep[r] as usize] {
                rep[r] = i as u32;
            }
        }
        stats.entities = members.iter().filter(|&&m| m > 0).count() as u64;
        stats.multi_record_entities = members.iter().filter(|&&m| m > 1).count() as u64;
        let records = (0..n)
            .map(|i| {
                let r = rep[roots[i] as usize] as usize;
                let (confidence, basis, evidence) = match self.best[i].take() {
                    Some((c, b, e)) if members[roots[i] as usize] > 1 => (c, Some(b), e),
                    _ => (1.0, None, "no other record matched".to_owned()),
                };
                RecordEntity {
                    record: refs[i],
                    record_id: ids[i].to_owned(),
                    entity: refs[r],
                    entity_id: ids[r].to_owned(),
                    confidence,
                    basis,
                    evidence,
                }
            })
            .collect();
        Resolution { records, log: self.log, stats }
    }
}

fn link_text(basis: LinkBasis, other: &str, evidence: &str, s: f64, p: &Params) -> String {
    match basis {
        LinkBasis::Id => format!("confirmed by id number: same as {other}: {evidence}"),
        _ => format!("unconfirmed: matches {other}: {evidence}; score {s} >= {}", p.threshold),
    }
}
