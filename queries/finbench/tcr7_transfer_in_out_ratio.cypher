// LDBC FinBench TCR7: transfer in/out ratio of an account.
//
// Purpose:    for account $id, the number of distinct accounts that paid it more than
//             $threshold inside ($startTime, $endTime), the number it paid more than $threshold,
//             and the ratio of money in to money out (-1 when nothing went out).
// Parameters: $id  account id; $threshold  amount; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_7_param.csv).
// Why:        an in/out ratio near 1 with many counterparts is the pass-through (mule) profile.
MATCH (a:Account {id: toString($id)})
OPTIONAL MATCH (src:Account)-[e1:TRANSFER]->(a)
WHERE e1.amount > $threshold
  AND e1.booked_at > datetime({epochMillis: $startTime}) AND e1.booked_at < datetime({epochMillis: $endTime})
WITH a, count(DISTINCT src) AS numSrc, sum(e1.amount) AS sumIn
OPTIONAL MATCH (a)-[e2:TRANSFER]->(dst:Account)
WHERE e2.amount > $threshold
  AND e2.booked_at > datetime({epochMillis: $startTime}) AND e2.booked_at < datetime({epochMillis: $endTime})
WITH numSrc, sumIn, count(DISTINCT dst) AS numDst, sum(e2.amount) AS sumOut
RETURN numSrc, numDst, CASE WHEN sumOut = 0 THEN -1 ELSE round(sumIn / sumOut, 3) END AS inOutRatio
