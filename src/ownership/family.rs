//! Family scope of a suspect under Albanian Law 10192 (docs/methodology.md#law-10192).
//!
//! Law 9284 Art. 3, kept by Law 10192, extends preventive measures to the subject's spouse,
//! children and relatives by blood or marriage; Law 10192 adds cohabitants and persons holding
//! assets for the subject. This module walks recorded relations outward from the suspect:
//! default kinds spouse, child, parent, sibling, cohabitant, depth 1; "associate" (third parties)
//! and larger depths (e.g. 2 for grandchildren or a spouse's children) are options.
//!
//! Direction: a [`Relation`] `{ person: a, related: b, kind }` reads "b is a's `kind`". Spouse,
//! sibling, cohabitant and associate are symmetric; child and parent are inverted when the
//! relation is walked from `b` (b's child a is a's parent b).

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

/// Kind of a relation, read as "`related` is the `kind` of `person`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelationKind {
    /// Married or registered partner.
    Spouse,
    /// `related` is a child of `person`.
    Child,
    /// `related` is a parent of `person`.
    Parent,
    /// Brother or sister.
    Sibling,
    /// Living together without marriage (Law 10192).
    Cohabitant,
    /// Third party (business associate, front man) recorded by the investigators.
    Associate,
}

impl RelationKind {
    /// The kind seen from the other side: child <-> parent, the others are symmetric.
    pub fn inverse(self) -> Self {
        match self {
            RelationKind::Child => RelationKind::Parent,
            RelationKind::Parent => RelationKind::Child,
            k => k,
        }
    }
}

/// A recorded relation: `related` is the `kind` of `person`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The person of reference.
    pub person: u32,
    /// The relative.
    pub related: u32,
    /// What `related` is to `person`.
    pub kind: RelationKind,
    /// The caller's provenance row (civil register, declaration, finding).
    pub row: u32,
}

/// Parameters of [`family_scope`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyParams {
    /// Relation kinds followed at every step.
    pub kinds: Vec<RelationKind>,
    /// Maximum number of relation steps from the suspect (default 1).
    pub max_depth: usize,
}

impl Default for FamilyParams {
    /// Spouse, child, parent, sibling, cohabitant at depth 1 (methodology.md#law-10192).
    fn default() -> Self {
        Self {
            kinds: vec![
                RelationKind::Spouse,
                RelationKind::Child,
                RelationKind::Parent,
                RelationKind::Sibling,
                RelationKind::Cohabitant,
            ],
            max_depth: 1,
        }
    }
}

/// One step of a relation path: `to` is the `kind` of `from`, by row `row`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Step {
    /// Where the step starts.
    pub from: u32,
    /// Where it ends.
    pub to: u32,
    /// What `to` is to `from` (already inverted when the relation was walked backwards).
    pub kind: RelationKind,
    /// The relation row.
    pub row: u32,
}

/// A member of the suspect's scope with the shortest relation path that puts it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeMember {
    /// The member.
    pub person: u32,
    /// Steps from the suspect to the member (non-empty).
    pub path: Vec<Step>,
}

/// Members of `suspect`'s scope (the suspect excluded), sorted by person id.
///
/// Breadth-first, so each member comes with a shortest path; among equally short paths the one
/// through the smallest (person, kind, row) wins, so the result is deterministic.
///
/// # Complexity
/// O(R log R) for R relations.
pub fn family_scope(suspect: u32, relations: &[Relation], params: &FamilyParams) -> Vec<ScopeMember> {
    FamilyGraph::new(relations, &params.kinds).scope(suspect, params.max_depth)
}

/// The relations of a case as an adjacency, built once and asked for many suspects' scopes
/// (building it per suspect made a national case's register detectors quadratic in the
/// relations: issue 15's 10M-transfer run).
#[derive(Clone, Debug, Default)]
pub struct FamilyGraph {
    /// Steps out of each person, sorted by (to, kind, row).
    adj: BTreeMap<u32, Vec<Step>>,
}

impl FamilyGraph {
    /// The relations of the given `kinds`, both ways.
    ///
    /// # Complexity
    /// O(R log R) for R relations.
    pub fn new(relations: &[Relation], kinds: &[RelationKind]) -> FamilyGraph {
        let mut adj: BTreeMap<u32, Vec<Step>> = BTreeMap::new();
        for r in relations {
            if r.person == r.related {
                continue;
            }
            let fwd = Step { from: r.person, to: r.related, kind: r.kind, row: r.row };
            let back = Step { from: r.related, to: r.person, kind: r.kind.inverse(), row: r.row };
            for s in [fwd, back] {
                if kinds.contains(&s.kind) {
                    adj.entry(s.from).or_default().push(s);
                }
            }
        }
        for steps in adj.values_mut() {
            steps.sort_by_key(|s| (s.to, s.kind, s.row));
        }
        FamilyGraph { adj }
    }

    /// Members of `suspect`'s scope within `max_depth` steps, as [`family_scope`].
    ///
    /// # Complexity
    /// O(S log R) for the S steps reached.
    pub fn scope(&self, suspect: u32, max_depth: usize) -> Vec<ScopeMember> {
        let mut paths: BTreeMap<u32, Vec<Step>> = BTreeMap::new();
        let mut queue = VecDeque::from([(suspect, Vec::<Step>::new())]);
        while let Some((x, path)) = queue.pop_front() {
            if path.len() >= max_depth {
                continue;
            }
            for s in self.adj.get(&x).map_or(&[][..], |v| v.as_slice()) {
                if s.to == suspect || paths.contains_key(&s.to) {
                    continue;
                }
                let mut p = path.clone();
                p.push(s.clone());
                paths.insert(s.to, p.clone());
                queue.push_back((s.to, p));
            }
        }
        paths.into_iter().map(|(person, path)| ScopeMember { person, path }).collect()
    }
}
