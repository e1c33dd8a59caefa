// Cash just below the reporting threshold, per account: a one-pass screen for structuring.
//
// Purpose:    every account that received cash deposits of 80% to 99.99% of the threshold, with
//             how many, from how many cash nodes (branch cities), their total and first and last
//             booking; most deposits first. Plain joins: also runs on a Ballista cluster
//             (`query --engine ballista://...`, docs/scale-out.md).
// Parameters: $threshold  cash reporting threshold in the base currency (Albania: 1000000).
// Why:        splitting cash below the reporting threshold (docs/methodology.md#t-structuring) shows first as
//             many near-threshold deposits into one account; structuring.cypher then finds the
//             10-day bursts among them.
MATCH (c:Cash)-[t:TRANSFER]->(a:Account)
WHERE t.amount >= 0.8 * $threshold AND t.amount < $threshold
RETURN a.id AS account, count(*) AS deposits, count(DISTINCT c) AS cities, sum(t.amount) AS total,
       min(t.booked_at) AS first, max(t.booked_at) AS last
ORDER BY deposits DESC, account
