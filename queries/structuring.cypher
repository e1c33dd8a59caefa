// Structuring (smurfing): cash deposits just below the reporting threshold.
//
// Purpose:    accounts receiving 3 or more cash deposits of 80% to 99.99% of the threshold within
//             10 days, with the deposits, their total and the branch cities.
// Parameters: $threshold  cash reporting threshold in the base currency (Albania: 1000000).
// Why:        splitting cash below the reporting threshold (docs/methodology.md#t-structuring and methodology.md#albania-thresholds;
//             FinCEN funnel-account advisories) is how controllers bank victims' cash earnings
//             without a report to the FIU.
MATCH (c:Cash)-[t:TRANSFER]->(a:Account)
WHERE t.amount >= 0.8 * $threshold AND t.amount < $threshold
MATCH (c2:Cash)-[t2:TRANSFER]->(a)
WHERE t2.booked_at >= t.booked_at AND t2.booked_at <= t.booked_at + duration('P10D')
  AND t2.amount >= 0.8 * $threshold AND t2.amount < $threshold
WITH a, t, collect(t2) AS burst
WHERE size(burst) >= 3
UNWIND burst AS d
WITH DISTINCT a, d
RETURN a.id AS account, a.holder_id AS holder, count(d) AS deposits, sum(d.amount) AS total,
       min(d.booked_at) AS first, max(d.booked_at) AS last, collect(DISTINCT d.branch_city) AS cities,
       collect(d.id) AS transfers
ORDER BY account
