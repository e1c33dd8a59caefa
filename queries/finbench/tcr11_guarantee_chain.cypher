// LDBC FinBench TCR11: guarantee chain.
//
// Purpose:    the persons reached from person $id through 1 to 5 guarantees inside
//             ($startTime, $endTime), and the loans they applied for: sum of loan amounts and
//             number of distinct loans.
// Parameters: $id  person id without prefix (the FinBench mapping prefixes persons with P);
//             $startTime, $endTime  epoch milliseconds (read_params/complex_11_param.csv).
// Why:        chains of guarantors hide who carries the credit risk, and straw guarantors are
//             a way to launder through loans. GUARANTEE, APPLY and Loan are labelled tables of
//             the FinBench mapping. Truncation is not applied.
MATCH p = (p1:Person {id: 'P' + toString($id)})-[gs:GUARANTEE*1..5]->(pX:Person)
WHERE all(g IN gs WHERE g.createTime > datetime({epochMillis: $startTime}) AND g.createTime < datetime({epochMillis: $endTime}))
UNWIND [i IN range(1, size(nodes(p)) - 1) | nodes(p)[i]] AS person
MATCH (person)-[:APPLY]->(loan:Loan)
WITH DISTINCT loan
RETURN round(sum(loan.loanAmount), 3) AS sumLoanAmount, count(loan) AS numLoans
