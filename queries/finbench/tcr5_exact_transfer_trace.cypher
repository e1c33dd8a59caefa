// LDBC FinBench TCR5: exact account transfer trace.
//
// Purpose:    every transfer-out path of 1 to 3 hops, in ascending time order and inside
//             ($startTime, $endTime), from the accounts owned by person $id; no account twice.
// Parameters: $id  person id without prefix; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_5_param.csv).
// Why:        shows where a person's money went, hop by hop, as evidence paths.
MATCH (p:Person {id: 'P' + toString($id)})-[:HOLDS]->(a:Account)
MATCH path = (a)-[:TRANSFER*1..3 ASCENDING TIME BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime}) NO REPEAT]->(other:Account)
RETURN DISTINCT [n IN nodes(path) | n.id] AS path
ORDER BY size(path) DESC, path
