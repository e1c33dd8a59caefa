// LDBC FinBench TCR12: transfers from a person's accounts to company accounts.
//
// Purpose:    the sum paid from the accounts of person $id to each account held by a company,
//             inside ($startTime, $endTime).
// Parameters: $id  person id without prefix; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_12_param.csv).
// Why:        payments from a person to companies (capital, "loans", invoices) are how proceeds
//             enter businesses that later buy assets.
MATCH (p:Person {id: 'P' + toString($id)})-[:HOLDS]->(pa:Account)-[e:TRANSFER]->(ca:Account)<-[:HOLDS]-(c:Company)
WHERE e.booked_at > datetime({epochMillis: $startTime}) AND e.booked_at < datetime({epochMillis: $endTime})
RETURN ca.id AS compAccountId, sum(e.amount) AS sumEdge2Amount
ORDER BY sumEdge2Amount DESC, compAccountId
