// LDBC FinBench TCR7: transfer in/out ratio of an account.
//
// Purpose:    for account $id, the number of distinct accounts that paid it more than
//             $threshold inside ($startTime, $endTime), the number it paid more than $threshold,
//             and the ratio of money in to money out (-1 when nothing went out).
// Parameters: $id  account id; $threshold  amount; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_7_param.csv).
// Why:        an in/out ratio near 1 with many counterparts is the pass-through (mule) profile.
//             Without OPTIONAL MATCH an account with no qualifying transfer at all returns no
//             row (FinBench returns 0, 0, -1).
MATCH (a:Account {id: toString($id)})-[e:TRANSFER]-(x:Account)
WHERE e.amount > $threshold
  AND e.booked_at > datetime({epochMillis: $startTime}) AND e.booked_at < datetime({epochMillis: $endTime})
WITH a, collect(CASE WHEN endNode(e) = a THEN e END) AS ins, collect(CASE WHEN startNode(e) = a THEN e END) AS outs
WITH a, ins, outs, reduce(s = 0, t IN ins | s + t.amount) AS sumIn, reduce(s = 0, t IN outs | s + t.amount) AS sumOut
RETURN size([s IN ins | startNode(s)]) AS numEdges_in,
       size(reduce(d = [], t IN ins | CASE WHEN startNode(t) IN d THEN d ELSE d + [startNode(t)] END)) AS numSrc,
       size(reduce(d = [], t IN outs | CASE WHEN endNode(t) IN d THEN d ELSE d + [endNode(t)] END)) AS numDst,
       CASE WHEN sumOut = 0 THEN -1 ELSE round(sumIn / sumOut, 3) END AS inOutRatio
