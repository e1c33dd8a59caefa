// LDBC FinBench TCR4: three accounts in a transfer cycle.
//
// Purpose:    if $id1 paid $id2 inside ($startTime, $endTime), every other account that received
//             money from $id2 and paid $id1 in that window, with count, sum and maximum of the
//             transfers other -> $id1 (edge 2) and $id2 -> other (edge 3).
// Parameters: $id1 (src), $id2 (dst)  account ids; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_4_param.csv).
// Why:        a triangle src -> dst -> other -> src is the shortest round trip.
MATCH (src:Account {id: toString($id1)})-[e1:TRANSFER]->(dst:Account {id: toString($id2)})
WHERE e1.booked_at > datetime({epochMillis: $startTime}) AND e1.booked_at < datetime({epochMillis: $endTime})
WITH DISTINCT src, dst
MATCH (dst)-[e3:TRANSFER]->(other:Account)-[e2:TRANSFER]->(src)
WHERE other <> src AND other <> dst
  AND e2.booked_at > datetime({epochMillis: $startTime}) AND e2.booked_at < datetime({epochMillis: $endTime})
  AND e3.booked_at > datetime({epochMillis: $startTime}) AND e3.booked_at < datetime({epochMillis: $endTime})
WITH other, collect(DISTINCT e2) AS edge2, collect(DISTINCT e3) AS edge3
RETURN other.id AS otherId,
       size(edge2) AS numEdge2, reduce(s = 0, e IN edge2 | s + e.amount) AS sumEdge2Amount,
       reduce(m = 0, e IN edge2 | CASE WHEN e.amount > m THEN e.amount ELSE m END) AS maxEdge2Amount,
       size(edge3) AS numEdge3, reduce(s = 0, e IN edge3 | s + e.amount) AS sumEdge3Amount,
       reduce(m = 0, e IN edge3 | CASE WHEN e.amount > m THEN e.amount ELSE m END) AS maxEdge3Amount
ORDER BY sumEdge2Amount DESC, sumEdge3Amount DESC, otherId
