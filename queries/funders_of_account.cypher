// Who funded an account within N hops.
//
// Purpose:    every account from which money reached $account through a chain of 1 to 3
//             transfers, each later than the one before, within 90 days, keeping at least 80%
//             of the amount per hop; grouped by the funding account and its holder.
// Parameters: $account  external id of the account under investigation, e.g. A0000354.
// Why:        a controller's account is often fed through mules and intermediaries; walking the
//             money backwards in time from a known account (a victim's, a property buyer's)
//             finds the real sources, which the investigator can then freeze or subpoena.
MATCH p = (src)-[ts:TRANSFER*1..3 ASCENDING TIME WITHIN 90 DAYS RETENTION 0.8..1.05 NO REPEAT]->(a:Account {id: $account})
WHERE src <> a
RETURN src.id AS funder, src.holder_id AS holder, src.holder_name AS holder_name, min(length(p)) AS min_hops,
       count(*) AS paths, sum(head(ts).amount) AS amount_entering_paths, min(head(ts).booked_at) AS earliest
ORDER BY amount_entering_paths DESC, funder
