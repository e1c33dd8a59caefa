// LDBC FinBench TCR3: shortest transfer path between two accounts inside a time window.
//
// Purpose:    the length of the shortest chain of transfers from $id1 to $id2 with every
//             transfer inside ($startTime, $endTime), or -1 when there is none.
// Parameters: $id1, $id2  account ids; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_3_param.csv).
// Why:        answers "is there any money link between these two accounts, and how close".
//             Paths are searched up to 6 hops (FinBench leaves the length open; a bound keeps a
//             hostile or hub-heavy query from running away).
MATCH (src:Account {id: toString($id1)})
MATCH (dst:Account {id: toString($id2)})
WITH src, dst
MATCH p = (src)-[:TRANSFER*1..6 BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime}) NO REPEAT]->(dst)
WITH min(length(p)) AS shortest
RETURN coalesce(shortest, -1) AS shortestPathLength
