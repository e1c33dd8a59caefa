// Mule chains (layering): money passed on quickly through three or more accounts.
//
// Purpose:    chains of 3 to 6 transfers where each account passes the money on within 2 days of
//             receiving it, keeping 85% to 100% of the amount, no account twice; only maximal
//             chains: the first account did not itself receive the money that way, and the last
//             one did not pass it on that way.
// Parameters: none.
// Why:        rapid pass-through with amount conservation is the signature of money mules and
//             layering chains (docs/methodology.md#t-pass-through and methodology.md#t-layering-chain); victims are often recruited as
//             mules, so every account on the chain is also a lead to a person to interview.
MATCH p = (a:Account)-[ts:TRANSFER*3..6 ASCENDING TIME MAX GAP 2 DAYS RETENTION 0.85..1.0 NO REPEAT]->(z:Account)
WHERE all(n IN nodes(p) WHERE n:Account)
AND NOT exists {
  (x)-[t0:TRANSFER]->(a)
  WHERE t0.booked_at < head(ts).booked_at AND t0.booked_at >= head(ts).booked_at - duration('P2D')
    AND head(ts).amount >= 0.85 * t0.amount AND head(ts).amount <= t0.amount
}
AND NOT exists {
  (z)-[t9:TRANSFER]->(y)
  WHERE t9.booked_at > last(ts).booked_at AND t9.booked_at <= last(ts).booked_at + duration('P2D')
    AND t9.amount >= 0.85 * last(ts).amount AND t9.amount <= last(ts).amount AND NOT y IN nodes(p)
}
RETURN a.id AS first_account, z.id AS last_account, length(p) AS hops, head(ts).amount AS amount_in,
       last(ts).amount AS amount_out, head(ts).booked_at AS started, last(ts).booked_at AS ended,
       [t IN ts | t.id] AS transfers
ORDER BY hops DESC, started, transfers
