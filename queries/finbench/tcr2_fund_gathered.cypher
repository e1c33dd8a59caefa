// LDBC FinBench TCR2 (adapted): money gathered into a person's accounts.
//
// Purpose:    for the accounts owned by person $id, every other account whose money reached them
//             through 1 to 3 transfers in ascending time order inside ($startTime, $endTime).
// Parameters: $id  person id without prefix (the FinBench mapping prefixes persons with P);
//             $startTime, $endTime  epoch milliseconds (read_params/complex_2_param.csv).
// Why:        FinBench then sums the loans deposited into those accounts (loan amount and
//             balance); loans are not case tables yet, so this adaptation returns the funding
//             accounts with the amount that entered the paths instead.
MATCH (p:Person {id: 'P' + toString($id)})-[:HOLDS]->(a:Account)
MATCH path = (other:Account)-[ts:TRANSFER*1..3 ASCENDING TIME BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime})]->(a)
WHERE other <> a
RETURN other.id AS otherId, min(length(path)) AS distance, sum(head(ts).amount) AS sumAmount
ORDER BY sumAmount DESC, otherId
