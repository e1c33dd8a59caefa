// LDBC FinBench TCR8: transfer trace after loan applied.
//
// Purpose:    from the accounts loan $id was deposited into, every account reached through 1 to 3
//             transfers or withdrawals, each above $threshold times the one before it, all inside
//             ($startTime, $endTime); per account the ratio of the money arriving on the last
//             edges to the loan amount, and the shortest distance from the loan.
// Parameters: $id  loan id; $threshold  ratio; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_8_param.csv columns 1 to 4).
// Why:        where a loan's money went within three steps shows loan fraud and laundering
//             through credit. Loans and deposits are labelled tables of the FinBench mapping; a
//             path may mix TRANSFER and WITHDRAW edges, so the amount chain is checked with
//             reduce (RETURN of a path over two types is not a temporal DFS). Truncation is not
//             applied.
MATCH (loan:Loan {id: toString($id)})-[d:DEPOSIT]->(src:Account)
WHERE d.createTime > datetime({epochMillis: $startTime}) AND d.createTime < datetime({epochMillis: $endTime})
MATCH p = (src)-[es:TRANSFER|WITHDRAW*1..3]->(dst:Account)
WHERE all(e IN es WHERE coalesce(e.booked_at, e.createTime) > datetime({epochMillis: $startTime})
                    AND coalesce(e.booked_at, e.createTime) < datetime({epochMillis: $endTime}))
  AND reduce(curr = head(es).amount, e IN es | CASE WHEN curr <> -1 AND (e = head(es) OR e.amount > curr * $threshold) THEN e.amount ELSE -1 END) <> -1
WITH loan, dst, collect(DISTINCT last(es)) AS lastEdges, min(length(p) + 1) AS distanceFromLoan
RETURN dst.id AS dstId,
       round(reduce(s = 0, e IN lastEdges | s + e.amount) / loan.loanAmount, 3) AS ratio,
       distanceFromLoan
ORDER BY distanceFromLoan DESC, ratio DESC, toInteger(dst.id)
