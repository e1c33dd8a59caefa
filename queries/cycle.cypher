// Round-tripping cycles: money that comes back to the account it left.
//
// Purpose:    every cycle of 2 to 6 transfers from an account back to itself, each transfer later
//             than the one before, within 30 days, each hop keeping 80% to 100% of the amount,
//             no account twice (the native cycle detector's defaults; widen to 90 DAYS for the
//             domain's outer bound).
// Parameters: none.
// Why:        a cycle disguises proceeds as loans, capital or sale proceeds returning to the
//             originator (docs/methodology.md#t-cycle: length <= 6, window <= 90 days); the transfers
//             of each cycle are the evidence.
MATCH p = (a:Account)-[ts:TRANSFER*2..6 ASCENDING TIME WITHIN 30 DAYS RETENTION 0.8..1.0 NO REPEAT]->(a)
WHERE all(n IN nodes(p) WHERE n:Account)
RETURN a.id AS account, length(p) AS hops, head(ts).amount AS amount_out, last(ts).amount AS amount_back,
       head(ts).booked_at AS started, last(ts).booked_at AS closed, [t IN ts | t.id] AS transfers
ORDER BY started, account, transfers
