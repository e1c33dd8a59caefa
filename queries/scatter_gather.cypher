// Scatter-gather: one account splits money over several intermediaries that pass it on to one
// destination.
//
// Purpose:    source S pays at least 3 distinct intermediaries, each of which pays destination D
//             within 10 days of receiving, keeping 80% to 100% of the amount; grouped per (S, D)
//             and 30-day period of the first hop.
// Parameters: none.
// Why:        splitting and re-joining hides the link between S and D (docs/domain.md §1.3 #6,
//             AMLSim scatter-gather); the intermediaries are often mules or shell companies.
MATCH (s:Account)-[t1:TRANSFER]->(i:Account)-[t2:TRANSFER]->(d:Account)
WHERE s <> d AND s <> i AND d <> i
  AND t2.booked_at > t1.booked_at AND t2.booked_at <= t1.booked_at + duration('P10D')
  AND t2.amount >= 0.8 * t1.amount AND t2.amount <= t1.amount
WITH s, d, t1.date.year AS year, t1.date.month AS month, collect(DISTINCT i) AS mids, collect(t1) + collect(t2) AS txns
WHERE size(mids) >= 3
RETURN s.id AS source, d.id AS destination, year, month, size(mids) AS intermediaries, [m IN mids | m.id] AS via,
       [t IN txns | t.id] AS transfers
ORDER BY source, destination, year, month
