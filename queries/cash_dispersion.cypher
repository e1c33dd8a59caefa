// Geographic dispersion of cash: deposits into one account from 3 or more cities within a week.
//
// Purpose:    accounts where the cash deposits of some 7-day window came from at least three
//             branch cities, with those deposits, their cities and total.
// Parameters: none.
// Why:        victims moved between cities deposit their earnings wherever they are; cash
//             arriving from several cities in a short period is a FINTRAC and FinCEN indicator
//             (docs/methodology.md#t-funnel-account and methodology.md#t-dispersion).
MATCH (c:Cash)-[t:TRANSFER]->(a:Account)
MATCH (c2:Cash)-[t2:TRANSFER]->(a)
WHERE t2.booked_at >= t.booked_at AND t2.booked_at <= t.booked_at + duration('P7D')
WITH a, t, collect(DISTINCT c2.city) AS cities, collect(t2) AS burst
WHERE size(cities) >= 3
UNWIND burst AS d
WITH DISTINCT a, d
RETURN a.id AS account, a.holder_id AS holder, count(d) AS deposits, collect(DISTINCT d.branch_city) AS cities,
       sum(d.amount) AS total, min(d.booked_at) AS first, max(d.booked_at) AS last, collect(d.id) AS transfers
ORDER BY account
