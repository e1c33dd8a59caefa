// Large account-to-account transfers.
//
// Purpose:    every transfer between two accounts of at least $min_amount in the base currency,
//             largest first, with payer, payee, time and channel (the first 200). Plain joins: also
//             runs on a Ballista cluster (`query --engine ballista://...`, docs/scale-out.md).
// Parameters: $min_amount  least amount in the base currency, e.g. 1000000.
// Why:        the largest single movements of a case are where an asset purchase, a loan or the
//             placement of collected cash usually shows (real-estate integration, 
//             docs/methodology.md#t-real-estate); each row is one transfer to trace.
MATCH (s:Account)-[t:TRANSFER]->(d:Account)
WHERE t.amount >= $min_amount
RETURN t.id AS transfer, s.id AS from_account, d.id AS to_account, t.amount AS amount,
       t.booked_at AS booked_at, t.channel AS channel
ORDER BY amount DESC, transfer
LIMIT 200
