// LDBC FinBench TCR10: similarity of two investors.
//
// Purpose:    the Jaccard similarity of the sets of companies persons $pid1 and $pid2 invested
//             in inside ($startTime, $endTime), rounded to 3 decimals.
// Parameters: $pid1, $pid2  person ids without prefix; $startTime, $endTime  epoch milliseconds
//             (read_params/complex_10_param.csv).
// Why:        two people investing in the same companies is a nominee or front-man signal.
//             Investment times are compared by day (company_ownership keeps dates).
MATCH (p1:Person {id: 'P' + toString($pid1)})
OPTIONAL MATCH (p1)-[o1:OWNS]->(c1:Company)
WHERE o1.from >= date(datetime({epochMillis: $startTime})) AND o1.from <= date(datetime({epochMillis: $endTime}))
WITH collect(DISTINCT c1) AS set1
MATCH (p2:Person {id: 'P' + toString($pid2)})
OPTIONAL MATCH (p2)-[o2:OWNS]->(c2:Company)
WHERE o2.from >= date(datetime({epochMillis: $startTime})) AND o2.from <= date(datetime({epochMillis: $endTime}))
WITH set1, collect(DISTINCT c2) AS set2
WITH size([c IN set1 WHERE c IN set2]) AS common, size(set1 + [c IN set2 WHERE NOT c IN set1]) AS together
RETURN CASE WHEN together = 0 THEN 0 ELSE round(common / together, 3) END AS jaccardSimilarity
