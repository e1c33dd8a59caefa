// Money paths from a suspect to property purchases.
//
// Purpose:    every chain of 1 to 5 transfers that starts at an account held by the suspect and
//             ends with a transfer the land register lists as payment for a property title, each
//             transfer booked after the previous one, the whole chain within 60 days, each hop
//             passing on between 50% and 105% of what came in.
// Parameters: $suspect  external id of the suspect (person or company), e.g. P000251.
// Why:        proceeds are integrated by buying real estate in the name of relatives, partners or
//             companies (docs/methodology.md#t-real-estate); a time-ordered chain that keeps most of the
//             money is the evidence that links the suspect's account to the purchase, which is
//             what a confiscation order under Law 10192 or CC art. 36 has to show. With
//             --evidence DIR each row becomes a diagram: suspect, account, chain, owner, property.
MATCH (s {id: $suspect})-[h:HOLDS]->(a:Account)
MATCH p = (a)-[ts:TRANSFER*1..5 ASCENDING TIME WITHIN 60 DAYS RETENTION 0.5..1.05 NO REPEAT]->(payee)
MATCH (owner)-[ti:TITLE]->(prop:Property)
WHERE last(ts) IN ti.payments
RETURN s AS suspect, prop AS property, prop.kind AS kind, owner AS owner, ti.share AS share,
       ti.acquired_on AS acquired_on, length(p) AS hops, head(ts).amount AS first_amount,
       last(ts).amount AS paid, [t IN ts | t.id] AS transfers, p AS path, [h, ti] AS links
ORDER BY property, hops, transfers
