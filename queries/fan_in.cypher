// Fan-in (gather): many distinct senders paying into one account within 30 days.
//
// Purpose:    for every account, every 30-day window (opened by an incoming transfer) in which at
//             least 5 distinct senders paid in, card payments excluded; returns the transfers of
//             all such windows per account. Same question as the native fan_in detector.
// Parameters: none.
// Why:        victims' earnings collected by one controller account, or deposits spread over
//             many depositors to stay under the reporting threshold (docs/methodology.md#t-fan-in,
//             AMLSim: n >= 5, w = 30 days).
MATCH (s)-[t:TRANSFER]->(b:Account)
WHERE t.channel <> 'card'
MATCH (s2)-[t2:TRANSFER]->(b)
WHERE t2.channel <> 'card' AND t2.booked_at >= t.booked_at AND t2.booked_at <= t.booked_at + duration('P30D')
WITH b, t, count(DISTINCT s2) AS senders, collect(t2) AS window
WHERE senders >= 5
UNWIND window AS w
WITH DISTINCT b, w
RETURN b.id AS account, count(w) AS transfers, count(DISTINCT startNode(w)) AS senders, sum(w.amount) AS total,
       min(w.booked_at) AS first, max(w.booked_at) AS last, collect(w.id) AS txn_ids
ORDER BY account
