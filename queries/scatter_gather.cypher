// Scatter-gather: one account splits money over several intermediaries that pass it on to one
// destination.
//
// Purpose:    source S pays at least 2 distinct intermediaries, each of which pays destination D
//             within 10 days of receiving, keeping 80% to 100% of the amount; grouped per (S, D).
//             Thresholds are the native scatter_gather detector's defaults (n >= 2, 10 days,
//             retention 0.8..1.0).
// Parameters: none.
// Why:        splitting and re-joining hides the link between S and D (docs/methodology.md#t-scatter-gather,
//             AMLSim scatter-gather); the intermediaries are often mules or shell companies.
MATCH (s:Account)-[t1:TRANSFER]->(i:Account)-[t2:TRANSFER]->(d:Account)
WHERE s <> d AND s <> i AND d <> i
  AND t2.booked_at > t1.booked_at AND t2.booked_at <= t1.booked_at + duration('P10D')
  AND t2.amount >= 0.8 * t1.amount AND t2.amount <= t1.amount
WITH s, d, collect(DISTINCT i) AS mids, collect(DISTINCT t1) + collect(DISTINCT t2) AS txns, min(t1.booked_at) AS first
WHERE size(mids) >= 2
RETURN s.id AS source, d.id AS destination, size(mids) AS intermediaries, first, [m IN mids | m.id] AS via,
       [t IN txns | t.id] AS transfers
ORDER BY source, destination
