// LDBC FinBench TCR3: shortest transfer path between two accounts inside a time window.
//
// Purpose:    the length of the shortest chain of transfers from $id1 to $id2 with every
//             transfer inside ($startTime, $endTime), or -1 when there is none.
// Parameters: $id1, $id2  account ids; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_3_param.csv).
// Why:        answers "is there any money link between these two accounts, and how close".
//             A breadth-first search (SHORTEST) up to 16 hops, the language's bound
//             (FinBench leaves the length open).
MATCH (src:Account {id: toString($id1)})
MATCH (dst:Account {id: toString($id2)})
WITH src, dst
MATCH p = (src)-[:TRANSFER*1..16 BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime}) SHORTEST]->(dst)
WITH min(length(p)) AS shortest
RETURN coalesce(shortest, -1) AS shortestPathLength
