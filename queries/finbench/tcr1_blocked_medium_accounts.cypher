// LDBC FinBench TCR1: blocked medium related accounts.
//
// Purpose:    every account reached from $id through 1 to 3 transfers in ascending time order,
//             all inside ($startTime, $endTime), that a blocked medium signed in to inside the
//             window; with the distance and the medium.
// Parameters: $id         account id; $startTime, $endTime  epoch milliseconds (read_params/
//                          complex_1_param.csv columns 1 to 3).
// Why:        money moving within three steps to accounts used from a blocked phone or device
//             points at mule accounts run by people already flagged. Media and sign-ins are
//             labelled tables of the FinBench mapping (Medium, SIGN_IN). Truncation (500 edges
//             per node, TIMESTAMP_DESCENDING) is not applied.
MATCH p = (src:Account {id: toString($id)})-[:TRANSFER*1..3 ASCENDING TIME BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime})]->(other:Account)
WHERE other <> src
MATCH (m:Medium)-[s:SIGN_IN]->(other)
WHERE m.isBlocked = true
  AND s.createTime > datetime({epochMillis: $startTime}) AND s.createTime < datetime({epochMillis: $endTime})
WITH DISTINCT other, length(p) AS accountDistance, m
RETURN other.id AS otherId, accountDistance, m.id AS mediumId, m.mediumType AS mediumType
ORDER BY accountDistance, toInteger(other.id), toInteger(m.id)
