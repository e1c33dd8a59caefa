// Who receives from the most accounts: the busiest collectors of a case.
//
// Purpose:    per receiving account, the distinct paying accounts, transfers, total received and
//             first and last booking, card payments excluded; the 100 accounts with the most
//             senders. Plain joins: also runs on a Ballista cluster (`query --engine
//             ballista://...`, docs/scale-out.md).
// Parameters: none.
// Why:        a controller collects victims' earnings from many accounts (docs/methodology.md#t-fan-in);
//             a national screen starts from the accounts with the most payers, then fan_in.cypher
//             and the fan_in detector look for the bursts.
MATCH (s:Account)-[t:TRANSFER]->(a:Account)
WHERE t.channel <> 'card'
RETURN a.id AS account, count(DISTINCT s) AS senders, count(*) AS transfers, sum(t.amount) AS total,
       min(t.booked_at) AS first, max(t.booked_at) AS last
ORDER BY senders DESC, account
LIMIT 100
