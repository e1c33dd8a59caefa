// Property held by a suspect's relatives and associates, with the money that reached them.
//
// Purpose:    every property titled to a person related to $suspect (spouse, child, parent,
//             sibling, cohabitant, associate), with price and date, and the sum the suspect's
//             accounts paid to that relative's accounts in the year before the purchase.
// Parameters: $suspect  external id of the suspect person, e.g. P000251.
// Why:        Law 10192 reaches assets held by relatives and cohabitants for the subject
//             (docs/methodology.md#law-10192); a gift shortly before a purchase is the classic link
//             (methodology.md#t-real-estate, real-estate integration).
MATCH (s:Person {id: $suspect})-[r:RELATED]->(rel)-[ti:TITLE]->(p:Property)
OPTIONAL MATCH (s)-[:HOLDS]->(sa:Account)-[t:TRANSFER]->(ra:Account)<-[:HOLDS]-(rel)
WHERE ti.acquired_on IS NULL
   OR (t.booked_at <= ti.acquired_on AND t.booked_at >= ti.acquired_on - duration('P365D'))
RETURN rel.id AS relative, r.kind AS relation, p.id AS property, p.kind AS kind, ti.share AS share,
       ti.price AS price, ti.price_currency AS currency, ti.acquired_on AS acquired_on,
       count(t) AS transfers_from_suspect, sum(t.amount) AS paid_by_suspect
ORDER BY relative, property
