// LDBC FinBench TCR1 (adapted): accounts reached by time-ordered transfer paths.
//
// Purpose:    every account reached from $id through 1 to 3 transfers in ascending time order,
//             all inside ($startTime, $endTime), with the shortest such distance.
// Parameters: $id         account id; $startTime, $endTime  epoch milliseconds (read_params/
//                          complex_1_param.csv columns 1 to 3).
// Why:        the FinBench original keeps only accounts signed in by a blocked medium. Media
//             (Medium.csv, MediumSignInAccount.csv) are not case tables yet, so this adaptation
//             returns every reachable account; join the medium once extra labelled tables land.
//             Truncation (500 edges per node, TIMESTAMP_DESCENDING) is not applied.
MATCH p = (src:Account {id: toString($id)})-[:TRANSFER*1..3 ASCENDING TIME BETWEEN datetime({epochMillis: $startTime}) AND datetime({epochMillis: $endTime})]->(other:Account)
WHERE other <> src
RETURN other.id AS otherId, min(length(p)) AS accountDistance
ORDER BY accountDistance, otherId
