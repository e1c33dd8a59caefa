// LDBC FinBench TCR2: fund gathered from the accounts applying loans.
//
// Purpose:    for the accounts owned by person $id, every other account whose money reached them
//             through 1 to 3 transfers in ascending time order inside ($startTime, $endTime),
//             and the loans deposited into those accounts inside the window: sums of the
//             distinct loan amounts and balances per account.
// Parameters: $id  person id without prefix (the FinBench mapping prefixes persons with P);
//             $startTime, $endTime  epoch milliseconds (read_params/complex_2_param.csv).
// Why:        loan money gathered into one person's accounts through intermediaries is credit
//             fraud laundered through mules. Loans and deposits are labelled tables of the
//             FinBench mapping (Loan, DEPOSIT). Truncation is not applied.
MATCH (p:Person {id: 'P' + toString($id)})-[:HOLDS]->(a:Account)
MATCH path = (other:Account)-[ts:TRANSFER*1..3 ASCENDING TIME BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime})]->(a)
WHERE other <> a
WITH DISTINCT other
MATCH (loan:Loan)-[d:DEPOSIT]->(other)
WHERE d.createTime > datetime({epochMillis: $startTime}) AND d.createTime < datetime({epochMillis: $endTime})
WITH other, collect(DISTINCT loan) AS loans
RETURN other.id AS otherId,
       round(reduce(s = 0, l IN loans | s + l.loanAmount), 3) AS sumLoanAmount,
       round(reduce(s = 0, l IN loans | s + l.balance), 3) AS sumLoanBalance
ORDER BY sumLoanAmount DESC, toInteger(other.id)
