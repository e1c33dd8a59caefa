// LDBC FinBench TCR9: money laundering with loan involved.
//
// Purpose:    for account $id, loans deposited into it and repaid from it, transfers into and
//             out of it, every edge above $threshold and inside ($startTime, $endTime); the
//             ratios deposit/repay, deposit/transfers out and transfers in/out (-1 when the
//             divisor is empty), over the combinations matched as in the FinBench reference.
// Parameters: $id  account id; $threshold  amount; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_9_param.csv columns 1 to 4).
// Why:        an account that takes a loan, passes it on and repays the loan from other money is
//             layering through credit. DEPOSIT and REPAY are labelled edge tables of the FinBench
//             mapping. Truncation is not applied.
OPTIONAL MATCH (loan:Loan)-[e1:DEPOSIT]->(mid:Account {id: toString($id)})-[e2:REPAY]->(loan),
               (up:Account)-[e3:TRANSFER]->(mid)-[e4:TRANSFER]->(down:Account)
WHERE e1.amount > $threshold AND e1.createTime > datetime({epochMillis: $startTime}) AND e1.createTime < datetime({epochMillis: $endTime})
  AND e2.amount > $threshold AND e2.createTime > datetime({epochMillis: $startTime}) AND e2.createTime < datetime({epochMillis: $endTime})
  AND e3.amount > $threshold AND e3.booked_at > datetime({epochMillis: $startTime}) AND e3.booked_at < datetime({epochMillis: $endTime})
  AND e4.amount > $threshold AND e4.booked_at > datetime({epochMillis: $startTime}) AND e4.booked_at < datetime({epochMillis: $endTime})
WITH sum(e1.amount) AS deposited, sum(e2.amount) AS repaid, sum(e3.amount) AS transferredIn, sum(e4.amount) AS transferredOut
RETURN CASE WHEN repaid = 0 THEN -1 ELSE round(deposited / repaid, 3) END AS ratioRepay,
       CASE WHEN transferredOut = 0 THEN -1 ELSE round(deposited / transferredOut, 3) END AS ratioDeposit,
       CASE WHEN transferredOut = 0 THEN -1 ELSE round(transferredIn / transferredOut, 3) END AS ratioTransfer
