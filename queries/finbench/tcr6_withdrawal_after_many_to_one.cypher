// LDBC FinBench TCR6: withdrawal after many-to-one transfer.
//
// Purpose:    accounts (mid) that withdrew more than $threshold2 to the account $id and received
//             transfers above $threshold1 from more than 3 transfers, all inside
//             ($startTime, $endTime); the sums of both, by mid.
// Parameters: $id  account id; $threshold1, $threshold2  amounts; $startTime, $endTime  epoch
//             milliseconds (read_params/complex_6_param.csv columns 1 to 5).
// Why:        many small inflows gathered in one account and withdrawn to a card is how mules
//             cash out collected earnings. Withdrawals are the WITHDRAW labelled edge table of
//             the FinBench mapping. Deviations: the "card" type of $id is not checked (Account.csv
//             is not mapped); truncation (500 edges per node) is not applied.
MATCH (dst:Account {id: toString($id)})<-[w:WITHDRAW]-(mid:Account)<-[t:TRANSFER]-(src:Account)
WHERE w.createTime > datetime({epochMillis: $startTime}) AND w.createTime < datetime({epochMillis: $endTime})
  AND w.amount > $threshold2
  AND t.booked_at > datetime({epochMillis: $startTime}) AND t.booked_at < datetime({epochMillis: $endTime})
  AND t.amount > $threshold1
WITH mid, collect(DISTINCT t) AS ins, collect(DISTINCT w) AS outs
WHERE size(ins) > 3
RETURN mid.id AS midId,
       round(reduce(s = 0, x IN ins | s + x.amount), 3) AS sumEdge1Amount,
       round(reduce(s = 0, x IN outs | s + x.amount), 3) AS sumEdge2Amount
ORDER BY sumEdge2Amount DESC, toInteger(mid.id)
